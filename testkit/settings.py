"""Settings for a test or benchmark run, isolated from the developer's ``.env`` and environment."""

from __future__ import annotations

import shutil
from pathlib import Path

from advisor import Settings


def isolated_settings(data_dir: Path, **kw) -> Settings:
    """``Settings`` on ``data_dir`` that ignore ``.env``; ``kw`` override fields."""
    return Settings(_env_file=None, data_dir=data_dir, **kw)


def seeded(index: Settings, data_dir: Path) -> Path:
    """``data_dir`` holding a copy of ``index``'s generations: an ingest there embeds only the documents
    that differ (a new article), not the whole corpus again."""
    shutil.copytree(index.data_dir, data_dir, dirs_exist_ok=True)
    return data_dir


def with_feedback_db(settings: Settings, path: Path) -> Settings:
    """``settings`` whose votes go to their own SQLite file at ``path`` (and spool beside it)."""
    from pydantic import SecretStr

    return settings.model_copy(
        update={
            "feedback_url": SecretStr(f"sqlite:///{Path(path).resolve()}"),
            "feedback_spool": Path(path).with_suffix(".spool.jsonl"),
        }
    )
