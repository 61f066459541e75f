"""Votes waiting for the database: the spool file, and calls to a database that may hang.

Used by ``store.py``: a vote the database does not take within the deadline is appended here and
delivered later; delivery moves the file aside first, so no lock is held while the database is slow.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


def from_json(row: dict) -> dict:
    out = {"reason": None, **row}  # spooled by a version without reasons
    out["created_at"] = datetime.fromisoformat(out["created_at"])
    return out


class Spool:
    """Votes waiting for the database, one JSON line each; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                yield

    def append(self, rows: list[dict]) -> None:
        with self._locked(), self.path.open("a", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _sending(self) -> list[Path]:
        return sorted(self.path.parent.glob(self.path.name + ".sending-*"))

    def pending(self) -> int:
        count = 0
        for path in [self.path, *self._sending()]:
            try:
                count += sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())
            except OSError:
                continue
        return count

    def take(self) -> list[Path]:
        """Move the spooled votes aside for delivery (with any a crashed delivery left), so delivering
        holds no lock: a vote arriving while the database hangs is spooled at once."""
        with self._locked():
            if self.path.exists():
                self.path.rename(self.path.with_name(f"{self.path.name}.sending-{uuid.uuid4().hex}"))
            return self._sending()

    def drain(self, deliver: Callable[[list[dict]], None]) -> int:
        """Hand every spooled vote to ``deliver``; a batch's file goes only when that succeeds, and
        comes back to the spool when it fails."""
        sent = 0
        for batch in self.take():
            rows = []
            try:
                lines = batch.read_text("utf-8").splitlines()
            except OSError:  # another process is delivering this batch
                continue
            for line in lines:
                try:
                    rows.append(from_json(json.loads(line)))
                except (ValueError, KeyError):  # a line cut short by a crash: nothing to deliver
                    log.warning("skipping an unreadable line in %s", batch)
            try:
                if rows:
                    deliver(rows)
            except BaseException:
                with self._locked(), self.path.open("a", encoding="utf-8") as f:
                    f.writelines(line + "\n" for line in lines if line.strip())
                batch.unlink(missing_ok=True)
                raise
            batch.unlink(missing_ok=True)
            sent += len(rows)
        return sent


class Hung(TimeoutError):
    """A call still running after its time; ``done`` is set when it finally ends."""

    def __init__(self, msg: str, done: threading.Event) -> None:
        super().__init__(msg)
        self.done = done


def within(seconds: float, fn: Callable, *args) -> object:
    """``fn(*args)`` in a thread of its own, waited for ``seconds``: a database that hangs (a stopped
    server still accepts the connection and never answers; no socket option notices) raises ``Hung``
    here, while the call carries on in its thread."""
    outcome: dict = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="feedback-db", daemon=True).start()
    if not done.wait(seconds):
        msg = f"the feedback database did not answer within {seconds:.1f} s"
        raise Hung(msg, done)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
