"""Tests of the five-colour risk view and the suggested levels."""

from __future__ import annotations

import pandas as pd
import pytest

from graphmodel import load_dataset, settings
from graphmodel.gaps import run_gap
from graphmodel.queries import all_queries, get_query, resolve_params
from graphmodel.risk import (
    SUGGESTED_COLUMNS,
    VIEW_COLUMNS,
    level_for_score,
    level_title,
    risk_distribution,
    risk_view,
    score_indicators,
    suggested_risk,
    with_area,
)

ASSESSED = "2026-03-01"  # levels 4/5 assessed that day: deadlines 03-15 (orange), 03-04 (red)


def _company(id_: str, building: str, **extra: object) -> dict[str, object]:
    return {"id": id_, "name": f"公司{id_}", "building_id": building, **extra}


def _visit(target: str, date: str) -> dict[str, object]:
    return {"visitor_id": "P1", "target_id": target, "date": date, "purpose": "走访"}


def _demand(id_: str, company: str, raised: str, status: str = "open",
            resolved: str | None = None) -> dict[str, object]:
    return {"id": id_, "company_id": company, "raised_on": raised, "category": "租赁",
            "status": status, "resolved_on": resolved}


def _assessment(company: str, day: str, level: str) -> dict[str, object]:
    return {"company_id": company, "assessed_on": day, "level": level}


@pytest.fixture
def risk_ds(make_dataset):
    """C1-C4 high risk in their own buildings; C5, C8, C11 (in area A1) assessed low;
    C6, C7, C9, C10 not yet."""
    buildings = [{"id": f"B{i}", "name": f"{i}号楼", "grid_id": "G2"} for i in range(1, 5)]
    buildings.append({"id": "B5", "name": "5号楼", "grid_id": "G3"})
    buildings.append({"id": "B6", "name": "6号楼", "grid_id": "G1"})
    grids = [{"id": "G1", "name": "平面网格一", "kind": "residential", "street_id": "S1",
              "area_id": "A1"},
             {"id": "G2", "name": "立体网格一", "kind": "business", "street_id": "S1"},
             {"id": "G3", "name": "立体网格二", "kind": "building", "street_id": "S1"}]
    companies = [
        _company("C1", "B1"), _company("C2", "B2"), _company("C3", "B3"), _company("C4", "B4"),
        _company("C5", "B5"), _company("C8", "B5", employees=3),
        _company("C6", "B5", lease_expires="2026-04-09", relocation_intent="是", employees=5),
        _company("C7", "B5", lease_expires="2026-06-08", employees=100),
        _company("C9", "B5", lease_expires="2026-06-09"),
        _company("C10", "B5", lease_expires="2026-03-09", employees=10, relocation_intent="否"),
        _company("C11", "B6"),  # in the micro-grid G1 of area A1
    ]
    visits = [
        _visit("B1", "2026-03-04"),  # C1: its building, on the red deadline
        _visit("C2", "2026-03-10"),  # C2: before the orange deadline
        _visit("C3", "2026-02-28"),  # C3: before the assessment
        _visit("C3", "2026-03-16"),  # C3: after the deadline
    ]
    demands = [
        _demand("D4", "C4", "2026-02-20", "resolved", "2026-03-04"),  # C4: on the deadline
        _demand("D6a", "C6", "2026-01-29"),  # 40 days old on 03-10
        _demand("D6b", "C6", "2026-03-05", "in_progress"),
        _demand("D6c", "C6", "2026-01-01", "resolved", "2026-02-01"),  # resolved before as_of
        _demand("D6d", "C6", "2026-02-01", "resolved", "2026-04-01"),  # resolved after as_of
        _demand("D6e", "C6", "2026-03-20"),  # raised after as_of
    ]
    assessments = [
        _assessment("C1", ASSESSED, "红"), _assessment("C2", ASSESSED, "4"),
        _assessment("C3", ASSESSED, "orange"), _assessment("C4", ASSESSED, "不稳定"),
        _assessment("C5", "2026-01-01", "5"), _assessment("C5", "2026-02-01", "黄"),
        _assessment("C7", "2026-12-01", "red"), _assessment("C8", "2026-01-10", "1"),
        _assessment("C11", "2026-02-01", "蓝"),
    ]
    return load_dataset(make_dataset(grids=grids, buildings=buildings, companies=companies,
                                     visits=visits, demands=demands,
                                     risk_assessments=assessments))


