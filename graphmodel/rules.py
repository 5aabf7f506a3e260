"""Analysts' own coverage rules: a TOML file, the same answer on both engines (docs/rules.md).

A rule names a *subject* (residential areas, grids, buildings or companies), optionally
narrows it with ``where``, and lists requirements; a subject that meets none of them is a
finding, reported like a built-in gap with ``gap`` = the rule's name::

    [[rule]]
    name = "key_building_without_liaison_officer"
    title_zh = "重点楼宇无企业联络员"
    title_en = "Key building without company liaison officer"
    subject = "buildings"
    where = { key_building = true }
    [rule.require]
    assigned = { role = ["企业联络员", "首席联络员"] }

:func:`load_rules` reads and checks a file: every problem (TOML syntax, a missing or
unknown key, a column the subject does not have, a value not in an enum or of the wrong
type...) is collected with the file, the rule's name and the key, and raised together as
:class:`~graphmodel.errors.RuleFileError` (exit status 2) before anything runs. Column
names and enum values are checked against :mod:`graphmodel.schema`; a rule then compiles
to DuckDB SQL (:func:`rule_sql`, the embedded engine, over :mod:`graphmodel._duckdb`) and
to Cypher (:func:`rule_cypher`). Every value of the file travels as a parameter; only
names checked against the schema are written into the query text, so a rule file cannot
inject SQL or Cypher. :func:`as_queries` turns rules into
:class:`~graphmodel.queries.Query` objects of group ``rules`` that
:func:`graphmodel.engine.run` runs like any library query (they are not registered in the
library: rules belong to their file).

Examples
--------
>>> rules = parse_rules('''
... [[rule]]
... name = "grid_without_any_worker"
... subject = "grids"
... require = { assigned = {} }
... ''')
>>> rules[0].name, rules[0].subject, rules[0].requirements[0].kind
('grid_without_any_worker', 'grids', 'assigned')
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import schema, settings
from graphmodel._duckdb import quote
from graphmodel.errors import RuleFileError
from graphmodel.queries import Query, resolve_params

__all__ = [
    "REQUIREMENTS",
    "SUBJECTS",
    "Condition",
    "Filter",
    "Requirement",
    "Rule",
    "RuleFileError",
    "RuleProblem",
    "RuleQuery",
    "as_queries",
    "describe",
    "load_rules",
    "param_lines",
    "parse_rules",
    "rule_cypher",
    "rule_sql",
    "rules_without_subjects",
    "select",
    "show",
]

SUBJECTS: dict[str, tuple[str, str]] = {
    "residential_areas": ("居民区", "residential areas"),
    "grids": ("网格", "grids"),
    "buildings": ("楼宇", "buildings"),
    "companies": ("企业", "companies"),
}
"""The tables a rule can be about, with their Chinese and English names."""

REQUIREMENTS: dict[str, str | None] = {
    "located_within": "organizations",
    "covered_by": "organizations",
    "covers_within": "organizations",
    "assigned": "people",
    "visited_within_days": None,
}
"""The requirements, with the table their filters select (None: takes a number of days)."""

RULE_KEYS = ("name", "title_zh", "title_en", "subject", "where", "require")
WHERE_COUNTS = ("min_companies", "min_minority_residents")
NAME_RE = re.compile(r"[a-z0-9_]+", re.ASCII)
MAX_DAYS = 36500


# ---------------------------------------------------------------------------
# Rule objects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One key of a filter: the column matches one of ``values`` (canonical), or is blank
    when ``blank`` (the filter gave ``""``)."""

    column: str
    type: str
    values: tuple[Any, ...]
    blank: bool = False


@dataclass(frozen=True)
class Filter:
    """Rows of ``table`` matching every condition (no condition: every row)."""

    table: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Requirement:
    """One requirement: an entity matching any of ``filters`` (or a visit within ``days``)."""

    kind: str
    filters: tuple[Filter, ...] = ()
    days: int | None = None


