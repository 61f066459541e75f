"""The browser app (Gradio): views (pure rendering), module-level event handlers (votes are stored by
``advisor.feedback``), the page layout, and serving. ``app.py`` at the repository root builds the
module-level ``demo``."""

from .layout import build_demo
from .serve import launch, load_advisor, main

__all__ = ["build_demo", "launch", "load_advisor", "main"]
