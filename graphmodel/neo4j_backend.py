"""The Neo4j backend: an idempotent, dataset-scoped loader and the query runner.

Graph model in Neo4j (same as the embedded graph, see ``docs/schema.md``): every
node has the label ``Entity`` plus its own label, and the properties ``dataset``
and ``id``; ``(dataset, id)`` is unique, so one database holds many datasets
without collisions. Relationships carry the same types and properties as in
the embedded graph (:func:`graphmodel.graph.structural_edges` and friends, so both
backends hold the same edges), plus ``dataset``, a ``key`` (what makes them unique in the
dataset) and ``load_id`` (the load that last wrote them).

``PART_OF`` containment is the tree of the data contract (docs/data_contract.md):
``ResidentialArea -> Street``, residential ``Grid -> ResidentialArea``, business
``Grid -> Street``, ``Building -> Grid``, ``Company -> Building``; so "within p" is at
most three ``PART_OF`` hops down from p, and the containers of x at most three hops up.
Grid nodes keep ``street_id``, ``area_id`` (absent for a business grid) and ``kind``, and
carry one kind label among :data:`GRID_LABELS` (``ResidentialGrid``, ``BusinessGrid``)
for the Browser style. ``VISITED`` relationships carry ``status`` (``done`` or
``planned``); the queries count only ``done`` visits.

Loading is ``UNWIND``-batched Cypher with parameters only (labels and relationship
types come from :mod:`graphmodel.schema`, never from input): ``CREATE`` when the
dataset has no entity on the server yet (its first load: no lookups), else ``MERGE``,
so loading twice leaves the same graph as loading once. After a complete load,
relationships between entities of this load that the load did not write are
deleted (a company that moved buildings keeps one ``PART_OF``); ``sync=True``
also deletes entities of the dataset that are no longer in it.

A complete load stores a content fingerprint of every table (:func:`table_fingerprints`)
on the dataset's metadata node; reloading a dataset whose tables are unchanged writes
nothing (daily re-uploads of the same files cost the fingerprint and two lookups). A load
clears the stored fingerprint before its first write, so an interrupted load is never
mistaken for a complete one. First loads of big datasets into an empty database can use
:func:`graphmodel.neo4j_bulk.bulk_load` (``neo4j-admin database import``) instead.

Company nodes also carry their latest risk assessment in the dataset, whatever
its date (recomputed on every load, so a reload keeps it equal to the latest
assessment): the properties ``risk_level`` (1-5), ``risk_colour``,
``risk_label_zh`` and ``risk_assessed_on``, and one colour label among
:data:`RISK_LABELS` (``RiskGreen`` ... ``RiskRed``), because Neo4j Browser's
style sheet (GraSS) can select nodes by label only, never by property. A company
never assessed has none of them. Date-dependent questions (latest assessment *on*
``as_of``) are answered by the queries, not by these properties.

Queries: :func:`query_rows` runs a library query's Cypher
(``queries/<group>/<name>.cypher``) as is; :func:`graphmodel.engine.run` turns the rows
into the same frame as the embedded engine (for ``bridges`` the Cypher returns the actor
network projection, ranked in Python as Neo4j Community has no betweenness centrality).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import importlib
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import schema, settings
from graphmodel.dataset import Dataset
from graphmodel.errors import Neo4jError
from graphmodel.graph import entity_nodes, link_edges, structural_edges, visit_edges
from graphmodel.queries import Query, get_query, latest_assessments, parse_as_of

DEFAULT_BATCH_SIZE = 20000
"""Rows per write transaction: big enough that commits are a small part of a load, small
enough for the local server's 2 GB heap."""

DEFAULT_WRITERS = 3
"""Write transactions in flight at once (see :func:`load`)."""

LOADER_VERSION = 3
"""Part of every dataset fingerprint: a loader that writes a different graph from the same
tables bumps it, so the next load of an unchanged dataset writes again."""


