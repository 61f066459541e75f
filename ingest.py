"""Build or update the advisor's index: ``python ingest.py [PATH ...]`` (see ``advisor ingest -h``)."""

import sys

from advisor.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
