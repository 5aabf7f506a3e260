"""``python -m graphmodel``: the command line (the same as ``graphmodel``)."""

import sys

from graphmodel.cli import main

if __name__ == "__main__":
    sys.exit(main())
