"""The SQL embedded forms of the risk and linkage queries give the frames of the former
pandas implementations.

The pandas and networkx implementations of ``risk_view``, ``risk_suggested``,
``sector_matrix``, and of the networks ``sectors_bridged``, ``bridges``, ``connectors`` and
``path`` read from the embedded graph, that the SQL of ``queries/<group>/<name>.sql``
replaced are kept here, only here, as the reference: the frame
of :func:`graphmodel.engine.run` must equal theirs (after the same
:func:`~graphmodel.engine.conform`) on the shipped dataset at several dates and parameter
sets, on a generated street tier and on the random contract-valid datasets of
``_generate.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graphmodel import engine, get_query, load_dataset, schema
from graphmodel.dataset import Dataset
from graphmodel.gaps import followed_up
from graphmodel.linkages import (
    ACTOR_LABELS,
    ACTOR_STRUCTURAL,
    _path_frame,
    active_edges,
    node_sector,
    path_adjacency,
    rank_bridges,
    rank_connectors,
    rank_sectors_bridged,
    sector_list,
    sector_ties,
    shortest_paths,
)
from graphmodel.queries import as_of_timestamp, latest_assessments, parse_as_of, resolve_params
from graphmodel.risk import (
    LEASE_WINDOW_DAYS,
    OLD_DEMAND_DAYS,
    SMALL_COMPANY_EMPLOYEES,
    SUGGESTED_COLUMNS,
    VIEW_COLUMNS,
    level_columns,
    level_for_score,
    score_indicators,
)
from graphmodel.sql_engine import has_sql, sql_parameters, sql_text

SHIPPED_DATES = ("1900-01-01", "2025-06-30", "2026-03-01", "2026-11-29", "2027-06-01",
                 "9999-12-31")
FOLLOWUP_SETS = ({}, {"followup_days_orange": 30, "followup_days_red": 7},
                 {"followup_days_orange": 0, "followup_days_red": 0})
SEEDS = (1, 2, 3, 4, 5, 6)
RANDOM_DATES = ("2025-03-01", "2025-12-31", "2026-06-30", "2026-09-15", "2027-01-01")
FEEDS_PYTHON = ("sectors_bridged", "bridges", "path")
"""The queries whose SQL feeds networkx or the path search rather than giving the frame."""
SQL_QUERIES = ("risk_view", "risk_suggested", "sector_matrix", "sectors_bridged", "bridges",
               "connectors", "path")


# ---------------------------------------------------------------------------
# The former pandas implementations (the reference)
# ---------------------------------------------------------------------------


def _places(ds: Dataset, company_ids: pd.Series) -> pd.DataFrame:
    building_ids = company_ids.map(ds.place_building)
    grid_ids = company_ids.map(ds.place_grid)
    return pd.DataFrame({
        "company_id": company_ids.values,
        "company_name": company_ids.map(ds.names).values,
        "building_id": building_ids.values,
        "building_name": building_ids.map(ds.names).values,
        "grid_id": grid_ids.values,
        "grid_name": grid_ids.map(ds.names).values,
    })


def _followup_states(ds: Dataset, latest: pd.DataFrame, as_of: pd.Timestamp,
                     followup_days_orange: int, followup_days_red: int) -> pd.DataFrame:
    levels = latest["level"].astype("int64")
    days = levels.map({4: followup_days_orange, 5: followup_days_red})
    deadline = latest["assessed_on"] + pd.to_timedelta(days, unit="D")
    high = latest.loc[levels >= 4, ["company_id", "assessed_on"]].copy()
    high["deadline"] = deadline[levels >= 4].clip(upper=as_of)
    high["building_id"] = high["company_id"].map(ds.place_building).astype(object)
    done = latest["company_id"].isin(followed_up(ds, high))
    state = pd.Series("n/a", index=latest.index, dtype=object)
    state[(levels >= 4) & done] = "done"
    state[(levels >= 4) & ~done & (as_of <= deadline)] = "pending"
    state[(levels >= 4) & ~done & (as_of > deadline)] = "overdue"
    return pd.DataFrame({"deadline": deadline, "followup": state}, index=latest.index)


def pandas_risk_view(ds: Dataset, as_of: str, **params: int) -> pd.DataFrame:
    day = as_of_timestamp(as_of)
    days = resolve_params(("followup_days_orange", "followup_days_red"), **params)
    latest = latest_assessments(ds, day).reset_index(drop=True)
    view = _places(ds, latest["company_id"])
    view["level"] = latest["level"].astype("int64")
    view = view.join(level_columns(view["level"]))
    view["assessed_on"] = latest["assessed_on"]
    view = view.join(_followup_states(ds, latest, day, days["followup_days_orange"],
                                      days["followup_days_red"]))
    view["reason"] = latest["reason"].astype(object)
    view["kind"] = "assessed"
    view = view[VIEW_COLUMNS].sort_values(["level", "company_id"], ascending=[False, True],
                                          kind="stable")
    return engine.conform(get_query("risk_view"), view.reset_index(drop=True))


def _unresolved_demands(ds: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    demands = ds["demands"]
    open_ = demands[(demands["raised_on"] <= as_of)
                    & ((demands["status"] != "resolved") | (demands["resolved_on"] > as_of))]
    grouped = open_.groupby("company_id")["raised_on"]
    return pd.DataFrame({"count": grouped.size(),
                         "oldest_days": (as_of - grouped.min()).dt.days})


def _value(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def pandas_risk_suggested(ds: Dataset, as_of: str) -> pd.DataFrame:
    day = as_of_timestamp(as_of)
    companies = ds["companies"]
    assessed = set(latest_assessments(ds, day)["company_id"])
    todo = companies[~companies["id"].isin(assessed)].reset_index(drop=True)
    demands = _unresolved_demands(ds, day)
    lease_days = (todo["lease_expires"] - day).dt.days
    scored = [score_indicators(_value(lease), bool(_value(move) or False),
                               int(_value(demands["count"].get(c)) or 0),
                               _value(demands["oldest_days"].get(c)), _value(staff))
              for c, lease, move, staff in zip(todo["id"], lease_days, todo["relocation_intent"],
                                               todo["employees"], strict=True)]
    frame = _places(ds, todo["id"])[["company_id", "company_name", "building_id", "grid_id"]]
    frame["score"] = pd.Series([s for s, _ in scored], dtype="int64")
    frame["suggested_level"] = frame["score"].map(level_for_score).astype("int64")
    levels = level_columns(frame["suggested_level"])
    frame["label_zh"], frame["colour_en"] = levels["label_zh"], levels["colour_en"]
    frame["reasons"] = pd.Series([r for _, r in scored], dtype=object)
    frame["kind"] = "suggested"
    frame = frame[SUGGESTED_COLUMNS].sort_values(["suggested_level", "score", "company_id"],
                                                 ascending=[False, False, True], kind="stable")
    return engine.conform(get_query("risk_suggested"), frame.reset_index(drop=True))


def _distinct_relationships(graph: nx.MultiDiGraph, as_of: dt.date) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for u, v, kind in active_edges(graph, as_of):
        if u == v:
            continue
        if schema.LINK_TYPES[kind].symmetric and v < u:
            u, v = v, u
        found.add((u, kind, v))
    return found


def networkx_sector_matrix(ds: Dataset, as_of: str) -> pd.DataFrame:
    graph = ds.network
    relationships = _distinct_relationships(graph, parse_as_of(as_of))
    counts: Counter[tuple[str, str]] = Counter()
    sectors: dict[str, str | None] = {}
    for u, kind, v in relationships:
        su = sectors.setdefault(u, node_sector(graph, u))
        sv = sectors.setdefault(v, node_sector(graph, v))
        if su is None or sv is None:
            continue
        counts[(su, sv)] += 1
        if schema.LINK_TYPES[kind].symmetric and su != sv:
            counts[(sv, su)] += 1
    order = {s: i for i, s in enumerate(schema.SECTORS)}
    cells = sorted(counts.items(), key=lambda item: (order.get(item[0][0], len(order)),
                                                      order.get(item[0][1], len(order)), item[0]))
    frame = pd.DataFrame([(s, t, n) for (s, t), n in cells],
                         columns=["source_sector", "target_sector", "links"])
    return engine.conform(get_query("sector_matrix"), frame.astype({"links": "int64"}))


def networkx_actor_network(ds: Dataset, as_of: str) -> nx.Graph:
    graph = ds.network
    net = nx.Graph()
    net.add_nodes_from((node, {"label": attrs["label"], "sector": node_sector(graph, node)})
                       for node, attrs in graph.nodes(data=True)
                       if attrs.get("label") in ACTOR_LABELS)
    net.add_edges_from((u, v) for u, v, _ in active_edges(graph, parse_as_of(as_of),
                                                          ACTOR_STRUCTURAL)
                       if u != v and u in net and v in net)
    return net


def networkx_sectors_bridged(ds: Dataset, as_of: str, sectors: str = "",
                             min_sectors: int = 1) -> pd.DataFrame:
    ties = sector_ties(ds.network, parse_as_of(as_of), ds.names)
    frame = rank_sectors_bridged(networkx_actor_network(ds, as_of), ties, ds.names,
                                 sector_list(sectors), min_sectors)
    return engine.conform(get_query("sectors_bridged"), frame)


def networkx_bridges(ds: Dataset, as_of: str, top: int = 20) -> pd.DataFrame:
    frame = rank_bridges(networkx_actor_network(ds, as_of), ds.names, top)
    return engine.conform(get_query("bridges"), frame)


def networkx_connectors(ds: Dataset, as_of: str, k: int = 3) -> pd.DataFrame:
    frame = rank_connectors(networkx_actor_network(ds, as_of), ds.names, k)
    return engine.conform(get_query("connectors"), frame)


def networkx_path(ds: Dataset, as_of: str, a: str, b: str, k: int = 1,
                  colocation: bool = True) -> pd.DataFrame:
    adjacency = path_adjacency(ds.network, parse_as_of(as_of), colocation)
    frame = _path_frame(shortest_paths(adjacency, a, b, k), adjacency, ds.names)
    return engine.conform(get_query("path"), frame)


def path_ends(ds: Dataset, count: int = 6) -> list[tuple[str, str]]:
    """A few pairs of entities (no demands) to search paths between, drawn by seed."""
    ids = sorted(i for i in ds.names.index if ds.entity_tables[i] != "demands")
    pick = random.Random(len(ids))
    return [(pick.choice(ids), pick.choice(ids)) for _ in range(count)]


# ---------------------------------------------------------------------------
# The comparisons
# ---------------------------------------------------------------------------


def assert_links_equal(ds: Dataset, as_of: str) -> int:
    """The SQL-fed linkage frames equal the networkx ones; the number of rows compared."""
    compared = 0
    for top in (0, 5):
        found = engine.run("bridges", ds, as_of, top=top)
        pd.testing.assert_frame_equal(found, networkx_bridges(ds, as_of, top),
                                      obj=f"bridges {ds.name} {as_of} top={top}")
        compared += len(found)
    for k in (0, 1, 3):
        found = engine.run("connectors", ds, as_of, k=k)
        pd.testing.assert_frame_equal(found, networkx_connectors(ds, as_of, k),
                                      obj=f"connectors {ds.name} {as_of} k={k}")
        compared += len(found)
    for a, b in path_ends(ds):
        for k, colocation in ((1, True), (3, True), (2, False)):
            found = engine.run("path", ds, as_of, a=a, b=b, k=k, colocation=colocation)
            pd.testing.assert_frame_equal(
                found, networkx_path(ds, as_of, a, b, k, colocation),
                obj=f"path {ds.name} {as_of} {a} {b} k={k} colocation={colocation}")
            compared += len(found)
    return compared


def assert_risk_equal(ds: Dataset, as_of: str, **params: int) -> int:
    """The SQL frames equal the pandas ones; the number of rows compared."""
    view = engine.run("risk_view", ds, as_of, **params)
    pd.testing.assert_frame_equal(view, pandas_risk_view(ds, as_of, **params),
                                  obj=f"risk_view {ds.name} {as_of} {params}")
    suggested = engine.run("risk_suggested", ds, as_of)
    pd.testing.assert_frame_equal(suggested, pandas_risk_suggested(ds, as_of),
                                  obj=f"risk_suggested {ds.name} {as_of}")
    matrix = engine.run("sector_matrix", ds, as_of)
    pd.testing.assert_frame_equal(matrix, networkx_sector_matrix(ds, as_of),
                                  obj=f"sector_matrix {ds.name} {as_of}")
    for params in ({}, {"min_sectors": 0}, {"sectors": "party,business", "min_sectors": 2}):
        bridged = engine.run("sectors_bridged", ds, as_of, **params)
        pd.testing.assert_frame_equal(bridged, networkx_sectors_bridged(ds, as_of, **params),
                                      obj=f"sectors_bridged {ds.name} {as_of} {params}")
    links = assert_links_equal(ds, as_of) if not params else 0
    return len(view) + len(suggested) + len(matrix) + len(bridged) + links


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset()


@pytest.mark.parametrize("as_of", SHIPPED_DATES)
@pytest.mark.parametrize("params", FOLLOWUP_SETS)
def test_risk_on_shipped_dataset(shipped: Dataset, as_of: str, params: dict[str, int]) -> None:
    assert_risk_equal(shipped, as_of, **params)


def test_shipped_risk_has_every_state(shipped: Dataset) -> None:
    states = set()
    for as_of in SHIPPED_DATES:
        states |= set(engine.run("risk_view", shipped, as_of)["followup"])
    assert states == {"done", "pending", "overdue", "n/a"}


@pytest.mark.parametrize("seed", SEEDS)
def test_risk_on_random_datasets(generated: Callable[[int], Dataset], seed: int) -> None:
    ds = generated(seed)
    compared = [assert_risk_equal(ds, as_of, **params)
                for as_of in RANDOM_DATES for params in FOLLOWUP_SETS[:2]]
    assert sum(compared) > 0


def test_risk_on_generated_street_tier(tmp_path: Path) -> None:
    from graphmodel.generate import generate

    path = tmp_path / "street"
    generate("street", seed=7, out=path)
    ds = load_dataset(path)
    assert assert_risk_equal(ds, "2026-11-01") > 20
    assert_risk_equal(ds, "2026-06-01", followup_days_orange=30, followup_days_red=7)


@pytest.mark.parametrize("name", SQL_QUERIES)
def test_sql_files(name: str) -> None:
    query = get_query(name)
    assert has_sql(query)
    text = sql_text(query.group, name)
    used = set(sql_parameters(text))
    if name in FEEDS_PYTHON:  # its parameters (top, sectors, a, b, k...) serve the Python
        assert text.startswith(f"-- graphmodel query: {name} (SQL, run by DuckDB), the ")
        assert "as_of" in used and used <= {"as_of", "colocation"}
    else:
        assert text.startswith(f"-- graphmodel query: {name} (SQL, run by DuckDB)\n")
        assert {"as_of", *query.params} <= used


def test_sectors_bridged_ties_come_from_sql() -> None:
    query = get_query("sectors_bridged")
    assert has_sql(query)
    text = sql_text("links", "sectors_bridged")
    assert text.startswith("-- graphmodel query: sectors_bridged (SQL, run by DuckDB)")
    assert sql_parameters(text) == ["as_of"]  # sectors and min_sectors: in the ranking


def test_suggested_thresholds_are_the_module_constants() -> None:
    text = sql_text("risk", "risk_suggested")
    assert {"lease_window_days", "old_demand_days", "small_company_employees"} <= set(
        sql_parameters(text))
    assert (LEASE_WINDOW_DAYS, OLD_DEMAND_DAYS, SMALL_COMPANY_EMPLOYEES) == (90, 30, 10)


def test_every_library_query_has_sql() -> None:
    from graphmodel.queries import all_queries

    built_in = [q for q in all_queries() if q.group != "rules"]
    assert len(built_in) >= 18
    assert [q.name for q in built_in if not has_sql(q)] == []


@pytest.mark.parametrize("name", SQL_QUERIES)
def test_sql_backend_is_a_synonym(shipped: Dataset, name: str) -> None:
    params = {"a": "京东健康", "b": "上海戏剧学院", "k": 2} if name == "path" else {}
    found = engine.run(name, shipped, "2026-11-29", backend="sql", **params)
    assert len(found)
    pd.testing.assert_frame_equal(found, engine.run(name, shipped, "2026-11-29", **params))
