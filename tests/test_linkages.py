"""Tests of the cross-sector linkage queries on small hand-built datasets and the shipped one."""

from __future__ import annotations

import io
import itertools

import pandas as pd
import pytest

from graphmodel import load_dataset, schema, settings
from graphmodel.errors import InvalidParameterError
from graphmodel.linkages import (
    BRIDGE_COLUMNS,
    CONNECTOR_COLUMNS,
    MATRIX_COLUMNS,
    PATH_COLUMNS,
    SECTORS_BRIDGED_COLUMNS,
    actor_network,
    bridges,
    connectors,
    format_path,
    path,
    path_adjacency,
    resolve_entity,
    sector_matrix,
    sector_matrix_table,
    sectors_bridged,
    shortest_paths,
)
from graphmodel.queries import all_queries, get_query

NOW = "2026-06-01"
PAST = "2019-06-01"


def _org(id_: str, name: str, kind: str, sector: str, **extra: object) -> dict[str, object]:
    return {"id": id_, "name": name, "kind": kind, "sector": sector, **extra}


def _link(source: str, type_: str, target: str, **dates: str) -> dict[str, object]:
    return {"source_id": source, "type": type_, "target_id": target, **dates}


SECTOR_ORGS = [
    _org("O1", "街道党工委", "party_committee", "party", located_in="S1"),
    _org("O2", "联络组", "liaison_group", "ethnic", located_in="A1", parent_id="O1"),
    _org("O3", "学校", "school", "education"),
    _org("O4", "寺庙", "religious_site", "religious"),
    _org("O5", "公益基金", "charity", "charity"),
    _org("O6", "民宗办", "government_office", "government"),
    _org("O7", "党支部", "party_branch", "party", parent_id="O1"),
    _org("O8", "公益基金", "charity", "charity"),  # same name as O5, no links at all
]
SECTOR_PEOPLE = [
    {"id": "P1", "name": "王老师", "role": "楼宇党群工作者", "organization_id": "O1"},
    {"id": "P2", "name": "李志愿者", "role": "志愿者"},  # no organisation -> no sector
]
SECTOR_LINKS = [
    _link("O1", "LEADS", "O2", since="2020-01-01"),
    _link("O1", "PARTNERS_WITH", "C1"),
    _link("C1", "SUPPORTS", "O5"),
    _link("O2", "MENTORS", "O3"),
    _link("O2", "PARTNERS_WITH", "O4", since="2021-01-01"),
    _link("O4", "PARTNERS_WITH", "O2", since="2022-01-01"),  # same partnership, other direction
    _link("O2", "MEMBER_OF", "O6"),
    _link("P1", "ASSIGNED_TO", "B1"),  # a place: no sector
    _link("O3", "SERVES", "O4", until="2020-01-01"),  # ended
    _link("O1", "COVERS", "C2"),
    _link("P2", "SUPPORTS", "O5"),  # person without organisation: no sector
    _link("O5", "PARTNERS_WITH", "O6", since="2030-01-01"),  # not started
    _link("O1", "PARTNERS_WITH", "O7"),
    _link("P1", "MENTORS", "O3"),
]


@pytest.fixture
def sectors_ds(make_dataset):
    """Eight organisations of seven sectors, two people, two companies (see SECTOR_LINKS)."""
    return load_dataset(make_dataset(
        organizations=SECTOR_ORGS, people=SECTOR_PEOPLE, links=SECTOR_LINKS,
        visits=[{"visitor_id": "P2", "target_id": "C2", "date": "2026-01-05"}],
        demands=[{"id": "D1", "company_id": "C1", "raised_on": "2026-01-05", "category": "租赁",
                  "status": "open", "handled_by": "O1"},
                 {"id": "D2", "company_id": "C2", "raised_on": "2026-01-05", "category": "政策",
                  "status": "open", "handled_by": "O5"}],
        risk_assessments=[]))


