"""Citations as data: parse ``[n]`` markers, drop invalid ones, re-cite or flag sentences their source
does not support, and resolve each citation to an exact quote with offsets into its document."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from advisor.grounding.format import LABEL_PREFIXES, UNSUPPORTED_MARK, is_label_line
from advisor.index.search import Passage
from advisor.text.markdown import QUOTE_MARK, ends_inside_quote, split_sentences
from advisor.text.tokens import char_pairs

# evals/support.py has its own marker and sentence patterns on purpose: the eval is an independent judge
# and must not share the citation code it checks.
_MARKER = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、\-–]\s*\d{1,3})*)\s*[\]】］]")
_DOUBLE_END = re.compile(r"([。！？])((?:\[\d{1,3}\])+)\1")
_MARKERS_AFTER = re.compile(r"(?:[ \t]*\[\d{1,3}\])+")
# A unit ends at a sentence end, a line break, or citation markers with more of the sentence after them
# ("A[1]，B[2]。" is two claims, each checked against its own source).
_TERMINATOR = re.compile(r"[。！？!?]+[”’\"」』）)]*|\n|(?:\[\d{1,3}\])+(?=[ \t]*[^。！？!?\[\s])")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9%％.]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*[%％]?")
SUPPORT_THRESHOLD = 0.5
PART_SUPPORT = 0.2  # one of several citations must share this much of the claim to stay


@dataclass
class Citation:
    """``quote == body[start:end]`` of document ``doc_id``; checked before it is returned."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    source: str | None = None
    passage_start: int = 0
    passage_end: int = 0

    @classmethod
    def of(cls, n: int, passage: Passage, quote: str, start: int) -> Citation:
        """Citation ``n`` of ``quote`` at ``start`` in the passage's document, as given (``resolve``
        checks the span; tests build wrong ones on purpose)."""
        # Field by field like ``index.chunking``'s ``Chunk(...)``: deliberate (a record built from another).
        return cls(
            n=n,
            chunk_id=passage.chunk_id,
            doc_id=passage.doc_id,
            title=passage.title,
            section=passage.section,
            quote=quote,
            start=start,
            end=start + len(quote),
            source=passage.source,
            passage_start=passage.start,
            passage_end=passage.end,
        )

    def to_dict(self) -> dict:
        return asdict(self)


def cited_dict(text: str, citations: list[Citation], passages: list[Passage]) -> dict:
    """A cited text as JSON-ready data, the same three keys for an answer and a plan."""
    return {
        "text": text,
        "citations": [c.to_dict() for c in citations],
        "passages": [p.to_dict() for p in passages],
    }


def _normalize_markers(text: str) -> str:
    """``[1,2]`` / ``【1】`` / ``[1-3]`` become ``[1][2]`` so later steps see one form, and a sentence end
    written twice around its markers (``会场。[1]。``, as small models do) once (``会场[1]。``)."""

    def repl(m: re.Match) -> str:
        ids: list[int] = []
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            if re.fullmatch(r"\d+\s*[\-–]\s*\d+", part):
                a, b = (int(x) for x in re.split(r"\s*[\-–]\s*", part))
                ids.extend(range(a, min(b, a + 10) + 1))
            else:
                ids.append(int(part))
        return "".join(f"[{i}]" for i in ids)

    return _DOUBLE_END.sub(r"\2\1", _MARKER.sub(repl, text))


def split_units(text: str) -> list[str]:
    """Sentences of an answer, each keeping the citation markers that follow its terminator."""
    units, pos = [], 0
    for m in _TERMINATOR.finditer(text):
        if m.start() < pos or _inside_quote(text, m):
            continue
        end = m.end()
        after = _MARKERS_AFTER.match(text, end)
        if after and m.group() != "\n":
            end = after.end()
        units.append(text[pos:end])
        pos = end
    if pos < len(text):
        units.append(text[pos:])
    return units


