"""Fitting a prompt into the chat model's window: a small local model has a token budget, so history and
then the weakest passages go first, and a last long passage is cut at a sentence end (still an exact
span of its document, so its citations still verify)."""

from __future__ import annotations

import re
from dataclasses import replace

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from advisor.index.search import Passage
from advisor.llm.prompts import build_messages, prompt_passages


def fit_prompt(
    chat_model: BaseChatModel | None,
    question: str,
    passages: list[Passage],
    history: list[dict],
    state: str = "",
    missing: str = "",
) -> tuple[list[BaseMessage], list[Passage]]:
    """Drop history, then the weakest passages, until the prompt fits the model's window (a small
    local model asks for the compact prompt style, which also shows the passages compacted)."""
    style = getattr(chat_model, "prompt_style", "full")
    passages = prompt_passages(question, passages, style)

    def build(ps: list[Passage], hist: list[dict]) -> list[BaseMessage]:
        return build_messages(question, ps, hist, None, style=style, state=state, missing=missing)

    counter = getattr(chat_model, "count_tokens", None)
    budget = getattr(chat_model, "prompt_budget", None)
    msgs = build(passages, history)
    if counter is None or not budget:
        return msgs, passages

    def tokens(m: list[BaseMessage]) -> int:
        return counter("\n".join(str(x.content) for x in m)) + 8 * len(m)

    while tokens(msgs) > budget and (history or len(passages) > 1):
        history, passages = (history[2:], passages) if history else (history, passages[:-1])
        msgs = build(passages, history)
    while tokens(msgs) > budget and len(passages[0].text) > 40:
        # One passage is still too long: keep its opening sentences (still an exact document span).
        passages = [shorten(passages[0], int(len(passages[0].text) * 0.8))]
        msgs = build(passages, history)
    return msgs, passages


def shorten(p: Passage, limit: int) -> Passage:
    """The passage cut to at most ``limit`` characters at a sentence end, offsets adjusted."""
    cut = max((m.end() for m in re.finditer(r"[。！？!?；;\n]", p.text[:limit])), default=limit)
    return replace(p, text=p.text[:cut], end=p.start + cut)
