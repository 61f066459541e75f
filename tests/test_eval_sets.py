"""The eval sets beside the golden one: fresh sets (scores shown, questions never), paraphrases (coverage
over three wordings) and their CLI entries."""

from __future__ import annotations

import json

import pytest

import evals.fresh
import evals.paraphrases
from evals.cli import main, reported_fresh
from evals.fresh import load_written
from evals.report import write_report

FRESH = [
    {
        "id": "t-01",
        "kind": "路径",
        "turns": ["做运营快十年了，今年38，还能往哪走啊"],
        "answerable": True,
        "key_points": [["运营总监", "增长负责人"], ["这一句文章里没有"]],
        "gold": [{"doc_id": "transition-guide", "quote": "运营经理→运营总监 / 增长负责人"}],
        "reference_answer": "",
        "notes": "",
    },
    {
        "id": "t-02",
        "kind": "故事",
        "turns": ["我是做技术的", "那个回襄阳的老张，后来怎么样了？"],
        "answerable": True,
        "key_points": [["襄阳"]],
        "gold": [],
        "reference_answer": "",
        "notes": "",
    },
    {
        "id": "t-03",
        "kind": "近域",
        "question": "程序员35岁了，要不要去考公务员？",
        "answerable": False,
        "key_points": [],
        "gold": [],
        "reference_answer": "",
        "notes": "",
    },
    {
        "id": "t-04",
        "kind": "域外",
        "question": "今天北京天气怎么样？",
        "answerable": False,
        "key_points": [],
        "gold": [],
        "reference_answer": "",
        "notes": "",
    },
]
QUESTIONS = ("还能往哪走啊", "回襄阳的老张", "考公务员", "北京天气")


@pytest.fixture
def fresh_dir(tmp_path, monkeypatch):
    folder = tmp_path / "fresh"
    folder.mkdir()
    lines = [json.dumps(row, ensure_ascii=False) for row in FRESH]
    (folder / "fresh-t.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    monkeypatch.setattr(evals.fresh, "FRESH_DIR", folder)
    monkeypatch.setattr(evals.fresh, "DETAIL_DIR", tmp_path / "detail")
    return folder


def test_fresh_loader_reads_single_and_multi_turn_cases(fresh_dir):
    cases = load_written(fresh_dir / "fresh-t.jsonl")
    assert [c.id for c in cases] == ["t-01", "t-02", "t-03", "t-04"]
    assert cases[0].question.endswith("往哪走啊") and cases[0].turns is None  # one turn is single-turn
    assert cases[1].turns and len(cases[1].turns) == 2
    assert cases[2].tags == ["近域"] and not cases[2].answerable


def test_fresh_loader_names_the_bad_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**FRESH[0], "kind": "闲聊"}, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1: unknown kind '闲聊'"):
        load_written(bad)


@pytest.mark.slow
def test_fresh_check_shows_scores_per_kind_but_no_question(corpus_index, fresh_dir, tmp_path, capsys):
    rc = main(["--fresh", "--data-dir", str(corpus_index.data_dir)])
    out, err = capsys.readouterr()
    assert rc == 1 and "FRESH GATES FAILED" in out  # half the 路径 key points cannot be found
    assert "GATE FAILED: 路径:coverage 0.50 < floor 0.80" in err
    assert "故事" in out and "multi" in out and "honest_rate" in out
    assert not any(q in out + err for q in QUESTIONS) and "t-01" not in out + err
    detail = json.loads((tmp_path / "detail" / "fresh-t.json").read_text("utf-8"))
    by_id = {c["id"]: c for c in detail["cases"]}
    assert by_id["t-04"]["refused"] and by_id["t-01"]["scores"]["coverage"] == 0.5
    assert "襄阳" in by_id["t-02"]["text"]


@pytest.mark.slow
def test_fresh_sets_are_reported_beside_golden_without_their_cases(adv, fresh_dir, tmp_path):
    runs = reported_fresh(adv)
    assert len(runs) == 1 and runs[0].failures == []  # shown, but only --fresh fails on them
    assert any(g["status"] == "FAIL" for g in runs[0].gates)
    write_report(runs, tmp_path / "report", [], charts=False)
    written = (tmp_path / "report" / "report.md").read_text("utf-8")
    written += (tmp_path / "report" / "report.json").read_text("utf-8")
    assert "fresh:fresh-t" in written and not any(q in written for q in QUESTIONS)


@pytest.mark.slow
def test_paraphrase_report_gives_mean_and_minimum_over_three_wordings(
    corpus_index, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(evals.paraphrases, "DETAIL", tmp_path / "p.json")
    rc = main(["--paraphrases", "--ids", "story-01", "--data-dir", str(corpus_index.data_dir), "-q"])
    out = capsys.readouterr().out
    assert rc == 0 and "cov min of 3" in out and "all 全部" in out and "story 大厂故事" in out
    detail = json.loads((tmp_path / "p.json").read_text("utf-8"))
    assert [c["id"] for c in detail["cases"]] == ["story-01", "story-01~p1", "story-01~p2"]
    covs = [c["scores"]["coverage"] for c in detail["cases"]]
    assert detail["groups"]["all"]["coverage_min"] == min(covs)
