"""The Neo4j backend: an idempotent, dataset-scoped loader and the query runner.

Graph model in Neo4j (same as the embedded graph, see ``docs/schema.md``): every
node has the label ``Entity`` plus its own label, and the properties ``dataset``
and ``id``; ``(dataset, id)`` is unique, so one database holds many datasets
without collisions. Relationships carry the same types and properties as in
the embedded graph, plus ``dataset``, a ``key`` (what makes them unique in the
dataset) and ``load_id`` (the load that last wrote them).

Loading is ``UNWIND``-batched ``MERGE`` with parameters only (labels and
relationship types come from :mod:`graphmodel.schema`, never from input), so
loading twice leaves the same graph as loading once. After a complete load,
relationships between entities of this load that the load did not write are
deleted (a company that moved buildings keeps one ``PART_OF``); ``sync=True``
also deletes entities of the dataset that are no longer in it.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel.dataset import Dataset
from graphmodel.graph import entity_nodes, link_edges, structural_edges, visit_edges

DEFAULT_BATCH_SIZE = 5000


class Neo4jError(RuntimeError):
    """A Neo4j problem explained in one line (wrong password, unreachable server...)."""


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

    The local server's generated password is read from its untracked file
    (``.neo4j/password``); credentials never live in code.
    """
    local: dict[str, str] = {}
    if not (password or os.environ.get("NEO4J_PASSWORD")):
        from graphmodel import server

        local = server.credentials()
    return Connection(
        uri=uri or os.environ.get("NEO4J_URI") or local.get("uri", "bolt://127.0.0.1:7687"),
        user=user or os.environ.get("NEO4J_USERNAME") or local.get("user", "neo4j"),
        password=password or os.environ.get("NEO4J_PASSWORD") or local.get("password", ""),
        database=database or os.environ.get("NEO4J_DATABASE") or local.get("database", "neo4j"),
    )


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
        raise Neo4jError(f"无法连接 Neo4j / cannot reach Neo4j at {conn.uri}: {exc}. Is the server "
                         "running? (make neo4j-start)") from None
    return driver


# ---------------------------------------------------------------------------
# Records to write
# ---------------------------------------------------------------------------


