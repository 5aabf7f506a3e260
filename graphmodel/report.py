"""Analyst outputs: ``graphmodel report`` writes a dated, self-contained report folder.

One run writes ``DIR/<YYYY-MM-DDTHHMMSS>_as-of-<DATE>/`` holding

``report.html``
    one self-contained page (inline CSS, charts as base64 data URIs, no network):
    a summary per gap, findings grouped by residential area and grid with the responsible
    organisation and assigned worker, the five-colour risk distribution with
    overdue follow-ups, the changes since the previous report, the charts and
    the network map; Chinese with English alongside;
``gaps.xlsx``
    a summary sheet and one sheet per gap, formatted for printing, with empty
    columns to assign and track the work (责任人, 截止日期, 处理状态, 备注);
``gaps.json`` / ``gaps.csv``
    exactly what ``graphmodel gaps --format json|csv`` prints;
``*.png``
    the charts and ``network.png``, the network map;
``meta.json``
    as_of, dataset, backend, parameters and counts (read by later runs for the
    history chart; written last, it marks the folder as complete).

It is safe to run on a schedule: a lock (``fcntl.flock`` on ``DIR/.lock``) lets
one run at a time proceed; everything is built in ``DIR/.tmp-XXXX/`` and renamed
into place in one step; only then does ``DIR/latest`` (a symlink swapped with
an atomic rename, plus ``DIR/latest.txt``) move to the new folder. A failed or
killed run leaves the previous report and ``latest`` untouched; its temporary
folder is removed at once, or by the next run after a kill. Each run appends
one line to ``DIR/report.log``. See ``docs/report.md``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import errno
import fcntl
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphmodel import schema
from graphmodel._safe_io import (
    UnsafePathError,
    date_text,
    is_own_link,
    mark_text_cells,
    open_owned,
    read_owned,
    refuse_symlink,
    visible_text,
    xlsx_text,
    xlsx_value,
)
from graphmodel.dataset import column_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from graphmodel.dataset import Dataset

REPORT_FORMAT = 1
LOCK_NAME = ".lock"
LOG_NAME = "report.log"
LATEST_NAME = "latest"
LATEST_TXT = "latest.txt"
TMP_PREFIX = ".tmp-"
FOLDER_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}_as-of-\d{4}-\d{2}-\d{2}(?:_\d+)?$")
"""Names of report folders: start time, then the evaluation date (sortable)."""

PAUSE_ENV = "GRAPHMODEL_REPORT_TEST_PAUSE"
"""Test hook: ``STAGE[:SECONDS]`` makes a run sleep at that stage (default 60 s)."""
STAGES = ("after_lock", "after_gaps", "after_charts", "before_rename", "after_rename")

BACKENDS = ("embedded", "neo4j")
CHARTS = {
    "gaps_per_grid.png": ("各网格覆盖缺口", "Coverage gaps per grid"),
    "risk_per_grid.png": ("各网格五色风险分布", "Five-colour risk per grid"),
    "gap_history.png": ("覆盖缺口变化", "Gap counts across reports"),
    "sector_matrix.png": ("跨领域关系矩阵", "Sector matrix"),
    "network.png": ("治理网络图", "Network map"),
}
"""PNG files of a report with their titles (Chinese, English)."""

STATUS_CHOICES = ("未处理 open", "处理中 in progress", "已完成 done", "无需处理 no action")
WORK_COLUMNS = ("责任人 assignee", "截止日期 due date", "处理状态 status", "备注 notes")

DETAIL_LABELS: dict[str, str] = {
    "grid_kind": "网格类型 grid kind",
    "reason": "原因 reason",
    "minority_residents": "少数民族居民数 minority residents",
    "companies": "企业数 companies",
    "key_building": "重点楼宇 key building",
    "visit_window_days": "走访窗口（天） visit window (days)",
    "level": "风险等级 level",
    "assessed_on": "评估日期 assessed on",
    "deadline": "跟进期限 deadline",
    "company_id": "企业 company",
    "raised_on": "提出日期 raised on",
    "status": "状态 status",
    "age_days": "已过天数 age (days)",
}
"""Bilingual column titles of the keys of a finding's ``detail``."""

MAX_HTML_ROWS = 1500
"""The page lists at most about this many findings (all of them are in gaps.xlsx/csv)."""
MAX_RISK_ROWS = 200
"""Overdue and pending follow-up tables list at most this many companies."""

FOLLOWUP_LABELS = {"done": "已跟进 done", "pending": "待跟进 pending",
                   "overdue": "逾期未跟进 overdue", "n/a": "无需跟进 n/a"}


TEXT_FILE: dict[str, str] = {"encoding": "utf-8", "errors": "replace"}
"""How the report's text files are written: a character UTF-8 cannot hold (a lone
surrogate) becomes ``?`` instead of failing the run."""


class ReportError(RuntimeError):
    """The report could not be written (the previous one is left as it was)."""


class ReportBusy(ReportError):
    """Another run holds the lock of the output directory."""


