"""The browser app (Gradio): derived (``render``: pure rendering), module-level event handlers (votes are stored by
``advisor.feedback.store``), the page layout, and serving. ``app.py`` at the repository root builds the
module-level ``demo``."""

from advisor.web.page import build_demo
from advisor.web.serve import launch, load_advisor, main

__all__ = ["build_demo", "launch", "load_advisor", "main"]