def _one_line(exc: BaseException) -> str:
    """A driver exception as one line (its messages often span several)."""
    return " ".join(str(exc).split())


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Neo4j."""

    uri: str
    user: str
    password: str
    database: str


def connection_settings(uri: str | None = None, user: str | None = None,
                        password: str | None = None, database: str | None = None) -> Connection:
    """Connection settings: arguments, else ``NEO4J_*`` environment, else the local server.

    The environment variables and defaults are those of :mod:`graphmodel.settings`. The
    local server's generated password is read from its untracked file
    (``.neo4j/password``); credentials never live in code.
    """
    env = settings.neo4j_env()
    return Connection(
        uri=uri or env.get("uri") or settings.local_bolt_uri(),
        user=user or env.get("user") or settings.NEO4J_DEFAULTS.user,
        password=password or env.get("password") or _local_password(),
        database=database or env.get("database") or settings.NEO4J_DEFAULTS.database,
    )


def _local_password() -> str:
    """The local server's password (written by its first start), else ``""``."""
    path = settings.neo4j_home() / settings.NEO4J_DEFAULTS.password_file
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def open_driver(conn: Connection) -> Any:
    """Open a driver and check it can talk to the server, with one clear error if not."""
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    driver = neo4j.GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password))
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise Neo4jError(f"Neo4j 拒绝登录 / authentication failed for user {conn.user!r} at "
                         f"{conn.uri}: check NEO4J_USERNAME / NEO4J_PASSWORD") from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise Neo4jError(f"无法连接 Neo4j / cannot reach Neo4j at {conn.uri}: {_one_line(exc)}. Is the server "
                         "running? (make neo4j-start)") from None
    return driver


# ---------------------------------------------------------------------------
# Records to write
# ---------------------------------------------------------------------------


def _neo4j_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


RISK_LABELS = schema.RISK_LABELS

GRID_LABELS: dict[str, str] = {"residential": "ResidentialGrid", "business": "BusinessGrid"}
"""Neo4j label of a Grid by its canonical ``kind``: 平面网格 ``ResidentialGrid`` (a micro-grid
of a residential area), 立体网格 ``BusinessGrid`` (a business-district grid). The Browser
style selects on labels only, so the two kinds are told apart by these."""

EXTRA_LABELS = (*RISK_LABELS.values(), *GRID_LABELS.values())
"""Labels the loader sets beside a node's own label (and removes when they no longer hold)."""


def latest_risk(ds: Dataset) -> dict[str, dict[str, Any]]:
    """Each assessed company's latest assessment in the dataset (whatever its date).

    Returns ``{company_id: {"risk_level", "risk_colour", "risk_label_zh",
    "risk_assessed_on"}}``: the properties the loader sets on Company nodes.
    """
    latest = latest_assessments(ds)
    found = {}
    for company, day, level in zip(latest["company_id"], latest["assessed_on"], latest["level"],
                                   strict=True):
        info = schema.risk_level_info(int(level))
        found[company] = {"risk_level": int(level), "risk_colour": info.colour_en,
                          "risk_label_zh": info.label_zh, "risk_assessed_on": day.date()}
    return found


def node_rows(ds: Dataset) -> dict[str, list[dict[str, Any]]]:
    """Rows to write per label: ``{"id": ..., "props": {...}, "extra_label": ...}``.

    ``extra_label`` is the colour label of an assessed company (:data:`RISK_LABELS`) or
    the kind label of a grid (:data:`GRID_LABELS`), else None; companies also get the
    properties of :func:`latest_risk`.
    """
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    risk = latest_risk(ds)
    for node_id, attrs in entity_nodes(ds):
        label = attrs["label"]
        props = {k: _neo4j_value(v) for k, v in attrs.items() if k not in ("label", "id")}
        extra = None
        if label == "Company" and node_id in risk:
            props.update(risk[node_id])
            extra = RISK_LABELS[risk[node_id]["risk_level"]]
        elif label == "Grid":
            extra = GRID_LABELS.get(str(props.get("kind")))
        rows[label].append({"id": node_id, "props": props, "extra_label": extra})
    return rows


