"""Who is responsible for a place: a domain query the report runs on any dataset.

The report names **one owner** per finding and per grid: the accountable organisation and
the worker of :mod:`graphmodel.responsibility` (``gm.responsible``; facilities never).
:func:`owners_per_grid` is the table the report shows per grid and writes as
``responsibility.csv`` (ids and names). The older lookups below list every related
organisation and worker (display text); they stay for notebooks that used them.

:func:`responsibility` builds the lookups of :class:`Responsibility` from a dataset (the
files, or the tables read back from Neo4j by :func:`graphmodel.report.source.read_dataset`);
:func:`with_responsibility` adds the responsible organisations and assigned workers to
findings; :func:`responsibility_per_grid` is the table the report shows per grid (and
writes as ``responsibility.csv``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphmodel.dataset import Dataset
from graphmodel.gaps import active_links, finding_places
from graphmodel.plot import natural_key
from graphmodel.queries import as_of_timestamp
from graphmodel.schema import STATION_KINDS

__all__ = [
    "CONTAINER_DEPTH",
    "OWNER_COLUMNS",
    "RESPONSIBILITY_COLUMNS",
    "Responsibility",
    "finding_places",
    "ids_of",
    "join_names",
    "owners_per_grid",
    "responsibility",
    "responsibility_per_grid",
    "with_responsibility",
]


@dataclass
class Responsibility:
    """Lookups to name the organisations and workers responsible for a place.

    ``containers`` maps a place to the places that contain it (its building,
    grid and residential area; never the street), most specific first;
    ``covers`` a place to the organisations with an active COVERS link to it;
    ``within`` a place to the organisations located within it (in it or in
    anything it contains); ``assigned`` a place to the people with an active
    ASSIGNED_TO link to it.
    """

    containers: dict[str, list[str]]
    covers: dict[str, list[str]]
    within: dict[str, list[str]]
    assigned: dict[str, list[str]]
    parent: dict[str, str]
    org_names: dict[str, str]
    people: dict[str, str]

    def chain(self, place: str | None, grid: str | None = None,
              area: str | None = None) -> list[str]:
        """``place`` and its containers (building, grid, area), then ``grid`` and ``area``
        when given; most specific first."""
        steps: list[str] = []
        if place:
            steps.append(place)
            steps += [c for c in self.containers.get(place, []) if c not in steps]
        for extra in (grid, area):
            if extra and extra not in steps:
                steps.append(extra)
        return steps

    def organisations(self, place: str | None, grid: str | None, exclude: str | None = None,
                      area: str | None = None) -> list[str]:
        """Ids of organisations covering ``place`` or a container of it, then those located
        within the place or a container of it (its building, grid, area); most specific
        first."""
        chain = self.chain(place, grid, area)
        ids: list[str] = []
        for p in chain:
            ids += self.covers.get(p, [])
        if chain:
            ids += self.within.get(chain[0], [])
        if exclude in self.parent:
            ids.append(self.parent[exclude])
        for p in chain[1:]:
            ids += self.within.get(p, [])
        return [i for i in dict.fromkeys(ids) if i != exclude]

    def workers(self, place: str | None, grid: str | None, area: str | None = None) -> list[str]:
        """Ids of people with an active ASSIGNED_TO link to ``place`` or what contains it."""
        ids: list[str] = []
        for p in self.chain(place, grid, area):
            ids += self.assigned.get(p, [])
        return list(dict.fromkeys(ids))


CONTAINER_DEPTH = {"companies": 0, "buildings": 1, "grids": 2, "residential_areas": 3}
"""Order of containers, most specific first."""


def responsibility(ds: Dataset, as_of: dt.date | str | None) -> Responsibility:
    """Build the lookups of :class:`Responsibility` for ``as_of``.

    Follows the place hierarchy of the data contract (docs/data_contract.md):
    a residential area contains its micro-grids, a grid its buildings, a
    building its companies. Organisations: an active ``COVERS`` link to the
    place or one of its containers (building, grid, residential area; a link
    to the street covers nothing); located within the place; located within
    its building, grid or area (service stations and party organisations
    first). People: an active ``ASSIGNED_TO`` link to the place or one of its
    containers; only their name and public role are ever shown.
    """

    day = as_of_timestamp(as_of)
    depth = ds.entity_tables.map(CONTAINER_DEPTH)
    pairs = ds.containers.assign(depth=ds.containers["container"].map(depth).fillna(9))
    pairs = pairs.sort_values(["place", "depth"], kind="stable")
    containers: dict[str, list[str]] = {}
    for place, container in zip(pairs["place"], pairs["container"], strict=True):
        containers.setdefault(place, []).append(container)
    orgs = ds["organizations"]
    rank = {o: (0 if k in STATION_KINDS else 1 if s == "party" else 2, natural_key(o))
            for o, k, s in zip(orgs["id"], orgs["kind"], orgs["sector"], strict=True)}
    covers: dict[str, list[str]] = {}
    links = active_links(ds, day, ["COVERS"])
    for source, target in zip(links["source_id"], links["target_id"], strict=True):
        if source in rank:
            covers.setdefault(target, []).append(source)
    within: dict[str, list[str]] = {}
    for org, where in zip(orgs["id"], orgs["located_in"], strict=True):
        if not isinstance(where, str):
            continue
        for place in (where, *containers.get(where, [])):
            within.setdefault(place, []).append(org)
    for table in (covers, within):
        for key in table:
            table[key] = sorted(dict.fromkeys(table[key]), key=lambda o: rank[o])
    assigned: dict[str, list[str]] = {}
    people = ds["people"]
    person_ids = set(people["id"])
    links = active_links(ds, day, ["ASSIGNED_TO"])
    for source, target in zip(links["source_id"], links["target_id"], strict=True):
        if source in person_ids:
            assigned.setdefault(target, []).append(source)
    parent = {o: p for o, p in zip(orgs["id"], orgs["parent_id"], strict=True)
              if isinstance(p, str)}
    return Responsibility(
        containers=containers, covers=covers, within=within, assigned=assigned,
        parent=parent, org_names=dict(zip(orgs["id"], orgs["name"].astype(str), strict=True)),
        people={p: f"{n}（{r}）" for p, n, r in zip(people["id"], people["name"],
                                                    people["role"], strict=True)})


def ids_of(found: pd.DataFrame, column: str) -> list[str | None]:
    if column not in found.columns:
        return [None] * len(found)
    return [v if isinstance(v, str) and v else None for v in found[column]]


def with_responsibility(ds: Dataset, found: pd.DataFrame, as_of: dt.date | str | None,
                        limit: int = 3, lookups: Responsibility | None = None) -> pd.DataFrame:
    """Findings with ``place_id``, ``orgs`` and ``workers`` (display strings) added."""
    lookups = lookups or responsibility(ds, as_of)
    places = finding_places(ds, found)
    org_text, worker_text = [], []
    for ident, place, grid, area in zip(found["id"], places, ids_of(found, "grid_id"),
                                        ids_of(found, "area_id"), strict=True):
        orgs = [lookups.org_names[o]
                for o in lookups.organisations(place, grid, exclude=ident, area=area)]
        org_text.append(join_names(orgs, limit))
        people = [lookups.people[p] for p in lookups.workers(place, grid, area)]
        worker_text.append(join_names(people, limit))
    result = found.copy()
    result["place_id"] = places
    result["orgs"] = org_text
    result["workers"] = worker_text
    return result


def join_names(items: Sequence[str], limit: int) -> str:
    if not items:
        return ""
    shown = "、".join(items[:limit])
    return shown + (f" 等{len(items)}个 ({len(items)} in all)" if len(items) > limit else "")




RESPONSIBILITY_COLUMNS = ["area_id", "area_name", "grid_id", "grid_name", "grid_kind",
                          "findings", "orgs", "workers"]
"""Columns of :func:`responsibility_per_grid` (``responsibility.csv``)."""


def responsibility_per_grid(ds: Dataset, found: pd.DataFrame, lookups: Responsibility,
                            limit: int = 4) -> pd.DataFrame:
    """Who answers for each grid: its findings, responsible organisations and workers.

    One row per grid of the dataset, residential grids grouped by their area, then the
    business grids (natural order of ids); ``orgs`` and ``workers`` as the report shows
    them (at most ``limit`` names, then how many in all).

    Parameters
    ----------
    ds : Dataset
        The dataset (files, or tables read back from Neo4j).
    found : pandas.DataFrame
        The findings (``grid_id`` column).
    lookups : Responsibility
        From :func:`responsibility`.
    limit : int
        Names listed per cell.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESPONSIBILITY_COLUMNS`.
    """
    def owners(grid: str, area: str | None) -> dict[str, object]:
        orgs = [lookups.org_names[o] for o in lookups.organisations(grid, None, area=area)]
        people = [lookups.people[p] for p in lookups.workers(grid, None, area)]
        return {"orgs": join_names(orgs, limit), "workers": join_names(people, limit)}

    return _in_grid_order(_rows_per_grid(ds, found, RESPONSIBILITY_COLUMNS, owners))


def _rows_per_grid(ds: Dataset, found: pd.DataFrame, columns: list[str],
                   owners: Any) -> pd.DataFrame:
    """One row per grid: its area, names, kind and findings, plus ``owners(grid, area)``."""
    grids = ds["grids"]
    names = ds.names
    per_grid = found["grid_id"].value_counts() if len(found) else pd.Series(dtype=int)
    rows = []
    for grid, kind, area in zip(grids["id"], grids["kind"], grids["area_id"], strict=True):
        area = area if isinstance(area, str) else None
        rows.append({"area_id": area, "area_name": names.get(area) if area else None,
                     "grid_id": grid, "grid_name": names.get(grid), "grid_kind": kind,
                     "findings": int(per_grid.get(grid, 0)), **owners(grid, area)})
    return pd.DataFrame(rows, columns=columns)


def _in_grid_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Residential grids grouped by area, then the business grids; natural order of ids."""
    order = sorted(range(len(frame)), key=lambda i: (
        not isinstance(frame["area_id"].iat[i], str),
        natural_key(frame["area_id"].iat[i] or ""), natural_key(frame["grid_id"].iat[i])))
    return frame.iloc[order].reset_index(drop=True).astype({"findings": "int64"})


OWNER_COLUMNS = ["area_id", "area_name", "grid_id", "grid_name", "grid_kind", "findings",
                 "org_id", "org_name", "worker_id", "worker_name"]
"""Columns of :func:`owners_per_grid` (``responsibility.csv``)."""


def owners_per_grid(ds: Dataset, found: pd.DataFrame, lookups: Any) -> pd.DataFrame:
    """One owner per grid: its findings, accountable organisation and worker (ids, names).

    The rule of :mod:`graphmodel.responsibility` applied to the grid itself (the grid, then
    its residential area): facilities are never named. One row per grid, residential
    grids by area, then the business grids (natural order of ids).

    Parameters
    ----------
    ds : Dataset
        The dataset (files, or tables read back from Neo4j).
    found : pandas.DataFrame
        The findings (``grid_id`` column).
    lookups : graphmodel.responsibility.Owners
        The rule's lookups for the report's day.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OWNER_COLUMNS`; missing ids and names where the rule names nobody.
    """
    from graphmodel.responsibility import place_chain

    def owner(grid: str, area: str | None) -> dict[str, object]:
        chain = place_chain(ds, grid, None, area)
        org, worker = lookups.organisation(chain), lookups.worker(chain)
        return {"org_id": org, "org_name": lookups.org_names.get(org) if org else None,
                "worker_id": worker,
                "worker_name": lookups.people.get(worker) if worker else None}

    return _in_grid_order(_rows_per_grid(ds, found, OWNER_COLUMNS, owner).astype(object))