# ---------------------------------------------------------------------------
# Locking, atomic files, log
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def report_lock(out_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``out_dir/.lock`` for the duration of the block.

    Parameters
    ----------
    out_dir : pathlib.Path
        The report directory (must exist).
    wait : float
        Seconds to wait for another run to finish; 0 fails at once.

    Raises
    ------
    ReportBusy
        When another process holds the lock (after ``wait`` seconds).
    """
    path = out_dir / LOCK_NAME
    fd = open_owned(path, os.O_RDWR | os.O_CREAT, 0o644)  # never through a planted symlink
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = _read_holder(path)
                    raise ReportBusy(
                        f"另一个报告任务正在运行 / another report run holds {path}"
                        + (f" ({holder})" if holder else "")
                        + (f"; waited {wait:g}s" if wait > 0 else
                           "; try again later or pass --wait SECONDS")) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {_now().isoformat(timespec='seconds')}\n"
                 .encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_holder(path: Path) -> str:
    return read_owned(path, 200).strip()


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a temporary name next to ``path``, fsync, then rename over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def point_latest(out_dir: Path, name: str) -> bool:
    """Point ``out_dir/latest`` at report folder ``name`` atomically; write ``latest.txt``.

    The symlink is relative (the directory can move) and replaces the old one
    with a single ``rename``, so readers see either the old or the new report.
    ``latest.txt`` (the folder name) is the fallback where symlinks are not
    possible. Returns False when the symlink could not be made.
    """
    _write_atomic(out_dir / LATEST_TXT, (name + "\n").encode(), mode=0o644)
    tmp = out_dir / f".{LATEST_NAME}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.symlink(name, tmp)
        os.replace(tmp, out_dir / LATEST_NAME)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    _fsync_dir(out_dir)
    return True


def latest_report(out_dir: str | Path) -> Path | None:
    """The folder ``latest`` points to (symlink, else ``latest.txt``), or None."""
    out_dir = Path(out_dir)
    link = out_dir / LATEST_NAME
    if is_own_link(link, FOLDER_RE) and _own_folder(out_dir / os.readlink(link)):
        return out_dir / os.readlink(link)
    if not (out_dir / LATEST_TXT).is_symlink():
        name = read_owned(out_dir / LATEST_TXT, 200).strip()
        if FOLDER_RE.match(name) and _own_folder(out_dir / name):
            return out_dir / name
    return None


def _own_folder(path: Path) -> bool:
    """A report folder the tool made: a real directory, not a symlink."""
    return path.is_dir() and not path.is_symlink()


def check_owned_entries(out_dir: Path) -> None:
    """Refuse symlinks planted where the report keeps its own files and folders.

    ``report.log``, ``latest.txt`` and the report folders are never symlinks when the
    tool made them, and ``latest`` is a symlink to a bare report-folder name;
    ``report.log`` must also be a plain file with one link (not a FIFO or a hard link to
    a file elsewhere). Anything else raises :class:`~graphmodel._safe_io.UnsafePathError` before a file is written
    (``.lock`` is checked when it is opened). What a symlink points to is never touched.
    """
    refuse_symlink(out_dir / LOG_NAME, "report.log")
    os.close(open_owned(out_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT))
    refuse_symlink(out_dir / LATEST_TXT, "latest.txt")
    link = out_dir / LATEST_NAME
    if link.is_symlink() and not is_own_link(link, FOLDER_RE):
        refuse_symlink(link, "latest must point to a report folder here")
    for child in out_dir.iterdir():
        if FOLDER_RE.match(child.name) and child.is_symlink():
            refuse_symlink(child, "a report folder")


def _remove_leftovers(out_dir: Path) -> list[str]:
    """Remove temporary folders and links of runs that were killed (call under the lock)."""
    removed = []
    for child in out_dir.iterdir():
        if child.name.startswith(TMP_PREFIX) and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
        elif child.name.startswith((f".{LATEST_NAME}-", f".{LATEST_TXT}.tmp-")):
            with contextlib.suppress(OSError):
                child.unlink()
            removed.append(child.name)
    return removed


def _log_value(value: object) -> str:
    text = str(value).replace("\n", " ").replace("\r", " ")
    if not text or re.search(r"[\s\"'=]", text):
        return json.dumps(text, ensure_ascii=False)
    return text


def append_log(out_dir: Path, **fields: object) -> str:
    """Append one ``key=value`` line (timestamp first) to ``out_dir/report.log``."""
    line = _now().isoformat(timespec="seconds") + " " + " ".join(
        f"{key}={_log_value(value)}" for key, value in fields.items()) + "\n"
    fd = open_owned(out_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))  # one write with O_APPEND: lines never interleave
    finally:
        os.close(fd)
    return line


def _pause(stage: str) -> None:
    """Test hook (:data:`PAUSE_ENV`): sleep at ``stage`` so a test can kill or race the run."""
    value = os.environ.get(PAUSE_ENV, "")
    if not value:
        return
    wanted, _, seconds = value.partition(":")
    if wanted.strip() != stage:
        return
    print(f"{PAUSE_ENV}: paused at {stage} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(seconds) if seconds else 60.0)


# ---------------------------------------------------------------------------
# Earlier reports, differences, history
# ---------------------------------------------------------------------------


@dataclass
class SavedReport:
    """A complete report folder found in the output directory."""

    name: str
    path: Path
    meta: dict[str, Any]
    findings: list[dict[str, Any]]

    @property
    def generated_at(self) -> str:
        return str(self.meta.get("generated_at", ""))

    @property
    def as_of(self) -> str:
        return str(self.meta.get("as_of", ""))


def saved_reports(out_dir: str | Path, dataset: str | None = None) -> list[SavedReport]:
    """Complete reports in ``out_dir`` (with ``meta.json`` and ``gaps.json``), oldest first.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The report directory.
    dataset : str, optional
        Keep only reports of this dataset name.
    """
    out_dir = Path(out_dir)
    found = []
    if not out_dir.is_dir():
        return found
    for child in out_dir.iterdir():
        if not FOLDER_RE.match(child.name) or not _own_folder(child):
            continue  # a symlink is never one of the tool's folders
        try:
            meta = json.loads((child / "meta.json").read_text(encoding="utf-8"))
            findings = json.loads((child / "gaps.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a complete report
        if dataset is not None and meta.get("dataset") != dataset:
            continue
        found.append(SavedReport(child.name, child, meta, findings))
    return sorted(found, key=lambda r: (r.generated_at, r.name))


def diff_findings(previous: Sequence[Mapping[str, Any]] | None,
                  found: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """New and resolved findings, compared by ``(gap, id)``.

    Parameters
    ----------
    previous : list of dict or None
        The previous report's ``gaps.json`` records (None: no previous report,
        so nothing is new or resolved).
    found : pandas.DataFrame
        This run's findings.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``new`` (rows of ``found``) and ``resolved`` (rows of ``previous``),
        both with the gap columns, sorted by gap then id.

    Examples
    --------
    >>> old = [{"gap": "stale_demand", "id": "D1", "name": "租赁", "grid_id": "G1",
    ...         "grid_name": "一", "detail": {}}]
    >>> now = pd.DataFrame([{"gap": "stale_demand", "id": "D2", "name": "招聘", "grid_id": "G1",
    ...                      "grid_name": "一", "detail": {}}])
    >>> new, resolved = diff_findings(old, now)
    >>> list(new["id"]), list(resolved["id"])
    (['D2'], ['D1'])
    """
    from graphmodel.gaps import GAP_COLUMNS

    if previous is None:
        return found.iloc[0:0].copy(), pd.DataFrame(columns=GAP_COLUMNS)
    before = pd.DataFrame(list(previous), columns=GAP_COLUMNS)
    old_keys = set(zip(before["gap"], before["id"], strict=True))
    new_keys = set(zip(found["gap"], found["id"], strict=True))
    new = found.loc[[k not in old_keys for k in zip(found["gap"], found["id"], strict=True)]
                    if len(found) else found.index[:0]]
    resolved = before.loc[[k not in new_keys for k in zip(before["gap"], before["id"],
                                                           strict=True)]
                          if len(before) else before.index[:0]]
    return (new.sort_values(["gap", "id"]).reset_index(drop=True),
            resolved.sort_values(["gap", "id"]).reset_index(drop=True))


def gap_history(reports: Sequence[SavedReport], current: Mapping[str, Any] | None = None
                ) -> pd.DataFrame:
    """Findings per gap in each report: the data of :func:`plot.plot_gap_history`.

    Parameters
    ----------
    reports : list of SavedReport
        Earlier reports (counts are taken from their ``gaps.json``).
    current : dict, optional
        This run: ``name``, ``generated_at``, ``as_of`` and ``counts`` (gap -> n).

    Returns
    -------
    pandas.DataFrame
        Columns ``report``, ``generated_at``, ``as_of``, ``gap``, ``count``;
        one row per report and gap (zero counts included).
    """
    from graphmodel.gaps import GAP_NAMES

    rows = []
    for report in reports:
        counts = {g: 0 for g in GAP_NAMES}
        for record in report.findings:
            counts[record.get("gap")] = counts.get(record.get("gap"), 0) + 1
        rows += [(report.name, report.generated_at, report.as_of, g, n)
                 for g, n in counts.items()]
    if current is not None:
        counts = {g: 0 for g in GAP_NAMES} | dict(current["counts"])
        rows += [(current["name"], current["generated_at"], current["as_of"], g, n)
                 for g, n in counts.items()]
    return pd.DataFrame(rows, columns=["report", "generated_at", "as_of", "gap", "count"])


# ---------------------------------------------------------------------------
# Who is responsible
# ---------------------------------------------------------------------------

STATION_KINDS = ("service_station", "service_center")


@dataclass
class Responsibility:
    """Lookups to name the organisations and workers responsible for a place.

    ``containers`` maps a place to the places that contain it (its building,
    grid and residential area; never the street), most specific first;
    ``covers`` a place to the organisations with an active COVERS link to it;
    ``within`` a place to the organisations located within it (in it or in
    anything it contains); ``assigned`` a place to the people with an active
    ASSIGNED_TO link to it.
    """

    containers: dict[str, list[str]]
    covers: dict[str, list[str]]
    within: dict[str, list[str]]
    assigned: dict[str, list[str]]
    parent: dict[str, str]
    org_names: dict[str, str]
    people: dict[str, str]

    def chain(self, place: str | None, grid: str | None = None,
              area: str | None = None) -> list[str]:
        """``place`` and its containers (building, grid, area), then ``grid`` and ``area``
        when given; most specific first."""
        steps: list[str] = []
        if place:
            steps.append(place)
            steps += [c for c in self.containers.get(place, []) if c not in steps]
        for extra in (grid, area):
            if extra and extra not in steps:
                steps.append(extra)
        return steps

    def organisations(self, place: str | None, grid: str | None, exclude: str | None = None,
                      area: str | None = None) -> list[str]:
        """Ids of organisations covering ``place`` or a container of it, then those located
        within the place or a container of it (its building, grid, area); most specific
        first."""
        chain = self.chain(place, grid, area)
        ids: list[str] = []
        for p in chain:
            ids += self.covers.get(p, [])
        if chain:
            ids += self.within.get(chain[0], [])
        if exclude in self.parent:
            ids.append(self.parent[exclude])
        for p in chain[1:]:
            ids += self.within.get(p, [])
        return [i for i in dict.fromkeys(ids) if i != exclude]

    def workers(self, place: str | None, grid: str | None, area: str | None = None) -> list[str]:
        """Ids of people with an active ASSIGNED_TO link to ``place`` or what contains it."""
        ids: list[str] = []
        for p in self.chain(place, grid, area):
            ids += self.assigned.get(p, [])
        return list(dict.fromkeys(ids))


CONTAINER_DEPTH = {"companies": 0, "buildings": 1, "grids": 2, "residential_areas": 3}
"""Order of containers, most specific first."""


def responsibility(ds: Dataset, as_of: dt.date | str | None) -> Responsibility:
    """Build the lookups of :class:`Responsibility` for ``as_of``.

    Follows the place hierarchy of the data contract (docs/data_contract.md):
    a residential area contains its micro-grids, a grid its buildings, a
    building its companies. Organisations: an active ``COVERS`` link to the
    place or one of its containers (building, grid, residential area; a link
    to the street covers nothing); located within the place; located within
    its building, grid or area (service stations and party organisations
    first). People: an active ``ASSIGNED_TO`` link to the place or one of its
    containers; only their name and public role are ever shown.
    """
    from graphmodel.gaps import active_links
    from graphmodel.plot import natural_key
    from graphmodel.queries import as_of_timestamp

    day = as_of_timestamp(as_of)
    depth = ds.entity_tables.map(CONTAINER_DEPTH)
    pairs = ds.containers.assign(depth=ds.containers["container"].map(depth).fillna(9))
    pairs = pairs.sort_values(["place", "depth"], kind="stable")
    containers: dict[str, list[str]] = {}
    for place, container in zip(pairs["place"], pairs["container"], strict=True):
        containers.setdefault(place, []).append(container)
    orgs = ds["organizations"]
    rank = {o: (0 if k in STATION_KINDS else 1 if s == "party" else 2, natural_key(o))
            for o, k, s in zip(orgs["id"], orgs["kind"], orgs["sector"], strict=True)}
    covers: dict[str, list[str]] = {}
    links = active_links(ds, day, ["COVERS"])
    for source, target in zip(links["source_id"], links["target_id"], strict=True):
        if source in rank:
            covers.setdefault(target, []).append(source)
    within: dict[str, list[str]] = {}
    for org, where in zip(orgs["id"], orgs["located_in"], strict=True):
        if not isinstance(where, str):
            continue
        for place in (where, *containers.get(where, [])):
            within.setdefault(place, []).append(org)
    for table in (covers, within):
        for key in table:
            table[key] = sorted(dict.fromkeys(table[key]), key=lambda o: rank[o])
    assigned: dict[str, list[str]] = {}
    people = ds["people"]
    person_ids = set(people["id"])
    links = active_links(ds, day, ["ASSIGNED_TO"])
    for source, target in zip(links["source_id"], links["target_id"], strict=True):
        if source in person_ids:
            assigned.setdefault(target, []).append(source)
    parent = {o: p for o, p in zip(orgs["id"], orgs["parent_id"], strict=True)
              if isinstance(p, str)}
    return Responsibility(
        containers=containers, covers=covers, within=within, assigned=assigned,
        parent=parent, org_names=dict(zip(orgs["id"], orgs["name"].astype(str), strict=True)),
        people={p: f"{n}（{r}）" for p, n, r in zip(people["id"], people["name"],
                                                    people["role"], strict=True)})


def finding_places(ds: Dataset, found: pd.DataFrame) -> pd.Series:
    """The place each finding is about: the demand's company, the liaison group's
    location, else the finding itself (a grid, area, building or company)."""
    demands = column_map(ds["demands"], "id", "company_id")
    orgs = column_map(ds["organizations"], "id", "located_in")
    places = []
    for gap, ident in zip(found["gap"], found["id"], strict=True):
        if gap == "stale_demand":
            places.append(demands.get(ident))
        elif str(gap).startswith("liaison_group"):
            places.append(orgs.get(ident))
        else:
            places.append(ident)
    return pd.Series([p if isinstance(p, str) else None for p in places], index=found.index,
                     dtype=object)


def _ids(found: pd.DataFrame, column: str) -> list[str | None]:
    if column not in found.columns:
        return [None] * len(found)
    return [v if isinstance(v, str) and v else None for v in found[column]]


def with_responsibility(ds: Dataset, found: pd.DataFrame, as_of: dt.date | str | None,
                        limit: int = 3, lookups: Responsibility | None = None) -> pd.DataFrame:
    """Findings with ``place_id``, ``orgs`` and ``workers`` (display strings) added."""
    lookups = lookups or responsibility(ds, as_of)
    places = finding_places(ds, found)
    org_text, worker_text = [], []
    for ident, place, grid, area in zip(found["id"], places, _ids(found, "grid_id"),
                                        _ids(found, "area_id"), strict=True):
        orgs = [lookups.org_names[o]
                for o in lookups.organisations(place, grid, exclude=ident, area=area)]
        org_text.append(_join(orgs, limit))
        people = [lookups.people[p] for p in lookups.workers(place, grid, area)]
        worker_text.append(_join(people, limit))
    result = found.copy()
    result["place_id"] = places
    result["orgs"] = org_text
    result["workers"] = worker_text
    return result


def _join(items: Sequence[str], limit: int) -> str:
    if not items:
        return ""
    shown = "、".join(items[:limit])
    return shown + (f" 等{len(items)}个 ({len(items)} in all)" if len(items) > limit else "")


# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return date_text(value)  # also after 9999-12-31 (a deadline past 9999)
    return str(value)


def detail_value(key: str, value: object, names: Mapping[str, str] | pd.Series | None = None
                 ) -> str:
    """A readable value of a finding's detail.

    Examples
    --------
    >>> detail_value("level", 4), detail_value("key_building", True)
    ('4 较不稳定（橙）', '是 yes')
    >>> detail_value("grid_kind", "business")
    '立体 business'
    """
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if key == "level" and isinstance(value, int) and 1 <= value <= 5:
        info = schema.risk_level_info(value)
        return f"{value} {info.label_zh}（{info.colour_zh}）"
    if key == "grid_kind":
        return {"residential": "平面 residential", "business": "立体 business",
                "building": "立体 business"}.get(str(value), str(value))
    if key == "status":
        return {"open": "未处理 open", "in_progress": "处理中 in progress",
                "resolved": "已解决 resolved"}.get(str(value), str(value))
    if key == "company_id" and names is not None:
        name = names.get(value) if hasattr(names, "get") else None
        return f"{value} {name}" if isinstance(name, str) else _text(value)
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return _text(value)


def flatten_detail(detail: Mapping[str, Any] | None,
                   names: Mapping[str, str] | pd.Series | None = None) -> str:
    """A finding's detail on one line: ``企业数 companies: 8; ...``.

    Examples
    --------
    >>> flatten_detail({"companies": 8, "visit_window_days": 180})
    '企业数 companies: 8; 走访窗口（天） visit window (days): 180'
    """
    if not isinstance(detail, Mapping):
        return ""
    return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {detail_value(k, v, names)}"
                     for k, v in detail.items())


def _gap_titles() -> dict[str, Any]:
    from graphmodel.gaps import GAP_NAMES
    from graphmodel.queries import get_query

    return {name: get_query(name) for name in GAP_NAMES}


def folder_name(started: dt.datetime, as_of: dt.date, out_dir: Path) -> str:
    """A new report folder name: ``YYYY-MM-DDTHHMMSS_as-of-DATE`` (``_2``… if taken).

    Examples
    --------
    >>> folder_name(dt.datetime(2026, 11, 29, 20, 15), dt.date(2026, 11, 29), Path("/nonexistent"))
    '2026-11-29T201500_as-of-2026-11-29'
    """
    base = f"{started.strftime('%Y-%m-%dT%H%M%S')}_as-of-{as_of.isoformat()}"
    name, n = base, 1
    while os.path.lexists(out_dir / name):  # a dangling symlink takes the name too
        n += 1
        name = f"{base}_{n}"
    return name


# ---------------------------------------------------------------------------
# The report's content
# ---------------------------------------------------------------------------


@dataclass
class ReportData:
    """Everything a report shows, computed once."""

    ds: Dataset
    as_of: dt.date
    backend: str
    params: dict[str, int]
    found: pd.DataFrame
    new: pd.DataFrame
    resolved: pd.DataFrame
    previous: SavedReport | None
    view: pd.DataFrame
    matrix: pd.DataFrame
    history: pd.DataFrame
    generated_at: str
    name: str
    neo4j_dataset: str | None = None
    lookups: Responsibility | None = None
    images: dict[str, bytes] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        from graphmodel.gaps import GAP_NAMES

        sizes = self.found.groupby("gap").size() if len(self.found) else pd.Series(dtype=int)
        return {g: int(sizes.get(g, 0)) for g in GAP_NAMES}

    @property
    def street(self) -> str:
        names = [str(n) for n in self.ds["streets"]["name"]]
        return "、".join(names) or self.ds.name


def collect(ds: Dataset, as_of: dt.date, found: pd.DataFrame, backend: str,
            params: Mapping[str, int], previous: SavedReport | None,
            earlier: Sequence[SavedReport], name: str, generated_at: str,
            neo4j_dataset: str | None = None) -> ReportData:
    """Compute what the report shows from the findings and the dataset."""
    from graphmodel import linkages
    from graphmodel.risk import risk_view

    followup = {k: v for k, v in params.items() if k.startswith("followup_days")}
    lookups = responsibility(ds, as_of)
    found = with_responsibility(ds, found, as_of, lookups=lookups)
    new, resolved = diff_findings(previous.findings if previous else None, found)
    view = risk_view(ds, as_of, **followup)
    matrix = linkages.sector_matrix_table(linkages.sector_matrix(ds, as_of))
    data = ReportData(ds=ds, as_of=as_of, backend=backend, params=dict(params), found=found,
                      new=new, resolved=resolved, previous=previous, view=view, matrix=matrix,
                      history=pd.DataFrame(), generated_at=generated_at, name=name,
                      neo4j_dataset=neo4j_dataset, lookups=lookups)
    data.history = gap_history(earlier, {"name": name, "generated_at": generated_at,
                                         "as_of": as_of.isoformat(), "counts": data.counts})
    return data


def report_figures(data: ReportData) -> dict[str, Figure]:
    """The report's charts as matplotlib Figures (no pyplot state), by file name."""
    from matplotlib.figure import Figure

    from graphmodel import plot

    plot.setup_cjk_font()
    figures: dict[str, Figure] = {}
    grids = min(max(data.found["grid_id"].nunique() if len(data.found) else 1, 1),
                plot.MAX_BARS)
    fig = Figure(figsize=(11, 2.6 + 0.36 * grids), layout="constrained")
    plot.plot_gaps_per_grid(data.found, ax=fig.add_subplot())
    figures["gaps_per_grid.png"] = fig
    rows = min(max(data.view["grid_id"].nunique() if len(data.view) else 1, 1), plot.MAX_BARS)
    fig = Figure(figsize=(11, 2.6 + 0.3 * rows), layout="constrained")
    plot.plot_risk_per_grid(data.view, ax=fig.add_subplot())
    figures["risk_per_grid.png"] = fig
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    plot.plot_gap_history(data.history, ax=fig.add_subplot())
    figures["gap_history.png"] = fig
    fig = Figure(figsize=(9.5, 8), layout="constrained")
    plot.plot_sector_matrix(data.matrix, ax=fig.add_subplot())
    figures["sector_matrix.png"] = fig
    streets = len(data.ds["streets"])
    size = (plot.network_layout(data.ds, data.as_of).size if streets <= 1
            else 16.0 if streets <= 40 else 20.0)
    fig = Figure(figsize=(size, size))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.97)
    plot.plot_network(data.ds, data.as_of, ax=fig.add_subplot())
    figures["network.png"] = fig
    return figures


