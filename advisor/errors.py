"""Every error the advisor raises on purpose, under one base the entry points catch.

The message of each is a Chinese sentence meant for the person at the keyboard: the CLI prints
``错误：<message>``, the app shows it in the chat, the eval runner reports it. Anything that is not an
``AdvisorError`` is a bug and keeps its traceback.
"""

from __future__ import annotations


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
