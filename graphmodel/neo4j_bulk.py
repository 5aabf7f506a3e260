"""First load of a big dataset into an empty database: ``neo4j-admin database import``.

:func:`bulk_load` writes the rows of :func:`graphmodel.neo4j_backend.node_rows` and
:func:`~graphmodel.neo4j_backend.relationship_rows` as typed CSV files into a private
temporary directory, stops the project's own server, runs ``neo4j-admin database import
full`` on them, starts the server again, and creates what the loader creates besides the
graph: the constraint and indexes, and the dataset's metadata node (with its fingerprint,
so the next ``neo4j load`` of unchanged tables writes nothing). The graph is the one
:func:`~graphmodel.neo4j_backend.load` writes: same labels, properties of the same types
(dates, booleans, integers), relationships with their ``key``, ``dataset`` and ``load_id``.

A bulk import replaces the whole database (Neo4j Community has one user database), so it
refuses, before anything is written or stopped, a database that holds any node, and a
server that is not the project's own local one (a remote ``NEO4J_URI`` cannot be
imported into). 首次批量导入只用于空数据库；已有数据时请用 ``neo4j load``。
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from graphmodel import neo4j_backend as backend
from graphmodel import schema
from graphmodel.dataset import Dataset
from graphmodel.errors import UsageError

__all__ = ["BulkRefused", "BulkResult", "bulk_load", "csv_type", "preflight"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class BulkRefused(UsageError):
    """A bulk import that would replace data, or reach a server that is not ours (exit 2)."""

    code = "bulk_refused"


@dataclass(frozen=True)
class BulkResult:
    """What a bulk import wrote, and how long it took.

    ``import_seconds`` is neo4j-admin's time alone; ``seconds`` is the whole call
    (rows, CSV files, server stop and restart, indexes, metadata node).
    """

    dataset: str
    nodes: int
    relationships: int
    import_seconds: float
    seconds: float

    @property
    def records(self) -> int:
        """Nodes plus relationships."""
        return self.nodes + self.relationships

    @property
    def records_per_second(self) -> float:
        """Records per second of neo4j-admin's time."""
        return self.records / self.import_seconds if self.import_seconds else 0.0


def csv_type(values: Iterable[Any]) -> str:
    """The neo4j-admin header type of a property from its values (``None`` ignored).

    Examples
    --------
    >>> csv_type(["a", None]), csv_type([1, 2]), csv_type([True]), csv_type([dt.date(2026, 1, 1)])
    ('string', 'long', 'boolean', 'date')
    >>> csv_type([1, 2.5])
    'double'
    """
    kinds = {type(value) for value in values if value is not None}
    if kinds <= {str}:
        return "string"
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds <= {int, float} and bool not in kinds:
        return "double"
    if kinds == {dt.date}:
        return "date"
    names = ", ".join(sorted(kind.__name__ for kind in kinds))
    raise BulkRefused(f"批量导入不支持混合类型的属性 / bulk import cannot store a property of "
                      f"types {names}: use neo4j load")


def _cell(value: Any) -> str:
    """One CSV field as neo4j-admin reads it: nothing for a missing value, strings quoted
    (so that an empty string stays one), numbers, booleans and dates bare.

    Examples
    --------
    >>> [_cell(v) for v in (None, "", 'a"b', 3, True, dt.date(2026, 1, 2))]
    ['', '""', '"a""b"', '3', 'true', '2026-01-02']
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> bool:
    """Write one file (created, never followed through a symlink); whether a value spans lines."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    multiline = False
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for row in rows:
            line = ",".join(map(_cell, row))
            multiline = multiline or "\n" in line or "\r" in line
            fh.write(line + "\n")
    return multiline


class _QuietStages:
    """:class:`graphmodel._progress.Stages` without a bar."""

    def start(self, name: str) -> None:
        pass

    def __enter__(self) -> _QuietStages:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _property_columns(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row["props"]))
    odd = [name for name in names if not PLAIN_NAME.fullmatch(name)]
    if odd:
        raise BulkRefused(f"批量导入不支持这些列名 / bulk import cannot name a property "
                          f"{odd[0]!r} in a CSV header: use neo4j load")
    return [(name, csv_type(row["props"].get(name) for row in rows)) for name in names]


def _write_nodes(folder: Path, nodes: dict[str, list[dict[str, Any]]], dataset: str,
                 load_id: str) -> tuple[list[Path], bool]:
    files, multiline = [], False
    for label, rows in nodes.items():
        columns = [(name, kind) for name, kind in _property_columns(rows)
                   if name not in ("id", "dataset", "load_id")]
        header = ["id:ID", ":LABEL", "dataset", "load_id",
                  *(f"{name}:{kind}" for name, kind in columns)]
        base = f"Entity;{label}"
        path = folder / f"nodes_{label}.csv"
        multiline |= _write_csv(path, header, (
            [row["id"], base + (f";{row['extra_label']}" if row["extra_label"] else ""),
             dataset, load_id, *(row["props"].get(name) for name, _ in columns)]
            for row in rows))
        files.append(path)
    return files, multiline


def _write_relationships(folder: Path, rels: dict[str, list[dict[str, Any]]], dataset: str,
                         load_id: str) -> tuple[list[Path], bool, int]:
    files, multiline, written = [], False, 0
    for rel_type, all_rows in rels.items():
        assert rel_type in schema.ALL_REL_TYPES
        rows = backend._unique_relationships(all_rows)
        written += len(rows)
        columns = [(name, kind) for name, kind in _property_columns(rows)
                   if name not in ("key", "dataset", "load_id")]
        header = [":START_ID", ":END_ID", ":TYPE", "key", "dataset", "load_id",
                  *(f"{name}:{kind}" for name, kind in columns)]
        path = folder / f"rels_{rel_type}.csv"
        multiline |= _write_csv(path, header, (
            [row["src"], row["dst"], rel_type, row["key"], dataset, load_id,
             *(row["props"].get(name) for name, _ in columns)]
            for row in rows))
        files.append(path)
    return files, multiline, written