def relationship_rows(ds: Dataset) -> dict[str, list[dict[str, Any]]]:
    """Rows to write per relationship type, each with a ``key`` unique in the dataset."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source, target, attrs in structural_edges(ds):
        rows[attrs["type"]].append({"src": source, "dst": target, "key": "", "props": {}})
    for source, target, attrs in link_edges(ds):
        props = {k: v for k, v in attrs.items() if k != "type"}
        since = props.get("since")
        rows[attrs["type"]].append({"src": source, "dst": target, "props": props,
                                    "key": since.isoformat() if since else ""})
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    for source, target, attrs in visit_edges(ds):
        props = {k: v for k, v in attrs.items() if k != "type"}
        # every visit is its own relationship: those of one visitor to one target on one day
        # (identical rows, or another purpose or status) are numbered in file order
        identity = (source, target, props.get("date"))
        seen[identity] += 1
        key = f"{props['date'].isoformat()}#{seen[identity]}"
        rows["VISITED"].append({"src": source, "dst": target, "props": props, "key": key})
    return rows


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


# ---------------------------------------------------------------------------
# Cypher of the loader (labels and types are from the schema, values are parameters)
# ---------------------------------------------------------------------------

CONSTRAINTS = (
    "CREATE CONSTRAINT entity_dataset_id IF NOT EXISTS FOR (n:Entity) "
    "REQUIRE (n.dataset, n.id) IS UNIQUE",
    "CREATE INDEX entity_dataset IF NOT EXISTS FOR (n:Entity) ON (n.dataset)",
    "CREATE INDEX dataset_meta IF NOT EXISTS FOR (n:GraphmodelDataset) ON (n.name)",
    # risk_without_followup seeks the orange and red assessments, a small share of them all
    "CREATE INDEX riskassessment_dataset_level IF NOT EXISTS FOR (n:RiskAssessment) "
    "ON (n.dataset, n.level)",
)


def _label_indexes() -> list[str]:
    return [f"CREATE INDEX {label.lower()}_dataset_id IF NOT EXISTS FOR (n:{label}) "
            "ON (n.dataset, n.id)" for label in schema.NODE_LABELS]


def _node_cypher(label: str, extra_label: str | None = None, create: bool = False) -> str:
    """``MERGE`` a label's rows (``create``: ``CREATE`` them, for a dataset not on the server)."""
    assert label in schema.NODE_LABELS
    assert extra_label is None or extra_label in EXTRA_LABELS
    labels = label + (f":{extra_label}" if extra_label else "")
    if create:
        return (f"UNWIND $rows AS row CREATE (n:Entity:{labels}) "
                "SET n = row.props, n.dataset = $dataset, n.id = row.id, n.load_id = $load_id")
    others = ":".join([*(other for other in schema.NODE_LABELS if other != label),
                       *EXTRA_LABELS])
    return (f"UNWIND $rows AS row MERGE (n:Entity {{dataset: $dataset, id: row.id}}) "
            f"SET n = row.props, n.dataset = $dataset, n.id = row.id, n.load_id = $load_id "
            f"REMOVE n:{others} SET n:{labels}")


def _relationship_cypher(rel_type: str, create: bool = False, start: str = "Entity",
                         end: str = "Entity") -> str:
    """``MERGE`` a type's rows by ``key`` (``create``: ``CREATE`` them, ends new this load).

    ``start`` and ``end`` are the labels of the rows' ends when known: each label's own
    ``(dataset, id)`` index is smaller than ``Entity``'s, and its lookups about twice as fast.
    """
    assert rel_type in schema.ALL_REL_TYPES
    assert {start, end} <= {"Entity", *schema.NODE_LABELS}
    write = (f"CREATE (a)-[r:{rel_type}]->(b)" if create
             else f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b)")
    return ("UNWIND $rows AS row "
            f"MATCH (a:{start} {{dataset: $dataset, id: row.src}}) "
            f"MATCH (b:{end} {{dataset: $dataset, id: row.dst}}) "
            f"{write} "
            "SET r = row.props, r.key = row.key, r.dataset = $dataset, r.load_id = $load_id")


def _node_work(label: str, extra_label: str | None, rows: list[dict[str, Any]],
               create: bool) -> Statement:
    """The statement writing one label's rows (with one extra label)."""
    statement = _created_nodes(label, extra_label, rows) if create else None
    return statement or (_node_cypher(label, extra_label, create), rows)


def _relationship_work(rels: dict[str, list[dict[str, Any]]],
                       nodes: dict[str, list[dict[str, Any]]], create: bool) -> list[Statement]:
    """The statements writing ``rels``, one per type and pair of end labels."""
    label_of = {row["id"]: label for label, rows in nodes.items() for row in rows}
    work = []
    for rel_type, rows in rels.items():
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in _unique_relationships(rows) if create else rows:
            groups[label_of.get(row["src"], "Entity"),
                   label_of.get(row["dst"], "Entity")].append(row)
        for (start, end), group in groups.items():
            statement = _created_relationships(rel_type, start, end, group) if create else None
            work.append(statement or (_relationship_cypher(rel_type, create, start, end), group))
    return work


# A first load sends each row as a list of values, not a map: the driver packs and the
# server reads a list about twice as fast, and a new node or relationship has no old
# property to remove (what ``SET n = row.props`` is for). Property names are then part of
# the Cypher text, so only plain names take this path (the schema's columns all are).
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OWN_KEYS = frozenset({"id", "dataset", "load_id", "key"})