@pytest.fixture
def bridge_ds(make_dataset):
    """Two triangles of organisations (party, education) joined only through person PB."""
    orgs = [_org("OA", "甲党支部", "party_branch", "party"),
            _org("OB", "乙党支部", "party_branch", "party"),
            _org("OC", "丙党支部", "party_branch", "party"),
            _org("ED", "丁学校", "school", "education"),
            _org("EE", "戊学校", "school", "education"),
            _org("EF", "己学校", "school", "education")]
    links = [_link("OA", "PARTNERS_WITH", "OB"), _link("OB", "PARTNERS_WITH", "OC"),
             _link("OC", "PARTNERS_WITH", "OA"), _link("ED", "PARTNERS_WITH", "EE"),
             _link("EE", "PARTNERS_WITH", "EF"), _link("EF", "PARTNERS_WITH", "ED"),
             _link("PB", "MENTORS", "ED"),
             _link("OB", "PARTNERS_WITH", "EE", until="2020-01-01")]  # ended shortcut
    people = [{"id": "PB", "name": "桥梁人", "role": "书记", "organization_id": "OA"}]
    return load_dataset(make_dataset(organizations=orgs, people=people, links=links, visits=[],
                                     demands=[], risk_assessments=[]))


# ---------------------------------------------------------------------------
# sector_matrix
# ---------------------------------------------------------------------------


def test_sector_matrix_counts_by_hand(sectors_ds):
    frame = sector_matrix(sectors_ds, NOW)
    assert list(frame.columns) == MATRIX_COLUMNS
    cells = {(s, t): n for s, t, n in frame.itertuples(index=False)}
    assert cells == {
        ("party", "party"): 1,  # O1-O7 partnership, once on the diagonal
        ("party", "business"): 2,  # O1-C1 partnership + O1 COVERS C2
        ("party", "ethnic"): 1,  # LEADS
        ("party", "education"): 1,  # P1 (works for O1) MENTORS O3
        ("business", "party"): 1,  # the O1-C1 partnership read the other way
        ("business", "charity"): 1,
        ("ethnic", "government"): 1,
        ("ethnic", "religious"): 1,  # one partnership recorded in both directions
        ("ethnic", "education"): 1,
        ("religious", "ethnic"): 1,
    }


def test_sector_matrix_sorted_in_schema_order(sectors_ds):
    frame = sector_matrix(sectors_ds, NOW)
    order = {s: i for i, s in enumerate(schema.SECTORS)}
    keys = [(order[s], order[t]) for s, t in zip(frame["source_sector"], frame["target_sector"],
                                                 strict=True)]
    assert keys == sorted(keys)


def test_sector_matrix_ignores_inactive_links(sectors_ds):
    cells = {(s, t): n for s, t, n in sector_matrix(sectors_ds, PAST).itertuples(index=False)}
    assert ("party", "ethnic") not in cells  # LEADS starts 2020
    assert ("ethnic", "religious") not in cells  # partnership starts 2021
    assert cells[("education", "religious")] == 1  # SERVES ended 2020, active in 2019
    now = sector_matrix(sectors_ds, NOW)
    assert not ((now["source_sector"] == "charity") & (now["target_sector"] == "government")).any()
    assert not ((now["source_sector"] == "education") & (now["target_sector"] == "religious")).any()


def test_sector_matrix_table_is_square_in_schema_order(sectors_ds):
    table = sector_matrix_table(sector_matrix(sectors_ds, NOW))
    assert list(table.index) == list(schema.SECTORS) == list(table.columns)
    assert table.loc["party", "business"] == 2 and table.loc["business", "party"] == 1
    assert table.loc["culture"].sum() == 0
    assert int(table.to_numpy().sum()) == 11


def test_sector_matrix_table_of_empty_frame():
    table = sector_matrix_table(pd.DataFrame(columns=MATRIX_COLUMNS))
    assert table.shape == (9, 9) and int(table.to_numpy().sum()) == 0


# ---------------------------------------------------------------------------
# actor network, bridges, connectors
# ---------------------------------------------------------------------------


def test_actor_network_holds_only_actors(sectors_ds):
    net = actor_network(sectors_ds, NOW)
    assert set(net) == {f"O{i}" for i in range(1, 9)} | {"P1", "P2", "C1", "C2"}
    assert net.nodes["P1"] == {"label": "Person", "sector": "party"}
    assert net.nodes["P2"]["sector"] is None
    assert net.has_edge("P1", "O1")  # WORKS_FOR
    assert net.has_edge("O7", "O1")  # CHILD_OF and PARTNERS_WITH collapse into one edge
    assert not net.has_edge("O3", "O4")  # SERVES ended
    assert not net.has_edge("P2", "C2")  # a visit is not a link
    assert not net.has_edge("O5", "C2")  # nor is handling a demand


