"""The query library: every gap and linkage query defined once.

A :class:`Query` has a stable name, Chinese and English titles, a description,
its parameters, its embedded implementation (a plain function of a dataset) and
its Cypher in ``queries/<group>/<name>.cypher``. The CLI, the notebooks, the
report and the Neo4j backend all find queries here.
"""

from __future__ import annotations

import datetime as dt
import inspect
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import settings
from graphmodel.errors import InvalidDateError, InvalidParameterError

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
            raise InvalidParameterError(f"unknown parameter(s) {', '.join(unknown)} for {self.name}; "
                             f"known: {', '.join(self.params) or 'none'}")
        defaults = self.defaults
        gap = {k: v for k, v in overrides.items() if k in settings.DEFAULT_PARAMS}
        params = {**defaults, **resolve_params(self.params, **gap)}
        for key, value in overrides.items():
            if key not in gap:
                params[key] = (whole_number(key, value) if isinstance(defaults.get(key), int)
                               else value)
        missing = [name for name in self.params if name not in params]
        if missing:
            raise InvalidParameterError(f"missing parameter(s) {', '.join(missing)} for {self.name}")
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


PARAM_MIN = 0
PARAM_MAX = 36500
"""Gap parameters are whole numbers from 0 to 36500 (a hundred years of days), docs/gaps.md."""

AS_OF_MIN = dt.date(1900, 1, 1)
AS_OF_MAX = dt.date(9999, 12, 31)
"""``as_of`` runs from 1900-01-01 to 9999-12-31 (``9999-12-31`` = "no end", must work)."""

_DATE_TEXT = re.compile(r"(\d{4})([-/])(\d{2})\2(\d{2})", re.ASCII)


def whole_number(name: str, value: Any, low: int = PARAM_MIN, high: int = PARAM_MAX) -> int:
    """``value`` as an int when it is a whole number from ``low`` to ``high``.

    Accepts an int (not a bool) or a string of ASCII digits; anything else (``1.5``,
    ``-1``, ``abc``, ``200000``) raises :class:`~graphmodel.errors.InvalidParameterError`.

    Examples
    --------
    >>> whole_number("visit_window_days", " 90 ")
    90
    """
    number: int | None = None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip(), re.ASCII):
        number = int(value.strip())
    if number is None or not low <= number <= high:
        shown = value if isinstance(value, numbers.Number) else str(value)[:40]
        raise InvalidParameterError(
            f"parameter {name} must be a whole number from {low} to {high}, got {shown!r}")
    return number


def resolve_params(names: tuple[str, ...] | None = None, **overrides: Any) -> dict[str, int]:
    """Gap parameter defaults (docs/gaps.md) updated with overrides.

    Raises :class:`~graphmodel.errors.InvalidParameterError` (a ``ValueError``) for an
    unknown name or a value that is not a whole number from 0 to 36500.
    """
    params = dict(settings.DEFAULT_PARAMS)
    for key, value in overrides.items():
        if key not in params:
            raise InvalidParameterError(f"unknown parameter {key!r}; known: {', '.join(params)}")
        params[key] = whole_number(key, value)
    if names is not None:
        params = {k: v for k, v in params.items() if k in names}
    return params


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """An ``as_of`` date from a string (``YYYY-MM-DD`` or ``YYYY/MM/DD``), a date, or None
    (today).

    Only real dates from 1900-01-01 to 9999-12-31 are accepted; anything else (``yesterday``,
    ``""``, ``2026-13-01``, ``2026-11-01T10:00``, ``0001-01-01``) raises
    :class:`~graphmodel.errors.InvalidDateError` (a ``ValueError``).

    Examples
    --------
    >>> parse_as_of("2026-11-29")
    datetime.date(2026, 11, 29)
    >>> parse_as_of("9999/12/31")
    datetime.date(9999, 12, 31)
    """
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        match = _DATE_TEXT.fullmatch(value.strip())
        try:
            if not match:
                raise ValueError
            day = dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            raise InvalidDateError(f"as_of must be a date YYYY-MM-DD (or YYYY/MM/DD) from "
                                   f"{AS_OF_MIN} to {AS_OF_MAX}, got {value[:40]!r}") from None
    else:
        raise InvalidDateError(f"as_of must be a date YYYY-MM-DD, got {type(value).__name__}")
    if not AS_OF_MIN <= day <= AS_OF_MAX:
        raise InvalidDateError(f"as_of must be a date YYYY-MM-DD from {AS_OF_MIN} to "
                               f"{AS_OF_MAX}, got {day}")
    return day


def as_of_timestamp(value: str | dt.date | None) -> pd.Timestamp:
    """:func:`parse_as_of` as a pandas Timestamp, to compare with the typed date columns.

    The unit is microseconds, like the date columns, so that 9999-12-31 does not overflow
    (nanoseconds stop in 2262).

    Examples
    --------
    >>> as_of_timestamp("2026-11-29")
    Timestamp('2026-11-29 00:00:00')
    >>> as_of_timestamp("9999-12-31").unit
    'us'
    """
    return pd.Timestamp(parse_as_of(value)).as_unit("us")