def save_figures(figures: Mapping[str, Figure], folder: Path) -> dict[str, bytes]:
    """Save each figure as PNG into ``folder``; return the bytes by file name."""
    import warnings

    images = {}
    for filename, fig in figures.items():
        dpi = 150 if filename == "network.png" else 110
        with warnings.catch_warnings():  # an odd character in a name is drawn as a box
            warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
            fig.savefig(folder / filename, dpi=dpi, facecolor="white")
        images[filename] = (folder / filename).read_bytes()
    return images


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee4; --soft:#f4f6f8; --accent:#16a085; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.55;
  font-family: "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
  "WenQuanYi Micro Hei","Hiragino Sans GB",system-ui,-apple-system,"Segoe UI",sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 60px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h1 small { display:block; font-size: 17px; color: var(--muted); font-weight: normal; }
h2 { font-size: 21px; margin: 38px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h2 .en, h3 .en, th .en { color: var(--muted); font-weight: normal; }
h3 { font-size: 17px; margin: 26px 0 6px; }
.meta { color: var(--muted); font-size: 14px; }
.meta b { color: var(--ink); }
nav.toc { background: var(--soft); padding: 10px 16px; border-radius: 6px; font-size: 14px; }
nav.toc a { margin-right: 16px; color: #0b6e5d; text-decoration: none; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f2; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.zero td { color: #98a2ad; }
.desc { color: var(--muted); font-size: 12.5px; }
.badge { display:inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.new { background:#fde2e1; color:#b42318; }
.resolved { background:#dcfae6; color:#067647; }
.chip { display:inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,.2); }
.cards { display:flex; flex-wrap:wrap; gap: 10px; margin: 10px 0; }
.card { border:1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 140px; }
.card .n { font-size: 24px; font-weight: 700; }
.card .l { font-size: 12.5px; color: var(--muted); }
.grid-head { background: var(--soft); border-left: 4px solid var(--accent); padding: 8px 12px;
  margin-top: 22px; }
.grid-head h3, .grid-head h4 { margin: 0 0 4px; }
h4.sub { margin: 14px 0 4px; }
.resp { font-size: 13px; color: var(--ink); }
.resp b { color: var(--muted); font-weight: 600; }
figure { margin: 14px 0 24px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figure.wide .scroll { overflow: auto; max-height: 1500px; border: 1px solid var(--line); }
figure.wide img { max-width: none; width: 1900px; border: none; }
td.id { white-space: nowrap; }
td.name { min-width: 8em; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.note { font-size: 12.5px; color: var(--muted); }
.ok { color: #067647; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line);
  padding-top: 10px; }
@media print { nav.toc { display:none; } h2 { page-break-before: auto; }
  figure, table { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(visible_text(_text(value)), quote=True)


def _bi(zh: str, en: str) -> str:
    return f"{html.escape(zh)} <span class=\"en\">{html.escape(en)}</span>"


def _chip(hex_colour: str) -> str:
    return f'<span class="chip" style="background:{html.escape(hex_colour)}"></span>'


def _img(data: ReportData, filename: str, alt: str) -> str:
    raw = data.images.get(filename)
    if raw is None:
        return ""
    encoded = base64.b64encode(raw).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'


def _figure(data: ReportData, filename: str, caption: str = "", wide: bool = False) -> str:
    zh, en = CHARTS[filename]
    image = _img(data, filename, f"{zh} {en}")
    if wide:
        image = f"<div class=\"scroll\">{image}</div>"
    parts = [f"<figure id=\"fig-{filename[:-4]}\"" + (" class=\"wide\">" if wide else ">"),
             image,
             f"<figcaption>{_bi(zh, en)}"
             + (f" — {html.escape(caption)}" if caption else "")
             + f"（文件 file: <code>{html.escape(filename)}</code>）</figcaption></figure>"]
    return "".join(parts)


def render_html(data: ReportData) -> str:
    """The report page: one self-contained HTML document (all data escaped)."""
    queries = _gap_titles()
    counts = data.counts
    new_counts = data.new.groupby("gap").size().to_dict() if len(data.new) else {}
    resolved_counts = (data.resolved.groupby("gap").size().to_dict()
                       if len(data.resolved) else {})
    names = data.ds.names
    out: list[str] = []
    w = out.append
    title_zh = f"{data.street}治理网络覆盖缺口报告"
    w("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      f"<title>{html.escape(title_zh)} — {_e(data.as_of)}</title>\n<style>{CSS}</style>\n"
      "</head>\n<body>\n<main>\n")
    w("<header class=\"top\">"
      f"<h1>{html.escape(title_zh)}<small>Governance network coverage gap report — "
      f"{html.escape(data.street)}</small></h1>"
      f"<div class=\"meta\">评估日期 as of <b>{_e(data.as_of)}</b> · 数据集 dataset "
      f"<b>{_e(data.ds.name)}</b> · 后端 backend <b>{_e(data.backend)}</b>"
      + (f"（Neo4j dataset <b>{_e(data.neo4j_dataset)}</b>）" if data.neo4j_dataset else "")
      + f" · 生成时间 generated <b>{_e(data.generated_at)}</b> · 报告 report "
      f"<b>{_e(data.name)}</b></div>"
      f"<div class=\"meta\">参数 parameters: "
      + html.escape(", ".join(f"{k}={v}" for k, v in data.params.items()))
      + "</div></header>\n")
    w("<nav class=\"toc\"><a href=\"#summary\">概览 Summary</a>"
      "<a href=\"#changes\">变化 Changes</a><a href=\"#by-grid\">按网格 By grid</a>"
      "<a href=\"#risk\">五色风险 Five-colour risk</a><a href=\"#charts\">图表 Charts</a>"
      "<a href=\"#network\">网络图 Network map</a><a href=\"#files\">文件 Files</a></nav>\n")

    # summary
    total = sum(counts.values())
    w(f"<h2 id=\"summary\">{_bi('概览', 'Summary')}</h2>")
    overdue = int((data.view["followup"] == "overdue").sum())
    w("<div class=\"cards\">" + _card(total, "覆盖缺口 findings")
      + _card(sum(1 for n in counts.values() if n), "涉及缺口类型 gap types found")
      + _card(len(data.new), "新增 new") + _card(len(data.resolved), "已解决 resolved")
      + _card(overdue, "风险逾期未跟进 overdue follow-ups") + "</div>")
    w("<table><thead><tr><th>缺口 <span class=\"en\">gap</span></th>"
      "<th>说明 <span class=\"en\">description</span></th>"
      "<th class=\"num\">数量 <span class=\"en\">count</span></th>"
      "<th class=\"num\">新增 <span class=\"en\">new</span></th>"
      "<th class=\"num\">已解决 <span class=\"en\">resolved</span></th></tr></thead><tbody>")
    for gap, query in queries.items():
        n = counts.get(gap, 0)
        w(f"<tr class=\"{'zero' if not n else ''}\"><td><b>{_e(query.title_zh)}</b><br>"
          f"{_e(query.title_en)}<br><code class=\"desc\">{_e(gap)}</code></td>"
          f"<td class=\"desc\">{_e(query.description_zh)}<br>{_e(query.description)}</td><td class=\"num\"><b>{n}</b></td>"
          f"<td class=\"num\">{_delta(new_counts.get(gap, 0), 'new')}</td>"
          f"<td class=\"num\">{_delta(resolved_counts.get(gap, 0), 'resolved')}</td></tr>")
    w("</tbody></table>")

    # changes
    w(f"<h2 id=\"changes\">{_bi('与上次报告相比', 'Changes since the previous report')}</h2>")
    if data.previous is None:
        w("<p>这是此目录中该数据集的第一份报告，没有可比较的上次报告。<br>"
          "<span class=\"en\">This is the first report of this dataset in the directory: "
          "nothing to compare with.</span></p>")
    else:
        prev = data.previous
        w(f"<p class=\"meta\">上次报告 previous report: <b>{_e(prev.name)}</b>（评估日期 as of "
          f"{_e(prev.as_of)}，生成 generated {_e(prev.generated_at)}）— "
          f"新增 new <b>{len(data.new)}</b>，已解决 resolved <b>{len(data.resolved)}</b>"
          "（按缺口类型与编号比较 compared by gap and id）</p>")
        for frame, zh, en, css in ((data.new, "新增缺口", "New findings", "new"),
                                   (data.resolved, "已解决缺口", "Resolved findings",
                                    "resolved")):
            w(f"<h3>{_bi(zh, en)} — {len(frame)}</h3>")
            if not len(frame):
                w("<p class=\"note\">无 none</p>")
                continue
            w("<table><thead><tr><th>缺口 gap</th><th>编号 id</th><th>名称 name</th>"
              "<th>网格 grid</th><th>居民区 area</th><th>详情 detail</th></tr></thead><tbody>")
            for row in frame.itertuples(index=False):
                query = queries.get(row.gap)
                w(f"<tr><td><span class=\"badge {css}\">{'新' if css == 'new' else '已解决'}"
                  f"</span> {_e(query.title_zh if query else row.gap)}</td>"
                  f"<td class=\"id\">{_e(row.id)}</td>"
                  f"<td>{_e(row.name)}</td><td>{_e(row.grid_name)}</td>"
                  f"<td>{_e(getattr(row, 'area_name', None))}</td>"
                  f"<td class=\"desc\">{_e(flatten_detail(row.detail, names))}</td></tr>")
            w("</tbody></table>")

    # by area and grid
    w(f"<h2 id=\"by-grid\">{_bi('按网格列出的缺口（平面网格归入其居民区）', 'Findings by grid (residential grids grouped by their area)')}</h2>")
    w("<p class=\"note\">先列各居民区（居民区本身的缺口，再按其平面网格），再列各立体网格（商务楼宇），最后是街道层面。"
      "责任组织：对该地点或其所在楼宇、网格、居民区有有效“服务覆盖 COVERS”关系的组织，"
      "以及位于该地点或其所在楼宇、网格、居民区内的组织（服务站与党组织优先）；包干人员：对该地点或其所在"
      "楼宇、网格、居民区有有效“包干负责 ASSIGNED_TO”关系的人员（仅姓名与公开职务）。<br>"
      "Residential areas first (findings about the area itself, then by its micro-grids), then "
      "the business grids over the office towers, then the street level. Responsible "
      "organisations: those with an active COVERS link to the place or to its building, grid "
      "or residential area, and those located within the place or within its building, grid "
      "or area (service stations and party organisations first). Assigned workers: people "
      "with an active ASSIGNED_TO link to the place or to its building, grid or area (name "
      "and public role only).</p>")
    if not len(data.found):
        w("<p class=\"ok\">未发现覆盖缺口 / no coverage gaps found.</p>")
    else:
        _grid_sections(data, queries, w)

    # risk
    _risk_section(data, w)

    # charts
    w(f"<h2 id=\"charts\">{_bi('图表', 'Charts')}</h2>")
    w(_figure(data, "gaps_per_grid.png"))
    w(_figure(data, "gap_history.png", "此目录中同一数据集的历次报告 reports of this dataset "
                                        "in this directory"))
    w(_figure(data, "sector_matrix.png", "在评估日期有效的关系 links active on the as-of date"))

    # network
    w(f"<h2 id=\"network\">{_bi('治理网络图', 'Network map')}</h2>")
    w("<p class=\"note\">街道居中；每个居民区是一个绿色扇区，内含其平面网格（居民区在内环，网格在其外），其后是"
      "商务楼宇的立体网格；楼宇在其网格的扇区内，组织位于所在地点旁的外环；全街道层面的组织在中心小环。"
      "彩色曲线是评估日期有效的跨领域关系，虚线是服务覆盖。"
      "楼宇颜色为其企业最新评估的最高五色等级，大小为企业数。<br>The street is in the centre; each "
      "residential area is a green sector holding its micro-grids (the area on the inner ring, "
      "its grids beyond), followed by the business grids over the office towers; buildings "
      "sit inside their grid's sector, organisations on the outer ring next to where they "
      "are; street-wide organisations on the small central ring. Coloured curves are "
      "cross-sector links active "
      "on the as-of date, dashed lines service coverage. A building's colour is the worst "
      "latest five-colour level of its companies; its size, how many it houses. Open "
      "<code>network.png</code> for full resolution.</p>")
    w(_figure(data, "network.png", "可在框内滚动查看 scroll inside the frame", wide=True))

    # files
    w(f"<h2 id=\"files\">{_bi('本报告文件', 'Files of this report')}</h2><ul>")
    files = [("report.html", "本页 this page"),
             ("gaps.xlsx", "工作表：汇总及每类缺口一页，含分派与跟踪列 workbook to assign and track"),
             ("gaps.json", "机器可读结果（同 graphmodel gaps --format json）machine output"),
             ("gaps.csv", "机器可读结果（同 graphmodel gaps --format csv）machine output"),
             ("meta.json", "评估日期、数据集与计数 as of, dataset and counts")]
    files += [(f, f"{zh} {en}") for f, (zh, en) in CHARTS.items()]
    for filename, what in files:
        w(f"<li><a href=\"{html.escape(filename)}\"><code>{html.escape(filename)}</code></a> — "
          f"{html.escape(what)}</li>")
    w("</ul>")
    w("<footer>由 graphmodel 生成 · generated by graphmodel. 报告只列出有公开职务人员的姓名与职务，"
      "不含任何个人的民族等个人信息；民族人口仅以居民区汇总数出现。<br>Only names and public roles "
      "of people with a public role appear; no personal data such as a person's ethnicity. "
      "Ethnic population appears only as area totals.</footer>\n")
    w("</main>\n</body>\n</html>\n")
    return "".join(out)


def _card(number: int, label: str) -> str:
    return (f"<div class=\"card\"><div class=\"n\">{number}</div>"
            f"<div class=\"l\">{html.escape(label)}</div></div>")


def _delta(n: int, css: str) -> str:
    if not n:
        return "0"
    sign = "+" if css == "new" else "−"
    return f"<span class=\"badge {css}\">{sign}{n}</span>"


def _place_units(ds: Dataset, found: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
    """The report's sections: ``(kind, id, grids)`` for each residential area holding
    findings (``kind`` "area", with its micro-grids holding findings), each other grid
    ("grid") and the street level ("street", id ""); the areas first, then the grids,
    each part with the most findings first."""
    from graphmodel.plot import natural_key

    grid_ids, area_ids = _ids(found, "grid_id"), _ids(found, "area_id")
    grid_area = {g: a for g, a in zip(ds["grids"]["id"], ds["grids"]["area_id"], strict=True)
                 if isinstance(a, str)}
    per_area: dict[str, int] = {}
    per_grid: dict[str, int] = {}
    street = 0
    for grid, area in zip(grid_ids, area_ids, strict=True):
        area = area or grid_area.get(grid or "")
        if grid:
            per_grid[grid] = per_grid.get(grid, 0) + 1
        if area:
            per_area[area] = per_area.get(area, 0) + 1
        if not grid and not area:
            street += 1
    units: list[tuple[str, str, list[str]]] = []
    for area in sorted(per_area, key=lambda a: (-per_area[a], natural_key(a))):
        grids = [g for g in per_grid if grid_area.get(g) == area]
        units.append(("area", area, sorted(grids, key=lambda g: (-per_grid[g], natural_key(g)))))
    others = [g for g in per_grid if g not in grid_area]
    for grid in sorted(others, key=lambda g: (-per_grid[g], natural_key(g))):
        units.append(("grid", grid, [grid]))
    if street:
        units.append(("street", "", []))
    return units


def _grid_sections(data: ReportData, queries: Mapping[str, Any], w: Any) -> None:
    """Findings by residential area (then by its micro-grids), by business grid, then those
    of the street level."""
    lookups = data.lookups or responsibility(data.ds, data.as_of)
    names = data.ds.names
    new_keys = set(zip(data.new["gap"], data.new["id"], strict=True))
    found = data.found
    grid_key = pd.Series(_ids(found, "grid_id"), index=found.index, dtype=object).fillna("")
    grid_area = column_map(data.ds["grids"], "id", "area_id").dropna()
    area_key = pd.Series(_ids(found, "area_id"), index=found.index, dtype=object)
    area_key = area_key.fillna(grid_key.map(grid_area)).fillna("")
    units = _place_units(data.ds, found)

    def name_of(place: str) -> str:
        return str(names.get(place, place))

    def count(kind: str, place: str) -> int:
        if kind == "area":
            return int((area_key == place).sum())
        if kind == "grid":
            return int((grid_key == place).sum())
        return int(((grid_key == "") & (area_key == "")).sum())

    w("<p class=\"meta\">" + " · ".join(
        f"<a href=\"#{kind}-{_e(place or 'none')}\">"
        f"{_e(name_of(place) if place else '街道层面 street level')}</a>"
        + (" <span class=\"desc\">居民区 area</span>" if kind == "area" else "")
        + f" {count(kind, place)}" for kind, place, _ in units) + "</p>")
    shown = 0

    def head(tag: str, anchor: str, title: str, subtitle: str, rows: int,
             place: str | None, area: str | None = None) -> None:
        w(f"<div class=\"grid-head\" id=\"{_e(anchor)}\"><{tag}>{_e(title)} "
          f"<span class=\"en\">{_e(subtitle)} — {rows} findings</span></{tag}>")
        if place:
            orgs = [lookups.org_names[o] for o in lookups.organisations(place, None, area=area)]
            people = [lookups.people[p] for p in lookups.workers(place, None, area)]
            w(f"<div class=\"resp\"><b>责任组织 responsible organisations:</b> "
              f"{_e(_join(orgs, 4)) or '无 none'}<br><b>包干人员 assigned:"
              f"</b> {_e(_join(people, 4)) or '无 none'}</div>")
        w("</div>")

    def table(rows: pd.DataFrame) -> None:
        w("<table><thead><tr><th>缺口 gap</th><th>编号 id</th><th>名称 name</th>"
          "<th>详情 detail</th><th>责任组织 responsible organisation</th>"
          "<th>包干人员 assigned worker</th></tr></thead><tbody>")
        for row in rows.itertuples(index=False):
            query = queries.get(row.gap)
            badge = (" <span class=\"badge new\">新 new</span>"
                     if (row.gap, row.id) in new_keys else "")
            w(f"<tr><td>{_e(query.title_zh if query else row.gap)}<br>"
              f"<span class=\"desc\">{_e(query.title_en if query else '')}</span>{badge}</td>"
              f"<td class=\"id\">{_e(row.id)}</td><td class=\"name\">{_e(row.name)}</td>"
              f"<td class=\"desc\">{_e(flatten_detail(row.detail, names))}</td>"
              f"<td>{_e(row.orgs) or '无 none'}</td><td>{_e(row.workers) or '无 none'}</td></tr>")
        w("</tbody></table>")

    for kind, place, grids in units:
        if shown >= MAX_HTML_ROWS:
            w(f"<p class=\"note\">另有 {len(found) - shown} 条缺口未在本页列出，完整清单见 gaps.xlsx / "
              f"gaps.csv。<br>{len(found) - shown} more findings are not listed on this page; "
              "see gaps.xlsx or gaps.csv for all of them.</p>")
            break
        if kind == "street":
            rows = found[(grid_key == "") & (area_key == "")]
            shown += len(rows)
            head("h3", "street-none", "街道层面 / 无网格", "street level / no grid", len(rows),
                 None)
            table(rows)
        elif kind == "grid":
            rows = found[grid_key == place]
            shown += len(rows)
            head("h3", f"grid-{place}", name_of(place), f"{place} · 网格 grid", len(rows), place)
            table(rows)
        else:
            in_area = found[area_key == place]
            head("h3", f"area-{place}", name_of(place), f"{place} · 居民区 residential area",
                 len(in_area), place, place)
            own = in_area[in_area.index.isin(found.index[grid_key == ""])]
            if len(own):
                shown += len(own)
                w(f"<h4 class=\"sub\">{_e(name_of(place))}（居民区本身 the area itself）</h4>")
                table(own)
            for grid in grids:
                rows = in_area[grid_key[in_area.index] == grid]
                shown += len(rows)
                head("h4", f"grid-{grid}", f"{name_of(place)} · {name_of(grid)}",
                     f"{grid} · 平面网格 residential grid", len(rows), grid, place)
                table(rows)


def _risk_section(data: ReportData, w: Any) -> None:
    from graphmodel.risk import level_title

    view = data.view
    lookups = data.lookups or responsibility(data.ds, data.as_of)
    area_names = data.ds.place_area.map(data.ds.names)
    w(f"<h2 id=\"risk\">{_bi('五色风险分布与跟进', 'Five-colour risk and follow-up')}</h2>")
    w("<p class=\"note\">每家企业在评估日期前的最新评估；橙色（4级）与红色（5级）须在期限内走访或解决诉求。"
      "逾期未跟进即“高风险企业未及时跟进”缺口。<br>Each company's latest assessment on or before "
      "the as-of date; orange (4) and red (5) need a visit or a resolved demand before the "
      f"deadline (orange {data.params.get('followup_days_orange', '')} days, red "
      f"{data.params.get('followup_days_red', '')} days). Overdue = the "
      "risk_without_followup gap.</p>")
    total = len(view)
    levels = view["level"].value_counts().to_dict() if total else {}
    w("<table><thead><tr><th>等级 level</th><th>颜色 colour</th>"
      "<th class=\"num\">企业数 companies</th><th class=\"num\">占比 share</th></tr></thead>"
      "<tbody>")
    for r in schema.RISK_LEVELS:
        n = int(levels.get(r.level, 0))
        share = f"{n / total:.0%}" if total else "–"
        w(f"<tr><td>{_chip(r.hex)}{_e(level_title(r.level))} {_e(r.label_en)}</td>"
          f"<td>{_e(r.colour_zh)} {_e(r.colour_en)}</td><td class=\"num\">{n}</td>"
          f"<td class=\"num\">{share}</td></tr>")
    unassessed = len(data.ds["companies"]) - total
    w(f"<tr><td colspan=\"2\">合计已评估 assessed（未评估 not assessed: {unassessed}）</td>"
      f"<td class=\"num\"><b>{total}</b></td><td></td></tr></tbody></table>")
    states = view["followup"].value_counts().to_dict() if total else {}
    w("<div class=\"cards\">" + "".join(
        f"<div class=\"card\"><div class=\"n\">{int(states.get(s, 0))}</div>"
        f"<div class=\"l\">{_e(FOLLOWUP_LABELS[s])}</div></div>"
        for s in ("overdue", "pending", "done")) + "</div>")
    for state, zh, en in (("overdue", "逾期未跟进", "Overdue follow-ups"),
                          ("pending", "待跟进（未到期）", "Pending follow-ups (not yet due)")):
        rows = view[view["followup"] == state].sort_values(["deadline", "company_id"])
        w(f"<h3>{_bi(zh, en)} — {len(rows)}</h3>")
        if not len(rows):
            w("<p class=\"note\">无 none</p>")
            continue
        if len(rows) > MAX_RISK_ROWS:
            w(f"<p class=\"note\">仅列出期限最早的 {MAX_RISK_ROWS} 家 / the {MAX_RISK_ROWS} with "
              "the earliest deadline are listed; 逾期的全部企业见 gaps.xlsx（高风险企业未及时跟进）/ "
              "every overdue company is in gaps.xlsx (risk_without_followup).</p>")
            rows = rows.iloc[:MAX_RISK_ROWS]
        w("<table><thead><tr><th>企业 company</th><th>楼宇 building</th>"
          "<th>网格 grid（居民区 area）</th>"
          "<th>等级 level</th><th>评估日期 assessed</th><th>跟进期限 deadline</th>"
          f"<th class=\"num\">{'逾期天数 days late' if state == 'overdue' else '剩余天数 days left'}"
          "</th><th>评估理由 reason</th><th>包干人员 assigned worker</th></tr></thead><tbody>")
        day = pd.Timestamp(data.as_of)
        for row in rows.itertuples(index=False):
            info = schema.risk_level_info(int(row.level))
            days = (day - row.deadline).days if state == "overdue" else (row.deadline - day).days
            grid = row.grid_id if isinstance(row.grid_id, str) else None
            people = [lookups.people[p] for p in lookups.workers(row.company_id, grid)]
            area = area_names.get(row.company_id)
            w(f"<tr><td>{_e(row.company_name)}<br><span class=\"desc\">{_e(row.company_id)}"
              f"</span></td><td>{_e(row.building_name)}</td><td>{_e(row.grid_name)}"
              + (f"<br><span class=\"desc\">{_e(area)}</span>" if isinstance(area, str) else "")
              + "</td>"
              f"<td>{_chip(info.hex)}{_e(level_title(info.level))}</td>"
              f"<td>{_e(row.assessed_on)}</td><td>{_e(row.deadline)}</td>"
              f"<td class=\"num\">{days}</td><td class=\"desc\">{_e(row.reason)}</td>"
              f"<td>{_e(_join(people, 3)) or '无 none'}</td></tr>")
        w("</tbody></table>")
    w(_figure(data, "risk_per_grid.png"))


# ---------------------------------------------------------------------------
# Excel workbook
# ---------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_title(title: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "sheet"
    name, n = title, 1
    while name in taken:
        n += 1
        name = f"{title[:28]}_{n}"
    taken.add(name)
    return name


DATE_KEYS = ("assessed_on", "deadline", "raised_on")


def _excel_value(key: str, value: object, names: Mapping[str, str] | pd.Series | None
                 ) -> object:
    """A detail value for a cell: numbers and dates stay numbers and dates (sortable)."""
    if isinstance(value, int) and not isinstance(value, bool) and key != "level":
        return value
    if key in DATE_KEYS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    return detail_value(key, value, names)


def _as_text(cells: Sequence[Any]) -> None:
    """Keep data that looks like a formula (``=...``, ``+...``, ``@...``) as text: never run
    it in Excel (:func:`graphmodel._safe_io.mark_text_cells`)."""
    mark_text_cells(cells)


def _append(ws: Any, values: Sequence[Any]) -> None:
    """Append a row of data: text an xlsx cell cannot hold is replaced
    (:func:`graphmodel._safe_io.xlsx_value`) and formula-like text stays text."""
    ws.append([xlsx_value(v) for v in values])
    _as_text(ws[ws.max_row])


def _header_text(text: str) -> str:
    """Text for a page header or footer: ``&`` is a code there, and Excel allows 255
    characters in all."""
    return xlsx_text(text).replace("&", "&&")[:200]


def write_workbook(data: ReportData, path: Path) -> None:
    """``gaps.xlsx``: a summary sheet and one sheet per gap, ready to print and fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    queries = _gap_titles()
    names = data.ds.names
    counts = data.counts
    new_keys = set(zip(data.new["gap"], data.new["id"], strict=True))
    new_counts = data.new.groupby("gap").size().to_dict() if len(data.new) else {}
    resolved_counts = (data.resolved.groupby("gap").size().to_dict()
                       if len(data.resolved) else {})
    thin = Side(style="thin", color="A6AEB7")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="16705F")
    work_fill = PatternFill("solid", fgColor="FFF7D6")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    summary.title = _sheet_title("汇总 Summary", taken)
    sheet_of = {gap: _sheet_title(q.title_zh, taken) for gap, q in queries.items()}

    def style_sheet(ws: Any, headers: Sequence[str], widths: Sequence[int], freeze: str,
                    title: str) -> None:
        for col, width in enumerate(widths, start=1):
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill, cell.border = header_font, header_fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[1].height = 34
        for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=len(headers)):
            for cell in row:
                cell.border = border
                cell.alignment = wrap
        ws.freeze_panes = freeze
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddHeader.center.text = _header_text(title)
        ws.oddHeader.center.size = 11
        ws.oddFooter.left.text = _header_text(f"{data.ds.name} · as of {data.as_of.isoformat()}")
        ws.oddFooter.right.text = "第 &P 页 / 共 &N 页"

    headers = ["缺口 gap", "名称 title", "Title (English)", "数量 count", "新增 new",
               "已解决 resolved", "说明 description", "工作表 sheet"]
    summary.append(headers)
    for gap, query in queries.items():
        _append(summary, [gap, query.title_zh, query.title_en, counts.get(gap, 0),
                          int(new_counts.get(gap, 0)), int(resolved_counts.get(gap, 0)),
                          f"{query.description_zh}\n{query.description}".strip(),
                          sheet_of[gap]])
    summary.append(["合计 total", "", "", sum(counts.values()), len(data.new),
                    len(data.resolved), "", ""])
    last = summary.max_row
    style_sheet(summary, headers, [30, 24, 34, 9, 9, 10, 70, 24], "B2",
                f"{data.street} 覆盖缺口汇总 Summary — {data.as_of.isoformat()}")
    for cell in summary[last]:
        cell.font = Font(bold=True)
    for row in range(2, last):
        link = summary.cell(row=row, column=8)
        link.hyperlink = f"#'{link.value}'!A1"
        link.font = Font(color="0B6E5D", underline="single")
    info = [("数据集 dataset", data.ds.name), ("街道 street", data.street),
            ("评估日期 as of", data.as_of.isoformat()), ("生成时间 generated", data.generated_at),
            ("后端 backend", data.backend + (f" ({data.neo4j_dataset})"
                                             if data.neo4j_dataset else "")),
            ("参数 parameters", ", ".join(f"{k}={v}" for k, v in data.params.items())),
            ("上次报告 previous report", data.previous.name if data.previous else "无 none"),
            ("报告 report", data.name)]
    summary.append([])
    for key, value in info:
        _append(summary, [key, value])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)

    found = data.found
    for gap, query in queries.items():
        ws = wb.create_sheet(sheet_of[gap])
        rows = found[found["gap"] == gap]
        keys: list[str] = []
        for detail in rows["detail"]:
            if isinstance(detail, Mapping):
                keys += [k for k in detail if k not in keys]
        headers = (["序号 No.", "缺口 gap", "编号 id", "名称 name", "网格 grid", "居民区 area",
                    "责任组织 responsible organisation", "包干人员 assigned worker"]
                   + [DETAIL_LABELS.get(k, k) for k in keys] + ["新增 new"] + list(WORK_COLUMNS))
        ws.append(headers)
        for i, row in enumerate(rows.itertuples(index=False), start=1):
            detail = row.detail if isinstance(row.detail, Mapping) else {}
            _append(ws, [i, query.title_zh, row.id, _text(row.name), _text(row.grid_name),
                         _text(getattr(row, "area_name", None)),
                         row.orgs or "无 none", row.workers or "无 none"]
                        + [_excel_value(k, detail[k], names) if k in detail else ""
                           for k in keys]
                        + ["新 new" if (gap, row.id) in new_keys else "", "", None, "", ""])
        widths = [6, 16, 13, 28, 18, 14, 36, 24] + [max(12, min(24, _display_width(
            DETAIL_LABELS.get(k, k)) // 2 + 4)) for k in keys] + [8, 12, 12, 13, 26]
        style_sheet(ws, headers, widths, "E2",
                    f"{query.title_zh} {query.title_en} — {data.as_of.isoformat()}")
        first_work = len(headers) - len(WORK_COLUMNS) + 1
        for col in range(first_work, len(headers) + 1):
            ws.cell(row=1, column=col).fill = PatternFill("solid", fgColor="B7791F")
            for r in range(2, max(ws.max_row, 2) + 1):
                ws.cell(row=r, column=col).fill = work_fill
                ws.cell(row=r, column=col).border = border
        due = get_column_letter(first_work + 1)
        status = get_column_letter(first_work + 2)
        end = max(ws.max_row, 2) + 200
        dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)",
                               allow_blank=True, errorTitle="日期 date",
                               error="请输入日期 enter a date (YYYY-MM-DD)")
        dates.add(f"{due}2:{due}{end}")
        choices = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"',
                                 allow_blank=True)
        choices.add(f"{status}2:{status}{end}")
        ws.add_data_validation(dates)
        ws.add_data_validation(choices)
        if not len(rows):
            ws.cell(row=2, column=4, value="未发现 none found")
        last = max(ws.max_row, 2)
        for r in range(2, last + 1):
            ws[f"{due}{r}"].number_format = "yyyy-mm-dd"
            for cell in ws[r]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        right = get_column_letter(len(headers))
        ws.auto_filter.ref = f"A1:{right}{last}"
        ws.print_area = f"A1:{right}{last}"
    wb.save(path)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class ReportResult:
    """What a successful run wrote."""

    path: Path
    name: str
    dataset: str
    as_of: dt.date
    backend: str
    counts: dict[str, int]
    new: pd.DataFrame
    resolved: pd.DataFrame
    previous: str | None
    seconds: float
    latest_symlink: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def compute_gaps(ds: Dataset, as_of: dt.date, params: Mapping[str, int],
                 backend: str = "embedded", neo4j_dataset: str | None = None,
                 conn: Any = None) -> pd.DataFrame:
    """The findings from the embedded backend, or from Neo4j for ``neo4j_dataset``."""
    if backend == "embedded":
        from graphmodel.gaps import gaps

        return gaps(ds, as_of=as_of, **params)
    if backend == "neo4j":
        from graphmodel import neo4j_backend

        name = neo4j_dataset or ds.name
        loaded = neo4j_backend.datasets(conn)
        if name not in set(loaded.get("dataset", [])):
            raise ReportError(f"Neo4j 中没有数据集 / dataset {name!r} is not loaded in Neo4j; "
                              f"load it first: graphmodel neo4j load --dataset {name}")
        return neo4j_backend.gaps(name, as_of, None, conn, **params)
    raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")


def build_report(ds: Dataset, out_dir: str | Path, as_of: dt.date | str | None = None,
                 backend: str = "embedded", neo4j_dataset: str | None = None,
                 params: Mapping[str, int] | None = None, conn: Any = None,
                 wait: float = 0.0) -> ReportResult:
    """Write a report folder into ``out_dir`` and point ``latest`` at it.

    Parameters
    ----------
    ds : Dataset
        The dataset (names, places, risk and the map always come from it).
    out_dir : str or pathlib.Path
        Report directory (created if needed).
    as_of : datetime.date or str, optional
        Evaluation date (default today).
    backend : {"embedded", "neo4j"}
        Where the gaps are computed.
    neo4j_dataset : str, optional
        Dataset name in Neo4j (default ``ds.name``).
    params : dict, optional
        Gap parameters (else the defaults of the gap definitions, docs/gaps.md).
    conn : neo4j_backend.Connection, optional
        Neo4j connection (default from the environment).
    wait : float
        Seconds to wait for the lock when another run holds it (0: fail at once).

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportBusy
        Another run holds the lock.
    ReportError, Neo4jError, OSError
        The run failed; the previous report and ``latest`` are untouched and the
        temporary folder is removed.
    """
    from graphmodel.queries import parse_as_of, resolve_params

    started = time.monotonic()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day = parse_as_of(as_of)
    params = resolve_params(**dict(params or {}))
    fields: dict[str, object] = {"dataset": ds.name, "as_of": day.isoformat(),
                                 "backend": backend}
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")
    try:
        with report_lock(out_dir, wait):
            return _run(ds, out_dir, day, backend, neo4j_dataset, params, conn, fields, started)
    except ReportBusy as exc:
        append_log(out_dir, status="busy", **fields, error=str(exc))
        raise
    except UnsafePathError as exc:
        if exc.filename == str(out_dir / LOCK_NAME):  # _run logs its own refusals
            with contextlib.suppress(OSError):
                append_log(out_dir, status="refused", **fields, error=str(exc))
        raise


def _run(ds: Dataset, out_dir: Path, day: dt.date, backend: str, neo4j_dataset: str | None,
         params: dict[str, int], conn: Any, fields: dict[str, object],
         started: float) -> ReportResult:
    """The body of :func:`build_report`, run under the lock."""
    from graphmodel.gaps import findings_to_csv, findings_to_json

    tmp: Path | None = None
    try:
        check_owned_entries(out_dir)
        _remove_leftovers(out_dir)
        _pause("after_lock")
        now = _now()
        name = folder_name(now.replace(tzinfo=None), day, out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir))
        found = compute_gaps(ds, day, params, backend, neo4j_dataset, conn)
        _pause("after_gaps")
        earlier = saved_reports(out_dir, ds.name)
        previous = earlier[-1] if earlier else None
        data = collect(ds, day, found, backend, params, previous, earlier, name,
                       now.isoformat(timespec="seconds"),
                       (neo4j_dataset or ds.name) if backend == "neo4j" else None)
        (tmp / "gaps.json").write_text(findings_to_json(found) + "\n", **TEXT_FILE)
        (tmp / "gaps.csv").write_text(findings_to_csv(found), **TEXT_FILE)
        figures = report_figures(data)
        data.images = save_figures(figures, tmp)
        figures.clear()
        _pause("after_charts")
        write_workbook(data, tmp / "gaps.xlsx")
        (tmp / "report.html").write_text(render_html(data), **TEXT_FILE)
        meta = {
            "format": REPORT_FORMAT,
            "report": name,
            "dataset": ds.name,
            "dataset_path": str(ds.path),
            "street": data.street,
            "as_of": day.isoformat(),
            "generated_at": data.generated_at,
            "backend": backend,
            "neo4j_dataset": data.neo4j_dataset,
            "params": params,
            "counts": data.counts,
            "total": int(sum(data.counts.values())),
            "new": len(data.new),
            "resolved": len(data.resolved),
            "previous": previous.name if previous else None,
            "files": sorted([p.name for p in tmp.iterdir()] + ["meta.json"]),
        }
        # meta.json last: a folder without it is not a complete report
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                       **TEXT_FILE)
        os.chmod(tmp, 0o755)
        _fsync_tree(tmp)
        _pause("before_rename")
        os.rename(tmp, out_dir / name)  # the complete folder appears in one step
        tmp = None
        _fsync_dir(out_dir)
        _pause("after_rename")
        symlinked = point_latest(out_dir, name)
        seconds = time.monotonic() - started
        append_log(out_dir, status="ok", **fields, findings=meta["total"],
                   counts=",".join(f"{g}:{n}" for g, n in data.counts.items()),
                   new=len(data.new), resolved=len(data.resolved),
                   duration=f"{seconds:.1f}s", report=name)
        return ReportResult(path=out_dir / name, name=name, dataset=ds.name, as_of=day,
                            backend=backend, counts=data.counts, new=data.new,
                            resolved=data.resolved,
                            previous=previous.name if previous else None, seconds=seconds,
                            latest_symlink=symlinked)
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            append_log(out_dir, status="refused" if isinstance(exc, UnsafePathError)
                       else "failed", **fields,
                       duration=f"{time.monotonic() - started:.1f}s",
                       error=f"{type(exc).__name__}: {exc}")
        raise


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add the ``report`` command to the ``graphmodel`` command line."""
    p = commands.add_parser(
        "report", help="dated analyst report: HTML, Excel, JSON/CSV, charts, network map",
        description="Write a dated report folder under DIR (report.html, gaps.xlsx, gaps.json, "
        "gaps.csv, charts, network.png, meta.json), point DIR/latest at it and append one "
        "line to DIR/report.log. Safe on a schedule: one run at a time (DIR/.lock), built in "
        "a temporary folder and renamed into place, so a failed run leaves the previous "
        "report intact. Exit 0 on success, 1 on failure or when another run holds the lock, "
        "2 for an invalid dataset or date, or a symlink planted where the report keeps its own "
        "files (DIR/.lock, report.log, latest, a report folder).")
    p.add_argument("dataset", nargs="?", default=None,
                   help="CSV directory or .xlsx workbook (default: the shipped data/jingansi)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="report directory (dated folders, latest, report.log)")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--backend", choices=BACKENDS, default="embedded",
                   help="where gaps are computed (default embedded; neo4j needs the dataset "
                        "loaded with graphmodel neo4j load)")
    p.add_argument("--dataset", dest="dataset_name", metavar="NAME",
                   help="dataset name (default: directory name); with --backend neo4j, the "
                        "name it was loaded under")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="override a gap parameter, e.g. visit_window_days=90 (repeatable)")
    p.add_argument("--config", help="JSON or TOML file of parameters")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait up to SECONDS for another run to finish (default 0: fail at "
                        "once with exit 1)")
    p.add_argument("--uri", help="Neo4j URI (default $NEO4J_URI or the local server)")
    p.add_argument("--database", help="Neo4j database (default $NEO4J_DATABASE or neo4j)")
    p.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Handler of ``graphmodel report``: returns the exit status."""
    from rich.console import Console
    from rich.markup import escape

    from graphmodel._problems import DatasetError
    from graphmodel.cli import _gap_params, dataset_notes, print_problems
    from graphmodel.dataset import load_dataset
    from graphmodel.queries import parse_as_of

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    params = _gap_params(args)
    try:
        as_of = parse_as_of(args.as_of)
    except ValueError:
        err.print(f"[red]错误 error[/]: --as-of expects YYYY-MM-DD, got {escape(str(args.as_of))}")
        return 2
    out_dir: Path = args.out
    try:
        dataset = load_dataset(args.dataset, name=args.dataset_name)
    except DatasetError as exc:
        with contextlib.suppress(OSError):
            out_dir.mkdir(parents=True, exist_ok=True)
            append_log(out_dir, status="invalid", dataset=args.dataset_name or str(
                args.dataset or "default"), as_of=as_of.isoformat(), backend=args.backend,
                error=f"{len(exc.problems)} error(s) in {exc.source}")
        raise
    print_problems(dataset_notes(dataset.warnings))
    conn = None
    if args.backend == "neo4j":
        from graphmodel.neo4j_backend import connection_settings

        conn = connection_settings(uri=args.uri, database=args.database)
    try:
        with _sigterm_as_exit():
            result = build_report(dataset, out_dir, as_of, backend=args.backend,
                                  neo4j_dataset=args.dataset_name, params=params, conn=conn,
                                  wait=args.wait)
    except ReportError as exc:
        err.print(f"[red]错误 error[/]: {escape(str(exc))}")
        return 1
    except UnsafePathError as exc:
        err.print(f"[red]错误 error[/]: {escape(str(exc))}")
        return exc.exit_code
    except OSError as exc:
        err.print(f"[red]错误 error[/]: 报告未写成，上一份报告保持不变 / report not written, the "
                  f"previous one is unchanged: {escape(str(exc))}")
        return 1
    print_summary(result, out)
    return 0


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """While running, turn SIGTERM (``systemctl stop``, a scheduler's timeout) into
    ``SystemExit`` so the run removes its temporary folder and logs itself as failed."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def print_summary(result: ReportResult, console: Any = None) -> None:
    """Print where the report is, the counts per gap and what changed."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False, soft_wrap=True)
    queries = _gap_titles()
    latest = result.path.parent / LATEST_NAME
    console.print(f"[green]✓[/] 报告已写入 report written: {escape(str(result.path))}")
    console.print(f"  最新 latest: {escape(str(latest))}"
                  + ("" if result.latest_symlink else f" (see {LATEST_TXT})"))
    console.print(f"  {escape(result.dataset)} as of {result.as_of.isoformat()} "
                  f"({result.backend}): {result.total} findings in "
                  f"{sum(1 for n in result.counts.values() if n)} gaps, "
                  f"{result.seconds:.1f}s")
    new = result.new.groupby("gap").size().to_dict() if len(result.new) else {}
    resolved = result.resolved.groupby("gap").size().to_dict() if len(result.resolved) else {}
    width = max(len(g) for g in queries)
    for gap, query in queries.items():
        change = ""
        if result.previous:
            change = f"  (+{new.get(gap, 0)} −{resolved.get(gap, 0)})"
        console.print(f"  {gap:<{width}} {result.counts.get(gap, 0):>4}  "
                      f"{escape(query.title_zh)}{change}")
    if result.previous:
        console.print(f"  与上次报告相比 since {escape(result.previous)}: 新增 new "
                      f"{len(result.new)}, 已解决 resolved {len(result.resolved)}")
    else:
        console.print("  首份报告，无可比较 / first report here: nothing to compare with")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m graphmodel.report ARGS`` = ``graphmodel report ARGS`` (same exit codes)."""
    from graphmodel.cli import main as cli_main

    return cli_main(["report", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
