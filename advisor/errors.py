"""Every error the advisor raises on purpose, under one base the entry points catch.

The message of each is a Chinese sentence meant for the person at the keyboard: the CLI prints
``错误：<message>``, the app shows it in the chat, the eval runner reports it. Anything that is not an
``AdvisorError`` is a bug and keeps its traceback. ``read_mapping`` reads a data file that must hold a
mapping (``knowledge.yaml``, a plan's JSON) and turns its trouble into the caller's error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


class AdvisorError(Exception):
    """Base of all expected failures; ``str(exc)`` is a message for the user, in Chinese."""


class InputError(AdvisorError, ValueError):
    """A question, role or option the user gave cannot be used (empty, too long, unknown role)."""


class ConfigError(AdvisorError, ValueError):
    """The settings are incomplete or contradict each other; the message names the fix."""


class CorpusError(AdvisorError, ValueError):
    """No usable document was found, or a knowledge-base data file is malformed."""


class IndexMissingError(AdvisorError):
    """No index has been built yet."""


class IndexUnavailableError(AdvisorError):
    """The Chroma server holding the index cannot be reached."""


class IndexMismatchError(AdvisorError):
    """The index was built by another embedding model than the one configured."""


class LLMUnavailableError(AdvisorError):
    """The chat model failed in a way the user should hear about in one line."""


class ModelMissingError(ConfigError):
    """A local model file or its optional package is not installed; the message says what to install."""


class FeedbackError(AdvisorError):
    """A vote could not be stored (the database is down); it is kept locally and retried."""


def read_mapping(
    path: Path,
    parse: Callable[[str], object],
    bad: type[Exception],
    error: type[AdvisorError],
    unreadable: str,
    not_mapping: str,
) -> dict:
    """The mapping a data file holds (``parse`` of its UTF-8 text, raising ``bad`` on a malformed one).
    Failing that, ``error`` with the caller's own words: ``unreadable`` (``{path}``, ``{exc}``) when the
    file cannot be read or parsed, ``not_mapping`` (``{path}``) when it holds something else."""
    try:
        data = parse(Path(path).read_text("utf-8"))
    except (OSError, bad) as exc:
        raise error(unreadable.format(path=path, exc=exc)) from exc
    if not isinstance(data, dict):
        raise error(not_mapping.format(path=path))
    return data
