"""The generative eval: its own scores (Chinese text, answered by the model, refusals without a model
call), the side-by-side report against the excerpt mode, and one real run of the local model."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from advisor.answering.answer import Answer
from evals.cli import CI_GENERATIVE_PROMPT_TOKENS, main
from evals.evaluators import DEFAULT_EVALUATORS, Context
from evals.generative import GENERATIVE_EVALUATORS, chinese, model_answered, refusal_without_model
from evals.golden import Case
from evals.report import side_by_side, write_report
from evals.runner import RunResult, aggregate, run


def case(cid: str, answerable: bool = True) -> Case:
    return Case(cid, "问", None, None, "参考答案", [], [["社区团购"]] if answerable else [], answerable)


def ctx(answer: Answer, answerable: bool = True) -> Context:
    return Context(case("c", answerable), answer, {})


def test_chinese_is_scored_on_what_the_model_wrote():
    assert chinese(
        ctx(Answer("王姐后来做起了社区团购，三个月做到月均五十万。", backend="local:x"))
    ).scores == {"chinese": 1.0}
    assert chinese(
        ctx(Answer("Wang started a community group-buying business.", backend="local:x"))
    ).scores == {"chinese": 0.0}
    assert chinese(ctx(Answer("摘录", backend="extractive"))).scores == {"chinese": None}


def test_model_answered_tells_the_model_from_its_fallback():
    assert model_answered(ctx(Answer("答", backend="local:x"))).scores["model_answered"] == 1.0
    fallback = Answer("⚠️ …摘录", backend="extractive", notice="大模型的回答无法与资料对应")
    assert model_answered(ctx(fallback)).scores["model_answered"] == 0.0
    assert model_answered(ctx(Answer("摘录", backend="extractive"))).scores["model_answered"] is None


def test_a_refusal_that_called_the_model_scores_zero():
    refused = Answer("抱歉", refused=True)
    assert refusal_without_model(lambda cid: 0)(ctx(refused, False)).scores["refusal_without_model"] == 1.0
    assert refusal_without_model(lambda cid: 1)(ctx(refused, False)).scores["refusal_without_model"] == 0.0
    assert (
        refusal_without_model(lambda cid: None)(ctx(refused, False)).scores["refusal_without_model"] is None
    )


def run_of(label: str, replies: dict[str, Answer]) -> RunResult:
    cases = [case(cid, not cid.startswith("oos")) for cid in replies]
    results = run(lambda c: replies[c.id], cases, {}, (*DEFAULT_EVALUATORS, *GENERATIVE_EVALUATORS))
    return RunResult(label, label, {}, results, aggregate(results), {}, 0.0)


def test_side_by_side_compares_the_shared_cases_only(tmp_path):
    gen = run_of(
        "local:x",
        {"a": Answer("王姐做起了社区团购。", backend="local:x"), "oos-1": Answer("抱歉", refused=True)},
    )
    excerpt = run_of(
        "excerpt",
        {
            "a": Answer("她试过知识付费。", backend="extractive"),
            "b": Answer("社区团购", backend="extractive"),
            "oos-1": Answer("抱歉", refused=True),
        },
    )
    headers, rows, n = side_by_side([gen, excerpt])
    by_metric = {r[0]: r[1:3] for r in rows}
    assert headers[1:3] == ["local:x", "excerpt"] and n == 2
    assert by_metric["coverage"] == [1.0, 0.0]  # case "b" (covered by the excerpt run) is not shared
    assert by_metric["chinese"] == [1.0, None] and by_metric["refusal_accuracy"] == [1.0, 1.0]
    report = write_report([gen, excerpt], tmp_path, failures=[], charts=False).read_text("utf-8")
    assert "## Side by side" in report and "| coverage | 1.00 | 0.00 |" in report
    plans = RunResult("plans", "extractive", {}, [], {"plan_sections": 1.0}, {}, 0.0)  # another case set
    report = write_report([excerpt, plans], tmp_path, failures=[], charts=False).read_text("utf-8")
    assert "## Side by side" not in report and "## plans" in report


@pytest.mark.slow
def test_local_backend_eval_reports_next_to_the_excerpt_mode(corpus_index, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_MODEL_DIR", str(ROOT / "data" / "models"))
    # the path is what this checks, not the breadth of a default prompt
    monkeypatch.setenv("ADVISOR_LOCAL_PROMPT_TOKENS", str(CI_GENERATIVE_PROMPT_TOKENS))
    args = ["--data-dir", str(corpus_index.data_dir), "--out", str(tmp_path), "-q", "--no-charts"]
    assert (
        main([*args, "--backend", "local:qwen2.5-1.5b", "--ids", "story-01,oos-01", "--max-tokens", "96"])
        == 0
    )
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    local, excerpt = data["runs"]
    assert local["backend"] == "local:qwen2.5-1.5b" and excerpt["backend"] == "extractive"
    assert [c["id"] for c in local["cases"]] == [c["id"] for c in excerpt["cases"]] == ["story-01", "oos-01"]
    assert local["metrics"]["refusal_without_model"] == 1.0 and local["metrics"]["citation_validity"] == 1.0
    assert "## Side by side" in (tmp_path / "report.md").read_text("utf-8")
