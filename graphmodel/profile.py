"""Everything about one entity, in one call: :func:`profile` (``graphmodel show``).

For a grid, an area, a building, a company, an organisation or a person, :func:`profile`
gathers what an analyst otherwise assembles by hand: its place chain, the organisations
located in it or covering it, the people assigned to it, its active links, its recent
visits, the latest risk levels, the open demands and its open gaps — each finding with
its one accountable organisation and worker (:mod:`graphmodel.responsibility`).

"In it" means *within* it: a grid's buildings and their companies count for the grid
(``Dataset.within``). An organisation or a person is profiled at its place: where the
organisation is located, the organisation a person belongs to.

On Neo4j the tables are read back from the server and the gaps run there, so both engines
give the same frames.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphmodel import schema
from graphmodel.dataset import Dataset
from graphmodel.gaps import active_links, done_visits, finding_places, gaps
from graphmodel.queries import as_of_timestamp, latest_assessments, parse_as_of
from graphmodel.responsibility import Owners, is_facility, place_chain, with_owners

if TYPE_CHECKING:
    from graphmodel.engine import Backend, Source
    from graphmodel.neo4j_backend import Connection

__all__ = ["PROFILE_KEYS", "RECENT_VISITS", "profile"]

PROFILE_KEYS = ("entity", "places", "organisations", "people", "links", "visits", "risk",
                "demands", "gaps")
"""The keys of :func:`profile`, in the order ``graphmodel show`` prints them."""

RECENT_VISITS = 10
"""Visits listed by :func:`profile` (the latest first)."""

_LEVEL_OF_TABLE = {"streets": "street", "residential_areas": "area", "grids": "grid",
                   "buildings": "building", "companies": "company"}
_KIND_COLUMN = {"grids": "kind", "organizations": "kind", "people": "role",
                "companies": "industry"}


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in columns})


def _row(ds: Dataset, ident: str) -> pd.Series:
    frame = ds[ds.entity_tables[ident]]
    return frame[frame["id"] == ident].iloc[0]


def _anchor(ds: Dataset, ident: str) -> str | None:
    """The place an entity is profiled at: itself for a place, else its location."""
    table = ds.entity_tables[ident]
    if table in _LEVEL_OF_TABLE:
        return ident
    row = _row(ds, ident)
    if table == "organizations":
        return _text(row["located_in"])
    if table == "people":
        org = _text(row["organization_id"])
        return _anchor(ds, org) if org and org in ds.entity_tables.index else None
    return None


def _places(ds: Dataset, anchor: str | None) -> pd.DataFrame:
    """The place chain street → area → grid → building (→ company)."""
    columns = ["level", "id", "name"]
    if not anchor:
        return _frame([], columns)
    tables = ds.entity_tables
    found = {tables[p]: p for p in place_chain(ds, anchor)}
    street = None
    for table in ("residential_areas", "grids"):
        if table in found:
            street = _text(_row(ds, found[table])["street_id"])
            break
    if tables.get(anchor) == "streets":
        street = anchor
    if street:
        found["streets"] = street
    rows = [{"level": level, "id": found[table], "name": _text(ds.names.get(found[table]))}
            for table, level in _LEVEL_OF_TABLE.items() if table in found]
    return _frame(rows, columns)


def _inside(ds: Dataset, anchor: str | None) -> set[str]:
    """Every place within ``anchor`` (itself included); a street holds everything."""
    if not anchor:
        return set()
    if ds.entity_tables.get(anchor) == "streets":
        return set(ds.within["place"]) | {anchor}
    within = ds.within
    return set(within.loc[within["container"] == anchor, "place"]) | {anchor}


def _organisations(ds: Dataset, ident: str, anchor: str | None, day: pd.Timestamp,
                   inside: set[str]) -> pd.DataFrame:
    columns = ["id", "name", "kind", "sector", "relation", "place_id", "facility"]
    orgs = ds["organizations"]
    rows: list[dict[str, Any]] = []
    chain = place_chain(ds, anchor) if anchor else []

    def add(org: pd.Series, relation: str, place: str | None) -> None:
        rows.append({"id": org["id"], "name": _text(org["name"]), "kind": org["kind"],
                     "sector": org["sector"], "relation": relation, "place_id": place,
                     "facility": is_facility(org["kind"])})

    located = orgs[orgs["located_in"].isin(inside)]
    for org in located.itertuples(index=False):
        series = pd.Series(org._asdict())
        add(series, "located_in" if org.located_in == anchor else "located_within",
            org.located_in)
    covers = active_links(ds, day, ["COVERS"])
    by_id = orgs.set_index("id", drop=False)
    for source, target in zip(covers["source_id"], covers["target_id"], strict=True):
        if target in chain and source in by_id.index:
            add(by_id.loc[source], "covers" if target == anchor else "covers_container", target)
    if ds.entity_tables.get(ident) == "organizations":
        me = by_id.loc[ident]
        if _text(me["parent_id"]) in by_id.index:
            add(by_id.loc[me["parent_id"]], "parent", _text(by_id.loc[me["parent_id"]]["located_in"]))
        for child in orgs[orgs["parent_id"] == ident].itertuples(index=False):
            add(pd.Series(child._asdict()), "child", _text(child.located_in))
    frame = _frame(rows, columns)
    frame = frame[frame["id"] != ident].drop_duplicates(["id", "relation", "place_id"])
    return frame.sort_values(["facility", "relation", "id"], kind="stable").reset_index(drop=True)


def _people(ds: Dataset, ident: str, anchor: str | None, day: pd.Timestamp) -> pd.DataFrame:
    columns = ["id", "name", "role", "place_id", "since"]
    if ds.entity_tables.get(ident) == "organizations":
        members = ds["people"][ds["people"]["organization_id"] == ident].sort_values("id")
        return _frame([{"id": p.id, "name": _text(p.name), "role": _text(p.role),
                        "place_id": None, "since": None} for p in members.itertuples()], columns)
    if not anchor:
        return _frame([], columns)
    chain = place_chain(ds, anchor)
    people = ds["people"].set_index("id", drop=False)
    links = active_links(ds, day, ["ASSIGNED_TO"])
    links = links[links["target_id"].isin(chain) & links["source_id"].isin(people.index)]
    rank = {p: i for i, p in enumerate(chain)}
    rows = [{"id": s, "name": _text(people.at[s, "name"]), "role": _text(people.at[s, "role"]),
             "place_id": t, "since": since}
            for s, t, since in zip(links["source_id"], links["target_id"], links["since"],
                                   strict=True)]
    frame = _frame(rows, columns)
    if len(frame):
        frame = frame.assign(_r=frame["place_id"].map(rank)).sort_values(
            ["_r", "id"], kind="stable").drop(columns="_r").reset_index(drop=True)
    return frame


def _links(ds: Dataset, ident: str, day: pd.Timestamp) -> pd.DataFrame:
    columns = ["type", "direction", "other_id", "other_name", "since", "until"]
    links = active_links(ds, day, schema.LINK_REL_TYPES)
    rows = []
    for row in links[(links["source_id"] == ident) | (links["target_id"] == ident)].itertuples():
        out = row.source_id == ident
        other = row.target_id if out else row.source_id
        rows.append({"type": row.type, "direction": "out" if out else "in", "other_id": other,
                     "other_name": _text(ds.names.get(other)), "since": row.since,
                     "until": row.until})
    frame = _frame(rows, columns)
    return frame.sort_values(["type", "direction", "other_id"], kind="stable").reset_index(
        drop=True)


def _visits(ds: Dataset, ident: str, inside: set[str], day: pd.Timestamp) -> pd.DataFrame:
    columns = ["date", "visitor_id", "visitor_name", "target_id", "target_name", "purpose"]
    visits = done_visits(ds, day)
    visits = visits[visits["target_id"].isin(inside | {ident}) | (visits["visitor_id"] == ident)]
    visits = visits.sort_values(["date", "target_id", "visitor_id", "purpose"],
                                ascending=[False, True, True, True],
                                kind="stable").head(RECENT_VISITS)
    names = ds.names
    rows = [{"date": v.date, "visitor_id": v.visitor_id,
             "visitor_name": _text(names.get(v.visitor_id)), "target_id": v.target_id,
             "target_name": _text(names.get(v.target_id)), "purpose": _text(v.purpose)}
            for v in visits.itertuples()]
    return _frame(rows, columns)


def _risk(ds: Dataset, inside: set[str], day: pd.Timestamp) -> pd.DataFrame:
    columns = ["company_id", "company_name", "assessed_on", "level", "label", "reason"]
    latest = latest_assessments(ds, day)
    latest = latest[latest["company_id"].isin(inside)].sort_values(
        ["level", "company_id"], ascending=[False, True], kind="stable")
    rows = []
    for r in latest.itertuples():
        level = int(r.level)
        info = schema.risk_level_info(level)
        rows.append({"company_id": r.company_id, "company_name": _text(ds.names.get(r.company_id)),
                     "assessed_on": r.assessed_on, "level": level,
                     "label": f"{info.colour_zh} {info.label_zh} {info.colour_en}",
                     "reason": _text(r.reason)})
    return _frame(rows, columns)


def _demands(ds: Dataset, inside: set[str], day: pd.Timestamp) -> pd.DataFrame:
    columns = ["id", "company_id", "company_name", "raised_on", "category", "status",
               "handled_by"]
    demands = ds["demands"]
    unresolved = (demands["status"] != "resolved") | (demands["resolved_on"] > day)
    open_ = demands[unresolved & (demands["raised_on"] <= day)
                    & demands["company_id"].isin(inside)].sort_values(["raised_on", "id"])
    rows = [{"id": d.id, "company_id": d.company_id,
             "company_name": _text(ds.names.get(d.company_id)), "raised_on": d.raised_on,
             "category": _text(d.category),
             "status": "in_progress" if d.status == "resolved" else d.status,
             "handled_by": _text(d.handled_by)} for d in open_.itertuples()]
    return _frame(rows, columns)


def _gaps(ds: Dataset, found: pd.DataFrame, ident: str, inside: set[str],
          day: pd.Timestamp) -> pd.DataFrame:
    if len(found):
        places = finding_places(ds, found)
        mine = (found["id"] == ident) | places.isin(inside).to_numpy()
        found = found[mine]
    found = with_owners(ds, found.reset_index(drop=True), day, Owners(ds, day))
    keep = [c for c in ("gap", "id", "name", "place_id", "grid_id", "grid_name", "detail",
                        "org_id", "org_name", "worker_id", "worker_name") if c in found]
    return found[keep].reset_index(drop=True)


def profile(source: Source, name_or_id: str, as_of: dt.date | str | None = None, *,
            backend: Backend = "embedded", conn: Connection | None = None,
            rules: Any = None, **params: Any) -> dict[str, pd.DataFrame]:
    """Everything about one entity on ``as_of``, as DataFrames.

    Parameters
    ----------
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: the name a dataset was loaded under.
    name_or_id : str
        An id, or the exact name of one entity (unknown text: the error suggests ids).
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    backend : {"embedded", "neo4j"}
        The engine.
    conn : Connection, optional
        Neo4j connection settings.
    rules : optional
        Rules passed on to :func:`graphmodel.gaps` when it accepts them.
    **params
        Gap parameters (``visit_window_days=90``...).

    Returns
    -------
    dict of str to pandas.DataFrame
        Keys :data:`PROFILE_KEYS`:

        - ``entity``: one row — ``id``, ``name``, ``label``, ``kind`` (grid or organisation
          kind, a person's role, a company's industry), ``sector``, ``as_of``;
        - ``places``: the place chain, ``level`` (street, area, grid, building, company),
          ``id``, ``name``;
        - ``organisations``: located in it (``located_in``), in a place within it
          (``located_within``), covering it (``covers``) or a container of it
          (``covers_container``); ``id``, ``name``, ``kind``, ``sector``, ``relation``,
          ``place_id``, ``facility`` (a facility is never responsible);
        - ``people``: active ``ASSIGNED_TO`` to it or a container, nearest first
          (``id``, ``name``, ``role``, ``place_id``, ``since``);
        - ``links``: its active links, ``type``, ``direction`` (out/in), ``other_id``,
          ``other_name``, ``since``, ``until``;
        - ``visits``: the :data:`RECENT_VISITS` latest done visits to it or a place within
          it, or by it;
        - ``risk``: each company within it at its latest level (highest first);
        - ``demands``: demands of companies within it still open on ``as_of``;
        - ``gaps``: the findings about it or a place within it, each with ``org_id``,
          ``org_name``, ``worker_id``, ``worker_name`` (:mod:`graphmodel.responsibility`).

    Raises
    ------
    ValueError
        When ``name_or_id`` names no entity, or several.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> about = profile(load_dataset(), "高和大厦", "2026-11-29")
    >>> about["entity"].loc[0, ["id", "label"]].tolist()
    ['B-GAOHE', 'Building']
    >>> about["places"]["level"].tolist()
    ['street', 'grid', 'building']
    """
    from graphmodel.engine import dataset_of, resolve_entity

    day = as_of_timestamp(parse_as_of(as_of))
    extra = {"rules": rules} if rules is not None and "rules" in inspect.signature(
        gaps).parameters else {}
    found = gaps(source, parse_as_of(as_of), backend=backend, conn=conn, **extra, **params)
    if backend == "neo4j":
        from graphmodel.report.source import read_dataset

        ds = read_dataset(source.name if isinstance(source, Dataset) else str(source), conn)
    else:
        ds = dataset_of(source)
    ident = resolve_entity(ds, name_or_id)
    table = ds.entity_tables[ident]
    row = _row(ds, ident)
    anchor = _anchor(ds, ident)
    inside = _inside(ds, anchor) if table in _LEVEL_OF_TABLE else set()
    entity = _frame([{"id": ident, "name": _text(ds.names.get(ident)),
                      "label": schema.LABEL_OF_TABLE.get(table, table),
                      "kind": _text(row.get(_KIND_COLUMN.get(table, ""), None)),
                      "sector": _text(row.get("sector", None)),
                      "as_of": day.date().isoformat()}],
                    ["id", "name", "label", "kind", "sector", "as_of"])
    return {
        "entity": entity,
        "places": _places(ds, anchor),
        "organisations": _organisations(ds, ident, anchor if table in _LEVEL_OF_TABLE else None,
                                        day, inside),
        "people": _people(ds, ident, anchor if table in _LEVEL_OF_TABLE else None, day),
        "links": _links(ds, ident, day),
        "visits": _visits(ds, ident, inside, day),
        "risk": _risk(ds, inside, day),
        "demands": _demands(ds, inside, day),
        "gaps": _gaps(ds, found, ident, inside, day),
    }
