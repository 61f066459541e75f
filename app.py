"""转型顾问 web app: ``python app.py`` (or ``make run``) serves the chat on http://127.0.0.1:7860.

Like Gradio's own demos, the page is a module-level ``demo``; importing this file loads the advisor
(and builds the index from the corpus on a fresh machine).
"""

import logging
import sys

from advisor.config import load_settings, quiet_network

quiet_network()  # before gradio and chromadb are imported

from advisor.errors import AdvisorError  # noqa: E402
from advisor.web import build_demo, load_advisor, main  # noqa: E402

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
try:
    advisor = load_advisor(load_settings())  # settings are checked before anything loads
    advisor.backend  # noqa: B018 - builds the chat model: configuration errors surface here
    demo = build_demo(advisor)
except AdvisorError as exc:
    sys.exit(f"错误：{exc}")

if __name__ == "__main__":
    sys.exit(main(demo, advisor))
