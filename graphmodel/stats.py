"""Summary statistics of a dataset and its graph."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd

from graphmodel import schema
from graphmodel.dataset import Dataset


def label_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Number of nodes per label, in schema order.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("g", label="Grid")
    >>> label_counts(G)["Grid"]
    1
    """
    counts = Counter(label for _, label in graph.nodes(data="label"))
    return {name: counts.get(name, 0) for name in schema.NODE_LABELS}


def relationship_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Number of edges per relationship type, in schema order."""
    counts = Counter(rel for _, _, rel in graph.edges(data="type"))
    return {name: counts.get(name, 0) for name in schema.ALL_REL_TYPES}


def source_counts(dataset: Dataset) -> pd.DataFrame:
    """Rows per table and ``source`` (seed / public / synthetic / unspecified)."""
    rows = []
    for name, frame in dataset.tables.items():
        sources = frame["source"].fillna("unspecified") if "source" in frame else pd.Series(
            ["unspecified"] * len(frame), dtype=object)
        for source, count in sources.value_counts().items():
            rows.append({"table": name, "source": source, "rows": int(count)})
    frame = pd.DataFrame(rows, columns=["table", "source", "rows"])
    return frame.pivot_table(index="table", columns="source", values="rows", fill_value=0,
                             aggfunc="sum").reindex(list(dataset.tables)).fillna(0).astype(int)


def info(dataset: Dataset) -> dict[str, object]:
    """Counts per label and relationship type, grids by kind and area, organizations, sources.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset.

    Returns
    -------
    dict
        ``labels``, ``relationships``, ``grids_by_kind`` (``residential`` and
        ``business``), ``areas`` (how many residential areas), ``grids_by_area`` (micro-grids
        per area id), ``organizations_by_kind``,
        ``organizations_by_sector`` (dicts of counts), ``organization_examples``
        (up to four names per kind) and ``sources`` (DataFrame).

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> summary = info(load_dataset())
    >>> summary["labels"]["Grid"], sum(summary["grids_by_kind"].values())
    (37, 37)
    """
    graph = dataset.graph
    organizations = dataset["organizations"]
    grids = dataset["grids"]
    return {
        "dataset": dataset.name,
        "labels": label_counts(graph),
        "relationships": relationship_counts(graph),
        "grids_by_kind": {kind: int(grids["kind"].eq(kind).sum()) for kind in
                          schema.GRID_KIND_VALUES},
        "areas": len(dataset["residential_areas"]),
        "grids_by_area": {area: int(n) for area, n in
                          grids["area_id"].dropna().value_counts().sort_index().items()},
        "organizations_by_kind": organizations["kind"].value_counts().to_dict(),
        "organizations_by_sector": organizations["sector"].value_counts().to_dict(),
        "organization_examples": organizations.groupby("kind")["name"].apply(
            lambda names: list(names.head(4))).to_dict(),
        "sources": source_counts(dataset),
    }
