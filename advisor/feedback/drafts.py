"""Real failures become eval cases: 👎 votes as draft golden cases, and vote counts for a quick look.

A draft has the golden set's fields (see ``evals/GOLDEN.md``): the question (or the conversation's
user turns), the role, gold quotes taken verbatim from the passages the answer cited, and empty
``reference_answer`` / ``key_points`` for the reviewer to write. It is tagged ``待审`` and ``feedback``
and carries the vote (answer given, backend, cited chunk ids, generation) under ``feedback``. Drafts
go to their own file, never into ``evals/golden.jsonl``: a person reviews them first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime

from advisor.errors import InputError

REVIEW_TAGS = ["待审", "feedback"]
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.、)])\s+")
ALL_ROLES = "全部"


def parse_since(text: str | None) -> datetime | None:
    """``YYYY-MM-DD`` (local midnight) or an ISO date-time; ``None`` for no limit."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        msg = f"日期格式不对：{text!r}，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM"
        raise InputError(msg) from exc
    return (when if when.tzinfo else when.astimezone()).astimezone(UTC)


def gold_quotes(citations: list[dict]) -> list[dict]:
    """``{doc_id, quote}`` per distinct cited quote: its first line without a list marker (golden quotes
    never span lines or start with a bullet); still a verbatim substring of the document."""
    out, seen = [], set()
    for c in citations:
        lines = (c.get("quote") or "").strip().splitlines()
        key = (c.get("doc_id"), LIST_MARKER.sub("", lines[0]).strip() if lines else "")
        if key[0] and key[1] and key not in seen:
            seen.add(key)
            out.append({"doc_id": key[0], "quote": key[1]})
    return out


def draft_case(row: dict) -> dict:
    """One 👎 vote as a draft golden case (to be reviewed before it joins the golden set)."""
    when = row["created_at"]
    role = row["role"] if row["role"] and row["role"] != ALL_ROLES else None
    case: dict = {"id": f"fb-{when:%Y%m%d}-{row['vote_id'][:8]}"}
    turns = list(row.get("turns") or [])
    if turns:
        case["turns"] = [*turns, row["question"]]
    else:
        case["question"] = row["question"]
    case.update(
        {
            "role": role,
            "reference_answer": "",
            "gold": gold_quotes(row.get("citations") or []),
            "key_points": [],
            "answerable": True,
            "tags": [*REVIEW_TAGS, *([role] if role else []), *(["多轮"] if turns else [])],
            "feedback": {
                "vote": row["vote"],
                "answer": row["answer"],
                "refused": bool(row.get("refused")),
                "backend": row["backend"],
                "chunk_ids": list(row.get("chunk_ids") or []),
                "generation": row.get("generation"),
                "replica": row.get("replica"),
                "voted_at": when.isoformat(timespec="seconds"),
            },
        }
    )
    return case


def draft_cases(rows: list[dict]) -> list[dict]:
    """Drafts for 👎 rows, one per distinct (conversation, role, answer)."""
    out, seen = [], set()
    for row in rows:
        if row["vote"] != "down":
            continue
        key = (tuple(row.get("turns") or []), row["question"], row["role"], row["answer"])
        if key not in seen:
            seen.add(key)
            out.append(draft_case(row))
    return out


def stats_table(counts: list[tuple[str, str, str, int]], spooled: int = 0) -> str:
    """Votes per role and backend as a plain-text table (👍, 👎, share of 👎)."""
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"up": 0, "down": 0})
    for role, backend, vote, n in counts:
        table[(role, backend)][vote] = table[(role, backend)].get(vote, 0) + n
    lines = [f"{'岗位':<6}{'回答模式':<28}{'👍':>6}{'👎':>6}{'👎占比':>8}"]
    up_total = down_total = 0
    for (role, backend), v in sorted(table.items()):
        up, down = v.get("up", 0), v.get("down", 0)
        up_total, down_total = up_total + up, down_total + down
        lines.append(f"{role:<6}{backend:<28}{up:>6}{down:>6}{down / max(up + down, 1):>8.0%}")
    lines.append(
        f"{'合计':<6}{'':<28}{up_total:>6}{down_total:>6}{down_total / max(up_total + down_total, 1):>8.0%}"
    )
    if spooled:
        lines.append(f"（另有 {spooled} 条反馈暂存在本机，等数据库恢复后补交）")
    return "\n".join(lines)
