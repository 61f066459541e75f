"""Console output shared by the command line and the app's first start: a progress bar for ingest."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def console_progress(desc: str = "嵌入文本块") -> Iterator[Callable[[int, int], None]]:
    """An ingest ``progress`` callback drawing a tqdm bar on stderr, closed on exit."""
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=desc, unit="块", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.close()


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
