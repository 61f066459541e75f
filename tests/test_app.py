"""The Gradio chat app, driven over HTTP with gradio_client against a real index.

Only the chat model is faked (at the LLM boundary); retrieval, citations and the app are real.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from advisor import Advisor
from advisor.answering.answer import Answer
from advisor.answering.messages import message_text
from advisor.feedback.store import FeedbackStore
from advisor.grounding.citations import Citation
from advisor.web import build_demo, launch, plan_handlers
from advisor.web import chat as chat_events
from advisor.web.chat import record_vote, vote_from_meta
from advisor.web.render import (
    EXTRACTIVE_STATUS,
    SOURCES_NONE,
    display_text,
    inline_sources,
    plain_history,
    render_sources,
    role_arg,
    shown_text,
    status_text,
)
from testkit.chat import ask
from testkit.net import free_port
from testkit.settings import isolated_settings, with_feedback_db

STORY_TITLE = "我身边的几个互联网大厂中年人的真实出路"
WANGJIE = "阿里出来的王姐后来做了什么？"


@contextlib.contextmanager
def serving(adv, settings):
    with serving_demo(build_demo(adv), settings) as served:
        yield served


@contextlib.contextmanager
def serving_demo(demo, settings):
    port = free_port()
    launch(demo, settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        yield url, Client(url, verbose=False)
    finally:
        demo.close()


@pytest.fixture(scope="module")
def app_settings(corpus_index, tmp_path_factory):
    """The session index, with this module's own feedback database."""
    return with_feedback_db(corpus_index, tmp_path_factory.mktemp("feedback") / "nested" / "feedback.db")


def stored_votes(settings) -> list[dict]:
    return FeedbackStore.from_settings(settings).votes()


@pytest.fixture(scope="module")
def server(app_settings, embedder):
    adv = Advisor.load(app_settings, embedder=embedder)
    with serving(adv, app_settings) as (url, client):
        yield url, client


def last_answer(history) -> str:
    """The last answer as the user reads it (without the sources folded under it for phones)."""
    assert history and history[-1]["role"] == "assistant"
    return shown_text(message_text(history[-1]["content"]))


# -- through the server ----------------------------------------------------------------------------
def test_page_has_title_status_and_chat_api(server):
    url, client = server
    config = urllib.request.urlopen(url + "config", timeout=10).read().decode("utf-8")
    assert "转型顾问" in config
    assert "摘录模式" in config and "ADVISOR_LLM" in config
    for role in ("全部", "技术", "产品", "运营", "市场"):
        assert role in config
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in api["/chat"]["parameters"]] == ["message", "history", "role"]
    assert "/feedback" in api


def test_answer_streams_with_markers_and_sources(server):
    _, client = server
    partials, history, sources = ask(client, WANGJIE)
    assert len(partials) >= 2, "expected the pending turn before the answer"
    first_history = partials[0][0]
    assert message_text(first_history[0]["content"]) == WANGJIE  # user turn shows at once
    answer = last_answer(history)
    assert "[1]" in answer and "王姐" in answer
    assert STORY_TITLE in sources
    assert "二、破茧——女高管王姐的变形记" in sources
    assert f"{STORY_TITLE} › 二、破茧" in sources  # heading path
    assert "<mark>" in sources and "王姐" in sources.split("<mark>", 1)[1]
    assert 'href="https://www.woshipm.com/' in sources


def test_follow_up_uses_history(server):
    _, client = server
    _, history, _ = ask(client, "老张后来怎么样了？")
    assert "老张" in last_answer(history)
    _, history2, sources = ask(client, "他现在每天做什么？", history=history)
    assert len(history2) == 4
    assert "老张" in last_answer(history2)
    assert "老张的县城慢镜头" in sources


def test_sources_panel_says_what_the_conversation_remembers(server):
    _, client = server
    _, history, sources = ask(client, "我是做运营的，35岁了，感觉活都被AI干了，该往哪转？")
    assert "对话记住了：我的岗位：运营" in sources
    _, _, sources = ask(client, "那第二条路具体怎么做？", history=history)
    assert "我的岗位：运营 · 正在聊：横向跨界" in sources
    _, _, sources = ask(client, "今天天气怎么样？")  # a refusal remembers nothing new
    assert "对话记住了" not in sources
    _, _, sources = ask(client, "产品和运营到底有啥不一样")  # two subjects under one label, and
    assert "正在聊：产品经理、运营" in sources and sources.count("正在聊") == 1
    assert "我的岗位" not in sources  # 运营 is compared, nobody said it is theirs


