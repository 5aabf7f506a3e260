"""The eleven coverage gaps (docs/gaps.md), declared once and answered by SQL.

Every gap is a query of the library (:mod:`graphmodel.queries`): its titles, definition,
parameters and where its findings are, declared here; its answer is
``queries/gaps/<name>.sql``, run by DuckDB over the dataset's typed tables
(:mod:`graphmodel.sql_engine`, the embedded engine), and ``queries/gaps/<name>.cypher`` on
Neo4j. :func:`gaps` runs any of them and returns the documented output (``gap``, ``id``,
``name``, ``detail``, plus the finding's grid and residential area for grouping).

The helpers kept here (:func:`active_links`, :func:`done_visits`, :func:`followed_up`)
serve the profile, responsibility, risk and plotting modules, in pandas.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graphmodel.errors import UsageError
from graphmodel.queries import (
    REGISTRY,
    Place,
    Query,
    get_query,
    latest_assessments,
    register,
    resolve_params,
)

if TYPE_CHECKING:
    import pandas as pd

    from graphmodel.dataset import Dataset
    from graphmodel.engine import Backend, Source
    from graphmodel.neo4j_backend import Connection
    from graphmodel.rules import RulesSource

__all__ = [
    "GAP_COLUMNS",
    "GAP_NAMES",
    "UnknownGapError",
    "finding_places",
    "findings_records",
    "findings_to_csv",
    "findings_to_json",
    "gap_names",
    "gap_titles",
    "gaps",
    "latest_assessments",
    "run_gap",
]

GAP_COLUMNS = ["gap", "id", "name", "grid_id", "grid_name", "area_id", "area_name", "detail"]
GAP_DTYPES = {"gap": "str", "id": "str", "name": "str", "grid_id": "object",
              "grid_name": "object", "area_id": "object", "area_name": "object",
              "detail": "object"}
"""Types of the gap columns, on both engines (missing places are None)."""


# ---------------------------------------------------------------------------
# Shared lookups (pandas, for the modules that show or explain findings)
# ---------------------------------------------------------------------------


def active_links(ds: Dataset, as_of: pd.Timestamp, types: Iterable[str]) -> pd.DataFrame:
    """Rows of ``links`` of the given types that are active on ``as_of``."""
    links = ds["links"]
    active = ((links["since"].isna() | (links["since"] <= as_of))
              & (links["until"].isna() | (links["until"] >= as_of)))
    return links[active & links["type"].isin(list(types))]


def done_visits(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """Visits that happened on or before ``as_of``: planned visits are never visits."""
    visits = ds["visits"]
    return visits[(visits["status"] == "done") & (visits["date"] <= as_of)]


def followed_up(ds: Dataset, high: pd.DataFrame) -> set[str]:
    """Companies of ``high`` (``company_id``, ``building_id``, ``assessed_on``,
    ``deadline``) with a done visit to the company or its building, or a resolved demand
    of the company, inside their follow-up span (the risk view's overdue flag; the
    ``risk_without_followup`` gap says the same in SQL)."""
    spans = high[["company_id", "building_id", "assessed_on", "deadline"]]
    visits = ds["visits"]
    visits = visits.loc[visits["status"] == "done", ["target_id", "date"]]
    visits = visits[visits["target_id"].isin(set(spans["company_id"]) | set(spans["building_id"]))]
    followed: set[str] = set()
    for target in ("company_id", "building_id"):
        joined = spans.merge(visits, left_on=target, right_on="target_id")
        inside = joined[(joined["date"] >= joined["assessed_on"])
                        & (joined["date"] <= joined["deadline"])]
        followed |= set(inside["company_id"])
    demands = ds["demands"][["company_id", "resolved_on"]].dropna()
    joined = spans.merge(demands, on="company_id")
    inside = joined[(joined["resolved_on"] >= joined["assessed_on"])
                    & (joined["resolved_on"] <= joined["deadline"])]
    return followed | set(inside["company_id"])


# ---------------------------------------------------------------------------
# The eleven gaps
# ---------------------------------------------------------------------------


_LOOKUPS = "_graphmodel_gap_lookups"


def _lookups(ds: Dataset) -> dict[str, pd.Series]:
    """:attr:`Dataset.names`, ``place_grid`` and ``place_area`` with plain Python texts,
    made once per dataset object: mapping a few findings through a Series of Arrow texts
    converts the whole Series every time."""
    import pandas as pd

    found = ds.__dict__.get(_LOOKUPS)
    if found is None:
        found = {key: pd.Series(series.to_numpy(dtype=object),
                                index=pd.Index(series.index.to_numpy(dtype=object), dtype=object),
                                dtype=object)
                 for key, series in (("name", ds.names), ("grid", ds.place_grid),
                                     ("area", ds.place_area))}
        ds.__dict__[_LOOKUPS] = found
    return found


def _finish(query: Query, ds: Dataset, found: pd.DataFrame) -> pd.DataFrame:
    """A gap's ``id``/``detail`` frame with the gap's name and its places."""
    lookups = _lookups(ds)
    found = found.copy()
    found.insert(0, "gap", query.name)
    found["name"] = found["id"].map(lookups["name"])
    places = query.places(ds, found["id"])
    for level in ("grid", "area"):
        ids = places.map(lookups[level]).astype(object)
        found[f"{level}_id"] = ids
        found[f"{level}_name"] = ids.map(lookups["name"]).astype(object)
    return found[GAP_COLUMNS]


def _from_rows(query: Query, rows: pd.DataFrame, values: dict[str, Any]) -> pd.DataFrame:
    """A gap's Cypher rows (already sorted by id) with the gap's name and a dict detail."""
    rows = rows.copy()
    rows.insert(0, "gap", query.name)
    rows = rows.reindex(columns=GAP_COLUMNS)
    rows["detail"] = [d if isinstance(d, dict) else {} for d in rows["detail"]]
    return rows


def _answered_by_sql(name: str) -> Any:
    """The embedded form of gap ``name``: its SQL on DuckDB (``id`` and ``detail``)."""

    def embedded(ds: Dataset, as_of: pd.Timestamp, **params: Any) -> pd.DataFrame:
        from graphmodel.sql_engine import run_sql

        return run_sql(REGISTRY[name], ds, as_of.date(), params)

    embedded.__name__ = embedded.__qualname__ = name
    embedded.__doc__ = f"The findings of {name}: ``queries/gaps/{name}.sql`` run by DuckDB."
    return embedded


def gap(name: str, title_zh: str, title_en: str, definition_en: str,
        params: tuple[str, ...] = (), definition_zh: str = "", place: Place = "self") -> None:
    """:func:`~graphmodel.queries.register` a gap: group ``gaps``, the gap columns, its SQL
    as the embedded form, and the finishing steps of both engines."""
    register(name, "gaps", title_zh, title_en, definition_en, params, definition_zh,
             place=place, columns=tuple(GAP_COLUMNS), dtypes=GAP_DTYPES,
             finish=_finish, from_rows=_from_rows)(_answered_by_sql(name))


gap("grid_without_party_org", "网格无党组织", "Grid without party organisation",
    "No organisation of sector party is located within the grid, none covers the grid, "
    "and none has an active COVERS link to anything within the grid.",
    definition_zh="网格内没有任何党建领域组织，没有党建组织覆盖该网格（含覆盖其所属居民区），"
                  "也没有党建组织对网格内任何地点建立有效的服务覆盖关系。")

gap("area_without_liaison_group", "居民区有少数民族居民但无联络组",
    "Residential area with minority residents but no liaison group",
    "The area has minority residents > 0, no organisation of kind liaison_group is located "
    "within the area, and none covers the area.",
    definition_zh="居民区有少数民族居民，但区内没有民族工作联络组，也没有联络组覆盖该居民区。")

gap("building_without_service_station", "楼宇无党群服务站",
    "Building without service station",
    "The building houses at least one company, no service_station or service_center is "
    "located within the building, and none covers the building.",
    definition_zh="楼宇内有企业，但楼内没有党群服务站或服务中心，也没有服务站覆盖该楼宇"
                  "（含覆盖其网格或居民区）。")

gap("company_unreached", "企业未被触达", "Company unreached",
    "None of: (a) a party organisation or service station/centre has located_in equal to "
    "the company or to its building; (b) such an organisation covers the company; (c) a "
    "recent visit to the company or to its building.", params=("visit_window_days",),
    definition_zh="企业既没有党组织或服务站位于企业本身或其楼宇，也没有此类组织覆盖企业"
                  "（含覆盖其楼宇、网格或居民区），近期也无人走访企业或其楼宇。")

gap("risk_without_followup", "高风险企业未及时跟进",
    "High-risk company without follow-up",
    "The company's latest assessment on or before as_of is level 4 (orange) or 5 (red), its "
    "follow-up deadline has passed, and there was no visit to the company or its building "
    "and no demand of the company resolved between the assessment and the deadline.",
    params=("followup_days_orange", "followup_days_red"),
    definition_zh="企业最新评估为橙色或红色，跟进期限已过，期间既无对企业或其楼宇的走访，也无企业诉求得到解决。")

gap("stale_demand", "企业诉求久未解决", "Stale company demand",
    "The demand was raised on or before as_of, is not resolved on as_of, and is older than "
    "demand_max_days.", params=("demand_max_days",), place="demand_company",
    definition_zh="企业诉求在评估日尚未解决，且提出已超过规定天数。")

gap("liaison_group_isolated", "民族联络组孤立", "Isolated liaison group",
    "A liaison_group with no active PARTNERS_WITH, SUPPORTS, MENTORS or MEMBER_OF link, in "
    "either direction, with any organisation or company whose sector is not ethnic.",
    place="org_location",
    definition_zh="民族工作联络组与任何非民族领域的组织或企业都没有有效的合作、资助、结对或成员关系。")

gap("liaison_group_without_leadership", "民族联络组无党组织领导",
    "Liaison group without party leadership",
    "A liaison_group with no active LEADS link from a party organisation, and whose "
    "parent_id is blank or names an organisation whose sector is not party.",
    place="org_location",
    definition_zh="民族工作联络组没有党组织的有效引领关系，其上级组织也不是党组织。")

gap("key_building_without_worker", "重点楼宇无包干工作者",
    "Key building without assigned worker",
    "The building is a key building (key_building true, or at least "
    "key_building_min_companies companies) and no person has an active ASSIGNED_TO link "
    "to it.", params=("key_building_min_companies",),
    definition_zh="重点楼宇（标记为重点或企业数达到阈值）没有包干负责的工作人员。")

gap("building_not_visited", "楼宇久未走访", "Building not visited",
    "The building houses at least one company, and there is no recent visit to the "
    "building nor to any company in it.", params=("visit_window_days",),
    definition_zh="楼宇内有企业，但近期无人走访该楼宇及其中任何企业。")

gap("grid_without_worker", "网格无网格员", "Grid without grid worker",
    "No person has an active ASSIGNED_TO link to the grid itself (a link to its area or "
    "to one of its buildings does not count).",
    definition_zh="没有任何人员对该网格本身建立有效的包干关系（每个网格都需要自己的网格员或网格长；"
                  "包干居民区或楼宇不算）。")


# ---------------------------------------------------------------------------
# Running gaps
# ---------------------------------------------------------------------------

GAP_NAMES = tuple(q.name for q in REGISTRY.values() if q.group == "gaps")
"""The eleven gap names in documented order."""


class UnknownGapError(UsageError, KeyError):
    """A gap name that is not one of :data:`GAP_NAMES` (exit status 2)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def gap_names(only: Iterable[str] | str | None = None, rules: Iterable[str] = ()) -> list[str]:
    """The gaps to run: ``only`` (a list or a comma-separated string) checked against
    :data:`GAP_NAMES` and the names of the analysts' ``rules`` (docs/rules.md), each once, in
    the given order; every gap (and rule) when ``only`` is None.

    Raises
    ------
    UnknownGapError
        A ``UsageError`` and a ``KeyError``, listing the known gaps.

    Examples
    --------
    >>> gap_names("stale_demand, stale_demand")
    ['stale_demand']
    """
    known = [*GAP_NAMES, *rules]
    if only is None:
        return known
    names = [n.strip() for n in (only.split(",") if isinstance(only, str) else only)]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UnknownGapError(f"unknown gap(s) {', '.join(map(repr, unknown))[:200]}; known: "
                              + ", ".join(known))
    # dict.fromkeys: a gap named twice must not yield its findings twice (one row per finding)
    return list(dict.fromkeys(names))


