"""Text from outside (chat, API, CLI arguments, history, votes, documents) made safe to encode.

A lone surrogate (``\\ud800``, or the ``\\udc80``-``\\udcff`` Python uses for bytes that are not UTF-8 in
command-line arguments and file names) cannot be written as UTF-8: left in, it breaks the stream to the
browser, the database insert and every later export. Each is replaced by U+FFFD, as a decoder would.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (and NUL, which no database takes) replaced by U+FFFD."""
    if _SURROGATE.search(text) is None and "\x00" not in text:
        return text
    return _SURROGATE.sub(REPLACEMENT, text).replace("\x00", REPLACEMENT)


def clean_data(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists, tuples) cleaned; other values unchanged."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(clean_data(v) for v in value)
    return value
