"""The gaps in SQL (``queries/gaps/<name>.sql``, run by DuckDB, the embedded engine) answer
exactly what the independent DuckDB peer of the benchmarks does.

The peer (``bench/duckdb_peer.py``: an analyst's plain SQL over the CSV files, written apart
from the project's own SQL, with no graphmodel import) is the expectation: the JSON records
of ``gm.gaps`` (every gap, id, name, grid, area and detail, detail keys in the same order,
values of the same JSON types) must be the peer's, in the same order. Checked on the
shipped dataset at several dates with default and non-default parameters, on random
contract-valid version 2 datasets (``_generate.py``), on a generated street tier, and on
every hand-built dataset of ``test_gaps.py``: its tests run again here with ``gaps``
replaced by a check that the peer agrees before the test's own assertions (test_gaps.py
itself checks the expected ids written from the definitions). ``backend="sql"`` is a
synonym of the embedded engine for the gaps and rules; the frame has the gap columns and
types. The ``within`` relation built in SQL equals :attr:`graphmodel.dataset.Dataset.within`.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import test_gaps as hand_built
from conftest import write_dataset

from graphmodel import engine, get_query, load_dataset, rules, schema
from graphmodel._duckdb import connect
from graphmodel._resources import shipped_dataset_dir, sql_text
from graphmodel.dataset import Dataset
from graphmodel.errors import UsageError
from graphmodel.gaps import (
    GAP_COLUMNS,
    GAP_DTYPES,
    GAP_NAMES,
    findings_records,
    findings_to_json,
    gap_names,
    gaps,
)
from graphmodel.queries import parse_as_of
from graphmodel.sql_engine import has_sql, sql_parameters

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DATES = ("2025-06-30", "2026-03-01", "2026-11-29", "2027-06-01", "9999-12-31")
NON_DEFAULT = (
    {"visit_window_days": 90, "followup_days_orange": 30, "followup_days_red": 7,
     "demand_max_days": 60, "key_building_min_companies": 5},
    {"visit_window_days": 400, "followup_days_orange": 5, "followup_days_red": 0,
     "demand_max_days": 0, "key_building_min_companies": 12},
    {"visit_window_days": 0, "followup_days_orange": 36500, "followup_days_red": 36500,
     "demand_max_days": 36500, "key_building_min_companies": 0},
)
PARAM_SETS = ({}, *NON_DEFAULT)
SEEDS = (1, 2, 3, 4, 5, 6)
RANDOM_DATES = ("2025-03-01", "2025-12-31", "2026-06-30", "2026-09-15", "2027-01-01")


# ---------------------------------------------------------------------------
# Comparing the embedded engine with the peer
# ---------------------------------------------------------------------------


@functools.cache
def peer() -> Any:
    """``bench/duckdb_peer.py`` as a module (it imports DuckDB only)."""
    spec = importlib.util.spec_from_file_location("duckdb_peer", REPO / "bench" / "duckdb_peer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peer_findings(directory: Path, as_of: Any, only: Any = None,
                  **params: int) -> list[dict[str, Any]]:
    """The peer's records for the gaps of ``only`` (default all), in its order."""
    names = set(gap_names(only))
    with tempfile.TemporaryDirectory() as scratch:
        found = peer().findings(every_table(directory, Path(scratch)), parse_as_of(as_of),
                                dict(params))
    return [r for r in found if r["gap"] in names]


def every_table(directory: Path, scratch: Path) -> Path:
    """``directory``, or a copy of it with a header-only file for each absent optional
    table (the peer reads every file; an absent table is an empty one, docs/data_contract.md)."""
    absent = [name for name in schema.TABLES if not (directory / f"{name}.csv").is_file()]
    if not absent:
        return directory
    copy = scratch / directory.name
    shutil.copytree(directory, copy)
    for name in absent:
        write_dataset(copy, {name: []})
    return copy


