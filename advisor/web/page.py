"""The chat page: components and events, with the module-level handlers bound to one ``Advisor``.

API endpoints (for ``gradio_client`` and the load benchmark):

- ``/chat`` (message, history, role) -> (history, sources_html, message_box); streams partial outputs.
- ``/feedback`` (index, vote) -> status text; ``vote`` is ``up`` or ``down``, ``index`` the position of
  the assistant message in the chat history (the same number a 👍/👎 click reports).
"""

from __future__ import annotations

import functools
import inspect
import json
import socket
import typing
from collections.abc import Callable

import gradio as gr

from advisor.feedback.store import FeedbackStore
from advisor.web import chat as chat_events
from advisor.web import plan_handlers, session
from advisor.web.export import NO_EXPORT
from advisor.web.inputs import chinese_history_errors, chinese_role_errors
from advisor.web.plan_tab import cards_tab, plan_tab
from advisor.web.progress_tab import bind_progress, progress_tab, remembered
from advisor.web.render import (
    ALL_ROLES,
    PENDING,
    PLACEHOLDER,
    SOURCES_IDLE,
    SUBTITLE,
    TITLE,
    role_choices,
    status_text,
)

PENDING_JS = f"""(m, h) => {{
  const q = (m || "").trim();
  if (!q) return [h, m, ""];
  const esc = q.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const msg = (role, text) => ({{role, metadata: null, options: null, content: [{{type: "text", text}}]}});
  return [[...(h || []), msg("user", esc), msg("assistant", {json.dumps(PENDING)})], "", q];
}}"""
ABOUT = (
    "回答只依据知识库里的文章；每个 [n] 对应右侧（手机上在回答下方）的一段原文，高亮的是引用的原句。"
    "对话只保存在这个浏览器里（可随时「清空对话」），不会发到别处。"
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


INTRO = (
    ("对话问答", "问转型方向、岗位差异、真实案例；每句话都标出处，点 [n] 看原文。"),
    ("转型规划", "填几项你的情况（岗位、年限、存款、时间），生成一份带时间线、可下载的转型计划。"),
    ("岗位速览", "产品经理、各类运营、技术 / 市场中层：做什么、典型工作、和相邻岗位的区别。"),
)
REASONS = ["答非所问", "不够具体", "引用不对", "其他"]


def _landing(adv) -> None:
    """Who it is for and the three things it does, in a few lines above the tabs."""
    gr.Markdown(f"# {TITLE}\n{SUBTITLE}", elem_id="app-title")
    items = "".join(f'<div class="intro-item"><b>{name}</b>：{what}</div>' for name, what in INTRO)
    gr.HTML(f'<div id="intro">{items}</div>', padding=False)


def _about(adv) -> None:
    """Model settings for whoever runs the app: small and collapsed, at the end of the page."""
    with gr.Accordion("设置 / 关于", open=False, elem_id="about"):
        gr.Markdown(f"{status_text(adv.backend)}\n\n{ABOUT}", elem_id="status-line")


def _examples(kb) -> tuple[list[dict], dict[str, str | None]]:
    """The example questions shown in the empty chat, and the role each one asks for."""
    items = kb.example_questions()
    return [{"text": q} for q, _ in items], dict(items)


def _reason_form():
    with gr.Group(visible=False, elem_id="reason-box") as box:
        reason = gr.Radio(REASONS, label="哪里不好？（选一项，可补充一句）", elem_id="reason-pick")
        detail = gr.Textbox(
            show_label=False, placeholder="补充一句（选填）", max_lines=2, elem_id="reason-text"
        )
        send = gr.Button("提交", size="sm", variant="primary", elem_id="reason-send")
    return box, reason, detail, send


def _chat_column(kb, choices: list[str]):
    examples, _ = _examples(kb)
    chatbot = gr.Chatbot(
        show_label=False,
        height="calc(100vh - 420px)",
        min_height=300,
        layout="bubble",
        placeholder=PLACEHOLDER,
        examples=examples,
        latex_delimiters=[],
        buttons=["copy"],
        elem_id="chatbot",
    )
    role = gr.Radio(choices, value=ALL_ROLES, label="我的岗位（回答会侧重该岗位的路径）", elem_id="role-pick")
    chinese_history_errors(chatbot)
    chinese_role_errors(role)
    with gr.Row():
        box = gr.Textbox(
            show_label=False,
            placeholder="输入你的问题，按回车发送（Shift+回车换行）",
            lines=1,
            max_lines=6,
            scale=5,
            elem_id="question-box",
        )
        send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send-btn")
    with gr.Row():
        retry_btn = gr.Button("重试", size="sm", elem_id="retry-btn")
        undo_btn = gr.Button("撤销", size="sm", elem_id="undo-btn")
        clear_btn = gr.Button("清空对话", size="sm", elem_id="new-chat-btn")
    return chatbot, role, box, send, retry_btn, undo_btn, clear_btn


def _chat_tab(kb, choices: list[str]) -> tuple:
    """The chat and its controls; beside it what the conversation remembers and the sources."""
    with gr.Tab("对话", id="chat", elem_id="chat-tab"), gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            parts = _chat_column(kb, choices)
            reason = _reason_form()
            export = gr.HTML(NO_EXPORT, elem_id="export-links")
        with gr.Column(scale=2, min_width=300, elem_id="sources-col"):
            card_btn = gr.Button("", size="sm", visible=False, elem_id="card-hint")
            sources = gr.HTML(SOURCES_IDLE, elem_id="sources-panel")
    return parts, reason, export, card_btn, sources


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


def _bind_chat(adv, feedback, c: dict) -> None:
    """The chat's events: the question's bubble at once, the answer in the shared pool, then the controls
    that follow the answer (role, stored conversation, export, card button)."""
    private = {"api_visibility": "private"}
    outputs = [c["chatbot"], c["sources"], c["meta"], c["box"]]
    answering = {
        "outputs": outputs,
        "show_progress": "hidden",
        "concurrency_id": "answer",
        "concurrency_limit": adv.settings.concurrency + adv.settings.llm_concurrency,
    }
    chat, retry = bind(chat_events.chat, adv), bind(chat_events.retry, adv)
    follow = {
        "fn": lambda history, meta, role: session.after_answer(history, meta, role, c["role_choices"]),
        "inputs": [c["chatbot"], c["meta"], c["role"]],
        "outputs": [c["role"], c["saved"], c["export"], c["card_btn"]],
        "queue": False,
        **private,
    }
    state = [c["chatbot"], c["role"], c["meta"], c["plan_ctx"]]
    # ``/chat`` (message, history, role) for scripts, registered first so that it keeps its name
    api_button = gr.Button("chat", visible=False)
    api_button.click(chat, [c["box"], *state], api_name="chat", **answering)
    # drawn by the browser itself: no round trip before the user sees their question taken
    pend = {"fn": None, "js": PENDING_JS, "outputs": [c["chatbot"], c["box"], c["asked"]], "queue": False}
    gr.on([c["box"].submit, c["send"].click], inputs=[c["box"], c["chatbot"]], **pend, **private).then(
        chat, [c["asked"], *state], **answering, **private
    ).then(**follow)
    c["chatbot"].example_select(
        bind(chat_events.ask_example, c["roles"]), None, [c["box"], c["role"]], queue=False, **private
    ).then(inputs=[c["box"], c["chatbot"]], **pend, **private).then(
        chat, [c["asked"], *state], **answering, **private
    ).then(**follow)
    redo = [c["chatbot"], c["role"], c["meta"], c["plan_ctx"]]
    c["chatbot"].retry(retry, redo, **answering, **private).then(**follow)
    c["retry_btn"].click(retry, redo, **answering, **private).then(**follow)
    for undo in (c["chatbot"].undo, c["undo_btn"].click):
        undo(chat_events.undo, [c["chatbot"], c["meta"]], outputs, queue=False, **private).then(**follow)
    cleared = [*outputs, c["plan_ctx"], c["card_btn"], c["saved"], c["export"]]
    for clear in (c["clear_btn"].click, c["chatbot"].clear):
        clear(session.new_conversation, None, cleared, queue=False, **private)
    reason_out = [c["reason_box"], c["reason_for"]]
    c["chatbot"].like(bind(chat_events.on_like, feedback), [c["meta"]], reason_out, **private)
    c["reason_send"].click(
        bind(chat_events.send_reason, feedback),
        [c["meta"], c["reason_for"], c["reason"], c["reason_text"]],
        [*reason_out, c["reason"], c["reason_text"]],
        **private,
    )
    c["chatbot"].select(chat_events.on_select, [c["meta"]], [c["sources"]], queue=False, **private)
    c["role"].input(
        session.set_role, [c["role"], c["meta"], c["sources"]], [c["sources"], c["meta"]], **private
    )


def build_demo(adv, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat page over an ``Advisor``; votes go to ``feedback`` (default: the configured database,
    with spooled votes delivered in the background)."""
    settings, kb = adv.settings, adv.snapshot.knowledge
    if feedback is None:
        feedback = FeedbackStore.from_settings(settings, replica=f"{socket.gethostname()}:{settings.port}")
        feedback.keep_delivering(settings.feedback_retry_seconds)
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=True) as demo:
        c: dict = {"meta": gr.State({}), "plan_ctx": gr.State(None), "asked": gr.Textbox(visible=False)}
        c["saved"] = gr.BrowserState({}, storage_key=session.STORAGE_KEY, secret=session.STORAGE_SECRET)
        c["reason_for"] = gr.State(None)
        c["roles"] = _examples(kb)[1]
        _landing(adv)
        followed = remembered()  # the followed plan's token, in this browser's localStorage
        with gr.Tabs(elem_id="tabs") as tabs:
            # the radio offers every role the articles have, those an added article brings included
            c["role_choices"] = role_choices(adv.view().derived.knowledge)
            parts, reason, c["export"], c["card_btn"], c["sources"] = _chat_tab(kb, c["role_choices"])
            names = ("chatbot", "role", "box", "send", "retry_btn", "undo_btn", "clear_btn")
            c |= dict(zip(names, parts, strict=True))
            c |= dict(zip(("reason_box", "reason", "reason_text", "reason_send"), reason, strict=True))
            plan = plan_tab(adv)
            cards = cards_tab(adv)
            progress = progress_tab(followed)
        _about(adv)
        _feedback_api(feedback, c["meta"])
        _bind_chat(adv, feedback, c)
        # Every answering event shares one pool: ``concurrency`` workers beyond the ``llm_concurrency``
        # that model calls may hold (up to the answer deadline), so excerpt answers never queue behind them.
        answering = {
            "concurrency_id": "answer",
            "concurrency_limit": settings.concurrency + settings.llm_concurrency,
        }
        _bind_tabs(
            adv,
            tabs,
            plan,
            cards,
            c["chatbot"],
            c["role"],
            c["plan_ctx"],
            c["meta"],
            c["card_btn"],
            answering,
        )
        bind_progress(demo, adv, progress, plan.follow, plan.state, tabs, c["plan_ctx"], bind)
        restored = [c["chatbot"], c["sources"], c["meta"], c["role"], c["export"], c["card_btn"]]
        demo.load(
            lambda saved: session.restore(saved, c["role_choices"]),
            [c["saved"]],
            restored,
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=max(64, 8 * settings.concurrency))
    return demo
