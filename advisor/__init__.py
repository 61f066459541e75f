"""转型顾问: a retrieval-augmented career-transition advisor for China's internet industry.

Importing the package changes nothing in the environment; entry points call
``advisor.config.quiet_network()`` before they load chromadb or gradio.
"""

from advisor.answering.answer import Answer
from advisor.config import Settings
from advisor.errors import AdvisorError
from advisor.index.search import Passage
from advisor.service import Advisor

__all__ = ["Advisor", "AdvisorError", "Answer", "Passage", "Settings"]
__version__ = "0.2.0"
