"""From what the user typed to what is searched: injection stripping, chat history, follow-up
condensing and the asker's role. Pure functions; the knowledge data is handed in."""

from __future__ import annotations

import re
from typing import Any

from .knowledge import Knowledge

_ORDINAL = re.compile(r"第\s*([一二三123])\s*(?:条|种|个|类)?(?:路|路径|方向|条路)?")
_PRONOUN = re.compile(
    r"[他她它]|ta|TA|这个|那个|这条|那条|这种|那种|这么|那么|这样|那样|上面|刚才|后来|具体|还有|^那|那$|呢[?？]?$"
)
_THIRD_PERSON = re.compile(r"[他她]|ta|TA")
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
    return msgs[-2 * turns :] if turns > 0 else []


def condense_heuristic(question: str, history: list[dict], kb: Knowledge) -> str:
    """Make a follow-up standalone without a model: carry the person or path it refers to."""
    users = [m["content"] for m in history if m["role"] == "user"]
    if not users:
        return question
    q = question.strip()
    context = " ".join(m["content"] for m in history)
    persons = kb.person_names
    m = _ORDINAL.search(q)
    if m and kb.paths and (any(p in context for p in kb.paths) or "转型" in context):
        path = kb.paths["一二三123".index(m.group(1)) % len(kb.paths)]
        q = q[: m.start()] + path + q[m.end() :]
    names = [n for n in persons if n in q]
    if not names and _THIRD_PERSON.search(q):
        # The person the user last asked about wins over names that merely appear in answers.
        for text in [*reversed(users), context]:
            mentioned = [(text.rfind(n), n) for n in persons if n in text]
            if mentioned:
                q = max(mentioned)[1] + " " + q
                break
    named = any(n in question for n in persons)
    dependent = bool(_PRONOUN.search(question)) or m is not None or (len(question.strip()) <= 8 and not named)
    if named and not m and not re.search(r"[他她]", question):
        dependent = False
    if dependent:
        return f"{users[-1]} {q}"
    return q


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