@dataclass(frozen=True)
class Rule:
    """A checked rule of a rule file."""

    name: str
    subject: str
    title_zh: str
    title_en: str
    where: Filter
    requirements: tuple[Requirement, ...]
    require: Mapping[str, Any] = field(default_factory=dict)
    """The ``require`` table as written (JSON-ready), for a finding's ``detail``."""
    min_companies: int | None = None
    min_minority_residents: int | None = None
    file: str = ""

    @property
    def detail(self) -> dict[str, Any]:
        """A finding's ``detail``: ``{rule, title_zh, title_en, require}``."""
        return {"rule": self.name, "title_zh": self.title_zh, "title_en": self.title_en,
                "require": json.loads(json.dumps(self.require, ensure_ascii=False))}


@dataclass(frozen=True)
class RuleProblem:
    """What is wrong with a rule file: the file, the rule's name (``#n`` when it has none)
    and the key (dotted, e.g. ``require.assigned.role``)."""

    file: str
    rule: str
    key: str
    message: str

    def format(self) -> str:
        """One line: ``FILE: rule NAME: key KEY: what is wrong``."""
        where = [self.file or "<rules>"]
        if self.rule:
            where.append(f"rule {self.rule}")
        if self.key:
            where.append(f"key {self.key}")
        return ": ".join([*where, self.message])


# ---------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------


