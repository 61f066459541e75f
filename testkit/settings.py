"""Settings for a test or benchmark run, isolated from the developer's ``.env`` and environment."""

from __future__ import annotations

from pathlib import Path

from advisor import Settings


def isolated_settings(data_dir: Path, **kw) -> Settings:
    """``Settings`` on ``data_dir`` that ignore ``.env``; ``kw`` override fields."""
    return Settings(_env_file=None, data_dir=data_dir, **kw)
