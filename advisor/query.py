"""From what the user typed to what is searched: injection stripping, chat history, the asker's role
and the broad-question expansion. Pure functions; the knowledge data is handed in. (Follow-ups are
resolved through the conversation state: ``conversation.py``.)"""

from __future__ import annotations

import re
from typing import Any

from .knowledge import Knowledge

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


def normalize_history(history: list | None, turns: int) -> list[dict]:
    """Accept ``[{"role","content"}]`` or ``[(user, assistant)]`` and keep the last ``turns`` exchanges."""
    return last_exchanges(chat_messages(history), turns)


def last_exchanges(msgs: list[dict], turns: int) -> list[dict]:
    return msgs[-2 * turns :] if turns > 0 else []


def chat_messages(history: list | None) -> list[dict]:
    """The conversation's non-empty messages as ``{"role","content"}``, in order, from either format."""
    msgs: list[dict] = []
    for item in history or []:
        if isinstance(item, dict) and item.get("role") in ("user", "assistant"):
            content = message_text(item.get("content"))
            if content.strip():
                msgs.append({"role": item["role"], "content": content})
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            for role, content in zip(("user", "assistant"), item, strict=True):
                if isinstance(content, str) and content.strip():
                    msgs.append({"role": role, "content": content})
    return msgs


def infer_role(question: str, kb: Knowledge, history: list[dict] | None = None) -> str | None:
    """The user's own role when the question (or, failing that, earlier turns) names exactly one."""
    earlier = [m["content"] for m in reversed(history or []) if m.get("role") == "user"]
    for text in [question, *earlier]:
        low = text.lower()
        found = [r for r, hints in kb.roles.items() if any(h in low for h in hints)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def retrieval_query(query: str, role: str | None, kb: Knowledge) -> str:
    """A broad "which way should I go" question from a known role asks for that role's paths."""
    broad, specific = kb.broad_re, kb.specific_re
    if (
        role
        and broad is not None
        and broad.search(query)
        and not (specific is not None and specific.search(query))
        and not any(p in query for p in kb.paths)
    ):
        return f"{query} {role}中层 {' '.join(kb.paths)}"
    return query
