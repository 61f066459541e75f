"""What the page shows, as pure functions of answers and settings (tested without a server)."""

from __future__ import annotations

import html
import re
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
    "### 有什么想问的？\n"
    "每句回答都标有来源编号 [n]：点一下就能看到文章原文。点下面的示例，或直接输入你的问题。"
)
INLINE_SOURCES = '\n\n<details class="answer-sources">'  # an answer's own sources, shown on phones
_INLINE = re.compile(re.escape(INLINE_SOURCES) + r".*</details>\s*$", re.S)


def role_choices(kb: Knowledge) -> list[str]:
    return [ALL_ROLES, *kb.role_names]


def role_arg(role: str | None, kb: Knowledge) -> str | None:
    """The radio's value as the ``role`` argument of ``Advisor.stream`` (全部 means none)."""
    return role if role in kb.roles else None


def safe_text(text: str) -> str:
    """Text for a Markdown view with every ``<``/``>``/``&`` escaped: what users type and what documents
    say is shown as written, never as HTML (an ``<img src=…>`` in either stays text, loads nothing)."""
    return html.escape(text or "", quote=False)


def shown_text(content: str) -> str:
    """A chat message as the user and the model know it: no inline sources block, HTML unescaped."""
    return html.unescape(_INLINE.sub("", content or ""))


def plain_history(history: list | None) -> list[dict]:
    """Chat history as ``[{"role", "content": str}]`` (user/assistant only), as typed and answered."""
    out = []
    for m in history or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": shown_text(message_text(m.get("content")))})
    return out


def displayed(history: list[dict]) -> list[dict]:
    """``plain_history`` back in the chat view: escaped again (the inline sources are not kept)."""
    return [{"role": m["role"], "content": safe_text(m["content"])} for m in history]


_NUMBERED_ITEM = re.compile(r"^(\s*- )(\d+)\. ")
_SAME_AS_NEXT = re.compile(r"\[(\d+)\](?=[^\[\n]*\[\1\])")  # a marker the next one on the line repeats


def display_text(text: str) -> str:
    """Answer text as chat Markdown, escaped (``safe_text``): a section label (``**…**``) right after a
    list item would be folded into that item, so it gets a blank line before it; a step's own number in a
    bullet ("- 1. …") stays text instead of opening a second list ("◦ 1."); sentences of one paragraph
    from one source carry its ``[n]`` once, after the last of them, not after each."""
    out: list[str] = []
    for line in _SAME_AS_NEXT.sub("", safe_text(text)).split("\n"):
        if line.startswith("**") and out and out[-1].strip():
            out.append("")
        out.append(_NUMBERED_ITEM.sub(r"\1\2\\. ", line))
    return "\n".join(out)


def status_text(backend: str) -> str:
    return EXTRACTIVE_STATUS if backend == "extractive" else f"当前模式：大模型 {backend}"


def mode_badge(backend: str) -> str:
    """The mode in a few words for users (the details are in 设置 / 关于)."""
    return "摘录模式：回答是文章原句" if backend == "extractive" else "大模型作答，引用逐条核对"


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


def state_line(answer: Answer | dict | None) -> str:
    """What the advisor remembers of the conversation after ``answer`` (or a state dict) ("我的岗位：运营 ·
    正在聊：横向跨界"), so a user sees what "第二条路" or "他" will mean next; empty when nothing is known."""
    state = answer.state if isinstance(answer, Answer) else answer
    said = State.from_dict(state).describe() if state else ""
    return f'<div class="convo-state" id="convo-state">对话记住了：{html.escape(said)}</div>' if said else ""


def with_state(sources: str, state: dict | None) -> str:
    """``sources`` (a panel's HTML) under a new state line."""
    body = re.sub(r'^<div class="convo-state" id="convo-state">.*?</div>', "", sources or "", count=1)
    return state_line(state) + (body or SOURCES_IDLE)


def inline_sources(cards: str, count: int) -> str:
    """An answer's sources folded under it (shown on narrow screens, where the panel is far below)."""
    if not count:
        return ""
    one_block = cards.replace("\r", "").replace("\n", "<br>")  # a blank line would end the HTML block
    return f"{INLINE_SOURCES}<summary>来源（{count} 条）</summary>{one_block}</details>"


def render_sources(answer: Answer | None, bodies: dict[str, str], key: str = "") -> str:
    """The sources panel: one card per citation, passage text with the cited quote highlighted; ``key``
    names the answer they belong to (so a click on its ``[n]`` finds them). Classes, not ids or data
    attributes: the chat's sanitizer keeps only classes, and an answer's copy folded under it must not
    repeat an id."""
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
            f'<div class="src-card src-{c.n}">'
            f'<div class="src-title"><span class="src-n">[{c.n}]</span>{html.escape(c.title)}</div>'
            f'<div class="src-path">{path}</div>'
            f'<div class="src-text">{text}</div>'
            + (f'<div class="src-link">{link}</div>' if link else "")
            + "</div>"
        )
    key_class = f" key-{re.sub(r'[^0-9a-z-]', '', key)}" if key else ""
    return f'<div class="sources{key_class}">' + "".join(cards) + "</div>"


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
