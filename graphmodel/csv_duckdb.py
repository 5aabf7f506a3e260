"""The fast path of a CSV dataset: read, checked and typed in DuckDB, straight from the files.

:func:`read_csv_dataset` builds the very tables :func:`graphmodel._duckdb.connect` builds from
a loaded :class:`~graphmodel.dataset.Dataset` (the typed contract tables, ``within`` and the
shared views), so
the gaps' SQL (``queries/gaps/*.sql``) runs on them unchanged, without pandas and without a
Python loop over rows:

1. a screen of each file's whole text by one regular expression (RE2 in DuckDB, files in
   parallel; :data:`UNUSUAL`): control and invisible characters, non-ASCII blanks, a blank
   at a cell's edge, runs of 11 digits (where an ID-card or mobile number could hide), a
   lone carriage return; and an odd number of quotes;
2. the header, read from the first line: every column a contract column (or ``name_en``),
   each once, the required ones present;
3. DuckDB's CSV reader (strict: a row of the wrong width, a bad UTF-8 byte are errors);
4. every contract check as a set operation: required cells, enum, boolean, level, date and
   number spellings (each *distinct* value checked once, by the rules of
   :mod:`graphmodel.validation`), ids unique and plain ASCII, references to an entity of the
   right table, link endpoints per link type, business/residential grid areas, duplicate
   keys, ``registered > residents``, demand and link dates;
5. the typed tables, ``within`` and the shared views (:data:`graphmodel._duckdb.VIEWS_SQL`).

The fast path only ever *accepts*: when anything at all is unusual (a problem, a warning, a
cell the screen cannot vouch for, a workbook, an encoding other than UTF-8) it returns None,
and the caller runs the detailed reader and validator (:func:`graphmodel.load_dataset`),
which explains every problem with its file, row and column. So a dataset is accepted here
exactly when it is accepted there, and gives the same tables (tests/test_csv_duckdb.py).

Examples
--------
>>> from graphmodel import settings
>>> con = read_csv_dataset(settings.default_dataset_path())
>>> con.execute("SELECT count(*) FROM grids WHERE kind = 'business'").fetchone()[0]
5
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmodel import schema

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["OPTIONAL_COLUMNS", "UNQUOTED_EDGES", "UNUSUAL", "gap_findings", "read_csv_dataset",
           "read_csv_tables", "screen"]

OPTIONAL_COLUMNS = frozenset({"name_en"})
"""Columns accepted beyond the contract's own (as :mod:`graphmodel.validation`)."""

FREE_TEXT_COLUMNS = frozenset({"note", "reason", "purpose", "address", "source_ref"})
"""Columns whose cells may span lines (as :mod:`graphmodel.validation`)."""

SQL_TYPES: dict[str, str] = {"id": "VARCHAR", "str": "VARCHAR", "ref": "VARCHAR",
                             "enum": "VARCHAR", "int": "BIGINT", "level": "BIGINT",
                             "bool": "BOOLEAN", "date": "DATE"}

UNUSUAL = (
    # C0 and C1 controls, tab, no-break space, soft hyphen and the invisible characters of
    # graphmodel._cells (zero-width, marks, fillers, variation selectors, byte-order mark)
    r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x{a0}\x{ad}\x{34f}\x{61c}\x{115f}\x{1160}\x{1680}"
    r"\x{17b4}\x{17b5}\x{180b}-\x{180f}\x{2000}-\x{200f}\x{2028}-\x{202f}\x{205f}-\x{206f}"
    r"\x{3000}\x{3164}\x{fe00}-\x{fe0f}\x{feff}\x{ffa0}\x{fff9}-\x{fffb}]"
    r"|[0-9]{11}"  # where an ID-card or mobile number could hide
    r"|\r[^\n]|\r\z| \z"  # a lone carriage return; a blank at the very end
)
"""What no plainly valid file holds (RE2 syntax): any match sends the dataset to the
detailed reader."""

UNQUOTED_EDGES = r"[,\n] | [,\r\n]"
"""A blank at a cell's edge in a file without quotes (with quotes, a comma may sit inside
a cell: the checks then compare each cell with its trimmed self)."""

_DATE_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
_BOOLEANS: dict[str, bool] = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "是": True, "否": False, "t": True, "f": False, "y": True, "n": False,
}
_FIRST_DATE = dt.date(1900, 1, 1)
_MAX_INT = 2**53


