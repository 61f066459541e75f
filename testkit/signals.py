"""Hanging a server on purpose: SIGSTOP a process and its children (it still accepts connections, as
its kernel does, but answers nothing), SIGCONT to resume. For tests and the fault benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant (PostgreSQL's backends are children of the postmaster)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


@contextlib.contextmanager
def stopped(pid: int) -> Iterator[list[int]]:
    """``pid`` and its children hang until the block ends; yields the stopped pids."""
    pids = process_tree(pid)
    for p in pids:
        os.kill(p, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for p in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGCONT)


def postmaster_pid(data_dir: Path) -> int:
    """The PostgreSQL server's pid, from ``postmaster.pid`` in its data directory."""
    return int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
