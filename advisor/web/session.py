"""The conversation kept in the browser (``gr.BrowserState``: this browser's local storage, nothing
stored on the server), and the controls that follow it: the role radio, the export links, the card
button."""

from __future__ import annotations

from collections.abc import Collection

import gradio as gr

from advisor.web.chat import last_state, new_chat, raw_history
from advisor.web.export import NO_EXPORT, export_links
from advisor.web.plan_handlers import card_hint, forget_plan
from advisor.web.render import ALL_ROLES, SOURCES_IDLE, plain_history, with_state

STORAGE_KEY = "advisor-chat-v1"
# BrowserState encrypts what it stores with this key; a fixed one lets a conversation outlive an app
# restart. It protects nothing secret: the data is the user's own, in the user's own browser.
STORAGE_SECRET = "advisor-browser-conversation"


def saved_value(history: list, meta: dict) -> dict:
    return {"history": raw_history(history), "meta": meta or {}}


def after_answer(history: list, meta: dict, role: str, choices: Collection[str]) -> tuple:
    """Once an answer is complete: (role radio, stored conversation, export links, card button). The
    radio follows the role the conversation remembers, when it is one of its ``choices`` (a role an
    article added since the page was built is not: set anyway, the radio refused every later event);
    a refused message changes nothing."""
    last = max(meta, key=int) if meta else None
    info = (meta or {}).get(last, {}) if last else {}
    remembered = (info.get("state") or {}).get("role")
    offered = remembered in choices
    follow = remembered if offered and remembered != role and not info.get("refused") else None
    return (
        follow if follow else gr.skip(),
        saved_value(history, meta),
        export_links(plain_history(history), meta),
        card_hint(meta),
    )


def set_role(role: str, meta: dict, sources: str) -> tuple:
    """The radio changed by hand: the conversation now remembers that role (全部: none): (sources, meta)."""
    meta = dict(meta or {})
    last = max(meta, key=int) if meta else None
    if last is None:
        return with_state(sources, {"role": None if role == ALL_ROLES else role}), meta
    info = dict(meta[last])
    info["state"] = {**(info.get("state") or {}), "role": None if role == ALL_ROLES else role}
    info["sources"] = with_state(info.get("sources") or "", info["state"])
    meta[last] = info
    return info["sources"], meta


def restore(saved: dict | None, choices: Collection[str]) -> tuple:
    """The page opened again: (chat, sources, meta, role, export links, card button) as they were; the
    radio only to one of its ``choices``."""
    saved = saved if isinstance(saved, dict) else {}
    history, meta = raw_history(saved.get("history")), saved.get("meta") or {}
    if not history:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
    last = max(meta, key=int) if meta else None
    sources = meta[last].get("sources") if last else SOURCES_IDLE
    role = (last_state(meta, len(history) + 1) or {}).get("role")
    role = role if role in choices else gr.skip()
    return history, sources, meta, role, export_links(plain_history(history), meta), card_hint(meta)


def forget() -> tuple:
    """A new conversation: nothing stored, nothing to export."""
    return {}, NO_EXPORT


def new_conversation() -> tuple:
    """清空对话, in one step so that a reload right after it cannot bring the old conversation back:
    (chat, sources, meta, box, handed plan, card button, stored conversation, export links)."""
    return (*new_chat(), *forget_plan(), *forget())
