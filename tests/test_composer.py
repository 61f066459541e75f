"""The offline composer as a new user meets it: the conversations of the composer issue, answered from
the structure of the articles, within the length budget, every sentence a cited verbatim span."""

from __future__ import annotations

import re

import pytest

from advisor.answering.compose import AnswerPlan, Closeness, Piece, Relevance, select
from advisor.grounding.format import answer_body, is_label_line, strip_markers
from advisor.text.structure import Span, clip, outline

Turns = list[tuple[str, str]]


def converse(adv, *questions: str):
    """Ask in order, each with the chat so far; return every answer."""
    history: list[dict] = []
    answers = []
    for q in questions:
        a = adv.ask(q, history=list(history))
        answers.append(a)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a.text}]
    return answers


def body_chars(answer) -> int:
    body = re.sub(r"\*\*|^\s*-\s*", "", answer_body(answer.text), flags=re.MULTILINE)
    return len("".join(body.split()))


def assert_every_sentence_is_a_cited_span(adv, answer):
    """Each non-label line is made of verbatim spans of the cited passages (a clipped quote ends
    with "…"; a "名称：" label is itself a verbatim name)."""
    passages = answer.passages
    for line in answer.text.splitlines():
        if not line.strip() or is_label_line(line):
            continue
        units = re.findall(r"(.+?)\[(\d+)\]", line.lstrip("- "))
        assert units, f"uncited line: {line}"
        for text, n in units:
            p = passages[int(n) - 1]
            for part in re.split(r"[：（）]", strip_markers(text).rstrip("…")):
                if part.strip():
                    assert part.strip() in p.text or part.strip() in p.section, (part, p.section)


def test_laozhou_story_in_document_order(adv):
    (a,) = converse(adv, "老周被裁以后是怎么翻身的？")
    assert a.intent == "story" and a.state["person"] == "老周"
    text = strip_markers(a.text)
    for fact in ("码农阿宅", "百万", "shader", "国漫", "AI动作捕捉插件"):
        assert fact in text, fact
    assert text.index("码农阿宅") < text.index("百万") < text.index("国漫")  # the story's own order
    assert_every_sentence_is_a_cited_span(adv, a)
    assert body_chars(a) <= adv.settings.answer_chars + 10


def test_operations_paths_then_the_second_path_in_detail(adv):
    paths, second = converse(
        adv, "我是做运营的，35岁了，感觉活都被AI干了，该往哪转？", "那第二条路具体怎么做？"
    )
    assert paths.intent == "paths" and paths.state["role"] == "运营"
    heads = [ln for ln in paths.text.splitlines() if ln.startswith("**")]
    assert [h for h in heads if "纵向深耕" in h or "横向跨界" in h or "斜向突破" in h] == heads[:3]
    assert all("运营" in h for h in heads[:3])
    assert "关键是" in paths.text  # each path with its key sentence
    assert second.intent == "path" and second.state["path"] == "横向跨界"
    assert "私域增长顾问" in second.text and "提炼可迁移方法论" in second.text
    assert "产品→" not in second.text and "市场→" not in second.text  # the stated role was kept
    for a in (paths, second):
        assert_every_sentence_is_a_cited_span(adv, a)
        assert body_chars(a) <= adv.settings.answer_chars + 10


def test_a_worried_java_developer_gets_the_three_tech_paths_and_the_reserve_rule(adv):
    (a,) = converse(adv, "我今年37，在一家中厂做了8年Java，最近项目砍了，心里很慌，有什么出路？")
    assert a.intent == "paths" and a.state["role"] == "技术"
    for path in ("纵向深耕", "横向跨界", "斜向突破"):
        assert path in a.text
    assert "6-12 个月生活费" in a.text  # the situation (项目砍了, 慌) picks the resource-reserve rule
    assert "市场中层" not in a.text and "运营中层" not in a.text


def test_user_operations_to_product_manager_says_what_is_missing_and_what_to_add(adv):
    (a,) = converse(adv, "做了6年用户运营，想转产品经理，可行吗？需要补什么？")
    assert a.intent == "transition"
    assert "文章没有专门写「运营→产品经理」这条路" in a.text  # honest about the move itself
    assert "工具支持" in a.text  # how the two differ (vs 运营经理)
    assert "技术理解" in a.text or "技术常识" in a.text  # what to add
    assert_every_sentence_is_a_cited_span(adv, a)


def test_he_then_continues_the_story_instead_of_repeating_it(adv):
    first, later = converse(adv, "老张后来怎么样了？", "他后来呢？")
    assert later.state["person"] == "老张"
    assert "数字转型顾问" in later.text or "二十块" in later.text
    assert "带着妻儿回了湖北襄阳" not in later.text  # the beginning was already told
    assert len(later.text) < len(first.text)


