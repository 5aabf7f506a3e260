"""The query library: every gap, linkage and risk query defined once.

A :class:`Query` is one object: its stable name and group, its Chinese and English titles
and definition (written here once: the Cypher file header only names the query, its
parameters and its cost), its parameters, where a finding's place comes from
(:data:`Place`), its output columns and their types, its embedded implementation (a plain
function of a dataset) and its Cypher (``queries/<group>/<name>.cypher``, read by
:func:`cypher_text`). The modules that define queries (:data:`QUERY_MODULES`) add them
with :func:`register`; :mod:`graphmodel.engine` runs any of them on either engine.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graphmodel import _resources, settings
from graphmodel.errors import InvalidDateError, InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd

    from graphmodel.dataset import Dataset

# pandas is imported where a frame is made: looking a query up (graphmodel gaps on the fast
# path) needs none
Embedded = Callable[..., "pd.DataFrame"]
Finish = Callable[["Query", "Dataset", "pd.DataFrame"], "pd.DataFrame"]
"""Turns an embedded implementation's frame into the query's output (the gaps add names
and places)."""
FromRows = Callable[["Query", "pd.DataFrame", dict[str, Any]], "pd.DataFrame"]
"""Turns the rows of the query's Cypher into the query's output (``bridges`` ranks the
projection in Python)."""

Place = Literal["self", "demand_company", "org_location"]
"""Where a finding's place comes from: the entity itself, a demand's company, or an
organisation's ``located_in``."""
PLACES: tuple[Place, ...] = ("self", "demand_company", "org_location")

QUERY_MODULES = ("graphmodel.gaps", "graphmodel.linkages", "graphmodel.risk")
"""The modules whose :func:`register` calls fill the library (imported on first lookup)."""


def cypher_file(group: str, name: str) -> Path:
    """Where the Cypher of a query lives: ``queries/<group>/<name>.cypher``."""
    return settings.QUERIES_DIR / group / f"{name}.cypher"


def cypher_text(group: str, name: str) -> str:
    """The Cypher text (header comment included) of ``queries/<group>/<name>.cypher``.

    The one place that reads query files: through :mod:`importlib.resources`
    (:func:`graphmodel._resources.cypher_text`), so an installed wheel finds them too.
    """
    return _resources.cypher_text(group, name)


@dataclass(frozen=True)
class Query:
    """One named query of the library."""

    name: str
    group: str
    title_zh: str
    title_en: str
    definition_en: str
    params: tuple[str, ...]
    embedded: Embedded
    definition_zh: str = ""
    place: Place = "self"
    columns: tuple[str, ...] = ()
    dtypes: Mapping[str, str] = field(default_factory=dict)
    """Type of each output column: ``str``, ``object`` (lists, dicts, mixed), ``int64``,
    ``float64`` or ``datetime64[us]``; both engines return exactly these."""
    entity_params: tuple[str, ...] = ()
    """Parameters naming an entity by id or exact name, resolved to an id before running."""
    finish: Finish | None = None
    from_rows: FromRows | None = None

    def __post_init__(self) -> None:
        if self.place not in PLACES:
            raise ValueError(f"place of {self.name} must be one of {PLACES}, got {self.place!r}")

    @property
    def description(self) -> str:
        """The English definition (alias of :attr:`definition_en`)."""
        return self.definition_en

    @property
    def description_zh(self) -> str:
        """The Chinese definition (alias of :attr:`definition_zh`)."""
        return self.definition_zh

    @property
    def cypher_path(self) -> Path:
        """Where its Cypher lives: ``queries/<group>/<name>.cypher``."""
        return cypher_file(self.group, self.name)

    def cypher(self) -> str:
        """The Cypher text (header comment included)."""
        return cypher_text(self.group, self.name)

    def places(self, ds: Dataset, ids: pd.Series) -> pd.Series:
        """The place of each finding id (see :data:`Place`), None where there is none."""
        import pandas as pd

        from graphmodel._frames import column_map

        if self.place == "demand_company":
            places = ids.map(column_map(ds["demands"], "id", "company_id"))
        elif self.place == "org_location":
            places = ids.map(column_map(ds["organizations"], "id", "located_in"))
        else:
            places = ids
        return pd.Series([p if isinstance(p, str) and p else None for p in places],
                         index=ids.index, dtype=object)

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
        its override an int. Unknown or missing parameters raise ``ValueError``; a gap
        also accepts (checks, then ignores) the gap parameters it does not use, so that
        one set of parameters serves all the gaps.
        """
        known = set(self.params) | (set(settings.DEFAULT_PARAMS) if self.group == "gaps"
                                    else set())
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise InvalidParameterError(f"unknown parameter(s) {', '.join(unknown)} for "
                                        f"{self.name}; known: {', '.join(self.params) or 'none'}")
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


def register(name: str, group: str, title_zh: str, title_en: str, definition_en: str,
             params: tuple[str, ...] = (), definition_zh: str = "", **fields: Any
             ) -> Callable[[Embedded], Embedded]:
    """Decorator that adds an embedded implementation to the library under ``name``.

    ``fields`` are the other attributes of :class:`Query` (``place``, ``columns``,
    ``dtypes``, ``entity_params``, ``finish``, ``from_rows``).
    """

    def decorate(function: Embedded) -> Embedded:
        if name in REGISTRY:
            raise ValueError(f"query {name!r} is defined twice")
        REGISTRY[name] = Query(name, group, title_zh, title_en, definition_en, params, function,
                               definition_zh, **fields)
        return function

    return decorate


def _load_all(until: str | None = None) -> None:
    # The defining modules import this one; importing them by name here keeps the
    # dependency one way (they register, the library looks up). With ``until``, stop at
    # the module that defines that query (a gap needs neither networkx nor the risk view).
    for module in QUERY_MODULES:
        importlib.import_module(module)
        if until is not None and until in REGISTRY:
            return


def get_query(name: str) -> Query:
    """Return the query called ``name``.

    Raises
    ------
    KeyError
        With the list of known names, when there is none.
    """
    if name not in REGISTRY:
        _load_all(until=name)
    if name not in REGISTRY:
        raise KeyError(f"unknown query {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def all_queries(group: str | None = None) -> list[Query]:
    """Every query (of one group, when given), in definition order."""
    _load_all()
    return [q for q in REGISTRY.values() if group is None or q.group == group]


def latest_assessments(ds: Dataset, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each company's latest risk assessment dated on or before ``as_of`` (None: whatever
    its date), one row per company sorted by company id.

    Shared by the ``risk_without_followup`` gap, the risk queries and the Neo4j loader.
    """
    risks = ds["risk_assessments"]
    if as_of is not None:
        risks = risks[risks["assessed_on"] <= as_of]
    return risks.sort_values(["company_id", "assessed_on"]).drop_duplicates(
        "company_id", keep="last")


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
        return settings.today()
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
    import pandas as pd

    return pd.Timestamp(parse_as_of(value)).as_unit("us")
