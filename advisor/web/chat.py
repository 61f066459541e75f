"""The page's event handlers, at module level: each takes the ``Advisor`` first (bound by the layout)
and the components' values after it, so tests call them directly without a server.

Chat handlers yield ``(history, sources_html, meta, message_box)``; ``meta`` maps the position of
each assistant message to what a vote on it records (question, answer, role, backend, cited chunks,
and the sources panel to show again when the message is clicked).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr

from advisor.answering.answer import Answer
from advisor.answering.messages import message_text
from advisor.errors import FeedbackError
from advisor.feedback.store import FeedbackStore, Vote
from advisor.text.hygiene import clean_data, clean_text
from advisor.web.plan_handlers import card_of
from advisor.web.render import (
    ALL_ROLES,
    ERROR_REPLY,
    PENDING,
    SOURCES_IDLE,
    SOURCES_NONE,
    SOURCES_PENDING,
    display_text,
    event_index,
    inline_sources,
    plain_history,
    render_sources,
    role_arg,
    safe_text,
    shown_text,
    state_line,
    vote_of,
)

log = logging.getLogger(__name__)
VOTE_SAVED = "已记录反馈，谢谢！"


def _stream_answer(
    adv, view, question: str, prior: list[dict], role: str | None, plan: dict | None = None
) -> Iterator[tuple[str, Answer | None]]:
    """(text so far, final answer or None) while the answer streams; never raises. ``plan`` is a
    transition plan handed to the chat (its inputs)."""
    text = ""
    try:
        kb = view.snapshot.knowledge
        for item in adv.stream(
            question, history=prior, role=role_arg(role, kb), view=view, plan=plan or None
        ):
            if isinstance(item, Answer):
                yield text, item
                return
            text += item
            yield text, None
    except Exception:
        log.exception("answering failed")
        yield (text + "\n\n" if text.strip() else "") + ERROR_REPLY, None


def _sources(view, answer: Answer | None, key: str, state: dict | None) -> str:
    """The sources panel, under the line saying what the conversation has established."""
    try:
        cards = render_sources(answer, view.snapshot.bodies, key) if answer is not None else SOURCES_NONE
        return state_line(state) + cards
    except Exception:
        log.exception("rendering sources failed")
        return SOURCES_NONE


def raw_history(history: list | None) -> list[dict]:
    """The chat as shown (escaped, with each answer's folded sources), user/assistant messages only."""
    out = []
    for m in history or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": message_text(m.get("content"))})
    return out


def answered_history(history: list[dict], meta: dict) -> list[dict]:
    """What the advisor is told of the conversation: as typed and answered, without refused exchanges
    (a refused message changes nothing the conversation remembers)."""
    plain = plain_history(history)
    drop = {int(k) for k, v in (meta or {}).items() if v.get("refused") and int(k) < len(plain)}
    drop |= {i - 1 for i in drop if i > 0 and plain[i - 1]["role"] == "user"}
    return [m for i, m in enumerate(plain) if i not in drop]


def last_state(meta: dict, before: int) -> dict | None:
    """The conversation's state after the last answer before position ``before``."""
    earlier = [int(k) for k in (meta or {}) if int(k) < before]
    return meta[str(max(earlier))].get("state") if earlier else None


def _without_pending(history: list[dict], question: str) -> list[dict]:
    tail = history[-2:]
    if len(tail) == 2 and tail[1]["content"] == PENDING and shown_text(tail[0]["content"]) == question:
        return history[:-2]
    return history


def answer_turns(
    adv, message: str, history: list, role: str | None, meta: dict, plan: dict | None = None
) -> Iterator[tuple]:
    """Yield (history, sources, meta, box) while the answer to ``message`` streams."""
    # Lone surrogates from the browser or the API would break the stream back and the vote's insert.
    question = clean_text(message).strip()
    shown = clean_data(_without_pending(raw_history(history), question))
    meta = {k: v for k, v in (meta or {}).items() if int(k) < len(shown)}
    prior = answered_history(shown, meta)
    user = {"role": "user", "content": safe_text(question)}
    yield [*shown, user, {"role": "assistant", "content": PENDING}], SOURCES_PENDING, meta, ""
    text, answer = "", None
    view = adv.view()  # one index generation for the answer, its sources and the vote's record
    for text, answer in _stream_answer(adv, view, question, prior, role, plan):
        if answer is None:
            yield (
                [*shown, user, {"role": "assistant", "content": display_text(text)}],
                gr.skip(),
                meta,
                gr.skip(),
            )
    final_text = display_text(answer.text if answer is not None else text)
    index = len(shown) + 1
    refused = bool(answer.refused) if answer is not None else False
    state = last_state(meta, index) if refused or answer is None else answer.state
    sources = _sources(view, answer, str(index), state)
    cards = sources.removeprefix(state_line(state))
    count = len(answer.citations) if answer is not None else 0
    turn = [*shown, user, {"role": "assistant", "content": final_text + inline_sources(cards, count)}]
    meta[str(index)] = _record(adv, view, question, prior, final_text, role, answer, sources) | {
        "state": state
    }
    yield turn, sources, meta, gr.skip()


def _record(adv, view, question, prior, final_text, role, answer, sources) -> dict:
    """What a vote on the answer stores, and what the page needs of it again (its sources, its card)."""
    cited = answer.citations if answer is not None else []
    return {
        "question": question,
        "turns": [m["content"] for m in prior if m["role"] == "user"],
        "answer": shown_text(final_text),
        "role": role or ALL_ROLES,
        "backend": answer.backend if answer is not None else adv.backend,
        "refused": bool(answer.refused) if answer is not None else False,
        "chunk_ids": [c.chunk_id for c in cited],
        "citations": [
            {"n": c.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "quote": c.quote}
            | {"title": c.title, "section": c.section, "source": c.source}
            for c in cited
        ],
        "generation": view.snapshot.manifest.generation,
        "sources": sources,
        "card": card_of(adv, answer),
        "vote_id": uuid.uuid4().hex,  # one row per answer: a changed vote updates it
    }


def chat(
    adv, message: str, history: list, role: str, meta: dict, plan: dict | None = None
) -> Iterator[tuple]:
    if not (message or "").strip():  # an empty message adds no turn
        yield raw_history(history), gr.skip(), meta, ""
        return
    yield from answer_turns(adv, message, history, role, meta, plan)


def retry(adv, history: list, role: str, meta: dict, plan: dict | None = None) -> Iterator[tuple]:
    """Answer the last question again, in place."""
    hist = raw_history(history)
    users = [i for i, m in enumerate(hist) if m["role"] == "user"]
    if not users:
        yield hist, gr.skip(), meta, gr.skip()
        return
    question = shown_text(hist[users[-1]]["content"])
    yield from answer_turns(adv, question, hist[: users[-1]], role, meta, plan)


def undo(history: list, meta: dict) -> tuple:
    """Take the last question back into the message box, with the sources of the answer before it."""
    hist = raw_history(history)
    users = [i for i, m in enumerate(hist) if m["role"] == "user"]
    if not users:
        return hist, gr.skip(), meta, gr.skip()
    idx = users[-1]
    meta = {k: v for k, v in (meta or {}).items() if int(k) < idx}
    last = max(meta, key=int) if meta else None
    sources = meta[last]["sources"] if last else SOURCES_IDLE
    return hist[:idx], sources, meta, shown_text(hist[idx]["content"])


def new_chat() -> tuple:
    return [], SOURCES_IDLE, {}, ""


def vote_from_meta(meta: dict, index: int, vote: str, reason: str | None = None) -> Vote | None:
    """The vote on the assistant message at ``index``; ``None`` if there is no such answer."""
    info = (meta or {}).get(str(index))
    if info is None:
        return None
    return Vote(
        vote=vote,
        question=info["question"],
        answer=info["answer"],
        role=info["role"],
        backend=info["backend"],
        chunk_ids=list(info.get("chunk_ids") or []),
        citations=list(info.get("citations") or []),
        turns=list(info.get("turns") or []),
        refused=bool(info.get("refused")),
        generation=int(info.get("generation") or 0),
        message_index=index,
        reason=reason or None,
        **({"vote_id": info["vote_id"]} if info.get("vote_id") else {}),
    )


def record_vote(
    store: FeedbackStore, meta: dict, index: int, vote: str | None, reason: str | None = None
) -> str:
    """Store a vote (again: a changed vote or an added reason updates its row); the answer itself is
    never touched, whatever happens to the database."""
    if vote not in ("up", "down"):
        return "未记录：vote 需为 up 或 down"
    entry = vote_from_meta(meta, int(index), vote, reason)
    if entry is None:
        return "未记录：找不到这条回答"
    try:
        store.record(entry)
    except FeedbackError as exc:
        return str(exc)
    return VOTE_SAVED


def toast(message: str) -> None:
    """A Chinese toast (Gradio's default titles are English)."""
    if message == VOTE_SAVED:
        gr.Info(message, duration=4, title="谢谢")
    else:
        gr.Warning(message, duration=8, title="注意")


def on_like(store: FeedbackStore, meta: dict, data: gr.LikeData) -> tuple:
    """Store a 👍/👎; a 👎 opens the reason form for that answer: (reason form, its answer's position)."""
    vote = vote_of(data.liked)
    if vote is None:  # a vote taken back: nothing to log
        return gr.update(visible=False), None
    index = event_index(data)
    message = record_vote(store, meta, index, vote)
    toast(message)
    return gr.update(visible=vote == "down"), index if vote == "down" else None


def send_reason(store: FeedbackStore, meta: dict, index: int | None, reason: str, detail: str) -> tuple:
    """The 👎's reason stored with it (the same row): (reason form, its answer, reason, detail)."""
    if index is None:
        return gr.update(visible=False), None, None, ""
    said = " ".join((detail or "").split())[:500]
    text = f"{reason or '其他'}：{said}" if said else (reason or "其他")
    toast(record_vote(store, meta, int(index), "down", text))
    return gr.update(visible=False), None, None, ""


def feedback_api(store: FeedbackStore, index: float, vote: str, meta: dict) -> str:
    return record_vote(store, meta, int(index or 0), (vote or "").strip().lower())


def on_select(meta: dict, data: gr.SelectData) -> Any:
    """Clicking an earlier answer shows its sources again."""
    info = (meta or {}).get(str(event_index(data)))
    return info["sources"] if info else gr.skip()


def ask_example(roles: dict, data: gr.SelectData) -> tuple[str, str]:
    """An example in the empty chat fills the message box and the role it asks for; then it is asked."""
    value = data.value if isinstance(data.value, dict) else {"text": str(data.value)}
    question = str(value.get("text") or "")
    return question, roles.get(question) or ALL_ROLES
