"""转型顾问 web app: ``python app.py`` (or ``make run``) serves the chat page on http://127.0.0.1:7860."""

import sys

from advisor.ui import main

if __name__ == "__main__":
    sys.exit(main())
