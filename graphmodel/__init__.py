"""graphmodel: a subdistrict's governance network as a graph, and where it has holes.

The public API is small and explicit::

    import graphmodel as gm
    ds = gm.load_dataset()                      # the shipped 静安寺街道 dataset
    G = ds.graph                                # networkx.MultiDiGraph
    gm.gaps(ds, as_of="2026-11-29")             # coverage gaps (DataFrame)
    gm.sector_matrix(ds, "2026-11-29")          # cross-sector linkages
    gm.risk_view(ds, "2026-11-29")              # five-colour risk view
    gm.gaps("jingansi", as_of="2026-11-29", backend="neo4j")  # the same, on Neo4j
    gm.run("connectors", ds, "2026-11-29", k=2) # any library query, either engine
"""

from graphmodel._problems import DatasetError, Problem
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.engine import resolve_entity, run
from graphmodel.gaps import GAP_NAMES, finding_places, gap_names, gaps, run_gap
from graphmodel.graph import build_graph
from graphmodel.io import write_template
from graphmodel.linkages import (
    actor_network,
    bridges,
    connectors,
    format_path,
    path,
    sector_matrix,
    sector_matrix_table,
)
from graphmodel.queries import all_queries, get_query
from graphmodel.risk import risk_distribution, risk_suggested, risk_view, suggested_risk
from graphmodel.stats import info

__all__ = [
    "GAP_NAMES",
    "Dataset",
    "DatasetError",
    "Problem",
    "actor_network",
    "all_queries",
    "bridges",
    "build_graph",
    "connectors",
    "finding_places",
    "format_path",
    "gap_names",
    "gaps",
    "get_query",
    "info",
    "load_dataset",
    "path",
    "resolve_entity",
    "risk_distribution",
    "risk_suggested",
    "risk_view",
    "run",
    "run_gap",
    "sector_matrix",
    "sector_matrix_table",
    "suggested_risk",
    "write_template",
]


def _version() -> str:
    """The installed distribution's version (declared only in pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("graphmodel")
    except PackageNotFoundError:  # a checkout on sys.path, never installed
        return "0+unknown"


__version__ = _version()
