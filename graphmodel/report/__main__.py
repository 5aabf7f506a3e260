"""``python -m graphmodel.report ARGS`` = ``graphmodel report ARGS`` (same exit codes)."""

import sys

from graphmodel.cli import main

if __name__ == "__main__":
    sys.exit(main(["report", *sys.argv[1:]]))
