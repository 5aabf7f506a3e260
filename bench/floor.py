#!/usr/bin/env python3
"""The read floor: ``pyarrow.csv.read_csv`` of every table of a dataset, nothing else.

Usage::

    python bench/floor.py DIR

Prints one JSON line: ``seconds`` (the reads alone, in-process), ``rows`` and ``tables``.
The whole process (interpreter and the pyarrow import included) is timed by
``bench/run.py``. No graphmodel import: this is what any tool must pay to parse the files.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyarrow.csv as pacsv


def read_all(directory: Path) -> dict[str, float | int]:
    """Read every ``*.csv`` of ``directory`` into Arrow tables; time and count them."""
    started = time.perf_counter()
    rows = tables = 0
    for path in sorted(directory.glob("*.csv")):
        rows += pacsv.read_csv(path).num_rows
        tables += 1
    return {"seconds": time.perf_counter() - started, "rows": rows, "tables": tables}


if __name__ == "__main__":
    print(json.dumps(read_all(Path(sys.argv[1]))))
