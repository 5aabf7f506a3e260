"""Interactive network maps: offline ``map.html`` pages and notebook views (neo4j-viz).

The PNG network map is a poster; these maps can be explored: zoom, pan, search, click a
node for its properties. They are drawn with neo4j-viz, Neo4j's Python package for graph
views (it wraps NVL, the library behind Neo4j's own tools), from the same data on either
engine: the places, organisations and people of the network map query
(``queries/map/network_map.cypher``) with the links active on ``as_of``, and, in the
closer views, the companies.

What a map shows
    Nodes are coloured by label (:data:`graphmodel.schema.NODE_LABELS`), companies by the
    five-colour level of their latest assessment on ``as_of``
    (:data:`graphmodel.schema.RISK_LEVELS`); a place's size grows with the companies it
    houses. Captions are the Chinese names; clicking a node shows its key properties and
    its open gaps. An entity with an open gap (``docs/gaps.md``) has a ``⚠`` before its
    caption and a pulsing halo.

Offline pages
    :func:`write_map_html` writes a page with no external URL at all. neo4j-viz embeds
    about 4.4 MB of JavaScript and CSS in each page; with ``bundle_dir`` that code is
    written once as :data:`BUNDLE_NAME` and every page loads it with a relative
    ``<script src>`` (a classic script, which browsers run from ``file://`` too; an ES
    module would be blocked there). :func:`write_maps` writes an overview and one map per
    grid (or per street) sharing one bundle.

Notebooks
    :func:`show` returns a neo4j-viz widget of an entity's neighbourhood
    (``around=ID``), of a grid with its buildings and companies (``grid=ID``) or of a
    gap's findings in their neighbourhood (``gap=NAME``), from the embedded graph or,
    with ``backend="neo4j"``, from Cypher (:data:`MAP_CYPHER` and friends).

Examples
--------
>>> import graphmodel as gm
>>> from graphmodel.interactive import network_view
>>> view = network_view(gm.load_dataset(), as_of="2026-11-29")
>>> sorted({n.properties["类型 type"] for n in view.nodes})[:3]
['人员 Person', '居民区 ResidentialArea', '楼宇 Building']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import os
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from graphmodel import schema
from graphmodel._safe_io import visible_text
from graphmodel.errors import UsageError

if TYPE_CHECKING:
    from neo4j_viz import GraphWidget, VisualizationGraph

    from graphmodel.dataset import Dataset
    from graphmodel.neo4j_backend import Connection

__all__ = [
    "AROUND_CYPHER",
    "BUNDLE_NAME",
    "COMPANIES_CYPHER",
    "GRID_CYPHER",
    "MAP_CYPHER",
    "MAP_LABELS",
    "MAP_RELS",
    "MapData",
    "MapPage",
    "around_ids",
    "bundle_text",
    "grid_ids",
    "map_data",
    "network_view",
    "show",
    "write_map_html",
    "write_maps",
]

BUNDLE_NAME = "nvl-bundle.js"
"""File name of the shared neo4j-viz code (JavaScript and CSS) beside the maps."""

MAP_LABELS = ("Street", "ResidentialArea", "Grid", "Building", "Organization", "Person")
"""Labels of the network map (the map query's, with people); companies are added on request."""

STRUCTURE_RELS = ("PART_OF", "LOCATED_IN", "CHILD_OF", "WORKS_FOR")
MAP_RELS = (*STRUCTURE_RELS, *schema.LINK_REL_TYPES)
"""Relationship types drawn: containment, location, hierarchy, employment and every contract
link active on ``as_of`` (COVERS, ASSIGNED_TO, LEADS ...)."""

RECORD_RELS = ("RAISED", "HANDLES")
"""Also followed around an entity or a gap finding (a demand, its company and its handler)."""

OVERVIEW_MAX_NODES = 1500
"""Above this many nodes the overview keeps only streets, areas, grids and street-wide
organisations; the per-grid or per-street maps hold the rest."""

GAP_MARK = "⚠"
HALO_COLOUR = "#f4b6b0"
STRUCTURE_COLOUR = "#aab2bd"
LINK_COLOURS = {
    "LEADS": "#c2185b", "PARTNERS_WITH": "#00838f", "SUPPORTS": "#8d6e63", "MENTORS": "#7b1fa2",
    "MEMBER_OF": "#3f51b5", "SERVES": "#9e9d24", "COVERS": "#7f8c8d", "ASSIGNED_TO": "#d35400",
    "RAISED": "#f39c12", "HANDLES": "#f39c12",
}
"""Relationship colours (those of the PNG map; structural relationships are light grey)."""

BASE_SIZE = {"Street": 30, "ResidentialArea": 22, "Grid": 18, "Building": 14,
             "Organization": 13, "Person": 9, "Company": 8, "Demand": 7}

KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "Street": ("name_en", "district", "city"),
    "ResidentialArea": ("households",),
    "Grid": ("kind",),
    "Building": ("address", "floors", "key_building"),
    "Company": ("industry", "ownership", "employees", "lease_expires", "relocation_intent"),
    "Organization": ("kind", "sector"),
    "Person": ("role",),
    "Demand": ("category", "status", "raised_on", "resolved_on"),
}
"""Properties shown when a node is clicked, after its id, type and name."""

Backend = Literal["embedded", "neo4j"]


# ---------------------------------------------------------------------------
# The data of a map, from either engine
# ---------------------------------------------------------------------------


