#!/usr/bin/env python3
"""The DuckDB peer: the eleven gaps in plain SQL over a dataset's CSV files.

Usage::

    python bench/duckdb_peer.py DIR [--as-of YYYY-MM-DD] [--param NAME=VALUE ...]
                                [--out FILE]

Runs ``bench/duckdb_peer.sql`` (an analyst's independent SQL, not graphmodel's own) with
DuckDB alone -- no graphmodel import -- and writes the findings as the JSON of
``graphmodel gaps DIR --format json``: one record per finding (``gap``, ``id``, ``name``,
``grid_id``, ``grid_name``, ``area_id``, ``area_name``, ``detail``), sorted by gap then id.
It is the reference of the benchmarks (docs/performance.md): the project must give the
same answer, and its time is the one to approach.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import duckdb

SCRIPT = Path(__file__).resolve().with_name("duckdb_peer.sql")
DEFAULTS = {"visit_window_days": 180, "followup_days_orange": 14, "followup_days_red": 3,
            "demand_max_days": 30, "key_building_min_companies": 20}
"""The default gap parameters of docs/gaps.md."""
COLUMNS = ("gap", "id", "name", "grid_id", "grid_name", "area_id", "area_name", "detail")


def findings(directory: Path, as_of: dt.date, params: dict[str, int]) -> list[dict[str, Any]]:
    """The findings of the eleven gaps on the CSV files in ``directory``."""
    con = duckdb.connect(":memory:")
    con.execute("SET VARIABLE data_dir = $dir", {"dir": str(directory)})
    con.execute("SET VARIABLE as_of = $day::DATE", {"day": as_of})
    for name, value in {**DEFAULTS, **params}.items():
        con.execute(f"SET VARIABLE {name} = $value::INTEGER", {"value": value})
    rows = con.execute(SCRIPT.read_text(encoding="utf-8")).fetchall()
    return [{**dict(zip(COLUMNS[:-1], row[:-1], strict=True)), "detail": json.loads(row[-1])}
            for row in rows]


def _param(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    if name.strip() not in DEFAULTS or not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=N with NAME in {', '.join(DEFAULTS)}")
    return name.strip(), int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="folder of the dataset's CSV files")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="evaluation date YYYY-MM-DD (default today)")
    parser.add_argument("--param", type=_param, action="append", default=[],
                        metavar="NAME=VALUE", help="override a gap parameter (repeatable)")
    parser.add_argument("--out", type=Path, help="write the JSON here (default stdout)")
    args = parser.parse_args(argv)
    text = json.dumps(findings(args.dataset, args.as_of, dict(args.param)),
                      ensure_ascii=False, indent=2)
    if args.out is None:
        sys.stdout.write(text + "\n")
    else:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
