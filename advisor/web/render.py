"""What the page shows, as pure functions of answers and settings (tested without a server)."""

from __future__ import annotations

import html
from typing import Any

from advisor.answering.answer import Answer
from advisor.answering.messages import message_text
from advisor.answering.state import State
from advisor.kb.facts import Knowledge

TITLE = "转型顾问"
SUBTITLE = "互联网 35+ 中层（技术 / 产品 / 运营 / 市场）的转型问答：只依据知识库文章作答，引用可逐条核对。"
ALL_ROLES = "全部"
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
#sources-panel, #plan-sources, #card-sources { max-height: 82vh; overflow-y: auto; }
#plan-error p { color: #b91c1c; margin: 4px 0; }
.src-head { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.convo-state { font-size: 0.85em; padding: 6px 10px; margin-bottom: 8px; border-radius: 8px;
  background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }
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


def role_choices(kb: Knowledge) -> list[str]:
    return [ALL_ROLES, *kb.role_names]


def role_arg(role: str | None, kb: Knowledge) -> str | None:
    """The radio's value as the ``role`` argument of ``Advisor.stream`` (全部 means none)."""
    return role if role in kb.roles else None


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


def _source_link(source: str | None) -> str:
    source = (source or "").strip()
    if source.startswith(("http://", "https://")):
        url = html.escape(source, quote=True)
        return f'原文：<a href="{url}" target="_blank" rel="noopener noreferrer">{html.escape(source)}</a>'
    return f"出处：{html.escape(source)}" if source else ""


def state_line(answer: Answer | None) -> str:
    """What the advisor remembers of the conversation after ``answer`` ("我的岗位：运营 · 正在聊：横向跨界"),
    so a user sees what "第二条路" or "他" will mean in the next question; empty when nothing is known."""
    said = State.from_dict(answer.state).describe() if answer is not None and answer.state else ""
    return f'<div class="convo-state" id="convo-state">对话记住了：{html.escape(said)}</div>' if said else ""


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
        path = " › ".join(html.escape(p) for p in (c.title, c.section) if p)
        link = _source_link(c.source)
        cards.append(
            f'<div class="src-card" id="src-{c.n}">'
            f'<div class="src-title"><span class="src-n">[{c.n}]</span>{html.escape(c.title)}</div>'
            f'<div class="src-path">{path}</div>'
            f'<div class="src-text">{text}</div>'
            + (f'<div class="src-link">{link}</div>' if link else "")
            + "</div>"
        )
    return '<div class="sources">' + "".join(cards) + "</div>"


def vote_of(liked: Any) -> str | None:
    """A 👍/👎 event's value as ``up``/``down``; ``None`` when a vote was taken back."""
    if liked is True or liked in ("Like", "like", "up"):
        return "up"
    if liked is False or liked in ("Dislike", "dislike", "down"):
        return "down"
    return None


def event_index(data: Any) -> int:
    """The message position a Gradio event (like, retry, undo, select) reports."""
    idx = data.index
    return idx if isinstance(idx, int) else idx[0]
