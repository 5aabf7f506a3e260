"""The embedded graph: counts, containment, dates kept, records optional."""

from __future__ import annotations

import datetime as dt

from graphmodel import build_graph, load_dataset, schema
from graphmodel.docs import schema_markdown
from graphmodel.settings import PROJECT_DIR
from graphmodel.stats import info


def edges_of(graph, node, rel):
    return [(u, v, d) for u, v, d in graph.out_edges(node, data=True) if d["type"] == rel]


def test_one_node_per_entity_with_label_and_properties(make_dataset):
    ds = load_dataset(make_dataset())
    G = ds.graph
    counts = info(ds)["labels"]
    assert counts == {"Street": 1, "Grid": 2, "ResidentialArea": 1, "Building": 1, "Company": 2,
                      "Organization": 2, "Person": 1, "Demand": 1, "RiskAssessment": 1,
                      "Population": 2}
    assert G.nodes["C1"]["label"] == "Company" and G.nodes["C1"]["employees"] == 10
    assert "industry" not in G.nodes["C1"]  # missing values are left out
    assert G.graph["dataset"] == "ceshi"  # its street 测试街道 in pinyin, not the folder "ds"


def test_containment_location_and_hierarchy(make_dataset):
    G = load_dataset(make_dataset()).graph
    assert [v for _, v, _ in edges_of(G, "C1", "PART_OF")] == ["B1"]
    assert [v for _, v, _ in edges_of(G, "B1", "PART_OF")] == ["G2"]
    assert [v for _, v, _ in edges_of(G, "A1", "PART_OF")] == ["S1"]  # area in its street
    assert [v for _, v, _ in edges_of(G, "G1", "PART_OF")] == ["A1"]  # micro-grid in its area
    assert [v for _, v, _ in edges_of(G, "G2", "PART_OF")] == ["S1"]  # business grid
    assert [v for _, v, _ in edges_of(G, "O2", "LOCATED_IN")] == ["A1"]
    assert [v for _, v, _ in edges_of(G, "O2", "CHILD_OF")] == ["O1"]
    assert [v for _, v, _ in edges_of(G, "P1", "WORKS_FOR")] == ["O1"]


def test_links_visits_demands_assessments_keep_their_dates(make_dataset):
    G = load_dataset(make_dataset()).graph
    (_, _, lead), = edges_of(G, "O1", "LEADS")
    assert lead["since"] == dt.date(2020, 1, 1) and "until" not in lead
    (_, _, visit), = edges_of(G, "P1", "VISITED")
    assert visit["date"] == dt.date(2026, 1, 5) and visit["purpose"] == "走访"
    assert G.nodes["D1"]["resolved_on"] == dt.date(2026, 1, 20)
    assert [v for _, v, _ in edges_of(G, "C1", "RAISED")] == ["D1"]
    assert [v for _, v, _ in edges_of(G, "O1", "HANDLES")] == ["D1"]
    risk = schema.assessment_node_id("C2", "2026-02-01")
    assert G.nodes[risk]["level"] == 4 and G.nodes[risk]["colour"] == "orange"
    assert G.nodes[risk]["assessed_on"] == dt.date(2026, 2, 1)
    population = schema.population_node_id("A1", "回族")
    assert G.nodes[population]["residents"] == 5
    assert [v for _, v, _ in edges_of(G, "A1", "HAS_POPULATION")] != []


def test_graph_without_records_keeps_the_network(make_dataset):
    ds = load_dataset(make_dataset())
    G = build_graph(ds, include_records=False)
    labels = {label for _, label in G.nodes(data="label")}
    assert "Demand" not in labels and "RiskAssessment" not in labels
    assert not [1 for *_, t in G.edges(data="type") if t == "VISITED"]
    assert edges_of(G, "O1", "LEADS")


def test_every_relationship_type_is_documented():
    G = load_dataset().graph
    used = {t for *_, t in G.edges(data="type")}
    assert used <= set(schema.ALL_REL_TYPES)
    assert {label for _, label in G.nodes(data="label")} <= set(schema.NODE_LABELS)


def test_docs_schema_matches_code():
    text = (PROJECT_DIR / "docs" / "schema.md").read_text(encoding="utf-8")
    assert text.strip() == schema_markdown().strip(), "run `make docs` to regenerate docs/schema.md"


def test_every_visit_is_its_own_relationship_on_neo4j_too(make_dataset):
    from graphmodel.neo4j_backend import relationship_rows

    visit = {"visitor_id": "P1", "target_id": "C1", "date": "2026-01-05", "purpose": "走访",
             "status": "done"}
    ds = load_dataset(make_dataset(visits=[visit, {**visit, "purpose": "宣传",
                                                   "status": "planned"}, visit]))
    rows = relationship_rows(ds)["VISITED"]
    assert [(r["key"], r["props"]["status"], r["props"]["purpose"]) for r in rows] == [
        ("2026-01-05#1", "done", "走访"), ("2026-01-05#2", "planned", "宣传"),
        ("2026-01-05#3", "done", "走访")]
    assert len(edges_of(ds.graph, "P1", "VISITED")) == 3