def test_feedback_is_stored(server, app_settings):
    _, client = server
    _, history, _ = ask(client, "老周现在在做什么？")
    answer = last_answer(history)
    assert client.predict(1, "down", api_name="/feedback") == "已记录反馈，谢谢！"
    assert client.predict(7, "up", api_name="/feedback").startswith("未记录")
    assert client.predict(1, "meh", api_name="/feedback").startswith("未记录")
    record = stored_votes(app_settings)[-1]
    assert record["vote"] == "down"
    assert record["question"] == "老周现在在做什么？" and record["turns"] == []
    assert record["answer"] == answer
    assert record["role"] == "全部"
    assert record["backend"] == "extractive"
    assert record["chunk_ids"] and all("#" in c for c in record["chunk_ids"])
    assert [c["chunk_id"] for c in record["citations"]] == record["chunk_ids"]
    assert all(c["quote"] for c in record["citations"]) and record["generation"] >= 1
    assert record["created_at"].tzinfo is not None


def test_a_vote_while_the_database_is_down_keeps_the_answer_and_says_so(corpus_index, embedder, tmp_path):
    """The database is a directory (so it cannot be opened): the vote is spooled, the user is told."""
    (tmp_path / "fb.db").mkdir()
    settings = with_feedback_db(corpus_index, tmp_path / "fb.db")
    store = FeedbackStore.from_settings(settings)
    adv = Advisor.load(settings, embedder=embedder)
    with serving_demo(build_demo(adv, feedback=store), settings) as (_, client):
        _, history, sources = ask(client, WANGJIE)
        status = client.predict(1, "up", api_name="/feedback")
    assert "已先保存在本机" in status and "自动补交" in status
    assert "王姐" in last_answer(history) and STORY_TITLE in sources  # the answer is untouched
    assert store.spool.pending() == 1
    (tmp_path / "fb.db").rmdir()  # the database comes back
    assert store.deliver_spooled() == 1
    assert [v["question"] for v in store.votes()] == [WANGJIE]


def test_role_is_honoured(server):
    """The role picker decides which role's paths the sources come from (the section path of each card)."""
    _, client = server
    _, history, ops_sources = ask(client, "35岁了该怎么转型", role="运营")
    assert "运营" in last_answer(history)
    assert "运营中层" in source_paths(ops_sources) and "市场中层" not in source_paths(ops_sources)
    _, _, market_sources = ask(client, "35岁了该怎么转型", role="市场")
    assert "市场中层" in source_paths(market_sources) and "运营中层" not in source_paths(market_sources)


def source_paths(sources_html: str) -> str:
    """The title › section lines of the source cards, without the passages' own text."""
    return " ".join(re.findall(r'<div class="src-path">(.*?)</div>', sources_html))


def test_empty_message_adds_no_turn(server):
    _, client = server
    _, history, _ = ask(client, "老张后来怎么样了？")
    for empty in ("", "   \n"):
        partials, after, _ = ask(client, empty, history=history)
        assert len(after) == len(history) == 2
        assert all(len(p[0]) == 2 for p in partials)


def test_too_long_message_is_refused_politely(server):
    _, client = server
    _, history, sources = ask(client, "我想转型" * 750)
    assert len(history) == 2
    answer = last_answer(history)
    assert "问题太长了（3000 字）" in answer and "2000 字以内" in answer
    assert sources == SOURCES_NONE


# -- with a chat model (faked at the LLM boundary) ------------------------------------------------
class _Down:
    """An endless iterator of outages, so every attempt of the LLM fails."""

    def __iter__(self):
        return self

    def __next__(self):
        msg = "connection refused"
        raise ConnectionError(msg)


