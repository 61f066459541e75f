"""Handlers of the 「转型规划」 and 「岗位速览」 tabs, at module level like ``chat.py``: each takes the
``Advisor`` first (bound by the layout) and the components' values after it.

A plan that cannot be made (an input out of range, say) leaves the form and the plan shown before it
as they are and says why in Chinese; the plan handed to the chat is kept as data (its inputs) in a
``gr.State`` the chat handler passes to ``Advisor.stream``.
"""

from __future__ import annotations

import logging

import gradio as gr

from advisor.answering.messages import message_text
from advisor.cards import card_for
from advisor.errors import AdvisorError
from advisor.planning.timeline import timeline_svg
from advisor.web.export import plan_downloads
from advisor.web.render import SOURCES_NONE, display_text, render_sources

log = logging.getLogger(__name__)
PLAN_FAILED = "抱歉，生成计划时出了点问题（已记录日志）。请稍后重试。"
HANDED = (
    "已把你的转型计划（{profile}）带进对话。可以接着问，例如：\n"
    "- 关于这个计划的第二步，我这周先做什么？\n- 计划里的止损矩阵怎么用？\n- 那第二条路具体怎么走？"
)
CARD_BUTTON = "查看岗位速览：{name}"


def timeline_html(plan) -> str:
    """The chart inline at its own size (its labels stay readable at 100 % zoom; it scrolls sideways on a
    narrow screen rather than shrinking)."""
    return f'<div id="plan-timeline-img" role="figure">{timeline_svg(plan.timeline)}</div>'


def make_plan(adv, role, years, level, goal, savings, hours, note) -> tuple:
    """(error, plan text, timeline, sources, downloads, plan state, hand-over button)."""
    raw = {"role": role, "years": years, "level": level, "goal": goal}
    raw |= {"savings_months": savings, "hours": hours, "note": note or ""}
    keep = (gr.skip(),) * 6
    try:
        plan = adv.plan(raw)
        sources = render_sources(plan.as_answer(), adv.snapshot.bodies, key="plan")
        download = gr.update(value=plan_downloads(plan), visible=True)
    except AdvisorError as exc:
        return (f"⚠️ {exc}", *keep)
    except Exception:
        log.exception("making a plan failed")
        return (f"⚠️ {PLAN_FAILED}", *keep)
    hand = gr.update(interactive=True)
    return "", display_text(plan.text), timeline_html(plan), sources, download, plan.inputs.to_dict(), hand


def hand_to_chat(plan: dict | None, history: list) -> tuple:
    """Put the plan into the conversation: (chat history, plan context, tabs, role). Handing the same
    plan over again (a double click) adds no second message."""
    if not plan:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    profile = f"{plan['role']}{plan['level']} · 目标「{plan['goal']}」"
    message = {"role": "assistant", "content": HANDED.format(profile=profile)}
    history = list(history or [])
    if not (history and message_text(history[-1].get("content")) == message["content"]):
        history.append(message)
    return history, plan, gr.Tabs(selected="chat"), plan["role"]


def forget_plan() -> tuple:
    """A new conversation starts without the plan handed to the last one (and without its card hint)."""
    return None, gr.update(visible=False)


def show_card(adv, name: str) -> tuple[str, str]:
    """(card text, sources) of a 岗位速览 card."""
    try:
        card = adv.card(name)
    except AdvisorError as exc:
        return f"⚠️ {exc}", SOURCES_NONE
    return display_text(card.text), render_sources(card.as_answer(), adv.snapshot.bodies)


def card_of(adv, answer) -> str | None:
    """The card a chat answer is about: the explained role asked about, or the asker's mid-level role
    when the answer lists its paths."""
    if answer is None:
        return None
    state = answer.state or {}
    subjects = state.get("subjects") or []
    if answer.intent in ("explain", "compare", "transition") and subjects:
        return card_for(adv.derived.kmap, subjects[0])
    if answer.intent == "paths":
        return card_for(adv.derived.kmap, state.get("role"))
    return None


def card_hint(meta: dict) -> dict:
    """The button under the chat that opens the last answer's 岗位速览 card."""
    last = max(meta, key=int) if meta else None
    name = (meta or {}).get(last, {}).get("card") if last else None
    return gr.update(visible=bool(name), value=CARD_BUTTON.format(name=name) if name else "")


def open_card(adv, meta: dict) -> tuple:
    """(tabs, card picker, card text, card sources) for the last answer's card."""
    last = max(meta, key=int) if meta else None
    name = (meta or {}).get(last, {}).get("card") if last else None
    if not name:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    text, sources = show_card(adv, name)
    return gr.Tabs(selected="cards"), name, text, sources