def run_gap(ds: Dataset, name: str, as_of: dt.date | str | None = None,
            **params: Any) -> pd.DataFrame:
    """Run one gap on a dataset and return its findings (:data:`GAP_COLUMNS`)."""
    from graphmodel import engine

    return engine.run(gap_names([name])[0], ds, as_of, **params)


def finding_places(ds: Dataset, found: pd.DataFrame) -> pd.Series:
    """The place each finding is about (the ``place`` of its gap's query): a demand's
    company, a liaison group's location, else the finding itself (a grid, area, building
    or company); None where there is none."""
    import pandas as pd

    places = pd.Series(None, index=found.index, dtype=object)
    for name, rows in found.groupby("gap", sort=False).groups.items():
        query = REGISTRY.get(str(name))  # an analyst's rule: the finding is its own place
        ids = found.loc[rows, "id"]
        places[rows] = (query.places(ds, ids) if query is not None
                        else ids.astype(object).where(ids.notna(), None))
    return places


def gap_titles(name: str, found: pd.DataFrame | None = None) -> tuple[str, str]:
    """The Chinese and English titles of a gap, or of an analyst's rule (from the
    ``detail`` of its findings in ``found``; else the name itself)."""
    query = REGISTRY.get(name)
    if query is not None:
        return query.title_zh, query.title_en
    if found is not None and len(found):
        for detail in found.loc[found["gap"] == name, "detail"]:
            if isinstance(detail, dict) and detail.get("rule") == name:
                return str(detail.get("title_zh") or name), str(detail.get("title_en") or name)
    return name, name