def assert_same(expected: list[dict[str, Any]], found: pd.DataFrame, context: str = "") -> None:
    """The embedded frame's records are the peer's: (gap, id) sets first, then everything
    (as JSON text: key order, and ``true`` is not ``1``)."""
    actual = findings_records(found)
    for gap in dict.fromkeys([*(r["gap"] for r in expected), *(r["gap"] for r in actual)]):
        want = {r["id"] for r in expected if r["gap"] == gap}
        got = {r["id"] for r in actual if r["gap"] == gap}
        assert want == got, (f"{context} {gap}: only the peer {sorted(want - got)}, "
                             f"only SQL {sorted(got - want)}")
    assert (json.dumps(actual, ensure_ascii=False, indent=1)
            == json.dumps(expected, ensure_ascii=False, indent=1)), context


def assert_gap_frame(found: pd.DataFrame) -> None:
    """The gap columns, in order, of the gap types; sorted by gap then id."""
    assert list(found.columns) == GAP_COLUMNS
    assert {c: str(t) for c, t in found.dtypes.items()} == GAP_DTYPES
    assert list(zip(found["gap"], found["id"], strict=True)) == sorted(
        zip(found["gap"], found["id"], strict=True))


def assert_gaps_equal(ds: Dataset, as_of: str, **params: int) -> pd.DataFrame:
    found = gaps(ds, as_of, **params)
    assert_gap_frame(found)
    assert_same(peer_findings(ds.path, as_of, **params), found,
                f"{ds.name} as of {as_of} {params}:")
    return found


# ---------------------------------------------------------------------------
# Shipped and random datasets
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset()


FOUND: set[str] = set()


@pytest.mark.parametrize("as_of", SHIPPED_DATES)
def test_shipped_parity(shipped: Dataset, as_of: str) -> None:
    for params in PARAM_SETS:
        FOUND.update(assert_gaps_equal(shipped, as_of, **params)["gap"])


@pytest.mark.parametrize("as_of", SHIPPED_DATES[1:3])
def test_sql_is_a_synonym_of_embedded(shipped: Dataset, as_of: str) -> None:
    for params in PARAM_SETS:
        expected = gaps(shipped, as_of, **params)
        actual = gaps(shipped, as_of, backend="sql", **params)
        pd.testing.assert_frame_equal(actual, expected, check_exact=True)
        for name in GAP_NAMES:
            pd.testing.assert_frame_equal(
                engine.run(name, shipped, as_of, backend="sql", **params),
                expected[expected["gap"] == name].reset_index(drop=True), check_exact=True)


def test_shipped_parity_finds_every_gap() -> None:
    # the comparisons above are not between empty frames: every gap finds something
    assert set(GAP_NAMES) == FOUND


@pytest.mark.parametrize("seed", SEEDS)
def test_random_parity(generated: Callable[[int], Dataset], seed: int) -> None:
    ds = generated(seed)
    found = [assert_gaps_equal(ds, as_of, **params)
             for as_of in RANDOM_DATES for params in PARAM_SETS]
    assert sum(map(len, found)) > 0


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_within_built_in_sql(generated: Callable[[int], Dataset], shipped: Dataset,
                             seed: int) -> None:
    for ds in (shipped, generated(seed)):
        rows = connect(ds).execute("SELECT place, container FROM within").fetchall()
        assert len(rows) == len(ds.within)
        assert set(rows) == set(ds.within.itertuples(index=False, name=None))


# ---------------------------------------------------------------------------
# The SQL files and the runner
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GAP_NAMES)
def test_every_gap_has_its_sql(name: str) -> None:
    query = get_query(name)
    assert has_sql(query)
    text = sql_text("gaps", name)
    assert text.startswith(f"-- graphmodel query: {name} (SQL, run by DuckDB)\n")
    assert set(sql_parameters(text)) == {"as_of", *query.params}


