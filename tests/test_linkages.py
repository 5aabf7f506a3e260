"""Tests of the cross-sector linkage queries on small hand-built datasets and the shipped one."""

from __future__ import annotations

import pandas as pd
import pytest

from graphmodel import load_dataset, schema, settings
from graphmodel.linkages import (
    BRIDGE_COLUMNS,
    CONNECTOR_COLUMNS,
    MATRIX_COLUMNS,
    PATH_COLUMNS,
    actor_network,
    bridges,
    connectors,
    format_path,
    path,
    resolve_entity,
    sector_matrix,
    sector_matrix_table,
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
    assert steps.to_dict("records") == [
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
    assert names == ["sector_matrix", "bridges", "connectors", "path"]
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
