"""The fast path of a CSV dataset: read, checked and typed in DuckDB, straight from the files.

:func:`read_csv_dataset` builds the very tables :func:`graphmodel._duckdb.connect` builds from
a loaded :class:`~graphmodel.dataset.Dataset` (the typed contract tables and ``within``), so
the gaps' SQL (``queries/gaps/*.sql``) runs on them unchanged, without pandas and without a
Python loop over rows:

1. a byte-level screen of each file (C-speed ``bytes`` searches, no regular expression over
   the text): control and invisible characters, blanks to strip around a cell, runs of 11
   digits (where an ID-card or mobile number could hide), a lone quote or carriage return;
2. the header, read from the first line: every column a contract column (or ``name_en``),
   each once, the required ones present;
3. DuckDB's CSV reader (strict: a row of the wrong width, a bad UTF-8 byte are errors);
4. every contract check as a set operation: required cells, enum, boolean, level, date and
   number spellings (each *distinct* value checked once, by the rules of
   :mod:`graphmodel.validation`), ids unique and plain ASCII, references to an entity of the
   right table, link endpoints per link type, business/residential grid areas, duplicate
   keys, ``registered > residents``, demand and link dates;
5. the typed tables and ``within``.

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
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphmodel import schema

if TYPE_CHECKING:
    import duckdb

__all__ = ["OPTIONAL_COLUMNS", "read_csv_dataset", "screen_bytes"]

OPTIONAL_COLUMNS = frozenset({"name_en"})
"""Columns accepted beyond the contract's own (as :mod:`graphmodel.validation`)."""

FREE_TEXT_COLUMNS = frozenset({"note", "reason", "purpose", "address", "source_ref"})
"""Columns whose cells may span lines (as :mod:`graphmodel.validation`)."""

SQL_TYPES: dict[str, str] = {"id": "VARCHAR", "str": "VARCHAR", "ref": "VARCHAR",
                             "enum": "VARCHAR", "int": "BIGINT", "level": "BIGINT",
                             "bool": "BOOLEAN", "date": "DATE"}

