"""Chat messages as the advisor reads them: injection stripping, message text, history as role/content
dicts and its last exchanges. Pure functions. (Follow-ups are resolved through the conversation state:
``conversation.py``.)"""

from __future__ import annotations

import re
from typing import Any

from advisor.errors import InputError
from advisor.text.hygiene import clean_text

_INJECTION = re.compile(
    r"(忽略|无视|忘记|忘掉|不要理会|跳过)[^。！？\n]{0,12}(指令|指示|规则|提示|设定|要求|限制)"
    r"|(系统|system)\s*(提示词|prompt)|提示词|你现在是|扮演|假装你是|从现在开始你"
    r"|ignore\s+(all\s+)?(previous|above|prior)\s+instructions|jailbreak|DAN\b",
    re.IGNORECASE,
)


def strip_injection(question: str) -> tuple[str, bool]:
    """Remove instructions aimed at the advisor (from the trigger to the end of its sentence)."""
    sentences = re.split(r"(?<=[。！？!?\n])", question)
    kept, found = [], False
    for sentence in sentences:
        m = _INJECTION.search(sentence)
        if m:
            found = True
            clause_start = max(sentence.rfind(c, 0, m.start()) for c in "，,；;：:") + 1
            sentence = sentence[:clause_start].rstrip("，,；;：: ")
        kept.append(sentence)
    return "".join(kept).strip(), found


def message_text(content: Any) -> str:
    """Text of a chat message's content: a string, or Gradio's list of ``{"type": "text"}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(message_text(c) for c in content)
    return ""


def last_exchanges(msgs: list[dict], turns: int) -> list[dict]:
    return msgs[-2 * turns :] if turns > 0 else []


def chat_messages(history: list | None, max_messages: int = 40, max_chars: int = 2000) -> list[dict]:
    """The conversation's non-empty messages as ``{"role","content"}``, in order, from either format.

    Capped (the last ``max_messages``, each cut to ``max_chars``) and cleaned of lone surrogates: the
    history comes from the browser or the API, and a huge one must not cost every answer seconds."""
    items = list(history or [])[-max_messages:] if max_messages > 0 else []
    msgs: list[dict] = []
    for item in items:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            pairs = [(item["role"], message_text(item.get("content")))]
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            pairs = [(r, c) for r, c in zip(("user", "assistant"), item, strict=True) if isinstance(c, str)]
        else:
            continue
        for role, content in pairs:
            if content.strip():
                msgs.append({"role": role, "content": clean_text(content[:max_chars])})
    return msgs[-max_messages:] if max_messages > 0 else []


TOO_LONG = "问题太长了（{n} 字）。请把问题精简到 {limit} 字以内，或分成几个小问题来问。"


class QuestionTooLong(InputError):
    """Over ``max_question_chars``: the embedder reads every token it is given. Chat answers say so
    politely; a search raises it."""


def checked_question(question: str | None, limit: int) -> str:
    """The question stripped; ``InputError`` when it is empty, ``QuestionTooLong`` over ``limit``."""
    question = clean_text(question or "").strip()
    if not question:
        msg = "问题不能为空"
        raise InputError(msg)
    if len(question) > limit:
        msg = TOO_LONG.format(n=len(question), limit=limit)
        raise QuestionTooLong(msg)
    return question
