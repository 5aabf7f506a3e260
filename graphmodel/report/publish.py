"""Publishing a report folder safely: the lock, atomic files, ``latest``, the log, and the
earlier reports (their differences and history).

A lock (``fcntl.flock`` on ``DIR/.lock``) lets one run at a time proceed; a folder is built
under ``DIR/.tmp-XXXX/`` and renamed into place in one step; ``DIR/latest`` (a symlink
swapped with an atomic rename, plus ``DIR/latest.txt``) then moves to it. See
``docs/report.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import settings
from graphmodel._safe_io import is_own_link, open_owned, read_owned, refuse_symlink
from graphmodel.errors import ReportBusy
from graphmodel.gaps import GAP_COLUMNS, GAP_NAMES

__all__ = [
    "FOLDER_RE",
    "LATEST_NAME",
    "LATEST_TXT",
    "LOCK_NAME",
    "LOG_NAME",
    "TMP_PREFIX",
    "SavedReport",
    "append_log",
    "check_owned_entries",
    "diff_findings",
    "folder_name",
    "fsync_dir",
    "fsync_tree",
    "gap_history",
    "latest_report",
    "now",
    "point_latest",
    "remove_leftovers",
    "report_lock",
    "saved_reports",
]

LOCK_NAME = ".lock"
LOG_NAME = "report.log"
LATEST_NAME = "latest"
LATEST_TXT = "latest.txt"
TMP_PREFIX = ".tmp-"
FOLDER_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}_as-of-\d{4}-\d{2}-\d{2}(?:_\d+)?$")
"""Names of report folders: start time, then the evaluation date (sortable)."""

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
        os.write(fd, f"pid {os.getpid()} since {now().isoformat(timespec='seconds')}\n"
                 .encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_holder(path: Path) -> str:
    return read_owned(path, 200).strip()


def now() -> dt.datetime:
    """The time stamp of a run, in the configured time zone (Asia/Shanghai by default)."""
    return settings.now()


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


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(path)


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
    fsync_dir(out_dir)
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


def remove_leftovers(out_dir: Path) -> list[str]:
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
    line = now().isoformat(timespec="seconds") + " " + " ".join(
        f"{key}={_log_value(value)}" for key, value in fields.items()) + "\n"
    fd = open_owned(out_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))  # one write with O_APPEND: lines never interleave
    finally:
        os.close(fd)
    return line


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
        Columns ``report``, ``generated_at``, ``as_of``, ``gap``, ``count``; one point per
        evaluation day (the last report generated for that day, this run last), one row per
        gap (zero counts included), in the order of the days.
    """
    rows = []
    last: dict[str, SavedReport] = {}
    for report in sorted(reports, key=lambda r: (r.generated_at, r.name)):
        last[report.as_of] = report  # several runs of one day: the last one counts
    if current is not None:
        last.pop(str(current["as_of"]), None)
    for report in sorted(last.values(), key=lambda r: (r.as_of, r.generated_at)):
        counts = {g: 0 for g in GAP_NAMES}
        for record in report.findings:
            counts[record.get("gap")] = counts.get(record.get("gap"), 0) + 1
        rows += [(report.name, report.generated_at, report.as_of, g, n)
                 for g, n in counts.items()]
    if current is not None:
        counts = {g: 0 for g in GAP_NAMES} | dict(current["counts"])
        rows += [(current["name"], current["generated_at"], current["as_of"], g, n)
                 for g, n in counts.items()]
    frame = pd.DataFrame(rows, columns=["report", "generated_at", "as_of", "gap", "count"])
    return frame.sort_values(["as_of", "generated_at"], kind="stable").reset_index(drop=True)


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

