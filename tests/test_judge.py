"""The optional LLM judge: its replies parsed in the forms models write them, and averaged over repeats
(the judge model is LangChain's fake chat model)."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from advisor.answering.answer import Answer
from evals.golden import Case
from evals.judge import judge_answer, parse_judgement


def test_parse_judgement_formats():
    assert parse_judgement('{"faithfulness": 4, "correctness": 5, "reason": "依据充分"}') == {
        "faithfulness": 4.0,
        "correctness": 5.0,
        "reason": "依据充分",
    }
    fenced = '评审结果如下：\n```json\n{"faithfulness": 3, "correctness": 2, "reason": "漏了要点"}\n```'
    assert parse_judgement(fenced)["correctness"] == 2.0
    assert parse_judgement("忠实度：5\n正确性：4\n理由：还行") == {
        "faithfulness": 5.0,
        "correctness": 4.0,
        "reason": "",
    }
    assert parse_judgement("我觉得挺好") is None
    assert parse_judgement('{"faithfulness": 9, "correctness": 5}') is None


def test_judge_averages_repeats_with_fake_chat_model():
    fake = FakeListChatModel(
        responses=[
            '{"faithfulness": 5, "correctness": 4, "reason": "好"}',
            "无法评分",
            '{"faithfulness": 3, "correctness": 2, "reason": "差"}',
        ]
    )
    case = Case("tech-01", "怎么转型？", None, None, "参考答案", [], [["x", "y"]], True)
    a = Answer(text="薪资涨幅可达 30%-50%。")
    got = judge_answer(fake, case, a, repeats=3)
    assert got["faithfulness"] == 4.0
    assert got["correctness"] == 3.0
    assert got["n"] == 2 and got["failures"] == 1
