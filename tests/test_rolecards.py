"""岗位速览 cards, and the app's handlers for the plan and card tabs (called directly, no server)."""

from __future__ import annotations

import gradio as gr
import pytest
from conftest import run_cli

from advisor.cards import card_for
from advisor.errors import InputError
from advisor.web import chat as chat_events
from advisor.web import plan_handlers

OPS = ["用户运营", "内容运营", "活动运营", "产品运营", "流量运营", "数据运营"]
PARTS = ["是做什么的", "典型工作与例子", "看什么指标", "职业阶段", "和相邻岗位的区别"]
SAMPLE = ("运营", 10, "经理", "跨界", 3, 8, "刚被裁")


def assert_cited(adv, card) -> None:
    assert card.citations and not card.unsupported
    for c in card.citations:
        assert adv.snapshot.bodies[c.doc_id][c.start : c.end] == c.quote and f"[{c.n}]" in card.text


def test_cards_for_the_explainer_the_six_operations_roles_and_the_four_mid_level_roles(adv):
    names = adv.card_names()
    assert names[:2] == ["产品经理", "运营"] and all(n in names for n in OPS)
    assert names[-4:] == ["技术中层", "产品中层", "运营中层", "市场中层"]
    assert "项目经理" not in names  # only a comparison in the articles: a neighbour, not a card
    for name in names:
        card = adv.card(name)
        assert_cited(adv, card)
        for part in PARTS:
            assert f"**{part}**" in card.text, (name, part)


def test_operations_role_card_sets_its_neighbours_side_by_side(adv):
    card = adv.card("用户运营")
    text = card.text
    assert "目标:让用户从“初次使用”到“持续付费”" in text and "关键指标:转化率、复购率" in text
    assert "案例:蔚来汽车" in text
    assert "文章没有讲到「用户运营的职业阶段」" in text  # the article gives no stages for it
    table = [ln for ln in text.splitlines() if ln.startswith("| ")]
    assert table[0] == "| 岗位 | 目标 | 关键指标 |" and len(table) == 1 + len(OPS)
    assert table[1].startswith("| **用户运营** |") and all(any(n in row for row in table) for n in OPS)
    assert "活动运营的玩法要结合用户运营的分层策略" in text  # where they work together


def test_product_manager_card_has_stages_and_differences(adv):
    text = adv.card("产品经理").text
    for stage in ("初级PM(0-2年)", "高级PM(3-5年)", "产品总监/VP(5年以上)"):
        assert f"- {stage}：" in text
    for versus in ("vs 项目经理", "vs 运营经理", "vs 研发工程师"):
        assert versus in text
    assert "前者创造价值载体,后者让价值被看见、被使用" in text
    assert "需求洞察与分析：" in text


def test_mid_level_role_cards_use_the_guide_and_say_what_is_missing(adv):
    ops = adv.card("运营中层").text
    assert "纵向深耕:运营经理→运营总监 / 增长负责人：" in ops and "社群运营中层:" in ops
    assert "vs 运营经理" in ops
    market = adv.card("市场中层").text
    assert "文章没有讲到「市场中层和相邻岗位的区别」" in market and "信息流市场中层" in market


def test_unknown_card_is_a_chinese_message(adv):
    with pytest.raises(InputError, match="没有「厨师」的岗位速览。可以选：产品经理"):
        adv.card("厨师")


def test_chat_topics_lead_to_their_cards(adv):
    kmap = adv.derived.kmap
    assert card_for(kmap, "用户运营") == "用户运营" and card_for(kmap, "运营") == "运营"
    assert card_for(kmap, "市场") == "市场中层" and card_for(kmap, "项目经理") is None
    answer = adv.ask("用户运营是做什么的")
    assert plan_handlers.card_of(adv, answer) == "用户运营"
    assert plan_handlers.card_of(adv, adv.ask("我是做市场的，35岁了该怎么转型")) == "市场中层"
    assert plan_handlers.card_of(adv, adv.ask("老张后来怎么样了？")) is None


def test_cli_card(corpus_index):
    shown = run_cli("card", "数据运营", data_dir=corpus_index.data_dir)
    assert shown.returncode == 0 and "# 岗位速览：数据运营" in shown.stdout and "来源：" in shown.stdout
    listed = run_cli("card", "--list", data_dir=corpus_index.data_dir)
    assert "用户运营" in listed.stdout.split() and "市场中层" in listed.stdout.split()
    bad = run_cli("card", "厨师", data_dir=corpus_index.data_dir)
    assert bad.returncode == 2 and "错误：没有「厨师」的岗位速览" in bad.stderr


# -- the app's handlers ------------------------------------------------------------------------
def test_make_plan_handler_outputs_and_keeps_everything_on_bad_input(adv):
    error, text, timeline, sources, download, state, hand = plan_handlers.make_plan(adv, *SAMPLE)
    assert error == "" and "## 1. 路径评估" in text and 'id="plan-timeline-img"' in timeline
    assert "<svg" in timeline and "src-card" in sources  # the chart inline, at its own size
    assert download["visible"] and 'download="转型规划-运营经理-跨界-' in download["value"]  # made in memory
    assert state == {"role": "运营", "years": 10, "level": "经理", "goal": "跨界", "savings_months": 3,
                     "hours": 8, "note": "刚被裁"}  # fmt: skip
    assert hand["interactive"]
    bad = plan_handlers.make_plan(adv, "运营", None, "经理", "跨界", 3, 8, "")
    assert bad[0].startswith("⚠️") and "工作年限请填" in bad[0]
    assert all(isinstance(x, type(gr.skip())) for x in bad[1:])  # the plan shown before stays


def test_plan_goes_into_the_conversation(adv):
    *_, state, _ = plan_handlers.make_plan(adv, *SAMPLE)
    history, plan, tabs, role = plan_handlers.hand_to_chat(state, [])
    assert plan == state and role == "运营" and history[-1]["role"] == "assistant"
    assert "已把你的转型计划（运营经理 · 目标「跨界」）带进对话" in history[-1]["content"]
    assert isinstance(tabs, gr.Tabs)
    *_, (turn, sources, meta, _) = chat_events.chat(
        adv, "关于这个计划的第二步，我这周先做什么？", history, "全部", {}, plan
    )
    assert "第一个 MVP 项目" in turn[-1]["content"] and "私域引流方案" in turn[-1]["content"]
    assert "src-card" in sources and meta[str(len(turn) - 1)]["backend"] == "extractive"
    nothing = plan_handlers.hand_to_chat(None, history)  # no plan made yet: nothing changes
    assert all(isinstance(x, type(gr.skip())) for x in nothing)


def test_card_hint_and_open_card(adv):
    *_, (turn, _, meta, _) = chat_events.chat(adv, "用户运营是做什么的？", [], "全部", {})
    assert meta[str(len(turn) - 1)]["card"] == "用户运营"
    hint = plan_handlers.card_hint(meta)
    assert hint["visible"] and hint["value"] == "查看岗位速览：用户运营"
    tabs, name, text, sources = plan_handlers.open_card(adv, meta)
    assert isinstance(tabs, gr.Tabs)
    assert name == "用户运营" and "# 岗位速览：用户运营" in text and "src-card" in sources
    assert plan_handlers.card_hint({})["visible"] is False
