"""Feedback in a real database: SQLite by default (several writer processes at once), PostgreSQL from
Debian; a database that is down keeps the vote locally and delivers it later; 👎 answers become draft
golden cases that the eval loader reads."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT, run_cli

from advisor.errors import ConfigError, FeedbackError
from advisor.feedback.drafts import draft_cases, gold_quotes
from advisor.feedback.store import FeedbackStore, Vote, database_url
from evals.golden import load_cases, resolve_spans

WRITER = """
import sys
from advisor.feedback.store import FeedbackStore, Vote
store = FeedbackStore(sys.argv[1], sys.argv[2], replica=sys.argv[3])
for i in range(int(sys.argv[4])):
    store.record(Vote(vote="up" if i % 2 else "down", question=f"问题{i}", answer="回答", role="运营",
                      backend="extractive"))
"""


def vote_for(answer, question: str, vote: str = "down", **kw) -> Vote:
    """A vote on a real ``Answer``, as the app records it."""
    return Vote(
        vote=vote,
        question=question,
        answer=answer.text,
        role=kw.pop("role", "全部"),
        backend=answer.backend,
        chunk_ids=[c.chunk_id for c in answer.citations],
        citations=[
            {"n": c.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "quote": c.quote} for c in answer.citations
        ],
        **kw,
    )


def test_sqlite_takes_votes_from_several_processes_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(tmp_path / f"spool{i}.jsonl"), f"p{i}", "30"], cwd=ROOT
        )
        for i in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    rows = FeedbackStore(url, tmp_path / "spool.jsonl").votes()
    assert len(rows) == 120 and len({r["vote_id"] for r in rows}) == 120
    assert {r["replica"] for r in rows} == {"p0", "p1", "p2", "p3"}
    assert not list(tmp_path.glob("spool*.jsonl"))  # nothing had to wait


def test_postgres_down_keeps_the_vote_and_delivers_it_later(postgres, tmp_path):
    store = FeedbackStore(postgres.create_database(), tmp_path / "spool.jsonl", replica="r1")
    store.record(Vote(vote="up", question="第一问", answer="答一", role="运营", backend="extractive"))
    postgres.stop()
    try:
        with pytest.raises(FeedbackError, match="已先保存在本机"):
            store.record(
                Vote(vote="down", question="第二问", answer="答二", role="产品", backend="extractive")
            )
        assert store.spool.pending() == 1
        assert store.deliver_spooled() == 0  # still down: nothing lost, nothing sent
    finally:
        postgres.start()
    store.record(Vote(vote="up", question="第三问", answer="答三", role="市场", backend="extractive"))
    assert [r["question"] for r in store.votes()] == ["第一问", "第二问", "第三问"]
    assert store.spool.pending() == 0


def test_a_vote_delivered_twice_is_stored_once_and_a_torn_spool_line_is_skipped(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'fb.db'}", tmp_path / "spool.jsonl")
    vote = Vote(vote="down", question="问", answer="答", role="全部", backend="extractive")
    store.record(vote)
    store.spool.append([vote.row()])  # e.g. the reply to the first insert was lost
    with store.spool.path.open("a", encoding="utf-8") as f:
        f.write('{"vote": "down", "quest')  # the process died mid-line
    assert store.deliver_spooled() == 1
    assert len(store.votes()) == 1 and store.spool.pending() == 0


def test_draft_quotes_are_one_line_without_list_markers():
    cited = [
        {"doc_id": "d", "quote": "- 核心原则:MVP 需满足三条。\n第二行"},
        {"doc_id": "d", "quote": "2. 引入工具提升效率"},
        {"doc_id": "d", "quote": "核心原则:MVP 需满足三条。"},  # the same quote again
    ]
    assert gold_quotes(cited) == [
        {"doc_id": "d", "quote": "核心原则:MVP 需满足三条。"},
        {"doc_id": "d", "quote": "引入工具提升效率"},
    ]


def test_only_sqlite_and_postgres_urls_are_accepted():
    assert database_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    with pytest.raises(ConfigError, match="ADVISOR_FEEDBACK_URL"):
        database_url("mysql://u@h/db")
    store = FeedbackStore("postgresql://advisor:s3cret@db:5432/advisor", "/tmp/unused-spool.jsonl")
    assert "s3cret" not in store.shown_url and store.shown_url.startswith("postgresql+psycopg://advisor:***@")


def test_down_votes_become_draft_golden_cases(adv, tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    store = FeedbackStore(url, tmp_path / "spool.jsonl")
    single = adv.ask("阿里出来的王姐后来做了什么？")
    follow = adv.ask("她后来怎么样了？", history=[{"role": "user", "content": "老张后来怎么样了？"}])
    store.record(vote_for(single, "阿里出来的王姐后来做了什么？", generation=3))
    store.record(vote_for(single, "阿里出来的王姐后来做了什么？"))  # the same answer disliked twice
    store.record(vote_for(follow, "她后来怎么样了？", role="运营", turns=["老张后来怎么样了？"]))
    store.record(vote_for(single, "王姐现在在干嘛", vote="up"))
    old = Vote(vote="down", question="很久以前的问题", answer="旧", role="全部", backend="extractive")
    old.created_at = datetime.now(UTC) - timedelta(days=30)
    store.record(old)

    out = tmp_path / "drafts" / "feedback.jsonl"
    since = (datetime.now() - timedelta(days=1)).date().isoformat()
    proc = run_cli(
        "feedback",
        "export",
        "--since",
        since,
        "--out",
        str(out),
        data_dir=tmp_path / "unused",
        env={"ADVISOR_FEEDBACK_URL": url},
    )
    assert proc.returncode == 0, proc.stderr
    assert "已导出 2 条" in proc.stderr and "反馈数据库：sqlite:///" in proc.stderr
    drafts = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    first, second = drafts
    assert first["question"] == "阿里出来的王姐后来做了什么？" and first["role"] is None
    assert first["id"].startswith("fb-") and {"待审", "feedback"} <= set(first["tags"])
    assert first["reference_answer"] == "" and first["key_points"] == [] and first["answerable"] is True
    assert first["feedback"]["answer"] == single.text and first["feedback"]["generation"] == 3
    assert first["feedback"]["chunk_ids"] == [c.chunk_id for c in single.citations]
    assert second["turns"] == ["老张后来怎么样了？", "她后来怎么样了？"] and "question" not in second
    assert second["role"] == "运营" and "多轮" in second["tags"]
    # The drafts are in the golden set's format: the eval loader reads them, and every gold quote is
    # verbatim in the corpus.
    cases = load_cases(out)
    resolve_spans(cases, adv.snapshot.bodies)
    assert cases[0].gold and all(g.start >= 0 for c in cases for g in c.gold)
    # Without --since every 👎 is exported, the old one first.
    assert [c.get("question") for c in draft_cases(store.votes())][:2] == [
        "很久以前的问题",
        first["question"],
    ]


def test_stats_count_votes_per_role_and_backend(tmp_path):
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    store = FeedbackStore(url, tmp_path / "spool.jsonl")
    for vote, role, backend in [
        ("up", "运营", "extractive"),
        ("down", "运营", "extractive"),
        ("down", "运营", "extractive"),
        ("up", "产品", "openai:deepseek-chat"),
    ]:
        store.record(Vote(vote=vote, question="问", answer="答", role=role, backend=backend))
    proc = run_cli("feedback", "stats", data_dir=tmp_path / "unused", env={"ADVISOR_FEEDBACK_URL": url})
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[1:]}
    assert rows["运营"][1:] == ["extractive", "1", "2", "67%"]
    assert rows["产品"][1:] == ["openai:deepseek-chat", "1", "0", "0%"]
    assert rows["合计"][1:] == ["2", "2", "50%"]


def test_a_database_that_cannot_be_reached_is_a_clear_cli_error(tmp_path):
    proc = run_cli(
        "feedback", "stats", data_dir=tmp_path, env={"ADVISOR_FEEDBACK_URL": "postgresql://u@127.0.0.1:1/x"}
    )
    assert proc.returncode == 1 and "错误：连不上反馈数据库" in proc.stderr and "Traceback" not in proc.stderr
