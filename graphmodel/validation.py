"""Check raw tables against the data contract and type their columns.

All checks are vectorised over whole columns, so validation stays linear in the
number of rows; a Python loop runs only over the rows that are wrong. Every
problem is collected (nothing stops at the first one) and located by table,
file, row as the user sees it, column and value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from graphmodel import _cells, _progress, schema
from graphmodel._frames import column_map
from graphmodel._problems import Problem
from graphmodel.io import RawDataset, RawTable

KNOWN_OPTIONAL_COLUMNS = frozenset({"name_en"})
"""Optional columns graphmodel allows on every table beyond the contract's own
(``source``, ``source_ref`` and ``note`` are contract columns of every table)."""

BOOLEAN_SPELLINGS: dict[str, bool] = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "是": True, "否": False, "t": True, "f": False, "y": True, "n": False,
}

_DATE_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")

Tables = dict[str, pd.DataFrame]


class _Collector:
    """Collects problems for one table, turning row masks into located problems."""

    def __init__(self, raw: RawTable, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems

    def table_problem(self, column: str | None, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.raw.name, self.raw.file, None, column, None, message,
                                     severity))  # type: ignore[arg-type]

    def rows(self, mask: pd.Series, column: str, message: str,
             values: pd.Series | None = None) -> None:
        if not mask.any():
            return
        if values is None:
            values = self.raw.frame.get(column, pd.Series(None, index=mask.index, dtype=object))
        for index in mask[mask].index:
            value = values.at[index]
            self.problems.append(Problem(self.raw.name, self.raw.file, int(self.raw.rows.at[index]),
                                         column, None if value is None else str(value), message))


@_progress.timed("checks")
def validate_raw(raw: RawDataset) -> tuple[Tables, list[Problem]]:
    """Check every contract rule and return typed tables and all problems.

    Parameters
    ----------
    raw : RawDataset
        Tables as read by :func:`graphmodel.io.read_raw_dataset`.

    Returns
    -------
    tuple of (dict of str to pandas.DataFrame, list of Problem)
        One typed DataFrame per contract table (empty for absent optional
        tables) and every problem found; the tables are only meaningful when
        no problem has severity ``error``.
    """
    problems = list(raw.problems)
    tables: Tables = {}
    collectors: dict[str, _Collector] = {}
    version_1 = _version_1_layout(raw)
    if version_1 is not None:
        return {t.name: _empty_table(t) for t in schema.TABLES.values()}, [*problems, version_1]
    for table in _progress.bar(schema.TABLES.values(), desc="检查 checks", unit="table"):
        present = table.name in raw.tables
        if not present:
            if table.required and not _unreadable(raw, table.name):
                problems.append(Problem(table.name, _table_file(raw, table.name), None, None,
                                        None, "缺少必需的表 / required table is missing"))
            tables[table.name] = _empty_table(table)
            continue
        collector = _Collector(raw.tables[table.name], problems)
        collectors[table.name] = collector
        tables[table.name] = _check_columns(table, collector)
        if len(tables[table.name]) < table.min_rows:
            collector.table_problem(None, f"至少需要 {table.min_rows} 行数据 / needs at least "
                                    f"{table.min_rows} row(s)")
    ids = _check_ids(tables, collectors)
    for name, collector in collectors.items():
        _check_references(schema.TABLES[name], tables, ids, collector)
    _check_keys(tables, collectors)
    _check_rules(tables, collectors)
    return tables, problems


def _version_1_layout(raw: RawDataset) -> Problem | None:
    """The one error for a dataset in the version 1 layout (areas inside grids), else None."""
    areas, grids = raw.tables.get("residential_areas"), raw.tables.get("grids")
    if areas is None or "grid_id" not in areas.frame.columns:
        return None
    if grids is not None and "area_id" in grids.frame.columns:
        return None
    return Problem(
        "residential_areas", areas.file, None, "grid_id", None,
        "这是第1版数据格式：居民区不再属于网格，而是网格属于居民区。请在 grids 表增加 area_id 列，"
        "为每个平面网格填写其所属居民区编号（立体网格留空），并把 residential_areas 表的 grid_id 列"
        "改为 street_id（所属街道编号）。 / This is the version 1 layout of the data contract: "
        "residential areas no longer sit inside grids; residential grids sit inside areas. Move "
        "the link: add an area_id column to grids holding, for each residential grid, the id of "
        "its residential area (blank for business grids), and replace residential_areas.grid_id "
        "with street_id (the id of the area's street).")


def _table_file(raw: RawDataset, table: str) -> str:
    """Where a table should be: ``grids.csv``, or the sheet ``book.xlsx[grids]``."""
    if raw.path.suffix.lower() in {".xlsx", ".xlsm"}:
        return f"{raw.path.name}[{table}]"
    return f"{table}.csv"


def _unreadable(raw: RawDataset, table: str) -> bool:
    return any(p.table == table and p.severity == "error" for p in raw.problems)


def _empty_table(table: schema.Table) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in table.column_names})
    return _apply_types(table, frame)


def _apply_types(table: schema.Table, frame: pd.DataFrame) -> pd.DataFrame:
    for column in table.columns:
        frame[column.name] = _typed(column, frame[column.name])
    return frame


def _typed(column: schema.Column, values: pd.Series) -> pd.Series:
    if column.type == "date":
        return _parse_dates(values)
    if column.type == "bool":
        return _map_distinct(values, lambda v: BOOLEAN_SPELLINGS.get(v.lower())
                             if isinstance(v, str) else None).astype("boolean")
    if column.type == "int":
        return _parse_ints(values).astype("Int64")
    if column.type == "level":
        return _map_distinct(values, lambda v: schema.parse_risk_level(v)
                             if isinstance(v, str) else None).astype("Int64")
    if column.type == "enum":
        spellings = schema.enum_spellings(column)
        return _map_distinct(values, lambda v: spellings.get(v.lower(), v) if isinstance(v, str)
                             else column.default)
    return values.astype(object)


def _map_distinct(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """``values.map(function)``, calling ``function`` once per distinct value.

    Dates, booleans, levels and kinds repeat a few hundred values over millions
    of rows: a hash factorisation (C) and one call per distinct value replace a
    Python call per row. Missing values are passed to ``function`` as None.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [function(u) for u in uniques]
    results[-1] = function(None)  # code -1: missing
    return pd.Series(results[codes], index=values.index, dtype=object)