def _inside_quote(text: str, m: re.Match) -> bool:
    """A sentence end inside a quote that closes later on the line ("”你知道我现在时薪多少吗？二十块！但…
    还踏实。”"): the quote is one claim. Marks are counted, not paired: the stories open quotes with ” too."""
    if m.group()[0] not in "。！？!?":
        return False
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end < 0 else line_end
    return (
        ends_inside_quote(text[line_start : m.end()])
        and QUOTE_MARK.search(text, m.end(), line_end) is not None
    )


def bigrams(text: str) -> set[str]:
    chars = "".join(_WORD.findall(text.lower()))
    return char_pairs(chars) or ({chars} if chars else set())


def support(claim: str, evidence: str, heading: str = "") -> float:
    """Share of the claim's character bigrams found in the evidence; numbers must appear verbatim, in
    the evidence or in its ``heading`` (a stage such as "初级PM(0-2年)" is said by the heading above it)."""
    claim = _MARKER.sub("", claim)
    grams = bigrams(claim)
    if not grams:
        return 0.0
    ev = f"{heading}\n{evidence}".lower()
    for num in _NUMBER.findall(claim):
        if num.replace(" ", "").replace("％", "%") not in ev.replace(" ", "").replace("％", "%"):
            return 0.0
    return len(grams & bigrams(evidence)) / len(grams)


def is_claim(unit: str) -> bool:
    """Substantive sentences need a source; labels, headings and the mode notice do not."""
    bare = _MARKER.sub("", unit).strip()
    if bare.startswith(LABEL_PREFIXES) or bare.endswith((":", "：", "**")):
        return False
    return len(_WORD.findall(bare)) >= 8


def best_quote(claims: list[str], passage: Passage, body: str) -> tuple[str, int, int]:
    """The passage sentences that best support the claims, as one exact span of the document.

    Each claim picks its best sentence; the quote runs from the first to the last of them.
    """
    spans = split_sentences(body, passage.start, passage.end) or [(passage.start, passage.end)]
    picks = [max(spans, key=lambda s, c=claim: (support(c, body[s[0] : s[1]]), -s[0])) for claim in claims]
    start, end = min(s for s, _ in picks), max(e for _, e in picks)
    return body[start:end], start, end


def answer_units(text: str) -> list[tuple[str, bool]]:
    """The answer cut into sentence units, each flagged whether it may need a source."""
    units: list[tuple[str, bool]] = []
    for line in text.splitlines(keepends=True):
        if is_label_line(line):  # composer labels are never claims
            units.append((line, False))
        else:
            units.extend((u, True) for u in split_units(line))
    return units


def check_unit(unit: str, checkable: bool, passages: list[Passage]) -> tuple[str, list[int], bool]:
    """One unit's passage numbers after the check; returns (unit text, numbers, unsupported?).

    Out-of-range markers are dropped. A claim keeps the citations that together support it (less one
    that adds nearly nothing); a claim its citations do not support is re-cited to the retrieved passage
    that does, or loses its markers and is flagged, so nothing is shown as cited that its source does
    not say. An uncited claim gets the passage that supports it, or the flag. A fragment too short to be
    a claim (a lead-in such as "有以下路径：[1]") keeps only the markers its source bears out.
    """
    ids = [int(x) for x in re.findall(r"\[(\d{1,3})\]", unit)]
    valid = [i for i in dict.fromkeys(ids) if 1 <= i <= len(passages)]
    if not checkable:
        return (_keep_markers(unit, valid) if len(valid) != len(ids) else unit), valid, False
    claim = re.sub(r"\[\d{1,3}\]", "", unit).strip()
    if not is_claim(unit):  # a lead-in or fragment: keeps only markers its source bears out, never flagged
        keep = cited_support(claim, valid, passages)
        return (unit if keep == valid == ids else _keep_markers(unit, keep)), keep, False
    keep = cited_support(claim, valid, passages)
    if not keep:
        scores = [support(claim, p.text, p.heading_path) for p in passages]
        best = max(range(len(passages)), key=lambda i: scores[i], default=-1)
        keep = [best + 1] if best >= 0 and scores[best] >= SUPPORT_THRESHOLD else []
    bare = _keep_markers(unit, [])
    if not keep:
        return _attach(bare, UNSUPPORTED_MARK), [], True
    if keep == valid == ids:
        return unit, valid, False
    if set(keep) <= set(valid):  # markers the claim does not need are removed where they stand
        return _keep_markers(unit, keep), keep, False
    return _attach(bare, "".join(f"[{i}]" for i in keep)), keep, False