def test_bridges_rank_the_clear_bridge_first(bridge_ds):
    found = bridges(bridge_ds, NOW)
    assert list(found.columns) == BRIDGE_COLUMNS
    # 9 actors (7 + two isolated companies): (9-1)(9-2)/2 = 28 pairs.
    # PB lies on all 3 x 3 cross pairs, OA and ED on 2 x 4 pairs each.
    assert list(found["id"][:3]) == ["PB", "ED", "OA"]
    assert found["betweenness"][:3].tolist() == pytest.approx([9 / 28, 8 / 28, 8 / 28])
    top = found.iloc[0]
    assert (top["name"], top["label"], top["sector"]) == ("桥梁人", "Person", "party")
    assert top["sectors"] == ["education", "party"] and top["sector_count"] == 2
    assert found.set_index("id").loc["OB", "sectors"] == ["party"]
    assert len(bridges(bridge_ds, NOW, top=2)) == 2
    assert len(found) == 9


def test_bridges_ignore_inactive_links(bridge_ds):
    # In 2019 the OB-EE partnership was active: a second route between the triangles.
    now = bridges(bridge_ds, NOW, top=0).set_index("id")["betweenness"]
    past = bridges(bridge_ds, PAST, top=0).set_index("id")["betweenness"]
    assert past["PB"] < now["PB"]
    assert past["OB"] > now["OB"] == 0


def test_bridges_reject_negative_top(bridge_ds):
    with pytest.raises(ValueError, match="top"):
        bridges(bridge_ds, NOW, top=-1)


def test_connectors_threshold_k(sectors_ds):
    found = connectors(sectors_ds, NOW)
    assert list(found.columns) == CONNECTOR_COLUMNS
    assert found["id"].tolist() == ["O2"]
    row = found.iloc[0]
    assert row["other_sectors"] == ["education", "government", "party", "religious"]
    assert (row["count"], row["sector"], row["name"]) == (4, "ethnic", "联络组")
    two = connectors(sectors_ds, NOW, k=2)
    assert two["id"].tolist() == ["O2", "C1", "O1", "O3"]  # count desc, then id
    assert two.set_index("id").loc["O1", "other_sectors"] == ["business", "ethnic"]
    assert connectors(sectors_ds, NOW, k=4)["id"].tolist() == ["O2"]
    assert connectors(sectors_ds, NOW, k=5).empty


def test_connectors_person_without_sector_counts_every_neighbour_sector(sectors_ds):
    one = connectors(sectors_ds, NOW, k=1).set_index("id")
    assert one.loc["P2", "other_sectors"] == ["charity"]
    assert "O7" not in one.index  # only linked to its own sector


# ---------------------------------------------------------------------------
# path
# ---------------------------------------------------------------------------


def test_path_steps_with_direction(sectors_ds):
    steps = path(sectors_ds, "学校", "寺庙", NOW)
    assert list(steps.columns) == PATH_COLUMNS
    assert set(steps["path"]) == {1}
    assert steps.drop(columns="path").to_dict("records") == [
        {"step": 1, "from_id": "O3", "from_name": "学校", "type": "MENTORS", "direction": "<-",
         "to_id": "O2", "to_name": "联络组"},
        {"step": 2, "from_id": "O2", "from_name": "联络组", "type": "PARTNERS_WITH",
         "direction": "->", "to_id": "O4", "to_name": "寺庙"},
    ]
    assert format_path(steps) == "学校 <-[MENTORS]- 联络组 -[PARTNERS_WITH]-> 寺庙"


def test_path_uses_links_active_on_as_of(sectors_ds):
    steps = path(sectors_ds, "O3", "O4", PAST)
    assert format_path(steps) == "学校 -[SERVES]-> 寺庙"