_BAD_BYTES = bytes([*range(0x00, 0x09), 0x09, 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
"""ASCII control characters and the tab (never in a cell but free text; the screen is strict)."""

_RARE_SEQUENCES: dict[bytes, tuple[bytes, ...]] = {
    b"\xcd": (b"\xcd\x8f",), b"\xd8": (b"\xd8\x9c",),
    b"\xe1": (b"\xe1\x85\x9f", b"\xe1\x85\xa0", b"\xe1\x9a\x80", b"\xe1\x9e\xb4", b"\xe1\x9e\xb5",
              *(b"\xe1\xa0" + bytes([b]) for b in range(0x8b, 0x90))),
}
"""UTF-8 of invisible characters behind lead bytes rare in Chinese text (U+034F, U+061C,
U+115F, U+1160, U+1680, U+17B4, U+17B5, U+180B..U+180F), by lead byte."""
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_DATE_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
_BOOLEANS: dict[str, bool] = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "是": True, "否": False, "t": True, "f": False, "y": True, "n": False,
}
_FIRST_DATE = dt.date(1900, 1, 1)
_MAX_INT = 2**53


def screen_bytes(data: bytes) -> bool:
    """Whether a file's bytes are plainly clean for the fast path.

    Clean: no control character or tab, no invisible or non-ASCII blank character, no blank
    at the edge of a cell (in a file with quotes, the SQL checks look at the cells' edges),
    no run of 11 digits, no lone carriage return, an even number of quotes, no byte-order
    mark. Every test is a C loop over the bytes (``bytes.translate``, ``memchr``, numpy).

    Examples
    --------
    >>> screen_bytes("id,name\\nA-1,静安寺\\n".encode())
    True
    >>> screen_bytes("id,name\\nA-1, 静安寺\\n".encode())
    False
    >>> screen_bytes("id,name\\nA-1,13912345678\\n".encode())
    False
    """
    import numpy as np

    if data.startswith(b"\xef\xbb\xbf") or data.count(b'"') % 2 or data.endswith(b" "):
        return False
    if len(data.translate(None, _BAD_BYTES)) != len(data):
        return False
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return False
    if b"0" * 11 in data.translate(_DIGITS):
        return False
    if any(lead in data and any(s in data for s in sequences)
           for lead, sequences in _RARE_SEQUENCES.items()):
        return False
    octets = np.frombuffer(b"\n" + data + b"\n\n", dtype=np.uint8)
    return not (_blank_edges(octets, b'"' in data) or _bad_wide_characters(data, octets))


def _blank_edges(octets: Any, quoted: bool) -> bool:
    """A space next to a comma, a line end or a quote (a cell to strip); with quotes in the
    file a comma may sit inside a cell, and the SQL checks decide instead."""
    if quoted:
        return False
    import numpy as np

    at = np.flatnonzero(octets == 0x20)
    before, after = octets[at - 1], octets[at + 1]
    return bool((np.isin(before, (0x2c, 0x0a)) | np.isin(after, (0x2c, 0x0a, 0x0d))).any())


def _bad_wide_characters(data: bytes, octets: Any) -> bool:
    """Invisible or blank characters behind the lead bytes common in Chinese text (U+0080..
    U+00BF, U+2000..U+207F, U+3000..U+33FF, U+FE00..U+FFFF), checked vectorised."""
    import numpy as np

    def after(lead: int) -> tuple[Any, Any]:
        if bytes([lead]) not in data:
            empty = np.empty(0, dtype=np.uint8)
            return empty, empty
        at = np.flatnonzero(octets[:-2] == lead)
        return octets[at + 1], octets[at + 2]

    second, _ = after(0xc2)  # C1 controls, no-break space, soft hyphen
    if (((second >= 0x80) & (second <= 0xa0)) | (second == 0xad)).any():
        return True
    second, third = after(0xe2)  # U+2000..U+200F, U+2028..U+202F, U+205F..U+206F
    if (((second == 0x80) & ((third <= 0x8f) | ((third >= 0xa8) & (third <= 0xaf))))
            | ((second == 0x81) & (third >= 0x9f) & (third <= 0xaf))).any():
        return True
    second, third = after(0xe3)  # U+3000 ideographic space, U+3164 Hangul filler
    if (((second == 0x80) & (third == 0x80)) | ((second == 0x85) & (third == 0xa4))).any():
        return True
    second, third = after(0xef)  # variation selectors, BOM, U+FFA0, U+FFF9..U+FFFB
    return bool((((second == 0xb8) & (third <= 0x8f)) | ((second == 0xbb) & (third == 0xbf))
                 | ((second == 0xbe) & (third == 0xa0))
                 | ((second == 0xbf) & (third >= 0xb9) & (third <= 0xbb))).any())


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
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
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


def _read_raw(con: Any, table: schema.Table, file: Path, names: list[str]) -> None:
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    not_blank = " OR ".join(f"{_q(n)} IS NOT NULL" for n in names)
    con.execute(
        f"CREATE TABLE {_q('raw_' + table.name)} AS SELECT * FROM read_csv($file, header = true, "
        f"auto_detect = false, columns = {columns}, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false) WHERE {not_blank}", {"file": str(file)})


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


def _value_map(con: Any, table: str, column: schema.Column) -> dict[str, Any] | None:
    """Typed value of each distinct cell of a typed column, or None if one is invalid."""
    parse = _parser(column)
    distinct = con.execute(f"SELECT DISTINCT {_q(column.name)} FROM {_q('raw_' + table)} "
                           f"WHERE {_q(column.name)} IS NOT NULL").fetchall()
    values = {}
    for (raw,) in distinct:
        value = parse(raw)
        if value is None:
            return None
        values[raw] = value
    return values


def _typed_table(con: Any, table: schema.Table, names: list[str]) -> bool:
    """Create the typed table from its raw one; False when a value is invalid."""
    selects = []
    for column in table.columns:
        sql_type = SQL_TYPES[column.type]
        default = f"CAST({'NULL' if column.default is None else _literal(column.default)} " \
                  f"AS {sql_type})"
        if column.name not in names:
            selects.append(f"{default} AS {_q(column.name)}")
            continue
        expression = _q(column.name)
        if column.type not in ("id", "str", "ref"):
            values = _value_map(con, table.name, column)
            if values is None:
                return False
            expression = _typed_expression(con, column, values)
        selects.append(f"coalesce({expression}, {default}) AS {_q(column.name)}")
    con.execute(f"CREATE TABLE {_q(table.name)} AS SELECT {', '.join(selects)} "
                f"FROM {_q('raw_' + table.name)}")
    return True


def _typed_expression(con: Any, column: schema.Column, values: dict[str, Any]) -> str:
    """SQL typing a raw column to ``values`` (its distinct cells' typed values): a cast when
    DuckDB's cast gives exactly ``values`` (checked on the distinct cells), else a CASE."""
    name, sql_type = _q(column.name), SQL_TYPES[column.type]
    cast = {"date": f"TRY_CAST(replace({name}, '/', '-') AS DATE)",
            "int": f"TRY_CAST({name} AS BIGINT)"}.get(column.type)
    if cast is not None and values:
        raws = list(values)
        probe = cast.replace(name, "raw")
        found = con.execute(f"SELECT {probe} FROM unnest($raws) AS t(raw)",
                            {"raws": raws}).fetchall()
        if [row[0] for row in found] == [values[r] for r in raws]:
            return cast
    if not values:
        return f"CAST(NULL AS {sql_type})"
    cases = " ".join(f"WHEN {_literal(raw)} THEN CAST({_sql_value(value)} AS {sql_type})"
                     for raw, value in values.items())
    return f"CASE {name} {cases} END"


def _sql_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _literal(str(value))  # a date (ISO) or an enum's canonical text


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty_table(con: Any, table: schema.Table) -> None:
    columns = ", ".join(f"{_q(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    con.execute(f"CREATE TABLE {_q(table.name)} ({columns})")


# ---------------------------------------------------------------------------
# Contract checks: each a count of offending rows, all expected zero
# ---------------------------------------------------------------------------


def _checks(tables: dict[str, list[str]], quoted: set[str]) -> list[str]:
    """SQL statements each counting rows that break a rule (every one must give 0).

    ``quoted``: the tables whose files hold a quote, the only way a cell spans lines."""
    checks: list[str] = []
    checks.append("SELECT count(*) - count(DISTINCT id) FROM _ids")
    checks.append("SELECT count(*) FROM _ids WHERE strlen(id) <> length(id)")  # look-alikes
    for name, names in tables.items():
        table = schema.TABLES[name]
        checks.append(f"SELECT CASE WHEN count(*) < {table.min_rows} THEN 1 ELSE 0 END "
                      f"FROM {_q(name)}")
        for column in table.columns:
            if column.required and column.name in names:
                checks.append(f"SELECT count(*) FROM {_q('raw_' + name)} "
                              f"WHERE {_q(column.name)} IS NULL")
            if column.type == "ref":
                checks.append(_reference_check(name, column))
            if name in quoted and column.name in names:
                checks.append(f"SELECT count(*) FROM {_q('raw_' + name)} WHERE {_q(column.name)} "
                              f"<> trim({_q(column.name)}, ' ' || chr(13) || chr(10))")
            if name in quoted and column.name in names and column.name not in FREE_TEXT_COLUMNS:
                checks.append(f"SELECT count(*) FROM {_q('raw_' + name)} WHERE "
                              f"contains({_q(column.name)}, chr(10))")
        for key in table.keys:
            complete = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key if k != "since") or "true"
            columns = ", ".join(_q(k) for k in key)
            checks.append(f"SELECT count(*) FROM (SELECT {columns} FROM {_q(name)} "
                          f"WHERE {complete} GROUP BY ALL HAVING count(*) > 1)")
    checks += _link_checks() + _rule_checks()
    return checks


def _reference_check(name: str, column: schema.Column) -> str:
    allowed = "" if column.refs == ("*",) else (
        " AND i.tbl IN (" + ", ".join(_literal(t) for t in column.refs) + ")")
    return (f"SELECT count(*) FROM {_q(name)} AS x WHERE x.{_q(column.name)} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM _ids AS i WHERE i.id = x.{_q(column.name)}"
            f"{allowed})")


def _setup() -> list[str]:
    """The tables the checks use: every id with its table, and the allowed link endpoints."""
    ids = " UNION ALL ".join(f"SELECT id, '{t}' AS tbl FROM {_q(t)}"
                             for t in schema.ENTITY_TABLES)
    pairs = [(t.name, side, allowed) for t in schema.LINK_TYPES.values()
             for side, allowed in (("source_id", t.sources), ("target_id", t.targets))]
    rows = ", ".join(f"({_literal(n)}, {_literal(s)}, {_literal(a)})"
                     for n, s, tables in pairs for a in tables)
    return [f"CREATE TEMP TABLE _ids AS {ids}",
            "CREATE TEMP TABLE _endpoints (type VARCHAR, side VARCHAR, tbl VARCHAR)",
            f"INSERT INTO _endpoints VALUES {rows}"]


def _link_checks() -> list[str]:
    return [
        *(f"SELECT count(*) FROM links AS l JOIN _ids AS i ON i.id = l.{side} "
          f"WHERE NOT EXISTS (SELECT 1 FROM _endpoints AS e WHERE e.type = l.type "
          f"AND e.side = '{side}' AND e.tbl = i.tbl)" for side in ("source_id", "target_id")),
        "SELECT count(*) FROM links WHERE until < since",  # a warning: the detailed path says it
    ]


def _rule_checks() -> list[str]:
    return [
        "SELECT count(*) FROM grids WHERE kind = 'residential' AND area_id IS NULL",
        "SELECT count(*) FROM grids WHERE kind = 'business' AND area_id IS NOT NULL",
        "SELECT count(*) FROM grids AS g JOIN residential_areas AS a ON a.id = g.area_id "
        "WHERE g.kind = 'residential' AND g.street_id IS NOT NULL "
        "AND a.street_id IS NOT NULL AND a.street_id <> g.street_id",
        "SELECT count(*) FROM population WHERE registered > residents",
        "SELECT count(*) FROM demands WHERE status = 'resolved' AND resolved_on IS NULL",
        "SELECT count(*) FROM demands WHERE resolved_on < raised_on",
    ]


def _all_pass(con: Any, checks: list[str]) -> bool:
    for check in checks:
        result = con.execute(check).fetchone()
        if result is not None and result[0]:
            return False
    return True


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
    import duckdb

    path = Path(path)
    if not path.is_dir():
        return None
    files = _table_files(path)
    if files is None:
        return None
    headers: dict[str, list[str]] = {}
    quoted: set[str] = set()
    for name, file in files.items():
        data = file.read_bytes()
        header = _header(schema.TABLES[name], data)
        if header is None or not screen_bytes(data):
            return None
        headers[name] = header
        if b'"' in data:
            quoted.add(name)
    con = duckdb.connect(":memory:")
    try:
        return con if _build(con, files, headers, quoted) else None
    except duckdb.Error:
        return None


def _build(con: Any, files: dict[str, Path], headers: dict[str, list[str]],
           quoted: set[str]) -> bool:
    from graphmodel._duckdb import WITHIN_SQL

    for name, file in files.items():
        _read_raw(con, schema.TABLES[name], file, headers[name])
    for table in schema.TABLES.values():
        if table.name not in files:
            _empty_table(con, table)
        elif not _typed_table(con, table, headers[table.name]):
            return False
    for statement in _setup():
        con.execute(statement)
    if not _all_pass(con, _checks(headers, quoted)):
        return False
    for name in files:
        con.execute(f"DROP TABLE {_q('raw_' + name)}")
    con.execute(WITHIN_SQL)
    return True


# ---------------------------------------------------------------------------
# The gaps on those tables
# ---------------------------------------------------------------------------

_PLACES_SQL = """
CREATE TEMP TABLE _names AS
SELECT id, name FROM streets UNION ALL SELECT id, name FROM residential_areas
UNION ALL SELECT id, name FROM grids UNION ALL SELECT id, name FROM buildings
UNION ALL SELECT id, name FROM companies UNION ALL SELECT id, name FROM organizations
UNION ALL SELECT id, name FROM people UNION ALL SELECT id, category FROM demands;
CREATE TEMP TABLE _place_grid AS
SELECT id AS place, id AS grid_id FROM grids
UNION ALL SELECT id, grid_id FROM buildings
UNION ALL SELECT c.id, b.grid_id FROM companies AS c LEFT JOIN buildings AS b ON b.id = c.building_id;
CREATE TEMP TABLE _place_area AS
SELECT id AS place, id AS area_id FROM residential_areas
UNION ALL SELECT id, area_id FROM grids WHERE area_id IS NOT NULL
UNION ALL SELECT p.place, g.area_id FROM _place_grid AS p JOIN grids AS g ON g.id = p.grid_id
          WHERE p.place <> p.grid_id AND g.area_id IS NOT NULL;
"""
"""Each entity's name (a demand's category) and each place's grid and residential area, as
:attr:`graphmodel.dataset.Dataset.names`, ``place_grid`` and ``place_area``."""

_PLACE_OF = {"self": "f.id",
             "demand_company": "(SELECT d.company_id FROM demands AS d WHERE d.id = f.id)",
             "org_location": "(SELECT o.located_in FROM organizations AS o WHERE o.id = f.id)"}


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

    if not _has_table(con, "_names"):
        con.execute(_PLACES_SQL)
    given = {"as_of": as_of, **values}
    records: list[dict[str, Any]] = []
    for name in sorted(names):
        query = get_query(name)
        text = sql_text(query.group, query.name)
        rows = con.execute(
            f"WITH f AS ({text}) "
            f"SELECT f.id, n.name, p.grid_id, gn.name, a.area_id, an.name, f.detail "
            f"FROM (SELECT f.*, nullif({_PLACE_OF[query.place]}, '') AS place FROM f) AS f "
            f"LEFT JOIN _names AS n ON n.id = f.id "
            f"LEFT JOIN _place_grid AS p ON p.place = f.place "
            f"LEFT JOIN _names AS gn ON gn.id = p.grid_id "
            f"LEFT JOIN _place_area AS a ON a.place = f.place "
            f"LEFT JOIN _names AS an ON an.id = a.area_id ORDER BY f.id",
            {n: given[n] for n in sql_parameters(text)}).fetchall()
        records += [{"gap": name, "id": row[0], "name": row[1], "grid_id": row[2],
                     "grid_name": row[3], "area_id": row[4], "area_name": row[5],
                     "detail": row[6] if isinstance(row[6], dict) else {}} for row in rows]
    return records


def _has_table(con: Any, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $name",
                            {"name": name}).fetchone()[0])
