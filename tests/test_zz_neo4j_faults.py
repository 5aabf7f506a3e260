"""Neo4j faults: wrong password, unreachable server, server stopped mid-load.

Each gives one clear message and a non-zero exit; re-running the load afterwards
converges to the right graph. These tests talk to the project's real server and
stop/restart it, so they run last (``zz`` in the module name keeps pytest's
file order) and always leave it running.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from graphmodel import load_dataset, server
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main

pytestmark = pytest.mark.neo4j

MIDLOAD = "faults-midload"


def _count(dataset: str) -> tuple[int, int]:
    frame = backend.run_cypher(
        "MATCH (n:Entity {dataset: $d}) OPTIONAL MATCH (n)-[r]->() "
        "RETURN count(DISTINCT n) AS nodes, count(r) AS rels", {"d": dataset})
    return int(frame.at[0, "nodes"]), int(frame.at[0, "rels"])


def _drop(dataset: str) -> None:
    backend.delete_dataset(dataset)


def test_wrong_password_is_one_clear_error(capsys, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "definitely-not-the-password")
    code = main(["neo4j", "datasets"])
    err = capsys.readouterr().err
    assert code == 1
    assert "authentication failed" in err and "NEO4J_PASSWORD" in err
    assert "Traceback" not in err


def test_unreachable_server_is_one_clear_error(capsys):
    code = main(["neo4j", "gaps", "--uri", "bolt://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in err
    assert "Traceback" not in err


def test_invalid_dataset_writes_nothing(make_dataset, capsys):
    from conftest import minimal_tables

    tables = minimal_tables()
    tables["companies"][0]["building_id"] = "NOPE"
    path = make_dataset(tables, name="faults-invalid")
    assert main(["neo4j", "load", str(path), "--dataset", "faults-invalid", "--quiet"]) == 2
    assert "unknown reference" in capsys.readouterr().err
    assert _count("faults-invalid") == (0, 0)


def test_server_stopped_mid_load_then_reload_converges():
    expected_ds = load_dataset()
    expected_nodes = sum(len(rows) for rows in backend.node_rows(expected_ds).values())
    expected_rels = sum(len(rows) for rows in backend.relationship_rows(expected_ds).values())
    _drop(MIDLOAD)
    command = [sys.executable, "-m", "graphmodel.cli", "neo4j", "load", "--dataset", MIDLOAD,
               "--batch-size", "20", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _count(MIDLOAD)[0] > 0:
                break
            time.sleep(0.2)
        assert process.poll() is None, "the load finished before the server could be stopped"
        server.stop()
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
        server.start()
    assert process.returncode == 1
    lines = [line for line in stderr.splitlines()
             if line.strip() and not line.startswith("注意 note")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("错误 error") and "Neo4j" in lines[0]
    partial = _count(MIDLOAD)
    assert partial[0] < expected_nodes or partial[1] < expected_rels
    result = backend.load(load_dataset(name=MIDLOAD), progress=False)
    assert (result.nodes, result.relationships) == (expected_nodes, expected_rels)
    assert _count(MIDLOAD) == (expected_nodes, expected_rels)
    _drop(MIDLOAD)


def test_routing_uri_works_unchanged(capsys):
    routing = server.credentials()["uri"].replace("bolt://", "neo4j://")
    assert routing.startswith("neo4j://")
    assert main(["neo4j", "datasets", "--uri", routing]) == 0
    assert "dataset" in capsys.readouterr().out
