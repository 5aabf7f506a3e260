"""The five-colour risk view (五色风险分析法): assessed levels, follow-up, suggestions.

Two queries of the library (group ``risk``):

``risk_view``
    every company's latest assessment on ``as_of`` with its colour and the
    state of its follow-up (the rule of the ``risk_without_followup`` gap of
    the gap definitions, docs/gaps.md);
``risk_suggested``
    for companies never assessed on ``as_of``, a *suggested* level computed
    from simple indicators, kept visibly apart (``kind = "suggested"``) from
    assessed levels (``kind = "assessed"``).

:func:`risk_distribution` counts a view per grid, residential area (after
:func:`with_area`) or building. The embedded form of each query is its SQL,
``queries/risk/<name>.sql``, run by DuckDB (:func:`graphmodel.sql_engine.sql_frame`):
a handful of hash joins over the tables, O(V + E); Python adds only the label and
colour of each level.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from graphmodel import engine, schema, settings
from graphmodel.dataset import Dataset
from graphmodel.queries import as_of_timestamp, get_query, register, resolve_params

if TYPE_CHECKING:
    from graphmodel.engine import Backend, Source
    from graphmodel.neo4j_backend import Connection

__all__ = ["FOLLOWUP_STATES", "SUGGESTED_COLUMNS", "VIEW_COLUMNS",
           "level_columns", "level_title", "risk_distribution", "risk_suggested", "risk_view",
           "suggested_risk", "with_area"]

VIEW_COLUMNS = ["company_id", "company_name", "building_id", "building_name", "grid_id",
                "grid_name", "level", "label_zh", "label_en", "colour_zh", "colour_en",
                "assessed_on", "deadline", "followup", "reason", "kind"]
SUGGESTED_COLUMNS = ["company_id", "company_name", "building_id", "grid_id", "suggested_level",
                     "label_zh", "colour_en", "score", "reasons", "kind"]
FOLLOWUP_STATES = ("done", "pending", "overdue", "n/a")
_LEVEL_TEXT = {"label_zh": "str", "label_en": "str", "colour_zh": "str", "colour_en": "str"}
VIEW_DTYPES = {"company_id": "str", "company_name": "str", "building_id": "str",
               "building_name": "str", "grid_id": "str", "grid_name": "str", "level": "int64",
               **_LEVEL_TEXT, "assessed_on": "datetime64[us]", "deadline": "datetime64[us]",
               "followup": "object", "reason": "object", "kind": "str"}
SUGGESTED_DTYPES = {"company_id": "str", "company_name": "str", "building_id": "str",
                    "grid_id": "str", "suggested_level": "int64", "label_zh": "str",
                    "colour_en": "str", "score": "int64", "reasons": "object", "kind": "str"}

LEASE_WINDOW_DAYS = 90
"""A lease expiring within this many days of ``as_of`` is a risk indicator."""
OLD_DEMAND_DAYS = settings.DEFAULT_PARAMS["demand_max_days"]
"""An unresolved demand older than this (``demand_max_days`` of the gap definitions,
docs/gaps.md) adds a point."""
SMALL_COMPANY_EMPLOYEES = 10
"""A company with fewer employees than this (when known) is small, hence fragile."""
SCORE_LEVELS = ((6, 5), (4, 4), (2, 3), (1, 2), (0, 1))
"""(minimum score, level) pairs, highest first: 0 -> 1, 1 -> 2, 2-3 -> 3, 4-5 -> 4, >= 6 -> 5."""


def level_columns(levels: pd.Series) -> pd.DataFrame:
    """Label and colour columns (``label_zh``, ``label_en``, ``colour_zh``, ``colour_en``).

    Examples
    --------
    >>> level_columns(pd.Series([1, 5])).values.tolist()
    [['稳定', 'stable', '绿', 'green'], ['不稳定', 'unstable', '红', 'red']]
    """
    fields = ("label_zh", "label_en", "colour_zh", "colour_en")
    info = {r.level: r for r in schema.RISK_LEVELS}
    return pd.DataFrame({f: [getattr(info[int(v)], f) for v in levels] for f in fields},
                        index=levels.index, columns=list(fields))


def level_title(level: int) -> str:
    """Column title of a level: number, Chinese label and colour.

    Examples
    --------
    >>> level_title(4)
    '4 较不稳定（橙）'
    """
    info = schema.risk_level_info(level)
    return f"{level} {info.label_zh}（{info.colour_zh}）"


# ---------------------------------------------------------------------------
# Assessed levels and follow-up
# ---------------------------------------------------------------------------


def risk_view(source: Source, as_of: pd.Timestamp | dt.date | str | None = None,
              followup_days_orange: int = settings.DEFAULT_PARAMS["followup_days_orange"],
              followup_days_red: int = settings.DEFAULT_PARAMS["followup_days_red"], *,
              backend: Backend = "embedded", conn: Connection | None = None) -> pd.DataFrame:
    """One row per company assessed on or before ``as_of``, with its follow-up state.

    A level-4 assessment must be followed up within ``followup_days_orange``
    days, a level-5 one within ``followup_days_red`` days: the deadline is
    ``assessed_on`` plus those days. Follow-up is *done* when a visit to the
    company or its building, or a resolution of one of the company's demands,
    is dated from ``assessed_on`` to the deadline (both included) and on or
    before ``as_of`` (later records do not exist yet on ``as_of``). Otherwise
    it is *pending* while ``as_of <= deadline`` and *overdue* after: the
    overdue companies are exactly the ``risk_without_followup`` gap. Levels
    1-3 are ``n/a``. Of several assessments of a company on its latest day,
    the last row of the file counts.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date: only assessments, visits and demand resolutions
        dated on or before it count.
    followup_days_orange : int
        Days allowed to follow up a level-4 (orange) assessment (default 14).
    followup_days_red : int
        Days allowed to follow up a level-5 (red) assessment (default 3).
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        Columns ``company_id``, ``company_name``, ``building_id``,
        ``building_name``, ``grid_id``, ``grid_name``, ``level`` (1-5),
        ``label_zh``, ``label_en``, ``colour_zh``, ``colour_en``,
        ``assessed_on``, ``deadline`` (NaT for levels 1-3), ``followup``,
        ``reason`` (of the assessment) and
        ``kind`` (always ``"assessed"``); sorted by level descending, then
        company id.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> view = risk_view(load_dataset(), "2026-11-29")
    >>> set(view["followup"]) <= set(FOLLOWUP_STATES), view["company_id"].is_unique
    (True, True)
    """
    return engine.run("risk_view", source, as_of, backend, conn,
                      followup_days_orange=followup_days_orange,
                      followup_days_red=followup_days_red)


@register("risk_view", "risk", "五色风险视图", "Five-colour risk view",
          "Each company's latest risk assessment on or before as_of with its colour, its "
          "follow-up deadline (levels 4 and 5) and follow-up state: done, pending, overdue "
          "(= the risk_without_followup gap) or n/a.",
          params=("followup_days_orange", "followup_days_red"),
          definition_zh="每家企业截至评估日的最近一次风险评估（五色风险分析法）、颜色、跟进期限（4 级橙色、"
                        "5 级红色）和跟进状态：已跟进 done、期限内待跟进 pending、逾期未跟进 overdue"
                        "（即 risk_without_followup 缺口）或 n/a。",
          columns=tuple(VIEW_COLUMNS), dtypes=VIEW_DTYPES)
def _risk_view(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None,
               followup_days_orange: int = settings.DEFAULT_PARAMS["followup_days_orange"],
               followup_days_red: int = settings.DEFAULT_PARAMS["followup_days_red"],
               ) -> pd.DataFrame:
    days = resolve_params(("followup_days_orange", "followup_days_red"),
                          followup_days_orange=followup_days_orange,
                          followup_days_red=followup_days_red)
    view = _sql("risk_view", ds, as_of, days)
    view = view.join(level_columns(view["level"]))
    view["kind"] = "assessed"
    return engine.conform(get_query("risk_view"), view)


def _sql(name: str, ds: Dataset, as_of: pd.Timestamp | dt.date | str | None,
         values: dict[str, int]) -> pd.DataFrame:
    """The rows of ``queries/risk/<name>.sql`` on ``ds``, sorted (level, then id); the
    embedded forms conform them at once (dates as Timestamps), as callers of
    ``Query.embedded`` expect."""
    from graphmodel.sql_engine import sql_frame

    day = as_of_timestamp(as_of).date()
    return sql_frame(get_query(name), ds, {"as_of": day, **values})


def with_area(ds: Dataset, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a :func:`risk_view` or :func:`suggested_risk` result) with ``area_id``
    and ``area_name``: the residential area holding each company's grid (blank for the
    companies of business grids).

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> ds = load_dataset()
    >>> view = with_area(ds, risk_view(ds, "2026-11-29"))
    >>> set(view["area_id"].dropna()) <= set(ds["residential_areas"]["id"])
    True
    """
    areas = frame["company_id"].map(ds.place_area)
    result = frame.copy()
    position = list(result.columns).index("grid_id") + 1
    if "grid_name" in result.columns:
        position = list(result.columns).index("grid_name") + 1
    result.insert(position, "area_id", areas.astype(object))
    result.insert(position + 1, "area_name", areas.map(ds.names).astype(object))
    return result


