"""graphmodel: a subdistrict's governance network as a graph, and where it has holes.

The public API is small and explicit::

    import graphmodel as gm
    ds = gm.load_dataset()                      # the shipped 静安寺街道 dataset
    G = ds.graph                                # networkx.MultiDiGraph
    gm.gaps(ds, as_of="2026-11-29")             # coverage gaps (DataFrame)
    gm.sector_matrix(ds, "2026-11-29")          # cross-sector linkages
    gm.risk_view(ds, "2026-11-29")              # five-colour risk view
"""

from graphmodel._problems import DatasetError, Problem
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.gaps import GAP_NAMES, gaps, run_gap
from graphmodel.graph import build_graph
from graphmodel.io import write_template
from graphmodel.linkages import (
    bridges,
    connectors,
    format_path,
    path,
    sector_matrix,
    sector_matrix_table,
)
from graphmodel.queries import all_queries, get_query
from graphmodel.risk import risk_distribution, risk_view, suggested_risk
from graphmodel.stats import info

__all__ = [
    "GAP_NAMES",
    "Dataset",
    "DatasetError",
    "Problem",
    "all_queries",
    "bridges",
    "build_graph",
    "connectors",
    "format_path",
    "gaps",
    "get_query",
    "info",
    "load_dataset",
    "path",
    "risk_distribution",
    "risk_view",
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
