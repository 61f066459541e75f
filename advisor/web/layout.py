"""The chat page: components and events, with the module-level handlers bound to one ``Advisor``.

API endpoints (for ``gradio_client`` and the load benchmark):

- ``/chat`` (message, history, role) -> (history, sources_html, message_box); streams partial outputs.
- ``/feedback`` (index, vote) -> status text; ``vote`` is ``up`` or ``down``, ``index`` the position of
  the assistant message in the chat history (the same number a 👍/👎 click reports).
"""

from __future__ import annotations

import functools
import inspect
import socket
import typing
from collections.abc import Callable

import gradio as gr

from ..feedback import FeedbackStore
from . import handlers
from .views import ALL_ROLES, PLACEHOLDER, SOURCES_IDLE, SUBTITLE, TITLE, role_choices, status_text


def bind(handler: Callable, *bound) -> Callable:
    """``functools.partial(handler, *bound)`` that Gradio can still inspect.

    Gradio finds event-data parameters (``gr.LikeData``…) by type hint and streaming by
    ``isgeneratorfunction``; a bare partial hides the hints, so the bound function gets the
    handler's remaining signature and annotations.
    """
    part = functools.partial(handler, *bound)
    if inspect.isgeneratorfunction(handler):

        def fn(*args):
            yield from part(*args)
    else:

        def fn(*args):
            return part(*args)

    params = list(inspect.signature(handler).parameters.values())[len(bound) :]
    hints = typing.get_type_hints(handler)
    fn.__signature__ = inspect.Signature(params)
    fn.__annotations__ = {p.name: hints[p.name] for p in params if p.name in hints}
    fn.__name__ = fn.__qualname__ = handler.__name__
    fn.__doc__ = handler.__doc__
    return fn


def _examples(kb) -> list[tuple[gr.Button, str, str | None]]:
    buttons = []
    for label, items in kb.examples.items():
        gr.Markdown(f"**{label}**（点击即提问）", elem_classes="examples-label")
        with gr.Row(elem_classes="examples-row"):
            for question, role in items:
                btn = gr.Button(question, size="sm", scale=0, min_width=0, elem_classes="example-btn")
                buttons.append((btn, question, role))
    return buttons


def _chat_column(kb):
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
    role = gr.Radio(role_choices(kb), value=ALL_ROLES, label="我的岗位（回答会侧重该岗位的路径）")
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
    return chatbot, role, box, send, retry_btn, undo_btn, clear_btn


def build_demo(adv, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat page over an ``Advisor``; votes go to ``feedback`` (default: the configured database,
    with spooled votes delivered in the background)."""
    settings, kb = adv.settings, adv.snapshot.knowledge
    if feedback is None:
        feedback = FeedbackStore.from_settings(settings, replica=f"{socket.gethostname()}:{settings.port}")
        feedback.keep_delivering(settings.feedback_retry_seconds)
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True) as demo:
        meta = gr.State({})
        gr.Markdown(f"# {TITLE}\n{SUBTITLE}", elem_id="app-title")
        gr.Markdown(status_text(adv.backend), elem_id="status-line")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot, role, box, send, retry_btn, undo_btn, clear_btn = _chat_column(kb)
                examples = _examples(kb)
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
        chat = bind(handlers.chat, adv)
        retry = bind(handlers.retry, adv)
        gr.on([box.submit, send.click], chat, [box, chatbot, role, meta], api_name="chat", **answering)
        for btn, question, example_role in examples:
            fill = functools.partial(handlers.ask_example, question, example_role)
            btn.click(fill, None, [box, role], queue=False, **private).then(
                chat, [box, chatbot, role, meta], **answering, **private
            )
        chatbot.retry(retry, [chatbot, role, meta], **answering, **private)
        retry_btn.click(retry, [chatbot, role, meta], **answering, **private)
        chatbot.undo(handlers.undo, [chatbot, meta], outputs, queue=False, **private)
        undo_btn.click(handlers.undo, [chatbot, meta], outputs, queue=False, **private)
        clear_btn.click(handlers.new_chat, None, outputs, queue=False, **private)
        chatbot.clear(handlers.new_chat, None, outputs, queue=False, **private)
        chatbot.like(bind(handlers.on_like, feedback), [meta], None, **private)
        chatbot.select(handlers.on_select, [meta], [sources], queue=False, **private)
        fb_button.click(
            bind(handlers.feedback_api, feedback), [fb_index, fb_vote, meta], [fb_status], api_name="feedback"
        )
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=max(64, 8 * settings.concurrency))
    return demo