def _property_names(rows: list[dict[str, Any]]) -> list[str] | None:
    """The rows' property names in first-seen order; None if one is not a plain name."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row["props"]))
    if not all(_PLAIN_NAME.fullmatch(name) and name not in _OWN_KEYS for name in names):
        return None
    return list(names)


def _value_map(names: list[str], first: int, fixed: str) -> str:
    """A Cypher map literal of ``fixed`` entries and ``name: row[i]`` (null values are
    not stored by ``CREATE``)."""
    return "{" + ", ".join([fixed, *(f"{name}: row[{first + i}]"
                                     for i, name in enumerate(names))]) + "}"


def _created_nodes(label: str, extra_label: str | None,
                   rows: list[dict[str, Any]]) -> Statement | None:
    names = _property_names(rows)
    if names is None:
        return None
    assert label in schema.NODE_LABELS
    assert extra_label is None or extra_label in EXTRA_LABELS
    labels = label + (f":{extra_label}" if extra_label else "")
    props = _value_map(names, 1, "dataset: $dataset, id: row[0], load_id: $load_id")
    return (f"UNWIND $rows AS row CREATE (n:Entity:{labels} {props})",
            [[row["id"], *map(row["props"].get, names)] for row in rows])


def _created_relationships(rel_type: str, start: str, end: str,
                           rows: list[dict[str, Any]]) -> Statement | None:
    names = _property_names(rows)
    if names is None:
        return None
    assert rel_type in schema.ALL_REL_TYPES
    assert {start, end} <= {"Entity", *schema.NODE_LABELS}
    props = _value_map(names, 3, "key: row[2], dataset: $dataset, load_id: $load_id")
    return ("UNWIND $rows AS row "
            f"MATCH (a:{start} {{dataset: $dataset, id: row[0]}}) "
            f"MATCH (b:{end} {{dataset: $dataset, id: row[1]}}) "
            f"CREATE (a)-[r:{rel_type} {props}]->(b)",
            [[row["src"], row["dst"], row["key"], *map(row["props"].get, names)]
             for row in rows])


def _unique_relationships(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows ``MERGE`` would leave: one per (src, dst, key), the last one's properties."""
    kept = {(row["src"], row["dst"], row["key"]): row for row in rows}
    return rows if len(kept) == len(rows) else list(kept.values())


# ---------------------------------------------------------------------------
# Fingerprints: what makes a reload of unchanged tables free
# ---------------------------------------------------------------------------


def table_fingerprints(ds: Dataset) -> dict[str, str]:
    """A content fingerprint per table: equal tables (columns, types, cells, row order)
    give equal fingerprints, and any changed cell changes its table's.

    Examples
    --------
    >>> import pandas as pd
    >>> a = Dataset("a", Path("."), {"t": pd.DataFrame({"id": ["x", "y"], "n": [1, 2]})})
    >>> b = Dataset("b", Path("."), {"t": pd.DataFrame({"id": ["x", "y"], "n": [1, 3]})})
    >>> table_fingerprints(a) == table_fingerprints(a), table_fingerprints(a) == table_fingerprints(b)
    (True, False)
    """
    found = {}
    for name in sorted(ds.tables):
        frame = ds.tables[name]
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        if len(frame):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        found[name] = digest.hexdigest()
    return found


def dataset_fingerprint(tables: dict[str, str]) -> str:
    """One fingerprint for the whole load: the tables' plus the loader and contract versions."""
    text = repr((LOADER_VERSION, schema.CONTRACT_VERSION, sorted(tables.items())))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


STALE_RELATIONSHIPS = (
    "MATCH (a:Entity {dataset: $dataset, load_id: $load_id})-[r]->"
    "(b:Entity {dataset: $dataset, load_id: $load_id}) "
    "WHERE r.load_id IS NULL OR r.load_id <> $load_id "
    "WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted"
)
STALE_NODES = (
    "MATCH (n:Entity {dataset: $dataset}) WHERE n.load_id <> $load_id "
    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
)


@dataclass
class LoadResult:
    """What a load wrote (``unchanged``: nothing, the server already held these tables)."""

    dataset: str
    nodes: int
    relationships: int
    deleted_relationships: int
    deleted_nodes: int
    seconds: float
    unchanged: bool = False


