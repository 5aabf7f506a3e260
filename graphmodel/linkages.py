"""Cross-sector linkage queries: who is linked to whom, across which sectors.

Five queries of the library (group ``links``) answer how the subdistrict's
organisations, companies and people are woven together:

``sector_matrix``
    how many active relationships run from each sector to each sector;
``sectors_bridged`` (跨领域连接)
    **the** ranking of who bridges sectors: the actors directly tied to the most
    sectors other than their own, with betweenness as the tie-breaker and the
    ties that make each bridge listed (``graphmodel links`` shows it);
``bridges``
    the actors that hold the network together (betweenness centrality alone);
    kept for existing callers (the report's ``bridges.csv``);
``connectors``
    the actors directly linked to at least k sectors other than their own;
    kept for existing callers: it is ``sectors_bridged`` with ``min_sectors=k``,
    without betweenness and links;
``path``
    the k shortest connections between two entities (optionally without the
    co-location hops ``PART_OF`` / ``LOCATED_IN``).

How the three rankings relate: ``sectors_bridged`` counts exactly the sectors
``connectors`` lists (``sectors_bridged == count``), and its ``betweenness`` is
the one ``bridges`` ranks by; ``bridges``' own ``sectors`` column also holds the
actor's own sector, ``sectors_bridged``' ``bridged_sectors`` never does.

Shared terms
------------
*Actors* are organisations, companies and people. An actor's *sector* is an
organisation's ``sector``, ``business`` for a company, and for a person the
sector of their organisation (``organization_id``); a person without an
organisation has no sector. Places, demands, assessments and population groups
have no sector.

*Contract links* are the link types of the data contract
(:data:`schema.LINK_TYPES`: COVERS, LEADS, PARTNERS_WITH, SUPPORTS, MENTORS,
MEMBER_OF, ASSIGNED_TO, SERVES); only those active on ``as_of`` count. The
structural relationships (``PART_OF``, ``LOCATED_IN``, ``CHILD_OF``,
``WORKS_FOR``) have no dates and always count where a query uses them.

Every query's embedded form starts with its SQL (``queries/links/<name>.sql``, run by
DuckDB, O(V + E)): ``sector_matrix`` and ``connectors`` are their SQL alone;
``bridges`` and ``sectors_bridged`` build the actor network with networkx from the
projection of ``bridges.sql`` (``sectors_bridged`` takes its ties from its own SQL) and
rank it by betweenness; ``path`` searches the network of ``path.sql`` in Python. Neo4j
runs the ``.cypher`` beside each, and the same Python finishes the work. Only betweenness
centrality is inherently more expensive (Brandes' algorithm, O(V·E) on the actor
network, which holds no places or records).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphmodel import engine, schema
from graphmodel.dataset import Dataset
from graphmodel.engine import resolve_entity
from graphmodel.errors import InvalidParameterError
from graphmodel.graph import is_active
from graphmodel.queries import Query, get_query, parse_as_of, register

if TYPE_CHECKING:
    from graphmodel.engine import Backend, Source
    from graphmodel.neo4j_backend import Connection

__all__ = ["ACTOR_LABELS", "BRIDGE_COLUMNS", "COLOCATION", "CONNECTOR_COLUMNS",
           "MATRIX_COLUMNS", "PATH_COLUMNS", "SECTORS_BRIDGED_COLUMNS", "actor_network",
           "bridges", "connectors", "format_path", "network_from_projection", "path",
           "path_adjacency", "rank_bridges", "rank_connectors", "rank_sectors_bridged",
           "resolve_entity", "sector_list", "sector_matrix", "sector_matrix_table",
           "sector_ties", "sectors_bridged", "shortest_path", "shortest_paths"]

ACTOR_LABELS = ("Organization", "Company", "Person")
"""Node labels of the actor network (the entities that have a sector)."""

ACTOR_STRUCTURAL = ("WORKS_FOR", "CHILD_OF")
"""Structural relationships between actors, always part of the actor network."""

PATH_STRUCTURAL = ("PART_OF", "LOCATED_IN", "CHILD_OF", "WORKS_FOR")
"""Structural relationships a :func:`path` may use (visits and records excluded)."""

RECORD_LABELS = ("Demand", "RiskAssessment", "Population")
"""Node labels that are records, never part of a linkage network."""

MATRIX_COLUMNS = ["source_sector", "target_sector", "links"]
BRIDGE_COLUMNS = ["id", "name", "label", "sector", "betweenness", "sectors", "sector_count"]
CONNECTOR_COLUMNS = ["id", "name", "label", "sector", "other_sectors", "count"]
SECTORS_BRIDGED_COLUMNS = ["id", "name", "label", "sector", "sectors_bridged", "bridged_sectors",
                           "links", "betweenness", "supporting"]
PATH_COLUMNS = ["path", "step", "from_id", "from_name", "type", "direction", "to_id", "to_name"]
_ACTOR_DTYPES = {"id": "str", "name": "str", "label": "str", "sector": "str"}

Names = Mapping[str, str] | pd.Series


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


def node_sector(graph: nx.MultiDiGraph, node: str) -> str | None:
    """The sector of a node of the embedded graph, or None when it has none.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("O1", label="Organization", sector="party")
    >>> G.add_node("P1", label="Person", organization_id="O1")
    >>> G.add_node("C1", label="Company")
    >>> G.add_node("B1", label="Building")
    >>> [node_sector(G, n) for n in ("O1", "P1", "C1", "B1")]
    ['party', 'party', 'business', None]
    """
    attrs = graph.nodes[node]
    label = attrs.get("label")
    if label == "Organization":
        return attrs.get("sector")
    if label == "Company":
        return "business"
    if label == "Person":
        org = attrs.get("organization_id")
        return graph.nodes[org].get("sector") if org in graph else None
    return None


def active_edges(graph: nx.MultiDiGraph, as_of: dt.date,
                 structural: Iterable[str] = ()) -> Iterator[tuple[str, str, str]]:
    """Yield ``(source, target, type)`` for contract links active on ``as_of``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        The embedded graph (:attr:`Dataset.network` or :attr:`Dataset.graph`).
    as_of : datetime.date
        The evaluation date.
    structural : iterable of str
        Structural relationship types to yield as well (they have no dates).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("O1", "O2", type="LEADS", until=dt.date(2020, 1, 1))
    0
    >>> G.add_edge("O2", "O1", type="CHILD_OF")
    0
    >>> list(active_edges(G, dt.date(2026, 1, 1), ["CHILD_OF"]))
    [('O2', 'O1', 'CHILD_OF')]
    """
    keep = set(structural)
    for u, v, attrs in graph.edges(data=True):
        kind = attrs.get("type")
        if kind in keep or (kind in schema.LINK_TYPES and is_active(attrs, as_of)):
            yield u, v, kind


def _name(names: Names, node: str) -> str:
    name = names.get(node)
    return node if name is None or name != name else str(name)


# ---------------------------------------------------------------------------
# sector_matrix
# ---------------------------------------------------------------------------


def sector_matrix(source: Source, as_of: pd.Timestamp | dt.date | str | None = None, *,
                  backend: Backend = "embedded", conn: Connection | None = None
                  ) -> pd.DataFrame:
    """Count active relationships between sectors (long form).

    The matrix is **directed**: a link counts in the cell (sector of its source,
    sector of its target). ``PARTNERS_WITH`` is symmetric ("read in both
    directions"), so a partnership between sectors s and t counts once in
    (s, t) *and* once in (t, s); a partnership inside one sector counts once on
    the diagonal. Each cell is therefore a number of distinct relationships,
    and the matrix of partnerships alone is symmetric. A relationship is a
    distinct ``(source, type, target)`` (``(pair, PARTNERS_WITH)`` for
    partnerships, whichever direction was recorded), so overlapping rows of
    one relationship count once. Only contract links count (no ``WORKS_FOR``
    or ``CHILD_OF``); self-links and links touching an entity without sector
    (places, demands, people without organisation) are skipped.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date; links not active on it are ignored.
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        Columns ``source_sector``, ``target_sector``, ``links`` (int), one row
        per non-empty cell, sorted by source then target in
        :data:`schema.SECTORS` order. Pivot it with :func:`sector_matrix_table`.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> frame = sector_matrix(load_dataset(), "2026-11-29")
    >>> list(frame.columns)
    ['source_sector', 'target_sector', 'links']
    >>> bool((frame["links"] > 0).all())
    True
    """
    return engine.run("sector_matrix", source, as_of, backend, conn)


@register("sector_matrix", "links", "领域关系矩阵", "Sector matrix",
          "Number of distinct contract links active on as_of from an entity of one sector to an "
          "entity of another (or the same) sector. Directed source -> target; a PARTNERS_WITH "
          "link is read in both directions and counted once in each cell it can be read into. "
          "Links with an endpoint without sector (places, records) are skipped.",
          definition_zh="统计在评估日有效的合同关系中，从某一领域的主体指向另一（或同一）领域主体的不同关系数；"
                        "合作共建关系为双向，在两个方向的格子里各计一次。",
          columns=tuple(MATRIX_COLUMNS),
          dtypes={"source_sector": "str", "target_sector": "str", "links": "int64"})
def _sector_matrix(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None) -> pd.DataFrame:
    from graphmodel.sql_engine import sql_frame

    frame = sql_frame(get_query("sector_matrix"), ds, {"as_of": parse_as_of(as_of)})
    return frame.astype({"source_sector": "str", "target_sector": "str", "links": "int64"})


def sector_matrix_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Pivot a :func:`sector_matrix` result into a square matrix for heatmaps.

    Parameters
    ----------
    frame : pandas.DataFrame
        The long form with ``source_sector``, ``target_sector``, ``links``.

    Returns
    -------
    pandas.DataFrame
        Rows = source sector, columns = target sector, both in
        :data:`schema.SECTORS` order (all nine, zero-filled), int counts.

    Examples
    --------
    >>> long = pd.DataFrame({"source_sector": ["party", "business"],
    ...                      "target_sector": ["business", "party"], "links": [2, 1]})
    >>> table = sector_matrix_table(long)
    >>> table.shape, int(table.loc["party", "business"]), int(table.loc["business", "party"])
    ((9, 9), 2, 1)
    """
    sectors = list(schema.SECTORS)
    table = frame.pivot_table(index="source_sector", columns="target_sector", values="links",
                              aggfunc="sum", fill_value=0) if len(frame) else pd.DataFrame()
    table = table.reindex(index=sectors, columns=sectors, fill_value=0).fillna(0).astype("int64")
    table.index.name = "source_sector"
    table.columns.name = "target_sector"
    return table


# ---------------------------------------------------------------------------
# The actor network, bridges and connectors
# ---------------------------------------------------------------------------


def actor_network(source: Source, as_of: pd.Timestamp | dt.date | str | None = None, *,
                  backend: Backend = "embedded", conn: Connection | None = None) -> nx.Graph:
    """The undirected simple network of organisations, companies and people.

    Nodes are every organisation, company and person (isolated ones included,
    so normalisation sees the whole population of actors), each with
    attributes ``label`` and ``sector`` (None for a person without
    organisation). Edges join two actors that have an active contract link in
    either direction, or a ``WORKS_FOR`` / ``CHILD_OF`` relationship;
    parallel links collapse into one edge and self-links are dropped. Places,
    demands, assessments and population groups are not part of it.

    Both engines fetch the same projection, the embedded one with
    ``queries/links/bridges.sql`` (DuckDB), Neo4j with ``queries/links/bridges.cypher``;
    networkx builds the network from it (:func:`network_from_projection`: nodes in id
    order) and ``graph.graph["names"]`` maps ids to names.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date for contract links.
    backend : {"embedded", "neo4j"}
        Where the network comes from.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    networkx.Graph
        The actor network.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> net = actor_network(load_dataset(), "2026-11-29")
    >>> {d["label"] for _, d in net.nodes(data=True)} <= set(ACTOR_LABELS)
    True
    """
    if backend == "neo4j":
        return network_from_projection(engine.rows("bridges", engine.dataset_name(source),
                                                   as_of, conn))
    from graphmodel.sql_engine import sql_frame

    return network_from_projection(sql_frame(get_query("bridges"), engine.dataset_of(source),
                                             {"as_of": parse_as_of(as_of)}))


def network_from_projection(frame: pd.DataFrame) -> nx.Graph:
    """The actor network from the rows of ``queries/links/bridges.cypher`` (``id``,
    ``name``, ``label``, ``sector``, ``neighbours``): the graph of :func:`actor_network`,
    with ``graph.graph["names"]`` mapping ids to names.

    Examples
    --------
    >>> rows = pd.DataFrame({"id": ["a", "b"], "name": ["甲", None],
    ...                      "label": ["Organization", "Person"], "sector": ["party", None],
    ...                      "neighbours": [["b"], ["a"]]})
    >>> net = network_from_projection(rows)
    >>> sorted(net.edges()), net.graph["names"], net.nodes["b"]["sector"]
    ([('a', 'b')], {'a': '甲'}, None)
    """
    graph = nx.Graph()
    names: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        sector = row.sector if isinstance(row.sector, str) else None
        graph.add_node(row.id, label=row.label, sector=sector)
        if isinstance(row.name, str):
            names[row.id] = row.name
    for row in frame.itertuples(index=False):
        graph.add_edges_from((row.id, other) for other in row.neighbours if other != row.id)
    graph.graph["names"] = names
    return graph


def neighbour_sectors(graph: nx.Graph, node: str) -> set[str]:
    """Distinct sectors of a node's neighbours in an actor network (None left out).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", sector="party"); G.add_node("b", sector="education")
    >>> G.add_node("c", sector=None); G.add_edges_from([("a", "b"), ("a", "c")])
    >>> neighbour_sectors(G, "a")
    {'education'}
    """
    sectors = (graph.nodes[n].get("sector") for n in graph[node])
    return {s for s in sectors if s is not None}


def rank_bridges(graph: nx.Graph, names: Names, top: int | None = 20) -> pd.DataFrame:
    """Rank the nodes of an actor network by betweenness centrality.

    Parameters
    ----------
    graph : networkx.Graph
        An actor network whose nodes carry ``label`` and ``sector`` (see
        :func:`actor_network`).
    names : mapping or pandas.Series
        Id -> display name (missing names show the id).
    top : int or None
        Keep the first ``top`` rows; None or 0 keeps all.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``label``, ``sector``, ``betweenness``
        (normalised, networkx), ``sectors`` (sorted list of the distinct
        sectors of the node and its direct neighbours), ``sector_count``;
        sorted by betweenness descending, then id.

    Examples
    --------
    Two triangles joined through ``m``: ``m`` carries all 9 cross pairs,
    ``x1`` and ``y1`` 8 each, out of (7 - 1)(7 - 2) / 2 = 15 pairs.

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["x1", "x2", "x3", "m"], label="Organization", sector="party")
    >>> G.add_nodes_from(["y1", "y2", "y3"], label="Organization", sector="education")
    >>> G.add_edges_from([("x1", "x2"), ("x2", "x3"), ("x1", "x3"), ("x1", "m"),
    ...                   ("m", "y1"), ("y1", "y2"), ("y2", "y3"), ("y1", "y3")])
    >>> ranked = rank_bridges(G, {"m": "中间人"}, top=3)
    >>> for r in ranked.itertuples():
    ...     print(r.id, r.name, round(r.betweenness, 4), r.sectors)
    m 中间人 0.6 ['education', 'party']
    x1 x1 0.5333 ['party']
    y1 y1 0.5333 ['education', 'party']
    """
    if top is not None and top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    scores = nx.betweenness_centrality(graph, normalized=True) if len(graph) else {}
    rows = []
    for node, attrs in graph.nodes(data=True):
        sector = attrs.get("sector")
        sectors = sorted(neighbour_sectors(graph, node) | ({sector} if sector else set()))
        rows.append({"id": node, "name": _name(names, node), "label": attrs.get("label"),
                     "sector": sector, "betweenness": float(scores.get(node, 0.0)),
                     "sectors": sectors, "sector_count": len(sectors)})
    frame = pd.DataFrame(rows, columns=BRIDGE_COLUMNS)
    frame["_rank"] = frame["betweenness"].round(12)
    frame = frame.sort_values(["_rank", "id"], ascending=[False, True], kind="stable")
    frame = frame.drop(columns="_rank").reset_index(drop=True)
    return frame.head(top) if top else frame


def bridges(source: Source, as_of: pd.Timestamp | dt.date | str | None = None,
            top: int | None = 20, *, backend: Backend = "embedded",
            conn: Connection | None = None) -> pd.DataFrame:
    """The actors that hold the network together, by betweenness centrality.

    On Neo4j (Community has no betweenness centrality) the actor network is fetched with
    ``queries/links/bridges.cypher`` and ranked with the same :func:`rank_bridges`.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date for contract links.
    top : int or None
        How many to return (default 20; None or 0 = all).
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        See :func:`rank_bridges`.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> found = bridges(load_dataset(), "2026-11-29", top=5)
    >>> len(found), list(found.columns) == BRIDGE_COLUMNS
    (5, True)
    """
    return engine.run("bridges", source, as_of, backend, conn, top=top or 0)


_BRIDGE_DTYPES = {**_ACTOR_DTYPES, "betweenness": "float64", "sectors": "object",
                  "sector_count": "int64"}


def _bridges_from_rows(query: Query, rows: pd.DataFrame, values: dict[str, Any]) -> pd.DataFrame:
    network = network_from_projection(rows.reindex(columns=["id", "name", "label", "sector",
                                                            "neighbours"]))
    return rank_bridges(network, network.graph["names"], values["top"])


@register("bridges", "links", "跨领域桥梁", "Bridges",
          "Organisations, companies and people ranked by normalised betweenness centrality on "
          "the undirected actor network (active contract links plus WORKS_FOR and CHILD_OF "
          "between actors; places and records excluded).", params=("top",),
          definition_zh="按无向“主体网络”（有效合同关系及主体之间的 WORKS_FOR、CHILD_OF；不含地点与记录）上的"
                        "标准化介数中心性，对组织、企业和人员排序。",
          columns=tuple(BRIDGE_COLUMNS), dtypes=_BRIDGE_DTYPES, from_rows=_bridges_from_rows)
def _bridges(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None,
             top: int | None = 20) -> pd.DataFrame:
    return rank_bridges(actor_network(ds, as_of), ds.names, top)


def rank_connectors(graph: nx.Graph, names: Names, k: int = 3) -> pd.DataFrame:
    """Nodes of an actor network directly linked to at least ``k`` other sectors.

    Parameters
    ----------
    graph : networkx.Graph
        An actor network whose nodes carry ``label`` and ``sector``.
    names : mapping or pandas.Series
        Id -> display name.
    k : int
        Minimum number of distinct neighbour sectors other than the node's own.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``label``, ``sector``, ``other_sectors``
        (sorted list), ``count``; sorted by count descending, then id.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("hub", label="Organization", sector="party")
    >>> for n, s in [("a", "party"), ("b", "ethnic"), ("c", "education"), ("d", "charity")]:
    ...     G.add_node(n, label="Organization", sector=s); G.add_edge("hub", n)
    >>> [(r.id, r.other_sectors, r.count) for r in rank_connectors(G, {}, k=3).itertuples()]
    [('hub', ['charity', 'education', 'ethnic'], 3)]
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    rows = []
    for node, attrs in graph.nodes(data=True):
        others = sorted(neighbour_sectors(graph, node) - {attrs.get("sector")})
        if len(others) >= k:
            rows.append({"id": node, "name": _name(names, node), "label": attrs.get("label"),
                         "sector": attrs.get("sector"), "other_sectors": others,
                         "count": len(others)})
    frame = pd.DataFrame(rows, columns=CONNECTOR_COLUMNS).astype({"count": "int64"})
    return frame.sort_values(["count", "id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def connectors(source: Source, as_of: pd.Timestamp | dt.date | str | None = None,
               k: int = 3, *, backend: Backend = "embedded",
               conn: Connection | None = None) -> pd.DataFrame:
    """Actors directly linked to at least ``k`` sectors other than their own.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date for contract links.
    k : int
        Minimum number of other sectors (default 3).
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        See :func:`rank_connectors`.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> found = connectors(load_dataset(), "2026-11-29", k=2)
    >>> bool((found["count"] >= 2).all())
    True
    """
    return engine.run("connectors", source, as_of, backend, conn, k=k)


@register("connectors", "links", "跨领域连接者", "Connectors",
          "Organisations, companies and people directly linked (active contract links in either "
          "direction, WORKS_FOR, CHILD_OF) to entities of at least k sectors other than their "
          "own.", params=("k",),
          definition_zh="直接连接到（任一方向的有效合同关系，以及 WORKS_FOR、CHILD_OF）至少 k 个"
                        "其他领域主体的组织、企业和人员。",
          columns=tuple(CONNECTOR_COLUMNS),
          dtypes={**_ACTOR_DTYPES, "other_sectors": "object", "count": "int64"})
def _connectors(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None,
                k: int = 3) -> pd.DataFrame:
    from graphmodel.sql_engine import sql_frame

    if int(k) < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    frame = sql_frame(get_query("connectors"), ds, {"as_of": parse_as_of(as_of), "k": int(k)})
    return frame.astype({"count": "int64"})


# ---------------------------------------------------------------------------
# sectors_bridged: the one ranking of who bridges sectors
# ---------------------------------------------------------------------------

Tie = tuple[str, str, str, str, str]
"""One tie of an actor to an entity of another sector: ``(sector of the other side, type,
direction, other id, other name)``; direction is ``"->"`` (the actor's link), ``"<-"``
(a link to the actor) or ``""`` (a partnership, read in both directions)."""


def sector_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Sectors given as ``"business,community"`` or a list, checked against
    :data:`schema.SECTORS`; empty (all sectors) for None or ``""``.

    Raises
    ------
    InvalidParameterError
        For a name that is not a sector of the data contract (exit status 2).

    Examples
    --------
    >>> sector_list("business, ethnic,business"), sector_list(None)
    (('business', 'ethnic'), ())
    >>> sector_list("busness")
    Traceback (most recent call last):
    ...
    graphmodel.errors.InvalidParameterError: 未知领域 unknown sector(s) 'busness'; known: party, government, business, community, ethnic, religious, education, culture, charity
    """
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    names = tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
    unknown = [name for name in names if name not in schema.SECTORS]
    if unknown:
        raise InvalidParameterError(
            f"未知领域 unknown sector(s) {', '.join(repr(n[:40]) for n in unknown)}; "
            f"known: {', '.join(schema.SECTORS)}")
    return names


def sector_ties(graph: nx.MultiDiGraph, as_of: dt.date, names: Names) -> dict[str, set[Tie]]:
    """Every actor's ties to other actors of a sector other than its own.

    A tie is an active contract link in either direction, or ``WORKS_FOR`` /
    ``CHILD_OF`` (the actor network's edges, :func:`actor_network`), to an actor
    whose sector is known and differs from the actor's own (any sector, when the
    actor has none). Overlapping rows of one link, and a partnership recorded in
    both directions, give one tie.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("O1", label="Organization", sector="party", name="党委")
    >>> G.add_node("C1", label="Company", name="京东")
    >>> G.add_edge("C1", "O1", type="SUPPORTS")
    0
    >>> sector_ties(G, dt.date(2026, 1, 1), {"O1": "党委", "C1": "京东"})["O1"]
    {('business', 'SUPPORTS', '<-', 'C1', '京东')}
    """
    nodes = graph.nodes
    sectors: dict[str, str | None] = {}
    ties: dict[str, set[Tie]] = {}
    for u, v, kind in active_edges(graph, as_of, ACTOR_STRUCTURAL):
        if u == v:
            continue
        su = sectors[u] if u in sectors else sectors.setdefault(u, node_sector(graph, u))
        sv = sectors[v] if v in sectors else sectors.setdefault(v, node_sector(graph, v))
        both = kind in schema.LINK_TYPES and schema.LINK_TYPES[kind].symmetric
        if sv is not None and sv != su and nodes[u].get("label") in ACTOR_LABELS:
            ties.setdefault(u, set()).add((sv, kind, "" if both else "->", v, _name(names, v)))
        if su is not None and su != sv and nodes[v].get("label") in ACTOR_LABELS:
            ties.setdefault(v, set()).add((su, kind, "" if both else "<-", u, _name(names, u)))
    return ties


def rank_sectors_bridged(graph: nx.Graph, ties: Mapping[str, Iterable[Iterable[str]]],
                         names: Names, sectors: Iterable[str] = (),
                         min_sectors: int = 1) -> pd.DataFrame:
    """Rank the actors of an actor network by the sectors they bridge.

    Parameters
    ----------
    graph : networkx.Graph
        The actor network (:func:`actor_network`), for betweenness.
    ties : mapping
        Actor id -> its ties (:data:`Tie`), from :func:`sector_ties` or the Cypher.
    names : mapping or pandas.Series
        Id -> display name.
    sectors : iterable of str
        Only ties to these sectors count (empty: every sector).
    min_sectors : int
        Keep the actors bridging at least this many sectors (default 1; 0 keeps all).

    Returns
    -------
    pandas.DataFrame
        See :func:`sectors_bridged`.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("hub", label="Organization", sector="party")
    >>> G.add_node("c", label="Company", sector="business")
    >>> G.add_edge("hub", "c")
    >>> ties = {"hub": [("business", "PARTNERS_WITH", "", "c", "京东")],
    ...         "c": [("party", "PARTNERS_WITH", "", "hub", "党委")]}
    >>> ranked = rank_sectors_bridged(G, ties, {"hub": "党委", "c": "京东"})
    >>> ranked[["id", "sectors_bridged", "supporting"]].values.tolist()
    [['c', 1, 'party: PARTNERS_WITH 党委'], ['hub', 1, 'business: PARTNERS_WITH 京东']]
    """
    if min_sectors < 0:
        raise ValueError(f"min_sectors must be >= 0, got {min_sectors}")
    wanted = set(sector_list(list(sectors)))
    order = {s: i for i, s in enumerate(schema.SECTORS)}
    scores = nx.betweenness_centrality(graph, normalized=True) if len(graph) else {}
    rows = []
    for node, attrs in graph.nodes(data=True):
        own = attrs.get("sector")
        by_sector: dict[str, set[tuple[str, str, str, str]]] = {}
        for sector, kind, direction, other, other_name in map(tuple, ties.get(node, ())):
            if sector in order and sector != own and (not wanted or sector in wanted):
                by_sector.setdefault(sector, set()).add((other, kind, direction, other_name))
        bridged = sorted(by_sector, key=order.__getitem__)
        if len(bridged) < min_sectors:
            continue
        rows.append({"id": node, "name": _name(names, node), "label": attrs.get("label"),
                     "sector": own, "sectors_bridged": len(bridged), "bridged_sectors": bridged,
                     "links": sum(map(len, by_sector.values())),
                     "betweenness": float(scores.get(node, 0.0)),
                     "supporting": "; ".join(f"{s}: " + ", ".join(
                         _tie_text(kind, direction, other_name)
                         for _, kind, direction, other_name in sorted(by_sector[s]))
                         for s in bridged)})
    frame = pd.DataFrame(rows, columns=SECTORS_BRIDGED_COLUMNS)
    frame = frame.astype({"sectors_bridged": "int64", "links": "int64",
                          "betweenness": "float64"})
    frame["_rank"] = frame["betweenness"].round(12)
    frame = frame.sort_values(["sectors_bridged", "_rank", "links", "id"],
                              ascending=[False, False, False, True], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)


def _tie_text(kind: str, direction: str, other_name: str) -> str:
    return f"{'←' if direction == '<-' else ''}{kind} {other_name}"


def sectors_bridged(source: Source, as_of: pd.Timestamp | dt.date | str | None = None,
                    sectors: str | Iterable[str] | None = None, min_sectors: int = 1, *,
                    backend: Backend = "embedded", conn: Connection | None = None
                    ) -> pd.DataFrame:
    """Who bridges sectors (跨领域连接): actors ranked by the sectors they are tied to.

    An actor (organisation, company or person) *bridges* a sector when it has a tie to an
    actor of that sector and the sector is not its own: an active contract link in either
    direction, or a ``WORKS_FOR`` / ``CHILD_OF`` relationship (:func:`sector_ties`).
    Places and records have no sector and bridge nothing.

    The ranking: most sectors bridged first; among equals the higher normalised
    betweenness centrality on the actor network (the number :func:`bridges` ranks by);
    then more supporting links; then id.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date for contract links.
    sectors : str or list of str, optional
        Only count ties to these sectors (``"business,community,ethnic,religious"`` or a
        list of :data:`schema.SECTORS`); default every sector. An actor must bridge at
        least ``min_sectors`` of them to be listed.
    min_sectors : int
        The fewest sectors bridged to be listed (default 1; 0 lists every actor).
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name``, ``label``, ``sector`` (the actor's own), ``sectors_bridged``
        (int), ``bridged_sectors`` (list, in :data:`schema.SECTORS` order, never the
        actor's own), ``links`` (int: distinct supporting ties), ``betweenness``,
        ``supporting`` (per bridged sector the link type and the entity on the other
        side, e.g. ``"community: PARTNERS_WITH 某某居委会; ethnic: ←SUPPORTS 民族联络组"``;
        ``←`` marks a link made *to* the actor).

    Raises
    ------
    InvalidParameterError
        For an unknown sector name.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> found = sectors_bridged(load_dataset(), "2026-11-29", sectors="business,ethnic")
    >>> set(found["bridged_sectors"].sum()) <= {"business", "ethnic"}
    True
    """
    names = ",".join(sector_list(sectors))
    return engine.run("sectors_bridged", source, as_of, backend, conn, sectors=names,
                      min_sectors=min_sectors)


def _sectors_bridged_from_rows(query: Query, rows: pd.DataFrame,
                               values: dict[str, Any]) -> pd.DataFrame:
    rows = rows.reindex(columns=["id", "name", "label", "sector", "neighbours", "ties"])
    network = network_from_projection(rows)
    ties = {row.id: row.ties or [] for row in rows.itertuples(index=False)}
    return rank_sectors_bridged(network, ties, network.graph["names"],
                                sector_list(values["sectors"]), values["min_sectors"])


@register("sectors_bridged", "links", "跨领域连接", "Sectors bridged",
          "Organisations, companies and people ranked by the number of distinct sectors other "
          "than their own they are directly tied to (active contract links in either "
          "direction, WORKS_FOR, CHILD_OF; only the given sectors when sectors is set), then by "
          "normalised betweenness centrality on the actor network, then by the number of "
          "supporting links, then id; the supporting links are listed per sector. Actors "
          "bridging fewer than min_sectors sectors are left out.",
          params=("sectors", "min_sectors"),
          definition_zh="按直接联系（任一方向的有效合同关系，以及 WORKS_FOR、CHILD_OF）到的、自身领域以外的"
                        "不同领域数（指定 sectors 时只计这些领域）对组织、企业和人员排序；相同时按主体网络上的"
                        "标准化介数中心性，再按支撑关系数、编号排序；逐领域列出支撑关系。跨越领域少于 "
                        "min_sectors 个的主体不列出。",
          columns=tuple(SECTORS_BRIDGED_COLUMNS),
          dtypes={**_ACTOR_DTYPES, "sectors_bridged": "int64", "bridged_sectors": "object",
                  "links": "int64", "betweenness": "float64", "supporting": "str"},
          from_rows=_sectors_bridged_from_rows)
def _sectors_bridged(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None,
                     sectors: str = "", min_sectors: int = 1) -> pd.DataFrame:
    from graphmodel.sql_engine import sql_frame

    wanted = sector_list(sectors)
    rows = sql_frame(get_query("sectors_bridged"), ds, {"as_of": parse_as_of(as_of)})
    ties: dict[str, set[Tie]] = {}
    for actor, *tie in rows.itertuples(index=False):
        ties.setdefault(actor, set()).add(tuple(tie))
    return rank_sectors_bridged(actor_network(ds, as_of), ties, ds.names, wanted, min_sectors)


# ---------------------------------------------------------------------------
# path
# ---------------------------------------------------------------------------

Adjacency = dict[str, dict[str, list[tuple[str, str]]]]

COLOCATION = ("PART_OF", "LOCATED_IN")
"""The co-location hops ``path(..., colocation=False)`` leaves out: being in the same
building, grid or area is not a relationship."""


def path_adjacency(graph: nx.MultiDiGraph, as_of: dt.date,
                   colocation: bool = True) -> Adjacency:
    """Undirected adjacency for :func:`path`, with each edge's type and direction.

    ``adjacency[u][v]`` lists ``(type, direction)`` where direction is ``"->"``
    when the relationship runs from u to v, ``"<-"`` otherwise. Uses active
    contract links and the structural ``PART_OF``, ``LOCATED_IN`` (unless
    ``colocation`` is False), ``CHILD_OF``, ``WORKS_FOR``; nothing touching a
    record node.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("C1", label="Company"); G.add_node("B1", label="Building")
    >>> G.add_edge("C1", "B1", type="PART_OF")
    0
    >>> path_adjacency(G, dt.date(2026, 1, 1))["B1"]
    {'C1': [('PART_OF', '<-')]}
    >>> path_adjacency(G, dt.date(2026, 1, 1), colocation=False)
    {}
    """
    structural = [t for t in PATH_STRUCTURAL if colocation or t not in COLOCATION]
    labels = graph.nodes
    edges = ((u, v, kind) for u, v, kind in active_edges(graph, as_of, structural)
             if labels[u].get("label") not in RECORD_LABELS
             and labels[v].get("label") not in RECORD_LABELS)
    return _adjacency(edges)


def _adjacency(edges: Iterable[tuple[str, str, str]]) -> Adjacency:
    adjacency: Adjacency = {}
    for u, v, kind in edges:
        if u == v:
            continue
        adjacency.setdefault(u, {}).setdefault(v, []).append((kind, "->"))
        adjacency.setdefault(v, {}).setdefault(u, []).append((kind, "<-"))
    return adjacency


def shortest_path(adjacency: Adjacency, start: str, goal: str,
                  blocked: Iterable[str] = (), first_blocked: Iterable[str] = ()
                  ) -> list[str] | None:
    """Breadth-first shortest path visiting neighbours in id order (deterministic).

    Among the shortest paths this is the one whose sequence of ids is the smallest.
    ``blocked`` nodes are never entered; ``first_blocked`` nodes are not taken as the
    first step (Yen's spur search, :func:`shortest_paths`).

    Examples
    --------
    >>> adj = {"a": {"c": [], "b": []}, "b": {"a": [], "d": []},
    ...        "c": {"a": [], "d": []}, "d": {"b": [], "c": []}}
    >>> shortest_path(adj, "a", "d"), shortest_path(adj, "a", "z")
    (['a', 'b', 'd'], None)
    >>> shortest_path(adj, "a", "d", first_blocked=["b"])
    ['a', 'c', 'd']
    """
    parent: dict[str, str | None] = {start: None}
    parent.update((node, None) for node in blocked if node != start)
    skip_first = set(first_blocked)
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for neighbour in sorted(adjacency.get(node, {})):
            if neighbour not in parent and not (node == start and neighbour in skip_first):
                parent[neighbour] = node
                queue.append(neighbour)
    if goal not in parent or goal == start or parent[goal] is None:
        return [start] if goal == start else None
    nodes = [goal]
    while (previous := parent[nodes[-1]]) is not None:
        nodes.append(previous)
    return nodes[::-1]


def shortest_paths(adjacency: Adjacency, start: str, goal: str, k: int = 1) -> list[list[str]]:
    """The ``k`` shortest simple paths, shortest first, ties by smallest sequence of ids.

    Yen's algorithm (the one behind ``networkx.shortest_simple_paths``) whose spur
    searches are :func:`shortest_path`: every spur is the shortest one with the smallest
    ids, and candidates are taken by (length, ids), so the order is fully determined
    (networkx leaves equal-length paths in no documented order). Paths differ in their
    sequence of entities; parallel relationships between two entities are one hop.

    Examples
    --------
    A square a-b-d-c-a with a tail d-e:

    >>> adj = _adjacency([("a", "b", "X"), ("b", "d", "X"), ("a", "c", "X"),
    ...                   ("c", "d", "X"), ("d", "e", "X"), ("b", "c", "X")])
    >>> shortest_paths(adj, "a", "e", k=5)
    [['a', 'b', 'd', 'e'], ['a', 'c', 'd', 'e'], ['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'b', 'd', 'e']]
    """
    first = shortest_path(adjacency, start, goal) if start != goal else None
    if first is None:
        return []
    found = [first]
    candidates: list[tuple[int, tuple[str, ...]]] = []
    seen = {tuple(first)}
    while len(found) < k:
        last = found[-1]
        for i in range(len(last) - 1):
            root = last[:i + 1]
            used = {p[i + 1] for p in found if p[:i + 1] == root}
            spur = shortest_path(adjacency, last[i], goal, blocked=root[:-1], first_blocked=used)
            if spur is not None:
                candidate = tuple(root[:-1] + spur)
                if candidate not in seen:
                    seen.add(candidate)
                    heapq.heappush(candidates, (len(candidate), candidate))
        if not candidates:
            break
        found.append(list(heapq.heappop(candidates)[1]))
    return found


def path(source: Source, a: str, b: str,
         as_of: pd.Timestamp | dt.date | str | None = None, k: int = 1,
         colocation: bool = True, *, backend: Backend = "embedded",
         conn: Connection | None = None) -> pd.DataFrame:
    """The shortest connections between two entities (up to ``k`` alternatives).

    The network is undirected and holds active contract links plus the
    structural ``PART_OF``, ``LOCATED_IN``, ``CHILD_OF`` and ``WORKS_FOR``
    relationships (no visits, demands, assessments or population records).
    ``colocation=False`` leaves out ``PART_OF`` and ``LOCATED_IN``: sharing a
    building, grid or area is then no step, only relationships and
    membership/work ties are.

    The paths are the ``k`` shortest simple paths (no entity twice), shortest
    first; among equally long paths the one with the smallest sequence of ids
    first (:func:`shortest_paths`), so path 1 is the path breadth-first search
    in id order finds. Between two consecutive entities with several
    relationships, one running in path order (``->``) is preferred, then the
    alphabetically first type.

    On Neo4j, ``k=1`` is answered by Cypher alone (``allShortestPaths``, then the
    smallest ids); for ``k > 1`` the Cypher returns the active path network and
    the same :func:`shortest_paths` picks the paths (Cypher has no k shortest
    *simple* paths: ``SHORTEST k`` counts walks through parallel relationships and
    revisited entities, and orders ties arbitrarily). Both engines return the same
    frame.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    a, b : str
        Each an entity id or the exact name of one entity.
    as_of : pandas.Timestamp, datetime.date or str, optional
        The evaluation date for contract links (default today).
    k : int
        How many paths at most (default 1).
    colocation : bool
        Whether ``PART_OF`` / ``LOCATED_IN`` hops may be used (default True).
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``path`` (1, 2, ... shortest first), ``step`` (1, 2, ...),
        ``from_id``, ``from_name``, ``type``, ``direction`` (``"->"`` when the
        relationship runs from ``from_id`` to ``to_id``, ``"<-"`` otherwise),
        ``to_id``, ``to_name``. Empty when there is no connection (or ``a`` and
        ``b`` are the same).

    Raises
    ------
    ValueError
        When ``a`` or ``b`` is an unknown or ambiguous name, or ``k`` < 1.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> steps = path(load_dataset(), "京东健康", "上海戏剧学院", "2026-11-29", k=3)
    >>> int(steps["path"].max()), steps.loc[steps["path"] == 1, "to_name"].iloc[-1]
    (3, '上海戏剧学院')
    """
    return engine.run("path", source, as_of, backend, conn, a=a, b=b, k=k,
                      colocation=colocation)


def _k(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidParameterError(f"parameter k must be a whole number >= 1, got {value!r}")
    return value


def _colocation(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, bool):
        raise InvalidParameterError(f"parameter colocation must be true or false, got {value!r}")
    return value


def _path_frame(paths: list[list[str]], adjacency: Adjacency, names: Names) -> pd.DataFrame:
    rows = []
    for number, nodes in enumerate(paths, start=1):
        for step, (u, v) in enumerate(itertools.pairwise(nodes), start=1):
            kind, direction = min(adjacency[u][v], key=lambda e: (e[1] != "->", e[0]))
            rows.append((number, step, u, _name(names, u), kind, direction, v,
                         _name(names, v)))
    return pd.DataFrame(rows, columns=PATH_COLUMNS).astype({"path": "int64", "step": "int64"})


def _path_from_rows(query: Query, rows: pd.DataFrame, values: dict[str, Any]) -> pd.DataFrame:
    k = _k(values["k"])
    _colocation(values["colocation"])
    network = rows[rows["path"] == 0] if len(rows) else rows
    if not len(network):
        return rows
    names = dict(zip(network["from_id"], network["from_name"], strict=True))
    names.update(zip(network["to_id"], network["to_name"], strict=True))
    adjacency = _adjacency(zip(network["from_id"], network["to_id"], network["type"],
                               strict=True))
    return _path_frame(shortest_paths(adjacency, values["a"], values["b"], k), adjacency, names)


@register("path", "links", "最短联系路径", "Shortest connections",
          "The k shortest undirected simple paths between entities a and b (id or exact name) "
          "over active contract links and the structural CHILD_OF, WORKS_FOR and (when "
          "colocation is true) PART_OF, LOCATED_IN relationships; shortest first, ties by the "
          "smallest sequence of ids; one row per step with the path number, type and "
          "direction.", params=("a", "b", "k", "colocation"),
          definition_zh="两个主体或地点（编号或准确名称）之间最短的 k 条无向简单路径，经过在评估日有效的合同关系和"
                        "结构关系 CHILD_OF、WORKS_FOR 以及（colocation 为真时）PART_OF、LOCATED_IN；"
                        "由短到长，等长时按编号序列；每一步一行，含路径编号、关系类型和方向。",
          columns=tuple(PATH_COLUMNS), entity_params=("a", "b"),
          dtypes={"path": "int64", "step": "int64", "from_id": "str", "from_name": "str",
                  "type": "str", "direction": "str", "to_id": "str", "to_name": "str"},
          from_rows=_path_from_rows)
def _path(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None, a: str,
          b: str, k: int = 1, colocation: bool | None = None) -> pd.DataFrame:
    from graphmodel.sql_engine import sql_frame

    start, goal = resolve_entity(ds, a), resolve_entity(ds, b)
    edges = sql_frame(get_query("path"), ds, {"as_of": parse_as_of(as_of),
                                              "colocation": _colocation(colocation)})
    adjacency = _adjacency(zip(edges["from_id"], edges["to_id"], edges["type"], strict=True))
    return _path_frame(shortest_paths(adjacency, start, goal, _k(k)), adjacency, ds.names)


def format_path(frame: pd.DataFrame) -> str:
    """A path as one line: ``name -[TYPE]-> name <-[TYPE]- name ...``; several paths
    (a ``path`` column), one line each.

    Examples
    --------
    >>> steps = pd.DataFrame({"step": [1, 2], "from_id": ["C", "B"],
    ...                       "from_name": ["京东健康", "高和大厦"],
    ...                       "type": ["PART_OF", "LOCATED_IN"], "direction": ["->", "<-"],
    ...                       "to_id": ["B", "O"], "to_name": ["高和大厦", "党群服务站"]})
    >>> format_path(steps)
    '京东健康 -[PART_OF]-> 高和大厦 <-[LOCATED_IN]- 党群服务站'
    >>> format_path(steps.iloc[0:0])
    ''
    """
    if frame.empty:
        return ""
    if "path" in frame.columns and frame["path"].nunique() > 1:
        return "\n".join(format_path(part.drop(columns="path"))
                         for _, part in frame.groupby("path", sort=True))
    parts = [str(frame["from_name"].iloc[0])]
    for row in frame.itertuples(index=False):
        arrow = f"-[{row.type}]->" if row.direction == "->" else f"<-[{row.type}]-"
        parts += [arrow, str(row.to_name)]
    return " ".join(parts)
