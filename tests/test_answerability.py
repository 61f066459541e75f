"""What the articles don't cover: the focus of a near-domain question, the three outcomes, and the
same decision in front of a chat model."""

from __future__ import annotations

import pytest
import yaml
from conftest import CORPUS, fake_llm

from advisor import Advisor
from advisor.grounding.format import NOT_COVERED

ISSUE_QUESTIONS = [
    "考公务员还来得及吗？",
    "失业了怎么领失业金？",
    "如何跟老板提加薪？",
    "35岁转行当律师靠谱吗？",
    "被裁了N+1赔偿怎么算？",
    "产品经理要考PMP证书吗？",
]


def calibration() -> list:
    data = yaml.safe_load((CORPUS / "scope.yaml").read_text("utf-8"))["focus"]
    misses = set(data.get("known_misses", []))
    return [
        pytest.param(verdict, q, marks=[pytest.mark.xfail(strict=True)] if q in misses else [])
        for verdict, qs in data["examples"].items()
        for q in qs
    ]


@pytest.mark.parametrize(("verdict", "question"), calibration())
def test_calibration_examples(adv, verdict, question):
    """Every labelled example in scope.yaml (kept apart from the golden set) gets what a user should
    see: not covered → the refusal or "文章没有讲到…"; partly → an answer that says what is missing;
    covered → an answer without it."""
    a = adv.ask(question)
    honest = a.refused or NOT_COVERED in a.text
    expected = {
        "not_covered": honest,
        "partial": not a.refused and NOT_COVERED in a.text,
        "covered": not honest,
    }[verdict]
    assert expected, (a.coverage, a.text[:200])


@pytest.mark.parametrize("question", ISSUE_QUESTIONS)
def test_the_issue_questions_get_a_refusal_or_an_honest_line(adv, question):
    a = adv.ask(question)
    assert a.refused or a.text.startswith(NOT_COVERED), a.text
    assert a.coverage["verdict"] in ("partial", "not_covered")
    assert "verdict" in a.coverage and a.coverage["reason"]  # how it was decided, for debugging


def test_not_covered_names_the_question_own_words_and_what_can_be_asked(adv):
    a = adv.ask("产品经理要考PMP证书吗？")
    assert a.refused and a.text.startswith("文章没有讲到「考PMP证书」")
    assert "老张、王姐、老周" in a.text  # what the advisor can help with instead
    assert not a.citations


def test_partly_covered_says_what_is_missing_then_cites_only_the_mention(adv):
    a = adv.ask("被裁了N+1赔偿怎么算？")
    assert not a.refused and a.coverage["verdict"] == "partial"
    first = a.text.splitlines()[0]
    assert first.startswith("文章没有讲到「N+1赔偿」") and "赔偿" in first
    assert len(a.citations) == 1 and "N+3赔偿金" in a.citations[0].quote and "老张" in a.citations[0].section


def test_near_domain_questions_the_articles_answer_are_answered(adv):
    for q in ("转型后薪资能涨多少", "私域顾问怎么收费", "转型要存多少钱", "用户运营看什么指标"):
        a = adv.ask(q)
        assert not a.refused and NOT_COVERED not in a.text, (q, a.text)


def test_what_a_platform_takes_is_said_missing_then_what_the_articles_say_is_answered(adv):
    # The guide names the platforms to join, never their fees: asked what they cost, the answer says so.
    a = adv.ask("想上在行开个服务包，开通要交多少钱？平台抽成多少？")
    assert not a.refused and a.text.startswith("文章没有讲到「费用」"), a.text
    assert any("在行" in c.quote for c in a.citations)
    for q in ("转型要花多少钱", "投多少钱试错合适"):  # what to spend: the guide says (≤ 10% of a month's pay)
        assert NOT_COVERED not in adv.ask(q).text, q


def test_llm_is_told_what_is_missing_and_cannot_cite_its_way_around_it(corpus_index, embedder):
    # The first sentence restates its source closely enough to keep its citation under the support check.
    reply = "老张去年冬天领完N+3赔偿金[1]。N+1赔偿一般按工作年限计算[1]。"
    llm = fake_llm(reply)
    a = Advisor.load(corpus_index, embedder=embedder, chat_model=llm).ask("被裁了N+1赔偿怎么算？")
    prompt = llm.calls[0][-1].content
    assert "资料没有讲到：N+1赔偿" in prompt
    assert a.backend != "extractive"
    assert any("N+1赔偿一般按工作年限计算" in u for u in a.unsupported)
    assert "按工作年限计算〔未找到出处〕" in a.text


def test_not_covered_is_decided_before_any_model_call(corpus_index, embedder):
    llm = fake_llm("不应该被调用")
    a = Advisor.load(corpus_index, embedder=embedder, chat_model=llm).ask("考公务员还来得及吗？")
    assert a.refused and not llm.calls


def test_a_named_topic_beside_a_covered_question_is_said_then_the_rest_answered(adv):
    a = adv.ask("应届生怎么进大厂做产品")
    assert not a.refused and a.text.startswith("文章没有讲到「应届生」"), a.text
    assert a.citations and "应届生" not in "".join(c.quote for c in a.citations)


def test_a_person_is_not_guessed_from_words_the_articles_use_elsewhere(adv):
    """ "孩子上学" is in 老张's story, but a question about school districts is not about him."""
    a = adv.ask("孩子上学的学区房还要不要换")
    assert a.refused or a.text.startswith(NOT_COVERED), a.text
    assert a.state.get("person") is None


def test_a_word_found_only_across_two_words_is_no_mention(adv):
    """ "小试验" asked how to judge: the articles hold "试验" only inside "A/B测试验证" (测试 | 验证), which
    is no mention of it; the question is the guide's 小步试错 and its MVP rule, not 「文章没有讲到「试验」」."""
    answer = adv.ask("想先小打小闹试一下，怎么算一个合格的小试验，有没有啥硬标准")
    assert NOT_COVERED not in answer.text, answer.text
    assert "投入成本不超过月薪 10%" in answer.text, answer.text


def test_a_count_asked_is_not_a_topic_the_articles_lack(adv):
    """ "最后给县城多少家店换上了": jieba keeps 家店 as one word, which the articles never use; it is what is
    counted, not a topic, and 老张's story says how many (a new user's check: it was refused)."""
    first = "有个在鹅厂干了十二年客户端的大哥领完赔偿就回老家了"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": adv.ask(first).text}]
    answer = adv.ask("他后来不是自己搞了个收银系统嘛，最后给县城多少家店换上了？", history=history)
    assert not answer.refused and NOT_COVERED not in answer.text, answer.text
    assert "六十多家" in answer.text, answer.text