def load_rules(path: str | Path) -> list[Rule]:
    """Read and check a rule file.

    Raises
    ------
    RuleFileError
        With every problem of the file (exit status 2); nothing has run.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RuleFileError([RuleProblem(str(path), "", "",
                                         f"无法读取规则文件 / cannot read the rule file: "
                                         f"{reason}")]) from None
    return parse_rules(text, str(path))


def parse_rules(text: str, file: str = "<rules>") -> list[Rule]:
    """Parse and check the text of a rule file (see :func:`load_rules`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError([RuleProblem(file, "", "", f"TOML 语法错误 / TOML syntax: {exc}")]
                            ) from None
    checker = _Checker(file)
    rules = checker.read(data)
    if checker.problems:
        raise RuleFileError(checker.problems)
    return rules


def _gaps() -> Any:
    # graphmodel.gaps imports this module to run rules; reaching it by name keeps the
    # imports one way (the same as graphmodel.neo4j_backend does for the engine).
    return importlib.import_module("graphmodel.gaps")


def _builtin_names() -> tuple[str, ...]:
    return _gaps().GAP_NAMES


def _kind(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
             dict: "table", dt.date: "date", dt.datetime: "date-time", dt.time: "time"}
    return names.get(type(value), type(value).__name__)


class _Checker:
    """Collects every problem of one file while building its rules."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[RuleProblem] = []
        self.rule = ""

    def problem(self, key: str, message: str) -> None:
        self.problems.append(RuleProblem(self.file, self.rule, key, message))

    def read(self, data: dict[str, Any]) -> list[Rule]:
        for key in data:
            if key != "rule":
                self.problem(key, "未知键 / unknown key (a rule file holds [[rule]] tables)")
        entries = data.get("rule", [])
        if not isinstance(entries, list):
            self.problem("rule", "应为 [[rule]] 表数组 / expected [[rule]] tables")
            return []
        rules: list[Rule] = []
        seen: set[str] = set()
        for number, entry in enumerate(entries, 1):
            name = entry.get("name") if isinstance(entry, dict) else None
            self.rule = name if isinstance(name, str) and name else f"#{number}"
            if not isinstance(entry, dict):
                self.problem("", "应为表 / expected a table")
                continue
            rule = self.one(entry, seen)
            if rule is not None:
                rules.append(rule)
        self.rule = ""
        return rules

    def one(self, entry: dict[str, Any], seen: set[str]) -> Rule | None:
        before = len(self.problems)
        for key in entry:
            if key not in RULE_KEYS:
                self.problem(key, "未知键 / unknown key; known: " + ", ".join(RULE_KEYS))
        name = self.name(entry, seen)
        titles = {}
        for key in ("title_zh", "title_en"):
            value = entry.get(key, name or "")
            if not isinstance(value, str):
                self.problem(key, f"应为字符串 / expected a string, got {_kind(value)}")
            titles[key] = value if isinstance(value, str) else ""
        subject = entry.get("subject")
        if "subject" not in entry:
            self.problem("subject", "缺少 / missing (one of " + ", ".join(SUBJECTS) + ")")
        elif subject not in SUBJECTS:
            self.problem("subject", f"未知对象 / unknown subject {_shown(subject)}; known: "
                         + ", ".join(SUBJECTS))
            subject = None
        where, counts = self.where(entry.get("where", {}), subject)
        requirements, require = self.require(entry)
        if len(self.problems) > before or name is None or subject is None:
            return None
        return Rule(name, subject, titles["title_zh"] or name, titles["title_en"] or name,
                    where, requirements, require, counts.get("min_companies"),
                    counts.get("min_minority_residents"), self.file)

    def name(self, entry: dict[str, Any], seen: set[str]) -> str | None:
        if "name" not in entry:
            self.problem("name", "缺少 / missing")
            return None
        name = entry["name"]
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            self.problem("name", f"名称只能由小写字母、数字和下划线组成 / must be [a-z0-9_]+, got "
                         f"{_shown(name)}")
            return None
        if name in _builtin_names():
            self.problem("name", f"与内置缺口同名 / {name!r} is a built-in gap's name")
            return None
        if name in seen:
            self.problem("name", f"规则名重复 / duplicate rule name {name!r}")
            return None
        seen.add(name)
        return name

    def where(self, value: Any, subject: str | None) -> tuple[Filter, dict[str, int]]:
        counts: dict[str, int] = {}
        if not isinstance(value, dict):
            self.problem("where", f"应为表 / expected a table, got {_kind(value)}")
            return Filter(subject or ""), counts
        columns = {k: v for k, v in value.items() if k not in WHERE_COUNTS}
        for key in WHERE_COUNTS:
            if key not in value:
                continue
            number = value[key]
            if key == "min_minority_residents" and subject not in (None, "residential_areas"):
                self.problem(f"where.{key}", "只适用于居民区 / only for subject "
                             f"residential_areas, not {subject}")
            elif isinstance(number, bool) or not isinstance(number, int) or number < 0:
                self.problem(f"where.{key}", "应为非负整数 / expected a whole number >= 0, got "
                             f"{_shown(number)}")
            else:
                counts[key] = number
        if subject is None:
            return Filter(""), counts
        return self.filter(columns, subject, "where"), counts

    def require(self, entry: dict[str, Any]) -> tuple[tuple[Requirement, ...], dict[str, Any]]:
        if "require" not in entry:
            self.problem("require", "缺少 / missing")
            return (), {}
        require = entry["require"]
        if not isinstance(require, dict):
            self.problem("require", f"应为表 / expected a table, got {_kind(require)}")
            return (), {}
        if not require:
            self.problem("require", "不能为空 / empty: name at least one of "
                         + ", ".join(REQUIREMENTS))
            return (), {}
        found = []
        for kind, value in require.items():
            key = f"require.{kind}"
            if kind not in REQUIREMENTS:
                self.problem(key, "未知要求 / unknown requirement; known: "
                             + ", ".join(REQUIREMENTS))
                continue
            table = REQUIREMENTS[kind]
            if table is None:
                if isinstance(value, bool) or not isinstance(value, int) or not (
                        0 <= value <= MAX_DAYS):
                    self.problem(key, f"应为 0 到 {MAX_DAYS} 的整数天数 / expected a whole "
                                 f"number of days from 0 to {MAX_DAYS}, got {_shown(value)}")
                    continue
                found.append(Requirement(kind, days=value))
                continue
            filters = value if isinstance(value, list) else [value]
            if not filters or not all(isinstance(f, dict) for f in filters):
                self.problem(key, "应为一个筛选表、筛选表数组或 {} / expected a filter table, "
                             "an array of filter tables, or {}")
                continue
            found.append(Requirement(kind, tuple(
                self.filter(f, table, key + (f"[{i}]" if isinstance(value, list) else ""))
                for i, f in enumerate(filters))))
        return tuple(found), _json_ready(require)

    def filter(self, value: dict[str, Any], table: str, key: str) -> Filter:
        contract = schema.TABLES[table]
        conditions = []
        for column, wanted in value.items():
            where = f"{key}.{column}"
            if column not in contract.column_names:
                self.problem(where, f"{table} 没有这一合同列（附加列不能筛选）/ not a contract "
                             f"column of {table} (extra columns cannot be filtered); known: "
                             + ", ".join(contract.column_names))
                continue
            condition = self.condition(contract.column(column), wanted, where)
            if condition is not None:
                conditions.append(condition)
        return Filter(table, tuple(conditions))

    def condition(self, column: schema.Column, wanted: Any, key: str) -> Condition | None:
        items = wanted if isinstance(wanted, list) else [wanted]
        if not items:
            self.problem(key, "空数组 / empty array: give at least one value")
            return None
        values: list[Any] = []
        blank = False
        ok = True
        for item in items:
            if item == "" and isinstance(item, str):
                blank = True
                continue
            value, error = _value(column, item)
            if error:
                self.problem(key, error)
                ok = False
            elif value not in values:
                values.append(value)
        return Condition(column.name, column.type, tuple(values), blank) if ok else None


def _value(column: schema.Column, item: Any) -> tuple[Any, str]:
    """The canonical value of ``item`` for ``column``, or an error message."""
    expected = {"bool": "a TOML boolean (true/false)", "int": "a TOML integer",
                "date": "a date (YYYY-MM-DD)"}.get(column.type, "a string")
    wrong = f"类型不符 / wrong type: {column.name} takes {expected}, got {_kind(item)} " \
            f"{_shown(item)}"
    if column.type == "bool":
        return (item, "") if isinstance(item, bool) else (None, wrong)
    if column.type in ("int", "level"):
        ok = isinstance(item, int) and not isinstance(item, bool)
        return (item, "") if ok else (None, wrong)
    if column.type == "date":
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            return item, ""
        if isinstance(item, str):
            try:
                return dt.date.fromisoformat(item.strip()), ""
            except ValueError:
                pass
        return None, wrong
    if not isinstance(item, str):
        return None, wrong
    if column.type == "enum":
        canonical = schema.canonical_enum(column, item)
        if canonical is None:
            return None, (f"不在枚举中 / {_shown(item)} is not a value of {column.name}; known: "
                          + ", ".join(schema.enum_values(column)))
        return canonical, ""
    return item.strip(), ""


def _shown(value: Any) -> str:
    return repr(value)[:60]


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


# ---------------------------------------------------------------------------
# Compiling: DuckDB SQL and Cypher from one definition
# ---------------------------------------------------------------------------


class _Params:
    """Parameters of one compiled query, named ``v1``, ``v2``... (values never enter the
    query text)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"v{len(self.values) + 1}"
        self.values[name] = value
        return name


_HAN = sorted(schema.HAN_SPELLINGS)
_ACTIVE_SQL = ("(l.since IS NULL OR l.since <= $as_of) AND (l.until IS NULL OR l.until >= $as_of)")


def _sql_filter(flt: Filter, alias: str, params: _Params) -> str:
    parts = []
    for cond in flt.conditions:
        column = f"{alias}.{quote(cond.column)}"
        options = []
        if cond.values:
            names = ", ".join(f"${params.add(v)}" for v in cond.values)
            options.append(f"{column} IN ({names})")
        if cond.blank:
            options.append(f"{column} IS NULL")
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts) or "TRUE"


