"""A validated dataset: typed tables, the shared id space and the lazily built graph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphmodel import schema, settings
from graphmodel._frames import column_map
from graphmodel._problems import DatasetError, Problem
from graphmodel.io import read_raw_dataset
from graphmodel.validation import validate_raw

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class Dataset:
    """A dataset that meets the contract.

    Attributes
    ----------
    name : str
        Dataset name (the directory or workbook name unless given); scopes the
        dataset in a shared Neo4j database.
    path : pathlib.Path
        Where it was read from.
    tables : dict of str to pandas.DataFrame
        One typed DataFrame per contract table: dates are ``datetime64``,
        booleans ``boolean``, counts and risk levels ``Int64``, grid kinds
        canonical. Absent optional tables are empty.
    warnings : list of Problem
        Notes that did not block loading (unknown extra columns, for example).
    """

    name: str
    path: Path
    tables: dict[str, pd.DataFrame]
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    @cached_property
    def entity_tables(self) -> pd.Series:
        """Series mapping every entity id to the table it comes from."""
        parts = [pd.Series(name, index=self.tables[name]["id"].values, dtype=object)
                 for name in schema.ENTITY_TABLES if len(self.tables[name])]
        return pd.concat(parts) if parts else pd.Series(dtype=object)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The embedded graph of this dataset (built once, on first use)."""
        from graphmodel.graph import build_graph

        return build_graph(self)

    @cached_property
    def network(self) -> nx.MultiDiGraph:
        """The graph without record nodes and visits: places, organisations, people, links.

        Linkage queries only need this part, which stays small when the records
        (visits, demands, assessments) run into millions.
        """
        if "graph" in self.__dict__:
            return self.graph
        from graphmodel.graph import build_graph

        return build_graph(self, include_records=False)

    @cached_property
    def names(self) -> pd.Series:
        """Series mapping every entity id to its display name (a demand's category)."""
        parts = []
        for table in schema.ENTITY_TABLES:
            frame = self.tables[table]
            column = "category" if table == "demands" else "name"
            parts.append(pd.Series(frame[column].values, index=frame["id"].values, dtype=object))
        return pd.concat(parts)

    @cached_property
    def place_building(self) -> pd.Series:
        """Map of place id -> building id, for buildings (themselves) and companies."""
        buildings = self.tables["buildings"]["id"]
        return pd.concat([pd.Series(buildings.values, index=buildings.values, dtype=object),
                          column_map(self.tables["companies"], "id", "building_id")])

    @cached_property
    def place_grid(self) -> pd.Series:
        """Map of place id -> grid id, for grids (themselves), buildings and companies."""
        grids = self.tables["grids"]["id"]
        building_grid = column_map(self.tables["buildings"], "id", "grid_id")
        companies = self.tables["companies"]
        company_grid = companies["building_id"].map(building_grid)
        return pd.concat([
            pd.Series(grids.values, index=grids.values, dtype=object),
            building_grid,
            pd.Series(company_grid.values, index=companies["id"].values, dtype=object),
        ])

    @cached_property
    def place_area(self) -> pd.Series:
        """Map of place id -> residential area id, for areas (themselves), residential grids
        and the buildings and companies in them. Business places have no area."""
        areas = self.tables["residential_areas"]["id"]
        grid_area = column_map(self.tables["grids"], "id", "area_id").dropna()
        places = self.place_grid.drop(self.tables["grids"]["id"].values, errors="ignore")
        place_area = places.map(grid_area).dropna()
        return pd.concat([pd.Series(areas.values, index=areas.values, dtype=object),
                          grid_area.astype(object), place_area.astype(object)])

    @cached_property
    def containers(self) -> pd.DataFrame:
        """Every (place, container) pair: the places that contain each place, at any depth.

        The street is never a container here (the contract's *containers*), and a place
        is not its own container. Columns ``place`` and ``container``.
        """
        parts = []
        for place_map in (self.place_building, self.place_grid, self.place_area):
            pairs = place_map.dropna()
            pairs = pairs[pairs.index.to_numpy() != pairs.to_numpy()]
            parts.append(pd.DataFrame({"place": pairs.index.to_numpy(dtype=object),
                                       "container": pairs.to_numpy(dtype=object)}))
        return pd.concat(parts, ignore_index=True)

    @cached_property
    def within(self) -> pd.DataFrame:
        """Every (place, container) pair where ``place`` is *within* ``container``: the
        :attr:`containers` pairs plus each area, grid, building and company with itself."""
        own = [self.tables[t]["id"].to_numpy(dtype=object)
               for t in ("residential_areas", "grids", "buildings", "companies")]
        ids = pd.Series(pd.concat([pd.Series(o, dtype=object) for o in own]).to_numpy(),
                        dtype=object)
        return pd.concat([pd.DataFrame({"place": ids, "container": ids}), self.containers],
                         ignore_index=True)

    def counts(self) -> dict[str, int]:
        """Number of rows per table."""
        return {name: len(frame) for name, frame in self.tables.items()}