def _states(ds, as_of: str) -> dict[str, str]:
    view = risk_view(ds, as_of)
    return dict(zip(view["company_id"], view["followup"], strict=True))


# ---------------------------------------------------------------------------
# risk_view
# ---------------------------------------------------------------------------


def test_view_columns_and_levels(risk_ds):
    view = risk_view(risk_ds, "2026-03-10")
    assert list(view.columns) == VIEW_COLUMNS
    assert view["company_id"].tolist() == ["C1", "C4", "C2", "C3", "C5", "C11", "C8"]
    row = view.iloc[0]
    assert (row["level"], row["label_zh"], row["label_en"], row["colour_zh"], row["colour_en"]) \
        == (5, "不稳定", "unstable", "红", "red")
    assert (row["company_name"], row["building_id"], row["building_name"], row["grid_id"],
            row["grid_name"]) == ("公司C1", "B1", "1号楼", "G2", "立体网格一")
    assert row["assessed_on"] == pd.Timestamp(ASSESSED)
    assert row["deadline"] == pd.Timestamp("2026-03-04")
    assert set(view["kind"]) == {"assessed"}


def test_view_uses_latest_assessment_on_or_before_as_of(risk_ds):
    view = risk_view(risk_ds, "2026-03-10").set_index("company_id")
    assert view.loc["C5", "level"] == 3  # 2026-02-01 yellow replaced 2026-01-01 red
    assert pd.isna(view.loc["C5", "deadline"]) and view.loc["C5", "followup"] == "n/a"
    assert "C7" not in view.index  # assessed only later
    assert "C7" in risk_view(risk_ds, "2026-12-01")["company_id"].tolist()
    assert risk_view(risk_ds, "2025-12-31").empty


def test_followup_done_on_the_deadline(risk_ds):
    states = _states(risk_ds, "2026-03-10")
    assert states["C1"] == "done"  # visit to its building on the red deadline
    assert states["C4"] == "done"  # demand resolved on the red deadline
    assert states["C8"] == "n/a"


def test_followup_pending_until_deadline_then_overdue(risk_ds):
    assert _states(risk_ds, "2026-03-15")["C3"] == "pending"  # as_of == deadline
    assert _states(risk_ds, "2026-03-16")["C3"] == "overdue"  # visit on 03-16 is too late
    assert _states(risk_ds, "2026-03-20")["C3"] == "overdue"
    view = risk_view(risk_ds, "2026-03-20").set_index("company_id")
    assert view.loc["C3", "deadline"] == pd.Timestamp("2026-03-15")


def test_followup_counts_only_records_that_exist_on_as_of(risk_ds):
    assert _states(risk_ds, "2026-03-05")["C2"] == "pending"  # the 03-10 visit has not happened
    assert _states(risk_ds, "2026-03-10")["C2"] == "done"
    assert _states(risk_ds, "2026-03-02")["C1"] == "pending"
    assert _states(risk_ds, "2026-03-03")["C4"] == "pending"


def test_followup_days_are_parameters(risk_ds):
    states = risk_view(risk_ds, "2026-03-16", followup_days_orange=30).set_index("company_id")
    assert states.loc["C3", "followup"] == "done"  # the 03-16 visit is inside 30 days
    assert states.loc["C3", "deadline"] == pd.Timestamp("2026-03-31")
    assert risk_view(risk_ds, "2026-03-05", followup_days_red=1).set_index(
        "company_id").loc["C1", "followup"] == "overdue"  # visit 03-04 after the 03-02 deadline


