"""The gaps in SQL (``queries/gaps/<name>.sql``, run by DuckDB) answer exactly what pandas does.

``backend="sql"`` of :func:`graphmodel.engine.run` must return the very DataFrame of the
embedded (pandas) engine for every gap: same rows, order, types and detail dicts (keys in
the same order, values of the same Python types). Checked on the shipped dataset at
several dates with default and non-default parameters, on random contract-valid version 2
datasets (``_generate.py``), and on every hand-built dataset of ``test_gaps.py``: its tests
run again here with ``gaps`` replaced by a check that both engines agree before the test's
own assertions. The ``within`` relation built in SQL equals
:attr:`graphmodel.dataset.Dataset.within`. The independent DuckDB peer of the benchmarks
(``bench/duckdb_peer.py``, plain SQL over the CSV files) finds the same (gap, id) pairs
on the shipped dataset and on a generated street tier.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import test_gaps as hand_built
from _generate import random_tables
from conftest import write_dataset

from graphmodel import engine, get_query, load_dataset, rules
from graphmodel._duckdb import connect
from graphmodel._resources import shipped_dataset_dir, sql_text
from graphmodel.dataset import Dataset
from graphmodel.errors import UsageError
from graphmodel.gaps import GAP_COLUMNS, GAP_NAMES, findings_to_json, gaps
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
# Comparing the two embedded engines
# ---------------------------------------------------------------------------


def typed_details(found: pd.DataFrame) -> list[list[tuple[str, type, Any]]]:
    """Each detail as its (key, type, value) items, in order (JSON output keeps the order)."""
    return [[(k, type(v), v) for k, v in d.items()] for d in found["detail"]]


def assert_same(expected: pd.DataFrame, actual: pd.DataFrame, context: str = "") -> None:
    """The SQL frame is the pandas frame: (gap, id) sets first, then everything."""
    for gap in dict.fromkeys([*expected["gap"], *actual["gap"]]):
        want = set(expected.loc[expected["gap"] == gap, "id"])
        got = set(actual.loc[actual["gap"] == gap, "id"])
        assert want == got, (f"{context} {gap}: only pandas {sorted(want - got)}, "
                             f"only SQL {sorted(got - want)}")
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    assert typed_details(actual) == typed_details(expected), context


def assert_gaps_equal(ds: Dataset, as_of: str, **params: int) -> pd.DataFrame:
    expected = gaps(ds, as_of, **params)
    actual = gaps(ds, as_of, backend="sql", **params)
    assert list(actual.columns) == GAP_COLUMNS
    assert_same(expected, actual, f"{ds.name} as of {as_of} {params}:")
    return expected


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


def test_shipped_parity_finds_every_gap() -> None:
    # the comparisons above are not between empty frames: every gap finds something
    assert set(GAP_NAMES) == FOUND


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Dataset]:
    root = tmp_path_factory.mktemp("generated")

    @functools.cache
    def get(seed: int) -> Dataset:
        return load_dataset(write_dataset(root / f"random{seed}", random_tables(seed)),
                            name=f"random{seed}")

    return get


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


def test_sql_backend_runs_gaps_and_rules_only(shipped: Dataset) -> None:
    with pytest.raises(UsageError, match="no SQL"):
        engine.run("sector_matrix", shipped, "2026-11-29", backend="sql")
    with pytest.raises(UsageError, match="known: embedded, neo4j, sql"):
        engine.run("stale_demand", shipped, "2026-11-29", backend="duck")
    assert engine.BACKENDS == ("embedded", "neo4j")  # not offered to users yet


def test_sql_backend_with_rules_and_a_path() -> None:
    path = shipped_dataset_dir()
    own = rules.load_rules(path / "rules.toml")
    expected = gaps(load_dataset(path), "2026-11-29", rules=own)
    assert_same(expected, gaps(path, "2026-11-29", backend="sql", rules=own))


# ---------------------------------------------------------------------------
# Every hand-built dataset of test_gaps.py, on both engines
# ---------------------------------------------------------------------------

build = hand_built.build
globals().update({name: value for name, value in vars(hand_built).items()
                  if name.startswith("test_") and callable(value)})
_pandas_gaps = hand_built.gaps


@pytest.fixture(autouse=True)
def both_engines(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[None]:
    """In the tests of test_gaps.py, ``gaps`` checks that SQL agrees before answering."""
    if getattr(request.function, "__module__", None) == hand_built.__name__:
        def checked(source: Any, as_of: Any = None, only: Any = None, **params: Any
                    ) -> pd.DataFrame:
            expected = _pandas_gaps(source, as_of, only, **params)
            if params.get("backend", "embedded") == "embedded":
                params.pop("backend", None)
                actual = _pandas_gaps(source, as_of, only, backend="sql", **params)
                assert_same(expected, actual, f"as of {as_of}:")
            return expected

        monkeypatch.setattr(hand_built, "gaps", checked)
    yield


# ---------------------------------------------------------------------------
# The independent DuckDB peer of the benchmarks (bench/duckdb_peer.py)
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


def _peer_module() -> Any:
    """``bench/duckdb_peer.py`` imported in-process (it imports DuckDB only)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("duckdb_peer", REPO / "bench" / "duckdb_peer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_peer_on_random_datasets(generated: Callable[[int], Dataset], tmp_path: Path,
                                 seed: int) -> None:
    # every record, with default and non-default parameters, at dates before and after
    # the data's links start and end
    import datetime as dt

    peer = _peer_module()
    ds = generated(seed)
    directory = tmp_path / f"random{seed}"
    write_dataset(directory, random_tables(seed))
    found = 0
    for as_of in RANDOM_DATES[::2]:
        for params in PARAM_SETS[:3]:
            expected = json.loads(findings_to_json(gaps(ds, as_of, **params)))
            actual = peer.findings(directory, dt.date.fromisoformat(as_of), params)
            assert actual == expected, f"seed {seed} as of {as_of} {params}"
            found += len(expected)
    assert found > 0
