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

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphmodel._problems import DatasetError, Problem
    from graphmodel.dataset import Dataset, load_dataset
    from graphmodel.engine import resolve_entity, run
    from graphmodel.gaps import GAP_NAMES, finding_places, gap_names, gaps, run_gap
    from graphmodel.graph import build_graph
    from graphmodel.interactive import show
    from graphmodel.io import write_template
    from graphmodel.linkages import (
        actor_network,
        bridges,
        connectors,
        format_path,
        path,
        sector_matrix,
        sector_matrix_table,
        sectors_bridged,
    )
    from graphmodel.profile import profile
    from graphmodel.queries import all_queries, get_query
    from graphmodel.report.comparison import compare
    from graphmodel.responsibility import findings_by, responsible
    from graphmodel.risk import risk_distribution, risk_suggested, risk_view, suggested_risk
    from graphmodel.stats import info

_EXPORTS: dict[str, str] = {
    "DatasetError": "graphmodel._problems",
    "Problem": "graphmodel._problems",
    "Dataset": "graphmodel.dataset",
    "load_dataset": "graphmodel.dataset",
    "resolve_entity": "graphmodel.engine",
    "run": "graphmodel.engine",
    "GAP_NAMES": "graphmodel.gaps",
    "finding_places": "graphmodel.gaps",
    "gap_names": "graphmodel.gaps",
    "gaps": "graphmodel.gaps",
    "run_gap": "graphmodel.gaps",
    "build_graph": "graphmodel.graph",
    "write_template": "graphmodel.io",
    "actor_network": "graphmodel.linkages",
    "bridges": "graphmodel.linkages",
    "connectors": "graphmodel.linkages",
    "format_path": "graphmodel.linkages",
    "path": "graphmodel.linkages",
    "sector_matrix": "graphmodel.linkages",
    "sector_matrix_table": "graphmodel.linkages",
    "sectors_bridged": "graphmodel.linkages",
    "all_queries": "graphmodel.queries",
    "get_query": "graphmodel.queries",
    "profile": "graphmodel.profile",
    "findings_by": "graphmodel.responsibility",
    "responsible": "graphmodel.responsibility",
    "risk_distribution": "graphmodel.risk",
    "risk_suggested": "graphmodel.risk",
    "risk_view": "graphmodel.risk",
    "suggested_risk": "graphmodel.risk",
    "info": "graphmodel.stats",
    "show": "graphmodel.interactive",
    "compare": "graphmodel.report.comparison",
}
"""Public name -> the module defining it. Imported on first use (PEP 562), so that
``import graphmodel`` stays cheap: pandas, networkx and the Neo4j driver load only when
something needs them."""

__all__ = [
    "GAP_NAMES",
    "Dataset",
    "DatasetError",
    "Problem",
    "actor_network",
    "all_queries",
    "bridges",
    "build_graph",
    "compare",
    "connectors",
    "finding_places",
    "findings_by",
    "format_path",
    "gap_names",
    "gaps",
    "get_query",
    "info",
    "load_dataset",
    "path",
    "profile",
    "resolve_entity",
    "responsible",
    "risk_distribution",
    "risk_suggested",
    "risk_view",
    "run",
    "run_gap",
    "sector_matrix",
    "sector_matrix_table",
    "sectors_bridged",
    "show",
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


class _Package(types.ModuleType):
    """The package module: a submodule named like a public function (``gaps``) must not
    replace the function when the submodule is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'graphmodel' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, "__version__"})