def _sql_any(filters: Sequence[Filter], alias: str, params: _Params) -> str:
    return "(" + " OR ".join(_sql_filter(f, alias, params) for f in filters) + ")"


def _sql_requirement(req: Requirement, params: _Params) -> str:
    if req.kind == "located_within":
        return ("EXISTS (SELECT 1 FROM organizations o JOIN within w ON w.place = o.located_in "
                f"WHERE w.container = s.id AND {_sql_any(req.filters, 'o', params)})")
    if req.kind in ("covered_by", "covers_within"):
        own, other = ("place", "container") if req.kind == "covered_by" else ("container",
                                                                                "place")
        return ("EXISTS (SELECT 1 FROM within w JOIN links l ON l.target_id = w." + other
                + " JOIN organizations o ON o.id = l.source_id WHERE w." + own + " = s.id "
                "AND l.type = 'COVERS' AND " + _ACTIVE_SQL + " AND "
                + _sql_any(req.filters, "o", params) + ")")
    if req.kind == "assigned":
        return ("EXISTS (SELECT 1 FROM links l JOIN people p ON p.id = l.source_id "
                "WHERE l.target_id = s.id AND l.type = 'ASSIGNED_TO' AND " + _ACTIVE_SQL
                + " AND " + _sql_any(req.filters, "p", params) + ")")
    days = params.add(req.days)
    return ("EXISTS (SELECT 1 FROM within w JOIN visits v ON v.target_id = w.place "
            "WHERE w.container = s.id AND v.status = 'done' "
            f"AND v.date > $as_of - CAST(${days} AS INTEGER) AND v.date <= $as_of)")