FIRST_DATE = pd.Timestamp("1900-01-01")
"""Dates run from 1900-01-01 to 9999-12-31 (the format itself stops at year 9999)."""


def _parse_dates(values: pd.Series) -> pd.Series:
    normalised = _map_distinct(values, lambda v: v.replace("/", "-")
                               if isinstance(v, str) and _DATE_RE.match(v) else None)
    # microseconds, not pandas' old nanoseconds: 9999-12-31 ("no end") must fit
    dates = pd.to_datetime(normalised, format="%Y-%m-%d", errors="coerce").astype(
        "datetime64[us]")
    return dates.where(dates >= FIRST_DATE)


MAX_INT = 2**53
"""Largest whole number accepted (exactly representable, far above any real count)."""


def _parse_ints(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    whole = (numbers.notna() & np.isfinite(numbers) & (numbers >= 0) & (numbers <= MAX_INT)
             & (numbers == numbers.round()))
    return numbers.where(whole)


def _check_columns(table: schema.Table, collector: _Collector) -> pd.DataFrame:
    frame = collector.raw.frame.copy()
    present = set(frame.columns)
    for column in table.columns:
        if column.name not in present:
            if column.required:
                collector.table_problem(column.name, "缺少必需的列 / required column is missing")
            frame[column.name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    extras = [c for c in frame.columns if c not in table.column_names and c]
    personal = [] if table.name == "population" else [
        c for c in extras if _cells.is_personal_data_column(c)]
    unknown = [c for c in extras if c not in KNOWN_OPTIONAL_COLUMNS and c not in personal]
    if unknown:
        collector.table_problem(", ".join(unknown),
                                "未知的额外列，已作为属性保留 / unknown extra columns, kept as "
                                "properties", "warning")
    for name in personal:
        collector.table_problem(name, PRIVACY_COLUMN_MESSAGE)
    for column in table.columns:
        if column.name in present:
            _check_cells(column, frame, collector)
    for name in present:
        if name and name not in personal:
            _check_text(table, name, frame[name], collector)
    frame = frame[[c for c in frame.columns if c and c not in personal]]
    return _apply_types(table, frame)


PRIVACY_COLUMN_MESSAGE = (
    "隐私规定：除 population 表外，任何表都不得含民族、身份证号或电话号码列；民族只能以按居民区统计的"
    "人数写在 population 表中 / privacy rule: no table but population may carry ethnicity, "
    "ID-card or phone-number columns; ethnicity exists only as counts per area in population")

FREE_TEXT_COLUMNS = frozenset({"note", "reason", "purpose", "address", "source_ref"})
"""Columns where line breaks are allowed (every other cell must be one line)."""


def _check_text(table: schema.Table, name: str, values: pd.Series,
                collector: _Collector) -> None:
    """Control and invisible characters anywhere; line breaks outside free text; ID-card
    and mobile numbers in any text that is not an id, a reference, an enum or a date."""
    known = name in table.column_names
    column = table.column(name) if known else None
    free = not known or name in FREE_TEXT_COLUMNS
    pattern = _CELL_BAD if free else _LINE_BAD
    bad = _cells.mask_matching(values, pattern)
    collector.rows(bad, name, "含有控制字符或不可见字符（如零宽空格）/ holds a control or invisible "
                   "character (e.g. a zero-width space)" + ("" if free else " or a line break"),
                   values.map(_visible, na_action="ignore"))
    if column is None or column.type == "str":
        personal = _cells.personal_number_mask(values) & ~bad
        collector.rows(personal, name, "隐私规定：不得填写身份证号或手机号 / privacy rule: an "
                       "ID-card number or a mobile number may not be entered here",
                       values.map(lambda _: "(hidden)", na_action="ignore"))


_CELL_BAD = re.compile(f"{_cells.CONTROL.pattern}|{_cells.INVISIBLE.pattern}")
_LINE_BAD = re.compile(f"{_CELL_BAD.pattern}|{_cells.LINE_BREAK.pattern}")


def _visible(value: object) -> str:
    """A cell with its hidden characters shown as ``\\u200b``-style escapes."""
    return _LINE_BAD.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"),
                         str(value))


def _check_cells(column: schema.Column, frame: pd.DataFrame, collector: _Collector) -> None:
    values = frame[column.name]
    present = values.notna()
    if column.required:
        collector.rows(~present, column.name, "必填项为空 / required value is empty")
    if column.type == "enum":
        spellings = schema.enum_spellings(column)
        bad = present & ~_map_distinct(values, lambda v: not isinstance(v, str)
                                       or v.lower() in spellings).astype(bool)
        collector.rows(bad, column.name, "取值无效，可选值 / not an allowed value; use one of: "
                       + ", ".join(_enum_choices(column)))
    elif column.type == "date":
        bad = present & _parse_dates(values).isna()
        collector.rows(bad, column.name, "日期无效，应为 1900-01-01 至 9999-12-31 之间的 YYYY-MM-DD / "
                       "not a valid date (YYYY-MM-DD, from 1900-01-01 to 9999-12-31)")
    elif column.type == "bool":
        bad = present & ~_map_distinct(values, lambda v: not isinstance(v, str)
                                       or v.lower() in BOOLEAN_SPELLINGS).astype(bool)
        collector.rows(bad, column.name, "布尔值无效，应为 是/否、true/false、1/0 / not a boolean")
    elif column.type == "int":
        bad = present & _parse_ints(values).isna()
        collector.rows(bad, column.name, "应为非负整数 / not a whole number >= 0 (at most "
                       f"{MAX_INT:,})")
    elif column.type == "level":
        bad = present & _map_distinct(values, lambda v: isinstance(v, str)
                                      and schema.parse_risk_level(v) is None).astype(bool)
        collector.rows(bad, column.name, "风险等级无效，可用 1-5、稳定…不稳定、绿蓝黄橙红 / not a "
                       "risk level: use 1-5, 稳定/较稳定/一般/较不稳定/不稳定 or green..red")


def _enum_choices(column: schema.Column) -> list[str]:
    """Canonical values, each followed by its other spellings: ``business (building, 立体)``."""
    others: dict[str, list[str]] = {}
    for spelling, value in schema.CHINESE_SPELLINGS.get(column.spellings, {}).items():
        others.setdefault(value, []).append(spelling)
    return [f"{v} ({', '.join(others[v])})" if v in others else v
            for v in schema.enum_values(column)]


def _check_ids(tables: Tables, collectors: dict[str, _Collector]) -> pd.Series:
    """Check that ids are unique across the whole dataset; return id -> table."""
    parts = []
    for name in schema.ENTITY_TABLES:
        ids = tables[name]["id"].dropna()
        parts.append(pd.DataFrame({"id": ids.values, "table": name, "index": ids.index}))
    all_ids = pd.concat(parts, ignore_index=True)
    duplicated = all_ids.duplicated("id", keep="first")
    if duplicated.any():
        first = all_ids[~duplicated].set_index("id")
        for _, dup in all_ids[duplicated].iterrows():
            origin = first.loc[dup["id"]]
            where = _location(collectors, origin["table"], origin["index"])
            mask = pd.Series(False, index=tables[dup["table"]].index)
            mask.at[dup["index"]] = True
            collectors[dup["table"]].rows(mask, "id", f"编号重复，已用于 / duplicate id, already "
                                          f"used at {where}")
    unique = all_ids[~duplicated]
    _check_lookalike_ids(unique, collectors)
    return pd.Series(unique["table"].values, index=pd.Index(unique["id"].values, dtype=object))


def _check_lookalike_ids(ids: pd.DataFrame, collectors: dict[str, _Collector]) -> None:
    """Two different ids that read the same (full-width, Cyrillic, zero-width ...) are an
    error naming both rows: a reference could bind to the wrong one unseen."""
    if "".join(ids["id"]).isascii():
        return
    exotic = ids[~ids["id"].map(str.isascii)]
    folded = exotic["id"].map(_cells.fold_lookalikes)
    first = {i: (t, x) for i, t, x in zip(ids["id"], ids["table"], ids["index"], strict=True)
             if str(i).isascii()}
    for (id_, table, index), key in zip(exotic[["id", "table", "index"]].itertuples(
            index=False), folded, strict=True):
        if key in first:
            other_table, other_index = first[key]
            mask = pd.Series(False, index=collectors[table].raw.frame.index)
            mask.at[index] = True
            collectors[table].rows(mask, "id", "编号与另一编号看起来相同（全角、形近字母或不可见字符）"
                                   f" / look-alike id: reads the same as {key!r} at "
                                   f"{_location(collectors, other_table, other_index)}",
                                   pd.Series(_visible(id_), index=mask.index))
        else:
            first[key] = (table, index)


def _location(collectors: dict[str, _Collector], table: str, index: int) -> str:
    raw = collectors[table].raw
    return f"{raw.file} row {int(raw.rows.at[index])}"


def _check_references(table: schema.Table, tables: Tables, ids: pd.Series,
                      collector: _Collector) -> None:
    frame = tables[table.name]
    for column in table.columns:
        if column.type != "ref":
            continue
        values = frame[column.name]
        present = values.notna()
        target_table = values.map(ids)
        unknown = present & target_table.isna()
        collector.rows(unknown, column.name, "引用的编号不存在 / unknown reference: no entity has "
                       "this id")
        if column.refs == ("*",):
            continue
        wrong = present & target_table.notna() & ~target_table.isin(column.refs)
        collector.rows(wrong, column.name, _wrong_kind_message(column.refs, target_table, wrong))
    if table.name == "grids":
        _check_grid_areas(frame, tables["residential_areas"], collector)
    if table.name == "links":
        _check_link_endpoints(frame, ids, collector)


def _check_grid_areas(grids: pd.DataFrame, areas: pd.DataFrame, collector: _Collector) -> None:
    residential = grids["kind"] == "residential"
    business = grids["kind"] == "business"
    has_area = grids["area_id"].notna()
    collector.rows(residential & ~has_area, "area_id", "平面网格必须填写所属居民区 / a residential "
                   "grid needs the area_id of its residential area")
    collector.rows(business & has_area, "area_id", "立体（商务）网格属于街道，area_id 应留空 / a "
                   "business grid belongs to the street: leave area_id blank")
    area_street = column_map(areas.drop_duplicates("id"), "id", "street_id")
    street_of_area = grids["area_id"].map(area_street)
    elsewhere = (residential & street_of_area.notna() & grids["street_id"].notna()
                 & (street_of_area != grids["street_id"]))
    collector.rows(elsewhere, "area_id", "所属居民区在另一个街道 / the grid's residential area "
                   "lies in another street (see residential_areas.street_id)")


def _wrong_kind_message(allowed: tuple[str, ...], actual: pd.Series, mask: pd.Series) -> str:
    found = ", ".join(sorted(set(actual[mask].dropna()))) if mask.any() else ""
    return (f"引用了错误类型的实体（{found}）/ reference to the wrong kind of entity ({found}); "
            f"must be one of: {', '.join(allowed)}")


def _check_link_endpoints(frame: pd.DataFrame, ids: pd.Series, collector: _Collector) -> None:
    actuals = {column: frame[column].map(ids) for column in ("source_id", "target_id")}
    for link_type in schema.LINK_TYPES.values():
        of_type = frame["type"] == link_type.name
        if not of_type.any():
            continue
        for column, allowed in (("source_id", link_type.sources), ("target_id", link_type.targets)):
            actual = actuals[column]
            wrong = of_type & actual.notna() & ~actual.isin(allowed)
            collector.rows(wrong, column, f"{link_type.name}: "
                           + _wrong_kind_message(allowed, actual, wrong))


def _check_keys(tables: Tables, collectors: dict[str, _Collector]) -> None:
    for name, collector in collectors.items():
        for key in schema.TABLES[name].keys:
            frame = tables[name]
            complete = frame[list(key)].drop(columns=[k for k in key if k == "since"]).notna().all(
                axis=1)
            duplicated = complete & frame.duplicated(list(key), keep="first")
            label = "(" + ", ".join(key) + ")"
            collector.rows(duplicated, key[0], f"键重复 / duplicate key {label}")


def _check_rules(tables: Tables, collectors: dict[str, _Collector]) -> None:
    if "population" in collectors:
        population = tables["population"]
        over = population["registered"].notna() & population["residents"].notna() & (
            population["registered"] > population["residents"])
        collectors["population"].rows(over.fillna(False).astype(bool), "registered",
                                      "户籍人数不能大于总人数 / registered > residents")
    if "demands" in collectors:
        demands = tables["demands"]
        resolved = demands["status"] == "resolved"
        collectors["demands"].rows(resolved & demands["resolved_on"].isna()
                                   & collectors["demands"].raw.frame["resolved_on"].isna(),
                                   "resolved_on", "状态为已解决但缺少解决日期 / resolved without "
                                   "resolved_on")
        before = demands["resolved_on"].notna() & demands["raised_on"].notna() & (
            demands["resolved_on"] < demands["raised_on"])
        collectors["demands"].rows(before, "resolved_on", "解决日期早于提出日期 / resolved_on is "
                                   "before raised_on")
    if "links" in collectors:
        links = tables["links"]
        backwards = links["since"].notna() & links["until"].notna() & (
            links["until"] < links["since"])
        if backwards.any():
            for index in backwards[backwards].index:
                raw = collectors["links"].raw
                collectors["links"].problems.append(Problem(
                    "links", raw.file, int(raw.rows.at[index]), "until",
                    str(raw.frame.at[index, "until"]),
                    "结束日期早于开始日期，该关系永不生效 / until is before since: the link is "
                    "never active", "warning"))
