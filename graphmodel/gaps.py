"""The eleven coverage gaps (docs/gaps.md), embedded implementations.

Each gap is a plain function ``f(dataset, as_of, **params) -> DataFrame`` with
columns ``id`` and ``detail``, registered in the query library; :func:`gaps`
runs any of them and returns the documented output (``gap``, ``id``, ``name``,
``detail``, plus the finding's grid and residential area for grouping).

Implementation notes: every gap is a handful of hash joins over the tables
(pandas), so a gap costs O(V + E) whatever the dataset size; nothing scans the
graph once per entity. The place hierarchy is a tree at most four levels deep
(street > area > grid > building > company), so *within* and *containers* are
resolved from one table of (place, container) pairs (:attr:`Dataset.within`)
with at most three rows per company.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel._frames import column_map
from graphmodel.dataset import Dataset
from graphmodel.queries import (
    REGISTRY,
    as_of_timestamp,
    get_query,
    register,
    resolve_params,
)

GAP_COLUMNS = ["gap", "id", "name", "grid_id", "grid_name", "area_id", "area_name", "detail"]
STATION_KINDS = ("service_station", "service_center")


# ---------------------------------------------------------------------------
# Shared lookups
# ---------------------------------------------------------------------------


def building_of(ds: Dataset) -> pd.Series:
    """Map of place id -> building id, for buildings (themselves) and companies."""
    return ds.place_building


def grid_of(ds: Dataset) -> pd.Series:
    """Map of place id -> grid id, for grids (themselves), buildings and companies."""
    return ds.place_grid


def area_of(ds: Dataset) -> pd.Series:
    """Map of place id -> residential area id (areas, residential grids and what they hold)."""
    return ds.place_area


def active_links(ds: Dataset, as_of: pd.Timestamp, types: Iterable[str]) -> pd.DataFrame:
    """Rows of ``links`` of the given types that are active on ``as_of``."""
    links = ds["links"]
    active = ((links["since"].isna() | (links["since"] <= as_of))
              & (links["until"].isna() | (links["until"] >= as_of)))
    return links[active & links["type"].isin(list(types))]


def done_visits(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """Visits that happened on or before ``as_of``: planned visits are never visits."""
    visits = ds["visits"]
    return visits[(visits["status"] == "done") & (visits["date"] <= as_of)]


def recent_visit_targets(ds: Dataset, as_of: pd.Timestamp, window_days: int) -> set[str]:
    """Ids of buildings and companies with a visit in ``(as_of - window, as_of]``."""
    return set(_recent_visits(ds, as_of, window_days)["target_id"])


def _recent_visits(ds: Dataset, as_of: pd.Timestamp, window_days: int) -> pd.DataFrame:
    visits = done_visits(ds, as_of)
    return visits[visits["date"] > as_of - pd.Timedelta(days=window_days)]


def covered_places(ds: Dataset, as_of: pd.Timestamp, org_ids: Iterable[str]) -> set[str]:
    """Places that some organisation of ``org_ids`` *covers* on ``as_of``: an active COVERS
    link to the place or to one of its containers (a link to a street covers nothing)."""
    targets = _covers_targets(ds, as_of, org_ids)
    within = ds.within
    return set(within.loc[within["container"].isin(targets), "place"])


def places_covered_within(ds: Dataset, as_of: pd.Timestamp, org_ids: Iterable[str]) -> set[str]:
    """Places p such that an organisation of ``org_ids`` has an active COVERS link to p or to
    anything within p (never above p)."""
    targets = _covers_targets(ds, as_of, org_ids)
    within = ds.within
    return set(within.loc[within["place"].isin(targets), "container"])


def places_with_located(ds: Dataset, orgs: pd.DataFrame) -> set[str]:
    """Places p such that an organisation of ``orgs`` is *located within* p (its
    ``located_in`` is p or anything p contains)."""
    within = ds.within
    return set(within.loc[within["place"].isin(set(orgs["located_in"].dropna())), "container"])


def _covers_targets(ds: Dataset, as_of: pd.Timestamp, org_ids: Iterable[str]) -> set[str]:
    covers = active_links(ds, as_of, ["COVERS"])
    return set(covers.loc[covers["source_id"].isin(set(org_ids)), "target_id"])


def assigned_places(ds: Dataset, as_of: pd.Timestamp) -> set[str]:
    """Places some person has an active ``ASSIGNED_TO`` link to (the place itself only)."""
    assigned = active_links(ds, as_of, ["ASSIGNED_TO"])
    return set(assigned.loc[assigned["source_id"].isin(set(ds["people"]["id"])), "target_id"])


def minority_residents(ds: Dataset) -> pd.Series:
    """Minority residents per area id (sum of non-Han population rows)."""
    population = ds["population"]
    minority = population[~population["ethnic_group"].map(schema.is_han).astype(bool)]
    return minority.groupby("area_id")["residents"].sum().astype("int64")


def houses_companies(ds: Dataset) -> pd.Series:
    """Number of companies per building id (0 for empty buildings)."""
    counts = ds["companies"]["building_id"].value_counts()
    return ds["buildings"]["id"].map(counts).fillna(0).astype("int64").set_axis(
        ds["buildings"]["id"].values)


def _result(ids: Iterable[str], details: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    ids = sorted(set(ids))
    details = details or {}
    return pd.DataFrame({"id": ids, "detail": [details.get(i, {}) for i in ids]},
                        columns=["id", "detail"])


# ---------------------------------------------------------------------------
# The eleven gaps
# ---------------------------------------------------------------------------


@register("grid_without_party_org", "gaps", "网格无党组织", "Grid without party organisation",
          "No organisation of sector party is located within the grid, none covers the grid, "
          "and none has an active COVERS link to anything within the grid.",
          description_zh="网格内没有任何党建领域组织，没有党建组织覆盖该网格（含覆盖其所属居民区），"
                         "也没有党建组织对网格内任何地点建立有效的服务覆盖关系。")
def grid_without_party_org(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    orgs = ds["organizations"]
    party = orgs[orgs["sector"] == "party"]
    served = (places_with_located(ds, party) | covered_places(ds, as_of, party["id"])
              | places_covered_within(ds, as_of, party["id"]))
    kinds = column_map(ds["grids"], "id", "kind")
    missing = [g for g in ds["grids"]["id"] if g not in served]
    return _result(missing, {g: {"grid_kind": kinds[g], "reason": "no party organisation located "
                                 "in or covering the grid"} for g in missing})


@register("area_without_liaison_group", "gaps", "居民区有少数民族居民但无联络组",
          "Residential area with minority residents but no liaison group",
          "The area has minority residents > 0, no organisation of kind liaison_group is located "
          "within the area, and none covers the area.",
          description_zh="居民区有少数民族居民，但区内没有民族工作联络组，也没有联络组覆盖该居民区。")
def area_without_liaison_group(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    minorities = minority_residents(ds)
    orgs = ds["organizations"]
    groups = orgs[orgs["kind"] == "liaison_group"]
    served = places_with_located(ds, groups) | covered_places(ds, as_of, groups["id"])
    found = {}
    for area in ds["residential_areas"]["id"]:
        count = int(minorities.get(area, 0))
        if count > 0 and area not in served:
            found[area] = {"minority_residents": count}
    return _result(found, found)


@register("building_without_service_station", "gaps", "楼宇无党群服务站",
          "Building without service station",
          "The building houses at least one company, no service_station or service_center is "
          "located within the building, and none covers the building.",
          description_zh="楼宇内有企业，但楼内没有党群服务站或服务中心，也没有服务站覆盖该楼宇"
                         "（含覆盖其网格或居民区）。")
def building_without_service_station(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    companies = houses_companies(ds)
    orgs = ds["organizations"]
    stations = orgs[orgs["kind"].isin(STATION_KINDS)]
    served = places_with_located(ds, stations) | covered_places(ds, as_of, stations["id"])
    found = {b: {"companies": int(n)} for b, n in zip(companies.index, companies.to_numpy(),
                                                     strict=True)
             if n > 0 and b not in served}
    return _result(found, found)


@register("company_unreached", "gaps", "企业未被触达", "Company unreached",
          "None of: (a) a party organisation or service station/centre has located_in equal to "
          "the company or to its building; (b) such an organisation covers the company; (c) a "
          "recent visit to the company or to its building.", params=("visit_window_days",),
          description_zh="企业既没有党组织或服务站位于企业本身或其楼宇，也没有此类组织覆盖企业"
                         "（含覆盖其楼宇、网格或居民区），近期也无人走访企业或其楼宇。")
def company_unreached(ds: Dataset, as_of: pd.Timestamp, visit_window_days: int) -> pd.DataFrame:
    orgs = ds["organizations"]
    reaching = orgs[(orgs["sector"] == "party") | orgs["kind"].isin(STATION_KINDS)]
    located = set(reaching["located_in"].dropna())
    covered = covered_places(ds, as_of, reaching["id"])
    visited = recent_visit_targets(ds, as_of, visit_window_days)
    companies = ds["companies"]
    company, building = companies["id"], companies["building_id"]
    reached = (company.isin(located) | building.isin(located) | company.isin(covered)
               | company.isin(visited) | building.isin(visited))
    found = company[~reached.to_numpy()].tolist()
    return _result(found, {c: {"visit_window_days": visit_window_days} for c in found})


@register("risk_without_followup", "gaps", "高风险企业未及时跟进",
          "High-risk company without follow-up",
          "The company's latest assessment on or before as_of is level 4 (orange) or 5 (red), its "
          "follow-up deadline has passed, and there was no visit to the company or its building "
          "and no demand of the company resolved between the assessment and the deadline.",
          params=("followup_days_orange", "followup_days_red"),
          description_zh="企业最新评估为橙色或红色，跟进期限已过，期间既无对企业或其楼宇的走访，也无企业诉求得到解决。")
def risk_without_followup(ds: Dataset, as_of: pd.Timestamp, followup_days_orange: int,
                          followup_days_red: int) -> pd.DataFrame:
    latest = latest_assessments(ds, as_of)
    high = latest[latest["level"] >= 4].copy()
    days = high["level"].map({4: followup_days_orange, 5: followup_days_red}).astype("int64")
    high["deadline"] = high["assessed_on"] + pd.to_timedelta(days, unit="D")
    high = high[high["deadline"] < as_of]
    building = column_map(ds["companies"], "id", "building_id")
    # astype(object): mapping through an empty Series yields float64, which merge rejects
    high["building_id"] = high["company_id"].map(building).astype(object)
    followed = followed_up(ds, high)
    found = high[~high["company_id"].isin(followed)]
    details = {row.company_id: {"level": int(row.level),
                                "assessed_on": row.assessed_on.date().isoformat(),
                                "deadline": row.deadline.date().isoformat()}
               for row in found.itertuples()}
    return _result(found["company_id"], details)


def latest_assessments(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each company's latest risk assessment dated on or before ``as_of``."""
    risks = ds["risk_assessments"]
    risks = risks[risks["assessed_on"] <= as_of]
    return risks.sort_values(["company_id", "assessed_on"]).drop_duplicates(
        "company_id", keep="last")