@pytest.mark.parametrize("as_of", ["2026-03-02", "2026-03-05", "2026-03-16", "2026-04-30"])
def test_overdue_is_the_risk_without_followup_gap(risk_ds, as_of):
    view = risk_view(risk_ds, as_of)
    overdue = set(view.loc[view["followup"] == "overdue", "company_id"])
    assert overdue == set(run_gap(risk_ds, "risk_without_followup", as_of)["id"])


def test_distribution_by_grid_and_building(risk_ds):
    view = risk_view(risk_ds, "2026-03-10")
    by_grid = risk_distribution(view)
    titles = [level_title(level) for level in range(1, 6)]
    assert list(by_grid.columns) == ["grid_id", "grid_name", *titles, "total"]
    assert by_grid[["grid_id", *titles, "total"]].values.tolist() == [
        ["G1", 0, 1, 0, 0, 0, 1], ["G2", 0, 0, 0, 2, 2, 4], ["G3", 1, 0, 1, 0, 0, 2]]
    by_building = risk_distribution(view, by="building")
    assert by_building["building_id"].tolist() == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert by_building.set_index("building_id").loc["B5", "total"] == 2
    with pytest.raises(ValueError, match="grid"):
        risk_distribution(view, by="street")
    with pytest.raises(ValueError, match="with_area"):
        risk_distribution(view, by="area")


def test_distribution_by_area_follows_the_micro_grids(risk_ds):
    view = with_area(risk_ds, risk_view(risk_ds, "2026-03-10"))
    assert list(view.columns) == [*VIEW_COLUMNS[:6], "area_id", "area_name", *VIEW_COLUMNS[6:]]
    areas = dict(zip(view["company_id"], view["area_id"], strict=True))
    assert areas["C11"] == "A1" and all(pd.isna(areas[c]) for c in ("C1", "C5", "C8"))
    by_area = risk_distribution(view, by="area").set_index("area_id")
    assert by_area.loc["A1", "area_name"] == "一号居民区" and by_area.loc["A1", "total"] == 1
    assert by_area.loc["", "total"] == 6  # companies of business grids have no area


# ---------------------------------------------------------------------------
# suggested levels
# ---------------------------------------------------------------------------


def test_scoring_rule():
    assert [level_for_score(s) for s in (0, 1, 2, 3, 4, 5, 6, 10)] == [1, 2, 3, 3, 4, 4, 5, 5]
    assert score_indicators(-1, False, 0, None, None)[0] == 3
    assert score_indicators(0, False, 0, None, None)[0] == 2
    assert score_indicators(90, False, 0, None, None)[0] == 2
    assert score_indicators(91, False, 0, None, None) == (0, [])
    assert score_indicators(None, True, 0, None, None)[0] == 3
    assert score_indicators(None, False, 1, 30, None)[0] == 1  # 30 days is not older than 30
    assert score_indicators(None, False, 5, 31, None)[0] == 3  # demands capped at 2
    assert score_indicators(None, False, 0, None, 9)[0] == 1
    assert score_indicators(None, False, 0, None, 10)[0] == 0


