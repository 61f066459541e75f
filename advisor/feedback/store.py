"""👍/👎 votes in the advisor's database (``advisor/database.py``: SQLite in the data directory by
default, PostgreSQL when ``ADVISOR_DATABASE_URL`` names one), so every app replica writes into one table.

A database that is down never loses a vote: it goes to a local spool file (one JSON line each) and
the user hears that it was kept; spooled votes are delivered at the next vote, at start, and every
``feedback_retry_seconds`` while any wait. Each vote has its own id and is inserted with "on conflict
do nothing", so delivering a vote twice (a reply lost on the way back) stores it once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from advisor.config import Settings
from advisor.database import DB_ERRORS, Database, brief, database_url
from advisor.errors import FeedbackError
from advisor.feedback.spool import Hung, Spool, within
from advisor.registry import Registry
from advisor.text.hygiene import clean_data

log = logging.getLogger(__name__)
SPOOLED = "反馈数据库暂时连不上：这条反馈已先保存在本机，恢复后会自动补交。"
NOT_SAVED = "反馈没能保存（数据库连不上，本机暂存也失败了）：请稍后再点一次。"

METADATA = MetaData()
FEEDBACK = Table(
    "feedback",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vote_id", String(32), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("vote", String(8), nullable=False),
    Column("question", Text, nullable=False),
    Column("turns", JSON, nullable=False),  # the conversation's earlier user questions
    Column("answer", Text, nullable=False),
    Column("role", String(64), nullable=False),
    Column("backend", String(200), nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("chunk_ids", JSON, nullable=False),
    Column("citations", JSON, nullable=False),  # [{n, chunk_id, doc_id, quote}]
    Column("generation", Integer, nullable=False),  # the index generation that answered
    Column("replica", String(200), nullable=False),  # which app process took the vote
    Column("message_index", Integer, nullable=False),
    Column("reason", Text, nullable=True),  # why a 👎: 答非所问 / 不够具体 / 引用不对 / 其他：…
)


@dataclass
class Vote:
    """One 👍/👎 on one answer, with what a reviewer needs to turn it into an eval case."""

    vote: str
    question: str
    answer: str
    role: str
    backend: str
    chunk_ids: list[str] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)
    refused: bool = False
    generation: int = 0
    replica: str = ""
    message_index: int = 0
    reason: str | None = None
    vote_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def row(self) -> dict:
        """The database row; text from the browser cleaned so no database or export chokes on it."""
        return clean_data(asdict(self))


# How each database says "insert, or update the vote if this vote id is already there": a changed
# vote on one answer (👍 → 👎, a reason added) keeps one row, and delivering a vote twice stores it once.
CHANGED = ("vote", "reason", "created_at")
INSERT_IGNORE: Registry[Callable] = Registry()


def _upsert(insert) -> Callable:
    def make():
        stmt = insert(FEEDBACK)
        return stmt.on_conflict_do_update(
            index_elements=[FEEDBACK.c.vote_id], set_={c: stmt.excluded[c] for c in CHANGED}
        )

    return make


INSERT_IGNORE.register("sqlite")(_upsert(sqlite.insert))
INSERT_IGNORE.register("postgresql")(_upsert(postgresql.insert))
__all__ = ["DB_ERRORS", "FeedbackStore", "Vote", "brief", "database_url"]


class FeedbackStore:
    """Records votes in the feedback database, spooling them locally while it is unreachable."""

    def __init__(self, url: str, spool: Path, replica: str = "", timeout: float = 20.0) -> None:
        self.db = Database(url, timeout)
        self.spool = Spool(spool)
        self.replica = replica
        self.timeout = timeout  # the longest a vote waits for the database before it is spooled
        self._hung: threading.Event | None = None  # set when the last timed-out call finally ended
        self._stop = threading.Event()

    @classmethod
    def from_settings(cls, settings: Settings, replica: str = "") -> FeedbackStore:
        return cls(settings.database, settings.feedback_spool_file, replica, settings.deadline)

    @property
    def url(self) -> str:
        return self.db.url

    @property
    def shown_url(self) -> str:
        """The database URL for messages, password masked."""
        return self.db.shown_url

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def engine(self):
        return self.db.engine()

    def _ensure_schema(self) -> None:
        self.db.ensure(METADATA)

    def _insert(self, rows: list[dict]) -> None:
        self._ensure_schema()
        with self.engine().begin() as conn:
            conn.execute(INSERT_IGNORE[self.dialect](), rows)

    def insert(self, rows: list[dict]) -> None:
        """Store ``rows`` (``Vote.row()`` dicts); votes already stored are skipped, not duplicated.
        Raises ``TimeoutError`` after ``timeout`` seconds, and at once while an earlier call that
        timed out is still hanging (one stuck call at a time, not one per vote)."""
        if self._hung is not None and not self._hung.is_set():
            msg = "the feedback database is still not answering an earlier call"
            raise TimeoutError(msg)
        try:
            within(self.timeout, self._insert, rows)
        except Hung as exc:
            self._hung = exc.done
            raise

    def record(self, vote: Vote) -> None:
        """Store the vote; if the database is unreachable, keep it in the spool and raise
        ``FeedbackError`` with a message for the user."""
        vote.replica = vote.replica or self.replica
        try:
            self.insert([vote.row()])
        except DB_ERRORS as exc:
            log.warning("feedback database unavailable (%s); vote kept in %s", brief(exc), self.spool.path)
            try:
                self.spool.append([vote.row()])
            except OSError as spool_exc:
                log.error("could not spool the vote either: %s", spool_exc)
                raise FeedbackError(NOT_SAVED) from spool_exc
            raise FeedbackError(SPOOLED) from exc
        self.deliver_spooled()

    def deliver_spooled(self) -> int:
        """Send spooled votes to the database; how many went (0 while it is still down)."""
        if not self.spool.pending():
            return 0
        try:
            sent = self.spool.drain(self.insert)
        except DB_ERRORS as exc:
            log.info("spooled votes wait for the feedback database: %s", brief(exc))
            return 0
        if sent:
            log.warning("delivered %d spooled vote(s) to the feedback database", sent)
        return sent

    def keep_delivering(self, every: float) -> threading.Thread:
        """Deliver spooled votes now and then every ``every`` seconds, in the background."""

        def loop() -> None:
            while True:
                self.deliver_spooled()
                if self._stop.wait(every):
                    return

        thread = threading.Thread(target=loop, name="feedback-spool", daemon=True)
        thread.start()
        return thread

    def votes(self, since: datetime | None = None, vote: str | None = None) -> list[dict]:
        """Stored votes, oldest first (``created_at`` in UTC)."""
        self._ensure_schema()
        query = select(FEEDBACK).order_by(FEEDBACK.c.created_at, FEEDBACK.c.id)
        if since is not None:
            query = query.where(FEEDBACK.c.created_at >= since)
        if vote is not None:
            query = query.where(FEEDBACK.c.vote == vote)
        with self.engine().connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for r in rows:
            if r["created_at"].tzinfo is None:  # SQLite keeps no time zone; we store UTC
                r["created_at"] = r["created_at"].replace(tzinfo=UTC)
        return rows

    def counts(self, since: datetime | None = None) -> list[tuple[str, str, str, int]]:
        """``(role, backend, vote, n)`` for every combination that has votes."""
        self._ensure_schema()
        cols = (FEEDBACK.c.role, FEEDBACK.c.backend, FEEDBACK.c.vote)
        query = select(*cols, func.count()).group_by(*cols).order_by(*cols)
        if since is not None:
            query = query.where(FEEDBACK.c.created_at >= since)
        with self.engine().connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def close(self) -> None:
        self._stop.set()
        self.db.close()