def test_llm_failure_shows_notice_and_extractive_answer(corpus_index, embedder, tmp_path):
    settings = isolated_settings(corpus_index.data_dir, llm="openai:fake", llm_max_retries=0)
    settings = with_feedback_db(settings, tmp_path / "fb.db")
    adv = Advisor(settings, embedder, chat_model=GenericFakeChatModel(messages=_Down()))
    with serving(adv, settings) as (url, client):
        config = urllib.request.urlopen(url + "config", timeout=10).read().decode("utf-8")
        assert "当前模式：大模型 openai:" in config
        _, history, sources = ask(client, WANGJIE)
        answer = last_answer(history)
        assert "⚠️" in answer and "无法连接大模型服务" in answer and "摘录模式" in answer
        assert "[1]" in answer
        assert STORY_TITLE in sources and "<mark>" in sources
        assert client.predict(1, "up", api_name="/feedback") == "已记录反馈，谢谢！"
        record = stored_votes(settings)[-1]
        assert record["backend"] == "extractive"  # the answer actually came from the fallback


def test_llm_tokens_stream_as_partial_updates(corpus_index, embedder, tmp_path):
    reply = "王姐 被裁后 试过 去创业公司当COO[1]。 后来 她 建了 望京妈妈严选群 ，做起了 社区团购[2]。"
    settings = isolated_settings(corpus_index.data_dir, llm="openai:fake")
    settings = with_feedback_db(settings, tmp_path / "fb.db")
    adv = Advisor(settings, embedder, chat_model=GenericFakeChatModel(messages=itertools.repeat(reply)))
    with serving(adv, settings) as (_, client):
        partials, history, sources = ask(client, WANGJIE)
    texts = [message_text(p[0][-1]["content"]) for p in partials if len(p[0]) == 2]
    growing = list(dict.fromkeys(t for t in texts if t.startswith("王姐")))
    assert len(growing) >= 3, texts  # several partial updates, each a longer prefix
    assert all(b.startswith(a) for a, b in itertools.pairwise(growing[:-1])), growing
    answer = last_answer(history)
    assert "[1]" in answer and "[2]" in answer and "⚠️" not in answer
    assert STORY_TITLE in sources


# -- pure helpers ----------------------------------------------------------------------------------
def test_sources_are_escaped_and_quote_highlighted():
    body = "开头<script>alert(1)</script>。引用的句子 & 更多。结尾"
    q_start = body.index("引用")
    q_end = body.index("。结尾") + 1
    cit = Citation(
        n=1,
        chunk_id="d#1",
        doc_id="d",
        title="标题<b>",
        section="一、小节",
        quote=body[q_start:q_end],
        start=q_start,
        end=q_end,
        source="javascript:alert(1)",
        passage_start=0,
        passage_end=len(body),
    )
    out = render_sources(Answer(text="x[1]", citations=[cit]), {"d": body})
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark>引用的句子 &amp; 更多。</mark>" in out
    assert "标题&lt;b&gt; › 一、小节" in out
    assert "href" not in out and "出处：javascript:alert(1)" in out
    assert render_sources(Answer(text="抱歉", refused=True), {}) == SOURCES_NONE
    # the index changed under the answer: offsets no longer match, so only the quote is shown
    stale = render_sources(Answer(text="x[1]", citations=[cit]), {"d": "全新的正文" * 20})
    assert "<mark>引用的句子 &amp; 更多。</mark>" in stale and "全新的正文" not in stale


def test_small_helpers():
    from advisor.kb.facts import packaged_knowledge

    kb = packaged_knowledge()
    assert role_arg("全部", kb) is None and role_arg("运营", kb) == "运营" and role_arg("CEO", kb) is None
    assert status_text("extractive") == EXTRACTIVE_STATUS
    assert status_text("openai:deepseek-chat") == "当前模式：大模型 openai:deepseek-chat"
    assert message_text([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]) == "ab"
    assert vote_from_meta({}, 1, "up") is None
    assert record_vote(None, {}, 1, "sideways").startswith("未记录")
    assert display_text("- 甲[1]\n**二、小节**\n- 乙[2]") == "- 甲[1]\n\n**二、小节**\n- 乙[2]"
    assert (
        display_text("- 1. 提炼方法论[1]\n- 2. 小范围验证[1]") == "- 1\\. 提炼方法论[1]\n- 2\\. 小范围验证[1]"
    )


