#!/usr/bin/env python3
"""Neo4j figures of one dataset: loader, reload, every gap warm, and the bulk import.

Usage::

    python bench/neo4j_measure.py DIR --tier TIER --as-of YYYY-MM-DD [--keep]

Prints one JSON line. The dataset is loaded as ``bench-TIER`` with
``graphmodel.neo4j_backend.load`` (records/s of the first load into a database without
it), loaded again unchanged (the reload, as a share of the first load), and every gap is
run warm with ``graphmodel.engine.run(name, "bench-TIER", as_of, backend="neo4j")``
(one warm-up, then the median of 3; the ids are compared with the embedded answer).
``bench-TIER`` is dropped afterwards (``--keep`` leaves it); no other dataset is touched.
Then the bulk import ``graphmodel.neo4j_bulk.bulk_load(DIR, name="bench-bulk-TIER")``
is timed (``import_seconds``: the neo4j-admin import without the server restart) when
that module exists and the database holds no dataset at all; otherwise the reason it
was not measured is recorded.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import time
from pathlib import Path
from typing import Any


def loader_and_gaps(directory: Path, tier: str, as_of: str, keep: bool) -> dict[str, Any]:
    """Load ``bench-TIER``, reload it unchanged, run every gap warm, then drop it."""
    from graphmodel import engine, gaps, load_dataset
    from graphmodel.gaps import GAP_NAMES
    from graphmodel.neo4j_backend import connection_settings, dataset_names, delete_dataset, load

    conn = connection_settings()
    name = f"bench-{tier}"
    if name in dataset_names(conn):
        delete_dataset(name, conn)
    ds = load_dataset(directory, name=name)
    out: dict[str, Any] = {"dataset": name}
    try:
        first = load(ds, conn, progress=False)
        records = first.nodes + first.relationships
        out["load"] = {"records": records, "nodes": first.nodes,
                       "relationships": first.relationships, "seconds": first.seconds,
                       "records_per_s": records / first.seconds}
        again = load(ds, conn, progress=False)
        out["reload"] = {"seconds": again.seconds, "unchanged": again.unchanged,
                         "share_of_first": again.seconds / first.seconds}
        embedded = gaps(ds, as_of)
        timed: dict[str, Any] = {}
        for gap in GAP_NAMES:
            frame = engine.run(gap, name, as_of, backend="neo4j")  # warm-up
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                frame = engine.run(gap, name, as_of, backend="neo4j")
                runs.append(time.perf_counter() - started)
            want = set(embedded.loc[embedded["gap"] == gap, "id"])
            timed[gap] = {"seconds": statistics.median(runs), "runs": runs,
                          "findings": len(frame), "same_ids": set(frame["id"]) == want}
        out["gaps"] = timed
    finally:
        if not keep:
            out["dropped_nodes"] = delete_dataset(name, conn)
    return out


def bulk(directory: Path, tier: str) -> dict[str, Any]:
    """The bulk import into an empty database, or why it was not measured."""
    if importlib.util.find_spec("graphmodel.neo4j_bulk") is None:
        return {"not_measured": "graphmodel.neo4j_bulk does not exist"}
    from graphmodel.neo4j_backend import connection_settings, dataset_names, delete_dataset
    from graphmodel.neo4j_bulk import bulk_load

    conn = connection_settings()
    held = dataset_names(conn)
    if held:
        return {"not_measured": "the database is not empty (bulk import refuses it): "
                + ", ".join(held)}
    name = f"bench-bulk-{tier}"
    try:
        result = bulk_load(directory, name=name, progress=False)
        return {"records": result.records, "import_seconds": result.import_seconds,
                "seconds": result.seconds,
                "records_per_s": result.records / result.import_seconds}
    except Exception as exc:
        return {"not_measured": f"{type(exc).__name__}: {str(exc)[:300]}"}
    finally:
        if name in dataset_names(conn):
            delete_dataset(name, conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--tier", required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--keep", action="store_true", help="leave bench-TIER in Neo4j")
    args = parser.parse_args()
    out = loader_and_gaps(args.dataset, args.tier, args.as_of, args.keep)
    out["bulk"] = bulk(args.dataset, args.tier)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
