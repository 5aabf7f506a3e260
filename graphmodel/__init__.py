"""graphmodel: a subdistrict's governance network as a graph, and where it has holes.

The public API is small and explicit::

    import graphmodel as gm
    ds = gm.load_dataset()            # the shipped 静安寺街道 dataset
    G = ds.graph                      # networkx.MultiDiGraph
    gm.info(ds)                       # counts per label and relationship type
"""

from graphmodel._problems import DatasetError, Problem
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.graph import build_graph
from graphmodel.io import write_template
from graphmodel.stats import info

__all__ = [
    "Dataset",
    "DatasetError",
    "Problem",
    "build_graph",
    "info",
    "load_dataset",
    "write_template",
]

__version__ = "0.1.0"
