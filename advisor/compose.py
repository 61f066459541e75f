"""The offline composer: an answer made only of source sentences, each followed by its passage number."""

from __future__ import annotations

from collections.abc import Callable

from .chunking import split_sentences
from .citations import bigrams
from .lexical import tokenize
from .markup import EXTRACTIVE_HEADER
from .retrieval import Passage

MAX_SENTENCES = 8
PER_PASSAGE = 2  # sentences per passage: breadth across passages (and so across a story or paths)
RANK_PRIOR = 0.6  # weight of the passage's rank next to lexical and character overlap
FLOOR = 0.2  # sentences scoring below this share of the best one are dropped
NEAR_DUPLICATE = 0.7  # bigram overlap above which a sentence repeats one already chosen


def _candidates(query: str, passages: list[Passage], bodies: dict[str, str], idf) -> list[tuple]:
    """(score, passage number, start, sentence) for every usable sentence of the passages."""
    q_tokens = set(tokenize(query))
    q_weight = sum(idf(t) for t in q_tokens) or 1.0
    q_grams = bigrams(query)
    out = []
    for n, p in enumerate(passages, 1):
        body = bodies[p.doc_id]
        for s, e in split_sentences(body, p.start, p.end):
            sent = body[s:e].strip()
            bare = sent.lstrip("-•· ").strip()
            if len(bare) < 10 or bare.endswith((":", "：")) or bare.startswith("|--"):
                continue
            lex = sum(idf(t) for t in q_tokens & set(tokenize(sent))) / q_weight
            char = len(q_grams & bigrams(sent)) / (1 + len(q_grams))
            out.append((lex + char + RANK_PRIOR / (n + 1), n, s, sent))
    out.sort(key=lambda c: (-c[0], c[1], c[2]))
    return out


def _stay_on_person(query: str, candidates: list[tuple], passages: list[Passage], persons) -> list[tuple]:
    """A question about 王姐 should not drift into 老周's story."""
    asked = [n for n in persons if n in query]
    if not asked:
        return candidates
    others = [n for n in persons if n not in asked]

    def names(c, who) -> bool:
        return any(n in c[3] or n in passages[c[1] - 1].section for n in who)

    return [c for c in candidates if names(c, asked) or not names(c, others)]


def _pick(candidates: list[tuple], max_sentences: int) -> list[tuple]:
    if candidates:
        floor = FLOOR * candidates[0][0]
        candidates = [c for c in candidates if c[0] >= floor]
    chosen: list[tuple] = []
    per_passage: dict[int, int] = {}
    for cand in candidates:
        if per_passage.get(cand[1], 0) >= PER_PASSAGE:
            continue
        grams = bigrams(cand[3])
        if any(cand[3] == c[3] or len(grams & bigrams(c[3])) > NEAR_DUPLICATE * len(grams) for c in chosen):
            continue
        chosen.append(cand)
        per_passage[cand[1]] = per_passage.get(cand[1], 0) + 1
        if len(chosen) >= max_sentences:
            break
    return chosen


def extractive_answer(
    query: str,
    passages: list[Passage],
    bodies: dict[str, str],
    idf: Callable[[str], float] = lambda t: 1.0,
    persons: tuple[str, ...] = (),
    max_sentences: int = MAX_SENTENCES,
) -> str:
    """Compose a short answer only from source sentences, each followed by its passage number."""
    candidates = _stay_on_person(query, _candidates(query, passages, bodies, idf), passages, persons)
    chosen = _pick(candidates, max_sentences) or [(0.0, 1, passages[0].start, passages[0].text.strip())]
    chosen.sort(key=lambda c: (c[1], c[2]))  # keep the story order: by passage rank, then position
    lines = [EXTRACTIVE_HEADER, ""]
    last_section = None
    for _, n, _, sent in chosen:
        section = passages[n - 1].section.split(" › ")[-1] or passages[n - 1].title
        if section != last_section:
            if last_section is not None:
                lines.append("")  # a label right after a list item must not fold into it
            lines.append(f"**{section}**")
            last_section = section
        lines.append(f"- {sent.lstrip('-•· ').strip()}[{n}]")
    return "\n".join(lines)