def screen(con: Any, files: list[Path]) -> set[Path] | None:
    """The files that hold a quote, or None when a file holds something unusual
    (:data:`UNUSUAL`, :data:`UNQUOTED_EDGES`, an odd number of quotes) or is not UTF-8.

    Examples
    --------
    >>> import duckdb, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("id,name\\nA-1,静安寺·东\\n", encoding="utf-8")
    >>> _ = (folder / "b.csv").write_text('id,name\\nA-2,"静安, 寺"\\n', encoding="utf-8")
    >>> sorted(f.name for f in screen(duckdb.connect(), sorted(folder.iterdir())))
    ['b.csv']
    >>> _ = (folder / "c.csv").write_text("id,name\\nA-3,13912345678\\n", encoding="utf-8")
    >>> screen(duckdb.connect(), sorted(folder.iterdir())) is None
    True
    """
    import duckdb

    try:
        rows = _screen_rows(con, files)
    except duckdb.Error:  # not UTF-8, unreadable
        return None
    if len(rows) != len(files) or any(row[2] for row in rows):
        return None
    return {Path(row[0]) for row in rows if row[1]}


def _screen_rows(con: Any, files: list[Path]) -> list[tuple[Any, ...]]:
    # one pass of one expression per file (RE2's cost is the pass, not the alternatives);
    # quotes are counted only in the files that hold one
    return con.execute(
        "SELECT filename, contains(content, '\"') AS quoted, "
        "regexp_matches(content, CASE WHEN quoted THEN $unusual ELSE $unquoted END) "
        "OR (quoted AND (strlen(content) - strlen(replace(content, '\"', ''))) % 2 = 1) "
        "FROM read_text($files)",
        {"unusual": UNUSUAL, "unquoted": f"{UNUSUAL}|{UNQUOTED_EDGES}",
         "files": [str(f) for f in files]},
    ).fetchall()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _table_files(path: Path) -> dict[str, Path] | None:
    """The contract tables' files in a directory, or None if any entry is unusual."""
    files: dict[str, Path] = {}
    for entry in path.iterdir():
        if entry.suffix.lower() != ".csv":
            continue
        if entry.suffix != ".csv" or entry.stem not in schema.TABLES:
            return None
        try:
            if not stat.S_ISREG(entry.stat().st_mode):
                return None
        except OSError:
            return None
        files[entry.stem] = entry
    missing = [t.name for t in schema.TABLES.values() if t.required and t.name not in files]
    return None if missing else files


def _header(table: schema.Table, data: bytes) -> list[str] | None:
    """The header's column names when they are plainly fine, else None."""
    line = data.split(b"\n", 1)[0].rstrip(b"\r")  # the first line only (see _first_line)
    if b'"' in line:
        return None
    try:
        names = line.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    known = set(table.column_names) | OPTIONAL_COLUMNS
    if len(set(names)) != len(names) or not set(names) <= known:
        return None
    required = {c.name for c in table.columns if c.required}
    return names if required <= set(names) else None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------
# Values: each distinct value checked once, as graphmodel.validation types it
# ---------------------------------------------------------------------------


def _parse_date(value: str) -> dt.date | None:
    if not _DATE_RE.match(value):
        return None
    try:
        day = (dt.date.fromisoformat(value) if len(value) == 10 and value[4] == value[7] == "-"
               else dt.datetime.strptime(value.replace("/", "-"), "%Y-%m-%d").date())
    except ValueError:
        return None
    return day if day >= _FIRST_DATE else None


def _parse_int(value: str) -> int | None:
    # only plain digits: any other spelling pandas might accept goes to the detailed path
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= _MAX_INT else None


def _parser(column: schema.Column) -> Callable[[str], Any]:
    if column.type == "date":
        return _parse_date
    if column.type == "int":
        return _parse_int
    if column.type == "bool":
        return lambda v: _BOOLEANS.get(v.lower())
    if column.type == "level":
        return schema.parse_risk_level
    spellings = schema.enum_spellings(column)
    return lambda v: spellings.get(v.lower())


RAW = "_raw_"
"""Prefix of the raw text column kept beside each typed column (for the checks)."""