def rule_sql(rule: Rule) -> tuple[str, dict[str, Any]]:
    """The DuckDB SQL of a rule (over :func:`graphmodel._duckdb.connect`) and its
    parameters; ``$as_of`` (a date) is added when it runs. Returns the ids of the
    findings, sorted."""
    params = _Params()
    where = _sql_subject(rule, params)
    met = " OR ".join(_sql_requirement(r, params) for r in rule.requirements)
    sql = (f"SELECT s.id AS id FROM {quote(rule.subject)} s\nWHERE "
           + "\n  AND ".join(where) + f"\n  AND NOT ({met})\nORDER BY id")
    return sql, params.values


def _sql_subject(rule: Rule, params: _Params) -> list[str]:
    """The conditions on the subject (``where``, ``min_companies``,
    ``min_minority_residents``)."""
    where = [_sql_filter(rule.where, "s", params)]
    if rule.min_companies is not None:
        n = params.add(rule.min_companies)
        where.append("(SELECT count(*) FROM within w JOIN companies c ON c.id = w.place "
                     f"WHERE w.container = s.id) >= ${n}")
    if rule.min_minority_residents is not None:
        han = ", ".join(f"${params.add(h)}" for h in _HAN)
        n = params.add(rule.min_minority_residents)
        where.append("(SELECT coalesce(sum(p.residents), 0) FROM population p "
                     f"WHERE p.area_id = s.id AND lower(trim(p.ethnic_group)) NOT IN ({han})"
                     f") >= ${n}")
    return where


_ACTIVE_CYPHER = ("(c.since IS NULL OR c.since <= $as_of) AND (c.until IS NULL OR "
                  "c.until >= $as_of)")


def _cypher_filter(flt: Filter, var: str, params: _Params) -> str:
    parts = []
    for cond in flt.conditions:
        prop = f"{var}.`{cond.column}`"
        options = []
        if cond.values:
            options.append(f"{prop} IN ${params.add(list(cond.values))}")
        if cond.blank:
            options.append(f"{prop} IS NULL")
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts) or "true"


def _cypher_any(filters: Sequence[Filter], var: str, params: _Params) -> str:
    return "(" + " OR ".join(_cypher_filter(f, var, params) for f in filters) + ")"


def _cypher_requirement(req: Requirement, params: _Params) -> str:
    if req.kind == "located_within":
        return ("EXISTS { MATCH (s)<-[:PART_OF*0..3]-(place)<-[:LOCATED_IN]-"
                "(o:Organization {dataset: $dataset})\n"
                f"      WHERE {_cypher_any(req.filters, 'o', params)} }}")
    if req.kind == "covered_by":
        return ("EXISTS { MATCH (s)-[:PART_OF*0..3]->(place)<-[c:COVERS]-"
                "(o:Organization {dataset: $dataset})\n"
                f"      WHERE NOT place:Street AND {_ACTIVE_CYPHER}\n"
                f"        AND {_cypher_any(req.filters, 'o', params)} }}")
    if req.kind == "covers_within":
        return ("EXISTS { MATCH (s)<-[:PART_OF*0..3]-(place)<-[c:COVERS]-"
                "(o:Organization {dataset: $dataset})\n"
                f"      WHERE {_ACTIVE_CYPHER}\n"
                f"        AND {_cypher_any(req.filters, 'o', params)} }}")
    if req.kind == "assigned":
        return ("EXISTS { MATCH (s)<-[c:ASSIGNED_TO]-(p:Person {dataset: $dataset})\n"
                f"      WHERE {_ACTIVE_CYPHER}\n"
                f"        AND {_cypher_any(req.filters, 'p', params)} }}")
    days = params.add(req.days)
    return ("EXISTS { MATCH (s)<-[:PART_OF*0..3]-(target)<-[v:VISITED]-()\n"
            "      WHERE v.status = 'done'\n"
            f"        AND v.date > $as_of - duration({{days: ${days}}}) AND v.date <= $as_of }}")