def load(ds: Dataset, conn: Connection | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
         sync: bool = False, progress: bool = True, writers: int = DEFAULT_WRITERS) -> LoadResult:
    """Load a validated dataset into Neo4j, idempotently.

    The first load of a dataset creates its nodes and relationships (``CREATE``); later loads
    ``MERGE`` them, and a load of tables equal to the last complete load's (same
    :func:`table_fingerprints`, same loader) writes nothing and returns at once with
    ``unchanged=True``. Each transaction holds about ``batch_size`` rows: a load stopped
    half-way leaves part of the new rows written and the dataset marked incomplete (no
    fingerprint); re-running it converges to the right graph.

    Parameters
    ----------
    ds : Dataset
        A dataset that passed validation (loading never starts otherwise).
    conn : Connection, optional
        Defaults to :func:`connection_settings` (environment, else local server).
    batch_size : int
        Rows per ``UNWIND`` transaction.
    sync : bool
        Also delete entities of this dataset that are no longer in it.
    progress : bool
        Show a progress bar on stderr (once the load has run for a second).
    writers : int
        Transactions sent at the same time, each on its own session: while the server
        writes one batch the next is being packed and sent.

    Returns
    -------
    LoadResult
        Counts written and deleted (for an unchanged dataset: the counts on the server).
    """
    import time

    from graphmodel import _progress

    conn = conn or connection_settings()
    started = time.perf_counter()
    with _progress.step("fingerprint"):
        tables = table_fingerprints(ds)
        fingerprint = dataset_fingerprint(tables)
    driver = open_driver(conn)
    try:
        with driver.session(database=conn.database) as session:
            _ensure_schema(session)
            state = _stored_state(session, ds.name)
            if _unchanged(state, fingerprint, sync):
                return LoadResult(ds.name, state["nodes"], state["relationships"], 0, 0,
                                  time.perf_counter() - started, unchanged=True)
            existed = state["entities"] > 0
            if state["fingerprint"] is not None:  # from here on the server holds another state
                session.run(FORGET_FINGERPRINT, dataset=ds.name).consume()
            with _progress.step("prepare"):
                nodes = node_rows(ds)
                rels = relationship_rows(ds)
            load_id = uuid.uuid4().hex
            n_nodes = sum(map(len, nodes.values()))
            n_rels = sum(map(len, rels.values()))
            create = not existed
            node_work = [_node_work(label, extra, group, create)
                         for label, rows in nodes.items()
                         for extra, group in _by_extra_label(rows).items()]
            rel_work = _relationship_work(rels, nodes, create)
            with _progress.step("write"), _progress.bar(
                    total=n_nodes + n_rels, unit="rec", desc=f"写入 loading {ds.name}",
                    show=progress) as bar:
                # every node is committed before the first relationship looks its ends up
                for work in (node_work, rel_work):
                    _write(driver, conn.database, _transactions(work, batch_size), ds.name,
                           load_id, bar, writers)
            with _progress.step("cleanup"):
                # Stale relationships can only exist when the dataset was there before this load.
                deleted_rels = (_delete_in_batches(session, STALE_RELATIONSHIPS, ds.name,
                                                   load_id) if existed else 0)
                deleted_nodes = (_delete_in_batches(session, STALE_NODES, ds.name, load_id)
                                 if sync and existed else 0)
            session.run(DATASET_META, dataset=ds.name, source=_source(ds),
                        contract_version=schema.CONTRACT_VERSION, nodes=n_nodes, rels=n_rels,
                        load_id=load_id, fingerprint=fingerprint,
                        tables=[f"{name}:{value}" for name, value in tables.items()],
                        synced=sync or not existed).consume()
    except _driver_errors() as exc:
        raise Neo4jError(f"写入 Neo4j 中断 / load into Neo4j interrupted: {_one_line(exc)}. Re-run the load: "
                         "it converges to the right graph.") from None
    finally:
        driver.close()
    return LoadResult(ds.name, n_nodes, n_rels, deleted_rels, deleted_nodes,
                      time.perf_counter() - started)


STORED_STATE = """
OPTIONAL MATCH (m:GraphmodelDataset {name: $dataset})
RETURN properties(m) AS meta, COUNT { MATCH (n:Entity {dataset: $dataset}) } AS entities
"""
FORGET_FINGERPRINT = """
MATCH (m:GraphmodelDataset {name: $dataset}) REMOVE m.fingerprint, m.table_fingerprints
"""


def _stored_state(session: Any, dataset: str) -> dict[str, Any]:
    """What the server holds of ``dataset``: its fingerprint and counts, and its entities.

    (``properties(m)`` rather than ``m.fingerprint``: no warning from a server that has
    never stored a fingerprint.)
    """
    record = session.run(STORED_STATE, dataset=dataset).single()
    meta = record["meta"] or {}
    return {"fingerprint": meta.get("fingerprint"), "synced": bool(meta.get("synced")),
            "nodes": meta.get("nodes"), "relationships": meta.get("relationships"),
            "entities": record["entities"]}