def cited_support(claim: str, cited: list[int], passages: list[Passage]) -> list[int]:
    """The cited passages, if together they support ``claim``, less any that adds nearly nothing to it
    (a spurious extra number); empty when the citations do not bear the claim out."""
    if not cited:
        return []
    chosen = [passages[i - 1] for i in cited]
    together = support(claim, "\n".join(p.text for p in chosen), "\n".join(p.heading_path for p in chosen))
    if together < SUPPORT_THRESHOLD:
        return []
    return [
        i
        for i, p in zip(cited, chosen, strict=True)
        if support(claim, p.text, p.heading_path) >= PART_SUPPORT
    ] or cited


def _keep_markers(unit: str, keep: list[int]) -> str:
    """``unit`` with every ``[n]`` marker not in ``keep`` removed."""
    return re.sub(r"\[(\d{1,3})\]", lambda m: m.group() if int(m.group(1)) in keep else "", unit)


def resolve(n: int, claims: list[str], passage: Passage, bodies: dict[str, str]) -> Citation:
    """Citation ``n`` as the exact span of its document that best supports ``claims``."""
    body = bodies[passage.doc_id]
    quote, start, end = best_quote(claims, passage, body)
    if body[start:end] != quote:  # pragma: no cover - guards the invariant the UI relies on
        msg = f"citation [{n}] does not match its document"
        raise AssertionError(msg)
    return Citation.of(n, passage, quote, start)


def about_uncovered(unit: str, uncovered: tuple[str, ...], cited: list[Passage]) -> bool:
    """Does a sentence speak of something the articles do not cover (the question's focus the
    answerability check found missing), with no cited passage that mentions it?"""
    flat = "".join(unit.lower().split())
    for term in uncovered:
        t = "".join(term.lower().split())
        if t and t in flat and not any(t in "".join(p.text.lower().split()) for p in cited):
            return True
    return False


def verify(
    text: str, passages: list[Passage], bodies: dict[str, str], uncovered: tuple[str, ...] = ()
) -> tuple[str, list[Citation], list[str]]:
    """Check an answer's citations against the retrieved passages.

    ``uncovered`` names what the articles do not cover: a sentence about it is flagged as
    unsupported whatever it cites. Returns the cleaned text, the resolved citations (in order of
    first use) and the sentences left without support.
    """
    out_units: list[str] = []
    claims_for: dict[int, list[str]] = {}
    unsupported: list[str] = []
    for unit, checkable in answer_units(_normalize_markers(text)):
        unit, valid, flagged = check_unit(unit, checkable, passages)
        if checkable and uncovered and about_uncovered(unit, uncovered, [passages[i - 1] for i in valid]):
            unit, valid, flagged = _attach(re.sub(r"\[\d{1,3}\]", "", unit), UNSUPPORTED_MARK), [], True
        claim = re.sub(r"\[\d{1,3}\]", "", unit).replace(UNSUPPORTED_MARK, "").strip()
        if flagged:
            unsupported.append(claim)
        for i in valid:
            claims_for.setdefault(i, []).append(claim)
        out_units.append(unit)
    citations = [resolve(n, claims, passages[n - 1], bodies) for n, claims in claims_for.items()]
    return "".join(out_units), citations, unsupported


def _attach(unit: str, marker: str) -> str:
    """Put a marker before the sentence's closing punctuation (or line break)."""
    m = re.search(r"([。！？!?]*[”’\"」』）)]*)(\s*)$", unit)
    cut = m.start() if m else len(unit)
    return unit[:cut].rstrip() + marker + unit[cut:]
