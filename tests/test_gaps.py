"""The eleven coverage gaps of docs/gaps.md on small hand-built datasets.

Every case is derived from the text of docs/gaps.md and docs/data_contract.md: each clause of
each definition and its boundaries (window ends, deadlines, link activity, every
depth of "within p", every spelling of a level or of Han).

Datasets start from ``minimal_tables()`` (conftest) with a few tables replaced or
extended, and are written as real CSV files and loaded with ``load_dataset``.
Unless a test says otherwise, the evaluation date is ``AS_OF`` (2026-06-30).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import Rows, minimal_tables

from graphmodel import load_dataset, settings
from graphmodel.dataset import Dataset
from graphmodel.gaps import GAP_NAMES, gaps, run_gap

AS_OF = dt.date(2026, 6, 30)

ELEVEN_GAPS = (
    "grid_without_party_org",
    "area_without_liaison_group",
    "building_without_service_station",
    "company_unreached",
    "risk_without_followup",
    "stale_demand",
    "liaison_group_isolated",
    "liaison_group_without_leadership",
    "key_building_without_worker",
    "building_not_visited",
    "grid_without_worker",
)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def day(offset: int, base: dt.date = AS_OF) -> str:
    """ISO date ``offset`` days after ``base`` (negative = before)."""
    return (base + dt.timedelta(days=offset)).isoformat()


def base(table: str) -> Rows:
    """The rows of one table of ``minimal_tables()``."""
    return minimal_tables()[table]


def org(id_: str, kind: str, sector: str, located_in: str | None = None,
        parent_id: str | None = None) -> dict[str, object]:
    return {"id": id_, "name": f"组织{id_}", "kind": kind, "sector": sector,
            "located_in": located_in, "parent_id": parent_id}


def link(source: str, type_: str, target: str, since: str | None = None,
         until: str | None = None) -> dict[str, object]:
    return {"source_id": source, "type": type_, "target_id": target, "since": since,
            "until": until}


def visit(target: str, date: str, visitor: str = "P1") -> dict[str, object]:
    return {"visitor_id": visitor, "target_id": target, "date": date, "purpose": "走访"}


def demand(id_: str, raised_on: str, status: str = "open", resolved_on: str | None = None,
           company: str = "C1", category: str = "租赁") -> dict[str, object]:
    return {"id": id_, "company_id": company, "raised_on": raised_on, "category": category,
            "status": status, "resolved_on": resolved_on}


def risk(company: str, assessed_on: str, level: object) -> dict[str, object]:
    return {"company_id": company, "assessed_on": assessed_on, "level": level}


Build = Callable[..., Dataset]


@pytest.fixture
def build(make_dataset: Callable[..., Path]) -> Build:
    """``build(**tables)``: ``minimal_tables()`` with the given tables replaced, loaded."""
    counter = itertools.count()

    def factory(**tables: Rows) -> Dataset:
        name = f"ds{next(counter)}"
        return load_dataset(make_dataset(name=name, **tables), name=name)

    return factory


def ids(ds: Dataset, gap: str, as_of: dt.date | str = AS_OF, **params: int) -> set[str]:
    """The ids reported by one gap."""
    found = gaps(ds, as_of=as_of, only=[gap], **params)
    assert set(found["gap"]) <= {gap}
    return set(found["id"])


# Link activity on AS_OF (data contract: since <= D and until >= D, blanks open).
ACTIVE = [
    pytest.param(None, None, id="open"),
    pytest.param(day(0), None, id="since==as_of"),
    pytest.param(None, day(0), id="until==as_of"),
    pytest.param(day(-10), day(10), id="inside"),
]
INACTIVE = [
    pytest.param(None, day(-1), id="until-before"),
    pytest.param(day(1), None, id="since-after"),
    pytest.param(day(-100), day(-50), id="ended"),
]


# ---------------------------------------------------------------------------
# grid_without_party_org
# ---------------------------------------------------------------------------

GRID = "grid_without_party_org"


def test_grid_party_org_located_in_street_covers_no_grid(build: Build) -> None:
    # O1 (party) is located in the street S1: the street is not within any grid.
    assert ids(build(), GRID) == {"G1", "G2"}


@pytest.mark.parametrize(("place", "expected"), [
    ("G1", {"G2"}),   # the grid itself
    ("A1", {"G1", "G2"}),  # the area holding G1 is a container, not within G1
    ("B1", {"G1"}),   # a building of G2
    ("C1", {"G1"}),   # a company in a building of G2
    ("S1", {"G1", "G2"}),
    (None, {"G1", "G2"}),
])
def test_grid_party_org_located_at_every_depth(build: Build, place: str | None,
                                               expected: set[str]) -> None:
    ds = build(organizations=[*base("organizations"),
                              org("O9", "party_branch", "party", located_in=place)])
    assert ids(ds, GRID) == expected


@pytest.mark.parametrize(("target", "expected"), [
    ("G1", {"G2"}), ("A1", {"G2"}), ("B1", {"G1"}), ("C1", {"G1"}),
    ("S1", {"G1", "G2"}),  # a COVERS link to the street covers nothing
])
def test_grid_party_org_covers_at_every_depth(build: Build, target: str,
                                              expected: set[str]) -> None:
    ds = build(links=[*base("links"), link("O1", "COVERS", target)])
    assert ids(ds, GRID) == expected


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_grid_active_covers_counts(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O1", "COVERS", "G1", since, until)])
    assert ids(ds, GRID) == {"G2"}


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_grid_inactive_covers_ignored(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O1", "COVERS", "G1", since, until)])
    assert ids(ds, GRID) == {"G1", "G2"}


@pytest.mark.parametrize(("kind", "sector"), [
    ("service_station", "community"),
    ("party_branch", "government"),   # the sector decides, not the kind
    ("liaison_group", "ethnic"),
])
def test_grid_non_party_sector_does_not_count(build: Build, kind: str, sector: str) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", kind, sector, located_in="G1")],
               links=[link("O9", "COVERS", "G2")])
    assert ids(ds, GRID) == {"G1", "G2"}


def test_grid_party_kind_any_with_party_sector_counts(build: Build) -> None:
    ds = build(organizations=[*base("organizations"),
                              org("O9", "service_station", "party", located_in="B1")])
    assert ids(ds, GRID) == {"G1"}


# ---------------------------------------------------------------------------
# area_without_liaison_group
# ---------------------------------------------------------------------------

AREA = "area_without_liaison_group"


def orgs_with_group_at(place: str | None, kind: str = "liaison_group",
                       sector: str = "ethnic") -> Rows:
    """Base organizations with the liaison group O2 moved to ``place``."""
    return [base("organizations")[0],
            org("O2", kind, sector, located_in=place, parent_id="O1")]


def test_area_with_located_liaison_group_has_no_gap(build: Build) -> None:
    assert ids(build(), AREA) == set()


A2 = {"id": "A2", "name": "二号居民区", "street_id": "S1"}
G3 = {"id": "G3", "name": "平面网格三", "kind": "residential", "street_id": "S1", "area_id": "A1"}
B9 = {"id": "B9", "name": "九号楼", "grid_id": "G3"}
C9 = {"id": "C9", "name": "九号公司", "building_id": "B9"}


@pytest.mark.parametrize("place", [None, "S1", "A2", "G2", "B1", "C1"])
def test_area_group_located_elsewhere_leaves_gap(build: Build, place: str | None) -> None:
    # The street, another area, a business grid and what it holds are not within A1.
    ds = build(residential_areas=[*base("residential_areas"), A2],
               organizations=orgs_with_group_at(place))
    assert ids(ds, AREA) == {"A1"}


@pytest.mark.parametrize("place", ["G1", "G3", "B9", "C9"])
def test_area_group_located_within_at_any_depth(build: Build, place: str) -> None:
    # A micro-grid of the area, a building in it and a company in that building are within A1.
    ds = build(grids=[*base("grids"), G3], buildings=[*base("buildings"), B9],
               companies=[*base("companies"), C9], organizations=orgs_with_group_at(place))
    assert ids(ds, AREA) == set()


def test_area_kind_decides_not_sector(build: Build) -> None:
    assert ids(build(organizations=orgs_with_group_at("A1", "association", "ethnic")),
               AREA) == {"A1"}
    assert ids(build(organizations=orgs_with_group_at("A1", "liaison_group", "community")),
               AREA) == set()


@pytest.mark.parametrize(("target", "expected"), [
    ("A1", set()),      # the area
    ("G1", {"A1"}),     # one of its micro-grids: covers the grid, not the whole area
    ("G2", {"A1"}),     # a business grid
    ("B9", {"A1"}),     # a building in the area
    ("A2", {"A1"}),     # another area
    ("S1", {"A1"}),     # the street: covers nothing
])
def test_area_covers(build: Build, target: str, expected: set[str]) -> None:
    ds = build(
        residential_areas=[*base("residential_areas"), A2],
        grids=[*base("grids"), G3],
        buildings=[*base("buildings"), B9],
        organizations=orgs_with_group_at(None),
        links=[link("O2", "COVERS", target)],
    )
    assert ids(ds, AREA) == expected


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_area_active_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(organizations=orgs_with_group_at(None),
               links=[link("O2", "COVERS", "A1", since, until)])
    assert ids(ds, AREA) == set()


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_area_inactive_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(organizations=orgs_with_group_at(None),
               links=[link("O2", "COVERS", "A1", since, until)])
    assert ids(ds, AREA) == {"A1"}


def test_area_covers_by_non_liaison_group_does_not_count(build: Build) -> None:
    ds = build(organizations=orgs_with_group_at(None), links=[link("O1", "COVERS", "A1")])
    assert ids(ds, AREA) == {"A1"}


@pytest.mark.parametrize("han", ["汉族", "汉", "Han", "HAN", "han"])
def test_area_han_in_any_spelling_is_not_minority(build: Build, han: str) -> None:
    population = [{"area_id": "A1", "ethnic_group": han, "residents": 800}]
    ds = build(organizations=orgs_with_group_at(None), population=population)
    assert ids(ds, AREA) == set()


def test_area_with_every_han_spelling_only_has_no_gap(build: Build) -> None:
    population = [{"area_id": "A1", "ethnic_group": g, "residents": 10}
                  for g in ("汉族", "汉", "Han", "HAN")]
    ds = build(organizations=orgs_with_group_at(None), population=population)
    assert ids(ds, AREA) == set()


def test_area_minority_count_sums_non_han_rows(build: Build) -> None:
    population = [
        {"area_id": "A1", "ethnic_group": "回族", "residents": 5},
        {"area_id": "A1", "ethnic_group": "维吾尔族", "residents": 2},
        {"area_id": "A1", "ethnic_group": "汉族", "residents": 900},
    ]
    ds = build(organizations=orgs_with_group_at(None), population=population)
    found = gaps(ds, as_of=AS_OF, only=[AREA])
    assert list(found["id"]) == ["A1"]
    assert found["detail"][0]["minority_residents"] == 7


@pytest.mark.parametrize("population", [
    pytest.param([{"area_id": "S1", "ethnic_group": "回族", "residents": 50},
                  {"area_id": "A1", "ethnic_group": "汉族", "residents": 500}],
                 id="minorities-only-at-street-level"),
    pytest.param([{"area_id": "A1", "ethnic_group": "回族", "residents": 0}], id="zero-residents"),
    pytest.param([], id="no-population-rows"),
])
def test_area_without_minority_residents_has_no_gap(build: Build, population: Rows) -> None:
    ds = build(organizations=orgs_with_group_at(None), population=population)
    assert ids(ds, AREA) == set()


def test_area_one_resident_is_enough(build: Build) -> None:
    population = [{"area_id": "A1", "ethnic_group": "Hui", "residents": 1}]
    ds = build(organizations=orgs_with_group_at(None), population=population)
    assert ids(ds, AREA) == {"A1"}


# ---------------------------------------------------------------------------
# building_without_service_station
# ---------------------------------------------------------------------------

STATION = "building_without_service_station"
EMPTY_BUILDING = {"id": "B2", "name": "二号楼", "grid_id": "G2"}


def test_station_building_with_companies_and_no_station(build: Build) -> None:
    # B2 houses no company, so it cannot have this gap.
    ds = build(buildings=[*base("buildings"), EMPTY_BUILDING])
    found = gaps(ds, as_of=AS_OF, only=[STATION])
    assert list(found["id"]) == ["B1"]
    assert found["detail"][0]["companies"] == 2


@pytest.mark.parametrize("kind", ["service_station", "service_center"])
@pytest.mark.parametrize(("place", "expected"), [
    ("B1", set()),       # the building itself
    ("C1", set()),       # a company in the building
    ("G2", {"B1"}),      # the grid is not within the building
    ("A1", {"B1"}),
    ("S1", {"B1"}),
])
def test_station_located(build: Build, kind: str, place: str, expected: set[str]) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", kind, "community", place)])
    assert ids(ds, STATION) == expected


@pytest.mark.parametrize(("target", "expected"), [
    ("B1", set()),       # the building
    ("G2", set()),       # its grid
    ("C1", {"B1"}),      # a company in it is neither the building nor its grid
    ("G1", {"B1"}),
    ("A1", {"B1"}),
])
def test_station_covers(build: Build, target: str, expected: set[str]) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "service_center", "party")],
               links=[link("O9", "COVERS", target)])
    assert ids(ds, STATION) == expected


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_station_active_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "service_station", "party")],
               links=[link("O9", "COVERS", "G2", since, until)])
    assert ids(ds, STATION) == set()


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_station_inactive_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "service_station", "party")],
               links=[link("O9", "COVERS", "B1", since, until)])
    assert ids(ds, STATION) == {"B1"}


def test_station_other_kinds_do_not_count(build: Build) -> None:
    # A party organisation (not a station) in the building, covering the building.
    ds = build(organizations=[*base("organizations"), org("O9", "party_branch", "party", "B1")],
               links=[link("O1", "COVERS", "B1")])
    assert ids(ds, STATION) == {"B1"}


# ---------------------------------------------------------------------------
# company_unreached
# ---------------------------------------------------------------------------

UNREACHED = "company_unreached"


def test_unreached_visit_to_sibling_company_does_not_reach(build: Build) -> None:
    # The base dataset visits C1 (in window); C2 shares the building but was not visited.
    assert ids(build(), UNREACHED) == {"C2"}


@pytest.mark.parametrize(("kind", "sector"), [
    ("party_branch", "party"),
    ("service_station", "community"),
    ("service_center", "government"),
])
@pytest.mark.parametrize(("place", "expected"), [
    ("C1", {"C2"}),          # in the company
    ("B1", set()),           # in its building
    ("G2", {"C1", "C2"}),    # in its grid: (a) is company or building only
    (None, {"C1", "C2"}),
])
def test_unreached_located(build: Build, kind: str, sector: str, place: str | None,
                           expected: set[str]) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", kind, sector, place)], visits=[])
    assert ids(ds, UNREACHED) == expected


@pytest.mark.parametrize(("target", "expected"), [
    ("C1", {"C2"}), ("B1", set()), ("G2", set()), ("G1", {"C1", "C2"}), ("A1", {"C1", "C2"}),
])
@pytest.mark.parametrize("source", ["O1", "O9"])  # party committee / service station
def test_unreached_covers(build: Build, source: str, target: str, expected: set[str]) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "service_station", "community")],
               links=[link(source, "COVERS", target)], visits=[])
    assert ids(ds, UNREACHED) == expected


def test_unreached_other_organisations_do_not_reach(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "association", "business", "B1")],
               links=[link("O9", "COVERS", "B1"), link("O2", "COVERS", "G2")], visits=[])
    assert ids(ds, UNREACHED) == {"C1", "C2"}


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_unreached_inactive_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O1", "COVERS", "B1", since, until)], visits=[])
    assert ids(ds, UNREACHED) == {"C1", "C2"}


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_unreached_active_covers(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O1", "COVERS", "B1", since, until)], visits=[])
    assert ids(ds, UNREACHED) == set()


@pytest.mark.parametrize(("target", "expected"), [("C1", {"C2"}), ("B1", set())])
def test_unreached_recent_visit_to_company_or_building(build: Build, target: str,
                                                       expected: set[str]) -> None:
    ds = build(visits=[visit(target, day(-30))])
    assert ids(ds, UNREACHED) == expected


@pytest.mark.parametrize(("offset", "recent"), [
    (-180, False),   # exactly window days ago: not recent
    (-179, True),    # one day later: recent
    (-1, True),
    (0, True),       # on as_of
    (1, False),      # after as_of: does not exist yet
])
def test_unreached_visit_window_ends(build: Build, offset: int, recent: bool) -> None:
    ds = build(visits=[visit("B1", day(offset))])
    assert ids(ds, UNREACHED) == (set() if recent else {"C1", "C2"})


def test_unreached_visit_window_parameter(build: Build) -> None:
    ds = build(visits=[visit("B1", day(-31))])
    assert ids(ds, UNREACHED) == set()
    assert ids(ds, UNREACHED, visit_window_days=31) == {"C1", "C2"}
    assert ids(ds, UNREACHED, visit_window_days=32) == set()


def test_unreached_visit_by_organisation_counts(build: Build) -> None:
    ds = build(visits=[visit("C2", day(-5), visitor="O2"), visit("C1", day(-5))])
    assert ids(ds, UNREACHED) == set()


# ---------------------------------------------------------------------------
# risk_without_followup
# ---------------------------------------------------------------------------

RISK = "risk_without_followup"
ASSESSED = dt.date(2026, 6, 1)
ORANGE_DEADLINE = dt.date(2026, 6, 15)   # + 14 days
RED_DEADLINE = dt.date(2026, 6, 4)       # + 3 days


def risk_ds(build: Build, level: object = "橙", visits: Rows = (), demands: Rows = (),
            extra: Rows = ()) -> Dataset:
    """C2 assessed on ASSESSED at ``level``; no visits or demands unless given."""
    return build(risk_assessments=[risk("C2", ASSESSED.isoformat(), level), *extra],
                 visits=list(visits), demands=list(demands))


@pytest.mark.parametrize("level", ["4", "较不稳定", "orange", "Orange", "橙", "橙色",
                                   "5", "不稳定", "red", "RED", "红", "红色"])
def test_risk_high_levels_in_every_spelling(build: Build, level: str) -> None:
    found = gaps(risk_ds(build, level), as_of=AS_OF, only=[RISK])
    assert list(found["id"]) == ["C2"]
    assert found["detail"][0]["level"] in (4, 5)


@pytest.mark.parametrize("level", ["1", "2", "3", "稳定", "较稳定", "一般", "green", "蓝",
                                   "yellow", "黄"])
def test_risk_lower_levels_never_found(build: Build, level: str) -> None:
    assert ids(risk_ds(build, level), RISK) == set()


@pytest.mark.parametrize(("level", "deadline"), [("orange", ORANGE_DEADLINE),
                                                 ("red", RED_DEADLINE)])
def test_risk_as_of_must_be_after_deadline(build: Build, level: str, deadline: dt.date) -> None:
    ds = risk_ds(build, level)
    assert ids(ds, RISK, as_of=deadline) == set()
    assert ids(ds, RISK, as_of=deadline - dt.timedelta(days=1)) == set()
    found = gaps(ds, as_of=deadline + dt.timedelta(days=1), only=[RISK])
    assert list(found["id"]) == ["C2"]
    assert found["detail"][0]["deadline"] == deadline.isoformat()
    assert found["detail"][0]["assessed_on"] == ASSESSED.isoformat()


def test_risk_orange_and_red_use_their_own_deadlines(build: Build) -> None:
    as_of = RED_DEADLINE + dt.timedelta(days=1)
    assert ids(risk_ds(build, "red"), RISK, as_of=as_of) == {"C2"}
    assert ids(risk_ds(build, "orange"), RISK, as_of=as_of) == set()


def test_risk_followup_parameters(build: Build) -> None:
    orange, red = risk_ds(build, "orange"), risk_ds(build, "red")
    as_of = dt.date(2026, 6, 7)
    assert ids(orange, RISK, as_of=as_of) == set()
    assert ids(orange, RISK, as_of=as_of, followup_days_orange=5) == {"C2"}   # deadline 06-06
    assert ids(orange, RISK, as_of=as_of, followup_days_orange=6) == set()    # deadline 06-07
    assert ids(red, RISK, as_of=as_of) == {"C2"}
    assert ids(red, RISK, as_of=as_of, followup_days_red=6) == set()
    # the other level's parameter has no effect
    assert ids(red, RISK, as_of=as_of, followup_days_orange=100) == {"C2"}
    assert ids(orange, RISK, as_of=as_of, followup_days_red=0) == set()


@pytest.mark.parametrize("level", ["orange", "red"])
@pytest.mark.parametrize(("target", "offset_from", "offset", "followed"), [
    ("C2", "assessed", 0, True),      # on assessed_on: included
    ("C2", "deadline", 0, True),      # on the deadline: included
    ("B1", "deadline", 0, True),      # the company's building
    ("B1", "assessed", 0, True),
    ("C2", "assessed", -1, False),    # the day before the assessment
    ("C2", "deadline", 1, False),     # the day after the deadline (still before as_of)
    ("C1", "assessed", 1, False),     # another company in the same building
])
def test_risk_followup_visit_span(build: Build, level: str, target: str, offset_from: str,
                                  offset: int, followed: bool) -> None:
    deadline = ORANGE_DEADLINE if level == "orange" else RED_DEADLINE
    anchor = ASSESSED if offset_from == "assessed" else deadline
    ds = risk_ds(build, level, visits=[visit(target, day(offset, anchor))])
    assert ids(ds, RISK) == (set() if followed else {"C2"})


@pytest.mark.parametrize(("raised", "resolved", "company", "followed"), [
    ("2026-06-01", "2026-06-01", "C2", True),    # resolved on assessed_on
    ("2026-05-01", "2026-06-15", "C2", True),    # raised earlier, resolved on the deadline
    ("2026-05-01", "2026-06-16", "C2", False),   # resolved the day after the deadline
    ("2026-05-01", "2026-05-31", "C2", False),   # resolved the day before the assessment
    ("2026-06-02", "2026-06-03", "C1", False),   # another company's demand
])
def test_risk_followup_demand_resolved_in_span(build: Build, raised: str, resolved: str,
                                               company: str, followed: bool) -> None:
    d = demand("D9", raised, "resolved", resolved, company=company)
    ds = risk_ds(build, "orange", demands=[d])
    assert ids(ds, RISK) == (set() if followed else {"C2"})


def test_risk_unresolved_demand_is_not_followup(build: Build) -> None:
    ds = risk_ds(build, "orange", demands=[demand("D9", "2026-06-02", "in_progress")])
    assert ids(ds, RISK) == {"C2"}


def test_risk_newer_low_assessment_clears_older_red(build: Build) -> None:
    ds = risk_ds(build, "red", extra=[risk("C2", "2026-06-10", "2")])
    assert ids(ds, RISK) == set()


def test_risk_assessment_after_as_of_is_ignored(build: Build) -> None:
    ds = risk_ds(build, "red", extra=[risk("C2", day(1), "2")])
    assert ids(ds, RISK) == {"C2"}
    assert ids(ds, RISK, as_of=day(1)) == set()


def test_risk_newer_red_replaces_older_low(build: Build) -> None:
    ds = risk_ds(build, "2", extra=[risk("C2", "2026-06-10", "红")])
    found = gaps(ds, as_of=AS_OF, only=[RISK])
    assert list(found["id"]) == ["C2"]
    assert found["detail"][0]["deadline"] == "2026-06-13"


def test_risk_span_is_that_of_the_latest_assessment(build: Build) -> None:
    # Followed up after the first red assessment, not after the latest one.
    ds = risk_ds(build, "red", visits=[visit("C2", "2026-06-02")],
                 extra=[risk("C2", "2026-06-10", "red")])
    assert ids(ds, RISK) == {"C2"}


def test_risk_only_future_assessment_does_not_exist(build: Build) -> None:
    ds = build(risk_assessments=[risk("C2", day(1), "red")], visits=[], demands=[])
    assert ids(ds, RISK) == set()
    assert ids(ds, RISK, as_of=day(5)) == {"C2"}


def test_risk_without_assessments_table(build: Build, make_dataset: Callable[..., Path]) -> None:
    tables = minimal_tables()
    del tables["risk_assessments"], tables["visits"], tables["demands"]
    ds = load_dataset(make_dataset(tables, name="no_optional"))
    assert ids(ds, RISK) == set()
    assert ids(ds, "stale_demand") == set()
    assert ids(ds, "building_not_visited") == {"B1"}


# ---------------------------------------------------------------------------
# stale_demand
# ---------------------------------------------------------------------------

STALE = "stale_demand"


@pytest.mark.parametrize(("raised", "status", "resolved", "stale"), [
    (day(-31), "open", None, True),            # 31 days old
    (day(-30), "open", None, False),           # exactly demand_max_days: not stale
    (day(-31), "in_progress", None, True),
    (day(-400), "resolved", day(-1), False),   # resolved before as_of
    (day(-400), "resolved", day(0), False),    # resolved on as_of
    (day(-31), "resolved", day(1), True),      # resolved after as_of: unresolved on as_of
    (day(-30), "resolved", day(1), False),     # ... but not old enough
    (day(1), "open", None, False),             # raised after as_of: does not exist
    (day(0), "open", None, False),
])
def test_stale_demand_clauses(build: Build, raised: str, status: str, resolved: str | None,
                              stale: bool) -> None:
    ds = build(demands=[demand("D9", raised, status, resolved)])
    assert ids(ds, STALE) == ({"D9"} if stale else set())


def test_stale_demand_parameter(build: Build) -> None:
    ds = build(demands=[demand("D9", day(-31))])
    assert ids(ds, STALE) == {"D9"}
    assert ids(ds, STALE, demand_max_days=31) == set()
    assert ids(ds, STALE, demand_max_days=30) == {"D9"}
    assert ids(ds, STALE, demand_max_days=0) == {"D9"}


def test_stale_demand_as_of_moves_age(build: Build) -> None:
    ds = build(demands=[demand("D9", "2026-01-01")])
    assert ids(ds, STALE, as_of="2026-01-31") == set()    # 30 days
    assert ids(ds, STALE, as_of="2026-02-01") == {"D9"}   # 31 days
    assert ids(ds, STALE, as_of="2025-12-31") == set()    # not raised yet


def test_stale_demand_name_is_category(build: Build) -> None:
    ds = build(demands=[demand("D9", day(-60), category="停车")])
    found = gaps(ds, as_of=AS_OF, only=[STALE])
    assert list(found["id"]) == ["D9"]
    assert found["name"][0] == "停车"
    assert found["grid_id"][0] == "G2"   # D9's company C1 is in B1, grid G2


# ---------------------------------------------------------------------------
# liaison_group_isolated
# ---------------------------------------------------------------------------

ISOLATED = "liaison_group_isolated"


def test_isolated_leads_is_not_a_tie(build: Build) -> None:
    # The base dataset only has O1 -LEADS-> O2.
    assert ids(build(), ISOLATED) == {"O2"}


@pytest.mark.parametrize("type_", ["PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF"])
@pytest.mark.parametrize("group_is", ["source", "target"])
def test_isolated_tie_with_party_org_in_either_direction(build: Build, type_: str,
                                                         group_is: str) -> None:
    tie = link("O2", type_, "O1") if group_is == "source" else link("O1", type_, "O2")
    ds = build(links=[*base("links"), tie])
    assert ids(ds, ISOLATED) == set()


@pytest.mark.parametrize("tie", [
    link("O2", "PARTNERS_WITH", "C1"),
    link("C1", "PARTNERS_WITH", "O2"),
    link("C1", "SUPPORTS", "O2"),
    link("O2", "SUPPORTS", "C1"),
    link("C1", "MEMBER_OF", "O2"),
], ids=lambda t: f"{t['source_id']}-{t['type']}-{t['target_id']}")
def test_isolated_tie_with_company_counts(build: Build, tie: dict[str, object]) -> None:
    assert ids(build(links=[tie]), ISOLATED) == set()


@pytest.mark.parametrize("tie", [
    link("O2", "PARTNERS_WITH", "O9"),         # partner of sector ethnic
    link("O9", "SUPPORTS", "O2"),
    link("P1", "MENTORS", "O2"),               # a person
    link("P1", "SUPPORTS", "O2"),
    link("P1", "MEMBER_OF", "O2"),
    link("O2", "SUPPORTS", "B1"),              # a building has no sector
    link("O2", "SUPPORTS", "A1"),
    link("O1", "SERVES", "O2"),                # not one of the four types
    link("O1", "LEADS", "O2"),
    link("O2", "COVERS", "C1"),
], ids=lambda t: f"{t['source_id']}-{t['type']}-{t['target_id']}")
def test_isolated_ties_that_do_not_count(build: Build, tie: dict[str, object]) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "association", "ethnic")],
               links=[tie])
    assert ids(ds, ISOLATED) == {"O2"}


def test_isolated_two_ethnic_groups_tied_together_are_both_isolated(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "liaison_group", "ethnic")],
               links=[link("O2", "PARTNERS_WITH", "O9"), link("O9", "MENTORS", "O2")])
    assert ids(ds, ISOLATED) == {"O2", "O9"}


def test_isolated_non_ethnic_liaison_group_partner_counts(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "liaison_group", "community")],
               links=[link("O9", "PARTNERS_WITH", "O2")])
    # O2's partner O9 is not ethnic; O9's partner O2 is ethnic.
    assert ids(ds, ISOLATED) == {"O9"}


def test_isolated_only_liaison_groups_reported(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "association", "ethnic")],
               links=[])
    assert ids(ds, ISOLATED) == {"O2"}


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_isolated_active_tie(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O1", "MENTORS", "O2", since, until)])
    assert ids(ds, ISOLATED) == set()


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_isolated_inactive_tie(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("O2", "PARTNERS_WITH", "C1", since, until)])
    assert ids(ds, ISOLATED) == {"O2"}


# ---------------------------------------------------------------------------
# liaison_group_without_leadership
# ---------------------------------------------------------------------------

LEADERSHIP = "liaison_group_without_leadership"
GOV = org("O3", "government_office", "government", "S1")


def leadership_ds(build: Build, parent: str | None, links: Rows) -> Dataset:
    organizations = [base("organizations")[0], GOV,
                     org("O2", "liaison_group", "ethnic", "A1", parent_id=parent)]
    return build(organizations=organizations, links=links)


@pytest.mark.parametrize(("parent", "links", "led"), [
    (None, [], False),
    (None, [link("O1", "LEADS", "O2")], True),           # LEADS from a party org
    (None, [link("O3", "LEADS", "O2")], False),          # LEADS from a non-party org
    (None, [link("O2", "LEADS", "O1")], False),          # wrong direction
    (None, [link("O1", "SUPPORTS", "O2")], False),       # not LEADS
    ("O1", [], True),                                    # parent is a party org
    ("O3", [], False),                                   # parent is not a party org
    ("O3", [link("O1", "LEADS", "O2")], True),
    ("O1", [link("O3", "LEADS", "O2")], True),
])
def test_leadership_clauses(build: Build, parent: str | None, links: Rows, led: bool) -> None:
    assert ids(leadership_ds(build, parent, links), LEADERSHIP) == (set() if led else {"O2"})


def test_leadership_party_org_leading_another_group_does_not_count(build: Build) -> None:
    organizations = [*base("organizations"),
                     org("O9", "liaison_group", "ethnic", "A1", parent_id=None)]
    ds = build(organizations=organizations)   # base: O1 LEADS O2, O2's parent is O1
    assert ids(ds, LEADERSHIP) == {"O9"}


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_leadership_active_leads(build: Build, since: str | None, until: str | None) -> None:
    ds = leadership_ds(build, None, [link("O1", "LEADS", "O2", since, until)])
    assert ids(ds, LEADERSHIP) == set()


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_leadership_inactive_leads(build: Build, since: str | None, until: str | None) -> None:
    ds = leadership_ds(build, None, [link("O1", "LEADS", "O2", since, until)])
    assert ids(ds, LEADERSHIP) == {"O2"}


def test_leadership_only_liaison_groups_reported(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "association", "ethnic")])
    assert ids(ds, LEADERSHIP) == set()


# ---------------------------------------------------------------------------
# key_building_without_worker
# ---------------------------------------------------------------------------

KEY = "key_building_without_worker"


def building(key: object, id_: str = "B1", grid: str = "G2") -> dict[str, object]:
    return {"id": id_, "name": f"楼{id_}", "grid_id": grid, "key_building": key}


def test_key_building_with_assigned_worker_has_no_gap(build: Build) -> None:
    assert ids(build(), KEY) == set()


@pytest.mark.parametrize("key", ["是", "true", "TRUE", "1", "yes"])
def test_key_building_flag_spellings(build: Build, key: str) -> None:
    assert ids(build(buildings=[building(key)], links=[]), KEY) == {"B1"}


@pytest.mark.parametrize("key", ["否", "false", "0", "no", None])
def test_not_key_building_with_few_companies(build: Build, key: str | None) -> None:
    assert ids(build(buildings=[building(key)], links=[]), KEY) == set()


def test_key_building_by_company_count_boundary(build: Build) -> None:
    ds = build(buildings=[building("否")], links=[])   # B1 houses 2 companies
    assert ids(ds, KEY) == set()                               # default 20
    assert ids(ds, KEY, key_building_min_companies=3) == set()
    found = gaps(ds, as_of=AS_OF, only=[KEY], key_building_min_companies=2)
    assert list(found["id"]) == ["B1"]
    assert found["detail"][0]["companies"] == 2
    assert ids(ds, KEY, key_building_min_companies=1) == {"B1"}


def test_key_building_flag_needs_no_companies(build: Build) -> None:
    ds = build(buildings=[building("是"), building("是", "B2"), building("否", "B3")], links=[])
    assert ids(ds, KEY) == {"B1", "B2"}


def test_key_building_twenty_companies_by_default(build: Build) -> None:
    companies = [{"id": f"K{i:02d}", "name": f"公司{i}", "building_id": "B2"} for i in range(20)]
    ds = build(buildings=[*base("buildings"), building(None, "B2"), building(None, "B3")],
               companies=[*base("companies"), *companies, {"id": "K99", "name": "末",
                                                           "building_id": "B3"}])
    assert ids(ds, KEY) == {"B2"}   # B1 is staffed; B3 has 1 company
    assert ids(ds, KEY, key_building_min_companies=21) == set()


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_key_building_active_assignment(build: Build, since: str | None,
                                        until: str | None) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", "B1", since, until)])
    assert ids(ds, KEY) == set()


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_key_building_inactive_assignment(build: Build, since: str | None,
                                          until: str | None) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", "B1", since, until)])
    assert ids(ds, KEY) == {"B1"}


@pytest.mark.parametrize("target", ["C1", "G2", "A1"])
def test_key_building_assignment_elsewhere_does_not_count(build: Build, target: str) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", target)])
    assert ids(ds, KEY) == {"B1"}


def test_key_building_covers_is_not_a_worker(build: Build) -> None:
    ds = build(links=[link("O1", "COVERS", "B1"), link("O1", "SERVES", "B1")])
    assert ids(ds, KEY) == {"B1"}


# ---------------------------------------------------------------------------
# building_not_visited
# ---------------------------------------------------------------------------

NOT_VISITED = "building_not_visited"


def test_not_visited_base_visit_to_company_counts(build: Build) -> None:
    # Base: a visit to C1 (in B1) on 2026-01-05, 176 days before AS_OF.
    assert ids(build(), NOT_VISITED) == set()


def test_not_visited_needs_companies(build: Build) -> None:
    ds = build(buildings=[*base("buildings"), EMPTY_BUILDING], visits=[])
    found = gaps(ds, as_of=AS_OF, only=[NOT_VISITED])
    assert list(found["id"]) == ["B1"]
    assert found["detail"][0]["companies"] == 2


@pytest.mark.parametrize(("target", "expected"), [
    ("B1", set()), ("C1", set()), ("C2", set()), ("B2", {"B1"}),
])
def test_not_visited_targets(build: Build, target: str, expected: set[str]) -> None:
    ds = build(buildings=[*base("buildings"), EMPTY_BUILDING], visits=[visit(target, day(-3))])
    assert ids(ds, NOT_VISITED) == expected


@pytest.mark.parametrize("target", ["B1", "C2"])
@pytest.mark.parametrize(("offset", "recent"), [
    (-180, False), (-179, True), (0, True), (1, False), (-400, False),
])
def test_not_visited_window_ends(build: Build, target: str, offset: int, recent: bool) -> None:
    ds = build(visits=[visit(target, day(offset))])
    assert ids(ds, NOT_VISITED) == (set() if recent else {"B1"})


def test_not_visited_window_parameter(build: Build) -> None:
    ds = build(visits=[visit("C1", day(-100))])
    assert ids(ds, NOT_VISITED) == set()
    assert ids(ds, NOT_VISITED, visit_window_days=100) == {"B1"}
    assert ids(ds, NOT_VISITED, visit_window_days=101) == set()


# ---------------------------------------------------------------------------
# Output, parameters, API
# ---------------------------------------------------------------------------


def all_gaps_ds(build: Build) -> Dataset:
    """A dataset where many gaps fire at once (several ids for some)."""
    return build(
        organizations=[base("organizations")[0],
                       org("O2", "liaison_group", "ethnic", None),
                       org("O3", "liaison_group", "ethnic", None)],
        links=[],
        visits=[],
        demands=[demand("D2", day(-60), category="停车"), demand("D1", day(-90))],
        risk_assessments=[risk("C2", day(-20), "红"), risk("C1", day(-20), "orange")],
    )


def test_output_columns_sort_and_names(build: Build) -> None:
    ds = all_gaps_ds(build)
    found = gaps(ds, as_of=AS_OF)
    assert {"gap", "id", "name", "grid_id", "grid_name", "area_id", "area_name",
            "detail"} <= set(found.columns)
    assert set(found["gap"]) == set(ELEVEN_GAPS)
    pairs = list(zip(found["gap"], found["id"], strict=True))
    assert pairs == sorted(pairs)
    assert len(pairs) == len(set(pairs))
    names = dict(zip(found["id"], found["name"], strict=False))
    assert names["D2"] == "停车" and names["D1"] == "租赁"   # a demand's name is its category
    assert names["C1"] == "甲公司" and names["B1"] == "一号楼" and names["G1"] == "平面网格一"
    assert names["O2"] == "组织O2" and names["A1"] == "一号居民区"
    by_id = found.drop_duplicates("id").set_index("id")
    assert by_id.loc["C2", "grid_id"] == "G2" and by_id.loc["C2", "grid_name"] == "立体网格一"
    assert pd.isna(by_id.loc["A1", "grid_id"]) and by_id.loc["A1", "area_id"] == "A1"
    assert by_id.loc["G1", "area_id"] == "A1" and by_id.loc["G1", "area_name"] == "一号居民区"
    assert pd.isna(by_id.loc["C2", "area_id"])   # a business place has no area
    for detail in found["detail"]:
        assert isinstance(detail, dict)
        json.dumps(detail, ensure_ascii=False)   # a JSON object


def test_output_expected_findings_on_combined_dataset(build: Build) -> None:
    found = gaps(all_gaps_ds(build), as_of=AS_OF)
    got = {(g, i) for g, i in zip(found["gap"], found["id"], strict=True)}
    assert got == {
        ("grid_without_party_org", "G1"), ("grid_without_party_org", "G2"),
        ("area_without_liaison_group", "A1"),
        ("building_without_service_station", "B1"),
        ("company_unreached", "C1"), ("company_unreached", "C2"),
        ("risk_without_followup", "C1"), ("risk_without_followup", "C2"),
        ("stale_demand", "D1"), ("stale_demand", "D2"),
        ("liaison_group_isolated", "O2"), ("liaison_group_isolated", "O3"),
        ("liaison_group_without_leadership", "O2"), ("liaison_group_without_leadership", "O3"),
        ("key_building_without_worker", "B1"),
        ("building_not_visited", "B1"),
        ("grid_without_worker", "G1"), ("grid_without_worker", "G2"),
    }


def test_gap_names_are_the_eleven_of_the_spec() -> None:
    assert tuple(GAP_NAMES) == ELEVEN_GAPS


def test_only_selects_gaps(build: Build) -> None:
    ds = all_gaps_ds(build)
    found = gaps(ds, as_of=AS_OF, only=["stale_demand", "building_not_visited"])
    assert set(found["gap"]) == {"stale_demand", "building_not_visited"}
    assert list(found["gap"]) == ["building_not_visited", "stale_demand", "stale_demand"]
    assert gaps(ds, as_of=AS_OF, only=[]).empty


def test_no_findings_is_an_empty_frame_with_columns(build: Build) -> None:
    found = gaps(build(), as_of=AS_OF, only=["stale_demand"])
    assert found.empty
    assert {"gap", "id", "name", "detail"} <= set(found.columns)


def test_gap_named_twice_gives_one_row_per_finding(build: Build) -> None:
    ds = build(demands=[demand("D9", day(-31))])
    found = gaps(ds, as_of=AS_OF, only=[STALE, STALE])
    assert list(found["id"]) == ["D9"]


def test_dataset_without_companies_or_links(build: Build) -> None:
    # A loadable dataset with empty optional tables and no companies: no gap may crash.
    ds = build(companies=[], organizations=[], people=[], population=[], links=[], visits=[],
               demands=[], risk_assessments=[])
    found = gaps(ds, as_of=AS_OF)
    got = {(g, i) for g, i in zip(found["gap"], found["id"], strict=True)}
    # B1 is flagged key_building but houses no company: only the key-building gap applies.
    assert got == {("grid_without_party_org", "G1"), ("grid_without_party_org", "G2"),
                   ("key_building_without_worker", "B1"),
                   ("grid_without_worker", "G1"), ("grid_without_worker", "G2")}


def test_link_ending_before_it_starts_is_never_active(build: Build) -> None:
    ds = build(links=[link("O1", "COVERS", "G1", since=day(10), until=day(-10))])
    assert ids(ds, GRID) == {"G1", "G2"}
    assert ids(ds, GRID, as_of=day(-20)) == {"G1", "G2"}
    assert ids(ds, GRID, as_of=day(20)) == {"G1", "G2"}


def test_unknown_parameter_raises_value_error(build: Build) -> None:
    ds = build()
    with pytest.raises(ValueError, match="visit_window"):
        gaps(ds, as_of=AS_OF, visit_window=10)
    with pytest.raises(ValueError):
        run_gap(ds, "stale_demand", AS_OF, no_such_parameter=1)


def test_unknown_gap_name_is_rejected(build: Build) -> None:
    with pytest.raises((KeyError, ValueError)):
        gaps(build(), as_of=AS_OF, only=["no_such_gap"])


def test_parameters_of_other_gaps_are_accepted(build: Build) -> None:
    ds = build(demands=[demand("D9", day(-31))])
    assert ids(ds, STALE, visit_window_days=1, key_building_min_companies=1) == {"D9"}


def test_defaults_match_spec() -> None:
    assert settings.DEFAULT_PARAMS == {
        "visit_window_days": 180, "followup_days_orange": 14, "followup_days_red": 3,
        "demand_max_days": 30, "key_building_min_companies": 20,
    }


def test_as_of_accepts_date_and_string(build: Build) -> None:
    ds = all_gaps_ds(build)
    by_date = gaps(ds, as_of=AS_OF)
    by_text = gaps(ds, as_of=AS_OF.isoformat())
    pd.testing.assert_frame_equal(by_date[["gap", "id"]], by_text[["gap", "id"]])


def test_default_as_of_is_today(build: Build) -> None:
    ds = build(demands=[demand("D9", day(-31, settings.today()))])  # the street's today
    assert set(gaps(ds, only=[STALE])["id"]) == {"D9"}
    ds = build(demands=[demand("D9", day(-30, settings.today()))])
    assert gaps(ds, only=[STALE]).empty


def test_run_gap_matches_gaps(build: Build) -> None:
    ds = all_gaps_ds(build)
    for name in ELEVEN_GAPS:
        one = run_gap(ds, name, AS_OF)
        assert set(one["id"]) == ids(ds, name), name
        assert set(one["gap"]) <= {name}


# ---------------------------------------------------------------------------
# Version 2: grid_without_worker, the covers rule through areas, planned visits
# ---------------------------------------------------------------------------

WORKER = "grid_without_worker"


@pytest.mark.parametrize(("target", "expected"), [
    ("G1", {"G2"}),            # the grid itself
    ("G2", {"G1"}),
    ("A1", {"G1", "G2"}),      # the area holding G1 does not count
    ("B1", {"G1", "G2"}),      # a building in G2 does not count
    ("C1", {"G1", "G2"}),
])
def test_worker_assigned_to_the_grid_itself(build: Build, target: str,
                                            expected: set[str]) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", target)])
    assert ids(ds, WORKER) == expected


@pytest.mark.parametrize(("since", "until"), ACTIVE)
def test_worker_active_assignment(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", "G1", since, until)])
    assert ids(ds, WORKER) == {"G2"}


@pytest.mark.parametrize(("since", "until"), INACTIVE)
def test_worker_inactive_assignment(build: Build, since: str | None, until: str | None) -> None:
    ds = build(links=[link("P1", "ASSIGNED_TO", "G1", since, until)])
    assert ids(ds, WORKER) == {"G1", "G2"}


def test_worker_detail_names_the_grid_kind(build: Build) -> None:
    found = gaps(build(), as_of=AS_OF, only=[WORKER]).set_index("id")
    assert found.loc["G1", "detail"] == {"grid_kind": "residential"}
    assert found.loc["G2", "detail"] == {"grid_kind": "business"}


def residential_building_ds(build: Build, **tables: Rows) -> Dataset:
    """The base dataset plus micro-grid G3 in area A1 holding building B9 with company C9."""
    return build(grids=[*base("grids"), G3], buildings=[*base("buildings"), B9],
                 companies=[*base("companies"), C9], **tables)


@pytest.mark.parametrize(("target", "expected"), [
    ("A1", set()),       # the area contains G3, so it covers B9
    ("G3", set()),       # its grid
    ("B9", set()),       # the building
    ("G1", {"B9"}),      # another micro-grid of the same area
    ("C9", {"B9"}),      # a company inside: never upward
    ("S1", {"B9"}),      # the street covers nothing
])
def test_station_covers_through_every_container(build: Build, target: str,
                                                expected: set[str]) -> None:
    ds = residential_building_ds(
        build, organizations=[*base("organizations"), org("O9", "service_station", "community",
                                                          "B1")],
        links=[link("O9", "COVERS", target)])
    assert ids(ds, STATION) == expected


@pytest.mark.parametrize(("target", "expected"), [
    ("A1", set()), ("G3", set()), ("B9", set()), ("C9", set()), ("G1", {"C9"}),
    ("S1", {"C9"}),
])
def test_unreached_covered_through_every_container(build: Build, target: str,
                                                   expected: set[str]) -> None:
    ds = residential_building_ds(build, links=[link("O1", "COVERS", target)],
                                 visits=[visit("B1", day(-1))])
    assert ids(ds, UNREACHED) == expected


def test_unreached_org_in_a_sibling_company_does_not_reach(build: Build) -> None:
    # (a) is the company itself or its building: an organisation in C1 does not reach C2.
    ds = build(organizations=[*base("organizations"), org("O9", "party_branch", "party", "C1")],
               visits=[])
    assert ids(ds, UNREACHED) == {"C2"}


@pytest.mark.parametrize("status", ["planned", "计划", "PLANNED"])
def test_planned_visits_never_count(build: Build, status: str) -> None:
    planned = [{**visit("B1", day(-1)), "status": status}, {**visit("C1", day(-1)),
                                                             "status": status}]
    ds = build(visits=planned)
    assert ids(ds, UNREACHED) == {"C1", "C2"}
    assert ids(ds, "building_not_visited") == {"B1"}
    risky = build(visits=[{**visit("C1", day(-3)), "status": status}],
                  risk_assessments=[risk("C1", day(-5), "红")])
    assert ids(risky, RISK) == {"C1"}


@pytest.mark.parametrize("status", ["done", "已走访", "", "DONE"])
def test_done_visits_count_in_every_spelling(build: Build, status: str) -> None:
    ds = build(visits=[{**visit("B1", day(-1)), "status": status}])
    assert ids(ds, UNREACHED) == set()
    assert ids(ds, "building_not_visited") == set()


def test_chinese_enum_spellings_compare_as_english(build: Build) -> None:
    ds = build(organizations=[*base("organizations"), org("O9", "党群服务站", "社区", "B1")],
               demands=[demand("D9", day(-40), status="已解决", resolved_on=day(-35))])
    assert ids(ds, STATION) == set()
    assert ids(ds, STALE) == set()


def test_finding_place_shows_area_for_residential_places(build: Build) -> None:
    ds = residential_building_ds(build, visits=[])
    found = gaps(ds, as_of=AS_OF, only=["building_not_visited", UNREACHED])
    rows = found.drop_duplicates("id").set_index("id")
    assert rows.loc["B9", "grid_id"] == "G3" and rows.loc["B9", "area_id"] == "A1"
    assert rows.loc["C9", "area_name"] == "一号居民区"
    assert pd.isna(rows.loc["B1", "area_id"]) and rows.loc["B1", "grid_id"] == "G2"


# ---------------------------------------------------------------------------
# The shipped dataset
# ---------------------------------------------------------------------------


def test_shipped_dataset_has_every_gap() -> None:
    path = settings.default_dataset_path()
    assert path.exists(), f"the shipped dataset {path} does not exist yet"
    found = gaps(load_dataset(), as_of="2026-11-29")
    counts = found["gap"].value_counts()
    missing = [g for g in ELEVEN_GAPS if counts.get(g, 0) < 1]
    assert not missing, f"gaps with no finding on the shipped dataset: {missing}"
