"""``python -m graphmodel.browser ARGS`` = ``graphmodel browser ARGS`` (same exit codes)."""

import sys

from graphmodel.cli import main

if __name__ == "__main__":
    sys.exit(main(["browser", *sys.argv[1:]]))
