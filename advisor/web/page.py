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

from advisor.feedback.store import FeedbackStore
from advisor.web import chat as chat_events
from advisor.web import plan_handlers
from advisor.web.plan_tab import cards_tab, plan_tab
from advisor.web.progress_tab import bind_progress, progress_tab, remembered
from advisor.web.render import (
    ALL_ROLES,
    PLACEHOLDER,
    SOURCES_IDLE,
    SUBTITLE,
    TITLE,
    role_choices,
    status_text,
)


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
        card_btn = gr.Button("", size="sm", visible=False, elem_id="card-hint")
    return chatbot, role, box, send, retry_btn, undo_btn, clear_btn, card_btn


def _chat_tab(kb) -> tuple:
    """The chat, its buttons and examples, and the sources panel beside it."""
    with gr.Tab("对话", id="chat", elem_id="chat-tab"), gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            parts = _chat_column(kb)
            examples = _examples(kb)
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### 来源")
            sources = gr.HTML(SOURCES_IDLE, elem_id="sources-panel")
    return (*parts, examples, sources)


def _bind_tabs(adv, tabs, plan, cards, chatbot, role, plan_ctx, meta, card_btn, answering) -> None:
    """The plan tab, the cards tab, and the ways between them and the chat."""
    private = {"api_visibility": "private"}
    made = [plan.error, plan.text, plan.timeline, plan.sources, plan.download, plan.state, plan.to_chat]
    pool = {k: answering[k] for k in ("concurrency_id", "concurrency_limit")}
    plan.go.click(bind(plan_handlers.make_plan, adv), plan.form, made, **pool, **private)
    handed = [chatbot, plan_ctx, tabs, role]
    plan.to_chat.click(plan_handlers.hand_to_chat, [plan.state, chatbot], handed, queue=False, **private)
    cards.pick.input(bind(plan_handlers.show_card, adv), [cards.pick], [cards.text, cards.sources], **private)
    opened = [tabs, cards.pick, cards.text, cards.sources]
    card_btn.click(bind(plan_handlers.open_card, adv), [meta], opened, **private)


def _feedback_api(feedback: FeedbackStore, meta: gr.State) -> None:
    """A hidden ``/feedback`` endpoint (index, vote) for scripts and the load benchmark: the same vote
    the 👍/👎 buttons record."""
    with gr.Row(visible=False):
        fb_index = gr.Number(label="index", precision=0)
        fb_vote = gr.Textbox(label="vote")
        fb_status = gr.Textbox(label="status")
        fb_button = gr.Button("feedback")
    fb_button.click(
        bind(chat_events.feedback_api, feedback), [fb_index, fb_vote, meta], [fb_status], api_name="feedback"
    )


def build_demo(adv, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat page over an ``Advisor``; votes go to ``feedback`` (default: the configured database,
    with spooled votes delivered in the background)."""
    settings, kb = adv.settings, adv.snapshot.knowledge
    if feedback is None:
        feedback = FeedbackStore.from_settings(settings, replica=f"{socket.gethostname()}:{settings.port}")
        feedback.keep_delivering(settings.feedback_retry_seconds)
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True) as demo:
        meta = gr.State({})
        plan_ctx = gr.State(None)  # a transition plan handed to the chat (its inputs)
        followed = remembered()  # the followed plan's token, in this browser's localStorage
        gr.Markdown(f"# {TITLE}\n{SUBTITLE}", elem_id="app-title")
        gr.Markdown(status_text(adv.backend), elem_id="status-line")
        with gr.Tabs(elem_id="tabs") as tabs:
            chatbot, role, box, send, retry_btn, undo_btn, clear_btn, card_btn, examples, sources = _chat_tab(
                kb
            )
            plan = plan_tab(adv)
            cards = cards_tab(adv)
            progress = progress_tab(followed)
        _feedback_api(feedback, meta)
        outputs = [chatbot, sources, meta, box]
        # Every event that answers shares one pool of ``settings.concurrency`` workers.
        answering = {
            "outputs": outputs,
            "show_progress": "hidden",
            "concurrency_id": "answer",
            "concurrency_limit": settings.concurrency,
        }
        private = {"api_visibility": "private"}
        chat = bind(chat_events.chat, adv)
        retry = bind(chat_events.retry, adv)
        hint = {
            "fn": plan_handlers.card_hint,
            "inputs": [meta],
            "outputs": [card_btn],
            "queue": False,
            **private,
        }
        asked = [box, chatbot, role, meta, plan_ctx]
        gr.on([box.submit, send.click], chat, asked, api_name="chat", **answering).then(**hint)
        for btn, question, example_role in examples:
            fill = functools.partial(chat_events.ask_example, question, example_role)
            btn.click(fill, None, [box, role], queue=False, **private).then(
                chat, asked, **answering, **private
            ).then(**hint)
        chatbot.retry(retry, [chatbot, role, meta, plan_ctx], **answering, **private).then(**hint)
        retry_btn.click(retry, [chatbot, role, meta, plan_ctx], **answering, **private).then(**hint)
        chatbot.undo(chat_events.undo, [chatbot, meta], outputs, queue=False, **private)
        undo_btn.click(chat_events.undo, [chatbot, meta], outputs, queue=False, **private)
        forget = {"fn": plan_handlers.forget_plan, "outputs": [plan_ctx, card_btn], "queue": False}
        clear_btn.click(chat_events.new_chat, None, outputs, queue=False, **private).then(**forget, **private)
        chatbot.clear(chat_events.new_chat, None, outputs, queue=False, **private).then(**forget, **private)
        chatbot.like(bind(chat_events.on_like, feedback), [meta], None, **private)
        chatbot.select(chat_events.on_select, [meta], [sources], queue=False, **private)
        _bind_tabs(adv, tabs, plan, cards, chatbot, role, plan_ctx, meta, card_btn, answering)
        bind_progress(demo, adv, progress, plan.follow, plan.state, tabs, plan_ctx, bind)
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=max(64, 8 * settings.concurrency))
    return demo
