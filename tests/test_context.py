"""What a small model is shown: retrieved passages without overlapping text, long ones cut to the part
nearest the question, every one still an exact span of its document."""

from __future__ import annotations

from advisor.index.search import Passage
from advisor.llm.compact import compact_passages, focus, without_overlaps

BODY = (
    "王姐在阿里做了七年区域运营总监。去年双十一前她被通知毕业。"
    "失业后她试过去创业公司当COO，也试过知识付费。"
    "转机出现在春天，她建了一个宝妈社群，做起了社区团购。"
    "三个月后社群做出了月均五十万的GMV。"
)


def span(a: str, b: str, score: float = 1.0) -> Passage:
    start, end = BODY.index(a), BODY.index(b) + len(b)
    return Passage(f"c{start}", "doc", "故事", "王姐", BODY[start:end], start, end, score)


def exact(p: Passage) -> bool:
    return BODY[p.start : p.end] == p.text


def test_overlapping_passages_show_each_text_once():
    first = span("王姐在阿里", "也试过知识付费。")
    second = span("失业后她", "做起了社区团购。", 0.8)  # overlaps the first
    inside = span("去年双十一", "被通知毕业。", 0.5)  # wholly inside the first
    out = without_overlaps([first, second, inside])
    assert [p.start for p in out] == [first.start, first.end]
    assert out[1].text == "转机出现在春天，她建了一个宝妈社群，做起了社区团购。"
    assert all(exact(p) for p in out)


def test_other_documents_are_never_merged_or_cut():
    a = span("王姐在阿里", "也试过知识付费。")
    b = Passage("x", "other", "别的", "", a.text, a.start, a.end, 0.5)
    assert without_overlaps([a, b]) == [a, b]


def test_long_passage_is_cut_to_the_sentences_nearest_the_question():
    whole = span("王姐在阿里", "月均五十万的GMV。")
    cut = focus(whole, "王姐后来做社区团购，GMV多少？", limit=50)
    assert exact(cut) and len(cut.text) <= 50
    assert "社区团购" in cut.text and "GMV" in cut.text and "阿里" not in cut.text
    assert focus(whole, "随便", limit=len(whole.text)) == whole  # short enough: unchanged


def test_compact_passages_keep_rank_order():
    a = span("转机出现在春天", "月均五十万的GMV。")
    b = span("王姐在阿里", "被通知毕业。", 0.3)
    assert [p.start for p in compact_passages("王姐做了什么", [a, b])] == [a.start, b.start]
