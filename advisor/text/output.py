"""Writing a command's output file: through a temporary file renamed over the target, so a failure
never empties an existing file, with text hygiene on what is written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from advisor.errors import InputError
from advisor.text.hygiene import clean_text


def write_output(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, renamed over it at the end: a
    failure never empties an existing file. Any path problem is an ``InputError`` (exit 2)."""
    path = Path(path)
    if path.is_dir():
        msg = f"输出路径 {path} 是一个文件夹，请给出文件名"
        raise InputError(msg)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        msg = f"无法写入 {path}：{exc.strerror or exc}"
        raise InputError(msg) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(clean_text(text))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        msg = f"无法写入 {path}：{exc.strerror or exc}"
        raise InputError(msg) from None
