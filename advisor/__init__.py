"""转型顾问: a retrieval-augmented career-transition advisor for China's internet industry."""

from .config import Settings, quiet_network

quiet_network()

from .core import Advisor  # noqa: E402
from .retrieval import Passage  # noqa: E402

__all__ = ["Advisor", "Passage", "Settings"]
__version__ = "0.1.0"
