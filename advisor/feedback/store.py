"""👍/👎 votes in a real database: SQLite in the data directory by default (WAL, safe with several
writer processes), PostgreSQL when ``ADVISOR_FEEDBACK_URL`` names one, so every app replica writes
into one table.

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
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from advisor.config import Settings
from advisor.errors import ConfigError, FeedbackError
from advisor.feedback.spool import Hung, Spool, within
from advisor.registry import Registry
from advisor.text.hygiene import clean_data

log = logging.getLogger(__name__)
SPOOLED = "反馈数据库暂时连不上：这条反馈已先保存在本机，恢复后会自动补交。"
NOT_SAVED = "反馈没能保存（数据库连不上，本机暂存也失败了）：请稍后再点一次。"
DB_ERRORS = (SQLAlchemyError, OSError)

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
    vote_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def row(self) -> dict:
        """The database row; text from the browser cleaned so no database or export chokes on it."""
        return clean_data(asdict(self))


# How each database says "insert unless this vote id is already there".
INSERT_IGNORE: Registry[Callable] = Registry()
INSERT_IGNORE.register("sqlite")(lambda: sqlite.insert(FEEDBACK).on_conflict_do_nothing())
INSERT_IGNORE.register("postgresql")(lambda: postgresql.insert(FEEDBACK).on_conflict_do_nothing())
DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


URL_FORMS = "ADVISOR_FEEDBACK_URL 只支持 sqlite:///路径 或 postgresql://用户:密码@主机:端口/库名"


def database_url(url: str) -> str:
    """``postgresql://`` / ``postgres://`` mean the psycopg (3) driver; only SQLite and PostgreSQL.
    A malformed URL is a ``ConfigError`` here, at start, not a lost vote later."""
    scheme, sep, rest = url.partition("://")
    base = scheme.split("+", 1)[0].lower()
    if not sep or base not in DRIVERS:
        raise ConfigError(URL_FORMS)
    full = (scheme if "+" in scheme else DRIVERS[base]) + sep + rest
    check_database_url(full)
    return full


def check_database_url(url: str) -> None:
    """The parts a driver would only reject at the first vote: the port, the SQLite file's path."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except ValueError as exc:  # e.g. a port that is not a number; the URL itself may hold a password
        msg = f"ADVISOR_FEEDBACK_URL 写法有误（{type(exc).__name__}，端口须为数字）。{URL_FORMS}"
        raise ConfigError(msg) from None
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        msg = f"ADVISOR_FEEDBACK_URL 的端口 {parsed.port} 不在 1-65535 之间"
        raise ConfigError(msg)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            msg = f"ADVISOR_FEEDBACK_URL 缺少 SQLite 文件路径（sqlite:///路径）。{URL_FORMS}"
            raise ConfigError(msg)
        blocked = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), None)
        if blocked is not None and blocked != path:
            msg = f"ADVISOR_FEEDBACK_URL 的 SQLite 路径不可用：{blocked} 是文件，不是文件夹"
            raise ConfigError(msg)


def brief(exc: BaseException) -> str:
    """The error's first line without SQL or parameters (questions are private; URLs may hold passwords)."""
    inner = getattr(exc, "orig", None) or exc
    return f"{type(inner).__name__}: {str(inner).strip().splitlines()[0] if str(inner).strip() else ''}"[:300]


def postgres_timeouts(seconds: float) -> dict:
    """psycopg connection arguments: give up connecting, and let the server cancel a statement (a lock
    wait), well within ``seconds``; a server that hangs outright is bounded by ``within``."""
    limit = max(1.0, seconds)
    return {
        "connect_timeout": max(2, int(limit / 2)),
        "options": f"-c statement_timeout={int(limit * 1000)}",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 2,
    }


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets readers and one writer work at once; writers wait for each other instead of failing."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class FeedbackStore:
    """Records votes in the feedback database, spooling them locally while it is unreachable."""

    def __init__(self, url: str, spool: Path, replica: str = "", timeout: float = 20.0) -> None:
        self.url = database_url(url)
        self.spool = Spool(spool)
        self.replica = replica
        self.timeout = timeout  # the longest a vote waits for the database before it is spooled
        self._hung: threading.Event | None = None  # set when the last timed-out call finally ended
        self._engine = None
        self._schema_ready = False
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @classmethod
    def from_settings(cls, settings: Settings, replica: str = "") -> FeedbackStore:
        return cls(
            settings.feedback_database, settings.feedback_spool_file, replica, settings.answer_deadline
        )

    @property
    def shown_url(self) -> str:
        """The database URL for messages, password masked."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.url.split(":", 1)[0].split("+", 1)[0]

    def engine(self):
        with self._lock:
            if self._engine is None:
                if self.dialect == "sqlite":
                    Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                    args = {"timeout": 30}
                else:
                    args = postgres_timeouts(self.timeout)
                engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True, connect_args=args)
                if self.dialect == "sqlite":
                    event.listen(engine, "connect", _sqlite_pragmas)
                self._engine = engine
            return self._engine

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        try:
            METADATA.create_all(self.engine())
        except SQLAlchemyError:  # another replica created it at the same moment
            METADATA.create_all(self.engine())
        self._schema_ready = True

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
        if self._engine is not None:
            self._engine.dispose()