@dataclass
class MapData:
    """What a map draws, the same from both engines.

    Attributes
    ----------
    dataset : str
        Dataset name.
    as_of : datetime.date
        The date links must be active on, and assessments made by.
    nodes : pandas.DataFrame
        ``id``, ``label`` and ``props`` (a dict of the node's properties).
    rels : pandas.DataFrame
        ``source``, ``target``, ``type`` and ``props``.
    companies : pandas.DataFrame
        Every company: ``id``, ``level`` (latest risk level on ``as_of`` or None) and
        ``containers`` (the ids of the places it is in: building, grid, area, street).
    findings : pandas.DataFrame
        The open gaps on ``as_of`` (:func:`graphmodel.gaps`), with ``place``: the entity
        each finding is about (a demand's company, else the finding itself).
    title : str
        Shown on the page.
    """

    dataset: str
    as_of: dt.date
    nodes: pd.DataFrame
    rels: pd.DataFrame
    companies: pd.DataFrame
    findings: pd.DataFrame
    title: str = ""
    focus: list[str] = field(default_factory=list)


def _day(as_of: dt.date | str | None) -> dt.date:
    from graphmodel.queries import parse_as_of

    return parse_as_of(as_of)


def _active(attrs: dict[str, Any], day: dt.date) -> bool:
    since, until = attrs.get("since"), attrs.get("until")
    return (since is None or since <= day) and (until is None or until >= day)


def _labels(companies: bool, records: bool = False) -> tuple[str, ...]:
    return (*MAP_LABELS, *(("Company",) if companies else ()), *(("Demand",) if records else ()))


def _embedded_data(ds: Dataset, day: dt.date, ids: Iterable[str] | None,
                   labels: Sequence[str], types: Sequence[str]) -> MapData:
    from graphmodel.gaps import latest_assessments

    graph = ds.graph if "Demand" in labels else ds.network
    wanted = set(labels)
    chosen = [n for n in (graph.nodes if ids is None else dict.fromkeys(ids))
              if n in graph and graph.nodes[n].get("label") in wanted]
    keep = set(chosen)
    nodes = pd.DataFrame({
        "id": chosen, "label": [graph.nodes[n]["label"] for n in chosen],
        "props": [{k: v for k, v in graph.nodes[n].items() if k not in ("label", "id")}
                  for n in chosen]}, columns=["id", "label", "props"])
    kinds = set(types)
    rels = [(u, v, a["type"], {k: x for k, x in a.items() if k != "type"})
            for u, v, a in graph.subgraph(keep).edges(data=True)
            if a.get("type") in kinds and _active(a, day)]
    rel_frame = pd.DataFrame(rels, columns=["source", "target", "type", "props"])
    latest = latest_assessments(ds, pd.Timestamp(day))
    level = dict(zip(latest["company_id"], latest["level"].astype(int), strict=True))
    containers = ds.containers[ds.containers["place"].isin(ds["companies"]["id"])]
    grid_street = dict(zip(ds["grids"]["id"], ds["grids"]["street_id"], strict=True))
    inside: dict[str, list[str]] = defaultdict(list)
    for place, container in zip(containers["place"], containers["container"], strict=True):
        inside[place].append(container)
    company_grid = ds.place_grid.reindex(ds["companies"]["id"])
    for company, grid in company_grid.items():
        street = grid_street.get(grid) if isinstance(grid, str) else None
        if street is not None:
            inside[company].append(street)
    company_ids = list(ds["companies"]["id"])
    companies = pd.DataFrame({"id": company_ids,
                              "level": [level.get(c) for c in company_ids],
                              "containers": [inside.get(c, []) for c in company_ids]})
    return MapData(ds.name, day, nodes, rel_frame, companies, _findings(ds, day))


def _findings(source: Any, day: dt.date, backend: Backend = "embedded",
              conn: Connection | None = None, only: str | None = None) -> pd.DataFrame:
    from graphmodel.gaps import gaps

    found = gaps(source, day, only, backend=backend, conn=conn)
    # A demand is not drawn: mark its company. Everything else found is a node of the map.
    if backend == "embedded":
        company = dict(zip(source["demands"]["id"], source["demands"]["company_id"],
                           strict=True))
    else:
        from graphmodel import neo4j_backend

        rows = neo4j_backend.run_cypher(DEMAND_CYPHER, {"dataset": _name(source),
                                                        "ids": list(found["id"])}, conn)
        company = dict(zip(rows["id"], rows["company"], strict=True)) if len(rows) else {}
    place = found["id"].map(lambda i: company.get(i, i)).astype(object)
    return found.assign(place=place)


MAP_CYPHER = """
MATCH (n:Entity {dataset: $dataset})
WHERE n.id IS NOT NULL AND ($ids IS NULL OR n.id IN $ids)
  AND any(l IN labels(n) WHERE l IN $labels)
OPTIONAL MATCH (n)-[r]->(m:Entity {dataset: $dataset})
WHERE type(r) IN $types AND ($ids IS NULL OR m.id IN $ids)
  AND any(l IN labels(m) WHERE l IN $labels)
  AND (r.since IS NULL OR r.since <= $as_of) AND (r.until IS NULL OR r.until >= $as_of)
RETURN n.id AS id, [l IN labels(n) WHERE l IN $labels][0] AS label, properties(n) AS props,
       collect(CASE WHEN r IS NULL THEN NULL
               ELSE {target: m.id, type: type(r), props: properties(r)} END) AS rels
"""
"""The map query on Neo4j: the nodes of ``$labels`` (all, or those of ``$ids``) with their
relationships of ``$types`` active on ``$as_of`` to other such nodes (the network map query
of ``queries/map/network_map.cypher``, parameterised by labels, types and ids)."""

COMPANIES_CYPHER = """
MATCH (c:Company {dataset: $dataset})
WHERE c.id IS NOT NULL
OPTIONAL MATCH (c)-[:ASSESSED]->(x:RiskAssessment)
WHERE x.assessed_on <= $as_of
WITH c, x ORDER BY x.assessed_on DESC
WITH c, head(collect(x.level)) AS level
OPTIONAL MATCH (c)-[:PART_OF*1..4]->(p:Entity {dataset: $dataset})
RETURN c.id AS id, level, collect(p.id) AS containers
"""
"""Each company's latest risk level on ``$as_of`` and the places it is in."""

