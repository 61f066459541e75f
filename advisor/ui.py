"""Browser chat app (Gradio): streamed answers with [n] markers, a sources panel, roles and feedback.

``build_app(adv_or_loader, settings)`` returns the ``gr.Blocks``; ``launch(demo, settings)`` serves it
with the app's theme and queue; ``main()`` (``python app.py``) builds the index on first start, warms
the pipeline up and serves on ``settings.host:settings.port``.

API endpoints (for ``gradio_client`` and the load benchmark):

- ``/chat`` (message, history, role) -> (history, sources_html, message_box); streams partial outputs.
- ``/feedback`` (index, vote) -> status text; ``vote`` is ``up`` or ``down``, ``index`` the position of
  the assistant message in the chat history (the same number a 👍/👎 click reports).
"""

from __future__ import annotations

import html
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .answer import Answer
from .config import ROLES, Settings, quiet_network

quiet_network()

import gradio as gr  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "转型顾问"
ALL_ROLES = "全部"
ROLE_CHOICES = [ALL_ROLES, *ROLES]
ROLE_EXAMPLES = [
    ["我是做运营的，35岁了该怎么转型？", "运营"],
    ["技术中层怎么转AI解决方案架构师？", "技术"],
    ["产品经理和项目经理有什么区别？", "产品"],
    ["做市场投放的怎么降低获客成本？", "市场"],
    ["转型失败了怎么止损？", ALL_ROLES],
]
STORY_EXAMPLES = [
    ["老张后来怎么样了？", ALL_ROLES],
    ["王姐被裁后做了什么？", ALL_ROLES],
    ["老周现在在做什么？", ALL_ROLES],
]
EXTRACTIVE_STATUS = (
    "当前模式：摘录模式（未配置大模型，回答为原文摘录）。"
    "配置方法：设置 ADVISOR_LLM=openai:模型名 及 ADVISOR_OPENAI_BASE_URL / ADVISOR_OPENAI_API_KEY，见 README。"
)
PENDING = "⏳ 正在检索资料……"
SOURCES_IDLE = '<div class="src-empty">回答中引用的原文段落会显示在这里，可逐条核对。</div>'
SOURCES_PENDING = '<div class="src-empty">⏳ 正在检索资料，回答完成后显示来源……</div>'
SOURCES_NONE = '<div class="src-empty">这个回答没有引用知识库中的段落。</div>'
ERROR_REPLY = "抱歉，处理这个问题时出了点问题（已记录日志）。请稍后重试，或换个问法。"
PLACEHOLDER = (
    "### 你好，我是转型顾问\n"
    "面向 35 岁以上的互联网中层（技术、产品、运营、市场），只依据知识库文章回答，"
    "每句话都标有来源编号 [n]，右侧可核对原文。\n\n可以在下方输入问题，或点选示例问题。"
)
CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; }
#app-title h1 { margin-bottom: 0; }
#app-title p { margin-top: 4px; color: var(--body-text-color-subdued); }
#status-line { font-size: 0.88em; padding: 6px 12px; border-radius: 8px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
#status-line p { margin: 0; }
#sources-panel { max-height: 82vh; overflow-y: auto; }
.src-head { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.src-empty { color: var(--body-text-color-subdued); font-size: 0.92em; padding: 8px 2px; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--background-fill-primary); }
.src-title { font-weight: 600; line-height: 1.5; }
.src-n { display: inline-block; min-width: 2.2em; color: var(--color-accent); font-weight: 700; }
.src-path { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 6px; line-height: 1.5; }
.src-text { font-size: 0.92em; line-height: 1.7; white-space: pre-wrap; word-break: break-word; }
.src-text mark { background: #fff1a8; color: inherit; padding: 0 1px; border-radius: 2px; }
.src-link { font-size: 0.82em; margin-top: 6px; color: var(--body-text-color-subdued); word-break: break-all; }
.examples-label p { margin: 6px 0 0; font-size: 0.9em; }
.examples-row { flex-wrap: wrap !important; gap: 6px !important; }
.example-btn { flex: 0 0 auto !important; font-weight: normal !important; }
footer { display: none !important; }
"""
FONTS = [
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
    "sans-serif",
]

_FEEDBACK_LOCK = threading.Lock()


# -- pure helpers (tested without a server) --------------------------------------------------------
def role_arg(role: str | None) -> str | None:
    """The radio's value as the ``role`` argument of ``Advisor.stream`` (全部 means none)."""
    return role if role in ROLES else None


def message_text(content: Any) -> str:
    """Text of a chat message's content (a string, or Gradio's list of ``{"type": "text"}`` parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(message_text(c) for c in content)
    return ""


def plain_history(history: list | None) -> list[dict]:
    """Chat history as ``[{"role", "content": str}]`` (user/assistant only)."""
    out = []
    for m in history or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": message_text(m.get("content"))})
    return out


def display_text(text: str) -> str:
    """Answer text as chat Markdown: a section label (``**…**``) right after a list item would be
    folded into that item, so it gets a blank line before it."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("**") and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


def status_text(backend: str) -> str:
    return EXTRACTIVE_STATUS if backend == "extractive" else f"当前模式：大模型 {backend}"


def _highlight(body: str, start: int, end: int, q_start: int, q_end: int) -> str:
    """Escaped ``body[start:end]`` with the quote ``body[q_start:q_end]`` wrapped in ``<mark>``."""
    if not (start <= q_start < q_end <= end):
        return html.escape(body[start:end])
    return (
        html.escape(body[start:q_start])
        + "<mark>"
        + html.escape(body[q_start:q_end])
        + "</mark>"
        + html.escape(body[q_end:end])
    )


def render_sources(answer: Answer | None, bodies: dict[str, str]) -> str:
    """The sources panel: one card per citation, passage text with the cited quote highlighted."""
    if answer is None or not answer.citations:
        return SOURCES_NONE
    cards = [
        f'<div class="src-head">共 {len(answer.citations)} 条，编号对应回答中的 [n]，高亮为引用的原句</div>'
    ]
    for c in sorted(answer.citations, key=lambda c: c.n):
        body = bodies.get(c.doc_id, "")
        start, end = c.passage_start, c.passage_end
        if body[c.start : c.end] == c.quote and end > start:  # offsets still match this index
            text = _highlight(body, start, end, c.start, c.end)
        else:
            text = "<mark>" + html.escape(c.quote) + "</mark>"
        title = html.escape(c.title)
        path = " › ".join(html.escape(p) for p in (c.title, c.section) if p)
        source = (c.source or "").strip()
        if source.startswith(("http://", "https://")):
            url = html.escape(source, quote=True)
            link = (
                f'原文：<a href="{url}" target="_blank" rel="noopener noreferrer">{html.escape(source)}</a>'
            )
        elif source:
            link = f"出处：{html.escape(source)}"
        else:
            link = ""
        cards.append(
            f'<div class="src-card" id="src-{c.n}">'
            f'<div class="src-title"><span class="src-n">[{c.n}]</span>{title}</div>'
            f'<div class="src-path">{path}</div>'
            f'<div class="src-text">{text}</div>'
            + (f'<div class="src-link">{link}</div>' if link else "")
            + "</div>"
        )
    return '<div class="sources">' + "".join(cards) + "</div>"


def feedback_record(meta: dict, index: int, vote: str) -> dict | None:
    """The JSON line for a vote on the assistant message at ``index``; ``None`` if unknown."""
    info = (meta or {}).get(str(index))
    if info is None:
        return None
    return {
        "timestamp": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "vote": vote,
        "question": info["question"],
        "answer": info["answer"],
        "role": info["role"],
        "backend": info["backend"],
        "chunk_ids": info["chunk_ids"],
        "message_index": index,
    }


def append_feedback(path: Path, record: dict) -> None:
    """Append one JSON line (parents created, serialized by a lock, flushed to disk)."""
    path = Path(path)
    with _FEEDBACK_LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())


