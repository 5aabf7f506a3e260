"""The run: :func:`build_report` writes one dated report folder, under the lock, in steps.

1. take the lock (:func:`~graphmodel.report.publish.report_lock`), refuse planted
   symlinks, remove what killed runs left;
2. with Neo4j, read the dataset back from the server
   (:func:`~graphmodel.report.source.read_dataset`);
3. run the gaps, then everything else the report shows, on the chosen engine
   (:func:`~graphmodel.report.content.collect`);
4. write the files into a temporary folder: ``gaps.json``/``gaps.csv``, the tables as CSV,
   the charts, ``gaps.xlsx``, ``report.html``, and ``meta.json`` last;
5. rename the folder into place, point ``latest`` at it, append one line to the log.

A failed or killed run leaves the previous report and ``latest`` untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import _progress
from graphmodel.dataset import Dataset
from graphmodel.errors import ReportBusy, UnsafePathError
from graphmodel.gaps import findings_to_csv, findings_to_json
from graphmodel.interactive import write_maps
from graphmodel.queries import parse_as_of, resolve_params
from graphmodel.report import comparison, content, publish, source
from graphmodel.report.page import render_html
from graphmodel.report.workbook import write_workbook

__all__ = ["REPORT_FORMAT", "TEXT_FILE", "ReportResult", "build_report", "sigterm_as_exit"]

REPORT_FORMAT = 1

STAGES = ("read", "gaps", "tables", "charts", "maps", "workbook", "publish")
"""The stages of a run, timed and shown on the progress bar ("read" only with Neo4j)."""

TEXT_FILE: dict[str, str] = {"encoding": "utf-8", "errors": "replace"}
"""How the report's text files are written: a character UTF-8 cannot hold (a lone
surrogate) becomes ``?`` instead of failing the run."""


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
    warnings: list[str] = field(default_factory=list)
    """What changed since the comparison report (parameters, rules, dataset)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def build_report(ds: Dataset | None, out_dir: str | Path, as_of: dt.date | str | None = None,
                 backend: str = "embedded", neo4j_dataset: str | None = None,
                 params: Mapping[str, int] | None = None, conn: Any = None,
                 wait: float = 0.0, rules: Any = None,
                 compare_to: str | Path | None = None) -> ReportResult:
    """Write a report folder into ``out_dir`` and point ``latest`` at it.

    Parameters
    ----------
    ds : Dataset or None
        The dataset (embedded engine). With ``backend="neo4j"`` only its name is used (the
        default of ``neo4j_dataset``) and it may be None: everything is read from Neo4j.
    out_dir : str or pathlib.Path
        Report directory (created if needed).
    as_of : datetime.date or str, optional
        Evaluation date (default today).
    backend : {"embedded", "neo4j"}
        The engine every query of the report runs on.
    neo4j_dataset : str, optional
        Dataset name in Neo4j (default ``ds.name``).
    params : dict, optional
        Gap parameters (else the defaults of the gap definitions, docs/gaps.md).
    conn : neo4j_backend.Connection, optional
        Neo4j connection (default from the environment).
    rules : str, path or rules, optional
        Analysts' own coverage rules (docs/rules.md): they get a section of their own and
        are counted in the history and the changes like the built-in gaps.
    wait : float
        Seconds to wait for the lock when another run holds it (0: fail at once).
    compare_to : str or pathlib.Path, optional
        The earlier report to compare with: a date ``YYYY-MM-DD`` (the latest report as of
        that date), a report folder's name in ``out_dir`` or its path (default: the
        previous report of this dataset). The page warns at the top when parameters,
        rules or dataset differ (:func:`graphmodel.report.comparison.changes`).

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
    started = time.monotonic()
    if backend not in source.BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; known: {', '.join(source.BACKENDS)}")
    if backend == "neo4j":
        neo4j_dataset = neo4j_dataset or (ds.name if ds is not None else None)
        if not neo4j_dataset:
            raise ValueError("the Neo4j engine needs a dataset name (neo4j_dataset)")
    elif ds is None:
        raise ValueError("the embedded engine needs a dataset")
    name = neo4j_dataset if backend == "neo4j" else ds.name  # type: ignore[union-attr]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day = parse_as_of(as_of)
    params = resolve_params(**dict(params or {}))
    from graphmodel.rules import as_queries

    rule_queries = as_queries(rules)  # a bad rule file is refused before anything runs
    fields: dict[str, object] = {"dataset": name, "as_of": day.isoformat(), "backend": backend}
    try:
        with (publish.report_lock(out_dir, wait),
              _progress.Stages(STAGES if backend == "neo4j" else STAGES[1:],
                               "报告 report") as stages):
            return _run(ds, out_dir, day, backend, neo4j_dataset, params, conn, fields, started,
                        stages, rule_queries, rules, compare_to)
    except ReportBusy as exc:
        publish.append_log(out_dir, status="busy", **fields, error=str(exc))
        raise
    except UnsafePathError as exc:
        if exc.filename == str(out_dir / publish.LOCK_NAME):  # _run logs its own refusals
            with contextlib.suppress(OSError):
                publish.append_log(out_dir, status="refused", **fields, error=str(exc))
        raise


def _run(ds: Dataset | None, out_dir: Path, day: dt.date, backend: str,
         neo4j_dataset: str | None, params: dict[str, int], conn: Any,
         fields: dict[str, object], started: float,
         stages: _progress.Stages | None = None, rules: Any = (), rules_source: Any = None,
         compare_to: str | Path | None = None) -> ReportResult:
    """The body of :func:`build_report`, run under the lock."""
    tmp: Path | None = None
    start = stages.start if stages is not None else (lambda name: None)
    try:
        publish.check_owned_entries(out_dir)
        publish.remove_leftovers(out_dir)
        now = publish.now()
        name = publish.folder_name(now.replace(tzinfo=None), day, out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=publish.TMP_PREFIX, dir=out_dir))
        if backend == "neo4j":
            start("read")
            ds = source.read_dataset(str(neo4j_dataset), conn)
            start("gaps")
            found = source.compute_gaps(ds.name, day, params, backend, conn, rules)
        else:
            assert ds is not None
            start("gaps")
            found = source.compute_gaps(ds, day, params, backend, conn, rules)
        earlier = publish.saved_reports(out_dir, ds.name)
        previous = (comparison.find_report(out_dir, str(compare_to), ds.name)
                    if compare_to is not None else earlier[-1] if earlier else None)
        start("tables")
        data = content.collect(ds, day, found, backend, params, previous, earlier, name,
                               now.isoformat(timespec="seconds"), neo4j_dataset, conn,
                               rules=rules)
        data.meta = {"dataset": ds.name, "dataset_path": str(ds.path), "backend": backend,
                     "rules": [{"name": q.name} for q in data.rules],
                     **comparison.fingerprint(ds, params, data.rules, rules_source)}
        data.warnings = (comparison.changes(previous.meta, data.meta)
                         if previous is not None else [])
        (tmp / "gaps.json").write_text(findings_to_json(found) + "\n", **TEXT_FILE)
        (tmp / "gaps.csv").write_text(findings_to_csv(found), **TEXT_FILE)
        for filename, text in content.table_csvs(data).items():
            (tmp / filename).write_text(text, **TEXT_FILE)
        start("charts")
        figures = content.report_figures(data)
        data.images = content.save_figures(figures, tmp)
        figures.clear()
        start("maps")
        data.maps = write_maps(ds, tmp, day, per="grid" if len(ds["streets"]) <= 1
                               else "street", force=True)
        start("workbook")
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
            "engine": backend,
            "neo4j_dataset": data.neo4j_dataset,
            "params": params,
            "rules": [{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en}
                      for q in data.rules],
            "rules_sha256": data.meta["rules_sha256"],
            "dataset_rows": data.meta["dataset_rows"],
            "red_grids": [str(g) for g in content.red_grids(data)["grid_id"]],
            "compared_with": previous.name if previous else None,
            "warnings": data.warnings,
            "counts": data.counts,
            "total": int(sum(data.counts.values())),
            "new": len(data.new),
            "resolved": len(data.resolved),
            "previous": previous.name if previous else None,
            "files": sorted([p.name for p in tmp.iterdir()] + ["meta.json"]),
        "maps": sorted(f"maps/{p.name}" for p in (tmp / "maps").glob("*.html")),
        }
        # meta.json last: a folder without it is not a complete report
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                       **TEXT_FILE)
        start("publish")
        os.chmod(tmp, 0o755)
        publish.fsync_tree(tmp)
        os.rename(tmp, out_dir / name)  # the complete folder appears in one step
        tmp = None
        publish.fsync_dir(out_dir)
        symlinked = publish.point_latest(out_dir, name)
        seconds = time.monotonic() - started
        publish.append_log(out_dir, status="ok", **fields, findings=meta["total"],
                           counts=",".join(f"{g}:{n}" for g, n in data.counts.items()),
                           new=len(data.new), resolved=len(data.resolved),
                           duration=f"{seconds:.1f}s", report=name)
        return ReportResult(path=out_dir / name, name=name, dataset=ds.name, as_of=day,
                            backend=backend, counts=data.counts, new=data.new,
                            resolved=data.resolved,
                            previous=previous.name if previous else None, seconds=seconds,
                            latest_symlink=symlinked, warnings=data.warnings)
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            publish.append_log(out_dir, status="refused" if isinstance(exc, UnsafePathError)
                               else "failed", **fields,
                               duration=f"{time.monotonic() - started:.1f}s",
                               error=f"{type(exc).__name__}: {exc}")
        raise


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While running, turn SIGTERM (``systemctl stop``, a scheduler's timeout) into
    ``SystemExit`` so the run removes its temporary folder and logs itself as failed."""
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