AROUND_CYPHER = """
MATCH (c:Entity {dataset: $dataset})
WHERE c.id IN $ids
MATCH p = (c)-[rs:PART_OF|LOCATED_IN|CHILD_OF|WORKS_FOR|RAISED|HANDLES|LINKS*0..RADIUS]-(n:Entity {dataset: $dataset})
WHERE all(r IN rs WHERE (r.since IS NULL OR r.since <= $as_of)
                    AND (r.until IS NULL OR r.until >= $as_of))
  AND any(l IN labels(n) WHERE l IN $labels)
  AND all(x IN nodes(p) WHERE any(l IN labels(x) WHERE l IN $labels))
RETURN collect(DISTINCT n.id) AS ids
"""
"""The ids within ``RADIUS`` steps of ``$ids`` (``RADIUS`` and ``LINKS`` are filled in from
:func:`around_cypher`: a variable-length bound cannot be a parameter)."""

GRID_CYPHER = """
MATCH (g:Grid {dataset: $dataset, id: $grid})
OPTIONAL MATCH (g)-[:PART_OF*1..2]->(up:Entity {dataset: $dataset})
WITH g, collect(DISTINCT up.id) AS ups
OPTIONAL MATCH (p:Entity {dataset: $dataset})-[:PART_OF*1..2]->(g)
WITH g, ups, collect(DISTINCT p.id) AS below
WITH ups, [g.id] + below AS places
OPTIONAL MATCH (o:Organization {dataset: $dataset})-[:LOCATED_IN]->(x:Entity {dataset: $dataset})
WHERE x.id IN places
WITH ups, places, collect(DISTINCT o.id) AS orgs
OPTIONAL MATCH (a:Entity {dataset: $dataset})-[r:ASSIGNED_TO|COVERS]->(x:Entity {dataset: $dataset})
WHERE x.id IN places AND (r.since IS NULL OR r.since <= $as_of)
  AND (r.until IS NULL OR r.until >= $as_of)
WITH ups, places, orgs, collect(DISTINCT a.id) AS actors
OPTIONAL MATCH (w:Person {dataset: $dataset})-[:WORKS_FOR]->(o:Organization {dataset: $dataset})
WHERE o.id IN orgs
WITH ups, places, orgs, actors, collect(DISTINCT w.id) AS workers
RETURN ups + places + orgs + actors + workers AS ids
"""
"""A grid's map: the grid and the places above it, its buildings and their companies, the
organisations located there, who covers or is assigned to them, and the people working for
the organisations located there."""

DEMAND_CYPHER = """
MATCH (c:Company {dataset: $dataset})-[:RAISED]->(d:Demand {dataset: $dataset})
WHERE d.id IN $ids
RETURN d.id AS id, c.id AS company
"""


def around_cypher(radius: int) -> str:
    """:data:`AROUND_CYPHER` with its bound and relationship types filled in.

    Examples
    --------
    >>> "*0..2]" in around_cypher(2)
    True
    """
    from graphmodel.queries import whole_number

    radius = whole_number("radius", radius, 0, 6)
    links = "|".join(schema.LINK_REL_TYPES)
    return AROUND_CYPHER.replace("RADIUS", str(radius)).replace("LINKS", links)


def _name(source: Any) -> str:
    return source.name if hasattr(source, "tables") else str(source)


def _plain(value: Any) -> Any:
    from graphmodel.neo4j_backend import _plain as plain

    return plain(value)


def _neo4j_data(dataset: str, day: dt.date, ids: Iterable[str] | None, labels: Sequence[str],
                types: Sequence[str], conn: Connection | None) -> MapData:
    from graphmodel import neo4j_backend

    params = {"dataset": dataset, "as_of": day, "labels": list(labels), "types": list(types),
              "ids": None if ids is None else list(dict.fromkeys(ids))}
    rows = neo4j_backend.run_cypher(MAP_CYPHER, params, conn)
    drop = {"dataset", "load_id", "id", "key"}
    nodes, rels = [], []
    for node_id, label, props, out in (rows.itertuples(index=False) if len(rows) else ()):
        nodes.append({"id": node_id, "label": label,
                      "props": {k: _plain(v) for k, v in props.items() if k not in drop}})
        for rel in out:
            rels.append({"source": node_id, "target": rel["target"], "type": rel["type"],
                         "props": {k: _plain(v) for k, v in rel["props"].items()
                                   if k not in drop}})
    if ids is not None:  # the order asked for, as the embedded engine keeps it
        order = {n: i for i, n in enumerate(dict.fromkeys(ids))}
        nodes.sort(key=lambda n: order.get(n["id"], len(order)))
    found = neo4j_backend.run_cypher(COMPANIES_CYPHER, {"dataset": dataset, "as_of": day}, conn)
    companies = pd.DataFrame({
        "id": list(found["id"]) if len(found) else [],
        "level": [None if pd.isna(v) else int(v) for v in found["level"]] if len(found) else [],
        "containers": list(found["containers"]) if len(found) else []})
    return MapData(dataset, day, pd.DataFrame(nodes, columns=["id", "label", "props"]),
                   pd.DataFrame(rels, columns=["source", "target", "type", "props"]),
                   companies, _findings(dataset, day, "neo4j", conn))


