"""转型顾问: a retrieval-augmented career-transition advisor for China's internet industry.

Importing the package changes nothing in the environment; entry points call
``advisor.config.quiet_network()`` before they load chromadb or gradio.
"""

from .answer import Answer
from .config import Settings
from .core import Advisor
from .errors import AdvisorError
from .retrieval import Passage

__all__ = ["Advisor", "AdvisorError", "Answer", "Passage", "Settings"]
__version__ = "0.2.0"
