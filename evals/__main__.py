"""``python -m evals``: run the golden set and gate on the scores (see ``evals.runner``)."""

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