def _unchanged(state: dict[str, Any], fingerprint: str, sync: bool) -> bool:
    """Whether the server holds exactly this load: same fingerprint and every entity there
    (entities of older loads are left only without ``sync``, and a ``sync`` load removes
    them once)."""
    if state["fingerprint"] != fingerprint:
        return False
    if state["synced"]:
        return state["entities"] == state["nodes"]
    return not sync and state["entities"] >= state["nodes"]


DATASET_META = """
MERGE (m:GraphmodelDataset {name: $dataset})
SET m.source = $source, m.contract_version = $contract_version, m.loaded_at = datetime(),
    m.nodes = $nodes, m.relationships = $rels, m.load_id = $load_id,
    m.fingerprint = $fingerprint, m.table_fingerprints = $tables, m.synced = $synced
"""
"""One metadata node per dataset (not an ``Entity``): where it was loaded from, under which
contract version and when, its counts and its fingerprints (``table_fingerprints`` as
``"table:fingerprint"`` strings; ``synced``: no entity of an older load left); :func:`datasets`
lists them, :func:`delete_dataset` removes it."""


def _source(ds: Dataset) -> str:
    """The file or directory the dataset was read from, as an absolute path."""
    try:
        return str(Path(ds.path).resolve())
    except (OSError, RuntimeError):
        return str(ds.path)


def _driver_errors() -> tuple[type[BaseException], ...]:
    from neo4j.exceptions import DriverError
    from neo4j.exceptions import Neo4jError as DriverNeo4jError

    return (DriverError, DriverNeo4jError, OSError)


Statement = tuple[str, list[dict[str, Any]]]


