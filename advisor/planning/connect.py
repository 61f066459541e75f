"""The chat model's part in a transition plan: two to four sentences that tie the plan to the person.

The model sees the plan's own passages (numbered as the plan cites them), the person's inputs and the
plan's outline, all fenced as data. Its sentences are checked like a chat answer's (``citations.verify``)
and more strictly: a sentence is kept only when it cites a passage that supports it, numbers included;
anything else is dropped. When the model fails, the plan stays as it is, with a one-line notice.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

from advisor.grounding.citations import SUPPORT_THRESHOLD, split_units, support, verify
from advisor.grounding.format import UNSUPPORTED_MARK
from advisor.llm.backends import describe_error, stream_with_retries
from advisor.llm.prompts import plan_messages

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from advisor.answering.derived import Derived
    from advisor.config import Settings
    from advisor.index.search import Passage
    from advisor.planning.model import TransitionPlan

log = logging.getLogger(__name__)
MIN_PASSAGES = 3
_MARK = re.compile(r"\[(\d{1,3})\]")


def outline(plan: TransitionPlan) -> str:
    """What the plan says, in its own headings: the path order and the section titles."""
    titles = "、".join(s.title for s in plan.sections)
    return f"路径顺序：{' → '.join(plan.order)}\n各部分：{titles}"


def _fit(chat_model, profile: str, text: str, passages: list[Passage]):
    """The prompt, dropping the plan's last passages until it fits a small model's window."""
    counter = getattr(chat_model, "count_tokens", None)
    budget = getattr(chat_model, "prompt_budget", None)
    msgs = plan_messages(profile, text, passages)
    while counter and budget and len(passages) > MIN_PASSAGES:
        if counter("\n".join(str(m.content) for m in msgs)) + 8 * len(msgs) <= budget:
            break
        passages = passages[:-1]
        msgs = plan_messages(profile, text, passages)
    return msgs, passages


def supported(text: str, passages: list[Passage], bodies: dict[str, str]) -> str:
    """The model's sentences that cite passages supporting them (numbers verbatim), as one paragraph."""
    clean, _, _ = verify(" ".join(text.split()), passages, bodies)
    kept = []
    for unit in split_units(clean):
        ids = [int(n) for n in _MARK.findall(unit)]
        claim = _MARK.sub("", unit).strip()
        if not ids or UNSUPPORTED_MARK in unit or not claim:
            continue
        evidence = "\n".join(passages[i - 1].text for i in ids if 1 <= i <= len(passages))
        if support(claim, evidence) >= SUPPORT_THRESHOLD:
            kept.append(unit.strip())
    return "".join(kept)


def connect(
    chat_model: BaseChatModel, plan: TransitionPlan, derived: Derived, settings: Settings | None
) -> tuple[str, str | None]:
    """(the verified connecting sentences, a notice when there are none)."""
    timeout = settings.llm_timeout if settings else 30.0
    retries = settings.llm_max_retries if settings else 0
    msgs, passages = _fit(
        chat_model,
        plan.inputs.profile() + (f"\n{plan.inputs.note}" if plan.inputs.note else ""),
        outline(plan),
        plan.passages,
    )
    try:
        deadline = time.monotonic() + (settings.deadline if settings else 4 * timeout)
        reply = "".join(stream_with_retries(chat_model, msgs, timeout, retries, deadline))
    except Exception as exc:
        notice = describe_error(exc)
        log.warning("plan: the chat model failed: %s", notice)
        return "", notice
    intro = supported(reply, passages, derived.bodies)
    if not intro:
        return "", "大模型写的说明无法与资料对应，已略去"
    return intro, None
