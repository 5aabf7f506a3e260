#!/usr/bin/env python3
"""The project in one interpreter: ``load_dataset`` then ``gaps``, timed from inside.

Usage::

    python bench/inprocess.py DIR --as-of YYYY-MM-DD

Prints one JSON line: ``import_seconds`` (``import graphmodel``), ``load_seconds``
(``graphmodel.load_dataset(DIR)``: reading and validation), ``gaps_seconds``
(``graphmodel.gaps(ds, as_of)``), ``findings`` per gap, and, when the public reader
``graphmodel.io.read_raw_dataset`` exists, ``read_seconds`` (reading alone, run once
before ``load_dataset``; validation is then about ``load_seconds - read_seconds``).
Only public functions are called; nothing inside the package is patched.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def measure(directory: Path, as_of: str) -> dict[str, object]:
    """Time ``import graphmodel``, the read, ``load_dataset`` and ``gaps`` on ``directory``."""
    started = time.perf_counter()
    import graphmodel

    out: dict[str, object] = {"import_seconds": time.perf_counter() - started}
    try:
        from graphmodel.io import read_raw_dataset
    except ImportError:
        read_raw_dataset = None
    if read_raw_dataset is not None:
        started = time.perf_counter()
        read_raw_dataset(directory)
        out["read_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    ds = graphmodel.load_dataset(directory)
    out["load_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    found = graphmodel.gaps(ds, as_of)
    out["gaps_seconds"] = time.perf_counter() - started
    out["seconds"] = out["load_seconds"] + out["gaps_seconds"]  # type: ignore[operator]
    out["findings"] = {str(k): int(v) for k, v in found["gap"].value_counts(sort=False).items()}
    out["graph_built"] = "graph" in vars(ds)  # gaps never need the networkx graph
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()
    print(json.dumps(measure(args.dataset, args.as_of)))