def test_path_excludes_visits_and_demands_and_breaks_ties_by_id(sectors_ds):
    # A visit (P2 -> C2) and demand D2 (C2, handled by O5) would give length 2.
    steps = path(sectors_ds, "C2", "O5", NOW)
    assert format_path(steps) == "乙公司 -[PART_OF]-> 一号楼 <-[PART_OF]- 甲公司 -[SUPPORTS]-> 公益基金"
    assert steps.equals(path(sectors_ds, "C2", "O5", NOW))


def test_path_uses_structural_relationships(sectors_ds):
    steps = path(sectors_ds, "O8", "O1", NOW)
    assert steps.empty and format_path(steps) == ""
    # version 2 containment: the area belongs to the street, the business grid too
    steps = path(sectors_ds, "A1", "B1", NOW)
    assert format_path(steps) == "一号居民区 -[PART_OF]-> 测试街道 " \
                                 "<-[PART_OF]- 立体网格一 <-[PART_OF]- 一号楼"
    steps = path(sectors_ds, "G1", "B1", NOW)  # a micro-grid is part of its area
    assert format_path(steps) == "平面网格一 -[PART_OF]-> 一号居民区 -[PART_OF]-> 测试街道 " \
                                 "<-[PART_OF]- 立体网格一 <-[PART_OF]- 一号楼"


def test_path_to_itself_is_empty(sectors_ds):
    assert path(sectors_ds, "O1", "街道党工委", NOW).empty


def test_path_name_resolution_errors(sectors_ds):
    assert resolve_entity(sectors_ds, "联络组") == "O2"
    assert resolve_entity(sectors_ds, "O5") == "O5"
    with pytest.raises(ValueError, match=r"ambiguous.*公益基金 \(O5, Organization\).*\(O8"):
        path(sectors_ds, "公益基金", "O1", NOW)
    with pytest.raises(ValueError, match="unknown entity '不存在的单位'"):
        path(sectors_ds, "O1", "不存在的单位", NOW)
    with pytest.raises(ValueError, match=r"did you mean: 甲公司 \(C1, Company\), 乙公司"):
        path(sectors_ds, "公司", "O1", NOW)
    with pytest.raises(ValueError, match="demand"):
        path(sectors_ds, "D1", "O1", NOW)


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------


def test_registered_link_queries(sectors_ds):
    names = [q.name for q in all_queries("links")]
    assert names == ["sector_matrix", "bridges", "connectors", "sectors_bridged", "path"]
    day = pd.Timestamp(NOW)
    assert get_query("connectors").params == ("k",)
    assert get_query("connectors").embedded(sectors_ds, day, k=4)["id"].tolist() == ["O2"]
    assert len(get_query("bridges").embedded(sectors_ds, day, top=3)) == 3
    steps = get_query("path").embedded(sectors_ds, day, a="学校", b="寺庙")
    assert steps["to_id"].tolist() == ["O2", "O4"]
    assert get_query("sector_matrix").embedded(sectors_ds, day).equals(
        sector_matrix(sectors_ds, NOW))


# ---------------------------------------------------------------------------
# The shipped dataset
# ---------------------------------------------------------------------------

shipped = pytest.mark.skipif(not settings.default_dataset_path().exists(),
                             reason="shipped dataset not generated yet")


@pytest.fixture(scope="module")
def jingansi():
    return load_dataset()


@shipped
def test_shipped_path_from_jd_health_to_theatre_academy(jingansi):
    steps = path(jingansi, "京东健康", "上海戏剧学院", "2026-11-29")
    assert not steps.empty
    assert steps["from_name"].iloc[0] == "京东健康" and steps["to_name"].iloc[-1] == "上海戏剧学院"
    assert steps["from_id"].iloc[1:].tolist() == steps["to_id"].iloc[:-1].tolist()
    assert set(steps["direction"]) <= {"->", "<-"}
    assert format_path(steps).startswith("京东健康 ")


@shipped
def test_shipped_linkage_queries_are_well_formed(jingansi):
    matrix = sector_matrix(jingansi, "2026-11-29")
    assert set(matrix["source_sector"]) | set(matrix["target_sector"]) <= set(schema.SECTORS)
    assert matrix["links"].sum() > 0
    found = bridges(jingansi, "2026-11-29")
    assert len(found) == 20 and found["betweenness"].is_monotonic_decreasing
    assert set(found["label"]) <= {"Organization", "Company", "Person"}
    assert (connectors(jingansi, "2026-11-29", k=2)["count"] >= 2).all()


