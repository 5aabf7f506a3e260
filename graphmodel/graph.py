"""Build the embedded networkx graph of a dataset (the graph model of :mod:`schema`).

Nodes are keyed by entity id and carry ``label`` plus every column of their row
(missing values are left out; dates are :class:`datetime.date`). Edges carry
``type`` plus, for links, ``since``/``until``/``note``, for visits ``date`` and
``purpose``. Population groups and risk assessments become nodes of their own
with ids from :func:`schema.population_node_id` and
:func:`schema.assessment_node_id`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from graphmodel import schema

if TYPE_CHECKING:
    from graphmodel.dataset import Dataset

NodeRecord = tuple[str, dict[str, object]]
EdgeRecord = tuple[str, str, dict[str, object]]


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of a typed table as dicts of plain Python values, missing values left out.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a"], "n": pd.array([None], dtype="Int64")})
    >>> records(frame)
    [{'id': 'a'}]
    """
    columns = {}
    for name in frame.columns:
        columns[name] = _plain_values(frame[name])
    keys = list(columns)
    rows = zip(*columns.values(), strict=True) if keys else iter(())
    return [{k: v for k, v in zip(keys, row, strict=True) if v is not None} for row in rows]


def _plain_values(series: pd.Series) -> list[object]:
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.date() for v in series]
    if isinstance(series.dtype, pd.BooleanDtype | pd.Int64Dtype):
        return [None if pd.isna(v) else v.item() if hasattr(v, "item") else v
                for v in series.astype(object)]
    return [None if (v is None or (isinstance(v, float) and v != v)) else v
            for v in series.astype(object)]


def entity_nodes(dataset: Dataset) -> Iterator[NodeRecord]:
    """Yield (id, attributes) for every entity row, including population and assessments."""
    for table, label in schema.LABEL_OF_TABLE.items():
        frame = dataset[table]
        if table == "population":
            for row in records(frame):
                yield schema.population_node_id(row["area_id"], row["ethnic_group"]), {
                    **row, "label": label}
        elif table == "risk_assessments":
            for row in records(frame):
                info = schema.risk_level_info(row["level"])
                yield schema.assessment_node_id(row["company_id"], row["assessed_on"].isoformat()), {
                    **row, "label": label, "label_zh": info.label_zh, "colour": info.colour_en}
        else:
            for row in records(frame):
                yield row["id"], {**row, "label": label}


def structural_edges(dataset: Dataset) -> Iterator[EdgeRecord]:
    """Yield the relationships implied by foreign keys (containment, location, hierarchy...)."""
    yield from _fk_edges(dataset["residential_areas"], "id", "street_id", "PART_OF")
    grids = dataset["grids"]
    residential = grids["area_id"].notna()
    yield from _fk_edges(grids[residential], "id", "area_id", "PART_OF")
    yield from _fk_edges(grids[~residential], "id", "street_id", "PART_OF")
    yield from _fk_edges(dataset["buildings"], "id", "grid_id", "PART_OF")
    yield from _fk_edges(dataset["companies"], "id", "building_id", "PART_OF")
    yield from _fk_edges(dataset["organizations"], "id", "located_in", "LOCATED_IN")
    yield from _fk_edges(dataset["organizations"], "id", "parent_id", "CHILD_OF")
    yield from _fk_edges(dataset["people"], "id", "organization_id", "WORKS_FOR")
    yield from _fk_edges(dataset["demands"], "company_id", "id", "RAISED")
    yield from _fk_edges(dataset["demands"], "handled_by", "id", "HANDLES")
    population = dataset["population"]
    for area, group in zip(population["area_id"], population["ethnic_group"], strict=True):
        yield area, schema.population_node_id(area, group), {"type": "HAS_POPULATION"}
    risks = dataset["risk_assessments"]
    for company, day in zip(risks["company_id"], risks["assessed_on"], strict=True):
        yield company, schema.assessment_node_id(company, day.date().isoformat()), {
            "type": "ASSESSED"}


def _fk_edges(frame: pd.DataFrame, start: str, end: str, rel: str) -> Iterator[EdgeRecord]:
    present = frame[start].notna() & frame[end].notna()
    for u, v in zip(frame.loc[present, start], frame.loc[present, end], strict=True):
        yield u, v, {"type": rel}


def link_edges(dataset: Dataset) -> Iterator[EdgeRecord]:
    """Yield one edge per row of ``links`` with its dates and note."""
    for row in records(dataset["links"]):
        attrs = {k: v for k, v in row.items() if k not in ("source_id", "target_id")}
        yield row["source_id"], row["target_id"], attrs


def visit_edges(dataset: Dataset) -> Iterator[EdgeRecord]:
    """Yield one ``VISITED`` edge per visit row."""
    for row in records(dataset["visits"]):
        attrs = {k: v for k, v in row.items() if k not in ("visitor_id", "target_id")}
        yield row["visitor_id"], row["target_id"], {"type": "VISITED", **attrs}


def build_graph(dataset: Dataset, include_records: bool = True) -> nx.MultiDiGraph:
    """Build the embedded graph of a validated dataset.

    Parameters
    ----------
    dataset : Dataset
        A dataset returned by :func:`graphmodel.load_dataset`.
    include_records : bool
        Include visits, demands, risk assessments and population groups. Without
        them the graph holds only places, organizations, people, links and the
        demands that links name (the records stay available as DataFrames on
        ``dataset``).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute; edges with a ``type``
        attribute. ``G.graph["dataset"]`` is the dataset name.

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> G = build_graph(load_dataset())
    >>> G.nodes["B-GAOHE"]["label"]
    'Building'
    >>> {d["type"] for _, _, d in G.out_edges("B-GAOHE", data=True)}
    {'PART_OF'}
    """
    graph = nx.MultiDiGraph(dataset=dataset.name)
    record_labels = {"Demand", "RiskAssessment", "Population"}
    links = dataset["links"]
    linked = set(links["source_id"]) | set(links["target_id"])  # a link may name a demand
    graph.add_nodes_from((n, a) for n, a in entity_nodes(dataset)
                         if include_records or a["label"] not in record_labels or n in linked)
    record_rels = {"RAISED", "HANDLES", "HAS_POPULATION", "ASSESSED"}
    graph.add_edges_from(e for e in structural_edges(dataset)
                         if include_records or e[2]["type"] not in record_rels)
    graph.add_edges_from(link_edges(dataset))
    if include_records:
        graph.add_edges_from(visit_edges(dataset))
    return graph


def is_active(attrs: dict[str, object], as_of: dt.date) -> bool:
    """True when a link is active on ``as_of`` (blank since/until are open).

    Examples
    --------
    >>> is_active({"since": dt.date(2025, 1, 1)}, dt.date(2025, 1, 1))
    True
    >>> is_active({"until": dt.date(2024, 12, 31)}, dt.date(2025, 1, 1))
    False
    """
    since = attrs.get("since")
    until = attrs.get("until")
    return (since is None or since <= as_of) and (until is None or until >= as_of)