_PLACES_CYPHER = {
    "residential_areas": "RETURN s.id AS id, s.name AS name, null AS grid_id, null AS grid_name,"
                         "\n       s.id AS area_id, s.name AS area_name, null AS detail",
    "grids": "OPTIONAL MATCH (s)-[:PART_OF]->(a:ResidentialArea)\n"
             "RETURN s.id AS id, s.name AS name, s.id AS grid_id, s.name AS grid_name,\n"
             "       a.id AS area_id, a.name AS area_name, null AS detail",
    "buildings": "OPTIONAL MATCH (s)-[:PART_OF]->(g:Grid)\n"
                 "OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)\n"
                 "RETURN s.id AS id, s.name AS name, g.id AS grid_id, g.name AS grid_name,\n"
                 "       a.id AS area_id, a.name AS area_name, null AS detail",
    "companies": "OPTIONAL MATCH (s)-[:PART_OF]->(:Building)-[:PART_OF]->(g:Grid)\n"
                 "OPTIONAL MATCH (g)-[:PART_OF]->(a:ResidentialArea)\n"
                 "RETURN s.id AS id, s.name AS name, g.id AS grid_id, g.name AS grid_name,\n"
                 "       a.id AS area_id, a.name AS area_name, null AS detail",
}


def rule_cypher(rule: Rule) -> tuple[str, dict[str, Any]]:
    """The Cypher of a rule (without header) and its parameters; ``$dataset`` and
    ``$as_of`` are added when it runs."""
    params = _Params()
    label = schema.LABEL_OF_TABLE[rule.subject]
    where = ["s.id IS NOT NULL"]
    if rule.where.conditions:
        where.append(_cypher_filter(rule.where, "s", params))
    if rule.min_companies is not None:
        n = params.add(rule.min_companies)
        where.append(f"COUNT {{ (s)<-[:PART_OF*0..3]-(:Company) }} >= ${n}")
    if rule.min_minority_residents is not None:
        han = params.add(_HAN)
        n = params.add(rule.min_minority_residents)
        where.append("reduce(total = 0, r IN [(s)-[:HAS_POPULATION]->(p:Population)\n"
                     f"         WHERE NOT toLower(trim(p.ethnic_group)) IN ${han} | p.residents]"
                     f"\n         | total + r) >= ${n}")
    met = "\n    OR ".join(_cypher_requirement(r, params) for r in rule.requirements)
    cypher = (f"MATCH (s:{label} {{dataset: $dataset}})\nWHERE " + "\n  AND ".join(where)
              + f"\n  AND NOT (\n    {met}\n  )\n" + _PLACES_CYPHER[rule.subject]
              + "\nORDER BY id")
    return cypher, params.values


# ---------------------------------------------------------------------------
# Rules as queries of the library's kind
# ---------------------------------------------------------------------------


def _embedded(rule: Rule) -> Any:
    sql, values = rule_sql(rule)

    def run(ds: Any, as_of: pd.Timestamp, **_: Any) -> pd.DataFrame:
        from graphmodel._duckdb import connect

        day = {"as_of": as_of.date()} if "$as_of" in sql else {}  # DuckDB refuses extras
        rows = connect(ds).execute(sql, {**values, **day}).fetchall()
        ids = [row[0] for row in rows]
        return pd.DataFrame({"id": ids, "detail": [rule.detail for _ in ids]},
                            columns=["id", "detail"])

    return run