def gaps(source: Source, as_of: dt.date | str | None = None,
         only: Iterable[str] | str | None = None, *, backend: Backend = "embedded",
         conn: Connection | None = None, rules: RulesSource | None = None,
         **params: Any) -> pd.DataFrame:
    """Run the coverage gaps (docs/gaps.md) on a dataset, on either engine.

    Parameters
    ----------
    source : Dataset, str or path
        Embedded: a dataset or its path. Neo4j: the name it was loaded under (or a Dataset).
    as_of : datetime.date or str, optional
        The evaluation date (default today).
    only : iterable of str or str, optional
        Gap (or rule) names to run, as a list or a comma-separated string (default all
        eleven and every rule).
    backend : {"embedded", "neo4j", "sql"}
        The engine (:func:`graphmodel.engine.run`); both return the same frame. Embedded
        runs the gaps' SQL files on DuckDB ("sql" is a synonym).
    conn : Connection, optional
        Neo4j connection settings (default from the environment).
    rules : str, path, or rules, optional
        Analysts' own coverage rules (docs/rules.md): a rule file's path, or rules from
        :func:`graphmodel.rules.load_rules`. Their findings join the built-in ones, with
        ``gap`` = the rule's name; a bad file raises
        :class:`~graphmodel.errors.RuleFileError` before anything runs.
    **params
        Overrides of the gap parameters, e.g. ``visit_window_days=90``.

    Returns
    -------
    pandas.DataFrame
        One row per finding, sorted by ``gap`` then ``id``, with columns
        ``gap``, ``id``, ``name``, ``grid_id``, ``grid_name``, ``area_id``, ``area_name``,
        ``detail``.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> found = gaps(load_dataset(), as_of="2026-11-29")
    >>> sorted(found["gap"].unique()) == sorted(GAP_NAMES)
    True
    """
    import pandas as pd

    from graphmodel import engine
    from graphmodel import rules as rule_files

    names, chosen = rule_files.select(only, rule_files.as_queries(rules))
    resolve_params(**params)  # reject unknown names before any work
    if backend in ("embedded", "sql"):
        source = engine.dataset_of(source)
    frames = [engine.run(name, source, as_of, backend, conn, **params)
              for name in [*names, *chosen]]
    if not frames:
        return engine.conform(get_query(GAP_NAMES[0]), pd.DataFrame(columns=GAP_COLUMNS))
    result = pd.concat(frames, ignore_index=True)
    return result.sort_values(["gap", "id"], kind="stable").reset_index(drop=True)


def findings_records(found: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts (the spec's machine output, one per finding)."""
    rows = found[GAP_COLUMNS].astype(object).where(found[GAP_COLUMNS].notna(), None)
    return rows.to_dict("records")


def findings_to_json(found: pd.DataFrame) -> str:
    """Findings as a JSON array, sorted by gap then id."""
    return json.dumps(findings_records(found), ensure_ascii=False, indent=2)


def findings_to_csv(found: pd.DataFrame) -> str:
    """Findings as CSV; ``detail`` is a JSON string.

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a leading tab
    or carriage return, also after spaces or full-width) is written with a ``'`` before
    it (:func:`graphmodel._safe_io.neutralise_formula`); ``gaps.json`` keeps the exact text.
    """
    from graphmodel._safe_io import frame_to_csv

    frame = found[GAP_COLUMNS].copy()
    frame["detail"] = frame["detail"].map(lambda d: json.dumps(d, ensure_ascii=False,
                                                               sort_keys=True))
    return frame_to_csv(frame)
