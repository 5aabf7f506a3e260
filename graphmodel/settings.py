"""Settings in one place: parameter defaults, environment variables, default paths.

Everything a user can set without touching code is named here: the five gap
parameters of the gap definitions (docs/gaps.md) with their defaults, the
environment variables the package reads (``GRAPHMODEL_*`` and the ``NEO4J_*`` of
the Neo4j client) and where the shipped dataset and the local server live.
``graphmodel.generate`` and ``scripts/build_jingansi.py`` take their gap
parameters and their date from here, so the datasets they plant gaps in agree
with the gap code.

Examples
--------
>>> GAP_DEFAULTS.followup_days
{4: 14, 5: 3}
>>> DEFAULT_PARAMS["visit_window_days"]
180
>>> default_dataset_path().name
'jingansi'
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from graphmodel import _resources

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_TIMEZONE",
    "DEMO_AS_OF",
    "ENV_DATASET",
    "ENV_DEBUG",
    "ENV_NEO4J_BOLT_PORT",
    "ENV_NEO4J_HOME",
    "ENV_NEO4J_HTTP_PORT",
    "ENV_TIMEZONE",
    "GAP_DEFAULTS",
    "NEO4J_DATABASE",
    "NEO4J_ENV",
    "NEO4J_PASSWORD",
    "NEO4J_URI",
    "NEO4J_USERNAME",
    "GapParams",
    "Neo4jDefaults",
    "default_dataset_path",
    "local_bolt_uri",
    "neo4j_env",
    "neo4j_home",
    "now",
    "timezone",
    "today",
]


# --------------------------------------------------------------------------- gap parameters


@dataclass(frozen=True)
class GapParams:
    """The five gap parameters (docs/gaps.md), each a whole number of days or companies."""

    visit_window_days: int = 180
    """A visit counts as recent when it lies in the last ``visit_window_days`` days."""
    followup_days_orange: int = 14
    """Days allowed to follow up an orange (level 4) risk assessment."""
    followup_days_red: int = 3
    """Days allowed to follow up a red (level 5) risk assessment."""
    demand_max_days: int = 30
    """An open demand older than this many days is stale."""
    key_building_min_companies: int = 20
    """A building with at least this many companies is a key building."""

    @property
    def followup_days(self) -> dict[int, int]:
        """Follow-up days allowed by risk level: ``{4: orange, 5: red}``."""
        return {4: self.followup_days_orange, 5: self.followup_days_red}


GAP_DEFAULTS = GapParams()
"""The defaults of the gap definitions."""

DEFAULT_PARAMS: dict[str, int] = asdict(GAP_DEFAULTS)
"""Gap parameters (docs/gaps.md) with their defaults, by name."""

DEMO_AS_OF = "2026-11-29"
"""The date the planted gaps of the shipped and generated datasets are designed for."""


# --------------------------------------------------------------------------- environment

ENV_DATASET = "GRAPHMODEL_DATASET"
"""Path of the dataset used when a command names none (default: the shipped one)."""
ENV_DEBUG = "GRAPHMODEL_DEBUG"
"""Set to ``1`` to see the traceback of an unexpected error."""
ENV_TIMEZONE = "GRAPHMODEL_TIMEZONE"
"""IANA time zone that times are shown in (default :data:`DEFAULT_TIMEZONE`)."""
DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The street office's time zone: times are shown in it unless ``GRAPHMODEL_TIMEZONE``
says otherwise."""
ENV_NEO4J_HOME = "GRAPHMODEL_NEO4J_HOME"
"""Home of the local Neo4j server (default ``<checkout>/.neo4j``)."""
ENV_NEO4J_BOLT_PORT = "GRAPHMODEL_NEO4J_BOLT_PORT"
"""Bolt port of the local server (default 7687)."""
ENV_NEO4J_HTTP_PORT = "GRAPHMODEL_NEO4J_HTTP_PORT"
"""HTTP (Browser) port of the local server (default 7474)."""

NEO4J_URI = "NEO4J_URI"
"""Where the Neo4j client connects (``bolt://``, ``neo4j://`` or ``neo4j+s://``)."""
NEO4J_USERNAME = "NEO4J_USERNAME"
NEO4J_PASSWORD = "NEO4J_PASSWORD"
NEO4J_DATABASE = "NEO4J_DATABASE"
NEO4J_ENV = (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE)
"""The Neo4j client's environment variables, in the order of :class:`Neo4jDefaults`."""


@dataclass(frozen=True)
class Neo4jDefaults:
    """What the client uses when neither an argument nor ``NEO4J_*`` says otherwise."""

    host: str = "127.0.0.1"
    bolt_port: int = 7687
    http_port: int = 7474
    user: str = "neo4j"
    database: str = "neo4j"
    password_file: str = "password"
    """The local server's generated password, in its home directory (never in code)."""


NEO4J_DEFAULTS = Neo4jDefaults()


def neo4j_env() -> dict[str, str]:
    """The ``NEO4J_*`` variables that are set (and not blank), by key of :class:`Connection`.

    Keys are ``uri``, ``user``, ``password`` and ``database``.
    """
    keys = ("uri", "user", "password", "database")
    return {key: os.environ[name] for key, name in zip(keys, NEO4J_ENV, strict=True)
            if os.environ.get(name)}


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 65536 else default


def local_bolt_uri() -> str:
    """The Bolt URI of the local server (``$GRAPHMODEL_NEO4J_BOLT_PORT`` or 7687).

    >>> local_bolt_uri().startswith("bolt://127.0.0.1:")
    True
    """
    return f"bolt://{NEO4J_DEFAULTS.host}:{_port(ENV_NEO4J_BOLT_PORT, NEO4J_DEFAULTS.bolt_port)}"


def timezone() -> dt.tzinfo:
    """The time zone times are shown in: ``$GRAPHMODEL_TIMEZONE``, else Asia/Shanghai.

    An unknown zone name falls back to the default; without the time zone database
    (some Windows installs), Asia/Shanghai is the fixed offset UTC+8 (no daylight saving).

    >>> now().utcoffset() is not None
    True
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in (os.environ.get(ENV_TIMEZONE, "").strip(), DEFAULT_TIMEZONE):
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return dt.timezone(dt.timedelta(hours=8))


def now() -> dt.datetime:
    """The current time, aware, in :func:`timezone` (for time stamps shown to people)."""
    return dt.datetime.now(timezone())


def today() -> dt.date:
    """Today's date in :func:`timezone`: the default ``as_of`` (a street office's day, not
    the server's UTC day)."""
    return now().date()


# --------------------------------------------------------------------------- paths

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
"""The checkout (meaningful only when running from one: tests, notebooks, the server home)."""
QUERIES_DIR = _resources.queries_dir()
"""The query library's folder, wherever the package is installed."""


def neo4j_home() -> Path:
    """Home directory of the local server: ``$GRAPHMODEL_NEO4J_HOME``, else ``<checkout>/.neo4j``."""
    override = os.environ.get(ENV_NEO4J_HOME)
    return Path(override).expanduser().resolve() if override else PROJECT_DIR / ".neo4j"


def default_dataset_path() -> Path:
    """The shipped 静安寺街道 dataset (override with ``GRAPHMODEL_DATASET``).

    Found through :mod:`importlib.resources`, so it works from an installed wheel too.
    """
    override = os.environ.get(ENV_DATASET)
    return Path(override) if override else _resources.shipped_dataset_dir()
