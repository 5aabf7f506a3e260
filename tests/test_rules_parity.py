"""Rules on both engines: DuckDB (embedded) and Neo4j give the same frame for every rule.

The datasets are loaded into the project's real Neo4j server under their own names
(``rules-parity-<pid>-<name>``) and deleted at the end: the shipped dataset with its example
rule file (data/jingansi/rules.toml), and random contract-valid datasets (``_generate.py``)
with the five built-in gaps written as rules and rules exercising every filter and
requirement. These tests fail, never skip, when the server is down (``graphmodel server
start``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _generate import random_tables
from conftest import write_dataset
from test_rules import BUILTIN_AS_RULES, EXAMPLE, FIVE

from graphmodel import load_dataset
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main
from graphmodel.dataset import Dataset
from graphmodel.gaps import GAP_COLUMNS, gaps
from graphmodel.rules import load_rules, parse_rules

pytestmark = pytest.mark.neo4j

PREFIX = f"rules-parity-{os.getpid()}"

EVERY_KIND = """
[[rule]]
name = "p_companies"
subject = "companies"
where = { ownership = ["外资", "joint_venture", ""], relocation_intent = [true, ""] }
[rule.require]
covered_by = [{ sector = "party" }, { kind = ["党群服务站", "service_center"] }]
visited_within_days = 120

[[rule]]
name = "p_buildings"
subject = "buildings"
where = { key_building = [false, ""], min_companies = 2 }
[rule.require]
located_within = { sector = ["community", "商务"] }
assigned = [{ role = "企业联络员" }, { organization_id = "" }]

[[rule]]
name = "p_grids"
subject = "grids"
where = { kind = "平面" }
[rule.require]
covers_within = { kind = "association" }
assigned = { source = ["synthetic", ""] }

[[rule]]
name = "p_areas"
subject = "residential_areas"
where = { min_minority_residents = 10, min_companies = 1 }
[rule.require]
covered_by = {}
located_within = { kind = "liaison_group", parent_id = "" }

[[rule]]
name = "p_anything"
subject = "buildings"
require = { covers_within = {}, visited_within_days = 0 }
"""


@pytest.fixture(scope="module")
def loaded() -> Iterator[list[str]]:
    try:
        backend.run_cypher("RETURN 1 AS one", {})
    except backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `graphmodel server start`. ({exc})")
    names: list[str] = []
    yield names
    for name in names:
        backend.delete_dataset(name)


def load(loaded: list[str], ds: Dataset, short: str) -> Dataset:
    renamed = dataclasses.replace(ds, name=f"{PREFIX}-{short}")
    backend.load(renamed, progress=False)
    loaded.append(renamed.name)
    return renamed


def plain_rows(found: pd.DataFrame) -> list[tuple[Any, ...]]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict | list):
            return repr(value)
        return None if value is None or (isinstance(value, float) and value != value) else value

    return [tuple(plain(v) for v in row) for row in found[GAP_COLUMNS].itertuples(index=False)]


def assert_same(ds: Dataset, as_of: str, rules: Any) -> pd.DataFrame:
    names = [r.name for r in rules]
    embedded = gaps(ds, as_of, only=names, rules=rules)
    neo4j = gaps(ds.name, as_of, only=names, rules=rules, backend="neo4j")
    assert plain_rows(embedded) == plain_rows(neo4j), as_of
    assert list(embedded.dtypes) == list(neo4j.dtypes)
    return embedded


@pytest.fixture(scope="module")
def shipped(loaded: list[str]) -> Dataset:
    return load(loaded, load_dataset(), "jingansi")


@pytest.mark.parametrize("as_of", ["2025-06-30", "2026-03-01", "2026-11-29", "2027-06-01"])
def test_shipped_example_and_builtin_rules(shipped: Dataset, as_of: str) -> None:
    found = assert_same(shipped, as_of, load_rules(EXAMPLE))
    if as_of == "2026-11-29":
        assert len(found)
    assert_same(shipped, as_of, parse_rules(BUILTIN_AS_RULES))
    assert_same(shipped, as_of, parse_rules(EVERY_KIND))


def test_shipped_rules_equal_builtin_gaps_on_neo4j(shipped: Dataset) -> None:
    found = gaps(shipped.name, "2026-11-29", backend="neo4j", rules=parse_rules(BUILTIN_AS_RULES))
    for gap in FIVE:
        assert (list(found.loc[found["gap"] == gap, "id"])
                == list(found.loc[found["gap"] == f"as_rule_{gap}", "id"]))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_rules_parity(loaded: list[str], tmp_path: Path, seed: int) -> None:
    ds = load_dataset(write_dataset(tmp_path / f"random{seed}", random_tables(seed)))
    ds = load(loaded, ds, f"random{seed}")
    rules = [*parse_rules(BUILTIN_AS_RULES), *parse_rules(EVERY_KIND)]
    for as_of in ("2025-03-01", "2025-12-31", "2026-06-30", "2026-09-15", "2027-01-01"):
        found = assert_same(ds, as_of, rules)
        for gap in FIVE:  # and the built-in gaps on the server agree with the rules
            builtin = gaps(ds.name, as_of, only=[gap], backend="neo4j")
            assert list(builtin["id"]) == list(found.loc[found["gap"] == f"as_rule_{gap}",
                                                         "id"])


def test_cli_neo4j_gaps_with_rules(shipped: Dataset, capsys: pytest.CaptureFixture[str]
                                   ) -> None:
    import json

    code = main(["neo4j", "gaps", "--dataset", shipped.name, "--as-of", "2026-11-29",
                 "--format", "json", "--rules", str(EXAMPLE), "--only",
                 "key_building_without_liaison_officer"])
    rows = json.loads(capsys.readouterr().out)
    expected = gaps(load_dataset(), "2026-11-29", only="key_building_without_liaison_officer",
                    rules=EXAMPLE)
    assert code == 0 and [r["id"] for r in rows] == list(expected["id"])
    assert rows and rows[0]["detail"]["rule"] == "key_building_without_liaison_officer"


def test_pasted_cypher_runs_as_shown(shipped: Dataset, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    """The :param lines of ``rules show`` give the parameters the Cypher runs with."""
    from graphmodel.rules import as_query, param_lines

    for rule in load_rules(EXAMPLE):
        params: dict[str, Any] = {}
        for line in param_lines(rule, shipped.name):
            name, _, literal = line.removeprefix(":param ").partition(" => ")
            params[name] = backend.run_cypher(f"RETURN {literal} AS v", {})["v"][0]
        params["as_of"] = pd.Timestamp("2026-11-29").date()
        rows = backend.run_cypher(as_query(rule).cypher(), params)
        expected = gaps(load_dataset(), "2026-11-29", only=rule.name, rules=[rule])
        assert list(rows["id"]) == list(expected["id"]), rule.name
