"""What the servers tests start as child processes share: stopping them, and ``with`` blocks."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Self


class ServerProcess:
    """A child-process server: ``start()`` (in the subclass) launches it and returns ``self``."""

    proc: subprocess.Popen | None
    stop_signal = signal.SIGTERM  # the app overrides with SIGINT, its clean-shutdown signal

    def start(self) -> Self:
        raise NotImplementedError

    def wait_ready(
        self, answers: Callable[[], bool], timeout: float, name: str, tail: Callable[[], str], pause: float
    ) -> None:
        """Poll ``answers()`` every ``pause`` s until it is true; the process ending first, or the
        timeout (then it is stopped), raise ``RuntimeError`` naming ``name``, with ``tail()`` after."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"{name} exited with {self.proc.returncode}{tail()}"
                raise RuntimeError(msg)
            if answers():
                return
            time.sleep(pause)
        self.stop()
        msg = f"{name} did not answer within {timeout:.0f} s{tail()}"
        raise RuntimeError(msg)

    def stop(self) -> None:
        """The stop signal, then kill if the process has not ended within 20 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
