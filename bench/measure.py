"""Small measuring helpers: RSS sampling, disk usage, progress lines (percentiles: ``testkit.stats``)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path

import psutil

_T0 = time.perf_counter()


def say(msg: str) -> None:
    """A progress line on stderr with the seconds since the benchmark started."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def du_bytes(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, like ``du``)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                st = os.lstat(os.path.join(root, f))
            except OSError:
                continue
            total += getattr(st, "st_blocks", 0) * 512 or st.st_size
    return total


def tree_rss(proc: psutil.Process) -> int:
    """RSS of a process and all its children, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


class RSSSampler:
    """Samples a process tree's RSS on a background thread: ``with RSSSampler(pid) as s: ...``."""

    def __init__(self, pid: int | None = None, interval: float = 0.25):
        self.proc = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.t0 = time.perf_counter()

    def sample(self) -> int:
        rss = tree_rss(self.proc)
        self.samples.append((time.perf_counter() - self.t0, rss))
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RSSSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def peak(self, since: float = 0.0) -> int:
        vals = [r for t, r in self.samples if t >= since]
        return max(vals) if vals else 0

    def last(self) -> int:
        return self.samples[-1][1] if self.samples else 0


def mb(n: float | None) -> float | None:
    return None if n is None else round(n / 1024 / 1024, 1)


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "loadavg_1_5_15": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
    }
