"""``python -m graphmodel.server ARGS`` = ``graphmodel server ARGS`` (same exit codes)."""

import sys

from graphmodel.cli import main

if __name__ == "__main__":
    sys.exit(main(["server", *sys.argv[1:]]))
