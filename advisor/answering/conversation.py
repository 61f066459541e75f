"""Conversation state as data: the asker's role, and the person, path and roles talked about.

Each user turn is analysed in the light of the state before it, and the state moves on: "我是做运营的"
sets the role, "第二条路" then means 运营's 横向跨界, "他" the last person asked about; a new topic
drops what no longer applies. The state is derived again from the chat history on every call (the
API stays stateless), or handed in by a caller that keeps it.
"""

from __future__ import annotations

from dataclasses import replace

from advisor.answering.intent import analyze
from advisor.answering.state import Intent, State
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap

# Kinds that start a new topic: a person or path talked about before no longer applies.
_DROPS_PERSON = ("paths", "path", "transition", "explain", "compare", "family", "risk", "toolkit", "pains")
_DROPS_PATH = ("story", "explain", "compare", "family", "transition", "toolkit", "pains", "paths")


def advance(state: State, intent: Intent) -> State:
    """The state after a turn with ``intent``."""
    kind = intent.kind
    person = intent.person if kind in ("story", "case") else (None if kind in _DROPS_PERSON else state.person)
    path = intent.path if kind == "path" else (None if kind in _DROPS_PATH else state.path)
    subjects = intent.subjects if kind in ("explain", "compare", "transition", "family") else ()
    if kind == "general":
        subjects = state.subjects
    return replace(
        state,
        role=intent.role or state.role,
        person=person,
        path=path,
        subjects=subjects,
        topic=kind if kind != "general" else state.topic,
        risk=intent.risk if kind == "risk" else None,
        situation=intent.situation or state.situation,
        # its topic, which section, or a path's case ("有没有真实例子" → "数据咋样": still the case)
        detail=intent.topic
        if kind in ("explain", "section") or (kind, intent.topic) == ("path", "case")
        else None,
    )


def replay(questions: list[str], kb: Knowledge, kmap: KnowledgeMap, role: str | None = None) -> State:
    """The state after the user's earlier questions, in order."""
    state = State()
    for q in questions:
        state = advance(state, analyze(q, state, kb, kmap, role))
    return state
