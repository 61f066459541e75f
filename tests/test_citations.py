"""The citation check on hand-made passages: wrong numbers are repaired, unsupported sentences lose their
markers and are flagged, and every citation that survives quotes its document verbatim."""

from __future__ import annotations

import re

import pytest

from advisor.grounding.citations import split_units, verify
from advisor.grounding.format import UNSUPPORTED_MARK
from advisor.index.search import Passage

BODY = (
    "老张在鹅厂做了十二年客户端开发，被裁后回到湖北襄阳老家。"
    "他带着学徒把县城六十多家小卖部的收银系统换成了自己开发的SaaS平台。"
    "王姐离职后在望京建了一个宝妈社群，做起了社区团购，3个月做出月均50万的GMV。"
    "转型前至少准备六个月的生活费，避免收入中断时仓促做决定。"
)


def passage(n: int, snippet: str) -> Passage:
    start = BODY.index(snippet)
    end = start + len(snippet)
    return Passage(f"c{n}", "doc", "故事", f"第{n}节", BODY[start:end], start, end, 1.0 / n)


ZHANG = passage(
    1,
    "老张在鹅厂做了十二年客户端开发，被裁后回到湖北襄阳老家。他带着学徒把县城六十多家小卖部的收银系统换成了自己开发的SaaS平台。",
)
WANG = passage(2, "王姐离职后在望京建了一个宝妈社群，做起了社区团购，3个月做出月均50万的GMV。")
MONEY = passage(3, "转型前至少准备六个月的生活费，避免收入中断时仓促做决定。")
PASSAGES = [ZHANG, WANG, MONEY]


def check(text: str):
    clean, citations, unsupported = verify(text, PASSAGES, {"doc": BODY})
    for c in citations:
        assert BODY[c.start : c.end] == c.quote, "every quote is the exact document span it names"
        assert PASSAGES[c.n - 1].start <= c.start and c.end <= PASSAGES[c.n - 1].end
    return clean, {c.n for c in citations}, unsupported


@pytest.mark.parametrize(
    "written",
    ["王姐在望京建了宝妈社群，做起了社区团购[2]。", "王姐在望京建了宝妈社群，做起了社区团购[1]。"],
    ids=["kept-as-written", "wrong-number-repaired"],
)
def test_supported_citation_is_kept_and_a_wrong_number_repaired_to_the_passage_that_says_it(written):
    clean, cited, unsupported = check(written)
    assert clean == "王姐在望京建了宝妈社群，做起了社区团购[2]。"
    assert cited == {2} and not unsupported


def test_sentence_end_written_twice_around_a_marker_is_written_once():
    clean, cited, _ = check("王姐在望京建了宝妈社群，做起了社区团购。[2]。")
    assert clean == "王姐在望京建了宝妈社群，做起了社区团购[2]。" and cited == {2}


def test_claim_no_passage_supports_loses_its_marker_and_is_flagged():
    clean, cited, unsupported = check("老张后来在月球上开了一家连锁火锅店[1]。")
    assert "[1]" not in clean and clean.endswith(UNSUPPORTED_MARK + "。")
    assert cited == set()
    assert unsupported == ["老张后来在月球上开了一家连锁火锅店。"]


def test_numbers_must_match_the_source():
    clean, cited, unsupported = check("王姐在望京做社区团购，3个月做出月均80万的GMV[2]。")
    assert UNSUPPORTED_MARK in clean and cited == set() and unsupported


def test_a_number_said_by_the_passages_heading_is_supported():
    staged = Passage("c4", "doc", "故事", "王姐 > 第1阶段(0-3个月)", WANG.text, WANG.start, WANG.end, 1.0)
    verified = verify(
        "第1阶段(0-3个月)：王姐在望京建了宝妈社群，做起了社区团购[1]。", [staged], {"doc": BODY}
    )
    assert verified[1] and not verified[2]  # "0-3" is in the heading the passage sits under
    unheaded = verify("第1阶段(0-3个月)：王姐在望京建了宝妈社群，做起了社区团购[1]。", [WANG], {"doc": BODY})
    assert not unheaded[1] and unheaded[2]


def test_citation_the_claim_does_not_need_is_removed():
    clean, cited, _ = check("转型前至少准备六个月的生活费，避免仓促做决定[3][1]。")
    assert clean == "转型前至少准备六个月的生活费，避免仓促做决定[3]。"
    assert cited == {3}


def test_claim_supported_only_by_two_passages_together_keeps_both():
    text = "老张回到湖北襄阳老家，王姐在望京做起了社区团购[1][2]。"
    clean, cited, unsupported = check(text)
    assert clean == text and cited == {1, 2} and not unsupported


def test_markers_inside_a_sentence_check_each_clause_on_its_own():
    clean, cited, unsupported = check("老张被裁后回到湖北襄阳老家[2]，王姐在望京做起了社区团购[1]。")
    assert clean == "老张被裁后回到湖北襄阳老家[1]，王姐在望京做起了社区团购[2]。"
    assert cited == {1, 2} and not unsupported


def test_lead_in_fragment_drops_an_unfounded_marker_without_a_flag():
    clean, cited, unsupported = check("35岁想转型有这些路径：[2] 转型前至少准备六个月的生活费[3]。")
    assert clean.startswith("35岁想转型有这些路径： ") and "路径：[2]" not in clean
    assert cited == {3} and not unsupported


def test_out_of_range_and_uncited_claims():
    clean, cited, unsupported = check("老张带着学徒换掉了县城小卖部的收银系统[9]。转型前准备六个月的生活费。")
    assert "[9]" not in clean and "收银系统[1]。" in clean and "生活费[3]。" in clean
    assert cited == {1, 3} and not unsupported


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("甲乙丙[1]，丁戊己[2]。", ["甲乙丙[1]", "，丁戊己[2]。"]),
        ("甲乙丙。[1][2]丁戊己。", ["甲乙丙。[1][2]", "丁戊己。"]),
        ("甲乙丙[1]。\n- 丁[2]\n", ["甲乙丙[1]。", "\n", "- 丁[2]\n"]),
        # a quote is one claim, however it opens (the stories open quotes with ” too)
        (
            "他说：”时薪多少吗？二十块！但还踏实。”[2]丁。",
            ["他说：”时薪多少吗？二十块！但还踏实。”[2]", "丁。"],
        ),
        ("他说：“多少吗？二十块！”[1]", ["他说：“多少吗？二十块！”[1]"]),
        ("一个”引号。没有合上。\n", ["一个”引号。", "没有合上。", "\n"]),  # never closed: sentences
    ],
)
def test_units_end_at_sentence_ends_and_at_markers_mid_sentence(text, units):
    assert split_units(text) == units


def test_the_small_models_worked_examples_pass_the_check_they_teach():
    """The compact prompt's examples are what the model imitates: every sentence in them must keep its
    citations under the check, or the model is taught to write answers that get flagged."""
    from advisor.llm.prompts import COMPACT_EXAMPLES

    for asked, answered in COMPACT_EXAMPLES:
        sources = [line.split("] ", 1)[1] for line in asked.splitlines() if line.startswith("[")]
        body = "".join(sources)
        passages, pos = [], 0
        for n, text in enumerate(sources, 1):
            passages.append(Passage(f"e{n}", "ex", "例", "", text, pos, pos + len(text), 1.0))
            pos += len(text)
        clean, citations, unsupported = verify(answered, passages, {"ex": body})
        assert clean == answered and not unsupported
        assert {c.n for c in citations} == {int(n) for n in re.findall(r"\[(\d)\]", answered)}
