"""A dataset's life on the server: ``neo4j load``, ``neo4j datasets``, ``neo4j drop``.

Runs against the project's Neo4j server (``make test`` starts it); fails, never skips,
when it is down. Every dataset loaded here has a unique name and is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import minimal_tables, write_dataset

from graphmodel import cli, schema, settings
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main

pytestmark = pytest.mark.neo4j

PREFIX = f"t-life-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Two small datasets loaded with ``neo4j load``, by name, with the path each came from."""
    try:
        backend.run_cypher("RETURN 1 AS one", {})
    except backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `make neo4j-start` ({exc})")
    root = tmp_path_factory.mktemp("life")
    paths = {}
    for short in ("a", "b", "c"):
        name = f"{PREFIX}-{short}"
        paths[name] = write_dataset(root / short, minimal_tables())
        assert main(["neo4j", "load", str(paths[name]), "--dataset", name, "--quiet"]) == 0
    yield paths
    for name in paths:
        backend.delete_dataset(name)


def entities(name: str) -> int:
    frame = backend.run_cypher("MATCH (n {dataset: $d}) RETURN count(n) AS n", {"d": name})
    return int(frame.at[0, "n"])


def relationships(name: str) -> int:
    frame = backend.run_cypher("MATCH ()-[r {dataset: $d}]->() RETURN count(r) AS n", {"d": name})
    return int(frame.at[0, "n"])


def test_datasets_shows_source_contract_version_and_load_time(
        loaded: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    frame = backend.datasets().set_index("dataset")
    for name, path in loaded.items():
        row = frame.loc[name]
        assert row["source"] == str(path.resolve())
        assert int(row["contract_version"]) == schema.CONTRACT_VERSION
        stamp = dt.datetime.fromisoformat(str(row["loaded_at"]))  # shown in the street's zone
        assert stamp.year >= 2020 and stamp.utcoffset() == settings.now().utcoffset()
        assert row["entities"] == entities(name)
    capsys.readouterr()
    assert main(["neo4j", "datasets"]) == 0
    out = capsys.readouterr().out
    for column in ("source", "contract_version", "loaded_at"):
        assert column in out
    assert all(name in out for name in loaded)
    assert "\\n" not in out and len(out.splitlines()) > len(loaded)  # one line per row


def test_drop_removes_one_dataset_and_nothing_else(
        loaded: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    victim, *others = sorted(loaded)
    before = {name: (entities(name), relationships(name)) for name in others}
    victim_entities = entities(victim)
    assert victim_entities > 0
    assert main(["neo4j", "drop", "--dataset", victim, "--yes"]) == 0
    assert f"dropped {victim}" in capsys.readouterr().out
    assert entities(victim) == 0 and relationships(victim) == 0
    assert victim not in backend.dataset_names()
    assert {name: (entities(name), relationships(name)) for name in others} == before


def test_drop_refuses_an_unknown_name_with_the_known_ones(
        loaded: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["neo4j", "drop", "--dataset", f"{PREFIX}-nope", "--yes"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"{PREFIX}-nope" in err
    assert f"{PREFIX}-c" in err  # the list of known datasets


def test_drop_without_yes_off_a_terminal_refuses(
        loaded: dict[str, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"{PREFIX}-c"
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["neo4j", "drop", "--dataset", name])
    assert exit_info.value.code == 2
    assert "--yes" in capsys.readouterr().err
    assert entities(name) > 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer", ["n", ""])
def test_drop_asks_and_a_no_keeps_the_dataset(
        loaded: dict[str, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, answer: str) -> None:
    name = f"{PREFIX}-c"
    monkeypatch.setattr("sys.stdin", _Terminal())
    asked: list[str] = []
    monkeypatch.setattr(cli.err, "input", lambda prompt: asked.append(prompt) or answer)
    assert main(["neo4j", "drop", "--dataset", name]) == 1
    assert asked and "[y/N]" in asked[0]
    assert "nothing dropped" in capsys.readouterr().err
    assert entities(name) > 0


def test_drop_asks_and_a_yes_drops(loaded: dict[str, Path],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"{PREFIX}-c"
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr(cli.err, "input", lambda prompt: "y")
    assert main(["neo4j", "drop", "--dataset", name]) == 0
    assert entities(name) == 0
    assert name not in backend.dataset_names()
