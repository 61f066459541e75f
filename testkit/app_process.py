"""The app as a separate process (``python app.py``) on a free loopback port: the one driver used by
tests, the benchmark and the load runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .net import free_port
from .process import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


@dataclass
class AppProcess(ServerProcess):
    """``python app.py`` in ``workdir`` (so no developer ``.env`` is read) with its own data dir.

    ``env`` adds ``ADVISOR_*`` settings; every other ``ADVISOR_*`` variable of this process is dropped.
    Use as a context manager, or call ``start()``/``stop()``.
    """

    workdir: Path
    data_dir: Path | None = None
    app: Path = APP  # another checkout's app.py (``bench page_load`` compares with an earlier revision)
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    on_spawn: Callable[[int], None] | None = None  # called with the pid as soon as the process exists
    proc: subprocess.Popen | None = None
    ready_s: float | None = None
    stop_signal = signal.SIGINT  # the app shuts down cleanly on it

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def log_path(self) -> Path:
        return self.workdir / "app.log"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
        env.update(
            {
                "ADVISOR_DATA_DIR": str(self.data_dir or self.workdir / "data"),
                "ADVISOR_HOST": "127.0.0.1",
                "ADVISOR_PORT": str(self.port),
                "ADVISOR_LLM": "extractive",
                "GRADIO_ANALYTICS_ENABLED": "False",
                "HF_HUB_OFFLINE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env)
        return env

    def start(self, timeout: float = 600.0) -> AppProcess:
        """Start and wait until the page answers; raises with the log's tail if it does not."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        t0 = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(self.app)],
                cwd=self.workdir,
                env=self.environment(),
                stdout=log,
                stderr=log,
            )
        if self.on_spawn:
            self.on_spawn(self.proc.pid)
        self.wait_ready(self.answers, timeout, "app", lambda: f":\n{self.log_tail()}", pause=0.5)
        self.ready_s = time.perf_counter() - t0
        return self

    def answers(self) -> bool:
        """Whether the page answers (its Gradio config)."""
        try:
            with urllib.request.urlopen(self.url + "config", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")[-n:]
        except OSError:
            return ""
