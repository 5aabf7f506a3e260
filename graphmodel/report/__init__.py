"""Analyst outputs: ``graphmodel report`` writes a dated, self-contained report folder.

One run writes ``DIR/<YYYY-MM-DDTHHMMSS>_as-of-<DATE>/`` holding

``report.html``
    one self-contained page (inline CSS, charts as base64 data URIs, no network):
    a summary per gap, findings grouped by residential area and grid with the responsible
    organisation and assigned worker, the five-colour risk distribution with
    overdue follow-ups, responsibility per grid, the bridges, the changes since the
    previous report, the charts and the network map, and which engine produced it;
    Chinese with English alongside;
``gaps.xlsx``
    a summary sheet, one sheet per gap, and the work lists (one sheet per grid with
    findings, one per assigned worker), formatted for printing, with empty columns to
    assign and track the work (责任人, 截止日期, 处理状态, 备注);
``gaps.json`` / ``gaps.csv``
    exactly what ``graphmodel gaps --format json|csv`` prints;
``risk_view.csv``, ``sector_matrix.csv``, ``bridges.csv``, ``responsibility.csv``
    every other table the page shows;
``*.png``
    the charts and ``network.png``, the network map;
``meta.json``
    as_of, dataset, engine, parameters and counts (read by later runs for the
    history chart; written last, it marks the folder as complete).

Every query runs on one engine: the embedded one (pandas + networkx, on the dataset's
files) or Neo4j (``backend="neo4j"``: the dataset is read from the server, so no files
are needed). The package, in the order of a run:

- :mod:`~graphmodel.report.publish` — the lock, atomic files, ``latest``, the log, earlier
  reports, differences and history;
- :mod:`~graphmodel.report.comparison` — which report to compare with (``--compare-to``),
  :func:`compare` and the warnings when parameters, rules or dataset changed;
- :mod:`~graphmodel.report.source` — the engine: library queries, and the dataset read back
  from Neo4j;
- :mod:`~graphmodel.report.responsibility` — who answers for a place (a domain query);
- :mod:`~graphmodel.report.content` — what the report shows, the charts and the CSV tables;
- :mod:`~graphmodel.report.page` and :mod:`~graphmodel.report.workbook` — HTML and Excel;
- :mod:`~graphmodel.report.run` — :func:`build_report`, the run itself.

It is safe to run on a schedule: a lock (``fcntl.flock`` on ``DIR/.lock``) lets
one run at a time proceed; everything is built in ``DIR/.tmp-XXXX/`` and renamed
into place in one step; only then does ``DIR/latest`` (a symlink swapped with
an atomic rename, plus ``DIR/latest.txt``) move to the new folder. A failed or
killed run leaves the previous report and ``latest`` untouched; its temporary
folder is removed at once, or by the next run after a kill. Each run appends
one line to ``DIR/report.log``. See ``docs/report.md``. The command line is
``graphmodel report`` (:mod:`graphmodel.cli`); ``python -m graphmodel.report`` is the same.
"""

from graphmodel.errors import ReportBusy, ReportError
from graphmodel.report.comparison import Comparison, changes, compare, find_report
from graphmodel.report.content import (
    CHARTS,
    TABLE_FILES,
    ReportData,
    collect,
    detail_value,
    flatten_detail,
    report_figures,
    save_figures,
    table_csvs,
)
from graphmodel.report.page import render_html
from graphmodel.report.publish import (
    FOLDER_RE,
    LATEST_NAME,
    LATEST_TXT,
    LOCK_NAME,
    LOG_NAME,
    TMP_PREFIX,
    SavedReport,
    append_log,
    diff_findings,
    folder_name,
    gap_history,
    latest_report,
    report_lock,
    saved_reports,
)
from graphmodel.report.responsibility import (
    Responsibility,
    finding_places,
    owners_per_grid,
    responsibility,
    responsibility_per_grid,
    with_responsibility,
)
from graphmodel.report.run import REPORT_FORMAT, ReportResult, build_report, sigterm_as_exit
from graphmodel.report.source import BACKENDS, read_dataset
from graphmodel.report.workbook import write_workbook

__all__ = [
    "BACKENDS",
    "CHARTS",
    "FOLDER_RE",
    "LATEST_NAME",
    "LATEST_TXT",
    "LOCK_NAME",
    "LOG_NAME",
    "REPORT_FORMAT",
    "TABLE_FILES",
    "TMP_PREFIX",
    "Comparison",
    "ReportBusy",
    "ReportData",
    "ReportError",
    "ReportResult",
    "Responsibility",
    "SavedReport",
    "append_log",
    "build_report",
    "changes",
    "collect",
    "compare",
    "detail_value",
    "diff_findings",
    "find_report",
    "finding_places",
    "flatten_detail",
    "folder_name",
    "gap_history",
    "latest_report",
    "owners_per_grid",
    "read_dataset",
    "render_html",
    "report_figures",
    "report_lock",
    "responsibility",
    "responsibility_per_grid",
    "save_figures",
    "saved_reports",
    "sigterm_as_exit",
    "table_csvs",
    "with_responsibility",
    "write_workbook",
]
