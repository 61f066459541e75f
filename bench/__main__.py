"""``python -m bench <sub> [options]``: one entry point for every benchmark.

Each subcommand is a module with ``main(argv) -> int``, listed in :data:`SUBCOMMANDS`; a new one (for
example a fault-injection run) is one more line there. ``python -m bench`` with no subcommand, or with
options only, runs ``run`` (the side-by-side benchmark), as it always has.
"""

from __future__ import annotations

import importlib
import sys

# name -> (module, what it measures)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("bench.run", "speed, memory and reliability side by side with a plain RAG baseline (default)"),
    "profile": ("bench.profile", "where the milliseconds of a search and an answer go, per stage"),
    "chat_load": ("bench.chat_load", "concurrent chat sessions against the running app"),
    "replicas": ("bench.replicas", "two app replicas on one chroma run and one feedback database"),
    "local_llm": ("bench.local_llm", "the local model: time to first token, tokens/s, memory"),
    "faults": ("bench.faults", "the app while Chroma, the model and PostgreSQL hang in turn"),
    "page_load": ("bench.page_load", "the chat page's load in Chromium, now vs before the UI rework"),
}
DEFAULT = "run"


def usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {what}" for name, (_, what) in SUBCOMMANDS.items())
    return f"usage: python -m bench [SUBCOMMAND] [options]   (default: {DEFAULT})\n\nsubcommands:\n{rows}\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help") and len(argv) == 1:
        print(usage())
        return 0
    name = argv.pop(0) if argv and not argv[0].startswith("-") else DEFAULT
    if name not in SUBCOMMANDS:
        print(f"unknown subcommand {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return module.main(argv)


if __name__ == "__main__":
    sys.exit(main())