def followed_up(ds: Dataset, high: pd.DataFrame) -> set[str]:
    """Companies of ``high`` with a visit or a resolved demand inside their follow-up span."""
    spans = high[["company_id", "building_id", "assessed_on", "deadline"]]
    visits = ds["visits"]
    visits = visits.loc[visits["status"] == "done", ["target_id", "date"]]
    visits = visits[visits["target_id"].isin(set(spans["company_id"]) | set(spans["building_id"]))]
    followed: set[str] = set()
    for target in ("company_id", "building_id"):
        joined = spans.merge(visits, left_on=target, right_on="target_id")
        inside = joined[(joined["date"] >= joined["assessed_on"])
                        & (joined["date"] <= joined["deadline"])]
        followed |= set(inside["company_id"])
    demands = ds["demands"][["company_id", "resolved_on"]].dropna()
    joined = spans.merge(demands, on="company_id")
    inside = joined[(joined["resolved_on"] >= joined["assessed_on"])
                    & (joined["resolved_on"] <= joined["deadline"])]
    return followed | set(inside["company_id"])


@register("stale_demand", "gaps", "企业诉求久未解决", "Stale company demand",
          "The demand was raised on or before as_of, is not resolved on as_of, and is older than "
          "demand_max_days.", params=("demand_max_days",),
          description_zh="企业诉求在评估日尚未解决，且提出已超过规定天数。")
