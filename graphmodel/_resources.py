"""Files the package ships: the Cypher and SQL of the query library and the 静安寺街道 dataset.

In the checkout they stay at the top level (``queries/``, ``data/``); pyproject maps those
folders to the subpackages ``graphmodel._queries`` and ``graphmodel._data``, so a wheel or
an sdist install carries them inside the package. Every reader finds them here, through
:mod:`importlib.resources`, never through a path relative to the source tree.

Examples
--------
>>> "MATCH" in cypher_text("gaps", "stale_demand")
True
>>> "SELECT" in sql_text("gaps", "stale_demand")
True
>>> shipped_dataset_dir().name
'jingansi'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

__all__ = [
    "SHIPPED_DATASET",
    "cypher_files",
    "cypher_text",
    "queries_dir",
    "shipped_dataset_dir",
    "sql_text",
]

QUERIES_PACKAGE = "graphmodel._queries"
"""The top-level ``queries/`` folder, as pyproject ships it."""
DATA_PACKAGE = "graphmodel._data"
"""The top-level ``data/`` folder, as pyproject ships it."""
SHIPPED_DATASET = "jingansi"
"""The folder of ``data/`` holding the shipped dataset."""


@cache
def _folder(package: str, checkout_folder: str) -> Path:
    """The directory of a resource package.

    The fallback covers a checkout put on ``sys.path`` without ``pip install`` (no
    mapping of ``queries/`` to ``graphmodel._queries`` exists then).
    """
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / checkout_folder
    if not isinstance(root, Path):
        raise RuntimeError(f"{package} is not on the file system ({root!r}): install graphmodel "
                           "as files (pip install), not as a zip archive")
    return root


def queries_dir() -> Path:
    """The folder of the query library: ``<group>/<name>.cypher`` and ``<group>/<name>.sql``."""
    return _folder(QUERIES_PACKAGE, "queries")


def cypher_text(group: str, name: str) -> str:
    """The text of ``queries/<group>/<name>.cypher`` (header comment included).

    Raises
    ------
    FileNotFoundError
        No such query file.
    """
    return (queries_dir() / group / f"{name}.cypher").read_text(encoding="utf-8")


def sql_text(group: str, name: str) -> str:
    """The text of ``queries/<group>/<name>.sql``, the query's SQL for DuckDB (header
    comment included).

    Raises
    ------
    FileNotFoundError
        No such query file.
    """
    return (queries_dir() / group / f"{name}.sql").read_text(encoding="utf-8")


def cypher_files(group: str) -> list[Path]:
    """The ``.cypher`` files of one group, sorted by name (none for an unknown group).

    >>> [p.stem for p in cypher_files("map")][:1]
    ['company_risk']
    """
    return sorted((queries_dir() / group).glob("*.cypher"))


def shipped_dataset_dir() -> Path:
    """The directory of the shipped dataset (``data/jingansi`` in the checkout)."""
    return _folder(DATA_PACKAGE, "data") / SHIPPED_DATASET