DISTRIBUTION_KEYS = ("grid", "area", "building")
"""What :func:`risk_distribution` groups by."""


def risk_distribution(view: pd.DataFrame, by: str = "grid") -> pd.DataFrame:
    """Count companies per level, per grid, residential area or building.

    Parameters
    ----------
    view : pandas.DataFrame
        A :func:`risk_view` result (needs ``level``, ``<by>_id``, ``<by>_name``;
        :func:`with_area` adds the area columns).
    by : {"grid", "area", "building"}
        What to group by (companies of business grids have no area: blank).

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>_id``, ``<by>_name``, one column per level 1..5 titled by
        :func:`level_title` (e.g. ``"4 较不稳定（橙）"``) and ``total``; one row
        per grid, area or building present in the view, sorted by id.

    Examples
    --------
    >>> view = pd.DataFrame({"grid_id": ["G1", "G1", "G2"], "grid_name": ["一", "一", "二"],
    ...                      "level": [5, 1, 5]})
    >>> table = risk_distribution(view)
    >>> table[["grid_id", "5 不稳定（红）", "1 稳定（绿）", "total"]].values.tolist()
    [['G1', 1, 1, 2], ['G2', 1, 0, 1]]
    """
    if by not in DISTRIBUTION_KEYS:
        raise ValueError(f"by must be 'grid', 'area' or 'building', got {by!r}")
    if f"{by}_id" not in view.columns:
        raise ValueError(f"the view has no {by}_id column (add it with with_area)")
    keys = [f"{by}_id", f"{by}_name"]
    titles = [level_title(r.level) for r in schema.RISK_LEVELS]
    frame = view[keys].astype(object).fillna("").assign(
        level=view["level"].astype("int64").map(level_title))
    table = pd.crosstab([frame[keys[0]], frame[keys[1]]], frame["level"])
    table = table.reindex(columns=titles, fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index().sort_values(keys[0], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Suggested levels for unassessed companies
# ---------------------------------------------------------------------------


def level_for_score(score: int) -> int:
    """The suggested level of a score (see :data:`SCORE_LEVELS`).

    Examples
    --------
    >>> [level_for_score(s) for s in range(8)]
    [1, 2, 3, 3, 4, 4, 5, 5]
    """
    return next(level for minimum, level in SCORE_LEVELS if score >= minimum)


def score_indicators(lease_days: float | None, relocation: bool, unresolved: int,
                     oldest_days: float | None, employees: float | None
                     ) -> tuple[int, list[str]]:
    """Additive risk points of one company and the reasons (``中文 / English``).

    ============================================  ======
    indicator                                     points
    ============================================  ======
    lease already expired (``lease_days < 0``)    3
    lease expires within 90 days (0..90)          2
    relocation intent                             3
    each unresolved demand on ``as_of`` (max 2)   1
    oldest unresolved demand older than 30 days   1
    fewer than 10 employees (when known)          1
    ============================================  ======

    Parameters
    ----------
    lease_days : float or None
        Days from ``as_of`` to ``lease_expires`` (negative = expired; None = unknown).
    relocation : bool
        ``relocation_intent`` is true.
    unresolved : int
        Number of the company's demands unresolved on ``as_of``.
    oldest_days : float or None
        Age in days of the oldest of them (None when there is none).
    employees : float or None
        Headcount (None = unknown, no points).

    Returns
    -------
    tuple of (int, list of str)
        The score and the reasons, in the order of the table.

    Examples
    --------
    >>> score_indicators(30, True, 3, 45, 5)
    (9, ['租约30天后到期 / lease expires in 30 days', '有迁出意向 / intends to relocate', \
'3项诉求未解决 / 3 unresolved demands', '最早诉求已45天 / oldest demand 45 days old', \
'小微企业（5人） / small company (5 staff)'])
    >>> score_indicators(None, False, 0, None, None)
    (0, [])
    """
    score, reasons = 0, []
    if lease_days is not None and lease_days < 0:
        score += 3
        days = -int(lease_days)
        reasons.append(f"租约已到期{days}天 / lease expired {_days(days)} ago")
    elif lease_days is not None and lease_days <= LEASE_WINDOW_DAYS:
        score += 2
        days = int(lease_days)
        reasons.append(f"租约{days}天后到期 / lease expires in {_days(days)}")
    if relocation:
        score += 3
        reasons.append("有迁出意向 / intends to relocate")
    if unresolved:
        score += min(unresolved, 2)
        plural = "s" if unresolved > 1 else ""
        reasons.append(f"{unresolved}项诉求未解决 / {unresolved} unresolved demand{plural}")
    if oldest_days is not None and oldest_days > OLD_DEMAND_DAYS:
        score += 1
        days = int(oldest_days)
        reasons.append(f"最早诉求已{days}天 / oldest demand {_days(days)} old")
    if employees is not None and employees < SMALL_COMPANY_EMPLOYEES:
        score += 1
        reasons.append(f"小微企业（{int(employees)}人） / small company ({int(employees)} staff)")
    return score, reasons


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def risk_suggested(source: Source, as_of: pd.Timestamp | dt.date | str | None = None, *,
                   backend: Backend = "embedded", conn: Connection | None = None
                   ) -> pd.DataFrame:
    """Suggest a level for every company not assessed on or before ``as_of``.

    The score adds the points of :func:`score_indicators` (lease expired 3,
    lease expiring within :data:`LEASE_WINDOW_DAYS` = 90 days 2, relocation
    intent 3, each demand unresolved on ``as_of`` 1 up to 2, oldest of them
    older than :data:`OLD_DEMAND_DAYS` = 30 days 1, fewer than
    :data:`SMALL_COMPANY_EMPLOYEES` = 10 employees 1; missing values add
    nothing) and maps it to a level with :func:`level_for_score`: 0 -> 1
    green, 1 -> 2 blue, 2-3 -> 3 yellow, 4-5 -> 4 orange, 6+ -> 5 red. So
    relocation intent alone suggests yellow, with a lease expiring soon
    orange, with an expired lease red.

    Parameters
    ----------
    source : Dataset, str or path
        A dataset (embedded) or the name it was loaded under (Neo4j).
    as_of : pandas.Timestamp, datetime.date or str
        The evaluation date.
    backend : {"embedded", "neo4j"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame.
    conn : Connection, optional
        Neo4j connection settings.

    Returns
    -------
    pandas.DataFrame
        Columns ``company_id``, ``company_name``, ``building_id``, ``grid_id``,
        ``suggested_level``, ``label_zh``, ``colour_en``, ``score``,
        ``reasons`` (list of ``中文 / English`` strings) and ``kind`` (always
        ``"suggested"``); sorted by suggested level, score (both descending),
        then company id.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> ds = load_dataset()
    >>> found = suggested_risk(ds, "2026-11-29")
    >>> assessed = set(risk_view(ds, "2026-11-29")["company_id"])
    >>> assessed.isdisjoint(found["company_id"]), set(found["kind"]) <= {"suggested"}
    (True, True)
    """
    return engine.run("risk_suggested", source, as_of, backend, conn)


suggested_risk = risk_suggested
"""The former name of :func:`risk_suggested`."""


@register("risk_suggested", "risk", "建议风险等级（未评估企业）", "Suggested risk level",
          "For companies with no assessment on or before as_of: a suggested five-colour level "
          "from additive points (lease expired 3 / expiring within 90 days 2, relocation intent "
          "3, unresolved demands 1 each up to 2, oldest demand older than 30 days 1, fewer than "
          "10 employees 1; score 0 -> 1, 1 -> 2, 2-3 -> 3, 4-5 -> 4, >= 6 -> 5), with reasons. "
          "Suggestions are not assessments (kind = suggested).",
          definition_zh="对截至评估日从未评估过的企业，按简单指标累加分数给出“建议”等级（不是评估结果）："
                        "租约已到期 3 分、90 天内到期 2 分；有迁出意向 3 分；每项未解决诉求 1 分（最多 2 分）；"
                        "最早未解决诉求超过 30 天 1 分；员工少于 10 人 1 分。",
          columns=tuple(SUGGESTED_COLUMNS), dtypes=SUGGESTED_DTYPES)
def _risk_suggested(ds: Dataset, as_of: pd.Timestamp | dt.date | str | None) -> pd.DataFrame:
    frame = _sql("risk_suggested", ds, as_of,
                 {"lease_window_days": LEASE_WINDOW_DAYS, "old_demand_days": OLD_DEMAND_DAYS,
                  "small_company_employees": SMALL_COMPANY_EMPLOYEES})
    levels = level_columns(frame["suggested_level"])
    frame["label_zh"], frame["colour_en"] = levels["label_zh"], levels["colour_en"]
    frame["kind"] = "suggested"
    return engine.conform(get_query("risk_suggested"), frame)
