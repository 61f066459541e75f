"""A throwaway PostgreSQL server from the Debian packages (``apt-get install postgresql``), for tests and
benchmarks: ``initdb`` into a fresh directory, ``pg_ctl`` on a free loopback port, trust auth on
127.0.0.1 only. PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from .net import free_port


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb`` and ``pg_ctl``."""
    found = [
        p
        for p in Path("/usr/lib/postgresql").glob("*/bin")
        if (p / "initdb").exists() and (p / "pg_ctl").exists()
    ]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0) if found else None


def _runas() -> list[str]:
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")  # the Debian package creates this user; KeyError if it is missing
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PostgresServer:
    """``with PostgresServer() as pg: url = pg.create_database()``; ``stop()``/``start()`` to take it
    down and bring it back on the same port with the same data (the "database is down" case)."""

    port: int = 0
    root: Path | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run([*_runas(), *args], check=True, capture_output=True, timeout=timeout)

    def init(self) -> PostgresServer:
        bin_dir = postgres_bin()
        if bin_dir is None:
            msg = "PostgreSQL binaries not found (apt-get install -y postgresql)"
            raise RuntimeError(msg)
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.port = self.port or free_port()
        return self

    def start(self) -> PostgresServer:
        if self.root is None:
            self.init()
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        if self.root is not None and (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its URL (``postgresql://…``, as a user would write it)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def cleanup(self) -> None:
        self.stop()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()