def _vote(liked: Any) -> str | None:
    if liked is True or liked in ("Like", "like", "up"):
        return "up"
    if liked is False or liked in ("Dislike", "dislike", "down"):
        return "down"
    return None


def _resolve(adv_or_loader) -> Any:
    from .core import Advisor

    if isinstance(adv_or_loader, Advisor) or hasattr(adv_or_loader, "stream"):
        return adv_or_loader
    return adv_or_loader()


# -- the app ---------------------------------------------------------------------------------------
def build_app(adv_or_loader: Any | Callable[[], Any], settings: Settings | None = None) -> gr.Blocks:
    """The chat page over an ``Advisor`` (or a zero-argument callable that returns one)."""
    adv = _resolve(adv_or_loader)
    settings = settings or adv.settings
    backend = adv.backend

    def answer_turns(message: str, history: list[dict], role: str | None, meta: dict) -> Iterator[tuple]:
        """Yield (history, sources, meta, box) while the answer streams; never raises."""
        question = message.strip()
        prior = plain_history(history)
        user = {"role": "user", "content": question}
        yield [*prior, user, {"role": "assistant", "content": PENDING}], SOURCES_PENDING, meta, ""
        text, answer = "", None
        try:
            for item in adv.stream(question, history=prior, role=role_arg(role)):
                if isinstance(item, Answer):
                    answer = item
                    break
                text += item
                shown = display_text(text)
                yield [*prior, user, {"role": "assistant", "content": shown}], gr.skip(), meta, gr.skip()
        except Exception:
            log.exception("answering failed")
            answer = None
            text = (text + "\n\n" if text.strip() else "") + ERROR_REPLY
        final_text = display_text(answer.text) if answer is not None else text
        turn = [*prior, user, {"role": "assistant", "content": final_text}]
        try:
            sources = render_sources(answer, adv.snapshot.bodies) if answer is not None else SOURCES_NONE
        except Exception:
            log.exception("rendering sources failed")
            sources = SOURCES_NONE
        index = len(turn) - 1
        meta = {k: v for k, v in (meta or {}).items() if int(k) < index}
        meta[str(index)] = {
            "question": question,
            "answer": final_text,
            "role": role or ALL_ROLES,
            "backend": answer.backend if answer is not None else backend,
            "chunk_ids": [c.chunk_id for c in answer.citations] if answer is not None else [],
            "sources": sources,
        }
        yield turn, sources, meta, gr.skip()

    def chat(message: str, history: list, role: str, meta: dict):
        if not (message or "").strip():  # an empty message adds no turn
            yield plain_history(history), gr.skip(), meta, ""
            return
        yield from answer_turns(message, history, role, meta)

    def retry(history: list, role: str, meta: dict, data: gr.RetryData):
        hist = plain_history(history)
        idx = data.index if isinstance(data.index, int) else data.index[0]
        if not (0 <= idx < len(hist)) or hist[idx]["role"] != "user":
            yield hist, gr.skip(), meta, gr.skip()
            return
        yield from answer_turns(hist[idx]["content"], hist[:idx], role, meta)

    def retry_last(history: list, role: str, meta: dict):
        hist = plain_history(history)
        users = [i for i, m in enumerate(hist) if m["role"] == "user"]
        if not users:
            yield hist, gr.skip(), meta, gr.skip()
            return
        yield from answer_turns(hist[users[-1]]["content"], hist[: users[-1]], role, meta)

    def _cut(hist: list[dict], idx: int, meta: dict):
        meta = {k: v for k, v in (meta or {}).items() if int(k) < idx}
        last = max(meta, key=int) if meta else None
        sources = meta[last]["sources"] if last else SOURCES_IDLE
        return hist[:idx], sources, meta, hist[idx]["content"]

    def undo(history: list, meta: dict, data: gr.UndoData):
        hist = plain_history(history)
        idx = data.index if isinstance(data.index, int) else data.index[0]
        if not (0 <= idx < len(hist)):
            return hist, gr.skip(), meta, gr.skip()
        return _cut(hist, idx, meta)

    def undo_last(history: list, meta: dict):
        hist = plain_history(history)
        users = [i for i, m in enumerate(hist) if m["role"] == "user"]
        if not users:
            return hist, gr.skip(), meta, gr.skip()
        return _cut(hist, users[-1], meta)

    def new_chat():
        return [], SOURCES_IDLE, {}, ""

    def record(meta: dict, index: int, vote: str | None) -> str:
        if vote not in ("up", "down"):
            return "未记录：vote 需为 up 或 down"
        entry = feedback_record(meta, int(index), vote)
        if entry is None:
            return "未记录：找不到这条回答"
        append_feedback(settings.feedback_path, entry)
        return "已记录反馈，谢谢！"

    def on_like(meta: dict, data: gr.LikeData):
        idx = data.index if isinstance(data.index, int) else data.index[0]
        vote = _vote(data.liked)
        if vote is None:  # a vote taken back: nothing to log
            return
        status = record(meta, idx, vote)
        gr.Info(status)

    def feedback_api(index: float, vote: str, meta: dict) -> str:
        return record(meta, int(index or 0), (vote or "").strip().lower())

    def on_select(meta: dict, data: gr.SelectData):
        idx = data.index if isinstance(data.index, int) else data.index[0]
        info = (meta or {}).get(str(idx))
        return info["sources"] if info else gr.skip()

    theme = gr.themes.Soft(primary_hue="blue", font=FONTS, font_mono=["DejaVu Sans Mono", "monospace"])
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True) as demo:
        demo._advisor_css, demo._advisor_theme = CSS, theme  # used by launch()
        meta = gr.State({})
        gr.Markdown(
            f"# {TITLE}\n互联网 35+ 中层（技术 / 产品 / 运营 / 市场）的转型问答：只依据知识库文章作答，引用可逐条核对。",
            elem_id="app-title",
        )
        gr.Markdown(status_text(backend), elem_id="status-line")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="对话",
                    height="72vh",
                    min_height=420,
                    layout="bubble",
                    placeholder=PLACEHOLDER,
                    latex_delimiters=[],
                    buttons=["copy"],
                    elem_id="chatbot",
                )
                role = gr.Radio(ROLE_CHOICES, value=ALL_ROLES, label="我的岗位（回答会侧重该岗位的路径）")
                with gr.Row():
                    box = gr.Textbox(
                        show_label=False,
                        placeholder="输入你的问题，按回车发送（Shift+回车换行）",
                        lines=1,
                        max_lines=6,
                        scale=5,
                        elem_id="question-box",
                        autofocus=True,
                    )
                    send = gr.Button("发送", variant="primary", scale=1, min_width=80)
                with gr.Row():
                    retry_btn = gr.Button("重试", size="sm", elem_id="retry-btn")
                    undo_btn = gr.Button("撤销", size="sm", elem_id="undo-btn")
                    clear_btn = gr.Button("新对话", size="sm", elem_id="new-chat-btn")
                example_buttons = []
                for label, group in (
                    ("按岗位提问", ROLE_EXAMPLES),
                    ("真实案例：老张、王姐、老周", STORY_EXAMPLES),
                ):
                    gr.Markdown(f"**{label}**（点击即提问）", elem_classes="examples-label")
                    with gr.Row(elem_classes="examples-row"):
                        for question, example_role in group:
                            btn = gr.Button(
                                question, size="sm", scale=0, min_width=0, elem_classes="example-btn"
                            )
                            example_buttons.append((btn, question, example_role))
            with gr.Column(scale=2, min_width=320):
                gr.Markdown("### 来源")
                sources = gr.HTML(SOURCES_IDLE, elem_id="sources-panel")
        with gr.Row(visible=False):
            fb_index = gr.Number(label="index", precision=0)
            fb_vote = gr.Textbox(label="vote")
            fb_status = gr.Textbox(label="status")
            fb_button = gr.Button("feedback")

        outputs = [chatbot, sources, meta, box]
        # Every event that answers shares one pool of ``settings.concurrency`` workers.
        answering = {
            "outputs": outputs,
            "show_progress": "hidden",
            "concurrency_id": "answer",
            "concurrency_limit": settings.concurrency,
        }
        private = {"api_visibility": "private"}
        gr.on([box.submit, send.click], chat, [box, chatbot, role, meta], api_name="chat", **answering)
        for btn, question, example_role in example_buttons:
            btn.click(
                lambda q=question, r=example_role: (q, r), None, [box, role], queue=False, **private
            ).then(chat, [box, chatbot, role, meta], **answering, **private)
        chatbot.retry(retry, [chatbot, role, meta], **answering, **private)
        retry_btn.click(retry_last, [chatbot, role, meta], **answering, **private)
        chatbot.undo(undo, [chatbot, meta], outputs, queue=False, **private)
        undo_btn.click(undo_last, [chatbot, meta], outputs, queue=False, **private)
        clear_btn.click(new_chat, None, outputs, queue=False, **private)
        chatbot.clear(new_chat, None, outputs, queue=False, **private)
        chatbot.like(on_like, [meta], None, **private)
        chatbot.select(on_select, [meta], [sources], queue=False, **private)
        fb_button.click(feedback_api, [fb_index, fb_vote, meta], [fb_status], api_name="feedback")
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=max(64, 8 * settings.concurrency))
    return demo