def _sql_typed(column: schema.Column, raw: str) -> str | None:
    """SQL giving a typed column from its raw text ``raw`` (None: the column is text)."""
    if column.type == "date":
        return f"TRY_CAST(replace({raw}, '/', '-') AS DATE)"
    if column.type == "int":
        return f"TRY_CAST({raw} AS BIGINT)"
    if column.type not in ("bool", "level", "enum"):
        return None
    words: dict[str, Any] = (_BOOLEANS if column.type == "bool" else schema.RISK_SPELLINGS
                             if column.type == "level" else schema.enum_spellings(column))
    cases = " ".join(f"WHEN {_literal(word)} THEN {_sql_value(value)}"
                     for word, value in words.items())
    return f"CAST(CASE lower({raw}) {cases} END AS {SQL_TYPES[column.type]})"


def _read_typed(con: Any, table: schema.Table, file: Path, names: list[str]) -> None:
    """One pass of DuckDB's CSV reader: the typed table, with each typed column's raw text
    beside it (``_raw_<column>``); blank lines dropped."""
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    selects = []
    for column in table.columns:
        sql_type = SQL_TYPES[column.type]
        default = f"CAST({'NULL' if column.default is None else _literal(column.default)} " \
                  f"AS {sql_type})"
        if column.name not in names:
            selects.append(f"{default} AS {_q(column.name)}")
            continue
        typed = _sql_typed(column, _q(column.name))
        if typed is None:
            selects.append(_q(column.name))
            continue
        selects += [f"coalesce({typed}, {default}) AS {_q(column.name)}",
                    f"{_q(column.name)} AS {_q(RAW + column.name)}"]
    selects += [_q(n) for n in names if n not in table.column_names]  # name_en: kept
    not_blank = " OR ".join(f"{_q(n)} IS NOT NULL" for n in names)
    con.execute(
        f"CREATE TABLE {_q(table.name)} AS SELECT {', '.join(selects)} FROM read_csv($file, "
        f"header = true, auto_detect = false, columns = {columns}, delim = ',', quote = '\"', "
        f"escape = '\"', strict_mode = true, null_padding = false) WHERE {not_blank}",
        {"file": str(file)})


def _values_exact(con: Any, table: str, column: schema.Column) -> bool:
    """Whether every distinct cell of a typed column is valid and typed by the SQL of
    :func:`_sql_typed` exactly as :mod:`graphmodel.validation` types it."""
    parse = _parser(column)
    raws = [row[0] for row in con.execute(
        f"SELECT DISTINCT {_q(RAW + column.name)} FROM {_q(table)} "
        f"WHERE {_q(RAW + column.name)} IS NOT NULL").fetchall()]
    expected = [parse(raw) for raw in raws]
    if None in expected:
        return False
    typed = _sql_typed(column, "raw")
    found = con.execute(f"SELECT {typed} FROM unnest($raws) AS t(raw)", {"raws": raws}).fetchall()
    return [row[0] for row in found] == expected


def _sql_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _literal(str(value))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty_table(con: Any, table: schema.Table) -> None:
    columns = ", ".join(f"{_q(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    con.execute(f"CREATE TABLE {_q(table.name)} ({columns})")


# ---------------------------------------------------------------------------
# Contract checks: each a count of offending rows, all expected zero
# ---------------------------------------------------------------------------


def _checks(tables: dict[str, list[str]], quoted: set[str]) -> list[str]:
    """SQL queries each counting what breaks a rule (every one must give 0).

    ``quoted``: the tables whose files hold a quote, the only way a cell spans lines or
    has a blank at its edge."""
    checks = ["SELECT count(*) - count(DISTINCT id) + count_if(strlen(id) <> length(id)) "
              "FROM _ids",  # unique, and plain ASCII (no look-alike can hide)
              _reference_check()]
    for name, names in tables.items():
        table = schema.TABLES[name]
        bad = []
        for column in table.columns:
            if column.name not in names:
                continue
            raw = _q(RAW + column.name if _sql_typed(column, "x") else column.name)
            if column.required:
                bad.append(f"{raw} IS NULL")
            if name in quoted:
                bad.append(f"{raw} <> trim({raw}, ' ' || chr(13) || chr(10))")
                if column.name not in FREE_TEXT_COLUMNS:
                    bad.append(f"contains({raw}, chr(10))")
        checks.append(f"SELECT (count(*) < {table.min_rows})::INTEGER"
                      + (f" + count_if({' OR '.join(bad)})" if bad else "") + f" FROM {_q(name)}")
        for key in table.keys:
            complete = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key if k != "since") or "true"
            columns = ", ".join(_q(k) for k in key)
            checks.append(f"SELECT count(*) FROM (SELECT {columns} FROM {_q(name)} "
                          f"WHERE {complete} GROUP BY ALL HAVING count(*) > 1)")
    return [*checks, *_RULE_CHECKS]


