"""Calls to the app's ``/chat`` and ``/feedback`` endpoints through ``gradio_client``."""

from __future__ import annotations

import time

from advisor.answering.messages import message_text

PENDING_PREFIX = "⏳"
REQUEST_TIMEOUT_S = 180.0


def answer_text(output) -> str:
    """The last assistant message of a ``/chat`` output ``(history, sources, box)``."""
    try:
        last = output[0][-1]
    except (TypeError, IndexError, KeyError):
        return ""
    if not isinstance(last, dict) or last.get("role") != "assistant":
        return ""
    return message_text(last.get("content"))


def ask(client, message: str, history=None, role: str = "全部"):
    """Run ``/chat``; return (partial outputs, final history, final sources html)."""
    job = client.submit(message, history or [], role, api_name="/chat")
    partials = list(job)
    history, sources, _box = job.result(timeout=REQUEST_TIMEOUT_S)
    return partials, history, sources


def timed_ask(client, question: str, history: list, role: str = "全部") -> tuple[float, float, list]:
    """One streamed ``/chat`` call: (seconds to first answer text, seconds to the final output, history)."""
    t0 = time.perf_counter()
    first = None
    job = client.submit(question, history, role, api_name="/chat")
    for output in job:
        text = answer_text(output)
        if first is None and text.strip() and not text.startswith(PENDING_PREFIX):
            first = time.perf_counter() - t0
    final = job.result(timeout=REQUEST_TIMEOUT_S)
    full = time.perf_counter() - t0
    text = answer_text(final)
    if not text.strip() or text.startswith(PENDING_PREFIX):
        msg = "no answer in the final output"
        raise RuntimeError(msg)
    return (first if first is not None else full), full, final[0]