def launch(demo: gr.Blocks, settings: Settings, **overrides):
    """Serve ``demo`` on the configured host/port with the app's theme and CSS (no analytics, no share
    unless configured). ``overrides`` go to ``Blocks.launch`` (e.g. ``prevent_thread_lock=True``)."""
    kwargs = {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": settings.share,
        "css": getattr(demo, "_advisor_css", CSS),
        "theme": getattr(demo, "_advisor_theme", None),
        "footer_links": [],
        "show_error": False,
        "max_threads": max(40, 4 * settings.concurrency),
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
    }
    kwargs.update(overrides)
    return demo.launch(**kwargs)


# -- first start -----------------------------------------------------------------------------------
def ensure_index(settings: Settings, embedder) -> None:
    """Build the index from ``settings.corpus_dir`` when there is none, with a console progress bar."""
    from .cli import console_progress
    from .index import ingest

    print("首次启动：正在建立索引…", file=sys.stderr, flush=True)
    with console_progress() as progress:
        report = ingest(settings, embedder, [Path(settings.corpus_dir)], progress=progress)
    print(f"索引已建立：{report.documents} 篇文档，{report.chunks} 个文本块。", file=sys.stderr, flush=True)


def load_advisor(settings: Settings):
    """``Advisor.load`` that builds the index on a fresh machine first."""
    from .core import Advisor
    from .embeddings import make_embedder
    from .index import IndexMissingError

    embedder = make_embedder(settings.embedder)
    try:
        return Advisor.load(settings, embedder=embedder)
    except IndexMissingError:
        ensure_index(settings, embedder)
        return Advisor.load(settings, embedder=embedder)


def warm_up(adv) -> None:
    """Retrieve for the example questions once (no LLM calls) so the first visitor does not pay for
    lazy loading (jieba dictionary, scope gate, vector index)."""
    for question, role in [*ROLE_EXAMPLES, *STORY_EXAMPLES]:
        try:
            passages = adv.search(question, k=adv.settings.top_k, role=role_arg(role))
            adv.answerer.in_scope_score(question, passages)
        except Exception as exc:  # warming up must never stop the app from starting
            log.warning("warm-up failed: %s", exc)
            break


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the server cleanly, even when started from a background shell (which
    leaves SIGINT ignored)."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    from .index import IndexMismatchError
    from .llm import LLMConfigError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    try:
        adv = load_advisor(settings)
        backend = adv.backend  # builds the chat model: configuration errors surface here
    except (IndexMismatchError, LLMConfigError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(status_text(backend), file=sys.stderr)
    print("正在预热检索模型…", file=sys.stderr, flush=True)
    warm_up(adv)
    demo = build_app(adv, settings)
    _stop_on_signals()
    print(f"转型顾问已启动：http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    launch(demo, settings)
    return 0
