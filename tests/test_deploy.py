"""The README's deployment on one machine, over loopback: one ``chroma run``, one PostgreSQL, two
``python app.py`` replicas with separate empty data directories, ingests through a third process.

Both replicas answer with citations, an ingest switches both to the new generation within seconds,
votes from both land in one table (and a vote while the database is down is kept and delivered),
and ``advisor feedback export`` turns a 👎 into a draft eval case.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from conftest import run_cli, write
from gradio_client import Client

from advisor.feedback.store import FeedbackStore
from testkit.app_process import AppProcess
from testkit.chat import ask
from testkit.chroma_server import ChromaServer

pytestmark = pytest.mark.slow

STORY_TITLE = "我身边的几个互联网大厂中年人的真实出路"
NEW_TITLE = "测试转产品的老孙"
NEW_DOC = (
    f"---\nid: laosun\ntitle: {NEW_TITLE}\nroles: [产品]\n---\n"
    "## 一、老孙的转岗\n"
    "测试出身的老孙在 38 岁那年转做产品经理。他先主动参加每一次需求评审，把测试用例写成用户故事。"
    "半年后他接手了一个退款流程的小模块，用数据看板证明投诉率降了一半，这才正式转岗。\n"
)
NEW_QUESTION = "测试出身的老孙是怎么转做产品经理的？"
SAVED = "已记录反馈，谢谢！"


def last_answer(history) -> str:
    return str(history[-1]["content"])


def ingest_via_cli(tmp_path, env: dict, *paths) -> None:
    """``python ingest.py`` as its own process (a third machine, as far as the apps can tell)."""
    proc = run_cli("ingest", *map(str, paths), data_dir=tmp_path / "ingest-data", env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (tmp_path / "ingest-data").exists()  # server mode: no local index state at all


def until_new_generation(client: Client, timeout: float = 60.0) -> tuple[float, list, str]:
    """Ask the new document's question until the answer cites it; (seconds, history, sources)."""
    t0 = time.monotonic()
    while True:
        _, history, sources = ask(client, NEW_QUESTION)
        if NEW_TITLE in sources:
            return time.monotonic() - t0, history, sources
        assert time.monotonic() - t0 < timeout, "the replica never switched to the new generation"
        time.sleep(0.5)


def test_two_replicas_on_one_chroma_and_one_postgres(tmp_path, postgres):
    db = postgres.create_database()
    with ChromaServer(tmp_path / "chroma") as chroma:
        env = {**chroma.env, "ADVISOR_FEEDBACK_URL": db}
        ingest_via_cli(tmp_path, env)

        apps = [
            AppProcess(tmp_path / f"replica{i}", env={**env, "ADVISOR_REFRESH_SECONDS": "1"}) for i in (1, 2)
        ]
        starters = [threading.Thread(target=app.start) for app in apps]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        try:
            assert all(app.proc and app.proc.poll() is None and app.ready_s for app in apps)
            clients = [Client(app.url, verbose=False) for app in apps]
            for client in clients:
                _, history, sources = ask(client, "阿里出来的王姐后来做了什么？")
                assert "[1]" in last_answer(history) and STORY_TITLE in sources
            assert not any((app.workdir / "data" / "chroma").exists() for app in apps)

            # An ingest from a third process, with one more document, switches both replicas.
            write(tmp_path / "extra" / "laosun.md", NEW_DOC)
            ingest_via_cli(tmp_path, env, tmp_path / "extra")
            switched = [until_new_generation(client) for client in clients]
            print(
                "seconds until each replica answered from the new generation:",
                [round(s[0], 1) for s in switched],
            )
            for seconds, history, _sources in switched:
                assert seconds < 30 and "[1]" in last_answer(history) and "老孙" in last_answer(history)

            # Votes from both replicas land in one table.
            assert [c.predict(1, "down", api_name="/feedback") for c in clients] == [SAVED, SAVED]
            store = FeedbackStore(db, tmp_path / "reader-spool.jsonl")
            votes = store.votes()
            assert len(votes) == 2 and len({v["replica"] for v in votes}) == 2
            assert all(v["question"] == NEW_QUESTION and v["generation"] == 2 for v in votes)

            # The database goes down: the vote is kept on the replica and the user is told; it is
            # delivered with the next vote once the database is back.
            postgres.stop()
            try:
                status = clients[0].predict(1, "up", api_name="/feedback")
            finally:
                postgres.start()
            assert "已先保存在本机" in status
            assert clients[0].predict(1, "up", api_name="/feedback") == SAVED
            # Replica 0's changed vote (spooled, then delivered with the next) updated its own row.
            votes = {v["replica"]: v["vote"] for v in store.votes()}
            assert len(store.votes()) == 2 and sorted(votes.values()) == ["down", "up"]
        finally:
            for app in apps:
                app.stop()

    # A 👎 becomes a draft eval case, quoting the passage the answer cited.
    out = tmp_path / "drafts.jsonl"
    proc = run_cli(
        "feedback", "export", "--out", str(out), data_dir=tmp_path / "x", env={"ADVISOR_FEEDBACK_URL": db}
    )
    assert proc.returncode == 0, proc.stderr
    drafts = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(drafts) == 1  # the two replicas gave the same answer: one draft
    draft = drafts[0]
    assert draft["question"] == NEW_QUESTION and "待审" in draft["tags"]
    assert any(g["doc_id"] == "laosun" and g["quote"] in NEW_DOC for g in draft["gold"])