def _finish(query: Query, ds: Any, found: pd.DataFrame) -> pd.DataFrame:
    return _gaps()._finish(query, ds, found)


def _from_rows(query: Query, rows: pd.DataFrame, values: dict[str, Any]) -> pd.DataFrame:
    found = _gaps()._from_rows(query, rows, values)
    rule = query.rule  # type: ignore[attr-defined]
    found["detail"] = [rule.detail for _ in range(len(found))]
    return found


@dataclass(frozen=True)
class RuleQuery(Query):
    """A rule as a :class:`~graphmodel.queries.Query` (group ``rules``): its Cypher is
    compiled, not read from ``queries/``, and its parameters are the rule's own values."""

    rule: Rule | None = None

    def cypher(self) -> str:
        """The rule's Cypher, with a header naming its parameters."""
        assert self.rule is not None
        cypher, params = rule_cypher(self.rule)
        return (f"// graphmodel rule: {self.rule.name} ({self.rule.file or 'rules'})\n"
                "// parameters: $dataset, $as_of"
                + "".join(f", ${k}" for k in params) + "\n" + cypher)

    def resolve(self, **overrides: Any) -> dict[str, Any]:
        """The rule's own parameter values; the gap parameters are checked (one set of
        parameters serves every gap and rule) and ignored."""
        assert self.rule is not None
        resolve_params(**overrides)
        return dict(rule_cypher(self.rule)[1])


def as_query(rule: Rule) -> RuleQuery:
    """One rule as a query that :func:`graphmodel.engine.run` runs on either engine."""
    words = describe(rule)
    gaps = _gaps()
    return RuleQuery(rule.name, "rules", rule.title_zh, rule.title_en, words["en"], (),
                     _embedded(rule), words["zh"], "self", tuple(gaps.GAP_COLUMNS),
                     gaps.GAP_DTYPES,
                     finish=_finish, from_rows=_from_rows, rule=rule)


RulesSource = str | Path | Rule | Query | Iterable[Rule | Query]


def as_queries(rules: RulesSource | None) -> list[Query]:
    """Rule queries from a rule file's path, rules, or rule queries (None: none).

    Examples
    --------
    >>> [q.group for q in as_queries(parse_rules('''
    ... [[rule]]
    ... name = "x"
    ... subject = "grids"
    ... require.assigned = {}
    ... '''))]
    ['rules']
    """
    if rules is None:
        return []
    if isinstance(rules, str | Path):
        rules = load_rules(rules)
    if isinstance(rules, Rule | Query):
        rules = [rules]
    return [r if isinstance(r, Query) else as_query(r) for r in rules]


def select(only: Iterable[str] | str | None, queries: Sequence[Query]
           ) -> tuple[list[str], list[Query]]:
    """Which built-in gaps and which rules ``--only`` names (each once, in order).

    Raises
    ------
    UnknownGapError
        For a name that is neither a built-in gap nor one of the rules.
    """
    by_name = {q.name: q for q in queries}
    names = _gaps().gap_names(only, list(by_name))
    return [n for n in names if n not in by_name], [by_name[n] for n in names if n in by_name]


def rules_without_subjects(rules: Sequence[Rule], ds: Any) -> list[str]:
    """Names of the rules whose subject and ``where`` match nothing in ``ds``."""
    from graphmodel._duckdb import connect

    empty = []
    for rule in rules:
        params = _Params()
        sql = (f"SELECT count(*) FROM {quote(rule.subject)} s WHERE "
               + " AND ".join(_sql_subject(rule, params)))
        if not connect(ds).execute(sql, params.values).fetchone()[0]:
            empty.append(rule.name)
    return empty


# ---------------------------------------------------------------------------
# Rules in words, and as pasted into Neo4j Browser
# ---------------------------------------------------------------------------