def _by_extra_label(rows: list[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["extra_label"]].append(row)
    return groups


def _transactions(work: list[Statement], batch_size: int) -> Iterator[list[Statement]]:
    """Pack statements into transactions of about ``batch_size`` rows, in order.

    Small groups (a label with a few rows) share a transaction instead of paying
    a commit each; nodes come before relationships, so a relationship's ends
    exist when it is merged (earlier writes are visible later in a transaction).
    """
    chunk: list[Statement] = []
    size = 0
    for cypher, rows in work:
        for batch in _batches(rows, batch_size):
            if chunk and size + len(batch) > batch_size:
                yield chunk
                chunk, size = [], 0
            chunk.append((cypher, batch))
            size += len(batch)
    if chunk:
        yield chunk


def _write(driver: Any, database: str, chunks: Iterable[list[Statement]], dataset: str,
           load_id: str, bar: Any, writers: int) -> None:
    """Commit ``chunks`` with up to ``writers`` transactions in flight; the first failure
    stops the rest and is raised (a deadlock between two writers is retried by the driver)."""
    import threading
    from concurrent.futures import FIRST_COMPLETED, FIRST_EXCEPTION, ThreadPoolExecutor, wait

    lock = threading.Lock()

    def commit(chunk: list[Statement]) -> None:
        with driver.session(database=database) as session:
            session.execute_write(_run_chunk, chunk, dataset, load_id)
        with lock:
            bar.update(sum(len(rows) for _, rows in chunk))

    if writers <= 1:
        for chunk in chunks:
            commit(chunk)
        return
    with ThreadPoolExecutor(max_workers=writers) as pool:
        pending: set[Any] = set()
        for chunk in chunks:
            if len(pending) >= writers:  # bounded: rows are packed only when a writer is free
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
            pending.add(pool.submit(commit, chunk))
        done, pending = wait(pending, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in done:
            future.result()


def _run_chunk(tx: Any, chunk: list[Statement], dataset: str, load_id: str) -> None:
    for cypher, rows in chunk:
        tx.run(cypher, rows=rows, dataset=dataset, load_id=load_id).consume()


def _ensure_schema(session: Any) -> None:
    """Create the constraint and indexes the loader and queries rely on, unless present."""
    # A uniqueness constraint is backed by an index of the same name.
    existing = {record["name"] for record in session.run("SHOW INDEXES YIELD name")}
    for statement in (*CONSTRAINTS, *_label_indexes()):
        name = statement.split()[2]  # CREATE CONSTRAINT|INDEX <name> IF NOT EXISTS ...
        if name not in existing:
            session.run(statement).consume()


def _delete_in_batches(session: Any, cypher: str, dataset: str, load_id: str,
                       limit: int = 10000) -> int:
    deleted = 0
    while True:
        count = session.execute_write(lambda tx: tx.run(cypher, dataset=dataset, load_id=load_id,
                                                        limit=limit).single()["deleted"])
        deleted += count
        if count < limit:
            return deleted


# ---------------------------------------------------------------------------
# Reading back
# ---------------------------------------------------------------------------


DATASETS = """
MATCH (m:GraphmodelDataset)
OPTIONAL MATCH (n:Entity {dataset: m.name})
WITH m, count(n) AS entities
RETURN m.name AS dataset, entities, m.relationships AS relationships,
       m.source AS source, m.contract_version AS contract_version,
       toString(datetime.truncate('second', m.loaded_at)) AS loaded_at
ORDER BY dataset
"""


def datasets(conn: Connection | None = None) -> pd.DataFrame:
    """The datasets loaded in the database, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset``, ``entities``, ``relationships``, ``source`` (the file or
        directory it was loaded from), ``contract_version`` (of the data contract it was
        loaded under) and ``loaded_at`` (stored in UTC, shown in the configured time zone,
        Asia/Shanghai by default, to the second). ``source`` and ``contract_version`` are
        empty for a dataset loaded before they were recorded.
    """
    frame = run_cypher(DATASETS, {}, conn)
    if len(frame) and "loaded_at" in frame:
        frame["loaded_at"] = frame["loaded_at"].map(_local_time)
    return frame


def _local_time(text: Any) -> Any:
    """A stored UTC time stamp as the street sees it (``settings.timezone``)."""
    if not isinstance(text, str) or not text:
        return text
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return stamp.astimezone(settings.timezone()).isoformat(timespec="seconds")


def dataset_names(conn: Connection | None = None) -> list[str]:
    """The names of the datasets loaded in the database, sorted."""
    return [str(name) for name in datasets(conn)["dataset"]]


def dataset_loaded(dataset: str, conn: Connection | None = None) -> bool:
    """Whether anything of ``dataset`` is in the database.

    Its metadata node, or any entity: a load interrupted before its end leaves entities
    without the metadata node, and they can still be deleted with :func:`delete_dataset`.
    """
    cypher = ("RETURN EXISTS { MATCH (:GraphmodelDataset {name: $dataset}) } "
              "OR EXISTS { MATCH (n:Entity {dataset: $dataset}) WHERE n.id IS NOT NULL } "
              "AS found")
    return bool(run_cypher(cypher, {"dataset": dataset}, conn).at[0, "found"])


_DRIVERS: dict[Connection, Any] = {}


def _shared_driver(conn: Connection) -> Any:
    """One driver per connection, opened (and checked) on first use, closed at exit."""
    driver = _DRIVERS.get(conn)
    if driver is None:
        driver = open_driver(conn)
        if not _DRIVERS:
            atexit.register(close_drivers)
        _DRIVERS[conn] = driver
    return driver


def close_drivers() -> None:
    """Close the drivers kept by :func:`run_cypher` (done automatically at exit)."""
    while _DRIVERS:
        _, driver = _DRIVERS.popitem()
        driver.close()


def run_cypher(cypher: str, params: dict[str, Any], conn: Connection | None = None) -> pd.DataFrame:
    """Run read-only Cypher with parameters and return the records as a DataFrame.

    The driver is kept for the next call on the same connection (one connection
    check per process instead of one per query).
    """
    from neo4j.exceptions import ServiceUnavailable, SessionExpired

    conn = conn or connection_settings()
    driver = _shared_driver(conn)
    try:
        records, _, keys = driver.execute_query(cypher, params, database_=conn.database,
                                                routing_="r")
    except (ServiceUnavailable, SessionExpired) as exc:
        _DRIVERS.pop(conn, None)
        driver.close()
        raise Neo4jError(f"无法连接 Neo4j / cannot reach Neo4j at {conn.uri}: {_one_line(exc)}. Is the "
                         "server running? (make neo4j-start)") from None
    except _driver_errors() as exc:
        raise Neo4jError(f"Neo4j 查询失败 / query failed: {_one_line(exc)}") from None
    return pd.DataFrame([r.values() for r in records], columns=keys)


def delete_dataset(dataset: str, conn: Connection | None = None, limit: int = 10000) -> int:
    """Delete every node and relationship of one dataset, and its entry in :func:`datasets`.

    Deletes in batches of ``limit`` nodes (``DETACH DELETE``); other datasets are
    untouched. Returns the number of nodes deleted.
    """
    conn = conn or connection_settings()
    driver = _shared_driver(conn)
    cypher = ("MATCH (n:Entity {dataset: $dataset}) WITH n LIMIT $limit DETACH DELETE n "
              "RETURN count(*) AS deleted")
    deleted = 0
    try:
        while True:
            records, _, _ = driver.execute_query(cypher, dataset=dataset, limit=limit,
                                                 database_=conn.database)
            deleted += records[0]["deleted"]
            if records[0]["deleted"] < limit:
                break
        driver.execute_query("MATCH (m:GraphmodelDataset {name: $dataset}) DELETE m",
                             dataset=dataset, database_=conn.database)
    except _driver_errors() as exc:
        raise Neo4jError(f"Neo4j 删除失败 / delete failed: {_one_line(exc)}") from None
    return deleted


def _plain(value: Any) -> Any:
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def query_rows(query: Query, dataset: str, as_of: dt.date, conn: Connection | None,
               values: dict[str, Any]) -> pd.DataFrame:
    """The rows of ``query``'s Cypher for one dataset, with Neo4j temporal values turned
    into Python ones; ``values`` are the query's resolved parameters
    (:meth:`~graphmodel.queries.Query.resolve`). :func:`graphmodel.engine.run` turns them
    into the query's output."""
    frame = run_cypher(query.cypher(), {**values, "dataset": dataset, "as_of": as_of}, conn)
    return frame.apply(lambda column: column.map(_plain)) if len(frame) else frame


def run_query(name: str, dataset: str, as_of: dt.date | str | None = None,
              conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """Run a library query's Cypher on Neo4j for one dataset, as is.

    For ``bridges`` the rows are the actor network projection; every query's output (the
    same frame as the embedded engine) comes from :func:`graphmodel.engine.run`.

    Parameters
    ----------
    name : str
        A query name from :mod:`graphmodel.queries`.
    dataset : str
        The dataset name it was loaded under.
    as_of : datetime.date or str, optional
        Evaluation date (default today), passed as the Cypher ``date`` ``$as_of``.
    conn : Connection, optional
        Connection settings (default from the environment).
    **params
        The query's parameters (defaults of :attr:`Query.defaults`; a gap takes any of
        the five gap parameters).

    Returns
    -------
    pandas.DataFrame
        The query's rows, with Neo4j temporal values turned into Python ones.
    """
    query = get_query(name)
    return query_rows(query, dataset, parse_as_of(as_of), conn, query.resolve(**params))


ENTITY_CANDIDATES = (
    "MATCH (n:Entity {dataset: $dataset}) "
    "WHERE n.id IS NOT NULL AND (n.id = $text OR n.name CONTAINS $text) "
    "AND NOT (n:RiskAssessment OR n:Population) "
    "RETURN n.id AS id, n.name AS name, [l IN labels(n) WHERE l IN $labels][0] AS label "
    "ORDER BY id"
)


def entity_candidates(dataset: str, text: str, conn: Connection | None = None) -> pd.DataFrame:
    """Entities of ``dataset`` whose id is ``text`` or whose name contains it (``id``,
    ``name``, ``label``), for :func:`graphmodel.engine.resolve_entity`."""
    frame = run_cypher(ENTITY_CANDIDATES, {"dataset": dataset, "text": text,
                                           "labels": list(schema.NODE_LABELS)}, conn)
    return frame.reindex(columns=["id", "name", "label"])


# ---------------------------------------------------------------------------
# Former entry points, kept for their callers: graphmodel.engine.run does the work
# ---------------------------------------------------------------------------


def _engine() -> Any:
    # The engine imports this module; reaching it by name keeps the imports one way.
    return importlib.import_module("graphmodel.engine")


def gaps(dataset: str, as_of: dt.date | str | None = None,
         only: Iterable[str] | str | None = None,
         conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """The coverage gaps on Neo4j: ``graphmodel.gaps(dataset, ..., backend="neo4j")``."""
    return importlib.import_module("graphmodel.gaps").gaps(dataset, as_of, only,
                                                           backend="neo4j", conn=conn, **params)


def library_query(name: str, dataset: str, as_of: dt.date | str | None = None,
                  conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """Any library query on Neo4j, with the output of the embedded engine
    (:func:`graphmodel.engine.run` with ``backend="neo4j"``)."""
    return _engine().run(name, dataset, as_of, "neo4j", conn, **params)


run_links_query = library_query
run_risk_query = library_query