def _tables_list(tables: tuple[str, ...]) -> str:
    return "[" + ", ".join(_literal(t) for t in tables) + "]"


def _reference_check() -> str:
    """References to no entity, or to one of a table the column (or, in ``links``, the
    link type at that end) does not allow: one hash join of every reference with the ids."""
    parts = []
    for table in schema.TABLES.values():
        for column in table.columns:
            if column.type != "ref":
                continue
            allowed = "NULL::VARCHAR[]" if column.refs == ("*",) else _tables_list(column.refs)
            if table.name == "links":
                cases = " ".join(
                    f"WHEN {_literal(t.name)} THEN "
                    f"{_tables_list(t.sources if column.name == 'source_id' else t.targets)}"
                    for t in schema.LINK_TYPES.values())
                allowed = f"CASE type {cases} END"
            parts.append(f"SELECT {_q(column.name)} AS ref, {allowed} AS allowed "
                         f"FROM {_q(table.name)} WHERE {_q(column.name)} IS NOT NULL")
    return (f"SELECT count(*) FROM ({' UNION ALL '.join(parts)}) AS r "
            f"LEFT JOIN _ids AS i ON i.id = r.ref "
            f"WHERE i.id IS NULL OR (r.allowed IS NOT NULL AND NOT list_contains(r.allowed, i.tbl))")


def _setup() -> list[str]:
    """The table the checks use: every id with its table."""
    ids = " UNION ALL ".join(f"SELECT id, '{t}' AS tbl FROM {_q(t)}"
                             for t in schema.ENTITY_TABLES)
    return [f"CREATE TEMP TABLE _ids AS {ids}"]


_RULE_CHECKS = (
    "SELECT count(*) FROM links WHERE until < since",  # a warning: the detailed path says it
    "SELECT count(*) FROM grids WHERE kind = 'residential' AND area_id IS NULL",
    "SELECT count(*) FROM grids WHERE kind = 'business' AND area_id IS NOT NULL",
    "SELECT count(*) FROM grids AS g JOIN residential_areas AS a ON a.id = g.area_id "
    "WHERE g.kind = 'residential' AND g.street_id IS NOT NULL "
    "AND a.street_id IS NOT NULL AND a.street_id <> g.street_id",
    "SELECT count(*) FROM population WHERE registered > residents",
    "SELECT count(*) FROM demands WHERE status = 'resolved' AND resolved_on IS NULL",
    "SELECT count(*) FROM demands WHERE resolved_on < raised_on",
)
"""The contract's rules across columns (and one warning) as counts."""


def _all_pass(con: Any, checks: list[str]) -> bool:
    """Whether every check counts zero (one statement: one round trip, one plan)."""
    total = con.execute("SELECT " + " + ".join(f"coalesce(({check}), 0)"
                                               for check in checks)).fetchone()
    return total is not None and total[0] == 0


# ---------------------------------------------------------------------------
# The whole path
# ---------------------------------------------------------------------------


def read_csv_dataset(path: str | Path) -> duckdb.DuckDBPyConnection | None:
    """A CSV dataset's typed tables and ``within`` in DuckDB, or None.

    Parameters
    ----------
    path : str or pathlib.Path
        A directory of ``<table>.csv`` files.

    Returns
    -------
    duckdb.DuckDBPyConnection or None
        The tables of :func:`graphmodel._duckdb.connect`, when the dataset is plainly valid;
        None when the detailed reader must decide (a problem, a warning, or anything the fast
        checks cannot vouch for).
    """
    opened = _open(Path(path))
    if opened is None:
        return None
    _contract_columns_only(*opened)
    return opened[0]


def read_csv_tables(path: str | Path) -> dict[str, pd.DataFrame] | None:
    """A plainly valid CSV dataset's typed tables as :func:`graphmodel.load_dataset` gives
    them (the same columns, order, values and dtypes as the detailed reader), or None.

    Examples
    --------
    >>> from graphmodel import settings
    >>> tables = read_csv_tables(settings.default_dataset_path())
    >>> str(tables["visits"]["date"].dtype), str(tables["buildings"]["key_building"].dtype)
    ('datetime64[us]', 'boolean')
    """
    opened = _open(Path(path))
    if opened is None:
        return None
    con, headers = opened
    try:
        return {table.name: _frame(con, table, headers.get(table.name))
                for table in schema.TABLES.values()}
    finally:
        con.close()