_REQUIRE_WORDS = {
    "located_within": ("有{who}位于其内", "an organisation{who} is located within it"),
    "covered_by": ("有{who}覆盖它（含覆盖其所属地点）",
                   "an organisation{who} covers it (or a place containing it)"),
    "covers_within": ("有{who}对它或其内任何地点有有效的服务覆盖关系",
                      "an organisation{who} has an active COVERS link to it or to anything "
                      "within it"),
    "assigned": ("有{who}对它本身有有效的包干关系",
                 "a person{who} has an active ASSIGNED_TO link to it"),
}


def _values_words(cond: Condition, zh: bool) -> str:
    shown = [str(v).lower() if isinstance(v, bool) else str(v) for v in cond.values]
    if cond.blank:
        shown.append("（空）" if zh else "(blank)")
    return ("或".join(shown) if zh else " or ".join(shown))


def _filter_words(flt: Filter, zh: bool) -> str:
    parts = [f"{c.column} {'为' if zh else '='} {_values_words(c, zh)}" for c in flt.conditions]
    return ("且".join(parts) if zh else " and ".join(parts))


def _who(filters: Sequence[Filter], zh: bool, noun: str) -> str:
    said = [_filter_words(f, zh) for f in filters]
    if not any(said):
        return noun if zh else ""
    joined = ("；或".join(s for s in said) if zh else "; or ".join(s for s in said))
    return f"{noun}（{joined}）" if zh else f" ({joined})"


def describe(rule: Rule) -> dict[str, str]:
    """A rule in plain Chinese and English words: ``{"zh": ..., "en": ...}``."""
    zh_subject, en_subject = SUBJECTS[rule.subject]
    zh_cond, en_cond = [], []
    if rule.where.conditions:
        zh_cond.append(_filter_words(rule.where, True))
        en_cond.append(_filter_words(rule.where, False))
    if rule.min_companies is not None:
        zh_cond.append(f"内有至少 {rule.min_companies} 家企业")
        en_cond.append(f"with at least {rule.min_companies} companies within")
    if rule.min_minority_residents is not None:
        zh_cond.append(f"少数民族居民至少 {rule.min_minority_residents} 人")
        en_cond.append(f"with at least {rule.min_minority_residents} minority residents")
    zh_req, en_req = [], []
    for req in rule.requirements:
        if req.days is not None:
            zh_req.append(f"近 {req.days} 天内有人走访它或其内任何地点")
            en_req.append(f"a visit to it or to anything within it in the last {req.days} days")
            continue
        zh, en = _REQUIRE_WORDS[req.kind]
        noun = "人员" if req.kind == "assigned" else "组织"
        zh_req.append(zh.format(who=_who(req.filters, True, noun)))
        en_req.append(en.format(who=_who(req.filters, False, noun)))
    zh_text = (f"每个{zh_subject}" + (f"（{'，'.join(zh_cond)}）" if zh_cond else "")
               + "都应满足以下至少一项，否则列为缺口：" + "；".join(zh_req) + "。")
    en_text = (f"Every one of the {en_subject}" + (f" ({'; '.join(en_cond)})" if en_cond else "")
               + " must meet at least one of these, else it is a finding: "
               + "; ".join(en_req) + ".")
    return {"zh": zh_text, "en": en_text}


def _cypher_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return f"date('{value.isoformat()}')"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_cypher_literal(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def param_lines(rule: Rule, dataset: str = "jingansi", as_of: dt.date | None = None
                ) -> list[str]:
    """The ``:param`` lines that make the rule's Cypher run as pasted into Neo4j Browser."""
    day = as_of or settings.today()
    values = {"dataset": dataset, "as_of": day, **rule_cypher(rule)[1]}
    return [f":param {name} => {_cypher_literal(value)}" for name, value in values.items()]


def show(rules: Sequence[Rule], dataset: str = "jingansi", as_of: dt.date | None = None) -> str:
    """Each rule in words, then its ``:param`` lines and its Cypher (``rules show``)."""
    blocks = []
    for rule in rules:
        words = describe(rule)
        cypher = as_query(rule).cypher()
        blocks.append("\n".join([
            f"## {rule.name} — {rule.title_zh} / {rule.title_en}", "",
            words["zh"], words["en"], "",
            *param_lines(rule, dataset, as_of), "", cypher, ""]))
    return "\n".join(blocks)
