"""A dataset's typed tables in DuckDB: the embedded engine of the analysts' rules.

:func:`connect` returns an in-memory DuckDB connection holding one table per contract
table (its contract columns only, with SQL types from :mod:`graphmodel.schema`: text,
``BIGINT``, ``BOOLEAN``, ``DATE``), the shared views of :data:`VIEWS_SQL`, and ``within``,
the (``place``, ``container``) pairs of :attr:`graphmodel.dataset.Dataset.within`, built in
SQL from those tables (:data:`WITHIN_SQL`). The columns are typed from the contract, not
guessed from the data, so an empty table or an all-blank column compares like any other.
The frames are handed to DuckDB as they are and typed by a ``CAST`` in SQL (no Python
loop over the cells, save for a column that mixes texts with other values). The
connection is built once per dataset object and kept on it.

Examples
--------
>>> from graphmodel import load_dataset
>>> con = connect(load_dataset())
>>> con.execute("SELECT count(*) FROM grids WHERE kind = $kind",
...             {"kind": "business"}).fetchone()[0]
5
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from graphmodel import schema

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from graphmodel.dataset import Dataset

__all__ = ["NO_CHECKPOINT", "SQL_TYPES", "VIEWS_SQL", "WITHIN_SQL", "add_derived", "connect",
           "quote"]

SQL_TYPES: dict[str, str] = {"id": "VARCHAR", "str": "VARCHAR", "ref": "VARCHAR",
                             "enum": "VARCHAR", "int": "BIGINT", "level": "BIGINT",
                             "bool": "BOOLEAN", "date": "DATE"}
"""The DuckDB type of each contract column type."""

_CACHE = "_graphmodel_duckdb"

NO_CHECKPOINT = {"checkpoint_threshold": "1TB"}
"""DuckDB's configuration of the in-memory databases built here: no automatic checkpoint.
A checkpoint compresses the tables just created, which takes about a second at city tier
to save memory a dataset's short-lived database does not need to save."""

WITHIN_SQL = """
CREATE TABLE within AS
-- every area, grid, building and company is within itself
SELECT id AS place, id AS container FROM residential_areas
UNION ALL SELECT id, id FROM grids
UNION ALL SELECT id, id FROM buildings
UNION ALL SELECT id, id FROM companies
-- and within its containers (at most three: building, grid, area; never the street)
UNION ALL SELECT id, building_id FROM companies WHERE building_id IS NOT NULL
UNION ALL SELECT id, grid_id FROM buildings WHERE grid_id IS NOT NULL
UNION ALL SELECT c.id, b.grid_id FROM companies AS c JOIN buildings AS b ON b.id = c.building_id
          WHERE b.grid_id IS NOT NULL
UNION ALL SELECT id, area_id FROM grids WHERE area_id IS NOT NULL
UNION ALL SELECT b.id, g.area_id FROM buildings AS b JOIN grids AS g ON g.id = b.grid_id
          WHERE g.area_id IS NOT NULL
UNION ALL SELECT c.id, g.area_id FROM companies AS c JOIN buildings AS b ON b.id = c.building_id
          JOIN grids AS g ON g.id = b.grid_id WHERE g.area_id IS NOT NULL
"""
"""The ``within`` relation: (place, container) pairs, one hash join per level of the place
tree (O(V + E), at most four rows per company)."""


VIEWS_SQL = (
    "CREATE VIEW entity_names AS "
    + " UNION ALL ".join(f"SELECT id, {'category' if table == 'demands' else 'name'} AS name "
                         f"FROM {table}" for table in schema.ENTITY_TABLES),
    """
CREATE VIEW actors AS
-- an actor's label and sector: an organisation's own, business for a company, a person's
-- organisation's (NULL when the person has none)
SELECT id, 'Organization' AS label, sector FROM organizations
UNION ALL SELECT id, 'Company', 'business' FROM companies
UNION ALL SELECT p.id, 'Person', o.sector FROM people AS p
          LEFT JOIN organizations AS o ON o.id = p.organization_id
""", """
CREATE MACRO actor_pairs(day) AS TABLE
-- (id, other): two actors tied on day by a contract link active then (either direction),
-- WORKS_FOR or CHILD_OF; each pair once in each direction, self-links left out
WITH ties AS (
    SELECT source_id AS u, target_id AS v
    FROM links
    WHERE type IN ('COVERS', 'LEADS', 'PARTNERS_WITH', 'SUPPORTS', 'MENTORS', 'MEMBER_OF',
                   'ASSIGNED_TO', 'SERVES')
      AND (since IS NULL OR since <= day) AND (until IS NULL OR until >= day)
    UNION ALL SELECT id, organization_id FROM people WHERE organization_id IS NOT NULL
    UNION ALL SELECT id, parent_id FROM organizations WHERE parent_id IS NOT NULL
), pairs AS (
    SELECT u AS id, v AS other FROM ties WHERE u <> v
    UNION SELECT v, u FROM ties WHERE u <> v
)
SELECT id, other FROM pairs
WHERE id IN (SELECT id FROM actors) AND other IN (SELECT id FROM actors)
""")
"""The views the queries' SQL shares, created beside the tables: ``entity_names`` (``id``,
``name``: every entity's name, a demand's category, as
:attr:`graphmodel.dataset.Dataset.names`), ``actors`` (``id``, ``label``, ``sector``:
the organisations, companies and people of :func:`graphmodel.linkages.actor_network`) and
the table macro ``actor_pairs(day)`` (``id``, ``other``: the edges of that network on a
day, both ways)."""


