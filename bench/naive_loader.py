"""A naive Neo4j loader: one auto-commit ``MERGE`` query per node or relationship row.

It writes the same graph as :func:`graphmodel.neo4j_backend.load` (the same rows,
from :func:`~graphmodel.neo4j_backend.node_rows` and
:func:`~graphmodel.neo4j_backend.relationship_rows`, the same labels, keys and
properties) but the way a first attempt usually does: one query, one transaction
and one network round trip per row. It exists only as the baseline of
``bench/run.py``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from graphmodel import schema
from graphmodel.dataset import Dataset
from graphmodel.neo4j_backend import (
    CONSTRAINTS,
    Connection,
    _label_indexes,
    _neo4j_value,
    connection_settings,
    node_rows,
    open_driver,
    relationship_rows,
)


def _node_query(label: str) -> str:
    assert label in schema.NODE_LABELS
    return ("MERGE (n:Entity {dataset: $dataset, id: $id}) "
            "SET n = $props, n.dataset = $dataset, n.id = $id, n.load_id = $load_id "
            f"SET n:{label}")


def _relationship_query(rel_type: str) -> str:
    assert rel_type in schema.ALL_REL_TYPES
    return ("MATCH (a:Entity {dataset: $dataset, id: $src}) "
            "MATCH (b:Entity {dataset: $dataset, id: $dst}) "
            f"MERGE (a)-[r:{rel_type} {{key: $key}}]->(b) "
            "SET r = $props, r.key = $key, r.dataset = $dataset, r.load_id = $load_id")


def naive_load(ds: Dataset, conn: Connection | None = None) -> dict[str, Any]:
    """Load ``ds`` row by row in auto-commit transactions; return counts and seconds.

    ``seconds`` is the whole load (records prepared with the project's own
    functions, then written), like :attr:`graphmodel.neo4j_backend.LoadResult.seconds`;
    ``write_seconds`` is the writing alone.
    """
    conn = conn or connection_settings()
    started = time.perf_counter()
    nodes = node_rows(ds)
    rels = relationship_rows(ds)
    prepared = time.perf_counter()
    load_id = uuid.uuid4().hex
    driver = open_driver(conn)
    n_nodes = n_rels = 0
    try:
        with driver.session(database=conn.database) as session:
            for statement in (*CONSTRAINTS, *_label_indexes()):
                session.run(statement).consume()
            writing = time.perf_counter()
            for label, rows in nodes.items():
                query = _node_query(label)
                for row in rows:
                    session.run(query, dataset=ds.name, id=row["id"], props=row["props"],
                                load_id=load_id).consume()
                    n_nodes += 1
            for rel_type, rows in rels.items():
                query = _relationship_query(rel_type)
                for row in rows:
                    props = {k: _neo4j_value(v) for k, v in row["props"].items()}
                    session.run(query, dataset=ds.name, src=row["src"], dst=row["dst"],
                                key=row["key"], props=props, load_id=load_id).consume()
                    n_rels += 1
            finished = time.perf_counter()
    finally:
        driver.close()
    return {"nodes": n_nodes, "relationships": n_rels, "seconds": finished - started,
            "prepare_seconds": prepared - started, "write_seconds": finished - writing}
