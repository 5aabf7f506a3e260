"""The embedded engine: a query's SQL, run by DuckDB.

Every library query has its SQL beside its Cypher, ``queries/<group>/<name>.sql``: one
statement over the dataset's typed tables, the ``within`` relation and the shared views of
:func:`graphmodel._duckdb.connect`, with the query's parameters (``$as_of``,
``$visit_window_days``...) as DuckDB named parameters.

- A gap's SQL returns ``id`` and ``detail`` (a struct) ordered by id; its embedded form
  (:mod:`graphmodel.gaps`) is :func:`run_sql`, and :func:`graphmodel.engine.run` then adds
  the names and places and conforms the types, as for Neo4j's rows, so both engines give
  the same DataFrame.
- The risk and linkage queries take their rows with :func:`sql_frame`: the frame itself
  (``risk_view``, ``sector_matrix``, ``connectors``...), or the network networkx ranks
  (``bridges``, ``sectors_bridged``) or the path search walks (``path``).

Examples
--------
>>> import datetime as dt
>>> from graphmodel import get_query, load_dataset
>>> query = get_query("grid_without_worker")
>>> found = run_sql(query, load_dataset(), dt.date(2026, 11, 29), {})
>>> list(found.columns)
['id', 'detail']
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from graphmodel import _resources
from graphmodel.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from graphmodel.dataset import Dataset
    from graphmodel.queries import Query

__all__ = ["has_sql", "require_sql", "run_sql", "sql_frame", "sql_parameters", "sql_text"]

_COMMENT = re.compile(r"--[^\n]*")
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def sql_text(group: str, name: str) -> str:
    """The text of ``queries/<group>/<name>.sql`` (read once).

    >>> sql_text("gaps", "stale_demand").startswith("-- graphmodel query: stale_demand")
    True
    """
    return _resources.sql_text(group, name)


def has_sql(query: Query) -> bool:
    """Whether the query has a ``.sql`` file (every library query does; a query object
    made elsewhere may not)."""
    return (_resources.queries_dir() / query.group / f"{query.name}.sql").is_file()


def require_sql(query: Query) -> None:
    """Refuse a query without SQL (:class:`~graphmodel.errors.UsageError`)."""
    if not has_sql(query):
        raise UsageError(f"query {query.name!r} has no SQL (queries/{query.group}/"
                         f"{query.name}.sql)")


def sql_parameters(text: str) -> list[str]:
    """The named parameters of a statement, in order of first use (comments ignored:
    DuckDB refuses a value for a parameter the statement does not use).

    >>> sql_parameters("-- $ignored\\nSELECT $as_of - $days, $as_of")
    ['as_of', 'days']
    """
    return list(dict.fromkeys(_PARAMETER.findall(_COMMENT.sub("", text))))


def _statement(query: Query, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A query's SQL and the values of the parameters it uses (DuckDB refuses others)."""
    require_sql(query)
    text = sql_text(query.group, query.name)
    names = sql_parameters(text)
    missing = [n for n in names if n not in values]
    if missing:
        raise UsageError(f"no value for parameter(s) {', '.join(missing)} of {query.name}")
    return text, {n: values[n] for n in names}


def run_sql(query: Query, ds: Dataset, as_of: dt.date, values: dict[str, Any]) -> pd.DataFrame:
    """Run a query's SQL on ``ds``: its ``id`` and ``detail`` frame (a dict per row; a
    query without detail gives ``{}``).

    Raises
    ------
    UsageError
        When the query has no SQL, or a parameter of its SQL has no value.
    """
    import pandas as pd

    from graphmodel._duckdb import connect

    text, params = _statement(query, {"as_of": as_of, **values})
    rows = connect(ds).execute(text, params).fetchall()
    return pd.DataFrame({"id": [row[0] for row in rows],
                         "detail": [row[1] if isinstance(row[1], dict) else {} for row in rows]},
                        columns=["id", "detail"])


def sql_frame(query: Query, ds: Dataset, values: dict[str, Any]) -> pd.DataFrame:
    """Run a query's SQL on ``ds`` and return its rows as they are, one column per column
    of the statement (the risk and linkage queries, whose embedded form shapes them).

    ``values`` gives every parameter of the statement (``as_of`` a date).

    Raises
    ------
    UsageError
        When the query has no SQL, or a parameter of its SQL has no value.
    """
    import pandas as pd

    from graphmodel._duckdb import connect

    cursor = connect(ds).execute(*_statement(query, values))
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return pd.DataFrame({c: [row[i] for row in rows] for i, c in enumerate(columns)},
                        columns=columns)