def test_queries_on_a_dataset_without_links_or_actors(make_dataset):
    ds = load_dataset(make_dataset(companies=[], organizations=[], people=[], links=[],
                                   visits=[], demands=[], risk_assessments=[]))
    assert sector_matrix(ds, NOW).empty
    assert bridges(ds, NOW).empty and list(bridges(ds, NOW).columns) == BRIDGE_COLUMNS
    assert connectors(ds, NOW, k=0).empty
    assert format_path(path(ds, "B1", "A1", NOW)) == (
        "一号楼 -[PART_OF]-> 立体网格一 -[PART_OF]-> 测试街道 <-[PART_OF]- 一号居民区")


# ---------------------------------------------------------------------------
# sectors_bridged: the one ranking
# ---------------------------------------------------------------------------


def test_sectors_bridged_by_hand(sectors_ds):
    found = sectors_bridged(sectors_ds, NOW)
    assert list(found.columns) == SECTORS_BRIDGED_COLUMNS
    rows = found.set_index("id")
    # O2 (ethnic): LEADS from O1, MENTORS O3, partnership with O4 (recorded twice), MEMBER_OF O6
    # and CHILD_OF O1; its own sector never counts
    o2 = rows.loc["O2"]
    assert (o2["sectors_bridged"], o2["bridged_sectors"], o2["links"]) == \
        (4, ["party", "government", "religious", "education"], 5)
    assert o2["supporting"] == ("party: CHILD_OF 街道党工委, ←LEADS 街道党工委; "
                                "government: MEMBER_OF 民宗办; religious: PARTNERS_WITH 寺庙; "
                                "education: MENTORS 学校")
    # O1 (party): the O1-O7 partnership is inside its own sector; P1 works for it (same sector)
    assert rows.loc["O1", "bridged_sectors"] == ["business", "ethnic"]  # schema order
    assert rows.loc["O1", "supporting"] == ("business: PARTNERS_WITH 甲公司, COVERS 乙公司; "
                                            "ethnic: ←CHILD_OF 联络组, LEADS 联络组")
    assert "O7" not in rows.index and "O8" not in rows.index
    # a person without organisation has no sector: every sector it reaches is another one
    assert rows.loc["P2", "bridged_sectors"] == ["charity"]
    # ranked by sectors bridged, then betweenness, then links, then id
    keys = list(zip(-found["sectors_bridged"], -found["betweenness"].round(12), -found["links"],
                    found["id"], strict=True))
    assert keys == sorted(keys) and found["id"].iloc[0] == "O2"


def test_sectors_bridged_merges_bridges_and_connectors(sectors_ds):
    found = sectors_bridged(sectors_ds, NOW, min_sectors=0).set_index("id")
    for k in (1, 2, 3):
        old = connectors(sectors_ds, NOW, k=k).set_index("id")
        assert set(found.index[found["sectors_bridged"] >= k]) == set(old.index)
        for ident, row in old.iterrows():
            assert sorted(found.loc[ident, "bridged_sectors"]) == row["other_sectors"]
    ranked = bridges(sectors_ds, NOW, top=0).set_index("id")
    assert set(found.index) == set(ranked.index)
    assert (found["betweenness"] - ranked.loc[found.index, "betweenness"]).abs().max() < 1e-12


def test_sectors_bridged_ignores_inactive_links(sectors_ds):
    rows = sectors_bridged(sectors_ds, PAST).set_index("id")
    # in 2019: no LEADS (2020), no partnership (2021); O3 still SERVES O4 (ended 2020)
    assert rows.loc["O2", "bridged_sectors"] == ["party", "government", "education"]
    assert "LEADS" not in rows.loc["O2", "supporting"]
    assert rows.loc["O3", "supporting"] == ("party: ←MENTORS 王老师; ethnic: ←MENTORS 联络组; "
                                            "religious: SERVES 寺庙")
    now = sectors_bridged(sectors_ds, NOW).set_index("id")
    assert "SERVES" not in now.loc["O3", "supporting"]
    # O5-O6 partnership starts 2030: O6 bridges only through O2's membership
    assert now.loc["O6", "supporting"] == "ethnic: ←MEMBER_OF 联络组"


