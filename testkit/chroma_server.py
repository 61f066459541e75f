"""A real ``chroma run`` server on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from .net import free_port
from .process import ServerProcess


def chroma_executable() -> str:
    """The ``chroma`` CLI of this virtualenv (next to its python), else the one on PATH."""
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else (shutil.which("chroma") or "chroma")


@dataclass
class ChromaServer(ServerProcess):
    """``with ChromaServer(path) as srv: srv.port`` — stores its data under ``path``."""

    path: Path
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        """What an advisor process needs to use this server."""
        return {"ADVISOR_CHROMA_HOST": "127.0.0.1", "ADVISOR_CHROMA_PORT": str(self.port)}

    def start(self, timeout: float = 60.0) -> ChromaServer:
        self.port = self.port or free_port()
        self.path.mkdir(parents=True, exist_ok=True)
        cmd = [
            chroma_executable(),
            "run",
            "--path",
            str(self.path),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with (self.path / "server.log").open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=log, env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"}
            )
        self.wait_ready(self.answers, timeout, "chroma run", str, pause=0.2)
        return self

    def answers(self) -> bool:
        """Whether the server's heartbeat answers."""
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
