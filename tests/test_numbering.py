"""A sentence the chunker cut in two (a long paragraph is cut at a "；") is still quoted and cited: the
part inside one passage, every quote checkable against the passage its number names."""

from __future__ import annotations

from advisor.grounding.citations import verify
from advisor.grounding.numbering import Numbering
from advisor.grounding.quotes import Quote, render
from advisor.index.chunking import Chunk
from advisor.text.structure import Span

BODY = "- 优势:售前看重经验,收入通常高 20%-40%;而且售前岗位对年龄相对宽容。\n"
CUT = BODY.index("而且")


def _chunks() -> list[Chunk]:
    return [
        Chunk("c0", "d", "标题", ("路径",), BODY[:CUT], 0, CUT, ("通用",)),
        Chunk("c1", "d", "标题", ("路径",), BODY[CUT:], CUT, len(BODY), ("通用",)),
    ]


def test_a_sentence_across_two_passages_is_quoted_from_the_one_it_starts_in():
    """It raised "no chunk holds Span(…)" and the answer was lost (a new article's 优势 line)."""
    bodies = {"d": BODY}
    sentence = Quote(Span("d", BODY.index("售前"), BODY.index("宽容。") + 3))
    text, passages = render([["- ", sentence]], bodies, _chunks())
    assert text.startswith("- 售前看重经验") and text.endswith("[1]"), text
    assert "宽容" not in text and passages[0].chunk_id == "c0"
    clean, citations, unsupported = verify(text, passages, bodies)
    assert citations and not unsupported, (clean, unsupported)


def test_a_line_across_two_passages_is_quoted_whole_each_part_with_its_own_number():
    """The offline composer quotes a path's case whole: it was cut at the first chunk's end, and what the
    person achieved (in the second chunk) was never shown."""
    bodies = {"d": BODY}
    line = Span("d", BODY.index("售前"), BODY.index("宽容。") + 3)
    numbering = Numbering(_chunks())
    parts = numbering.parts(line)
    assert [(p.start, p.end) for p in parts] == [(line.start, CUT), (CUT, line.end)]
    text = "".join(f"{p.text(bodies)}[{numbering.number(p, parts)}]" for p in parts)
    clean, citations, unsupported = verify(text, numbering.passages(), bodies)
    assert "宽容" in clean and len(citations) == 2 and not unsupported, (clean, unsupported)
