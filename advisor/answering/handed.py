"""What the app hands the chat beside the question (a transition plan, a followed plan's token) may
answer a question itself: "这个计划的第二步…", "我这周该干嘛". The answering layer decides the routing —
the first item that answers wins, else the question goes through the chat with the first handed role as
the asker's — so the facade only says what was handed; the items come from the layers above."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from advisor.answering.answer import Answer
    from advisor.answering.derived import Derived


class Handed(Protocol):
    """Something handed to the chat that answers the questions about itself."""

    @property
    def role(self) -> str | None: ...

    def answer(self, question: str, derived: Derived) -> Answer | None: ...


def handed_reply(handed: Sequence[Handed], question: str, derived: Derived) -> Answer | None:
    """The first handed item's own answer to ``question``; ``None`` when none is asked about."""
    for item in handed:
        reply = item.answer(question, derived)
        if reply is not None:
            return reply
    return None


def handed_role(handed: Sequence[Handed], role: str | None) -> str | None:
    """The role chosen in the app, else the first handed item's role (a plan's)."""
    return role or next((item.role for item in handed if item.role), None)
