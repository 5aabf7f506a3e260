"""Settings: default paths, query parameters and where credentials come from."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
QUERIES_DIR = PROJECT_DIR / "queries"

DEFAULT_PARAMS: dict[str, int] = {
    "visit_window_days": 180,
    "followup_days_orange": 14,
    "followup_days_red": 3,
    "demand_max_days": 30,
    "key_building_min_companies": 20,
}
"""Gap parameters (docs/gaps.md) with their defaults."""

NEO4J_ENV = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def default_dataset_path() -> Path:
    """The shipped 静安寺街道 dataset (override with ``GRAPHMODEL_DATASET``)."""
    override = os.environ.get("GRAPHMODEL_DATASET")
    return Path(override) if override else PROJECT_DIR / "data" / "jingansi"