def _neo4j_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def node_rows(ds: Dataset) -> dict[str, list[dict[str, Any]]]:
    """Rows to write per label: ``{"id": ..., "props": {...}}``."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node_id, attrs in entity_nodes(ds):
        label = attrs["label"]
        props = {k: _neo4j_value(v) for k, v in attrs.items() if k not in ("label", "id")}
        rows[label].append({"id": node_id, "props": props})
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
        identity = (source, target, props.get("date"), props.get("purpose"))
        seen[identity] += 1  # identical visit rows are distinct visits: number them
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
)


def _label_indexes() -> list[str]:
    return [f"CREATE INDEX {label.lower()}_dataset_id IF NOT EXISTS FOR (n:{label}) "
            "ON (n.dataset, n.id)" for label in schema.NODE_LABELS]


def _node_cypher(label: str) -> str:
    assert label in schema.NODE_LABELS
    others = ":".join(other for other in schema.NODE_LABELS if other != label)
    return (f"UNWIND $rows AS row MERGE (n:Entity {{dataset: $dataset, id: row.id}}) "
            f"SET n = row.props, n.dataset = $dataset, n.id = row.id, n.load_id = $load_id "
            f"REMOVE n:{others} SET n:{label}")


def _relationship_cypher(rel_type: str) -> str:
    assert rel_type in schema.ALL_REL_TYPES
    return ("UNWIND $rows AS row "
            "MATCH (a:Entity {dataset: $dataset, id: row.src}) "
            "MATCH (b:Entity {dataset: $dataset, id: row.dst}) "
            f"MERGE (a)-[r:{rel_type} {{key: row.key}}]->(b) "
            "SET r = row.props, r.key = row.key, r.dataset = $dataset, r.load_id = $load_id")


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
    """What a load wrote."""

    dataset: str
    nodes: int
    relationships: int
    deleted_relationships: int
    deleted_nodes: int
    seconds: float


def load(ds: Dataset, conn: Connection | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
         sync: bool = False, progress: bool = True) -> LoadResult:
    """Load a validated dataset into Neo4j, idempotently.

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
        Show a progress bar on stderr.

    Returns
    -------
    LoadResult
        Counts written and deleted.
    """
    import time

    from tqdm import tqdm

    conn = conn or connection_settings()
    started = time.perf_counter()
    nodes = node_rows(ds)
    rels = relationship_rows(ds)
    load_id = uuid.uuid4().hex
    total = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
    driver = open_driver(conn)
    try:
        with driver.session(database=conn.database) as session:
            for statement in (*CONSTRAINTS, *_label_indexes()):
                session.run(statement).consume()
            with tqdm(total=total, unit="rec", desc=f"loading {ds.name}", disable=not progress,
                      leave=False) as bar:
                for label, rows in nodes.items():
                    _write(session, _node_cypher(label), rows, ds.name, load_id, batch_size, bar)
                for rel_type, rows in rels.items():
                    _write(session, _relationship_cypher(rel_type), rows, ds.name, load_id,
                           batch_size, bar)
            deleted_rels = _delete_in_batches(session, STALE_RELATIONSHIPS, ds.name, load_id)
            deleted_nodes = _delete_in_batches(session, STALE_NODES, ds.name, load_id) if sync else 0
            session.run("MERGE (m:GraphmodelDataset {name: $dataset}) SET m.loaded_at = "
                        "datetime(), m.nodes = $nodes, m.relationships = $rels, m.load_id = "
                        "$load_id", dataset=ds.name, nodes=sum(map(len, nodes.values())),
                        rels=sum(map(len, rels.values())), load_id=load_id).consume()
    except _driver_errors() as exc:
        raise Neo4jError(f"写入 Neo4j 中断 / load into Neo4j interrupted: {exc}. Re-run the load: "
                         "it converges to the right graph.") from None
    finally:
        driver.close()
    return LoadResult(ds.name, sum(map(len, nodes.values())), sum(map(len, rels.values())),
                      deleted_rels, deleted_nodes, time.perf_counter() - started)


def _driver_errors() -> tuple[type[BaseException], ...]:
    from neo4j.exceptions import DriverError
    from neo4j.exceptions import Neo4jError as DriverNeo4jError

    return (DriverError, DriverNeo4jError, OSError)


def _write(session: Any, cypher: str, rows: list[dict[str, Any]], dataset: str, load_id: str,
           batch_size: int, bar: Any) -> None:
    for batch in _batches(rows, batch_size):
        session.execute_write(lambda tx, b=batch: tx.run(cypher, rows=b, dataset=dataset,
                                                         load_id=load_id).consume())
        bar.update(len(batch))


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


def datasets(conn: Connection | None = None) -> pd.DataFrame:
    """The datasets loaded in the database, with entity counts and load time."""
    cypher = ("MATCH (m:GraphmodelDataset) OPTIONAL MATCH (n:Entity {dataset: m.name}) "
              "WITH m, count(n) AS entities RETURN m.name AS dataset, entities, "
              "m.relationships AS relationships, toString(m.loaded_at) AS loaded_at "
              "ORDER BY dataset")
    return run_cypher(cypher, {}, conn)


def run_cypher(cypher: str, params: dict[str, Any], conn: Connection | None = None) -> pd.DataFrame:
    """Run read-only Cypher with parameters and return the records as a DataFrame."""
    conn = conn or connection_settings()
    driver = open_driver(conn)
    try:
        records, _, keys = driver.execute_query(cypher, params, database_=conn.database,
                                                routing_="r")
    except _driver_errors() as exc:
        raise Neo4jError(f"Neo4j 查询失败 / query failed: {exc}") from None
    finally:
        driver.close()
    return pd.DataFrame([r.values() for r in records], columns=keys)


def _plain(value: Any) -> Any:
    if hasattr(value, "to_native"):
        return value.to_native()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_query(name: str, dataset: str, as_of: dt.date | str | None = None,
              conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """Run a library query's Cypher on Neo4j for one dataset.

    Parameters
    ----------
    name : str
        A query name from :mod:`graphmodel.queries`.
    dataset : str
        The dataset name it was loaded under.
    as_of : datetime.date or str, optional
        Evaluation date (default today).
    conn : Connection, optional
        Connection settings (default from the environment).
    **params
        Query parameters; gap parameters default as in GAPS.md.

    Returns
    -------
    pandas.DataFrame
        The query's rows, with Neo4j temporal values turned into Python ones.
    """
    from graphmodel.queries import get_query, parse_as_of, resolve_params

    query = get_query(name)
    values: dict[str, Any] = dict(params)
    if query.group == "gaps":
        values = resolve_params(**params)
    values.update(dataset=dataset, as_of=parse_as_of(as_of))
    frame = run_cypher(query.cypher(), values, conn)
    return frame.apply(lambda column: column.map(_plain)) if len(frame) else frame


def gaps(dataset: str, as_of: dt.date | str | None = None, only: Iterable[str] | None = None,
         conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """The coverage gaps computed on Neo4j: same columns and order as :func:`graphmodel.gaps`."""
    from graphmodel.gaps import GAP_COLUMNS, GAP_NAMES

    names = list(only) if only is not None else list(GAP_NAMES)
    frames = []
    for name in names:
        if name not in GAP_NAMES:
            raise KeyError(f"unknown gap {name!r}; known: {', '.join(GAP_NAMES)}")
        frame = run_query(name, dataset, as_of, conn, **params)
        frame.insert(0, "gap", name)
        frames.append(frame.reindex(columns=GAP_COLUMNS))
    if not frames:
        return pd.DataFrame(columns=GAP_COLUMNS)
    result = pd.concat(frames, ignore_index=True)
    result["detail"] = result["detail"].map(lambda d: d if isinstance(d, dict) else {})
    return result.sort_values(["gap", "id"], kind="stable").reset_index(drop=True)
