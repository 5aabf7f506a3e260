"""Neo4j parity: the Cypher of ``queries/`` answers exactly what the embedded backend does.

Every dataset is loaded into the project's real Neo4j server under its own name
(``parity-<pid>-<name>``) and deleted at the end. For each of the eleven gaps of the gap
definitions (docs/gaps.md) the set of (gap, id) from Neo4j must equal the embedded one
(and the whole rows too: names, grids, residential areas and details): on the shipped
dataset at several dates with default and non-default parameters, on hand-built datasets
whose entities each exercise one clause of one gap (with the expected findings written
from the definitions: the version 2 place tree, "located within" at any depth, "covers"
through the containers of a place but never through the street, planned visits that never
count, company_unreached's exact locations), on a dataset holding only the required
tables, and on random contract-valid version 2 datasets (``_generate.py``). Every library
query (gaps; linkages, with the sector filter of sectors_bridged, k alternative paths and
paths without co-location; risk) is also run through :func:`graphmodel.engine.run` on both
engines and the whole DataFrames compared (columns, types, order; floats to 9 digits), and
the loader is checked: idempotent reloads, datasets
isolated from one another, ``--sync``, moved companies, refused invalid datasets, the
latest risk level on Company nodes, the PART_OF tree and the grid kind labels, visit
statuses, and ``graphmodel neo4j datasets``.

These tests fail, never skip, when the server is down: start it with
``graphmodel server start``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _generate import random_tables
from conftest import Rows, minimal_tables, write_dataset

from graphmodel import engine, linkages, load_dataset, risk, schema
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main
from graphmodel.dataset import Dataset
from graphmodel.errors import InvalidParameterError
from graphmodel.gaps import GAP_COLUMNS, GAP_NAMES, gaps
from graphmodel.queries import Query, all_queries, parse_as_of

pytestmark = pytest.mark.neo4j

HINT = "Neo4j is not running; start it with `graphmodel server start`."
PREFIX = f"parity-{os.getpid()}"

SHIPPED_DATES = ("2025-06-30", "2026-03-01", "2026-11-29", "2027-06-01")
NON_DEFAULT = (
    {"visit_window_days": 90, "followup_days_orange": 30, "followup_days_red": 7,
     "demand_max_days": 60, "key_building_min_companies": 5},
    {"visit_window_days": 400, "followup_days_orange": 5, "followup_days_red": 0,
     "demand_max_days": 0, "key_building_min_companies": 12},
)
PARAM_SETS = ({}, *NON_DEFAULT)
PARAM_IDS = ("defaults", "params-a", "params-b")


# ---------------------------------------------------------------------------
# The server, loading and cleaning up
# ---------------------------------------------------------------------------


class Loaded:
    """The datasets this module loaded, by short name."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def name(self, short: str) -> str:
        full = f"{PREFIX}-{short}"
        if full not in self.names:
            self.names.append(full)
        return full

    def load(self, ds: Dataset, short: str) -> Dataset:
        """Load ``ds`` under this module's name for ``short``; return it renamed."""
        renamed = dataclasses.replace(ds, name=self.name(short))
        backend.load(renamed, progress=False)
        return renamed


@pytest.fixture(scope="session")
def server() -> Iterator[Loaded]:
    """The real server (fails the tests, never skips, when it is down); deletes what was loaded."""
    try:
        backend.run_cypher("RETURN 1 AS one", {})
    except backend.Neo4jError as exc:
        pytest.fail(f"{HINT} ({exc})")
    loaded = Loaded()
    yield loaded
    for name in loaded.names:
        backend.delete_dataset(name)


def count(dataset: str) -> tuple[int, int]:
    """Nodes and relationships of one dataset."""
    frame = backend.run_cypher(
        "MATCH (n:Entity {dataset: $d}) OPTIONAL MATCH (n)-[r]->() "
        "RETURN count(DISTINCT n) AS nodes, count(r) AS rels", {"d": dataset})
    return int(frame.at[0, "nodes"]), int(frame.at[0, "rels"])


def read_dataset(tables: dict[str, Rows], path: Path, name: str) -> Dataset:
    return load_dataset(write_dataset(path / name, tables), name=name)


# ---------------------------------------------------------------------------
# Comparing the two backends
# ---------------------------------------------------------------------------


def _rows(found: pd.DataFrame) -> list[tuple[Any, ...]]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return tuple(sorted((k, plain(v)) for k, v in value.items()))
        return None if value is None or (isinstance(value, float) and value != value) else value

    return [tuple(plain(v) for v in row) for row in found[GAP_COLUMNS].itertuples(index=False)]


def assert_gaps_equal(ds: Dataset, as_of: str, only: list[str] | None = None,
                      **params: int) -> pd.DataFrame:
    """Neo4j's findings equal the embedded ones: (gap, id) sets, then whole rows."""
    names = only or list(GAP_NAMES)
    expected = gaps(ds, as_of, names, **params)
    actual = backend.gaps(ds.name, as_of, names, **params)
    problems = []
    for gap in names:
        want = set(expected.loc[expected["gap"] == gap, "id"])
        got = set(actual.loc[actual["gap"] == gap, "id"])
        if want != got:
            problems.append(f"{gap}: only embedded {sorted(want - got)}, "
                            f"only Neo4j {sorted(got - want)}")
    assert not problems, f"{ds.name} as of {as_of} {params}: " + "; ".join(problems)
    assert list(actual.columns) == GAP_COLUMNS
    assert _rows(actual) == _rows(expected)
    return expected


def assert_links_equal(ds: Dataset, as_of: str) -> None:
    """Sector matrix, bridges and connectors equal on both backends."""
    pd.testing.assert_frame_equal(backend.run_links_query("sector_matrix", ds.name, as_of),
                                  linkages.sector_matrix(ds, as_of), check_dtype=False)
    got = backend.run_links_query("bridges", ds.name, as_of, top=0)
    want = linkages.bridges(ds, as_of, top=0)
    assert list(got["id"]) == list(want["id"])
    assert (got["betweenness"] - want["betweenness"]).abs().max() < 1e-9
    pd.testing.assert_frame_equal(got.drop(columns="betweenness"),
                                  want.drop(columns="betweenness"), check_dtype=False)
    top = backend.run_links_query("bridges", ds.name, as_of)
    assert list(top["id"]) == list(want["id"][:20])
    for k in (0, 1, 2, 3):
        got = backend.run_links_query("connectors", ds.name, as_of, k=k)
        want = linkages.connectors(ds, as_of, k=k)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        # the projection ranked in Python agrees with the all-Cypher connectors
        projected = linkages.rank_connectors(
            linkages.actor_network(ds.name, as_of, backend="neo4j"), ds.names, k)
        pd.testing.assert_frame_equal(projected, want, check_dtype=False)


def assert_path_equal(ds: Dataset, as_of: str, a: str, b: str) -> None:
    """Same length as the embedded path, and every step is a real, usable relationship."""
    want = linkages.path(ds, a, b, as_of)
    got = backend.run_links_query("path", ds.name, as_of, a=a, b=b)
    assert list(got.columns) == linkages.PATH_COLUMNS
    assert len(got) == len(want), f"{a} -> {b}: {linkages.format_path(got)} vs " \
                                  f"{linkages.format_path(want)}"
    if len(got):
        adjacency = linkages.path_adjacency(ds.graph, parse_as_of(as_of))
        assert got["from_id"].iloc[0] == want["from_id"].iloc[0]
        assert got["to_id"].iloc[-1] == want["to_id"].iloc[-1]
        assert list(got["step"]) == list(range(1, len(got) + 1))
        assert list(got["from_id"].iloc[1:]) == list(got["to_id"].iloc[:-1])
        for row in got.itertuples(index=False):
            assert (row.type, row.direction) in adjacency[row.from_id][row.to_id]
            assert row.from_name == linkages._name(ds.names, row.from_id)