def test_sectors_bridged_sector_filter(sectors_ds):
    found = sectors_bridged(sectors_ds, NOW, sectors="religious, education")
    rows = found.set_index("id")
    assert rows.loc["O2", "bridged_sectors"] == ["religious", "education"]
    assert rows.loc["O2", "supporting"] == "religious: PARTNERS_WITH 寺庙; education: MENTORS 学校"
    assert rows.loc["O2", "links"] == 2
    assert "O1" not in rows.index  # bridges ethnic and business only
    assert all(set(s) <= {"religious", "education"} for s in found["bridged_sectors"])
    assert sectors_bridged(sectors_ds, NOW, sectors=["religious", "education"]).equals(found)
    assert sectors_bridged(sectors_ds, NOW, sectors="religious,education",
                           min_sectors=2)["id"].tolist() == ["O2"]
    with pytest.raises(InvalidParameterError, match=r"unknown sector.*'busines'"):
        sectors_bridged(sectors_ds, NOW, sectors="business,busines")


def test_sectors_bridged_without_actors(make_dataset):
    ds = load_dataset(make_dataset(companies=[], organizations=[], people=[], links=[],
                                   visits=[], demands=[], risk_assessments=[]))
    found = sectors_bridged(ds, NOW, min_sectors=0)
    assert found.empty and list(found.columns) == SECTORS_BRIDGED_COLUMNS


# ---------------------------------------------------------------------------
# k paths and paths without co-location
# ---------------------------------------------------------------------------


def test_k_paths_shortest_first(sectors_ds):
    found = path(sectors_ds, "学校", "寺庙", NOW, k=3)
    assert list(found.columns) == PATH_COLUMNS
    lines = format_path(found).splitlines()
    assert lines[0] == "学校 <-[MENTORS]- 联络组 -[PARTNERS_WITH]-> 寺庙"
    assert len(lines) == 3 and found["path"].tolist() == sorted(found["path"])
    lengths = found.groupby("path")["step"].max().tolist()
    assert lengths == sorted(lengths) and lengths[0] == 2
    # each path a simple path from 学校 to 寺庙, each different
    sequences = []
    for _, steps in found.groupby("path"):
        nodes = [steps["from_id"].iloc[0], *steps["to_id"]]
        assert nodes[0] == "O3" and nodes[-1] == "O4" and len(set(nodes)) == len(nodes)
        assert steps["step"].tolist() == list(range(1, len(steps) + 1))
        sequences.append(tuple(nodes))
    assert len(set(sequences)) == 3
    # path 1 is the single path
    one = path(sectors_ds, "学校", "寺庙", NOW)
    pd.testing.assert_frame_equal(one, found[found["path"] == 1].reset_index(drop=True))


def test_k_paths_agree_with_networkx(sectors_ds):
    import networkx as nx

    adjacency = path_adjacency(sectors_ds.network, pd.Timestamp(NOW).date())
    graph = nx.Graph([(u, v) for u, vs in adjacency.items() for v in vs])
    for a, b in [("O3", "O4"), ("C2", "O5"), ("A1", "O6"), ("P1", "C1")]:
        ours = shortest_paths(adjacency, a, b, k=6)
        theirs = list(itertools.islice(nx.shortest_simple_paths(graph, a, b), 6))
        assert [len(p) for p in ours] == [len(p) for p in theirs]
        keys = [(len(p), p) for p in ours]
        assert keys == sorted(keys)  # ties by the smallest sequence of ids
        assert len({tuple(p) for p in ours}) == len(ours)


def test_k_larger_than_the_paths_there_are(make_dataset):
    ds = load_dataset(make_dataset(companies=[], organizations=[], people=[], links=[],
                                   visits=[], demands=[], risk_assessments=[]))
    found = path(ds, "B1", "A1", NOW, k=5)  # a tree: one path only
    assert set(found["path"]) == {1}
    with pytest.raises(InvalidParameterError, match="k must be"):
        path(ds, "B1", "A1", NOW, k=0)


