"""Where a report's numbers come from: the same queries on either engine.

A report reads a *source*: a :class:`~graphmodel.dataset.Dataset` for the embedded engine
(pandas + networkx), or the name of a dataset loaded in Neo4j. :func:`run_query` runs a
library query (a gap, ``risk_view``, ``sector_matrix``, ``bridges``) through
:func:`graphmodel.engine.run` on the chosen engine. The report also needs the places, names,
organisations and people to group and label what the queries return, and to draw the
network map; with Neo4j, :func:`read_dataset` reads them back from the server (every
node and relationship of the dataset, validated like a file), so a report needs no dataset
files at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import engine, neo4j_backend, schema
from graphmodel.dataset import Dataset
from graphmodel.errors import DatasetError, ReportError
from graphmodel.gaps import gaps
from graphmodel.io import RawDataset, RawTable
from graphmodel.validation import validate_raw

__all__ = ["BACKENDS", "compute_gaps", "read_dataset", "run_query"]

BACKENDS = engine.BACKENDS
"""The engines a report can run on."""


def run_query(name: str, source: Dataset | str, as_of: dt.date, backend: str = "embedded",
              conn: Any = None, **params: Any) -> pd.DataFrame:
    """One library query on one engine: the same frame whichever engine ran it.

    Parameters
    ----------
    name : str
        A library query (``risk_view``, ``sector_matrix``, ``bridges``...).
    source : Dataset or str
        The dataset (embedded) or its name in Neo4j.
    as_of : datetime.date
        Evaluation date.
    backend : {"embedded", "neo4j"}
        The engine.
    conn : neo4j_backend.Connection, optional
        Neo4j connection (default from the environment).
    **params
        The query's parameters.
    """
    return engine.run(name, source, as_of=as_of, backend=backend, conn=conn, **params)


def compute_gaps(source: Dataset | str, as_of: dt.date, params: Mapping[str, int],
                 backend: str = "embedded", conn: Any = None, rules: Any = None
                 ) -> pd.DataFrame:
    """Every gap's findings, and every rule's (docs/rules.md), on the chosen engine (one
    frame, as ``graphmodel gaps``)."""
    return gaps(source, as_of=as_of, backend=backend, conn=conn, rules=rules or None,
                **params)


def check_loaded(name: str, conn: Any = None) -> None:
    """Raise :class:`ReportError` unless dataset ``name`` is loaded in Neo4j."""
    if not neo4j_backend.dataset_loaded(name, conn):
        raise ReportError(f"Neo4j 中没有数据集 / dataset {name!r} is not loaded in Neo4j; "
                          f"load it first: graphmodel neo4j load --dataset {name}")


# ---------------------------------------------------------------------------
# The tables, read back from Neo4j
# ---------------------------------------------------------------------------

NODES = """
MATCH (n:Entity {dataset: $dataset}) WHERE n.id IS NOT NULL
RETURN [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS props
"""
RELATIONSHIPS = """
MATCH (a:Entity {dataset: $dataset})-[r]->(b:Entity {dataset: $dataset})
WHERE a.id IS NOT NULL AND type(r) IN $types
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
"""


def _cell(value: Any) -> str | None:
    """A value from Neo4j as the text a CSV cell would hold."""
    if value is None:
        return None
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


LOADER_PROPERTIES = frozenset({"dataset", "load_id", "key", "risk_level", "risk_colour",
                               "risk_label_zh", "risk_assessed_on", "label_zh", "colour"})
"""Properties the loader adds (not columns of a table): read back, they are left out."""


def _raw_table(table: schema.Table, rows: list[dict[str, Any]]) -> RawTable:
    columns = table.column_names
    internal = LOADER_PROPERTIES | ({"id"} if "id" not in columns else set())
    extra = sorted({k for row in rows for k in row} - set(columns) - internal)
    columns = columns + extra  # a table's extra columns are kept as properties
    frame = pd.DataFrame([{c: _cell(row.get(c)) for c in columns} for row in rows],
                         columns=columns, dtype=object)
    if len(frame):
        frame = frame.sort_values(table.column_names[:2], kind="stable").reset_index(drop=True)
    return RawTable(table.name, f"neo4j:{table.name}", frame,
                    pd.Series(range(2, len(frame) + 2), dtype="int64"))


def read_dataset(name: str, conn: Any = None) -> Dataset:
    """Dataset ``name`` as loaded in Neo4j: every table read back from its nodes and
    relationships, then validated like a dataset read from files.

    Raises
    ------
    ReportError
        When no dataset of that name is loaded.
    DatasetError
        When what the server holds breaks the contract (say, written by another tool).
    """
    check_loaded(name, conn)
    table_of = {label: table for table, label in schema.LABEL_OF_TABLE.items()}
    nodes = neo4j_backend.run_cypher(NODES, {"dataset": name, "labels": list(table_of)}, conn)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in schema.TABLES}
    for label, props in zip(nodes.get("label", []), nodes.get("props", []), strict=True):
        if label in table_of:
            rows[table_of[label]].append(props)
    rels = neo4j_backend.run_cypher(
        RELATIONSHIPS, {"dataset": name, "types": [*schema.LINK_REL_TYPES, "VISITED"]}, conn)
    for kind, source, target, props in zip(rels.get("type", []), rels.get("source", []),
                                           rels.get("target", []), rels.get("props", []),
                                           strict=True):
        if kind == "VISITED":
            rows["visits"].append({**props, "visitor_id": source, "target_id": target})
        else:
            rows["links"].append({**props, "type": kind, "source_id": source,
                                  "target_id": target})
    raw = RawDataset(Path(f"neo4j:{name}"))
    for table in schema.TABLES.values():
        if rows[table.name] or table.required:
            raw.tables[table.name] = _raw_table(table, rows[table.name])
    tables, problems = validate_raw(raw)
    if any(p.severity == "error" for p in problems):
        raise DatasetError(problems, f"neo4j:{name}")
    return Dataset(name, Path(f"neo4j:{name}"), tables, [])