def _comparable(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    def plain(value: Any) -> Any:
        if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, list):
            return tuple(value)
        return value

    return [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]


def assert_risk_equal(ds: Dataset, as_of: str, **params: int) -> None:
    """Risk view (levels, deadlines, follow-up states) and suggested levels equal."""
    follow = {k: v for k, v in params.items() if k.startswith("followup_")}
    got = backend.run_risk_query("risk_view", ds.name, as_of, **follow)
    want = risk.risk_view(ds, as_of, **follow)
    assert list(got.columns) == risk.VIEW_COLUMNS
    assert dict(zip(got["company_id"], got["followup"], strict=True)) == \
        dict(zip(want["company_id"], want["followup"], strict=True))
    assert _comparable(got) == _comparable(want)
    got = backend.run_risk_query("risk_suggested", ds.name, as_of)
    want = risk.suggested_risk(ds, as_of)
    assert list(got.columns) == risk.SUGGESTED_COLUMNS
    assert _comparable(got) == _comparable(want)


# ---------------------------------------------------------------------------
# The shipped dataset
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(server: Loaded) -> Dataset:
    return server.load(load_dataset(), "jingansi")


@functools.cache
def _embedded_shipped(as_of: str, params: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    return gaps(load_dataset(), as_of, **dict(params))


@pytest.mark.parametrize("params", PARAM_SETS, ids=PARAM_IDS)
@pytest.mark.parametrize("as_of", SHIPPED_DATES)
@pytest.mark.parametrize("gap", GAP_NAMES)
def test_shipped_gap_parity(shipped: Dataset, gap: str, as_of: str, params: dict[str, int]) -> None:
    expected = _embedded_shipped(as_of, tuple(sorted(params.items())))
    expected = expected[expected["gap"] == gap].reset_index(drop=True)
    actual = backend.gaps(shipped.name, as_of, [gap], **params)
    assert set(actual["id"]) == set(expected["id"]), (
        f"only embedded {sorted(set(expected['id']) - set(actual['id']))}, "
        f"only Neo4j {sorted(set(actual['id']) - set(expected['id']))}")
    assert _rows(actual) == _rows(expected)


def test_shipped_gaps_are_not_vacuous(shipped: Dataset) -> None:
    # across the dates and parameters, every gap is found at least once
    found: set[str] = set()
    for as_of in SHIPPED_DATES:
        for params in PARAM_SETS:
            found |= set(backend.gaps(shipped.name, as_of, **params)["gap"])
    assert found == set(GAP_NAMES)


def test_shipped_all_gaps_at_once(shipped: Dataset) -> None:
    assert_gaps_equal(shipped, "2026-11-29")
    both = backend.gaps(shipped.name, "2026-11-29", ["stale_demand", "stale_demand"])
    assert both["id"].is_unique


@pytest.mark.parametrize("as_of", SHIPPED_DATES)
def test_shipped_linkage_parity(shipped: Dataset, as_of: str) -> None:
    assert_links_equal(shipped, as_of)


NAMED_PATHS = (("京东健康", "上海戏剧学院"), ("C-JDHEALTH", "O-PWC"), ("S-JAS", "B-GAOHE"),
               ("B-GAOHE", "RA-HUASHAN"))
"""Paths between newsletter entities (ids or names), checked when the shipped data has them."""


def _unique_names(ds: Dataset) -> set[str]:
    counts = ds.names.value_counts()
    return set(counts[counts == 1].index)


def shipped_paths(ds: Dataset) -> list[tuple[str, str]]:
    """The named paths the shipped dataset holds, plus seeded random pairs of entities."""
    import random

    known = set(ds.entity_tables.index) | _unique_names(ds)
    pairs = [pair for pair in NAMED_PATHS if set(pair) <= known]
    entities = sorted(i for i, t in ds.entity_tables.items() if t != "demands")
    rng = random.Random(9)
    return pairs + [tuple(rng.sample(entities, 2)) for _ in range(8)]  # type: ignore[misc]


def test_shipped_path_parity(shipped: Dataset) -> None:
    for a, b in shipped_paths(shipped):
        for as_of in ("2025-06-30", "2026-11-29"):
            assert_path_equal(shipped, as_of, a, b)


def test_shipped_path_same_entity_and_bad_names(shipped: Dataset) -> None:
    unique = _unique_names(shipped)
    buildings = shipped["buildings"]
    building, name = next((i, n) for i, n in zip(buildings["id"], buildings["name"], strict=True)
                          if n in unique and n not in set(shipped.entity_tables.index))
    assert backend.run_links_query("path", shipped.name, "2026-11-29", a=building,
                                   b=name).empty
    with pytest.raises(ValueError, match="unknown entity"):
        backend.run_links_query("path", shipped.name, "2026-11-29", a="no such thing",
                                b=building)
    demand = shipped["demands"]["id"].iloc[0]
    with pytest.raises(ValueError, match="demand"):
        backend.run_links_query("path", shipped.name, "2026-11-29", a=demand, b=building)


def test_shipped_sectors_bridged_and_k_paths(shipped: Dataset) -> None:
    found = linkages.sectors_bridged(shipped.name, "2026-11-29", sectors="ethnic,religious",
                                     backend="neo4j")
    assert len(found) and all(set(s) <= {"ethnic", "religious"}
                              for s in found["bridged_sectors"])
    with pytest.raises(InvalidParameterError, match="unknown sector"):
        engine.run("sectors_bridged", shipped.name, "2026-11-29", backend="neo4j",
                   sectors="ethnic,no_such_sector")
    steps = linkages.path(shipped.name, "京东健康", "上海戏剧学院", "2026-11-29", k=3,
                          colocation=False, backend="neo4j")
    assert set(steps["path"]) == {1, 2, 3}
    assert not set(steps["type"]) & {"PART_OF", "LOCATED_IN"}
    with pytest.raises(InvalidParameterError, match="k must be"):
        linkages.path(shipped.name, "京东健康", "上海戏剧学院", "2026-11-29", k=0,
                      backend="neo4j")


@pytest.mark.parametrize("params", PARAM_SETS[:2], ids=PARAM_IDS[:2])
@pytest.mark.parametrize("as_of", SHIPPED_DATES)
def test_shipped_risk_parity(shipped: Dataset, as_of: str, params: dict[str, int]) -> None:
    assert_risk_equal(shipped, as_of, **params)


def test_overdue_in_risk_view_is_the_gap(shipped: Dataset) -> None:
    view = backend.run_risk_query("risk_view", shipped.name, "2026-11-29")
    overdue = set(view.loc[view["followup"] == "overdue", "company_id"])
    found = backend.gaps(shipped.name, "2026-11-29", ["risk_without_followup"])
    assert overdue == set(found["id"])


def test_library_query_dispatches(shipped: Dataset) -> None:
    frame = backend.library_query("stale_demand", shipped.name, "2026-11-29")
    assert list(frame.columns) == GAP_COLUMNS
    frame = backend.library_query("bridges", shipped.name, "2026-11-29", top=3)
    assert list(frame.columns) == linkages.BRIDGE_COLUMNS and len(frame) == 3
    frame = backend.library_query("risk_view", shipped.name, "2026-11-29")
    assert list(frame.columns) == risk.VIEW_COLUMNS


# ---------------------------------------------------------------------------
# Hand-built clauses: every entity exercises one clause of one gap
# ---------------------------------------------------------------------------

AS_OF = dt.date(2026, 6, 30)


def day(offset: int) -> str:
    return (AS_OF + dt.timedelta(days=offset)).isoformat()


class Builder:
    """Rows of a dataset built case by case; ids carry the case's prefix."""

    def __init__(self) -> None:
        self.t: dict[str, Rows] = {name: [] for name in schema.TABLES}
        self.t["streets"] += [{"id": "S1", "name": "一街道"}, {"id": "S2", "name": "二街道"}]
        self.t["people"].append({"id": "PW", "name": "工作者", "role": "网格员"})

    def area(self, id_: str, street: str = "S1") -> str:
        self.t["residential_areas"].append({"id": id_, "name": f"居民区{id_}",
                                            "street_id": street})
        return id_

    def grid(self, id_: str, kind: str = "residential", street: str = "S1",
             area: str | None = None) -> str:
        """A grid; a residential one (any spelling) lies in ``area``, its own area by default."""
        if schema.GRID_KINDS.get(kind.lower(), kind) == "residential" and area is None:
            area = self.area(f"{id_}-RA", street)
        self.t["grids"].append({"id": id_, "name": f"网格{id_}", "kind": kind,
                                "street_id": street, "area_id": area})
        return id_

    def building(self, id_: str, grid: str, key: str | None = None) -> str:
        self.t["buildings"].append({"id": id_, "name": f"楼{id_}", "grid_id": grid,
                                    "key_building": key})
        return id_

    def company(self, id_: str, building: str, **extra: Any) -> str:
        self.t["companies"].append({"id": id_, "name": f"企业{id_}", "building_id": building,
                                    **extra})
        return id_

    def org(self, id_: str, kind: str, sector: str, located_in: str | None = None,
            parent: str | None = None) -> str:
        self.t["organizations"].append({"id": id_, "name": f"组织{id_}", "kind": kind,
                                        "sector": sector, "located_in": located_in,
                                        "parent_id": parent})
        return id_

    def person(self, id_: str, org: str | None = None) -> str:
        self.t["people"].append({"id": id_, "name": f"人{id_}", "role": "工作者",
                                 "organization_id": org})
        return id_

    def pop(self, area: str, group: str, residents: int) -> None:
        self.t["population"].append({"area_id": area, "ethnic_group": group,
                                     "residents": residents})

    def link(self, source: str, type_: str, target: str, since: str | None = None,
             until: str | None = None) -> None:
        self.t["links"].append({"source_id": source, "type": type_, "target_id": target,
                                "since": since, "until": until})

    def visit(self, target: str, date: str, visitor: str = "PW", status: str | None = None
              ) -> None:
        self.t["visits"].append({"visitor_id": visitor, "target_id": target, "date": date,
                                 "status": status})

    def demand(self, id_: str, company: str, raised: str, status: str = "open",
               resolved: str | None = None) -> None:
        self.t["demands"].append({"id": id_, "company_id": company, "raised_on": raised,
                                  "category": f"类别{id_}", "status": status,
                                  "resolved_on": resolved})

    def risk(self, company: str, assessed: str, level: str) -> None:
        self.t["risk_assessments"].append({"company_id": company, "assessed_on": assessed,
                                           "level": level})


EXPECTED: dict[str, tuple[str, set[str]]] = {}
"""Gap -> (id prefix of its cases, ids the gap definitions say are found on AS_OF with
defaults)."""


def clause_tables() -> dict[str, Rows]:
    b = Builder()
    party = "party_branch"
    # --- grid_without_party_org: grids GP*, each a micro-grid of its own area GP*-A, with a
    # building and a company; party presence at every depth, COVERS up and down the tree
    for n in range(1, 16):
        area = b.area(f"GP{n}-A")
        g = b.grid(f"GP{n}", area=area)
        b.building(f"GP{n}-B", g)
        b.company(f"GP{n}-C", f"GP{n}-B")
    b.org("GPO1", party, "party", "GP1")          # in the grid itself
    b.org("GPO2", party, "party", "GP2-A")        # in its area: a container, not within
    b.org("GPO3", party, "party", "GP3-B")        # in a building of the grid
    b.org("GPO4", party, "party", "GP4-C")        # in a company of a building (depth 2)
    b.org("GPO5", party, "party", "S1")           # the street contains the grid, not within it
    b.org("GPO6", party, "party")                 # covers the grid
    b.link("GPO6", "COVERS", "GP6")
    b.org("GPO7", party, "party")                 # covers its area (so the grid), since == as_of
    b.link("GPO7", "COVERS", "GP7-A", since=day(0))
    b.org("GPO8", party, "party")                 # covers a building within, until == as_of
    b.link("GPO8", "COVERS", "GP8-B", until=day(0))
    b.org("GPO9", party, "party")                 # covers a company, ended the day before
    b.link("GPO9", "COVERS", "GP9-C", until=day(-1))
    b.org("GPO10", party, "party")                # covers the grid from tomorrow
    b.link("GPO10", "COVERS", "GP10", since=day(1))
    b.org("GPO11", party, "community", "GP11")    # party kind, community sector: no
    b.org("GPO12", "association", "party", "GP12")  # party sector, any kind: yes
    b.org("GPO13", party, "party")                # a COVERS link to a street covers nothing
    b.link("GPO13", "COVERS", "S1")
    b.grid("GP14S", area="GP14-A")                # a sibling micro-grid of the same area
    b.org("GPO14", party, "party", "GP14S")       # in the sibling: not within GP14
    b.org("GPO15", party, "party")                # covers the sibling: does not cover GP15
    b.grid("GP15S", area="GP15-A")
    b.link("GPO15", "COVERS", "GP15S")
    EXPECTED["grid_without_party_org"] = ("GP", {"GP2", "GP5", "GP9", "GP10", "GP11", "GP13",
                                                 "GP14", "GP15"})

    # --- area_without_liaison_group: areas AL*, each with a micro-grid ALG*, a building and
    # a company; minority counts, liaison presence at every depth, COVERS up and down
    lg = "liaison_group"
    for n in range(1, 16):
        area = b.area(f"AL{n}")
        g = b.grid(f"ALG{n}", "平面", area=area)
        b.building(f"AL{n}-B", g)
        b.company(f"AL{n}-C", f"AL{n}-B")
        if n not in (2, 3):
            b.pop(f"AL{n}", "回族", 5)
    for han in ("汉族", "汉", "Han", "HAN", "han"):
        b.pop("AL2", han, 100)                    # Han in every spelling: no minority
    b.pop("AL3", "满族", 0)                        # a minority group of 0 residents
    b.pop("AL12", "汉族", 400)
    b.org("ALO4", lg, "ethnic", "AL4")            # located in the area
    b.org("ALO5", lg, "ethnic", "ALG5")           # located in its grid: within the area
    b.org("ALO6", lg, "ethnic")
    b.link("ALO6", "COVERS", "AL6")               # covers the area
    b.org("ALO7", lg, "ethnic")
    b.link("ALO7", "COVERS", "ALG7", since=day(-5), until=day(5))  # covers its grid only
    b.org("ALO8", lg, "ethnic")
    b.link("ALO8", "COVERS", "AL8", since=day(-100), until=day(-50))  # ended
    b.org("ALO9", "council", "ethnic")            # not a liaison group
    b.link("ALO9", "COVERS", "AL9")
    b.org("ALO10", lg, "ethnic", "AL10-B")        # in a building of its grid (depth 2)
    b.org("ALO11", lg, "community")
    b.link("ALO11", "COVERS", "AL11-B")           # covers a building within: not the area
    b.org("ALO14", lg, "ethnic", "AL14-C")        # in a company within the area (depth 3)
    b.org("ALO15", lg, "ethnic")
    b.link("ALO15", "COVERS", "S1")               # covers the street: nothing
    b.pop("S2", "回族", 50)                        # street population: not an area
    EXPECTED["area_without_liaison_group"] = ("AL", {"AL1", "AL7", "AL8", "AL9", "AL11",
                                                     "AL12", "AL13", "AL15"})

    # --- building_without_service_station: buildings BS*, most in business grids
    for n in range(1, 15):
        area = b.area(f"BSA{n}") if n >= 12 else None
        g = b.grid(f"BSG{n}", "residential", area=area) if area else b.grid(f"BSG{n}", "立体")
        b.building(f"BS{n}", g)
        if n != 2:
            b.company(f"BS{n}-C", f"BS{n}")
    b.org("BSO3", "service_station", "party", "BS3")
    b.org("BSO4", "service_center", "community", "BS4-C")  # in a company of the building
    b.org("BSO5", "service_station", "party", "BSG5")      # in the grid: not within
    b.org("BSO6", "service_station", "party")
    b.link("BSO6", "COVERS", "BS6")
    b.org("BSO7", "service_center", "party")
    b.link("BSO7", "COVERS", "BSG7", since=day(-1))        # covers its grid
    b.org("BSO8", "service_station", "party")
    b.link("BSO8", "COVERS", "BS8-C")                      # covers a company only
    b.org("BSO9", "service_station", "party")
    b.link("BSO9", "COVERS", "BS9", since=day(1))          # not yet
    b.org("BSO10", "party_committee", "party", "BS10")     # not a station
    b.org("BSO11", "service_station", "party", "BS11-C")   # in its company
    b.org("BSO12", "service_station", "community")
    b.link("BSO12", "COVERS", "BSA12")                     # covers the area of its grid
    b.org("BSO13", "服务中心", "社区")
    b.link("BSO13", "COVERS", "S1")                        # covers the street: nothing
    b.org("BSO14", "党群服务站", "党建", "BSA14")             # in the area: not within
    EXPECTED["building_without_service_station"] = ("BS", {"BS1", "BS5", "BS8", "BS9",
                                                           "BS10", "BS13", "BS14"})

    # --- company_unreached: companies CU*, each in its own building and grid
    for n in range(1, 21):
        area = b.area(f"CUA{n}") if n in (16, 20) else None
        g = b.grid(f"CUG{n}", "residential", area=area) if area else b.grid(f"CUG{n}", "building")
        b.building(f"CUB{n}", g)
        b.company(f"CU{n}", f"CUB{n}")
    b.company("CU12-SIB", "CUB12")
    b.company("CU17-SIB", "CUB17")
    b.org("CUO2", party, "party", "CU2")                   # party org in the company
    b.org("CUO3", "service_station", "community", "CUB3")  # station in its building
    b.org("CUO4", party, "party", "CUG4")                  # in the grid: does not reach
    b.org("CUO5", party, "party")
    b.link("CUO5", "COVERS", "CUG5")                       # covers the grid
    b.org("CUO6", "service_center", "business")
    b.link("CUO6", "COVERS", "CUB6", until=day(0))         # covers the building
    b.org("CUO7", party, "party")
    b.link("CUO7", "COVERS", "CU7", until=day(-1))         # ended
    b.visit("CU8", day(-179))                              # inside the 180-day window
    b.visit("CU9", day(-180))                              # window start is excluded
    b.visit("CUB10", day(0), status="已走访")               # visit to its building, today
    b.visit("CU11", day(1))                                # tomorrow does not exist yet
    b.visit("CU12-SIB", day(-3))                           # only the sibling is visited
    b.org("CUO13", "council", "community", "CU13")         # neither party nor station
    b.org("CUO14", "service_station", "ethnic", "CU14")    # kind counts, sector aside
    b.org("CUO15", "school", "education")
    b.visit("CU15", day(-10), visitor="CUO15")             # a visit by an organisation
    b.org("CUO16", party, "party")
    b.link("CUO16", "COVERS", "CUA16")                     # covers the area: reaches it
    b.org("CUO17", party, "party", "CU17-SIB")             # in another company of the building
    b.visit("CU18", day(-3), status="planned")             # a planned visit is no visit
    b.visit("CUB18", day(-2), status="计划")
    b.org("CUO19", "service_station", "party")
    b.link("CUO19", "COVERS", "S1")                        # covers the street: nothing
    b.org("CUO20", party, "party", "CUA20")                # in its area: not (a)
    EXPECTED["company_unreached"] = ("CU", {"CU1", "CU4", "CU7", "CU9", "CU11", "CU12",
                                            "CU13", "CU17", "CU18", "CU19", "CU20"})

    # --- risk_without_followup: companies RF*, each in its own building
    g = b.grid("RFG", "立体")
    for n in range(1, 20):
        b.building(f"RFB{n}", g)
        b.company(f"RF{n}", f"RFB{n}")
    b.risk("RF1", day(-20), "橙")                            # deadline day(-6): overdue
    b.risk("RF2", day(-2), "red")                           # deadline tomorrow
    b.risk("RF3", day(-3), "5")                             # deadline today: not after it
    b.risk("RF4", day(-4), "不稳定")                         # deadline yesterday
    b.risk("RF5", day(-20), "orange")
    b.visit("RF5", day(-20))                                # visit on the assessment day
    b.risk("RF6", day(-20), "4")
    b.visit("RFB6", day(-6))                                # building visit on the deadline
    b.risk("RF7", day(-20), "较不稳定")
    b.visit("RF7", day(-5))                                 # a day after the deadline
    b.risk("RF8", day(-20), "Orange")
    b.visit("RF8", day(-21))                                # a day before the assessment
    b.risk("RF9", day(-20), "橙色")
    b.demand("RFD9", "RF9", day(-40), "resolved", day(-10))  # resolved in the span
    b.risk("RF10", day(-20), "fairly_unstable")
    b.demand("RFD10", "RF10", day(-40), "resolved", day(-5))  # resolved after the deadline
    b.risk("RF11", day(-30), "红")
    b.risk("RF11", day(-10), "较稳定")                       # newer low level clears it
    b.risk("RF12", day(-30), "2")
    b.risk("RF12", day(-10), "RED")                         # newer red replaces it
    b.risk("RF13", day(-20), "orange")
    b.risk("RF13", day(5), "1")                             # after as_of: does not exist
    b.risk("RF14", day(3), "red")                           # only a future assessment
    b.risk("RF15", day(-40), "yellow")
    b.risk("RF16", day(-20), "orange")
    b.demand("RFD16", "RF16", day(-30), "in_progress", day(-15))  # dated, status aside
    b.risk("RF17", day(-20), "red")
    b.visit("RF17", day(-18))                               # red: 3 days, visit on day 2
    b.risk("RF18", day(-20), "unstable")
    b.visit("RF18", day(-16))                               # red: visit after 3 days
    b.risk("RF19", day(-20), "orange")
    b.visit("RF19", day(-19), status="planned")             # planned: no follow-up
    EXPECTED["risk_without_followup"] = ("RF", {"RF1", "RF4", "RF7", "RF8", "RF10", "RF12",
                                                "RF13", "RF18", "RF19"})

    # --- liaison groups: isolation (LI*) and leadership (LL*); some located at every depth
    # of a residential area LXA, to place their findings
    lxa = b.area("LXA")
    lxg = b.grid("LXG", area=lxa)
    b.building("LXB", lxg)
    lxc = b.company("LXC", "LXB")

    # --- stale_demand: demands SD* of one company (in a business grid), one of LXC
    sdc = b.company("SDC", "RFB1")
    b.demand("SD1", sdc, day(-31))                                  # 31 > 30 days
    b.demand("SD2", sdc, day(-30))                                  # exactly 30: not yet
    b.demand("SD3", sdc, day(-100), "resolved", day(-1))
    b.demand("SD4", sdc, day(-100), "resolved", day(1))             # resolved tomorrow
    b.demand("SD5", sdc, day(1), "in_progress")                     # raised tomorrow
    b.demand("SD6", sdc, day(-365), "处理中")
    b.demand("SD7", sdc, day(-100), "已解决", day(0))                # resolved today
    b.demand("SD8", sdc, day(-100), "open", day(-50))               # open, dated anyway
    b.demand("SD9", lxc, day(-60), "未处理")                         # placed in area LXA
    EXPECTED["stale_demand"] = ("SD", {"SD1", "SD4", "SD6", "SD8", "SD9"})

    b.org("XP", party, "party")
    b.org("XE", "association", "ethnic")
    b.org("XC", "charity", "charity")
    b.org("XG", "government_office", "government")
    xcompany = b.company("XCO", "RFB2")
    xperson = b.person("XPER", "XE")
    locations = {1: lxc, 2: lxg, 3: lxa, 4: "S1", 5: "LXB", 6: "RFB3"}
    for n in range(1, 13):
        b.org(f"LI{n}", lg, "ethnic", locations.get(n), parent="XP")
    b.link("LI2", "PARTNERS_WITH", "XP")                     # group as source
    b.link(xcompany, "SUPPORTS", "LI3")                      # group as target, a company
    b.link(xperson, "MENTORS", "LI4")                        # a person is not a tie
    b.link("LI5", "MEMBER_OF", "XE")                         # an ethnic organisation
    b.link("XP", "LEADS", "LI6")                             # LEADS is not a tie
    b.link("LI7", "PARTNERS_WITH", "XC", until=day(-1))      # ended
    b.link("LI8", "MEMBER_OF", "XG", since=day(0))           # from today
    b.link("LI9", "SUPPORTS", "RFB3")                        # a place is not a tie
    b.link("XG", "SERVES", "LI10")                           # SERVES is not a tie
    b.org("LI11N", lg, "community", parent="XP")             # a non-ethnic liaison group
    b.link("LI11N", "PARTNERS_WITH", "LI11")                 # ties LI11, not LI11N
    b.link("LI12", "SUPPORTS", "LI12")                       # itself (ethnic): no tie
    EXPECTED["liaison_group_isolated"] = ("LI", {"LI1", "LI4", "LI5", "LI6", "LI7", "LI9",
                                                 "LI10", "LI11N", "LI12"})
    b.org("LL1", lg, "ethnic", lxc)                           # no leader, no parent
    b.org("LL2", lg, "ethnic")
    b.link("XP", "LEADS", "LL2", since=day(-10))
    b.org("LL3", "联络组", "民族", lxa)
    b.link("XP", "LEADS", "LL3", until=day(-1))               # ended
    b.org("LL4", lg, "ethnic", lxg)
    b.link("XG", "LEADS", "LL4")                              # a government leader
    b.org("LL5", lg, "ethnic", parent="XP")                   # party parent
    b.org("LL6", lg, "ethnic", "RFB4", parent="XC")           # charity parent
    b.org("LL7", lg, "ethnic", parent="LL5")                  # parent is a liaison group
    b.link("XP", "PARTNERS_WITH", "LL7")                      # partnership is no leadership
    EXPECTED["liaison_group_without_leadership"] = ("LL", {"LL1", "LL3", "LL4", "LL6", "LL7"})

    # --- key_building_without_worker: buildings KB*
    for n in range(1, 11):
        g = b.grid(f"KBG{n}", "business" if n < 10 else "residential")
        b.building(f"KB{n}", g, key={1: "true", 2: "是", 4: "yes", 5: "1", 6: "true",
                                     8: "true", 9: "否", 10: "true"}.get(n))
    for i in range(3):
        b.company(f"KB3-C{i}", "KB3")                           # 3 companies, not flagged
        b.company(f"KB9-C{i}", "KB9")                           # 3 companies, flagged no
    b.link("PW", "ASSIGNED_TO", "KB2")
    b.link("PW", "ASSIGNED_TO", "KB4", until=day(-1))           # ended
    b.company("KB5-C", "KB5")
    b.link("PW", "ASSIGNED_TO", "KB5-C")                        # to its company only
    b.link("PW", "ASSIGNED_TO", "KB6", until=day(0))            # until today
    b.link("PW", "ASSIGNED_TO", "KBG8")                         # to its grid only
    b.link("PW", "ASSIGNED_TO", "KBG10-RA")                     # to its area only
    EXPECTED["key_building_without_worker"] = ("KB", {"KB1", "KB4", "KB5", "KB8", "KB10"})

    # --- building_not_visited: buildings BV*, micro-grids of one area
    bva = b.area("BVA")
    for n in range(1, 11):
        g = b.grid(f"BVG{n}", "residential", area=bva)
        b.building(f"BV{n}", g)
        if n != 2:
            b.company(f"BV{n}-C", f"BV{n}")
    b.visit("BV3", day(-1))
    b.visit("BV4-C", day(-179))                     # a company in it, in the window
    b.visit("BV5", day(-180))                       # window start excluded
    b.visit("BV6", day(1))                          # tomorrow
    b.visit("BV7", day(0), visitor="XC")            # by an organisation, today
    b.visit("BV8-C", day(-200))                     # long ago
    b.visit("BV9", day(-5), status="planned")       # planned: never a visit
    b.visit("BV9-C", day(-5), status="计划")
    b.visit("BV10", day(-5), status="PLANNED")
    b.visit("BV10-C", day(-6))                      # blank status: done
    EXPECTED["building_not_visited"] = ("BV", {"BV1", "BV5", "BV6", "BV8", "BV9"})

    # --- grid_without_worker: grids GW*, assignments at the grid, above and below it
    for n in range(1, 9):
        g = b.grid(f"GW{n}", "residential" if n < 7 else "立体网格")
        b.building(f"GW{n}-B", g)
    b.link("PW", "ASSIGNED_TO", "GW2")                          # assigned to the grid
    b.link("PW", "ASSIGNED_TO", "GW3-RA")                       # to its area only
    b.link("PW", "ASSIGNED_TO", "GW4-B")                        # to its building only
    b.link("PW", "ASSIGNED_TO", "GW5", until=day(-1))           # ended yesterday
    b.link("PW", "ASSIGNED_TO", "GW6", until=day(0))            # until today
    b.link("PW", "ASSIGNED_TO", "GW7", since=day(1))            # from tomorrow
    b.link("PW", "ASSIGNED_TO", "GW8")                          # a business grid, assigned
    b.org("GWO1", party, "party")
    b.link("GWO1", "COVERS", "GW1")                             # covering is not assigning
    EXPECTED["grid_without_worker"] = ("GW", {"GW1", "GW3", "GW4", "GW5", "GW7"})

    # --- paths never run through records: PD1 and PD2 meet only at a demand
    b.org("PD1", "charity", "charity")
    b.org("PD2", "school", "education")
    b.link("PD1", "SUPPORTS", "RFD9")
    b.link("PD2", "SERVES", "RFD9")
    return b.t


@pytest.fixture(scope="module")
def clauses(server: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    ds = read_dataset(clause_tables(), tmp_path_factory.mktemp("clauses"), "clauses")
    return server.load(ds, "clauses")


@pytest.mark.parametrize("gap", GAP_NAMES)
def test_clauses_expected_findings(clauses: Dataset, gap: str) -> None:
    """Both backends find exactly what the gap definitions say among the cases written for
    the gap."""
    prefix, expected = EXPECTED[gap]
    for found in (gaps(clauses, AS_OF, [gap]), backend.gaps(clauses.name, AS_OF, [gap])):
        mine = {i for i in found["id"] if i.startswith(prefix)}
        assert mine == expected, f"{gap}: unexpected {sorted(mine - expected)}, " \
                                 f"missing {sorted(expected - mine)}"


CLAUSE_DATES = tuple(day(n) for n in (-200, -31, -7, -1, 0, 1, 2, 30, 181))


@pytest.mark.parametrize("params", PARAM_SETS, ids=PARAM_IDS)
@pytest.mark.parametrize("as_of", CLAUSE_DATES)
def test_clauses_parity(clauses: Dataset, as_of: str, params: dict[str, int]) -> None:
    assert_gaps_equal(clauses, as_of, **params)


@pytest.mark.parametrize("params", [
    {"key_building_min_companies": 3}, {"key_building_min_companies": 4},
    {"key_building_min_companies": 0}, {"visit_window_days": 0}, {"visit_window_days": 1},
    {"visit_window_days": 181}, {"demand_max_days": 29}, {"followup_days_orange": 13},
    {"followup_days_orange": 15}, {"followup_days_red": 0}, {"followup_days_red": 4},
], ids=str)
def test_clauses_parameter_boundaries(clauses: Dataset, params: dict[str, int]) -> None:
    assert_gaps_equal(clauses, AS_OF.isoformat(), **params)


def test_clauses_key_building_threshold(clauses: Dataset) -> None:
    found = backend.gaps(clauses.name, AS_OF, ["key_building_without_worker"],
                         key_building_min_companies=3)
    assert {"KB3", "KB9"} <= set(found["id"])
    found = backend.gaps(clauses.name, AS_OF, ["key_building_without_worker"],
                         key_building_min_companies=4)
    assert not {"KB3", "KB9"} & set(found["id"])


@pytest.mark.parametrize("as_of", (day(-31), day(0), day(30)))
def test_clauses_linkage_and_risk_parity(clauses: Dataset, as_of: str) -> None:
    assert_links_equal(clauses, as_of)
    assert_risk_equal(clauses, as_of)
    assert_risk_equal(clauses, as_of, followup_days_orange=30, followup_days_red=0)


def test_clauses_paths(clauses: Dataset) -> None:
    for a, b in [("LI2", "LI11N"), ("GP1-C", "BS4-C"), ("XPER", "KB5-C"), ("LL1", "LL2"),
                 ("S1", "S2"), ("LI12", "XP"), ("PD1", "PD2"), ("PD1", "XC")]:
        assert_path_equal(clauses, AS_OF.isoformat(), a, b)


def test_required_tables_only(server: Loaded, tmp_path: Path) -> None:
    tables = {name: rows for name, rows in minimal_tables().items()
              if schema.TABLES[name].required}
    ds = server.load(read_dataset(tables, tmp_path, "bare"), "bare")
    for as_of in ("2020-01-01", "2026-06-30"):
        assert_gaps_equal(ds, as_of)
        assert_links_equal(ds, as_of)
        assert_risk_equal(ds, as_of)
    assert_path_equal(ds, "2026-06-30", "C1", "A1")


# ---------------------------------------------------------------------------
# Random contract-valid datasets
# ---------------------------------------------------------------------------

SEEDS = (1, 2, 3, 4)
RANDOM_DATES = ("2025-03-01", "2025-12-31", "2026-06-30", "2026-09-15", "2027-01-01")


@pytest.fixture(scope="module")
def generated(server: Loaded, tmp_path_factory: pytest.TempPathFactory
              ) -> Callable[[int], Dataset]:
    root = tmp_path_factory.mktemp("generated")

    @functools.cache
    def get(seed: int) -> Dataset:
        return server.load(read_dataset(random_tables(seed), root, f"random{seed}"),
                           f"random{seed}")

    return get


@pytest.mark.parametrize("seed", SEEDS)
def test_random_gap_parity(generated: Callable[[int], Dataset], seed: int) -> None:
    ds = generated(seed)
    for as_of in RANDOM_DATES:
        for params in PARAM_SETS:
            assert_gaps_equal(ds, as_of, **params)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_linkage_risk_and_path_parity(generated: Callable[[int], Dataset],
                                             seed: int) -> None:
    import random

    ds = generated(seed)
    for as_of in RANDOM_DATES[::2]:
        assert_links_equal(ds, as_of)
        assert_risk_equal(ds, as_of)
    rng = random.Random(seed)
    entities = [i for i, t in ds.entity_tables.items() if t != "demands"]
    pairs = [tuple(rng.sample(entities, 2)) for _ in range(12)] + [("P0", "P0")]
    for a, b in pairs:
        assert_path_equal(ds, "2026-06-30", a, b)


# ---------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------


def dump(dataset: str) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship of a dataset, minus ``load_id``."""
    nodes = backend.run_cypher(
        "MATCH (n:Entity {dataset: $d}) RETURN n.id AS id, labels(n) AS labels, "
        "properties(n) AS props ORDER BY id", {"d": dataset})
    rels = backend.run_cypher(
        "MATCH (a:Entity {dataset: $d})-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, "
        "properties(r) AS props", {"d": dataset})

    def clean(props: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(sorted((k, str(v)) for k, v in props.items() if k != "load_id"))

    return ([(r.id, tuple(sorted(r.labels)), clean(r.props)) for r in nodes.itertuples()],
            sorted((r.a, r.t, r.b, clean(r.props)) for r in rels.itertuples()))


def test_loading_twice_changes_nothing(server: Loaded, tmp_path: Path) -> None:
    ds = read_dataset(minimal_tables(), tmp_path, "twice")
    loaded = server.load(ds, "twice")
    first = dump(loaded.name)
    expected = (sum(map(len, backend.node_rows(ds).values())),
                sum(map(len, backend.relationship_rows(ds).values())))
    assert count(loaded.name) == expected
    result = backend.load(loaded, progress=False)
    assert (result.deleted_relationships, result.deleted_nodes) == (0, 0)
    assert count(loaded.name) == expected
    assert dump(loaded.name) == first


def test_company_nodes_carry_latest_risk(server: Loaded, tmp_path: Path) -> None:
    tables = minimal_tables()
    ds = server.load(read_dataset(tables, tmp_path, "risk0"), "risk")

    def company(node: str) -> tuple[list[str], dict[str, Any]]:
        frame = backend.run_cypher("MATCH (c:Company {dataset: $d, id: $id}) RETURN labels(c) "
                                   "AS labels, properties(c) AS props", {"d": ds.name, "id": node})
        return sorted(frame.at[0, "labels"]), frame.at[0, "props"]

    labels, props = company("C2")
    assert labels == ["Company", "Entity", "RiskOrange"]
    assert (props["risk_level"], props["risk_colour"], props["risk_label_zh"]) == \
        (4, "orange", "较不稳定")
    assert props["risk_assessed_on"].to_native() == dt.date(2026, 2, 1)
    labels, props = company("C1")
    assert labels == ["Company", "Entity"] and "risk_level" not in props
    # a newer assessment (even a future one) becomes the latest; reloading follows it
    tables["risk_assessments"].append({"company_id": "C2", "assessed_on": "2030-01-01",
                                       "level": "绿"})
    tables["risk_assessments"].append({"company_id": "C1", "assessed_on": "2026-01-01",
                                       "level": "red"})
    backend.load(dataclasses.replace(read_dataset(tables, tmp_path, "risk1"), name=ds.name),
                 progress=False)
    assert company("C2")[0] == ["Company", "Entity", "RiskGreen"]
    assert company("C2")[1]["risk_level"] == 1
    assert company("C1")[0] == ["Company", "Entity", "RiskRed"]
    tables["risk_assessments"] = []
    backend.load(dataclasses.replace(read_dataset(tables, tmp_path, "risk2"), name=ds.name),
                 progress=False)
    for node in ("C1", "C2"):
        labels, props = company(node)
        assert labels == ["Company", "Entity"]
        assert not {k for k in props if k.startswith("risk_")}


def test_datasets_do_not_see_each_other(server: Loaded, tmp_path: Path) -> None:
    first = server.load(read_dataset(minimal_tables(), tmp_path, "iso-a"), "iso-a")
    tables = minimal_tables()
    tables["grids"].append({"id": "G3", "name": "孤立网格", "kind": "residential",
                            "street_id": "S1", "area_id": "A1"})
    tables["organizations"][0]["located_in"] = "G1"
    tables["visits"] = []
    second = server.load(read_dataset(tables, tmp_path, "iso-b"), "iso-b")
    for ds in (first, second):
        assert count(ds.name)[0] == sum(map(len, backend.node_rows(ds).values()))
        for as_of in ("2026-01-10", "2026-06-30"):
            assert_gaps_equal(ds, as_of)
        assert_links_equal(ds, "2026-06-30")
    crossing = backend.run_cypher(
        "MATCH (a:Entity)-[r]-(b:Entity) WHERE a.dataset IN $names AND b.dataset <> a.dataset "
        "RETURN count(r) AS n", {"names": [first.name, second.name]})
    assert int(crossing.at[0, "n"]) == 0
    assert "G3" in set(backend.gaps(second.name, "2026-06-30")["id"])
    assert "G3" not in set(backend.gaps(first.name, "2026-06-30")["id"])


def test_sync_removes_deleted_entities(server: Loaded, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    name = server.name("sync")
    tables = minimal_tables()
    path = write_dataset(tmp_path / "sync0", tables)
    assert main(["neo4j", "load", str(path), "--dataset", name, "--quiet"]) == 0
    tables["companies"] = [c for c in tables["companies"] if c["id"] != "C2"]
    tables["risk_assessments"] = []
    path = write_dataset(tmp_path / "sync1", tables)
    # without --sync the entity deleted from the dataset stays
    assert main(["neo4j", "load", str(path), "--dataset", name, "--quiet"]) == 0
    present = "MATCH (n:Entity {dataset: $d, id: $id}) RETURN count(n) AS n"
    assert int(backend.run_cypher(present, {"d": name, "id": "C2"}).at[0, "n"]) == 1
    assert main(["neo4j", "load", str(path), "--dataset", name, "--sync", "--quiet"]) == 0
    assert int(backend.run_cypher(present, {"d": name, "id": "C2"}).at[0, "n"]) == 0
    assert int(backend.run_cypher(present, {"d": name, "id": "C2#risk#2026-02-01"})
               .at[0, "n"]) == 0
    ds = load_dataset(path, name=name)
    assert count(name) == (sum(map(len, backend.node_rows(ds).values())),
                           sum(map(len, backend.relationship_rows(ds).values())))
    assert_gaps_equal(ds, "2026-06-30")
    capsys.readouterr()


def test_moved_company_has_one_part_of(server: Loaded, tmp_path: Path) -> None:
    tables = minimal_tables()
    tables["buildings"].append({"id": "B2", "name": "二号楼", "grid_id": "G1"})
    ds = server.load(read_dataset(tables, tmp_path, "move0"), "move")
    tables["companies"][0]["building_id"] = "B2"
    moved = dataclasses.replace(read_dataset(tables, tmp_path, "move1"), name=ds.name)
    backend.load(moved, progress=False)
    frame = backend.run_cypher("MATCH (c:Company {dataset: $d, id: 'C1'})-[:PART_OF]->(b) "
                               "RETURN b.id AS building", {"d": ds.name})
    assert list(frame["building"]) == ["B2"]
    assert_gaps_equal(moved, "2026-06-30")


def test_part_of_tree_grid_labels_and_visit_status(server: Loaded, tmp_path: Path) -> None:
    tables = minimal_tables()
    tables["visits"].append({"visitor_id": "P1", "target_id": "B1", "date": "2026-03-01",
                             "status": "计划"})
    ds = server.load(read_dataset(tables, tmp_path, "tree0"), "tree")
    part_of = backend.run_cypher(
        "MATCH (a:Entity {dataset: $d})-[:PART_OF]->(b) RETURN a.id AS a, b.id AS b ORDER BY a",
        {"d": ds.name})
    # area -> street, residential grid -> area, business grid -> street, building -> grid,
    # company -> building: one container each
    assert list(zip(part_of["a"], part_of["b"], strict=True)) == [
        ("A1", "S1"), ("B1", "G2"), ("C1", "B1"), ("C2", "B1"), ("G1", "A1"), ("G2", "S1")]
    grids = backend.run_cypher(
        "MATCH (g:Grid {dataset: $d}) RETURN g.id AS id, labels(g) AS labels, g.kind AS kind, "
        "g.street_id AS street, g.area_id AS area ORDER BY id", {"d": ds.name})
    assert [sorted(labels) for labels in grids["labels"]] == [
        ["Entity", "Grid", "ResidentialGrid"], ["BusinessGrid", "Entity", "Grid"]]
    assert list(grids["kind"]) == ["residential", "business"]
    assert list(grids["street"]) == ["S1", "S1"]
    assert grids.at[0, "area"] == "A1" and pd.isna(grids.at[1, "area"])
    visits = backend.run_cypher(
        "MATCH (:Person {dataset: $d})-[v:VISITED]->(t) RETURN t.id AS target, v.status AS status "
        "ORDER BY target", {"d": ds.name})
    assert list(zip(visits["target"], visits["status"], strict=True)) == [
        ("B1", "planned"), ("C1", "done")]
    # a grid that changes kind changes label; loading twice gives the same graph
    tables["grids"][1] = {"id": "G2", "name": "平面网格二", "kind": "平面网格", "street_id": "S1",
                          "area_id": "A1"}
    changed = dataclasses.replace(read_dataset(tables, tmp_path, "tree1"), name=ds.name)
    backend.load(changed, progress=False)
    first = dump(ds.name)
    backend.load(changed, progress=False)
    assert dump(ds.name) == first
    labels = backend.run_cypher("MATCH (g:Grid {dataset: $d, id: 'G2'}) RETURN labels(g) AS l, "
                                "[(g)-[:PART_OF]->(p) | p.id] AS up", {"d": ds.name})
    assert sorted(labels.at[0, "l"]) == ["Entity", "Grid", "ResidentialGrid"]
    assert labels.at[0, "up"] == ["A1"]
    assert_gaps_equal(changed, "2026-06-30")


def test_invalid_dataset_is_refused_before_any_write(server: Loaded, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    name = server.name("invalid")
    tables = minimal_tables()
    tables["companies"][0]["building_id"] = "NOPE"
    tables["risk_assessments"][0]["level"] = "purple"
    path = write_dataset(tmp_path / "invalid", tables)
    assert main(["neo4j", "load", str(path), "--dataset", name, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "NOPE" in err and "purple" in err
    assert count(name) == (0, 0)
    meta = backend.run_cypher("MATCH (m:GraphmodelDataset {name: $d}) RETURN count(m) AS n",
                              {"d": name})
    assert int(meta.at[0, "n"]) == 0


def test_datasets_command_lists_loaded_datasets(shipped: Dataset,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["neo4j", "datasets"]) == 0
    out = capsys.readouterr().out
    assert shipped.name in out
    frame = backend.datasets()
    row = frame[frame["dataset"] == shipped.name].iloc[0]
    assert row["entities"] == sum(map(len, backend.node_rows(shipped).values()))
    assert row["relationships"] == sum(map(len, backend.relationship_rows(shipped).values()))


def test_every_library_query_has_documented_cypher() -> None:
    from graphmodel.queries import all_queries
    from graphmodel.settings import QUERIES_DIR

    for query in all_queries():
        text = query.cypher()
        assert text.startswith("//"), query.name
        assert query.title_zh in text.splitlines()[0] or query.name in text.splitlines()[0]
        assert ":param dataset =>" in text and ":param as_of =>" in text, query.name
        for param in query.params:
            assert f"${param}" in text and f":param {param} =>" in text, (query.name, param)
    for extra in ("network_map", "company_risk"):
        assert (QUERIES_DIR / "map" / f"{extra}.cypher").read_text(encoding="utf-8")


def test_map_queries_run(shipped: Dataset) -> None:
    from graphmodel.settings import QUERIES_DIR

    params = {"dataset": shipped.name, "as_of": dt.date(2026, 11, 29), "grid_id": None}
    network = backend.run_cypher((QUERIES_DIR / "map" / "network_map.cypher").read_text(),
                                 params)
    labels = {label for node in network["n"] for label in node.labels}
    assert {"Street", "Grid", "ResidentialArea", "Building", "Organization"} <= labels
    assert not labels & {"Company", "Person", "Demand", "RiskAssessment", "Population"}
    assert network["n"].map(lambda n: n["id"]).nunique() == sum(
        len(shipped[t]) for t in ("streets", "grids", "residential_areas", "buildings",
                                  "organizations"))
    risky = backend.run_cypher((QUERIES_DIR / "map" / "company_risk.cypher").read_text(),
                               params)
    assert len(risky) == len(shipped["companies"])
    view = risk.risk_view(shipped, "2026-11-29")
    levels = {row["c"]["id"]: row["r"]["level"] for _, row in risky.iterrows()
              if row["r"] is not None}
    assert levels == dict(zip(view["company_id"], view["level"], strict=True))
    business = shipped["grids"].loc[shipped["grids"]["kind"] == "business", "id"]
    grid = shipped["companies"]["building_id"].map(shipped.place_grid)
    busiest = grid[grid.isin(set(business))].value_counts().index[0]
    one_grid = backend.run_cypher((QUERIES_DIR / "map" / "company_risk.cypher").read_text(),
                                  {**params, "grid_id": busiest})
    assert 0 < len(one_grid) < len(risky)


# ---------------------------------------------------------------------------
# The contract of the runner: every library query, the same DataFrame on both engines
# ---------------------------------------------------------------------------


def query_params(query: Query, ds: Dataset, seed: int) -> list[dict[str, Any]]:
    """Parameter sets to compare a query with: defaults and a few others."""
    import random

    if query.group == "gaps":
        return list(PARAM_SETS)
    if query.name == "risk_view":
        return [{}, {"followup_days_orange": 30, "followup_days_red": 0}]
    if query.name == "bridges":
        return [{}, {"top": 0}, {"top": 3}]
    if query.name == "connectors":
        return [{"k": k} for k in (0, 1, 2, 3)]
    if query.name == "sectors_bridged":
        return [{}, {"sectors": "business,community,ethnic,religious"}, {"min_sectors": 0},
                {"sectors": ["party", "education"], "min_sectors": 2}]
    if query.name == "path":
        rng = random.Random(seed)
        entities = sorted(i for i, t in ds.entity_tables.items() if t != "demands")
        pairs = [tuple(rng.sample(entities, 2)) for _ in range(6)] + [(entities[0],) * 2]
        return [{"a": a, "b": b, **options} for a, b in pairs
                for options in PATH_OPTIONS]
    return [{}]


PATH_OPTIONS = ({}, {"k": 3}, {"colocation": False}, {"k": 4, "colocation": False})
"""k alternative paths and paths without co-location, compared on both engines."""


def assert_same_frame(query: Query, ds: Dataset, as_of: str, **params: Any) -> None:
    """The whole DataFrame of both engines: columns, types, order; floats to 9 digits."""
    want = engine.run(query.name, ds, as_of, **params)
    got = engine.run(query.name, ds.name, as_of, backend="neo4j", **params)
    assert list(want.columns) == list(query.columns)
    try:
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-9)
    except AssertionError as exc:
        raise AssertionError(f"{query.name} on {ds.name} as of {as_of} {params}: {exc}") from None


@pytest.mark.parametrize("query", all_queries(), ids=lambda q: q.name)
def test_every_query_same_frame_on_shipped(shipped: Dataset, query: Query) -> None:
    for as_of in SHIPPED_DATES:
        for params in query_params(query, shipped, 9):
            assert_same_frame(query, shipped, as_of, **params)
    for a, b in shipped_paths(shipped) if query.name == "path" else ():
        for options in PATH_OPTIONS:
            assert_same_frame(query, shipped, "2026-11-29", a=a, b=b, **options)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("query", all_queries(), ids=lambda q: q.name)
def test_every_query_same_frame_on_random(generated: Callable[[int], Dataset], query: Query,
                                          seed: int) -> None:
    ds = generated(seed)
    for as_of in RANDOM_DATES[::2]:
        for params in query_params(query, ds, seed):
            assert_same_frame(query, ds, as_of, **params)


def test_neo4j_source_may_be_a_dataset(shipped: Dataset) -> None:
    by_name = gaps(shipped.name, "2026-11-29", backend="neo4j")
    pd.testing.assert_frame_equal(gaps(shipped, "2026-11-29", backend="neo4j"), by_name)
    pd.testing.assert_frame_equal(by_name, gaps(shipped, "2026-11-29"))