# -- text stays text, votes change in place, downloads leave nothing behind --------------------------
def test_typed_and_document_markup_is_shown_as_text_and_given_back_as_typed():
    typed = "<img src=x onerror=alert(1)> 我是做运营的 & 想转型"
    shown = display_text(typed)
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    answer = display_text("老钱开了一家面包店<img src=http://127.0.0.1:1/x>。[1]")
    assert "<img" not in answer
    with_sources = answer + inline_sources(
        '<div class="sources key-1"><div class="src-card src-1">x\n\ny</div></div>', 1
    )
    assert "\n\n" not in with_sources.split("<details", 1)[1]  # one HTML block for the Markdown view
    history = [
        {"role": "user", "content": display_text(typed)},
        {"role": "assistant", "content": with_sources},
    ]
    assert plain_history(history) == [  # what the model and the vote get: as typed, no folded sources
        {"role": "user", "content": typed},
        {"role": "assistant", "content": "老钱开了一家面包店<img src=http://127.0.0.1:1/x>。[1]"},
    ]


def test_a_reason_and_a_changed_vote_update_one_row_and_old_tables_gain_the_column(adv, tmp_path):
    import sqlite3

    db = tmp_path / "fb.db"
    store = FeedbackStore(f"sqlite:///{db}", tmp_path / "spool.jsonl")
    store.votes()  # creates the table; then make it look like one from before reasons existed
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE feedback DROP COLUMN reason")
    store = FeedbackStore(f"sqlite:///{db}", tmp_path / "spool.jsonl")
    *_, (_, _, meta, _) = chat_events.chat(adv, "老周现在在做什么？", [], "全部", {})
    assert record_vote(store, meta, 1, "down") == "已记录反馈，谢谢！"
    assert record_vote(store, meta, 1, "down", "引用不对：第二条无关") == "已记录反馈，谢谢！"
    rows = store.votes()
    assert len(rows) == 1 and rows[0]["vote"] == "down" and rows[0]["reason"] == "引用不对：第二条无关"
    assert record_vote(store, meta, 1, "up") == "已记录反馈，谢谢！"  # changed their mind
    rows = store.votes()
    assert len(rows) == 1 and rows[0]["vote"] == "up" and rows[0]["reason"] is None
    *_, (_, _, other, _) = chat_events.chat(adv, "老周现在在做什么？", [], "全部", {})
    record_vote(store, other, 1, "up")  # another answer is another row
    assert len(store.votes()) == 2


def test_twenty_plans_leave_no_temporary_files(adv):
    """Downloads are made in memory: no ``advisor-plan-*`` folders, nothing new in Gradio's cache."""
    import tempfile

    tmp = Path(tempfile.gettempdir())
    cache = Path(os.environ.get("GRADIO_TEMP_DIR") or tmp / "gradio")

    def pile() -> tuple[int, int]:
        plans = sum(1 for p in tmp.glob("advisor-plan-*"))
        return plans, sum(1 for _ in cache.rglob("*")) if cache.is_dir() else 0

    before = pile()
    for hours in range(1, 21):
        out = plan_handlers.make_plan(adv, "运营", 10, "经理", "跨界", 3, hours, "")
        assert 'download="转型规划-运营经理-跨界-' in out[4]["value"]
    assert pile() == before


def test_the_plan_in_the_chat_answers_what_to_do_first_and_a_layoff_puts_the_safety_net_first(adv):
    *_, state, _ = plan_handlers.make_plan(adv, "运营", 10, "经理", "跨界", 12, 8, "刚被裁，想做私域")
    text = plan_handlers.make_plan(adv, "运营", 10, "经理", "跨界", 12, 8, "刚被裁，想做私域")[1]
    assert text.index("先做好安全垫") < text.index("路径评估") and "「被裁」" in text
    calm = plan_handlers.make_plan(adv, "运营", 10, "经理", "跨界", 12, 8, "还在职")[1]
    assert "先做好安全垫" not in calm  # enough savings and no layoff: no safety-net section
    history, *_ = plan_handlers.hand_to_chat(state, [])
    again, *_ = plan_handlers.hand_to_chat(state, history)
    assert again == history  # handing the same plan over twice adds nothing
    *_, (turn, _, _, _) = chat_events.chat(
        adv, "关于这个计划的第二步，我这周先做什么？", history, "全部", {}, state
    )
    first = shown_text(turn[-1]["content"])
    assert "先做什么" in first and "1 个月" in first and "私域引流方案" in first
    assert "核心原则" not in first and "风险应对措施" not in first  # the first step, not the section
