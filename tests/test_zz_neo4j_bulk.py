"""``neo4j load --bulk`` (neo4j-admin import) writes the loader's graph, on the real server.

A bulk import needs an empty database, so this module empties it: every dataset the server
held is loaded again afterwards from the files it came from (``neo4j datasets`` shows the
source). A dataset whose files are gone is refused up front unless it is a test leftover
(files under the system temporary directory). ``zz`` in the name runs it after the other
Neo4j tests; it stops and restarts the server and always leaves it running.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from graphmodel import engine, load_dataset, neo4j_bulk, server
from graphmodel import neo4j_backend as backend
from graphmodel.gaps import GAP_NAMES
from graphmodel.generate import generate

pytestmark = pytest.mark.neo4j

NAME = "zz-bulk-street"
AS_OF = "2026-11-29"


def _drop_everything() -> None:
    for name in backend.dataset_names():
        backend.delete_dataset(name)
    conn = backend.connection_settings()
    driver = backend.open_driver(conn)
    try:
        with driver.session(database=conn.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                        ).consume()
    finally:
        driver.close()


@pytest.fixture(scope="module")
def empty_database() -> Iterator[None]:
    """An empty database for the module; what it held is loaded again at the end."""
    try:
        held = backend.datasets()
    except backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `make neo4j-start` ({exc})")
    temp = Path(tempfile.gettempdir()).resolve()
    restore, lost = [], []
    for row in held.itertuples():
        source = Path(str(row.source or ""))
        if row.source and source.exists():
            restore.append((str(row.dataset), source))
        elif not (row.source and source.resolve().is_relative_to(temp)):
            lost.append(str(row.dataset))
    if lost:
        pytest.fail(f"the database holds datasets whose files are gone: {lost}; this test "
                    "empties the database and could not load them again (drop them first)")
    _drop_everything()
    try:
        yield
    finally:
        if not server.status()["running"]:
            server.start()
        backend.delete_dataset(NAME)
        for dataset, source in restore:
            backend.load(load_dataset(source, name=dataset), progress=False)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk") / "street"
    generate("street", seed=7, out=out)
    return out


def graph(dataset: str) -> tuple[dict[str, Any], dict[tuple[Any, ...], Any]]:
    """Every node (labels, properties with their Python types) and relationship, without
    ``load_id`` (the one thing two loads of the same data differ in)."""
    nodes = backend.run_cypher(
        "MATCH (n:Entity {dataset: $d}) RETURN n.id AS id, labels(n) AS labels, "
        "properties(n) AS props", {"d": dataset})
    rels = backend.run_cypher(
        "MATCH (a:Entity {dataset: $d})-[r]->(b:Entity) RETURN a.id AS a, type(r) AS t, "
        "b.id AS b, properties(r) AS props", {"d": dataset})

    def typed(props: dict[str, Any]) -> dict[str, tuple[str, Any]]:
        return {k: (type(v).__name__, v) for k, v in props.items() if k != "load_id"}

    node_map = {row.id: (sorted(row.labels), typed(row.props)) for row in nodes.itertuples()}
    rel_map: dict[tuple[Any, ...], Any] = {}
    for row in rels.itertuples():
        key = (row.a, row.t, row.b, row.props.get("key"))
        assert key not in rel_map
        rel_map[key] = typed(row.props)
    return node_map, rel_map


def test_bulk_import_equals_the_loader(empty_database: None, street: Path) -> None:
    ds = load_dataset(street, name=NAME)
    result = neo4j_bulk.bulk_load(street, name=NAME, progress=False)
    assert server.status()["running"]
    expected_nodes = sum(map(len, backend.node_rows(ds).values()))
    expected_rels = sum(map(len, backend.relationship_rows(ds).values()))
    assert (result.nodes, result.relationships) == (expected_nodes, expected_rels)
    assert result.records == expected_nodes + expected_rels
    assert 0 < result.import_seconds < result.seconds
    bulk = graph(NAME)
    assert len(bulk[0]) == expected_nodes and len(bulk[1]) == expected_rels

    # gaps on the imported graph equal the embedded engine's
    for gap in GAP_NAMES:
        actual = engine.run(gap, NAME, AS_OF, backend="neo4j")
        expected = engine.run(gap, ds, AS_OF)
        pd.testing.assert_frame_equal(actual.reset_index(drop=True),
                                      expected.reset_index(drop=True), check_dtype=False)

    # the metadata node and fingerprint: a reload of the same files writes nothing
    listed = backend.datasets().set_index("dataset")
    assert listed.loc[NAME, "entities"] == expected_nodes
    assert backend.load(ds, progress=False).unchanged

    # a second bulk import is refused: the database holds a dataset
    with pytest.raises(neo4j_bulk.BulkRefused, match="not empty"):
        neo4j_bulk.bulk_load(ds, name="zz-other", progress=False)

    # the loader's graph of the same dataset, property by property
    backend.delete_dataset(NAME)
    backend.load(ds, progress=False)
    loaded = graph(NAME)
    assert loaded[0].keys() == bulk[0].keys()
    for node_id, value in loaded[0].items():
        assert bulk[0][node_id] == value, node_id
    assert loaded[1].keys() == bulk[1].keys()
    for key, value in loaded[1].items():
        assert bulk[1][key] == value, key
    indexes = set(backend.run_cypher("SHOW INDEXES YIELD name", {})["name"])
    assert {"entity_dataset_id", "entity_dataset", "dataset_meta", "company_dataset_id"} <= indexes
