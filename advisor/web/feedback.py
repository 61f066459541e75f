"""The 👍/👎 log: one JSON line per vote with the question, answer, role, backend and cited chunks."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

_LOCK = threading.Lock()


def feedback_record(meta: dict, index: int, vote: str) -> dict | None:
    """The JSON line for a vote on the assistant message at ``index``; ``None`` if unknown."""
    info = (meta or {}).get(str(index))
    if info is None:
        return None
    return {
        "timestamp": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "vote": vote,
        "question": info["question"],
        "answer": info["answer"],
        "role": info["role"],
        "backend": info["backend"],
        "chunk_ids": info["chunk_ids"],
        "message_index": index,
    }


def append_feedback(path: Path, record: dict) -> None:
    """Append one JSON line (parents created, serialized by a lock, flushed to disk)."""
    path = Path(path)
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
