"""The query library: every gap and linkage query defined once.

A :class:`Query` has a stable name, Chinese and English titles, a description,
its parameters, its embedded implementation (a plain function of a dataset) and
its Cypher in ``queries/<group>/<name>.cypher``. The CLI, the notebooks, the
report and the Neo4j backend all find queries here.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import settings

Embedded = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Query:
    """One named query of the library."""

    name: str
    group: str
    title_zh: str
    title_en: str
    description: str
    params: tuple[str, ...]
    embedded: Embedded
    description_zh: str = ""

    @property
    def cypher_path(self) -> Path:
        """Where its Cypher lives: ``queries/<group>/<name>.cypher``."""
        return settings.QUERIES_DIR / self.group / f"{self.name}.cypher"

    def cypher(self) -> str:
        """The Cypher text (header comment included)."""
        return self.cypher_path.read_text(encoding="utf-8")

    @property
    def defaults(self) -> dict[str, Any]:
        """Default of each parameter: the documented default (docs/gaps.md) for gap
        parameters, else the embedded function's own keyword default (required ones, like
        ``path``'s ``a``, are absent)."""
        signature = inspect.signature(self.embedded).parameters
        found: dict[str, Any] = {}
        for name in self.params:
            if name in settings.DEFAULT_PARAMS:
                found[name] = settings.DEFAULT_PARAMS[name]
            elif signature[name].default is not inspect.Parameter.empty:
                found[name] = signature[name].default
        return found

    def resolve(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for :attr:`embedded`: defaults updated with overrides.

        Gap parameters are checked by :func:`resolve_params`; an int default makes
        its override an int. Unknown or missing parameters raise ``ValueError``.
        """
        unknown = sorted(set(overrides) - set(self.params))
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for {self.name}; "
                             f"known: {', '.join(self.params) or 'none'}")
        defaults = self.defaults
        gap = {k: v for k, v in overrides.items() if k in settings.DEFAULT_PARAMS}
        params = {**defaults, **resolve_params(self.params, **gap)}
        for key, value in overrides.items():
            if key not in gap:
                params[key] = int(value) if isinstance(defaults.get(key), int) else value
        missing = [name for name in self.params if name not in params]
        if missing:
            raise ValueError(f"missing parameter(s) {', '.join(missing)} for {self.name}")
        return params

    @property
    def title(self) -> str:
        """``中文 English`` title."""
        return f"{self.title_zh} {self.title_en}"


REGISTRY: dict[str, Query] = {}


def register(name: str, group: str, title_zh: str, title_en: str, description: str,
             params: tuple[str, ...] = (), description_zh: str = ""
             ) -> Callable[[Embedded], Embedded]:
    """Decorator that adds an embedded implementation to the library under ``name``."""

    def decorate(function: Embedded) -> Embedded:
        if name in REGISTRY:
            raise ValueError(f"query {name!r} is defined twice")
        REGISTRY[name] = Query(name, group, title_zh, title_en, description, params, function,
                               description_zh)
        return function

    return decorate


def _load_all() -> None:
    # Importing the modules runs their @register decorators.
    from graphmodel import gaps, linkages, risk  # noqa: F401


def get_query(name: str) -> Query:
    """Return the query called ``name``.

    Raises
    ------
    KeyError
        With the list of known names, when there is none.
    """
    _load_all()
    if name not in REGISTRY:
        raise KeyError(f"unknown query {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def all_queries(group: str | None = None) -> list[Query]:
    """Every query (of one group, when given), in definition order."""
    _load_all()
    return [q for q in REGISTRY.values() if group is None or q.group == group]


def resolve_params(names: tuple[str, ...] | None = None, **overrides: Any) -> dict[str, int]:
    """Gap parameter defaults (docs/gaps.md) updated with overrides; unknown names raise ``ValueError``."""
    params = dict(settings.DEFAULT_PARAMS)
    for key, value in overrides.items():
        if key not in params:
            raise ValueError(f"unknown parameter {key!r}; known: {', '.join(params)}")
        value = int(value)
        if value < 0:
            raise ValueError(f"parameter {key} must be >= 0, got {value}")
        params[key] = value
    if names is not None:
        params = {k: v for k, v in params.items() if k in names}
    return params


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """An ``as_of`` date from a string (``YYYY-MM-DD``), a date, or None (today).

    Examples
    --------
    >>> parse_as_of("2026-11-29")
    datetime.date(2026, 11, 29)
    """
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value.strip().replace("/", "-"))


def as_of_timestamp(value: str | dt.date | None) -> pd.Timestamp:
    """:func:`parse_as_of` as a pandas Timestamp, to compare with the typed date columns.

    Examples
    --------
    >>> as_of_timestamp("2026-11-29")
    Timestamp('2026-11-29 00:00:00')
    """
    return pd.Timestamp(parse_as_of(value))