def test_suggestions_with_reasons(risk_ds):
    found = suggested_risk(risk_ds, "2026-03-10")
    assert list(found.columns) == SUGGESTED_COLUMNS
    assert found["company_id"].tolist() == ["C6", "C10", "C7", "C9"]
    rows = found.set_index("company_id")
    assert rows.loc["C6", "score"] == 9 and rows.loc["C6", "suggested_level"] == 5
    assert (rows.loc["C6", "label_zh"], rows.loc["C6", "colour_en"]) == ("不稳定", "red")
    assert rows.loc["C6", "reasons"] == [
        "租约30天后到期 / lease expires in 30 days",
        "有迁出意向 / intends to relocate",
        "3项诉求未解决 / 3 unresolved demands",  # D6a, D6b, and D6d resolved only later
        "最早诉求已40天 / oldest demand 40 days old",
        "小微企业（5人） / small company (5 staff)",
    ]
    assert rows.loc["C10", "reasons"] == ["租约已到期1天 / lease expired 1 day ago"]
    assert (rows.loc["C10", "score"], rows.loc["C10", "colour_en"]) == (3, "yellow")
    assert rows.loc["C7", "reasons"] == ["租约90天后到期 / lease expires in 90 days"]
    assert (rows.loc["C9", "score"], rows.loc["C9", "suggested_level"]) == (0, 1)
    assert rows.loc["C9", "reasons"] == []
    assert (rows.loc["C9", "building_id"], rows.loc["C9", "grid_id"]) == ("B5", "G3")
    assert set(found["kind"]) == {"suggested"}


def test_assessed_companies_are_not_suggested(risk_ds):
    for as_of in ("2026-03-10", "2026-12-01"):
        suggested = set(suggested_risk(risk_ds, as_of)["company_id"])
        assessed = set(risk_view(risk_ds, as_of)["company_id"])
        assert suggested.isdisjoint(assessed)
        assert suggested | assessed == {f"C{i}" for i in range(1, 12)}
    assert "C7" not in set(suggested_risk(risk_ds, "2026-12-01")["company_id"])


# ---------------------------------------------------------------------------
# Registry and the shipped dataset
# ---------------------------------------------------------------------------


def test_registered_risk_queries(risk_ds):
    assert [q.name for q in all_queries("risk")] == ["risk_view", "risk_suggested"]
    query = get_query("risk_view")
    params = resolve_params(query.params, followup_days_orange=30)
    view = query.embedded(risk_ds, pd.Timestamp("2026-03-16"), **params)
    assert view.set_index("company_id").loc["C3", "followup"] == "done"
    assert view.set_index("company_id").loc["C3", "deadline"] == pd.Timestamp("2026-03-31")
    found = get_query("risk_suggested").embedded(risk_ds, pd.Timestamp("2026-03-10"))
    assert found["company_id"].tolist() == ["C6", "C10", "C7", "C9"]


shipped = pytest.mark.skipif(not settings.default_dataset_path().exists(),
                             reason="shipped dataset not generated yet")


@shipped
def test_shipped_risk_view_agrees_with_the_gap():
    ds = load_dataset()
    for as_of in ("2025-12-31", "2026-11-29"):
        view = risk_view(ds, as_of)
        assert view["company_id"].is_unique
        overdue = set(view.loc[view["followup"] == "overdue", "company_id"])
        assert overdue == set(run_gap(ds, "risk_without_followup", as_of)["id"])
        suggested = suggested_risk(ds, as_of)
        assert set(suggested["company_id"]).isdisjoint(view["company_id"])
        assert len(suggested) + len(view) == len(ds["companies"])
        assert risk_distribution(view)["total"].sum() == len(view)


def test_empty_records_and_no_companies(make_dataset):
    ds = load_dataset(make_dataset(companies=[], visits=[], demands=[], risk_assessments=[]))
    view = risk_view(ds, "2026-03-10")
    assert view.empty and list(view.columns) == VIEW_COLUMNS
    assert risk_distribution(view).empty
    found = suggested_risk(ds, "2026-03-10")
    assert found.empty and list(found.columns) == SUGGESTED_COLUMNS


def test_high_risk_without_any_visit_or_demand(make_dataset):
    ds = load_dataset(make_dataset(visits=[], demands=[]))  # C2 orange on 2026-02-01
    assert _states(ds, "2026-02-15") == {"C2": "pending"}
    assert _states(ds, "2026-02-16") == {"C2": "overdue"}
    assert suggested_risk(ds, "2026-02-16")["company_id"].tolist() == ["C1"]
