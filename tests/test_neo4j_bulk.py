"""Cheap reloads and the refusals of the bulk import, on the project's real server.

A reload of unchanged tables writes nothing (its fingerprint matches); a changed cell is
loaded; an interrupted load is never taken for a complete one. ``neo4j load --bulk``
refuses a database that holds anything and a server that is not the local one, and
changes nothing when it refuses. The bulk import itself empties the database, so it is
tested last, in ``test_zz_neo4j_bulk.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import minimal_tables, write_dataset

from graphmodel import load_dataset, neo4j_bulk, server
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main

pytestmark = pytest.mark.neo4j

PREFIX = f"t-bulk-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def name() -> Any:
    """A unique dataset name, dropped afterwards."""
    full = f"{PREFIX}-{uuid.uuid4().hex[:6]}"
    try:
        backend.run_cypher("RETURN 1 AS one", {})
    except backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `make neo4j-start` ({exc})")
    yield full
    backend.delete_dataset(full)


def snapshot(dataset: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every node and relationship of a dataset with all properties (``load_id`` too)."""
    nodes = backend.run_cypher(
        "MATCH (n:Entity {dataset: $d}) RETURN n.id AS id, labels(n) AS labels, "
        "properties(n) AS props ORDER BY id", {"d": dataset})
    rels = backend.run_cypher(
        "MATCH (a:Entity {dataset: $d})-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, "
        "properties(r) AS props ORDER BY a, t, b, r.key", {"d": dataset})
    as_rows = [(row.id, sorted(row.labels), sorted(row.props.items())) for row in
               nodes.itertuples()]
    return as_rows, [(row.a, row.t, row.b, sorted(row.props.items())) for row in
                     rels.itertuples()]


def write(cypher: str, **params: Any) -> None:
    conn = backend.connection_settings()
    backend._shared_driver(conn).execute_query(cypher, params, database_=conn.database)


def meta(dataset: str) -> dict[str, Any]:
    frame = backend.run_cypher("MATCH (m:GraphmodelDataset {name: $d}) RETURN properties(m) AS p",
                               {"d": dataset})
    return dict(frame.at[0, "p"])


def test_table_fingerprints_see_one_changed_cell(tmp_path: Path) -> None:
    tables = minimal_tables()
    first = load_dataset(write_dataset(tmp_path / "a", tables))
    again = load_dataset(write_dataset(tmp_path / "b", tables))
    tables["companies"][0]["employees"] = 11
    changed = load_dataset(write_dataset(tmp_path / "c", tables))
    prints = backend.table_fingerprints(first)
    assert prints == backend.table_fingerprints(again)  # the folder and name play no part
    differ = {t for t, v in backend.table_fingerprints(changed).items() if prints[t] != v}
    assert differ == {"companies"}


def test_unchanged_reload_writes_nothing_and_a_changed_cell_is_loaded(
        tmp_path: Path, name: str) -> None:
    tables = minimal_tables()
    ds = load_dataset(write_dataset(tmp_path / "v1", tables), name=name)
    first = backend.load(ds, progress=False)
    assert not first.unchanged
    before, stored = snapshot(name), meta(name)
    assert stored["fingerprint"] and len(stored["table_fingerprints"]) == len(ds.tables)

    again = backend.load(load_dataset(write_dataset(tmp_path / "v1b", tables), name=name),
                         progress=False)
    assert again.unchanged and (again.nodes, again.relationships) == (first.nodes,
                                                                      first.relationships)
    assert snapshot(name) == before  # same load_id everywhere: nothing was written
    assert meta(name) == stored

    tables["companies"][0]["employees"] = 42
    changed = backend.load(load_dataset(write_dataset(tmp_path / "v2", tables), name=name),
                           progress=False)
    assert not changed.unchanged
    frame = backend.run_cypher("MATCH (c:Company {dataset: $d, id: 'C1'}) RETURN c.employees AS e",
                               {"d": name})
    assert frame.at[0, "e"] == 42
    assert meta(name)["fingerprint"] != stored["fingerprint"]


