"""The page's event handlers, at module level: each takes the ``Advisor`` first (bound by the layout)
and the components' values after it, so tests call them directly without a server.

Chat handlers yield ``(history, sources_html, meta, message_box)``; ``meta`` maps the position of
each assistant message to what a vote on it records (question, answer, role, backend, cited chunks,
and the sources panel to show again when the message is clicked).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from advisor.answering.answer import Answer
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
    plain_history,
    render_sources,
    role_arg,
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


def _sources(view, answer: Answer | None) -> str:
    """The sources panel, under the line saying what the conversation has established."""
    try:
        return state_line(answer) + (
            render_sources(answer, view.snapshot.bodies) if answer is not None else SOURCES_NONE
        )
    except Exception:
        log.exception("rendering sources failed")
        return SOURCES_NONE


def answer_turns(
    adv, message: str, history: list, role: str | None, meta: dict, plan: dict | None = None
) -> Iterator[tuple]:
    """Yield (history, sources, meta, box) while the answer to ``message`` streams."""
    # Lone surrogates from the browser or the API would break the stream back and the vote's insert.
    question = clean_text(message).strip()
    prior = clean_data(plain_history(history))
    user = {"role": "user", "content": question}
    yield [*prior, user, {"role": "assistant", "content": PENDING}], SOURCES_PENDING, meta, ""
    text, answer = "", None
    view = adv.view()  # one index generation for the answer, its sources and the vote's record
    for text, answer in _stream_answer(adv, view, question, prior, role, plan):
        if answer is None:
            shown = {"role": "assistant", "content": display_text(text)}
            yield [*prior, user, shown], gr.skip(), meta, gr.skip()
    final_text = display_text(answer.text) if answer is not None else display_text(text)
    turn = [*prior, user, {"role": "assistant", "content": final_text}]
    sources = _sources(view, answer)
    index = len(turn) - 1
    meta = {k: v for k, v in (meta or {}).items() if int(k) < index}
    meta[str(index)] = {
        "question": question,
        "turns": [m["content"] for m in prior if m["role"] == "user"],
        "answer": final_text,
        "role": role or ALL_ROLES,
        "backend": answer.backend if answer is not None else adv.backend,
        "refused": bool(answer.refused) if answer is not None else False,
        "chunk_ids": [c.chunk_id for c in answer.citations] if answer is not None else [],
        "citations": [
            {"n": c.n, "chunk_id": c.chunk_id, "doc_id": c.doc_id, "quote": c.quote}
            for c in (answer.citations if answer is not None else [])
        ],
        "generation": view.snapshot.manifest.generation,
        "sources": sources,
        "card": card_of(adv, answer),
    }
    yield turn, sources, meta, gr.skip()


def chat(
    adv, message: str, history: list, role: str, meta: dict, plan: dict | None = None
) -> Iterator[tuple]:
    if not (message or "").strip():  # an empty message adds no turn
        yield plain_history(history), gr.skip(), meta, ""
        return
    yield from answer_turns(adv, message, history, role, meta, plan)


def retry(adv, history: list, role: str, meta: dict, plan: dict | None = None) -> Iterator[tuple]:
    """Answer the last question again, in place."""
    hist = plain_history(history)
    users = [i for i, m in enumerate(hist) if m["role"] == "user"]
    if not users:
        yield hist, gr.skip(), meta, gr.skip()
        return
    yield from answer_turns(adv, hist[users[-1]]["content"], hist[: users[-1]], role, meta, plan)


def undo(history: list, meta: dict) -> tuple:
    """Take the last question back into the message box, with the sources of the answer before it."""
    hist = plain_history(history)
    users = [i for i, m in enumerate(hist) if m["role"] == "user"]
    if not users:
        return hist, gr.skip(), meta, gr.skip()
    idx = users[-1]
    meta = {k: v for k, v in (meta or {}).items() if int(k) < idx}
    last = max(meta, key=int) if meta else None
    sources = meta[last]["sources"] if last else SOURCES_IDLE
    return hist[:idx], sources, meta, hist[idx]["content"]


def new_chat() -> tuple:
    return [], SOURCES_IDLE, {}, ""


def vote_from_meta(meta: dict, index: int, vote: str) -> Vote | None:
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
    )


def record_vote(store: FeedbackStore, meta: dict, index: int, vote: str | None) -> str:
    """Store a vote; the answer itself is never touched, whatever happens to the database."""
    if vote not in ("up", "down"):
        return "未记录：vote 需为 up 或 down"
    entry = vote_from_meta(meta, int(index), vote)
    if entry is None:
        return "未记录：找不到这条回答"
    try:
        store.record(entry)
    except FeedbackError as exc:
        return str(exc)
    return VOTE_SAVED


def on_like(store: FeedbackStore, meta: dict, data: gr.LikeData) -> None:
    vote = vote_of(data.liked)
    if vote is not None:  # a vote taken back: nothing to log
        message = record_vote(store, meta, event_index(data), vote)
        (gr.Info if message == VOTE_SAVED else gr.Warning)(message)


def feedback_api(store: FeedbackStore, index: float, vote: str, meta: dict) -> str:
    return record_vote(store, meta, int(index or 0), (vote or "").strip().lower())


def on_select(meta: dict, data: gr.SelectData) -> Any:
    """Clicking an earlier answer shows its sources again."""
    info = (meta or {}).get(str(event_index(data)))
    return info["sources"] if info else gr.skip()


def ask_example(question: str, role: str | None) -> tuple[str, str]:
    """An example button fills the message box and the role, then ``chat`` answers."""
    return question, role or ALL_ROLES
