"""Who owns a finding: one accountable organisation and one worker, by a documented rule.

Every finding of :func:`graphmodel.gaps` is about a *place* (:func:`graphmodel.finding_places`:
a grid, an area, a building, a company, a demand's company, a liaison group's location).
:func:`responsible` names, for each finding:

- **the accountable organisation**: walking up the place's chain — the place itself, then its
  building, its grid, its residential area (never the street) — the first step that has an
  *accountable* organisation (:data:`ACCOUNTABLE_KINDS`: a party organisation or a party-mass
  service station or centre) wins. At one step, an organisation with an active ``COVERS``
  link to it comes first, then one located in it, then one located in a place it contains;
  ties go to service stations and centres, then the party committee, general branches and
  branches, then the smallest id. A finding never owns itself.
- **the worker**: the person with an active ``ASSIGNED_TO`` link to the place, else to its
  nearest container (same walk); ties go to the earliest ``since``, then the smallest id.

Facilities (:data:`FACILITY_KINDS`) are never responsible: they are organisation kinds of
the contract that are not organisations — venues, self-service machines, rooms, reading
corners, media channels.

Where nothing in the chain qualifies, the columns are empty (missing), never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphmodel.dataset import Dataset
from graphmodel.gaps import active_links, finding_places
from graphmodel.queries import as_of_timestamp
from graphmodel.schema import ORGANIZATION_KINDS, STATION_KINDS

if TYPE_CHECKING:
    from graphmodel.engine import Backend, Source
    from graphmodel.neo4j_backend import Connection

__all__ = [
    "ACCOUNTABLE_KINDS",
    "BY_COLUMNS",
    "FACILITY_KINDS",
    "GROUPINGS",
    "PARTY_KINDS",
    "RESPONSIBLE_COLUMNS",
    "Owners",
    "findings_by",
    "is_facility",
    "owners",
    "place_chain",
    "responsible",
    "with_owners",
]

FACILITY_KINDS = ("public_venue", "media_channel")
"""Organisation kinds of the contract (``organizations.kind``) that are *facilities*, not
organisations: ``public_venue`` (a park, an activity centre, a 24-hour tax machine, a
一网通办 machine, a 减压室, a reading corner) and ``media_channel`` (a WeChat account).
A facility is never responsible for anything."""

PARTY_KINDS = ("party_committee", "party_general_branch", "party_branch")
"""Party organisation kinds (党工委, 党总支, 党支部)."""

ACCOUNTABLE_KINDS = (*STATION_KINDS, *PARTY_KINDS)
"""Organisation kinds that can be accountable for a finding: service stations and centres
(党群服务站, 服务中心) and party organisations. Disjoint from :data:`FACILITY_KINDS`."""

assert not set(ACCOUNTABLE_KINDS) & set(FACILITY_KINDS)
assert set(ACCOUNTABLE_KINDS) | set(FACILITY_KINDS) <= set(ORGANIZATION_KINDS)

RESPONSIBLE_COLUMNS = ["gap", "id", "place_id", "org_id", "org_name", "worker_id",
                       "worker_name"]
"""Columns of :func:`responsible`."""

_CONTAINER_ORDER = {"buildings": 1, "grids": 2, "residential_areas": 3}


def is_facility(kind: object) -> bool:
    """True when an organisation of this ``kind`` is a facility (:data:`FACILITY_KINDS`).

    Examples
    --------
    >>> is_facility("public_venue"), is_facility("party_branch")
    (True, False)
    """
    return kind in FACILITY_KINDS


def _id_key(text: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.split(r"(\d+)", str(text)) if p)


def place_chain(ds: Dataset, place: str | None, grid: str | None = None,
                area: str | None = None) -> list[str]:
    """``place``, then its building, grid and residential area (never the street); the
    finding's own ``grid`` and ``area`` are appended when the place does not reach them.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> place_chain(load_dataset(), "B-GAOHE")
    ['B-GAOHE', 'G-B03']
    """
    steps: list[str] = [place] if place else []
    if place:
        pairs = ds.containers[ds.containers["place"] == place]
        tables = ds.entity_tables
        ordered = sorted(pairs["container"], key=lambda c: _CONTAINER_ORDER.get(
            tables.get(c, ""), 9))
        steps += [c for c in ordered if c not in steps]
    for extra in (grid, area):
        if isinstance(extra, str) and extra and extra not in steps:
            steps.append(extra)
    return steps


class Owners:
    """The lookups of the responsibility rule for one dataset and day (see the module)."""

    def __init__(self, ds: Dataset, as_of: dt.date | str | pd.Timestamp | None) -> None:
        day = as_of if isinstance(as_of, pd.Timestamp) else as_of_timestamp(as_of)
        self.ds = ds
        orgs = ds["organizations"]
        accountable = orgs[orgs["kind"].isin(ACCOUNTABLE_KINDS)]
        kind_rank = {k: i for i, k in enumerate(ACCOUNTABLE_KINDS)}
        self.rank = {o: (kind_rank[k], _id_key(o))
                     for o, k in zip(accountable["id"], accountable["kind"], strict=True)}
        self.org_names = dict(zip(orgs["id"], orgs["name"].astype(str), strict=True))
        self.covers: dict[str, list[str]] = {}
        covers = active_links(ds, day, ["COVERS"])
        for source, target in zip(covers["source_id"], covers["target_id"], strict=True):
            if source in self.rank:
                self.covers.setdefault(target, []).append(source)
        self.located: dict[str, list[str]] = {}
        self.inside: dict[str, list[str]] = {}
        contained_by = ds.containers.groupby("place")["container"].agg(list).to_dict()
        for org, where in zip(accountable["id"], accountable["located_in"], strict=True):
            if isinstance(where, str):
                self.located.setdefault(where, []).append(org)
                for outer in contained_by.get(where, []):
                    self.inside.setdefault(outer, []).append(org)
        people = ds["people"]
        self.people = dict(zip(people["id"], people["name"].astype(str), strict=True))
        assigned = active_links(ds, day, ["ASSIGNED_TO"])
        assigned = assigned[assigned["source_id"].isin(self.people)]
        since = assigned["since"]
        order = sorted(range(len(assigned)), key=lambda i: (
            pd.notna(since.iat[i]), since.iat[i] if pd.notna(since.iat[i]) else 0,
            _id_key(assigned["source_id"].iat[i])))
        self.assigned: dict[str, list[str]] = {}
        for i in order:
            self.assigned.setdefault(assigned["target_id"].iat[i], []).append(
                assigned["source_id"].iat[i])

    def organisation(self, chain: list[str], exclude: str | None = None) -> str | None:
        """The accountable organisation of a place chain (None when there is none)."""
        for step in chain:
            for table in (self.covers, self.located, self.inside):
                found = sorted((o for o in table.get(step, []) if o != exclude),
                               key=self.rank.__getitem__)
                if found:
                    return found[0]
        return None

    def worker(self, chain: list[str]) -> str | None:
        """The person assigned to the nearest step of a place chain (None when nobody)."""
        for step in chain:
            if self.assigned.get(step):
                return self.assigned[step][0]
        return None


def owners(ds: Dataset, as_of: dt.date | str | pd.Timestamp | None) -> Owners:
    """The lookups of the responsibility rule on ``as_of`` (reuse them for many findings)."""
    return Owners(ds, as_of)


def with_owners(ds: Dataset, found: pd.DataFrame, as_of: dt.date | str | None,
                lookups: Owners | None = None) -> pd.DataFrame:
    """``found`` (findings) with ``place_id``, ``org_id``, ``org_name``, ``worker_id``,
    ``worker_name`` added (missing where the rule names nobody)."""
    lookups = lookups or Owners(ds, as_of)
    places = finding_places(ds, found) if len(found) else pd.Series(dtype=object)
    grids = found["grid_id"] if "grid_id" in found else pd.Series(None, index=found.index)
    areas = found["area_id"] if "area_id" in found else pd.Series(None, index=found.index)
    rows = []
    for ident, place, grid, area in zip(found["id"], places, grids, areas, strict=True):
        place = place if isinstance(place, str) and place else None
        chain = place_chain(ds, place, grid, area)
        org = lookups.organisation(chain, exclude=ident)
        worker = lookups.worker(chain)
        rows.append((place, org, lookups.org_names.get(org) if org else None,
                     worker, lookups.people.get(worker) if worker else None))
    added = pd.DataFrame(rows, index=found.index,
                         columns=["place_id", "org_id", "org_name", "worker_id", "worker_name"],
                         dtype=object)
    return pd.concat([found, added], axis=1)


def responsible(source: Source, as_of: dt.date | str | None = None, *,
                backend: Backend = "embedded", conn: Connection | None = None,
                found: pd.DataFrame | None = None, **params: Any) -> pd.DataFrame:
    """One accountable organisation and one worker for every finding (rule: module docs).

    Parameters
    ----------
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: the name a dataset was loaded under.
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    backend : {"embedded", "neo4j"}
        The engine that finds the gaps (Neo4j: the tables are read back from the server).
    conn : Connection, optional
        Neo4j connection settings.
    found : pandas.DataFrame, optional
        Findings already computed (default: every built-in gap, ``gm.gaps``).
    **params
        Gap parameters (``visit_window_days=90``...).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESPONSIBLE_COLUMNS`: ``gap``, ``id`` (the finding), ``place_id``,
        ``org_id``, ``org_name``, ``worker_id``, ``worker_name``; one row per finding, in
        the order of the findings.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> owned = responsible(load_dataset(), "2026-11-29")
    >>> list(owned.columns)
    ['gap', 'id', 'place_id', 'org_id', 'org_name', 'worker_id', 'worker_name']
    """
    from graphmodel.engine import dataset_of
    from graphmodel.gaps import gaps

    if found is None:
        found = gaps(source, as_of, backend=backend, conn=conn, **params)
    if backend == "neo4j":
        from graphmodel.report.source import read_dataset

        ds = read_dataset(source.name if isinstance(source, Dataset) else str(source), conn)
    else:
        ds = dataset_of(source)
    owned = with_owners(ds, found, as_of)
    return owned[RESPONSIBLE_COLUMNS].reset_index(drop=True)


GROUPINGS = ("grid", "area", "worker", "org")
"""What :func:`findings_by` groups findings by: their grid, their residential area, the
responsible worker or the accountable organisation (:func:`responsible`)."""

BY_COLUMNS = ["id", "name", "findings", "gaps"]
"""Columns of :func:`findings_by`."""


def findings_by(ds: Dataset, found: pd.DataFrame, by: str,
                as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Count findings per grid, area, worker or organisation: a work list.

    Parameters
    ----------
    ds : Dataset
        The dataset the findings come from.
    found : pandas.DataFrame
        Findings of :func:`graphmodel.gaps`.
    by : {"grid", "area", "worker", "org"}
        The grouping (:data:`GROUPINGS`); ``worker`` and ``org`` follow the rule of
        :func:`responsible`.
    as_of : datetime.date or str, optional
        The day the responsibility rule is read on (``worker``, ``org``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BY_COLUMNS`: ``id`` and ``name`` of the group (missing: findings
        with no grid, area, worker or organisation, listed last), ``findings`` (count) and
        ``gaps`` (a dict of gap name to count, most first); most findings first.

    Examples
    --------
    >>> from graphmodel import gaps, load_dataset
    >>> ds = load_dataset()
    >>> per_grid = findings_by(ds, gaps(ds, "2026-11-29"), "grid")
    >>> int(per_grid["findings"].sum()) == len(gaps(ds, "2026-11-29"))
    True
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; known: {', '.join(GROUPINGS)}")
    if by in ("worker", "org"):
        found = with_owners(ds, found, as_of)
    key, label = {"grid": ("grid_id", "grid_name"), "area": ("area_id", "area_name"),
                  "worker": ("worker_id", "worker_name"), "org": ("org_id", "org_name")}[by]
    keys = [k if isinstance(k, str) and k else None for k in found[key]] if len(found) else []
    names = dict(zip(keys, found[label] if len(found) else [], strict=True))
    counts: dict[str | None, dict[str, int]] = {}
    for group, gap in zip(keys, found["gap"] if len(found) else [], strict=True):
        per_gap = counts.setdefault(group, {})
        per_gap[gap] = per_gap.get(gap, 0) + 1
    rows = []
    for group, per_gap in counts.items():
        ordered = dict(sorted(per_gap.items(), key=lambda kv: (-kv[1], kv[0])))
        name = names.get(group)
        rows.append({"id": group, "name": name if isinstance(name, str) else None,
                     "findings": sum(per_gap.values()), "gaps": ordered})
    rows.sort(key=lambda r: (r["id"] is None, -r["findings"], _id_key(r["id"] or "")))
    frame = pd.DataFrame(rows, columns=BY_COLUMNS)
    return frame.astype({"id": object, "name": object, "findings": "int64", "gaps": object})