def _contract_columns_only(con: Any, headers: dict[str, list[str]]) -> None:
    """Hide what the checks and the pandas tables needed beyond the contract (raw texts,
    ``name_en``): each table with more becomes ``_read_<table>`` behind a view of its
    contract columns, in the contract's order, as the tables of
    :func:`graphmodel._duckdb.connect` (a view costs nothing; dropping the columns would
    copy the table)."""
    for name, header in headers.items():
        table = schema.TABLES[name]
        raw = any(c.name in header and _sql_typed(c, "x") for c in table.columns)
        if not raw and set(header) <= set(table.column_names):
            continue
        hidden = _q(f"_read_{name}")
        con.execute(f"ALTER TABLE {_q(name)} RENAME TO {hidden}")
        columns = ", ".join(_q(c) for c in table.column_names)
        con.execute(f"CREATE VIEW {_q(name)} AS SELECT {columns} FROM {hidden}")


def _open(path: Path) -> tuple[Any, dict[str, list[str]]] | None:
    import duckdb

    from graphmodel._duckdb import NO_CHECKPOINT

    if not path.is_dir():
        return None
    files = _table_files(path)
    if files is None:
        return None
    headers: dict[str, list[str]] = {}
    for name, file in files.items():
        header = _header(schema.TABLES[name], _first_line(file))
        if header is None:
            return None
        headers[name] = header
    con = duckdb.connect(":memory:", config=NO_CHECKPOINT)  # tables read once, then queried
    try:
        if _build(_quiet(con), files, headers):
            return con, headers
    except duckdb.Error:
        pass
    con.close()
    return None


def _frame(con: Any, table: schema.Table, header: list[str] | None) -> pd.DataFrame:
    """One table as pandas, as :func:`graphmodel.validation.validate_raw` types it: the
    file's columns in its order, then the contract's missing columns; texts as objects
    (None for blank), dates ``datetime64[us]``, booleans ``boolean``, numbers ``Int64``."""
    import numpy as np
    import pandas as pd

    names = list(header or []) + [c for c in table.column_names if c not in (header or [])]
    found = con.sql(f"SELECT {', '.join(_q(n) for n in names)} "
                    f"FROM {_q(table.name)}").fetchnumpy()
    kinds = {c.name: c.type for c in table.columns}
    columns = {}
    for name in names:
        values = found[name]
        data, blank = np.ma.getdata(values), np.ma.getmaskarray(values)
        kind = kinds.get(name, "str")
        if kind == "date":
            columns[name] = pd.Series(data.astype("datetime64[us]")).where(~blank)
        elif kind in ("int", "level"):
            columns[name] = pd.Series(pd.arrays.IntegerArray(data.astype("int64"), blank))
        elif kind == "bool":
            columns[name] = pd.Series(pd.arrays.BooleanArray(data.astype(bool), blank))
        else:
            texts = data.astype(object)
            texts[blank] = None
            columns[name] = pd.Series(texts, dtype=object)
    return pd.DataFrame(columns, columns=names)


def _quiet(con: Any) -> Any:
    """A connection (or cursor: each has its own settings) that never draws DuckDB's
    progress bar: stdout carries the findings."""
    con.execute("SET enable_progress_bar = false")
    return con


def _first_line(file: Path) -> bytes:
    with open(file, "rb") as handle:
        return handle.readline(1 << 16)


def _build(con: Any, files: dict[str, Path], headers: dict[str, list[str]]) -> bool:
    """Read the tables (in worker threads, biggest first) while the files' text is
    screened, then run the checks and build ``within``; False on anything unusual."""
    from concurrent.futures import ThreadPoolExecutor

    from graphmodel._duckdb import add_derived

    order = sorted(files, key=lambda name: -files[name].stat().st_size)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        reads = [pool.submit(_read_table, _quiet(con.cursor()), schema.TABLES[name], files[name],
                             headers[name]) for name in order]
        quoted_files = screen(_quiet(con.cursor()), list(files.values()))
        if quoted_files is None:
            for read in reads:
                read.cancel()
            return False
        if not all(read.result() for read in reads):  # a DuckDB error is raised here
            return False
    quoted = {name for name, file in files.items() if file in quoted_files}
    for table in schema.TABLES.values():
        if table.name not in files:
            _empty_table(con, table)
    for statement in _setup():
        con.execute(statement)
    if not _all_pass(con, _checks(headers, quoted)):
        return False
    # within as a view: no built-in gap reads it (analysts' rules do), so it costs nothing
    # unless used
    add_derived(con, within_as_view=True)
    return True