def stale_demand(ds: Dataset, as_of: pd.Timestamp, demand_max_days: int) -> pd.DataFrame:
    demands = ds["demands"]
    unresolved = (demands["status"] != "resolved") | (demands["resolved_on"] > as_of)
    age = (as_of - demands["raised_on"]).dt.days
    stale = demands[(demands["raised_on"] <= as_of) & unresolved & (age > demand_max_days)]
    details = {row.id: {"company_id": row.company_id, "raised_on": row.raised_on.date().isoformat(),
                        "status": row.status, "age_days": int((as_of - row.raised_on).days)}
               for row in stale.itertuples()}
    return _result(stale["id"], details)


@register("liaison_group_isolated", "gaps", "民族联络组孤立", "Isolated liaison group",
          "A liaison_group with no active PARTNERS_WITH, SUPPORTS, MENTORS or MEMBER_OF link, in "
          "either direction, with any organisation or company whose sector is not ethnic.",
          description_zh="民族工作联络组与任何非民族领域的组织或企业都没有有效的合作、资助、结对或成员关系。")
def liaison_group_isolated(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    orgs = ds["organizations"]
    groups = set(orgs.loc[orgs["kind"] == "liaison_group", "id"])
    sector = pd.concat([column_map(orgs, "id", "sector"),
                        pd.Series("business", index=ds["companies"]["id"].values, dtype=object)])
    links = active_links(ds, as_of, ["PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF"])
    connected: set[str] = set()
    for own, other in (("source_id", "target_id"), ("target_id", "source_id")):
        other_sector = links[other].map(sector)
        ok = links[own].isin(groups) & other_sector.notna() & (other_sector != "ethnic")
        connected |= set(links.loc[ok, own])
    return _result(groups - connected)


@register("liaison_group_without_leadership", "gaps", "民族联络组无党组织领导",
          "Liaison group without party leadership",
          "A liaison_group with no active LEADS link from a party organisation, and whose "
          "parent_id is blank or names an organisation whose sector is not party.",
          description_zh="民族工作联络组没有党组织的有效引领关系，其上级组织也不是党组织。")
def liaison_group_without_leadership(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    orgs = ds["organizations"]
    sector = column_map(orgs, "id", "sector")
    groups = orgs[orgs["kind"] == "liaison_group"]
    leads = active_links(ds, as_of, ["LEADS"])
    led = set(leads.loc[leads["source_id"].map(sector) == "party", "target_id"])
    parent_party = groups["parent_id"].map(sector) == "party"
    found = groups.loc[~groups["id"].isin(led) & ~parent_party.fillna(False).astype(bool), "id"]
    return _result(found)


@register("key_building_without_worker", "gaps", "重点楼宇无包干工作者",
          "Key building without assigned worker",
          "The building is a key building (key_building true, or at least "
          "key_building_min_companies companies) and no person has an active ASSIGNED_TO link "
          "to it.", params=("key_building_min_companies",),
          description_zh="重点楼宇（标记为重点或企业数达到阈值）没有包干负责的工作人员。")
def key_building_without_worker(ds: Dataset, as_of: pd.Timestamp,
                                key_building_min_companies: int) -> pd.DataFrame:
    buildings = ds["buildings"]
    companies = houses_companies(ds)
    flagged = buildings["key_building"].fillna(False).astype(bool).to_numpy()
    big = (companies >= key_building_min_companies).to_numpy()
    key = buildings.loc[flagged | big, "id"]
    staffed = assigned_places(ds, as_of)
    found = {b: {"companies": int(companies[b]), "key_building": bool(f)}
             for b, f in zip(key, buildings.loc[flagged | big, "key_building"].fillna(False),
                             strict=True) if b not in staffed}
    return _result(found, found)


@register("building_not_visited", "gaps", "楼宇久未走访", "Building not visited",
          "The building houses at least one company, and there is no recent visit to the "
          "building nor to any company in it.", params=("visit_window_days",),
          description_zh="楼宇内有企业，但近期无人走访该楼宇及其中任何企业。")
def building_not_visited(ds: Dataset, as_of: pd.Timestamp, visit_window_days: int) -> pd.DataFrame:
    recent = _recent_visits(ds, as_of, visit_window_days)
    visited_buildings = set(recent["target_id"].map(building_of(ds)).dropna())
    companies = houses_companies(ds)
    found = {b: {"companies": int(n), "visit_window_days": visit_window_days}
             for b, n in companies.items() if n > 0 and b not in visited_buildings}
    return _result(found, found)


@register("grid_without_worker", "gaps", "网格无网格员", "Grid without grid worker",
          "No person has an active ASSIGNED_TO link to the grid itself (a link to its area or "
          "to one of its buildings does not count).",
          description_zh="没有任何人员对该网格本身建立有效的包干关系（每个网格都需要自己的网格员或网格长；"
                         "包干居民区或楼宇不算）。")
def grid_without_worker(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    staffed = assigned_places(ds, as_of)
    kinds = column_map(ds["grids"], "id", "kind")
    missing = [g for g in ds["grids"]["id"] if g not in staffed]
    return _result(missing, {g: {"grid_kind": kinds[g]} for g in missing})


# ---------------------------------------------------------------------------
# Running gaps
# ---------------------------------------------------------------------------

GAP_NAMES = tuple(q.name for q in REGISTRY.values() if q.group == "gaps")
"""The eleven gap names in documented order."""


def run_gap(ds: Dataset, name: str, as_of: dt.date | str | None = None,
            **params: Any) -> pd.DataFrame:
    """Run one gap and return its findings with ``gap``, ``id``, ``name`` and ``detail``."""
    query = get_query(name)
    if query.group != "gaps":
        raise KeyError(f"{name!r} is not a gap query")
    day = as_of_timestamp(as_of)
    found = query.embedded(ds, day, **resolve_params(query.params, **params))
    return _decorate(ds, name, found)


def _decorate(ds: Dataset, name: str, found: pd.DataFrame) -> pd.DataFrame:
    found = found.copy()
    found.insert(0, "gap", name)
    found["name"] = found["id"].map(ds.names)
    places = _finding_place(ds, name, found)
    for level, place_map in (("grid", grid_of(ds)), ("area", area_of(ds))):
        ids = places.map(place_map).astype(object)
        found[f"{level}_id"] = ids
        found[f"{level}_name"] = ids.map(ds.names).astype(object)
    return found[GAP_COLUMNS]


def _finding_place(ds: Dataset, name: str, found: pd.DataFrame) -> pd.Series:
    """The place a finding is shown at: the entity itself, a demand's company, a liaison
    group's location."""
    if name == "stale_demand":
        return found["id"].map(column_map(ds["demands"], "id", "company_id"))
    if name.startswith("liaison_group"):
        return found["id"].map(column_map(ds["organizations"], "id", "located_in"))
    return found["id"]


def gaps(ds: Dataset, as_of: dt.date | str | None = None, only: Iterable[str] | str | None = None,
         **params: Any) -> pd.DataFrame:
    """Run the coverage gaps (docs/gaps.md) on a dataset.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    only : iterable of str or str, optional
        Gap names to run, as a list or a comma-separated string (default all eleven).
    **params
        Overrides of the gap parameters, e.g. ``visit_window_days=90``.

    Returns
    -------
    pandas.DataFrame
        One row per finding, sorted by ``gap`` then ``id``, with columns
        ``gap``, ``id``, ``name``, ``grid_id``, ``grid_name``, ``area_id``, ``area_name``,
        ``detail``.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> found = gaps(load_dataset(), as_of="2026-11-29")
    >>> sorted(found["gap"].unique()) == sorted(GAP_NAMES)
    True
    """
    # dict.fromkeys: a gap named twice must not yield its findings twice (one row per finding)
    if isinstance(only, str):
        only = only.split(",")
    names = list(dict.fromkeys(only)) if only is not None else list(GAP_NAMES)
    for name in names:
        if name not in GAP_NAMES:
            raise KeyError(f"unknown gap {name!r}; known: {', '.join(GAP_NAMES)}")
    resolve_params(**params)  # reject unknown names before any work
    frames = [run_gap(ds, name, as_of, **params) for name in names]
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=GAP_COLUMNS)
    return result.sort_values(["gap", "id"], kind="stable").reset_index(drop=True)


def findings_records(found: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts (the spec's machine output, one per finding)."""
    rows = found[GAP_COLUMNS].astype(object).where(found[GAP_COLUMNS].notna(), None)
    return rows.to_dict("records")


def findings_to_json(found: pd.DataFrame) -> str:
    """Findings as a JSON array, sorted by gap then id."""
    return json.dumps(findings_records(found), ensure_ascii=False, indent=2)


def findings_to_csv(found: pd.DataFrame) -> str:
    """Findings as CSV; ``detail`` is a JSON string.

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a leading tab
    or carriage return, also after spaces or full-width) is written with a ``'`` before
    it (:func:`graphmodel._safe_io.neutralise_formula`); ``gaps.json`` keeps the exact text.
    """
    from graphmodel._safe_io import frame_to_csv

    frame = found[GAP_COLUMNS].copy()
    frame["detail"] = frame["detail"].map(lambda d: json.dumps(d, ensure_ascii=False,
                                                               sort_keys=True))
    return frame_to_csv(frame)
