"""The advisor's one database, shared by the 👍/👎 votes and the followed plans: SQLite in the data
directory by default (WAL, safe with several writer processes), PostgreSQL when ``ADVISOR_DATABASE_URL``
(or the older ``ADVISOR_FEEDBACK_URL``) names one, so every app replica reads and writes the same tables.

Each user of the database owns its tables (a SQLAlchemy ``MetaData``) and asks :class:`Database` to create
them on first use; adding a table is creating it, and a nullable column a newer version adds is added to
an older table at start (``ensure``).
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from advisor.errors import ConfigError

DB_ERRORS = (SQLAlchemyError, OSError)
DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def database_url(url: str) -> str:
    """``postgresql://`` / ``postgres://`` mean the psycopg (3) driver; only SQLite and PostgreSQL."""
    scheme, sep, rest = url.partition("://")
    base = scheme.split("+", 1)[0].lower()
    if not sep or base not in DRIVERS:
        msg = (
            "ADVISOR_DATABASE_URL（或 ADVISOR_FEEDBACK_URL）只支持 sqlite:///路径 "
            "或 postgresql://用户:密码@主机:端口/库名"
        )
        raise ConfigError(msg)
    return (scheme if "+" in scheme else DRIVERS[base]) + sep + rest


def brief(exc: BaseException) -> str:
    """The error's first line without SQL or parameters (user text is private; URLs may hold passwords)."""
    inner = getattr(exc, "orig", None) or exc
    return f"{type(inner).__name__}: {str(inner).strip().splitlines()[0] if str(inner).strip() else ''}"[:300]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets readers and one writer work at once; writers wait for each other instead of failing."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Database:
    """One engine per URL and process, created on first use; tables created (and migrated) on demand."""

    def __init__(self, url: str) -> None:
        self.url = database_url(url)
        self._engine: Engine | None = None
        self._ready: set[int] = set()
        self._lock = threading.Lock()

    @property
    def shown_url(self) -> str:
        """The database URL for messages, password masked."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.url.split(":", 1)[0].split("+", 1)[0]

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                if self.dialect == "sqlite":
                    Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                    args = {"timeout": 30}
                else:
                    args = {"connect_timeout": 5}
                engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True, connect_args=args)
                if self.dialect == "sqlite":
                    event.listen(engine, "connect", _sqlite_pragmas)
                self._engine = engine
            return self._engine

    def ensure(self, metadata: MetaData) -> None:
        """Create ``metadata``'s tables, and add the nullable columns an older table lacks."""
        if id(metadata) in self._ready:
            return
        try:
            metadata.create_all(self.engine())
        except SQLAlchemyError:  # another replica created them at the same moment
            metadata.create_all(self.engine())
        self._add_missing_columns(metadata)
        self._ready.add(id(metadata))

    def _add_missing_columns(self, metadata: MetaData) -> None:
        engine = self.engine()
        found = inspect(engine)
        for table in metadata.sorted_tables:
            have = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name in have or not column.nullable:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as conn:
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
