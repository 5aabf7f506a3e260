"""One runner for every library query on both engines.

:func:`run` takes a query name, a source and a date and returns the query's DataFrame:

- ``backend="embedded"``: ``source`` is a :class:`~graphmodel.dataset.Dataset` or the path
  of a dataset; the query's embedded form answers: its SQL (``queries/<group>/<name>.sql``)
  run by DuckDB (:mod:`graphmodel.sql_engine`), or an analyst's rule compiled to SQL;
  ``bridges`` and ``sectors_bridged`` rank, with networkx, the actor network their SQL
  returns, and ``path`` searches the network its SQL returns;
- ``backend="neo4j"``: ``source`` is the name a dataset was loaded under (or a Dataset,
  whose ``name`` is used); the query's Cypher answers, on the server of
  :func:`~graphmodel.neo4j_backend.connection_settings` (environment, else the local
  server) unless ``conn`` is given;
- ``backend="sql"``: a synonym of ``"embedded"`` (every library query and rule has SQL; a
  query object without it refuses it). :data:`BACKENDS` does not list it.

Both engines return the same frame: the query's :attr:`~graphmodel.queries.Query.columns`
in that order, with the types of :attr:`~graphmodel.queries.Query.dtypes` (:func:`conform`).
The public functions (``gm.gaps``, ``gm.sector_matrix``, ``gm.bridges``, ``gm.risk_view``...)
are this runner with the query's name filled in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from graphmodel import neo4j_backend, schema
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.errors import UsageError
from graphmodel.queries import Query, as_of_timestamp, get_query, parse_as_of

if TYPE_CHECKING:
    from graphmodel.neo4j_backend import Connection

__all__ = ["BACKENDS", "ENGINES", "Backend", "conform", "entity_candidates", "resolve_entity",
           "rows", "run"]

Backend = Literal["embedded", "neo4j", "sql"]
BACKENDS: tuple[Backend, ...] = ("embedded", "neo4j")
ENGINES: tuple[Backend, ...] = (*BACKENDS, "sql")
"""Every engine :func:`run` accepts: :data:`BACKENDS` (the choices offered to users) and
``"sql"``, the embedded engine named for its language."""

Source = Dataset | str | Path


def _backend(backend: str) -> Backend:
    if backend not in ENGINES:
        raise UsageError(f"unknown backend {str(backend)[:40]!r}; known: {', '.join(ENGINES)}")
    return backend  # type: ignore[return-value]


def dataset_of(source: Source) -> Dataset:
    """The dataset of an embedded run: ``source`` itself, or the dataset at that path."""
    return source if isinstance(source, Dataset) else load_dataset(source)


def dataset_name(source: Source) -> str:
    """The dataset name of a Neo4j run: a Dataset's ``name``, else ``source`` itself."""
    return source.name if isinstance(source, Dataset) else str(source)


def run(name: str | Query, source: Source, as_of: dt.date | str | None = None,
        backend: Backend = "embedded", conn: Connection | None = None,
        **params: Any) -> pd.DataFrame:
    """Run one library query on one engine.

    Parameters
    ----------
    name : str or Query
        A query of :func:`graphmodel.all_queries`, or a query object such as a rule's
        (:func:`graphmodel.rules.as_queries`).
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: a dataset name (or a Dataset: its name).
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    backend : {"embedded", "neo4j", "sql"}
        The engine ("sql": the same as "embedded").
    conn : Connection, optional
        Neo4j connection settings (default from the environment).
    **params
        The query's parameters (a gap also takes, and ignores, the other gap parameters).

    Returns
    -------
    pandas.DataFrame
        The query's columns and types, the same on both engines.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> frame = run("sector_matrix", load_dataset(), "2026-11-29")
    >>> list(frame.columns)
    ['source_sector', 'target_sector', 'links']
    """
    query = name if isinstance(name, Query) else get_query(name)
    engine = _backend(backend)
    values = query.resolve(**params)
    day = parse_as_of(as_of)
    if engine in ("embedded", "sql"):
        ds = dataset_of(source)
        values.update({key: resolve_entity(ds, values[key]) for key in query.entity_params})
        if engine == "sql" and query.group != "rules":  # a rule's embedded form is SQL
            from graphmodel.sql_engine import require_sql

            require_sql(query)
        frame = query.embedded(ds, as_of_timestamp(day), **values)
        if query.finish is not None:
            frame = query.finish(query, ds, frame)
    else:
        dataset = dataset_name(source)
        values.update({key: resolve_entity(dataset, values[key], "neo4j", conn)
                       for key in query.entity_params})
        found = neo4j_backend.query_rows(query, dataset, day, conn, values)
        frame = (query.from_rows(query, found, values) if query.from_rows is not None
                 else found)
    return conform(query, frame)


def rows(name: str, dataset: str, as_of: dt.date | str | None = None,
         conn: Connection | None = None, **params: Any) -> pd.DataFrame:
    """The rows of a query's Cypher on Neo4j, as is (``bridges``: the actor projection)."""
    query = get_query(name)
    return neo4j_backend.query_rows(query, dataset, parse_as_of(as_of), conn,
                                    query.resolve(**params))