def test_path_without_colocation(sectors_ds):
    # with co-location 乙公司 reaches 公益基金 through the building both companies are in
    steps = path(sectors_ds, "C2", "O5", NOW, colocation=False)
    assert not set(steps["type"]) & {"PART_OF", "LOCATED_IN"}
    assert format_path(steps) == "乙公司 <-[COVERS]- 街道党工委 -[PARTNERS_WITH]-> 甲公司 " \
                                 "-[SUPPORTS]-> 公益基金"
    # places are reached only through relationships (P1 is assigned to 一号楼)
    assert format_path(path(sectors_ds, "B1", "O1", NOW, colocation=False)) == \
        "一号楼 <-[ASSIGNED_TO]- 王老师 -[WORKS_FOR]-> 街道党工委"
    assert path(sectors_ds, "A1", "B1", NOW, colocation=False).empty
    several = path(sectors_ds, "C2", "O5", NOW, k=4, colocation=False)
    assert not set(several["type"]) & {"PART_OF", "LOCATED_IN"}
    with pytest.raises(InvalidParameterError, match="colocation"):
        get_query("path").embedded(sectors_ds, pd.Timestamp(NOW), a="C2", b="O5",
                                   colocation="no")


# ---------------------------------------------------------------------------
# graphmodel links / graphmodel path
# ---------------------------------------------------------------------------


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    from graphmodel.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_links_shows_the_ranking_by_default(sectors_ds, capsys):
    import json

    where = str(sectors_ds.path)
    code, out, _ = _cli(capsys, "links", where, "--as-of", NOW, "--format", "json")
    data = json.loads(out)
    assert code == 0 and list(data) == ["sector_matrix", "sectors_bridged"]
    assert data["sectors_bridged"][0]["id"] == "O2"
    code, out, _ = _cli(capsys, "links", where, "--as-of", NOW)
    assert code == 0 and "跨领域连接 Sectors bridged" in out and "Bridges" not in out
    assert "民宗办" in out and "MEMBER_OF" in out
    code, out, _ = _cli(capsys, "links", where, "--as-of", NOW, "--show", "sectors_bridged",
                        "--sectors", "religious,education", "--min-sectors", "2",
                        "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and frame["id"].tolist() == ["O2"]
    assert frame["supporting"].iloc[0] == "religious: PARTNERS_WITH 寺庙; education: MENTORS 学校"
    code, out, _ = _cli(capsys, "links", where, "--as-of", NOW, "--format", "json",
                        "--show", "sectors_bridged,bridges,connectors", "--top", "2")
    data = json.loads(out)
    assert len(data["sectors_bridged"]) == 2 and len(data["bridges"]) == 2
    assert data["connectors"][0]["id"] == "O2"


def test_cli_links_bad_arguments_exit_2(sectors_ds, capsys):
    where = str(sectors_ds.path)
    code, out, err = _cli(capsys, "links", where, "--sectors", "business,busness")
    assert code == 2 and "busness" in err and "unknown sector" in err and not out
    code, _, err = _cli(capsys, "links", where, "--show", "matrix,nothing")
    assert code == 2 and "nothing" in err


def test_cli_path_k_and_no_colocation(sectors_ds, capsys):
    where = str(sectors_ds.path)
    code, out, _ = _cli(capsys, "path", where, "C2", "O5", "--as-of", NOW)
    assert code == 0 and out.startswith("乙公司 -[PART_OF]-> 一号楼")
    code, out, _ = _cli(capsys, "path", where, "C2", "O5", "--as-of", NOW, "--no-colocation")
    assert code == 0 and "PART_OF" not in out and "<-[COVERS]- 街道党工委" in out
    code, out, _ = _cli(capsys, "path", where, "学校", "寺庙", "--as-of", NOW, "--k", "3")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "1. 学校 <-[MENTORS]- 联络组 -[PARTNERS_WITH]-> 寺庙"
    assert [line[:3] for line in lines[::2]] == ["1. ", "2. ", "3. "]
    code, out, _ = _cli(capsys, "path", where, "学校", "寺庙", "--as-of", NOW, "--k", "3",
                        "--format", "csv")
    assert code == 0 and set(pd.read_csv(io.StringIO(out))["path"]) == {1, 2, 3}
    code, _, err = _cli(capsys, "path", where, "学校", "寺庙", "--k", "0")
    assert code == 2 and "--k" in err