def test_he_stays_with_the_person_when_an_everyday_word_occurs_in_another_story(adv):
    # "东西" occurs in the articles only in 王姐's story ("总丢东西"): still no description of her.
    first, then = converse(adv, "B站那个码农阿宅现在都在做啥？", "他做过最厉害的东西是什么？")
    assert first.state["person"] == then.state["person"] == "老周"
    assert "AI动作捕捉插件" in then.text and "王姐" not in then.text and "社区团购" not in then.text


def test_the_role_the_asker_says_they_do_is_not_the_role_explained(adv):
    answer = adv.ask("我在做用户运营，听说产品运营离产品经理最近，能拿它当跳板吗？")
    assert answer.intent == "explain" and "产品运营" in answer.text and "功能使用率" in answer.text
    assert "用户生命周期" not in answer.text  # 用户运营 is what the asker does, not what they ask about


def test_a_follow_up_on_what_she_tried_gets_the_whole_list_of_attempts(adv):
    _, tried = converse(adv, "王姐是怎么翻身的？", "她之前试过哪些路？")
    assert tried.state["person"] == "王姐"
    assert all(x in tried.text for x in ("当COO", "知识付费", "微商大会"))


def test_the_askers_own_news_does_not_crowd_out_the_three_paths(adv):
    # "项目" and "10年" are the asker's situation; the answer is still the role's three paths.
    a = adv.ask("我是做运营的，38岁，在大厂做了10年，最近项目被砍，该怎么办？")
    assert a.intent == "paths"
    for path in ("纵向深耕", "横向跨界", "斜向突破"):
        assert path in a.text
    assert a.text.count("关键是") == 3


def test_a_story_never_shows_a_later_clause_without_the_one_opening_its_sentence(adv):
    a = adv.ask("王姐被裁后做了什么？")
    if "尝试知识付费" in a.text or "微商大会" in a.text:
        assert "试过所有体面的退路" in a.text


def test_a_new_topic_drops_the_old_person(adv):
    story, paths = converse(adv, "王姐后来做社区团购做成了吗？", "那做产品的有哪几条路？")
    assert story.state["person"] == "王姐"
    assert paths.intent == "paths" and paths.state["person"] is None and paths.state["role"] == "产品"
    assert "王姐" not in paths.text


@pytest.mark.parametrize(
    "question",
    [
        "我是做运营的，35岁了该怎么转型",
        "产品经理和项目经理有什么区别？",
        "用户运营和内容运营有什么不同",
        "转型失败了怎么止损？",
        "有没有评估转型方向的表格模板",
        "六种运营岗各自看什么指标",
        "互联网中层为什么转型特别难",
    ],
)
def test_no_heading_repeats_and_the_budget_holds(adv, question):
    a = adv.ask(question)
    heads = [ln for ln in a.text.splitlines() if ln.startswith("**")]
    assert len(heads) == len(set(heads)), a.text
    assert body_chars(a) <= adv.settings.answer_chars + 10
    assert a.citations and all(a.passages[c.n - 1].chunk_id == c.chunk_id for c in a.citations)


def test_comparison_of_two_operations_roles_is_a_table(adv):
    a = adv.ask("用户运营和内容运营有什么不同")
    assert a.intent == "compare"
    rows = [ln for ln in a.text.splitlines() if ln.startswith("|")]
    assert rows[0].count("用户运营") == 1 and rows[0].count("内容运营") == 1
    assert any(r.startswith("| 关键指标") and "ARPU" in r and "完播率" in r for r in rows)


def test_a_comparison_leads_with_its_table_and_stays_with_the_roles_own_paths(adv):
    a = adv.ask("内容运营和活动运营哪个更适合转私域？")
    assert a.text.splitlines()[0].startswith("|")  # point against point first
    assert "私域增长顾问" in a.text  # the path the question is about, from the 运营 part of the guide
    assert "产品→" not in a.text and "市场→" not in a.text and "技术→" not in a.text


def test_budget_is_a_setting(corpus_index, embedder):
    from advisor import Advisor

    short = Advisor.load(corpus_index.model_copy(update={"answer_chars": 200}), embedder=embedder)
    a = short.ask("老周被裁以后是怎么翻身的？")
    assert body_chars(a) <= 210 and "码农阿宅" in a.text


def test_clip_cuts_at_a_clause_boundary_and_keeps_offsets():
    body = "第一句很长,有很多个分句,每一个都在说明一件事情,直到最后才结束。"
    (section,) = [s for s in outline("d", body) if s.blocks]
    span = section.blocks[0].span
    cut = clip(span, body, 20)
    assert body[cut.start : cut.end] == "第一句很长,有很多个分句"
    assert clip(span, body, 200) == span