def test_sql_backend_refuses_a_query_without_sql(shipped: Dataset) -> None:
    import dataclasses

    found = engine.run("path", shipped, "2026-11-29", backend="sql", a="B-GAOHE", b="G-B01")
    assert len(found) and found["to_id"].iloc[-1] == "G-B01"
    orphan = dataclasses.replace(get_query("stale_demand"), name="stale_demand_copy")
    with pytest.raises(UsageError, match="no SQL"):
        engine.run(orphan, shipped, "2026-11-29", backend="sql")
    with pytest.raises(UsageError, match="known: embedded, neo4j, sql"):
        engine.run("stale_demand", shipped, "2026-11-29", backend="duck")
    assert engine.BACKENDS == ("embedded", "neo4j")  # not offered to users yet


def test_sql_backend_with_rules_and_a_path() -> None:
    path = shipped_dataset_dir()
    own = rules.load_rules(path / "rules.toml")
    expected = gaps(load_dataset(path), "2026-11-29", rules=own)
    assert set(expected["gap"]) > set(GAP_NAMES)  # the rules found something too
    pd.testing.assert_frame_equal(gaps(path, "2026-11-29", backend="sql", rules=own),
                                  expected, check_exact=True)
    built_in = expected[expected["gap"].isin(GAP_NAMES)].reset_index(drop=True)
    assert_same(peer_findings(path, "2026-11-29"), built_in)


# ---------------------------------------------------------------------------
# Every hand-built dataset of test_gaps.py, against the peer
# ---------------------------------------------------------------------------

build = hand_built.build
globals().update({name: value for name, value in vars(hand_built).items()
                  if name.startswith("test_") and callable(value)})
_embedded_gaps = hand_built.gaps


@pytest.fixture(autouse=True)
def checked_by_the_peer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                        ) -> Iterator[None]:
    """In the tests of test_gaps.py, ``gaps`` checks that the peer agrees before answering."""
    if getattr(request.function, "__module__", None) == hand_built.__name__:
        def checked(source: Any, as_of: Any = None, only: Any = None, **params: Any
                    ) -> pd.DataFrame:
            found = _embedded_gaps(source, as_of, only, **params)
            if (params.pop("backend", "embedded") in ("embedded", "sql")
                    and isinstance(source, Dataset) and source.path.is_dir()):
                assert_gap_frame(found)
                assert_same(peer_findings(source.path, as_of, only, **params), found,
                            f"as of {as_of}:")
            return found

        monkeypatch.setattr(hand_built, "gaps", checked)
    yield


# ---------------------------------------------------------------------------
# The peer as a program (what the benchmarks run)
# ---------------------------------------------------------------------------


def peer_records(directory: Path, as_of: str, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "peer.json"
    subprocess.run([sys.executable, str(REPO / "bench" / "duckdb_peer.py"), str(directory),
                    "--as-of", as_of, "--out", str(out)], check=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def assert_peer_agrees(directory: Path, as_of: str, tmp_path: Path) -> int:
    """The peer's (gap, id) pairs are the project's, in order; then whole records."""
    expected = json.loads(findings_to_json(gaps(load_dataset(directory), as_of)))
    actual = peer_records(directory, as_of, tmp_path)
    assert [(r["gap"], r["id"]) for r in actual] == [(r["gap"], r["id"]) for r in expected]
    assert actual == expected
    return len(expected)


@pytest.mark.parametrize("as_of", ["2026-03-01", "2026-11-29"])
def test_peer_on_shipped_dataset(tmp_path: Path, as_of: str) -> None:
    assert assert_peer_agrees(shipped_dataset_dir(), as_of, tmp_path) > 0


def test_peer_on_generated_street_tier(tmp_path: Path) -> None:
    from graphmodel.generate import generate

    path = tmp_path / "street"
    generate("street", seed=7, out=path)
    assert assert_peer_agrees(path, "2026-11-01", tmp_path) > 20
