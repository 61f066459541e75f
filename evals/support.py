"""An independent judge of whether cited passages support a sentence of an answer.

The advisor attaches and checks its citations with ``advisor.grounding.citations`` (character-bigram overlap).
Scoring them with the same function would make citation metrics 1.00 by construction, so the eval
reads answers and judges support with its own rules: a sentence quoted from the articles must occur
*verbatim* in the passages it cites (every part of it, a label like "优势：" included, compared after
Unicode and whitespace normalisation); a paraphrase (an LLM's answer) must share at least
``PARAPHRASE_RECALL`` of its character pairs with them (punctuation ignored), and every number in it
must appear there.
Only the answer-text format (``advisor.grounding.format``: which lines are labels, what markers look like) is
shared with the advisor.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.grounding.format import is_label_line

PARAPHRASE_RECALL = 0.6
# Patterns of its own, on purpose: the judge shares no code with ``advisor.grounding.citations``.
_MARK = re.compile(r"\[(\d{1,3})\]")
_NOISE = re.compile(r"\[\d{1,3}\]|〔[^〕]*〕|\*\*|…+|\.\.\.")
_SENTENCE = re.compile(r"(.+?[。！？!?]+[”’\"」』）)]*)((?:\[\d{1,3}\])*)|(.+?)$")
_LEAD = re.compile(r"^\s*(?:[-*•·]\s*)+")
_PARTS = re.compile(r"[：:（）()]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def norm(text: str) -> str:
    """NFKC, no whitespace, lower-case: "AI 工具" and "AI工具", "：" and ":" compare equal."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def ngrams(text: str, n: int) -> set[str]:
    """Character n-grams of the text's letters and digits (punctuation and spaces dropped)."""
    t = re.sub(r"[^\w]", "", norm(text))
    return {t[i : i + n] for i in range(len(t) - n + 1)} or ({t} if t else set())


def trigrams(text: str) -> set[str]:
    return ngrams(text, 3)


@dataclass(frozen=True)
class Claim:
    text: str  # without markers, bullets or bold marks
    cited: tuple[int, ...]


def _claims_in(text: str) -> list[Claim]:
    out = []
    for m in _SENTENCE.finditer(text):
        body = m.group(1) or m.group(3) or ""
        ids = tuple(int(n) for n in _MARK.findall((m.group(2) or "") + body))
        clean = _NOISE.sub("", body).strip()
        if len(re.findall(r"[\w]", clean)) >= 4:
            out.append(Claim(clean, tuple(dict.fromkeys(ids))))
    return out


def claims(answer_text: str) -> list[Claim]:
    """The answer's sentences that state something, with the passages each cites. Table cells count
    one by one; label lines (headings, notices, "文章没有讲到…") do not count."""
    out: list[Claim] = []
    for line in answer_text.splitlines():
        if line.lstrip().startswith("|"):
            for cell in line.strip().strip("|").split("|"):
                if _MARK.search(cell):
                    out += _claims_in(cell)
            continue
        if not line.strip() or is_label_line(line):
            continue
        out += _claims_in(_LEAD.sub("", line))
    return out


def entails(claim: str, evidence: str) -> bool:
    """Does ``evidence`` (passage texts and their headings) support ``claim``?"""
    ev = norm(evidence)
    parts = [norm(p) for p in _PARTS.split(claim) if len(norm(p)) >= 2]
    if parts and all(p in ev for p in parts):
        return True
    if any(n not in ev for n in _NUMBER.findall(norm(claim))):
        return False
    grams = ngrams(claim, 2)
    return bool(grams) and len(grams & ngrams(evidence, 2)) / len(grams) >= PARAPHRASE_RECALL


def support_scores(answer_text: str, evidence: Sequence[str]) -> dict[str, float | int | None]:
    """ALCE-style citation recall and precision with ``entails`` as the judge.

    ``evidence[n - 1]`` is what citation ``[n]`` points to. Recall: share of claims entailed by their
    cited passages together (an uncited claim is unsupported). Precision: share of citations that
    entail their claim alone, or are needed for the joint support.
    """
    units = claims(answer_text)

    def ev(ids: Sequence[int]) -> str:
        return "\n".join(evidence[i - 1] for i in ids if 1 <= i <= len(evidence))

    supported = precise = n_cites = 0
    for c in units:
        full = bool(c.cited) and entails(c.text, ev(c.cited))
        supported += full
        for i in c.cited:
            n_cites += 1
            needed = full and len(c.cited) > 1 and not entails(c.text, ev([j for j in c.cited if j != i]))
            precise += entails(c.text, ev([i])) or needed
    return {
        "claims": len(units),
        "citations": n_cites,
        "recall": supported / len(units) if units else None,
        "precision": precise / n_cites if n_cites else None,
    }