def test_sync_reload_after_a_plain_one_writes(tmp_path: Path, name: str) -> None:
    tables = minimal_tables()
    ds = load_dataset(write_dataset(tmp_path / "full", tables), name=name)
    backend.load(ds, progress=False)
    del tables["companies"][1]
    tables["risk_assessments"] = []
    smaller = load_dataset(write_dataset(tmp_path / "small", tables), name=name)
    assert not backend.load(smaller, progress=False).unchanged
    assert backend.load(smaller, progress=False).unchanged  # C2 stays without --sync
    synced = backend.load(smaller, sync=True, progress=False)
    assert not synced.unchanged and synced.deleted_nodes >= 1
    assert backend.load(smaller, sync=True, progress=False).unchanged


def test_interrupted_load_is_never_taken_for_complete(tmp_path: Path, name: str) -> None:
    ds = load_dataset(write_dataset(tmp_path / "v1", minimal_tables()), name=name)
    backend.load(ds, progress=False)
    # What a load leaves when it stops after its first write: the fingerprint is gone.
    write(backend.FORGET_FINGERPRINT, dataset=name)
    assert not backend.load(ds, progress=False).unchanged
    # An entity deleted behind the loader's back is written again.
    write("MATCH (n:Entity {dataset: $d, id: 'C1'}) DETACH DELETE n", d=name)
    assert not backend.load(ds, progress=False).unchanged
    assert any(row[0] == "C1" for row in snapshot(name)[0])


def test_first_load_creates_what_merge_would(tmp_path: Path, name: str) -> None:
    """The CREATE path of a first load and the MERGE path of a reload write the same graph."""
    ds = load_dataset(write_dataset(tmp_path / "v1", minimal_tables()), name=name)
    backend.load(ds, progress=False)
    created = snapshot(name)
    write(backend.FORGET_FINGERPRINT, dataset=name)
    backend.load(ds, progress=False)  # MERGE over the same rows
    merged = snapshot(name)

    def without_load_id(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [(*row[:-1], [kv for kv in row[-1] if kv[0] != "load_id"]) for row in rows]

    assert [without_load_id(part) for part in created] == [without_load_id(p) for p in merged]


def test_cli_says_unchanged(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_dataset(tmp_path / "cli", minimal_tables())
    assert main(["neo4j", "load", str(path), "--dataset", name, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["neo4j", "load", str(path), "--dataset", name, "--quiet"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_bulk_refuses_a_database_that_holds_data(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_dataset(tmp_path / "held", minimal_tables())
    backend.load(load_dataset(path, name=name), progress=False)
    before = snapshot(name)
    pid = server.status()["pid"]
    with pytest.raises(neo4j_bulk.BulkRefused, match="not empty"):
        neo4j_bulk.bulk_load(path, name=f"{name}-bulk", progress=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["neo4j", "load", str(path), "--dataset", f"{name}-bulk", "--bulk", "--quiet"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "Traceback" not in err
    assert server.status()["pid"] == pid  # never stopped
    assert snapshot(name) == before
    assert not backend.dataset_loaded(f"{name}-bulk")


@pytest.mark.parametrize("uri", ["bolt://db.example.org:7687", "neo4j+s://127.0.0.1:7687",
                                 "bolt://127.0.0.1:1"])
def test_bulk_refuses_a_server_that_is_not_ours(tmp_path: Path, uri: str) -> None:
    conn = dataclasses.replace(backend.connection_settings(), uri=uri)
    pid = server.status()["pid"]
    with pytest.raises(neo4j_bulk.BulkRefused, match="local server"):
        neo4j_bulk.bulk_load(write_dataset(tmp_path / "remote", minimal_tables()),
                             conn=conn, progress=False)
    assert server.status()["pid"] == pid


def test_csv_types_match_what_the_driver_stores() -> None:
    assert neo4j_bulk.csv_type([dt.date(2026, 1, 1), None]) == "date"
    assert neo4j_bulk.csv_type([True, False]) == "boolean"
    assert neo4j_bulk.csv_type([3, None, 4]) == "long"
    with pytest.raises(neo4j_bulk.BulkRefused):
        neo4j_bulk.csv_type(["a", 1])