def test_clip_never_cuts_a_number_at_its_thousands_comma():
    """ "每家每月 2,500–4,000 元" was shown as "2,500–4…": the limit fell right after the comma, and a
    comma with nothing after it looked like a clause's end."""
    body = "第一年签下 14 家店，每家每月 2,500–4,000 元，到第 12 个月月流水约 4.5 万。"
    (section,) = [s for s in outline("d", body) if s.blocks]
    span = section.blocks[0].span
    limit = body.index("4,000") + 1 - span.start  # the limit ends right after "4,"
    cut = body[span.start : clip(span, body, limit).end]
    assert cut == "第一年签下 14 家店", cut


def test_a_pronoun_in_the_question_makes_no_line_relevant(adv):
    """ "他们一个月能挣多少": a line opening "他们用 AI…" says nothing of what they earn."""
    rel = Relevance("他们一个月能挣多少", adv.snapshot.knowledge, adv.snapshot.idf, set())
    assert rel("他们用 AI 质检工具做全量初筛") == 0.0
    assert rel("老薛个人月入约 2.2 万") > 0.0


def test_ai_is_a_word_that_names_something():
    """jieba tags "AI" ``eng``, which was read as an interjection (``e``): "AI" named nothing, so a person
    described as "转AI的" was described by nothing."""
    from advisor.text.tokens import names_nothing, only_points

    assert not names_nothing("ai") and not only_points("ai")
    assert names_nothing("天天") and only_points("他们")


def test_a_sentence_reached_through_two_sections_is_shown_once(adv):
    a = adv.ask("我是技术leader，想试试转AI架构师，但怕折腾半天白干，先咋试水？")
    lines = [strip_markers(ln).lstrip("- ").strip() for ln in answer_body(a.text).splitlines()]
    quoted = [ln for ln in lines if ln and not is_label_line(ln)]
    assert len(quoted) == len(set(quoted)), a.text
    assert not any(ln.startswith("- ") for ln in lines), a.text  # no nested "- - " bullets


def test_a_compared_pair_leaves_out_the_role_the_asker_states(adv):
    a = adv.ask("研发想转岗，项目经理和产品经理哪个更对口？")
    assert a.intent == "compare" and "**vs 项目经理**" in a.text
    assert "**vs 研发工程师**" not in a.text


def test_a_follow_up_on_an_explained_role_stays_with_that_role(adv):
    _, cases = converse(adv, "流量运营是做什么的？", "那它有啥成功案例没？")
    heads = [ln for ln in cases.text.splitlines() if ln.startswith("**")]
    assert heads and all("流量运营" in h for h in heads), cases.text
    assert "完美日记" in cases.text


def test_what_is_asked_past_a_long_sentence_cut_is_shown(adv):
    """The clause naming the course comes late in its step: the cut keeps it, marked with "…" (the step
    opens with "补充 “AI 基础 + 行业场景” 知识:"). The PM article's own FAQ answer is short enough to be
    shown whole."""
    a = adv.ask("技术转AI解决方案架构师，有推荐的课程不？")
    assert "…通过极客时间《大模型应用开发实战》" in a.text, a.text
    assert "Coursera" in adv.ask("零技术背景想学产品，有推荐的网课不？").text


def test_meaning_breaks_ties_the_question_words_leave(adv):
    """A worried asker's own words ("怕被机器人抢了饭碗") share none with the sentence that answers
    ("避免被工具替代"): between pieces the words cannot tell apart, the one in the passage the dense
    search found closer is said first; the search hands over every candidate's similarity, not only
    the top k's."""
    hits = adv.search("做运营的，最怕哪天被机器人抢了饭碗", k=3)
    assert len(hits.similar) > len(hits)
    chunks = adv.snapshot.chunks
    long = [i for i, c in enumerate(chunks) if c.doc_id == "transition-guide" and c.end - c.start > 80]
    a, b = long[0], long[10]  # far apart: no chunk holds the start of both

    def piece(i: int) -> Piece:
        c = chunks[i]
        return Piece(Span(c.doc_id, c.start, c.start + 60), "", 0.5, 0, order=i)

    rel = Relevance("嗯嗯", adv.snapshot.knowledge, adv.snapshot.idf, set())
    bodies = adv.snapshot.bodies
    for near, first in (({a: 0.9, b: 0.5, long[5]: 0.1}, a), ({a: 0.5, b: 0.9, long[5]: 0.1}, b)):
        chosen = select(AnswerPlan("general", [piece(a), piece(b)]), bodies, rel, 70, Closeness(near, chunks))
        assert [p.order for p, _ in chosen] == [first]