def map_data(source: Dataset | str | Path, as_of: dt.date | str | None = None,
             ids: Iterable[str] | None = None, *, companies: bool = False,
             records: bool = False, backend: Backend = "embedded",
             conn: Connection | None = None) -> MapData:
    """The nodes and relationships of a map, on either engine.

    Parameters
    ----------
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: the name it was loaded under (or a Dataset).
    as_of : datetime.date or str, optional
        Links active on this date, assessments made by it (default today).
    ids : iterable of str, optional
        Only these entities (default: every entity of the map's labels).
    companies : bool
        Draw companies too (a street holds about a thousand).
    records : bool
        Draw demands too.
    backend : {"embedded", "neo4j"}
        The engine.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    MapData
    """
    day = _day(as_of)
    labels = _labels(companies, records)
    types = (*MAP_RELS, *(RECORD_RELS if records else ()))
    if backend == "neo4j":
        return _neo4j_data(_name(source), day, ids, labels, types, conn)
    if backend != "embedded":
        raise UsageError(f"unknown backend {str(backend)[:40]!r}; known: embedded, neo4j")
    from graphmodel.engine import dataset_of

    return _embedded_data(dataset_of(source), day, ids, labels, types)


# ---------------------------------------------------------------------------
# Neighbourhoods: around an entity, a grid, a gap
# ---------------------------------------------------------------------------


def around_ids(source: Dataset | str | Path, ids: Iterable[str], radius: int = 2,
               as_of: dt.date | str | None = None, *, backend: Backend = "embedded",
               conn: Connection | None = None) -> list[str]:
    """The entities within ``radius`` steps of ``ids`` (seeds first), over the map's
    relationships active on ``as_of`` (and demands' RAISED / HANDLES), never through
    visits, assessments or population groups.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> ids = around_ids(load_dataset(), ["B-GAOHE"], radius=1, as_of="2026-11-29")
    >>> ids[0], len(ids) > 1
    ('B-GAOHE', True)
    """
    from graphmodel.queries import whole_number

    radius = whole_number("radius", radius, 0, 6)
    day = _day(as_of)
    seeds = list(dict.fromkeys(ids))
    labels = _labels(True, True)
    if backend == "neo4j":
        from graphmodel import neo4j_backend

        rows = neo4j_backend.run_cypher(around_cypher(radius), {
            "dataset": _name(source), "ids": seeds, "as_of": day, "labels": list(labels)},
            conn)
        found = set(rows["ids"].iloc[0]) if len(rows) else set()
        return [s for s in seeds if s in found] + sorted(found - set(seeds))
    from graphmodel.engine import dataset_of

    graph = dataset_of(source).graph
    kinds = {*MAP_RELS, *RECORD_RELS}
    allowed = set(labels)
    seen = {s: 0 for s in seeds if s in graph and graph.nodes[s].get("label") in allowed}
    frontier = list(seen)
    for step in range(1, radius + 1):
        nxt = []
        for node in frontier:
            edges = [(v, a) for _, v, a in graph.out_edges(node, data=True)] + \
                    [(u, a) for u, _, a in graph.in_edges(node, data=True)]
            for other, attrs in edges:
                if other in seen or attrs.get("type") not in kinds or not _active(attrs, day):
                    continue
                if graph.nodes[other].get("label") not in allowed:
                    continue
                seen[other] = step
                nxt.append(other)
        frontier = nxt
    first = [s for s in seeds if s in seen]
    return first + sorted(n for n in seen if n not in set(first))


def grid_ids(source: Dataset | str | Path, grid: str, as_of: dt.date | str | None = None, *,
             backend: Backend = "embedded", conn: Connection | None = None) -> list[str]:
    """The entities of a grid's map (:data:`GRID_CYPHER` on Neo4j), the grid first."""
    day = _day(as_of)
    if backend == "neo4j":
        from graphmodel import neo4j_backend

        rows = neo4j_backend.run_cypher(GRID_CYPHER, {"dataset": _name(source), "grid": grid,
                                                      "as_of": day}, conn)
        found = list(dict.fromkeys(rows["ids"].iloc[0])) if len(rows) else []
        return [grid, *sorted(i for i in found if i != grid)] if found else []
    from graphmodel.engine import dataset_of

    ds = dataset_of(source)
    graph = ds.network
    if grid not in graph or graph.nodes[grid].get("label") != "Grid":
        return []
    ups = [v for _, v, a in graph.out_edges(grid, data=True) if a["type"] == "PART_OF"]
    ups += [v for up in ups for _, v, a in graph.out_edges(up, data=True)
            if a["type"] == "PART_OF"]
    inside = ds.place_grid[ds.place_grid == grid].index
    places = [grid, *(p for p in inside if p != grid)]
    place_set = set(places)
    orgs = [u for p in places for u, _, a in graph.in_edges(p, data=True)
            if a["type"] == "LOCATED_IN"]
    actors = [u for p in places for u, _, a in graph.in_edges(p, data=True)
              if a["type"] in ("ASSIGNED_TO", "COVERS") and _active(a, day)]
    org_set = set(orgs)
    workers = [u for o in org_set for u, _, a in graph.in_edges(o, data=True)
               if a["type"] == "WORKS_FOR"]
    found = set(ups) | place_set | org_set | set(actors) | set(workers)
    return [grid, *sorted(found - {grid})]


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------


@cache
def _marked_node_class() -> type:
    """neo4j-viz's Node with NVL's ``activated`` flag (a pulsing halo), which the
    package's model does not declare."""
    from neo4j_viz import Node
    from pydantic import Field

    class MarkedNode(Node):
        activated: bool | None = Field(None, description="NVL: draw a pulsing halo")

    return MarkedNode


def _risk_text(level: int) -> str:
    info = schema.risk_level_info(level)
    return f"{info.colour_zh}色 {info.label_zh} / {info.colour_en} {info.label_en} ({level})"


def _column_title(label: str, name: str) -> str:
    table = schema.TABLES[schema.NODE_LABELS[label].table]
    try:
        return f"{table.column(name).description_zh} {name}"
    except KeyError:
        return name