def _read_table(cursor: Any, table: schema.Table, file: Path, names: list[str]) -> bool:
    try:
        _read_typed(cursor, table, file, names)
        return all(_values_exact(cursor, table.name, column) for column in table.columns
                   if column.name in names and _sql_typed(column, "x"))
    finally:
        cursor.close()


# ---------------------------------------------------------------------------
# The gaps on those tables
# ---------------------------------------------------------------------------

_PLACES_SQL = """
WITH p AS (SELECT DISTINCT unnest($places) AS place),
pg AS (
    SELECT p.place, coalesce(g.id, b.grid_id, cb.grid_id) AS grid_id
    FROM p
    LEFT JOIN grids AS g ON g.id = p.place
    LEFT JOIN buildings AS b ON b.id = p.place
    LEFT JOIN companies AS c ON c.id = p.place
    LEFT JOIN buildings AS cb ON cb.id = c.building_id
)
SELECT pg.place, pg.grid_id, coalesce(a.id, pgrid.area_id) AS area_id
FROM pg
LEFT JOIN residential_areas AS a ON a.id = pg.place
LEFT JOIN grids AS pgrid ON pgrid.id = pg.grid_id
"""
"""Each place's grid and residential area, as :attr:`graphmodel.dataset.Dataset.place_grid`
and ``place_area`` (a grid, building or company has a grid; an area, a residential grid and
what it holds have an area)."""

_NAMES_SQL = "SELECT id, name FROM entity_names WHERE id IN (SELECT unnest($ids))"
"""The names of some entities (a demand's: its category), as ``Dataset.names``."""

_PLACE_COLUMN = {"demand_company": ("demands", "company_id"),
                 "org_location": ("organizations", "located_in")}
"""Where a finding's place is, for the gaps whose place is not the finding itself."""


def gap_findings(con: Any, names: list[str], as_of: dt.date,
                 values: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings of the gaps ``names`` on a connection of :func:`read_csv_dataset`: one
    dict per finding with the gap columns, sorted by gap then id (the records of
    ``graphmodel gaps --format json``).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        From :func:`read_csv_dataset`.
    names : list of str
        Built-in gap names (:func:`graphmodel.gaps.gap_names`).
    as_of : datetime.date
        The evaluation date.
    values : dict
        Every gap parameter's value (:func:`graphmodel.queries.resolve_params`).
    """
    from graphmodel.queries import get_query
    from graphmodel.sql_engine import sql_parameters, sql_text

    given = {"as_of": as_of, **values}
    found: list[tuple[str, str, Any, dict[str, Any]]] = []  # gap, id, place, detail
    for name in sorted(names):
        query = get_query(name)
        text = sql_text(query.group, query.name)
        rows = con.execute(text, {n: given[n] for n in sql_parameters(text)}).fetchall()
        places = _places_of(con, query.place, [row[0] for row in rows])
        found += [(name, row[0], places.get(row[0]), row[1] if isinstance(row[1], dict) else {})
                  for row in rows]
    where = {row[0]: row[1:] for row in con.execute(
        _PLACES_SQL, {"places": sorted({p for _, _, p, _ in found if p})}).fetchall()}
    wanted = {i for _, i, _, _ in found} | {x for g, a in where.values() for x in (g, a) if x}
    named = dict(con.execute(_NAMES_SQL, {"ids": sorted(wanted)}).fetchall())
    records = []
    for gap, id_, place, detail in found:
        grid, area = where.get(place, (None, None))
        records.append({"gap": gap, "id": id_, "name": named.get(id_), "grid_id": grid,
                        "grid_name": named.get(grid), "area_id": area,
                        "area_name": named.get(area), "detail": detail})
    return records


def _places_of(con: Any, place: str, ids: list[str]) -> dict[str, Any]:
    """The place of each finding id (see :data:`graphmodel.queries.Place`)."""
    if place not in _PLACE_COLUMN:
        return {i: i for i in ids}
    table, column = _PLACE_COLUMN[place]
    return dict(con.execute(f"SELECT id, nullif({column}, '') FROM {table} "
                            f"WHERE id IN (SELECT unnest($ids))", {"ids": ids}).fetchall())
