"""Small pandas helpers shared by the validator, the dataset and the queries."""

from __future__ import annotations

import pandas as pd

__all__ = ["column_map"]


def column_map(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """Series mapping ``frame[key]`` to ``frame[value]`` (e.g. building id -> grid id).

    Examples
    --------
    >>> column_map(pd.DataFrame({"id": ["B1"], "grid_id": ["G1"]}), "id", "grid_id")["B1"]
    'G1'
    """
    return pd.Series(frame[value].values, index=pd.Index(frame[key].values, dtype=object))