def quote(name: str) -> str:
    """A DuckDB identifier, double-quoted (names come from the schema, never from input).

    >>> quote("key_building")
    '"key_building"'
    """
    return '"' + name.replace('"', '""') + '"'


def connect(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection over the typed tables of ``ds`` (built once per
    dataset object, then reused)."""
    con = ds.__dict__.get(_CACHE)
    if con is None:
        con = _build(ds)
        ds.__dict__[_CACHE] = con
    return con


def _build(ds: Dataset) -> duckdb.DuckDBPyConnection:
    import duckdb
    import pandas as pd

    con = duckdb.connect(":memory:", config=NO_CHECKPOINT)
    for name, table in schema.TABLES.items():
        frame = ds.tables.get(name)
        columns = table.column_names
        frame = (pd.DataFrame(columns=columns) if frame is None
                 else frame.reindex(columns=columns))
        _create(con, name, frame, {c.name: SQL_TYPES[c.type] for c in table.columns})
    add_derived(con)
    return con


def add_derived(con: Any, within_as_view: bool = False) -> None:
    """Create what the queries read beside the contract tables: ``within``
    (:data:`WITHIN_SQL`; ``within_as_view``: a view, computed only when a query reads it)
    and the shared views of :data:`VIEWS_SQL`."""
    con.execute(WITHIN_SQL.replace("CREATE TABLE within", "CREATE VIEW within", 1)
                if within_as_view else WITHIN_SQL)
    for view in VIEWS_SQL:
        con.execute(view)


def _create(con: Any, name: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
    import duckdb
    import pandas as pd

    view = f"_load_{name}"
    select = ", ".join(f"CAST({quote(c)} AS {t}) AS {quote(c)}" for c, t in types.items())
    readable = pd.DataFrame({column: _readable(frame[column]) for column in types})
    try:
        con.register(view, readable)
        con.execute(f"CREATE TABLE {quote(name)} AS SELECT {select} FROM {quote(view)}")
    except duckdb.InvalidInputException:
        # a text DuckDB cannot hold (a lone surrogate: never from a file, the validator
        # refuses it, but a caller may put one in the frames): written as U+FFFD instead
        con.unregister(view)
        con.register(view, readable.map(_encodable))
        con.execute(f"CREATE TABLE {quote(name)} AS SELECT {select} FROM {quote(view)}")
    con.unregister(view)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(value: Any) -> Any:
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _readable(series: pd.Series) -> pd.Series:
    """A column DuckDB reads without guessing, converted without a loop in Python where
    it can be: dates, nullable types and columns of texts as they are (DuckDB reads None,
    NaN and NA as NULL, and keeps ``""``), an all-blank column as None; anything else
    (a mix of texts and numbers...) cell by cell, as texts with None for blanks."""
    import numpy as np
    import pandas as pd

    values = series.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(values) or isinstance(
            values.dtype, pd.BooleanDtype | pd.Int64Dtype):
        return values
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "empty" or (kind == "floating" and values.isna().all()):  # a missing column
        # typed NULL by DuckDB, so that the CAST to any contract type works
        return pd.Series(np.full(len(values), None, dtype=object), dtype=object)
    if kind == "string" and (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
        return values
    return _plain(values)


def _plain(values: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series([None if _blank(v) else str(v) for v in values], dtype=object)


def _blank(value: Any) -> bool:
    import pandas as pd

    return value is None or (isinstance(value, float) and value != value) or value is pd.NA
