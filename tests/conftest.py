"""Shared fixtures: small hand-built datasets written as real CSV files."""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graphmodel import schema

if TYPE_CHECKING:
    from graphmodel.dataset import Dataset

Rows = list[dict[str, object]]


def write_dataset(path: Path, tables: dict[str, Rows], encoding: str = "utf-8") -> Path:
    """Write one CSV per table (headers from the rows, else from the schema)."""
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        header: list[str] = list(schema.TABLES[name].column_names) if name in schema.TABLES else []
        for row in rows:
            header += [k for k in row if k not in header]
        with open(path / f"{name}.csv", "w", encoding=encoding, newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def minimal_tables() -> dict[str, Rows]:
    """A tiny valid dataset: one street, one area holding one grid, one business grid, one
    building, two companies."""
    return {
        "streets": [{"id": "S1", "name": "测试街道", "name_en": "Test Street"}],
        "residential_areas": [{"id": "A1", "name": "一号居民区", "street_id": "S1",
                               "households": 100}],
        "grids": [
            {"id": "G1", "name": "平面网格一", "kind": "residential", "street_id": "S1",
             "area_id": "A1"},
            {"id": "G2", "name": "立体网格一", "kind": "立体", "street_id": "S1"},
        ],
        "buildings": [{"id": "B1", "name": "一号楼", "grid_id": "G2", "key_building": "是"}],
        "companies": [
            {"id": "C1", "name": "甲公司", "building_id": "B1", "ownership": "domestic",
             "employees": 10, "lease_expires": "2026/12/31"},
            {"id": "C2", "name": "乙公司", "building_id": "B1", "relocation_intent": "yes"},
        ],
        "organizations": [
            {"id": "O1", "name": "街道党工委", "kind": "party_committee", "sector": "party",
             "located_in": "S1"},
            {"id": "O2", "name": "联络组", "kind": "liaison_group", "sector": "ethnic",
             "located_in": "A1", "parent_id": "O1"},
        ],
        "people": [{"id": "P1", "name": "王老师", "role": "楼宇党群工作者", "organization_id": "O1"}],
        "population": [
            {"area_id": "A1", "ethnic_group": "回族", "residents": 5, "registered": 3},
            {"area_id": "A1", "ethnic_group": "汉族", "residents": 500},
        ],
        "links": [
            {"source_id": "O1", "type": "LEADS", "target_id": "O2", "since": "2020-01-01"},
            {"source_id": "P1", "type": "ASSIGNED_TO", "target_id": "B1"},
        ],
        "visits": [{"visitor_id": "P1", "target_id": "C1", "date": "2026-01-05", "purpose": "走访"}],
        "demands": [
            {"id": "D1", "company_id": "C1", "raised_on": "2026-01-05", "category": "租赁",
             "status": "resolved", "resolved_on": "2026-01-20", "handled_by": "O1"},
        ],
        "risk_assessments": [
            {"company_id": "C2", "assessed_on": "2026-02-01", "level": "橙", "reason": "租约到期"},
        ],
    }


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``make_dataset(tables=None, name="ds", encoding="utf-8", **overrides)``."""

    def factory(tables: dict[str, Rows] | None = None, name: str = "ds",
                encoding: str = "utf-8", **overrides: Rows) -> Path:
        data = minimal_tables() if tables is None else tables
        data.update(overrides)
        return write_dataset(tmp_path / name, data, encoding)

    return factory


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Dataset]:
    """Factory: ``generated(seed)``, the contract-valid random dataset of
    ``_generate.random_tables(seed)`` written as CSV and loaded (once per seed and run;
    the tests that share it only read it)."""
    from _generate import random_tables

    from graphmodel import load_dataset

    root = tmp_path_factory.mktemp("generated")

    @functools.cache
    def get(seed: int) -> Dataset:
        return load_dataset(write_dataset(root / f"random{seed}", random_tables(seed)),
                            name=f"random{seed}")

    return get