def conform(query: Query, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the query's columns, in order, of the query's types.

    Text columns are ``str`` (missing: NaN); ``object`` columns (lists, dicts, texts that
    may be missing) hold None where a value is missing; dates are ``datetime64[us]``.
    """
    if not query.columns:
        return frame.reset_index(drop=True)
    frame = frame.reindex(columns=list(query.columns)).reset_index(drop=True)
    for column, dtype in query.dtypes.items():
        values = frame[column]
        if dtype.startswith("datetime64"):
            frame[column] = _dates(values, dtype)
        elif dtype == "object":
            frame[column] = pd.Series([None if _missing(v) else v for v in values],
                                      index=frame.index, dtype=object)
        else:
            frame[column] = values.astype(dtype)
    return frame


def _dates(values: pd.Series, dtype: str) -> pd.Series:
    """Dates of any engine as ``dtype``; a date past 9999-12-31 (a deadline after the
    "no end" date) comes from DuckDB as text, which pandas' parser refuses: numpy reads it."""
    try:
        return pd.to_datetime(values.astype(object)).astype(dtype)
    except (ValueError, OverflowError):
        import numpy as np

        unit = dtype[dtype.index("[") + 1:-1] if "[" in dtype else "us"
        days = [np.datetime64("NaT") if _missing(v) else np.datetime64(str(v), unit)
                for v in values.astype(object)]
        return pd.Series(np.array(days, dtype=f"datetime64[{unit}]"), index=values.index)


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (list, dict, tuple)) and bool(pd.isna(value)))


# ---------------------------------------------------------------------------
# Entities by id or name, on either engine
# ---------------------------------------------------------------------------

CANDIDATE_COLUMNS = ["id", "name", "label"]


def entity_candidates(source: Source, text: str, backend: Backend = "embedded",
                      conn: Connection | None = None) -> pd.DataFrame:
    """Entities whose id is ``text`` or whose name contains it: ``id``, ``name``, ``label``.

    Risk assessments and population groups are records, never candidates; demands are
    (so that naming one by id can be refused clearly).
    """
    text = str(text).strip()
    if _backend(backend) == "neo4j":
        return neo4j_backend.entity_candidates(dataset_name(source), text, conn)
    ds = dataset_of(source)
    tables = ds.entity_tables
    names = ds.names
    hit = (names.index == text) | names.astype(str).str.contains(text, regex=False).to_numpy()
    ids = names.index[hit]
    frame = pd.DataFrame({"id": [str(i) for i in ids],
                          "name": [names[i] for i in ids] if len(ids) else [],
                          "label": [schema.LABEL_OF_TABLE.get(tables[i], "?") for i in ids]},
                         columns=CANDIDATE_COLUMNS)
    return frame.drop_duplicates("id").sort_values("id").reset_index(drop=True)


def resolve_entity(source: Source, text: str, backend: Backend = "embedded",
                   conn: Connection | None = None) -> str:
    """The id of the entity given by id or by exact name.

    Parameters
    ----------
    source : Dataset, str or path
        As for :func:`run`.
    text : str
        An id, or the exact name of one entity (demands are not entities of the network
        and cannot be named).
    backend : {"embedded", "neo4j"}
        The engine.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    str
        The entity id.

    Raises
    ------
    ValueError
        When ``text`` is a demand, an ambiguous name (listing every candidate with its id)
        or unknown (listing entities whose name contains the text, if any).

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> resolve_entity(load_dataset(), "B-GAOHE")
    'B-GAOHE'
    """
    text = str(text).strip()
    found = entity_candidates(source, text, backend, conn)
    by_id = found[found["id"] == text]
    if len(by_id):
        if by_id["label"].iloc[0] == "Demand":
            raise ValueError(f"{text!r} is a demand, not an entity of the network")
        return text
    named = found[found["label"] != "Demand"]
    exact = named[named["name"] == text]
    if len(exact) == 1:
        return str(exact["id"].iloc[0])
    if len(exact):
        raise ValueError(f"name {text!r} is ambiguous; candidates: {_describe(exact)}")
    if not len(named):
        named = _close_matches(source, text, backend, conn)
    hint = ("; 您是否要找 did you mean: " + _describe(named.head(10))
            + (" ..." if len(named) > 10 else "")) if len(named) else ""
    raise ValueError(f"unknown entity {text!r} (neither an id nor an exact name){hint}")


def _close_matches(source: Source, text: str, backend: Backend,
                   conn: Connection | None) -> pd.DataFrame:
    """Entities whose id or name is close to ``text`` (:mod:`difflib`), best first; a
    typo such as ``B-GAOHW`` or ``高和大夏`` still finds its entity."""
    import difflib

    if _backend(backend) == "neo4j":
        every = neo4j_backend.entity_candidates(dataset_name(source), "", conn)
    else:
        ds = dataset_of(source)
        names = ds.names
        every = pd.DataFrame({"id": [str(i) for i in names.index],
                              "name": [str(n) for n in names.to_numpy()],
                              "label": [schema.LABEL_OF_TABLE.get(t, "?")
                                        for t in ds.entity_tables.reindex(names.index)]})
    every = every[every["label"] != "Demand"].drop_duplicates("id")
    by_text: dict[str, list[int]] = {}
    for i, (ident, name) in enumerate(zip(every["id"], every["name"], strict=True)):
        by_text.setdefault(str(ident), []).append(i)
        by_text.setdefault(str(name), []).append(i)
    close = difflib.get_close_matches(text, list(by_text), n=5, cutoff=0.6)
    rows = list(dict.fromkeys(i for match in close for i in by_text[match]))
    return every.iloc[rows[:5]].reset_index(drop=True)


def _describe(frame: pd.DataFrame) -> str:
    return ", ".join(f"{r.name} ({r.id}, {r.label})" for r in frame.itertuples(index=False))