def _check_local(conn: backend.Connection) -> None:
    """Refuse any server but the project's own local one, running."""
    from graphmodel import server

    parts = urlsplit(conn.uri)
    local = (parts.scheme in ("bolt", "neo4j") and parts.hostname in LOCAL_HOSTS
             and (parts.port or 7687) == server.BOLT_PORT
             and conn.database == server.DEFAULT_DATABASE)
    if not local:
        raise BulkRefused(f"批量导入只能用于本项目的本地服务器 / bulk import works only on the "
                          f"project's own local server ({server.BOLT_URI}, database "
                          f"{server.DEFAULT_DATABASE}), not {conn.uri} ({conn.database}): "
                          "use neo4j load")
    if not server.status()["running"]:
        raise BulkRefused("本地 Neo4j 未运行 / the project's Neo4j server is not running: "
                          "start it first (graphmodel server start)")


def _check_empty(conn: backend.Connection) -> None:
    """Refuse a database that holds any node (a bulk import replaces all of it)."""
    frame = backend.run_cypher(
        "RETURN EXISTS { MATCH (n) } AS any, "
        "COLLECT { MATCH (m:GraphmodelDataset) RETURN m.name ORDER BY m.name LIMIT 5 } AS names", {}, conn)
    if bool(frame.at[0, "any"]):
        names = ", ".join(map(str, frame.at[0, "names"])) or "no dataset, but nodes"
        raise BulkRefused(f"数据库不是空的，批量导入会覆盖全部数据 / the database is not empty "
                          f"({names}); a bulk import would replace everything in it: "
                          "use neo4j load, or drop every dataset first")


def bulk_load(source: str | os.PathLike[str] | Dataset, name: str | None = None,
              conn: backend.Connection | None = None, progress: bool = True) -> BulkResult:
    """Import a dataset into the empty database of the project's local server.

    Parameters
    ----------
    source : str, path or Dataset
        A dataset directory or workbook (read and validated first), or a :class:`Dataset`.
    name : str, optional
        The dataset's name on the server (default: the dataset's own name).
    conn : Connection, optional
        Defaults to :func:`graphmodel.neo4j_backend.connection_settings`; it must point
        at the project's own local server.
    progress : bool
        Show a bar over the steps on stderr.

    Returns
    -------
    BulkResult
        ``nodes``, ``relationships``, ``records``, ``import_seconds`` (neo4j-admin alone)
        and ``seconds`` (everything).

    Raises
    ------
    BulkRefused
        If the database holds any node, or the server is not the local one (nothing is
        changed, the server keeps running).
    """
    from graphmodel import _progress, server
    from graphmodel.dataset import load_dataset

    started = time.perf_counter()
    conn = conn or backend.connection_settings()
    _check_local(conn)
    ds = source if isinstance(source, Dataset) else load_dataset(source, name=name)
    dataset = name or ds.name
    _check_empty(conn)
    steps = ["prepare", "write csv", "import", "indexes"]
    folder = Path(tempfile.mkdtemp(prefix="graphmodel-bulk-"))  # mode 700, a new directory
    try:
        with (_progress.Stages(steps, f"批量导入 bulk import {dataset}") if progress
              else _QuietStages()) as stages:
            stages.start("prepare")
            tables = backend.table_fingerprints(ds)
            nodes = backend.node_rows(ds)
            rels = backend.relationship_rows(ds)
            load_id = uuid.uuid4().hex
            stages.start("write csv")
            node_files, multi_nodes = _write_nodes(folder, nodes, dataset, load_id)
            rel_files, multi_rels, _ = _write_relationships(folder, rels, dataset, load_id)
            stages.start("import")
            _check_empty(conn)  # again, just before the server is stopped
            backend.close_drivers()  # their connections end with the server
            import_seconds = server.import_full(node_files, rel_files,
                                                multiline=multi_nodes or multi_rels,
                                                report_file=folder / "import.report")
            stages.start("indexes")
            _finish(conn, ds, dataset, tables, load_id, nodes, rels)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return BulkResult(dataset, sum(map(len, nodes.values())), sum(map(len, rels.values())),
                      import_seconds, time.perf_counter() - started)


AWAIT_INDEXES = "CALL db.awaitIndexes(600)"


def _finish(conn: backend.Connection, ds: Dataset, dataset: str, tables: dict[str, str],
            load_id: str, nodes: dict[str, list[Any]], rels: dict[str, list[Any]]) -> None:
    """What the loader writes besides the graph: indexes, then the metadata node."""
    driver = backend.open_driver(conn)
    try:
        with driver.session(database=conn.database) as session:
            backend._ensure_schema(session)
            session.run(AWAIT_INDEXES).consume()
            session.run(backend.DATASET_META, dataset=dataset, source=backend._source(ds),
                        contract_version=schema.CONTRACT_VERSION,
                        nodes=sum(map(len, nodes.values())), rels=sum(map(len, rels.values())),
                        load_id=load_id, fingerprint=backend.dataset_fingerprint(tables),
                        tables=[f"{table}:{value}" for table, value in tables.items()],
                        synced=True).consume()
    finally:
        driver.close()


def preflight(conn: backend.Connection | None = None) -> None:
    """Raise :class:`BulkRefused` unless a bulk import may run: the project's own local
    server, running, with an empty database."""
    conn = conn or backend.connection_settings()
    _check_local(conn)
    _check_empty(conn)