def load_dataset(path: str | Path | None = None, name: str | None = None, *,
                 detailed: bool = False) -> Dataset:
    """Read and validate a dataset.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A directory of CSV files or an ``.xlsx`` workbook; defaults to the
        shipped dataset of 静安寺街道.
    name : str, optional
        Dataset name; defaults to the directory or workbook name.
    detailed : bool
        Always run the detailed reader and validator (what ``graphmodel validate`` does).
        By default a plainly valid CSV folder is read, checked and typed by DuckDB
        (:func:`graphmodel.csv_duckdb.read_csv_tables`), which gives the same tables; any
        other dataset, and any dataset with a problem or a note, goes through the
        detailed reader, which reports every problem with its file, row and column.

    Returns
    -------
    Dataset
        The typed, validated tables.

    Raises
    ------
    DatasetError
        With every problem found, when the dataset breaks the contract.

    Examples
    --------
    >>> ds = load_dataset()
    >>> ds.name, len(ds["grids"])
    ('jingansi', 37)
    """
    path = Path(path) if path is not None else settings.default_dataset_path()
    if not detailed:
        from graphmodel import _progress
        from graphmodel.csv_duckdb import read_csv_tables

        with _progress.step("read"):
            tables = read_csv_tables(path)
        if tables is not None:
            # the pandas tables are the dataset (a caller may change them before a query
            # runs): its DuckDB tables are built from them when a query first needs them
            return Dataset(name or dataset_name(path, tables["streets"]), path, tables, [])
    raw = read_raw_dataset(path)
    tables, problems = validate_raw(raw)
    if any(p.severity == "error" for p in problems):
        raise DatasetError(problems, str(path))
    warnings = [p for p in problems if p.severity == "warning"]
    return Dataset(name or dataset_name(path, tables["streets"]), path, tables, warnings)


def dataset_name(path: str | Path, streets: pd.DataFrame | None = None) -> str:
    """Default dataset name: its street's name in pinyin (静安寺街道 -> ``jingansi``), or,
    for a dataset of several streets or none, the directory or workbook name.

    Parameters
    ----------
    path : str or pathlib.Path
        The dataset (a CSV directory or a workbook).
    streets : pandas.DataFrame, optional
        Its ``streets`` table when already read; otherwise only that table is read.

    Examples
    --------
    >>> dataset_name("data/jingansi/"), dataset_name("/tmp/streets.xlsx")
    ('jingansi', 'streets')
    """
    if streets is None:
        streets = _streets_table(Path(path))
    slug = street_slug(streets["name"]) if streets is not None and "name" in streets else None
    path = Path(path)
    return slug or (path.stem if path.suffix.lower() in {".xlsx", ".xlsm"} else path.name)


def street_slug(names: Any) -> str | None:
    """The pinyin of a single street's name without 街道/镇/乡, or None.

    Examples
    --------
    >>> street_slug(["静安寺街道"]), street_slug(["南京东路街道"]), street_slug(["甲", "乙"])
    ('jingansi', 'nanjingdonglu', None)
    """
    found = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    if len(set(found)) != 1:
        return None
    from pypinyin import lazy_pinyin

    core = re.sub(r"(街道办事处|街道|镇|乡)$", "", found[0]) or found[0]
    slug = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(core)).lower())
    return slug or None


def _streets_table(path: Path) -> pd.DataFrame | None:
    """Only the ``streets`` table, read as text (None when it cannot be read)."""
    from graphmodel.io import read_raw_dataset

    try:
        if path.is_dir():
            from graphmodel.io import _not_a_regular_file, read_csv_table

            if _not_a_regular_file(path / "streets.csv"):  # never open a pipe: it would block
                return None
            table, _ = read_csv_table(path / "streets.csv", "streets")
        else:
            table = read_raw_dataset(path).tables.get("streets")
    except Exception:  # a name is a convenience: any unreadable file falls back to the path
        return None
    return table.frame if table is not None else None