def _shown(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return visible_text(str(value))


def _gap_notes(data: MapData) -> dict[str, list[str]]:
    """Entity id -> the open gaps it is part of (the finding itself and its place)."""
    from graphmodel.queries import get_query

    notes: dict[str, list[str]] = defaultdict(list)
    if data.findings is None or not len(data.findings):
        return notes
    for name, found_id, place in zip(data.findings["gap"], data.findings["id"],
                                     data.findings["place"], strict=True):
        query = get_query(name)
        text = f"{query.title_zh} {query.title_en}"
        notes[found_id].append(text)
        if isinstance(place, str) and place != found_id:
            notes[place].append(f"{text} ({found_id})")
    return notes


def _counts(data: MapData) -> tuple[dict[str, int], dict[str, int]]:
    """Companies housed per place, and the worst latest risk level per place."""
    housed: dict[str, int] = defaultdict(int)
    worst: dict[str, int] = {}
    for level, containers in zip(data.companies["level"], data.companies["containers"],
                                 strict=True):
        for place in containers:
            housed[place] += 1
            if level is not None and not pd.isna(level):
                worst[place] = max(worst.get(place, 0), int(level))
    return housed, worst


def network_view(source: MapData | Dataset | str | Path, as_of: dt.date | str | None = None,
                 **options: Any) -> VisualizationGraph:
    """A neo4j-viz graph of a map: coloured, sized, captioned, gaps marked.

    Parameters
    ----------
    source : MapData, Dataset, str or path
        The data of :func:`map_data`, or what :func:`map_data` takes.
    as_of : datetime.date or str, optional
        When ``source`` is not yet a :class:`MapData`.
    **options
        Passed to :func:`map_data` (``ids``, ``companies``, ``backend``...).

    Returns
    -------
    neo4j_viz.VisualizationGraph
        Nodes coloured by label (companies by risk level), sized by the companies they
        house, captioned with their Chinese names; ``properties`` hold the key properties
        and the open gaps (``缺口 gaps``) shown when a node is clicked; an entity with an
        open gap has ``⚠`` before its caption and a pulsing halo. The graph's
        ``gap_ids`` attribute lists those entities, ``title`` the page title.
    """
    from neo4j_viz import Relationship, VisualizationGraph

    data = source if isinstance(source, MapData) else map_data(source, as_of, **options)
    notes = _gap_notes(data)
    housed, worst = _counts(data)
    level_of = {c: int(v) for c, v in zip(data.companies["id"], data.companies["level"],
                                          strict=True) if v is not None and not pd.isna(v)}
    marked = _marked_node_class()
    nodes = []
    present = set(data.nodes["id"])
    for node_id, label, props in data.nodes.itertuples(index=False):
        nodes.append(_node(marked, node_id, label, props, housed.get(node_id, 0),
                           level_of.get(node_id) if label == "Company" else worst.get(node_id),
                           notes.get(node_id, [])))
    rels = []
    for i, (source_id, target, kind, props) in enumerate(data.rels.itertuples(index=False)):
        if source_id not in present or target not in present:
            continue
        title = (schema.STRUCTURAL_RELS[kind].title_zh if kind in schema.STRUCTURAL_RELS
                 else schema.LINK_TYPES[kind].title_zh if kind in schema.LINK_TYPES else kind)
        shown = {"类型 type": f"{kind} {title}"}
        shown.update({k: _shown(v) for k, v in (props or {}).items() if v is not None})
        rels.append(Relationship(id=f"r{i}", source=str(source_id), target=str(target),
                                 caption=title, color=LINK_COLOURS.get(kind, STRUCTURE_COLOUR),
                                 properties=shown))
    view = VisualizationGraph(nodes=nodes, relationships=rels)
    view.set_legend(nodes=_legend(data), visible=True)
    view.gap_ids = sorted(n for n in present if notes.get(n))  # type: ignore[attr-defined]
    view.title = data.title or f"{data.dataset} · {data.as_of.isoformat()}"  # type: ignore[attr-defined]
    return view


def _node(marked: type, node_id: str, label: str, props: dict[str, Any], housed: int,
          level: int | None, gaps: list[str]) -> Any:
    info = schema.NODE_LABELS.get(label)
    caption_field = info.caption if info else "name"
    name = props.get(caption_field) or props.get("name") or node_id
    shown: dict[str, Any] = {"编号 id": visible_text(str(node_id)),
                             "类型 type": f"{info.title_zh} {label}" if info else label,
                             "名称 name": visible_text(str(name))}
    for key in KEY_PROPERTIES.get(label, ()):
        value = props.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            shown[_column_title(label, key)] = _shown(value)
    if label != "Company" and label in BASE_SIZE and label not in ("Person", "Demand",
                                                                   "Organization"):
        shown["企业数 companies housed"] = housed
    if level is not None:
        key = "风险等级 risk level" if label == "Company" else "最高风险 worst risk"
        shown[key] = _risk_text(level)
    colour = info.colour if info else STRUCTURE_COLOUR
    if label == "Company" and level is not None:
        colour = schema.risk_level_info(level).hex
    if gaps:
        shown["缺口 gaps"] = "; ".join(gaps)
    caption = visible_text(str(name))
    size = BASE_SIZE.get(label, 10) + (2.0 * math.sqrt(housed) if housed else 0.0)
    return marked(id=str(node_id), caption=f"{GAP_MARK} {caption}" if gaps else caption,
                  color=colour, size=round(min(size, 60.0), 1), properties=shown,
                  activated=True if gaps else None)


def _legend(data: MapData) -> dict[str, str]:
    labels = list(dict.fromkeys(data.nodes["label"]))
    legend = {f"{schema.NODE_LABELS[lb].title_zh} {lb}": schema.NODE_LABELS[lb].colour
              for lb in labels if lb in schema.NODE_LABELS}
    if "Company" in labels:
        for level in schema.RISK_LEVELS:
            legend[f"企业 {level.colour_zh}·{level.label_zh} {level.colour_en}"] = level.hex
    legend[f"{GAP_MARK} 有缺口（光环）open gap (halo)"] = HALO_COLOUR
    return legend


# ---------------------------------------------------------------------------
# Offline pages
# ---------------------------------------------------------------------------


@cache
def _template() -> str:
    from importlib.resources import files

    path = files("neo4j_viz") / "resources" / "nvl_entrypoint" / "index.html"
    return path.read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    begin = text.find(start)
    stop = text.find(end, begin + len(start)) if begin >= 0 else -1
    if begin < 0 or stop < 0:
        raise RuntimeError("neo4j-viz 页面模板与预期不符 / unexpected neo4j-viz page template "
                           f"(looking for {start!r}); pin a supported neo4j-viz version")
    return text[begin + len(start):stop]


@cache
def bundle_text() -> str:
    """The neo4j-viz page code as one classic script: the CSS it injects and the
    application wrapped in a function (a module would not load from ``file://``).

    ``import.meta.url`` (used only to find optional layout workers, which have a built-in
    fallback) becomes the page address.
    """
    from importlib.metadata import version

    template = _template()
    code = _between(template, '<script type="module" crossorigin>', "</script>")
    css = _between(template, '<style rel="stylesheet" crossorigin>', "</style>")
    code = code.replace("import.meta.url", "document.baseURI")
    css_literal = json.dumps(css).replace("</", "<\\/")
    header = (f"/* neo4j-viz {version('neo4j-viz')} (GPL-3.0, https://pypi.org/project/"
              "neo4j-viz/): page code and styles, shared by graphmodel's maps */\n")
    return (header + "(function(){var s=document.createElement('style');s.textContent="
            + css_literal + ";document.head.appendChild(s);})();\n(async function(){\n"
            + code + "\n})();\n")


def _data_json(view: VisualizationGraph, height: str) -> str:
    rendered = view.render(height=height, width="100%", theme="light",
                           max_allowed_nodes=100_000, on_dangling="none").data
    data = _between(rendered, '<script type="application/json" id="neo4j-viz-data">',
                    "</script>")
    return data.replace("</", "<\\/")


_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{margin:0;font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif}}
#gm-title{{position:absolute;top:8px;left:56px;z-index:5;background:rgba(255,255,255,.85);
padding:4px 10px;border-radius:4px;font-size:14px;max-width:60%}}
#gm-title details{{font-size:13px}} #gm-title ul{{max-height:60vh;overflow:auto;margin:4px 0;
padding-left:18px}}
</style>
<script type="application/json" id="neo4j-viz-data">{data}</script>
</head>
<body>
<div id="gm-title">{heading}{nav}</div>
<div id="neo4j-viz-container" style="width:100%;height:100vh"></div>
{script}
</body>
</html>
"""


def page_html(view: VisualizationGraph, script: str, links: Sequence[tuple[str, str]] = (),
              title: str | None = None) -> str:
    """A map page: the view's data, a title, links to other maps and ``script`` (an
    inline script or a ``<script src>``)."""
    title = visible_text(title or getattr(view, "title", "") or "graphmodel")
    gaps = len(getattr(view, "gap_ids", []))
    heading = (f"<b>{html.escape(title)}</b> · {len(view.nodes)} 个节点 nodes"
               + (f" · {GAP_MARK} {gaps} 个有缺口 with open gaps" if gaps else ""))
    nav = ""
    if links:
        items = "".join(f'<li><a href="{html.escape(href, quote=True)}">'
                        f"{html.escape(visible_text(text))}</a></li>" for href, text in links)
        nav = f"<details><summary>其他地图 other maps ({len(links)})</summary><ul>{items}</ul></details>"
    return _PAGE.format(title=html.escape(title), data=_data_json(view, "100vh"),
                        heading=heading, nav=nav, script=script)


def _write_text(path: Path, text: str, force: bool) -> None:
    from graphmodel.io import write_file_atomically

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    write_file_atomically(path, write, force=force)


def write_bundle(bundle_dir: str | Path) -> Path:
    """Write :data:`BUNDLE_NAME` in ``bundle_dir`` unless the same file is already there
    (never through a symbolic link)."""
    target = Path(bundle_dir) / BUNDLE_NAME
    text = bundle_text()
    if target.is_file() and not target.is_symlink():
        try:
            if target.read_bytes() == text.encode("utf-8"):
                return target
        except OSError:
            pass
    _write_text(target, text, force=True)
    return target


def write_map_html(view: VisualizationGraph, path: str | Path,
                   bundle_dir: str | Path | None = None, *, links: Sequence[tuple[str, str]] = (),
                   title: str | None = None, force: bool = False) -> Path:
    """Write an interactive map page that works offline.

    Parameters
    ----------
    view : neo4j_viz.VisualizationGraph
        From :func:`network_view`.
    path : str or pathlib.Path
        The page to write (``map.html``).
    bundle_dir : str or pathlib.Path, optional
        Where the shared :data:`BUNDLE_NAME` is (written there if missing): the page loads
        it with a relative ``<script src>``. Without it the page holds the code itself
        (about 4.4 MB).
    links : sequence of (href, text)
        Other maps, listed on the page.
    title : str, optional
        Page title (default the view's).
    force : bool
        Replace an existing page (a symbolic link is always refused).

    Returns
    -------
    pathlib.Path
        The page written. It has no ``<script>``, ``<link>`` or ``<img>`` pointing at
        http(s).
    """
    path = Path(path)
    if bundle_dir is None:
        script = "<script>\n" + bundle_text() + "</script>"
    else:
        bundle = write_bundle(bundle_dir)
        rel = os.path.relpath(bundle.resolve(), path.parent.resolve()).replace(os.sep, "/")
        script = f'<script src="{html.escape(urllib.parse.quote(rel), quote=True)}"></script>'
    _write_text(path, page_html(view, script, links, title), force)
    return path


def _slug(text: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:40] or "x"
    return f"{safe}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:6]}"


def _overview_ids(ds: Dataset) -> list[str] | None:
    total = sum(len(ds[t]) for t in ("streets", "residential_areas", "grids", "buildings",
                                     "organizations", "people"))
    if total <= OVERVIEW_MAX_NODES:
        return None
    orgs = ds["organizations"]
    street_orgs = orgs[orgs["located_in"].isna() | orgs["located_in"].isin(ds["streets"]["id"])]
    return [*ds["streets"]["id"], *ds["residential_areas"]["id"], *ds["grids"]["id"],
            *street_orgs["id"]]


def write_maps(ds: Dataset, out_dir: str | Path, as_of: dt.date | str | None = None,
               per: Literal["grid", "street"] = "grid", *, force: bool = False) -> pd.DataFrame:
    """Write an overview ``map.html`` and one map per grid or per street, sharing one bundle.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    out_dir : str or pathlib.Path
        The report folder: ``map.html`` and :data:`BUNDLE_NAME` go there, the other maps
        in ``maps/``.
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    per : {"grid", "street"}
        One map per grid (with its buildings, companies, organisations and people) or per
        street (its places, organisations and people, without companies).
    force : bool
        Replace maps already there.

    Returns
    -------
    pandas.DataFrame
        One row per file written: ``kind`` (bundle, overview, grid or street), ``id``,
        ``name``, ``path``, ``nodes`` and ``bytes``.
    """
    if per not in ("grid", "street"):
        raise UsageError(f"per must be 'grid' or 'street', not {str(per)[:40]!r}")
    out = Path(out_dir)
    day = _day(as_of)
    full = map_data(ds, day, companies=True)
    rows: list[dict[str, Any]] = []
    bundle = write_bundle(out)
    rows.append({"kind": "bundle", "id": "", "name": BUNDLE_NAME, "path": bundle, "nodes": 0})
    parts = ds["grids"] if per == "grid" else ds["streets"]
    pages: list[tuple[str, str, str, Path, list[str]]] = []
    for part_id, name in zip(parts["id"], parts["name"], strict=True):
        ids = grid_ids(ds, part_id, day) if per == "grid" else _street_ids(ds, part_id)
        pages.append((per, part_id, name, out / "maps" / f"{per}-{_slug(part_id)}.html", ids))
    overview = _subset(full, _overview_ids(ds), companies=False)
    overview.title = f"{ds.name} 总览 overview · {day.isoformat()}"
    links = [(f"maps/{p[3].name}", f"{p[2]} ({p[1]})") for p in pages]
    view = network_view(overview)
    path = write_map_html(view, out / "map.html", out, links=links, force=force)
    rows.append({"kind": "overview", "id": "", "name": overview.title, "path": path,
                 "nodes": len(view.nodes)})
    for kind, part_id, name, target, ids in pages:
        part = _subset(full, ids, companies=kind == "grid")
        part.title = f"{name} ({part_id}) · {day.isoformat()}"
        view = network_view(part)
        path = write_map_html(view, target, out, links=[("../map.html", "总览 overview")],
                              force=force)
        rows.append({"kind": kind, "id": part_id, "name": name, "path": path,
                     "nodes": len(view.nodes)})
    frame = pd.DataFrame(rows, columns=["kind", "id", "name", "path", "nodes"])
    frame["bytes"] = [p.stat().st_size for p in frame["path"]]
    return frame


def _street_ids(ds: Dataset, street: str) -> list[str]:
    grids = ds["grids"]
    areas = ds["residential_areas"]
    grid_set = set(grids["id"][grids["street_id"] == street])
    places = set(areas["id"][areas["street_id"] == street]) | grid_set
    buildings = ds["buildings"]
    places |= set(buildings["id"][buildings["grid_id"].isin(grid_set)])
    orgs = ds["organizations"]
    in_street = orgs["located_in"].isin(places | {street}) | (
        orgs["located_in"].map(ds.place_grid).isin(grid_set))
    org_ids = set(orgs["id"][in_street])
    people = ds["people"]
    person_ids = set(people["id"][people["organization_id"].isin(org_ids)])
    return [street, *sorted(places | org_ids | person_ids)]


def _subset(data: MapData, ids: Sequence[str] | None, companies: bool) -> MapData:
    nodes = data.nodes if companies else data.nodes[data.nodes["label"] != "Company"]
    if ids is not None:
        order = {n: i for i, n in enumerate(ids)}
        nodes = nodes[nodes["id"].isin(order)]
        nodes = nodes.iloc[sorted(range(len(nodes)), key=lambda i: order[nodes["id"].iloc[i]])]
    keep = set(nodes["id"])
    rels = data.rels[data.rels["source"].isin(keep) & data.rels["target"].isin(keep)]
    return MapData(data.dataset, data.as_of, nodes.reset_index(drop=True),
                   rels.reset_index(drop=True), data.companies, data.findings, data.title)


# ---------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------


def show(source: Dataset | str | Path, *, around: str | None = None, grid: str | None = None,
         gap: str | None = None, radius: int | None = None,
         as_of: dt.date | str | None = None, backend: Backend = "embedded",
         conn: Connection | None = None, widget: bool = True,
         height: str = "640px",
         page_dir: str | Path | None = None) -> GraphWidget | VisualizationGraph | MapPage:
    """An interactive view of part of the network, for notebooks.

    Give exactly one of ``around``, ``grid`` or ``gap``.

    Parameters
    ----------
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: the name it was loaded under (or a Dataset).
    around : str, optional
        An entity (id or exact name): its neighbourhood within ``radius`` steps (default 2).
    grid : str, optional
        A grid (id or exact name): the grid, its buildings and their companies, the
        organisations located there and the people who work there or are assigned to it.
    gap : str, optional
        A gap name (``docs/gaps.md``): its findings on ``as_of`` and their neighbourhood
        within ``radius`` steps (default 1).
    radius : int, optional
        Steps around the entity or findings (0 to 6).
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    backend : {"embedded", "neo4j"}
        The engine: the embedded graph or Cypher on the Neo4j server.
    conn : Connection, optional
        Neo4j connection settings.
    widget : bool
        Return a ``neo4j_viz.GraphWidget`` (default); False returns the
        ``VisualizationGraph`` itself (``.render()`` gives a self-contained HTML view).
    height : str
        Height of the widget.
    page_dir : str or pathlib.Path, optional
        Write the view as a page in this folder instead (next to the notebook, for example
        ``"maps"``), sharing one :data:`BUNDLE_NAME` there, and return a :class:`MapPage`:
        the notebook shows it in an ``<iframe>`` and keeps a one-line output, where a
        widget stores the ~4.4 MB neo4j-viz code in every executed notebook.

    Returns
    -------
    neo4j_viz.GraphWidget, neo4j_viz.VisualizationGraph or MapPage

    Examples
    --------
    >>> import graphmodel as gm
    >>> view = show(gm.load_dataset(), grid="G-B01", as_of="2026-11-29", widget=False)
    >>> view.nodes[0].id
    'G-B01'
    """
    from graphmodel.engine import dataset_of, resolve_entity
    from graphmodel.gaps import gap_names

    given = [k for k, v in (("around", around), ("grid", grid), ("gap", gap)) if v is not None]
    if len(given) != 1:
        raise UsageError("show() 需要且只需要 around=、grid= 或 gap= 之一 / give exactly one of "
                         "around=, grid= or gap=")
    if backend not in ("embedded", "neo4j"):
        raise UsageError(f"unknown backend {str(backend)[:40]!r}; known: embedded, neo4j")
    day = _day(as_of)
    if backend == "embedded":
        source = dataset_of(source)
    name = _name(source)
    if gap is not None:
        which = gap_names([gap])[0]
        found = _findings(source, day, backend, conn, only=which)
        seeds = list(dict.fromkeys(found["id"]))
        ids = around_ids(source, seeds, 1 if radius is None else radius, day,
                         backend=backend, conn=conn) if seeds else []
        from graphmodel.queries import get_query

        title = f"{get_query(which).title_zh} {which} · {len(seeds)} 项 findings"
    else:
        try:
            entity = resolve_entity(source, str(around if around is not None else grid),
                                    backend, conn)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if grid is not None:
            ids = grid_ids(source, entity, day, backend=backend, conn=conn)
            if not ids:
                raise UsageError(f"{entity!r} 不是网格 / is not a grid")
            title = f"网格 grid {entity}"
        else:
            ids = around_ids(source, [entity], 2 if radius is None else radius, day,
                             backend=backend, conn=conn)
            title = f"{entity} 周边 around (radius {2 if radius is None else radius})"
    data = map_data(source, day, ids, companies=True, records=True, backend=backend,
                    conn=conn) if ids else _empty_data(name, day)
    data.title = f"{name} · {title} · {day.isoformat()}"
    view = network_view(data)
    if page_dir is not None:
        path = write_map_html(view, Path(page_dir) / f"{_slug(data.title)}.html", page_dir,
                              force=True)
        return MapPage(path, data.title, len(view.nodes), len(getattr(view, "gap_ids", [])),
                       height)
    if not widget:
        return view
    return view.render_widget(height=height, theme="light", max_allowed_nodes=100_000,
                              on_dangling="none")


@dataclass
class MapPage:
    """A map page written by :func:`show` (``page_dir=``), shown in a notebook as an
    ``<iframe>`` of the page: the notebook's output is one line of HTML, and every page of
    the folder loads the same :data:`BUNDLE_NAME`.

    The frame's address is relative to the working directory, which Jupyter sets to the
    notebook's folder.
    """

    path: Path
    title: str
    nodes: int
    gaps: int = 0
    height: str = "640px"

    @property
    def src(self) -> str:
        """The page's address relative to the working directory (URL-quoted)."""
        try:
            rel = os.path.relpath(self.path.resolve(), Path.cwd().resolve())
        except ValueError:  # another drive (Windows)
            return self.path.resolve().as_uri()
        return urllib.parse.quote(rel.replace(os.sep, "/"))

    def _repr_html_(self) -> str:
        src = html.escape(self.src, quote=True)
        title = html.escape(visible_text(self.title))
        marked = f" · {GAP_MARK} {self.gaps} 个有缺口 with open gaps" if self.gaps else ""
        return (f'<iframe src="{src}" title="{title}" loading="lazy" style="width:100%;'
                f'height:{html.escape(self.height, quote=True)};border:1px solid #ddd">'
                f'</iframe>\n<div style="font-size:12px">{title} · {self.nodes} 个节点 nodes'
                f'{marked} · <a href="{src}" target="_blank">在新标签页打开 open in a new tab'
                "</a></div>")

    def __repr__(self) -> str:
        return f"MapPage({self.src!r}, {self.nodes} nodes, {self.gaps} with open gaps)"


def _empty_data(name: str, day: dt.date) -> MapData:
    return MapData(name, day, pd.DataFrame(columns=["id", "label", "props"]),
                   pd.DataFrame(columns=["source", "target", "type", "props"]),
                   pd.DataFrame(columns=["id", "level", "containers"]),
                   pd.DataFrame(columns=["gap", "id", "place"]))
