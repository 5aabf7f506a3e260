"""The ``graphmodel`` command line.

Every command that takes a DATASET defaults to the shipped 静安寺街道 dataset.
Exit status: 0 success, 1 failure, 2 invalid input or argument (every problem is printed).

Every user-supplied string that reaches the terminal (names, ids, values, paths, headers,
messages) goes through :func:`graphmodel._problems.printable`: control and invisible
characters are shown as escapes (``\\x1b``, ``\\r``), so nothing can drive the terminal or
forge a line, and it is never read as rich markup (``foo[/bar]`` prints as itself). A
dataset's problems are printed at most :data:`PROBLEM_LINES` lines at a time, root causes
first (``graphmodel validate --all`` prints every one).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

    from graphmodel import report
    from graphmodel.dataset import Dataset

from graphmodel import __version__, _progress, schema, settings
from graphmodel._problems import (
    LINE_LIMIT,
    DatasetError,
    Problem,
    group_problems,
    json_safe,
    printable,
)
from graphmodel.errors import (
    GraphmodelError,
    InvalidDateError,
    InvalidParameterError,
    RuleFileError,
    UsageError,
)

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

Handler = Callable[[argparse.Namespace], int]

PROBLEM_LINES = 50
"""At most this many lines of dataset problems are printed unless ``--all`` is given."""

NOTE_PLACES = 10
"""A note lists at most this many places (``… and N more``)."""


WIDE = 10_000
"""Console width with ``--wide``: tables never wrap."""


def shown(value: object, limit: int | None = 200) -> str:
    """User text inside a rich markup string: escaped for the terminal and for markup."""
    return escape(printable(value, limit))


def text(value: object, limit: int | None = 200) -> Text:
    """User text as a rich ``Text`` (never read as markup), escaped for the terminal."""
    return Text(printable(value, limit))


def table_text(frame: pd.DataFrame) -> Text:
    """A frame printed as plain text lines: each cell escaped (``clean_frame``), the
    line breaks between rows kept."""
    lines = clean_frame(frame).to_string(index=False).splitlines()
    return Text("\n").join(text(line, None) for line in lines)


class UsageExit(SystemExit):
    """Exit status 2 for a bad argument, like argparse's own errors; ``str()`` is the message
    (already printed on stderr)."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def print_problems(problems: Sequence[Problem], title: str = "",
                   limit: int | None = PROBLEM_LINES,
                   all_hint: str = "graphmodel validate --all") -> None:
    """Print problems as plain lines on stderr: notes grouped by message, then errors with
    their root causes first.

    Errors that only follow from a root cause (unknown references into a table whose ``id``
    column or file is missing) are counted, not listed; at most ``limit`` lines are printed
    and the last one says how many more there are (``limit=None`` prints every one, the
    follow-on errors included).
    """
    warnings = [p for p in problems if p.severity == "warning"]
    errors = [p for p in problems if p.severity == "error"]
    by_message: dict[str, list[Problem]] = {}
    for problem in warnings:
        by_message.setdefault(problem.message, []).append(problem)
    notes: list[str] = []
    for message, group in by_message.items():
        places = group if limit is None else group[:NOTE_PLACES]
        where = "; ".join(printable(p.location() + p.shown_value(), LINE_LIMIT) for p in places)
        if len(group) > len(places):
            where += f"; … 另有 {len(group) - len(places)} 处 / and {len(group) - len(places)} more"
        notes.append(f"[yellow]注意 note[/]: {shown(message, LINE_LIMIT)}: {escape(where)}")
    head: list[str] = []
    rest: list[str] = []
    if errors:
        groups = group_problems(errors + warnings)
        head.append(f"[bold red]{shown(title, LINE_LIMIT)}发现 {len(errors)} 个错误 / found "
                    f"{len(errors)} error(s); nothing was loaded:[/]")
        for problem in groups.roots + [p for p in groups.hints if p not in groups.roots]:
            cause = " (根本原因 root cause)" if problem in groups.roots else ""
            head.append(f"  [red]错误 error[/]{cause}: {escape(problem.format())}")
            if problem in groups.hints:
                head.append(f"    → {shown(groups.hints[problem], LINE_LIMIT)}")
        listed = groups.others
        if groups.follow_on:
            lost = ", ".join(groups.lost_tables)
            if limit is None:
                listed = groups.others + groups.follow_on
            else:
                head.append(f"  [red]另有 {len(groups.follow_on)} 个错误由上述原因引起，未列出；"
                            f"改正后重新运行 / {len(groups.follow_on)} more error(s) only follow "
                            f"from the above (references to ids of {shown(lost)}) and are not "
                            "listed: fix it and run again[/]")
        for problem in sorted(listed, key=lambda p: (p.file, p.row or 0)):
            if problem not in groups.hints:
                rest.append(f"  [red]错误 error[/]: {escape(problem.format())}")
    lines = notes + head + rest
    if limit is not None and len(lines) > limit:
        budget = max(limit - 1 - len(head), 0)
        kept_notes = notes[:budget]
        kept_rest = rest[:max(budget - len(kept_notes), 0)]
        hidden_errors = len(rest) - len(kept_rest)
        hidden_notes = len(notes) - len(kept_notes)
        lines = kept_notes + head + kept_rest
        more = f"{hidden_errors} more error(s)" + (
            f" and {hidden_notes} note(s)" if hidden_notes else "")
        lines.append(f"  … 另有 {hidden_errors} 个错误未显示 / {more} not shown "
                     f"({escape(all_hint)} lists every one)")
    for line in lines:
        err.print(line)


UNKNOWN_COLUMNS_NOTE = "unknown extra columns"
"""Words of the note on unknown extra columns, which only ``validate`` prints."""


def dataset_notes(problems: Sequence[Problem]) -> list[Problem]:
    """The notes a command other than ``validate`` prints: all but unknown extra columns
    (kept as properties; ``graphmodel validate`` lists them)."""
    return [p for p in problems if UNKNOWN_COLUMNS_NOTE not in p.message]


def _problem_limit(args: argparse.Namespace) -> int | None:
    """``None`` (print every problem) with ``validate --all``, else :data:`PROBLEM_LINES`."""
    return None if getattr(args, "all_problems", False) else PROBLEM_LINES


def _load(args: argparse.Namespace, all_notes: bool = False) -> Dataset:
    """The dataset of ``args`` (``all_notes``: ``validate``, which always runs the detailed
    checks and prints every note)."""
    from graphmodel.dataset import load_dataset

    dataset = load_dataset(args.dataset, name=getattr(args, "dataset_name", None),
                           detailed=all_notes)
    print_problems(dataset.warnings if all_notes else dataset_notes(dataset.warnings),
                   limit=_problem_limit(args))
    return dataset


def progress_session(args: argparse.Namespace) -> contextlib.AbstractContextManager[
        _progress.Session]:
    """Timings for the summary, and progress bars on stderr when it is a terminal and
    ``--quiet`` is not given."""
    return _progress.session(_progress.wanted(getattr(args, "quiet", False)))


def print_summary(args: argparse.Namespace, run: _progress.Session, what: str) -> None:
    """The last line of a long command (stderr): what it did, in how long, per step;
    nothing with ``--quiet``. ``what`` is markup (user text in it escaped)."""
    if not getattr(args, "quiet", False):
        err.print(_progress.summary(what, run.seconds, run.steps))


def cmd_validate(args: argparse.Namespace) -> int:
    with progress_session(args) as run:
        if args.annotate is not None:
            _annotate(args)
        dataset = _load(args, all_notes=True)
    total = sum(dataset.counts().values())
    tables = sum(1 for n in dataset.counts().values() if n)
    out.print(f"[green]✓[/] {shown(dataset.path, LINE_LIMIT)}: 数据有效 / valid — {total} rows "
              f"in {tables} tables")
    print_summary(args, run, f"已校验 validated {total:,} rows in {tables} tables")
    return 0


def _annotate(args: argparse.Namespace) -> None:
    """Write the marked copy of the tables, then fail like validate when there are errors."""
    from graphmodel.annotate import annotate_workbook
    from graphmodel.io import read_raw_dataset
    from graphmodel.validation import validate_raw

    path = args.dataset if args.dataset is not None else settings.default_dataset_path()
    _, problems = validate_raw(read_raw_dataset(path))
    annotate_workbook(path, args.annotate, problems, force=args.force)
    err.print(f"已标注 marked: {shown(args.annotate, LINE_LIMIT)} — "
              f"{sum(p.severity == 'error' for p in problems)} error(s), "
              f"{sum(p.severity == 'warning' for p in problems)} note(s)")
    if any(p.severity == "error" for p in problems):
        raise DatasetError(problems, str(path))


def cmd_info(args: argparse.Namespace) -> int:
    from graphmodel.stats import info

    dataset = _load(args)
    summary = info(dataset)
    out.print(f"[bold]数据集 Dataset[/]: {shown(dataset.name)}  "
              f"({shown(dataset.path, LINE_LIMIT)})")
    streets = dataset["streets"]
    out.print(Text("街道 Street: ") + Text("、").join(
        text(f"{n} ({e})" if isinstance(e, str) else n) for n, e in
        zip(streets["name"], streets.get("name_en", streets["name"]), strict=True)))
    kinds = summary["grids_by_kind"]
    out.print(f"居民区 Residential areas: {summary['areas']}")
    out.print(f"网格 Grids: {sum(kinds.values())} = 平面 residential {kinds.get('residential', 0)}"
              f"（居民区微网格 micro-grids in the areas） + 立体 business "
              f"{kinds.get('business', 0)}（商务楼宇 business-district grids）")
    out.print(_count_table("节点 Nodes", "label", summary["labels"],
                           {k: v.title_zh for k, v in schema.NODE_LABELS.items()}))
    titles = {k: v.title_zh for k, v in schema.STRUCTURAL_RELS.items()}
    titles.update({k: v.title_zh for k, v in schema.LINK_TYPES.items()})
    out.print(_count_table("关系 Relationships", "type", summary["relationships"], titles))
    examples = {kind: "、".join(names) for kind, names in
                summary["organization_examples"].items()}
    out.print(_count_table("组织类型 Organizations by kind (with examples)", "kind",
                           summary["organizations_by_kind"], examples, "例如 examples"))
    out.print(_count_table("组织领域 Organizations by sector", "sector",
                           summary["organizations_by_sector"], schema.SECTOR_LABELS))
    sources = summary["sources"]
    table = Table(title="数据来源 Data sources (rows)", title_justify="left")
    table.add_column("table")
    for column in sources.columns:
        table.add_column(text(column), justify="right")
    for name, row in sources.iterrows():
        table.add_row(text(name), *(text(v) for v in row))
    out.print(table)
    return 0


def _count_table(title: str, key: str, counts: dict[str, int], titles: dict[str, str],
                 titles_header: str = "中文") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(titles_header)
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(text(name), text(titles.get(name, "")), text(count))
    return table


def cmd_template(args: argparse.Namespace) -> int:
    from graphmodel.io import write_template

    path = write_template(args.dir, xlsx=args.xlsx, force=args.force)
    out.print(f"[green]✓[/] 模板已写入 template written: {shown(path, LINE_LIMIT)}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from graphmodel import docs

    if args.write or args.check:
        docs_dir = Path(args.write or args.check)
        if args.check:
            stale = [path for path, text in docs.rendered_docs(docs_dir).items()
                     if not path.exists() or path.read_text(encoding="utf-8") != text]
            for path in stale:
                err.print(f"[red]过期 out of date[/]: {escape(str(path))} (graphmodel schema --write)")
            return 1 if stale else 0
        for path in docs.write_docs(docs_dir):
            out.print(f"[green]✓[/] 已更新 updated: {escape(str(path))}")
        return 0
    sys.stdout.write(docs.gaps_markdown() if args.gaps else docs.schema_markdown())
    return 0


def _gap_params(args: argparse.Namespace) -> dict[str, int]:
    """Parameters from --config (JSON or TOML, keys at top level or under [params]) then
    --param; each a whole number from 0 to 36500, else
    :class:`~graphmodel.errors.InvalidParameterError` (exit status 2)."""
    params: dict[str, object] = {}
    if args.config:
        params.update(_read_config(Path(args.config)))
    params.update(_param_items(args.param))
    from graphmodel.queries import resolve_params

    resolved = resolve_params(**params)
    return {k: resolved[k] for k in params}


def _param_items(items: list[str] | None) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict (stripped strings)."""
    params: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidParameterError(f"--param expects NAME=VALUE, got {item[:80]!r}")
        params[key.strip()] = value.strip()
    return params


def _read_config(path: Path) -> dict[str, object]:
    import json
    import tomllib

    try:
        content = path.read_text(encoding="utf-8")
        data = tomllib.loads(content) if path.suffix.lower() == ".toml" else json.loads(content)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read config {path}: {exc}") from None
    params = data.get("params", data) if isinstance(data, dict) else None
    if not isinstance(params, dict):
        raise UsageError(f"config {path}: expected a table of NAME = VALUE parameters")
    return {k: v for k, v in params.items() if k not in ("as_of", "rules")}


def _rules(args: argparse.Namespace) -> list[Any]:
    """The rules of ``--rules FILE``, else of the config file's ``rules = "FILE"`` (relative
    to the config file), read and checked before anything runs (docs/rules.md)."""
    path: Path | None = Path(args.rules) if getattr(args, "rules", None) else None
    if path is None and getattr(args, "config", None):
        import tomllib

        config = Path(args.config)
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8")) \
                if config.suffix.lower() == ".toml" else {}
        except (OSError, ValueError):
            data = {}  # _read_config reports an unreadable config
        named = data.get("rules") if isinstance(data, dict) else None
        if isinstance(named, str) and named.strip():
            path = config.parent / named.strip()
    if path is None:
        return []
    from graphmodel.rules import load_rules

    return load_rules(path)


def print_findings(found: object, fmt: str) -> None:
    """Print gap findings as a table grouped by gap (people) or JSON/CSV (machines)."""
    from graphmodel.gaps import findings_to_csv, findings_to_json, gap_titles

    if fmt == "json":
        print(json_safe(findings_to_json(found)))
        return
    if fmt == "csv":
        sys.stdout.write(findings_to_csv(clean_frame(found)))
        return
    if not len(found):
        out.print("[green]未发现覆盖缺口 / no coverage gaps found[/]")
        return
    for gap, group in found.groupby("gap", sort=True):
        title_zh, title_en = gap_titles(str(gap), found)  # a rule's titles: in its detail
        table = Table(title=f"{title_zh} / {title_en} — {len(group)}",
                      title_justify="left", title_style="bold")
        for header in ("id", "名称 name", "网格 grid", "居民区 area", "详情 detail"):
            table.add_column(header, overflow="fold")
        for row in group.itertuples():
            detail = ", ".join(f"{k}={v}" for k, v in row.detail.items())
            table.add_row(text(row.id), text(row.name), text(_place(row.grid_name)),
                          text(_place(getattr(row, "area_name", None))), text(detail))
        out.print(table)


def _place(name: object) -> str:
    """A grid or area name for a table cell (blank when there is none)."""
    return name if isinstance(name, str) else ""


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.isprintable() else printable(value, None)
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean_value(v) for v in value)
    return value


def clean_frame(frame: Any) -> Any:
    """A copy of a DataFrame whose text (also inside dicts and lists) has its control and
    invisible characters escaped, for CSV or text printed on a terminal."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("str", "string"):
            frame[column] = frame[column].map(_clean_value)
    return frame


def cmd_gaps(args: argparse.Namespace) -> int:
    from graphmodel.gaps import gaps
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    as_of = parse_as_of(args.as_of)
    rules = _rules(args)
    only = _only(args.only, rules)
    if not rules and not getattr(args, "by", None) and args.format in ("json", "csv"):
        records = _fast_findings(args, as_of, only, params)
        if records is not None:
            print_records(records, args.format)
            return 1 if args.fail_on_gaps and records else 0
    dataset = _load(args)
    found = gaps(dataset, as_of=as_of, only=only, rules=rules, **params)
    if getattr(args, "by", None):
        print_findings_by(dataset, found, args.by, as_of, args.format)
    else:
        print_findings(found, args.format)
    if args.format == "table":
        err.print(f"{shown(dataset.name)} as of {as_of.isoformat()}: {len(found)} findings in "
                  f"{found['gap'].nunique()} gaps")
    return 1 if args.fail_on_gaps and len(found) else 0


def _fast_findings(args: argparse.Namespace, as_of: Any, only: list[str] | None,
                   params: dict[str, int]) -> list[dict[str, Any]] | None:
    """The findings by the fast path of a plainly valid CSV dataset
    (:mod:`graphmodel.csv_duckdb`), or None: then the detailed reader decides."""
    from graphmodel.csv_duckdb import gap_findings, read_csv_dataset
    from graphmodel.gaps import gap_names
    from graphmodel.queries import resolve_params

    con = read_csv_dataset(args.dataset or settings.default_dataset_path())
    if con is None:
        return None
    try:
        return gap_findings(con, gap_names(only), as_of, resolve_params(**params))
    finally:
        con.close()


def print_records(records: list[dict[str, Any]], fmt: str) -> None:
    """Print findings given as records (the fast path) exactly as :func:`print_findings`
    prints the same findings as a frame (JSON or CSV)."""
    import json

    if fmt == "json":
        print(json_safe(json.dumps(records, ensure_ascii=False, indent=2)))
        return
    import pandas as pd

    from graphmodel.gaps import GAP_COLUMNS

    print_findings(pd.DataFrame(records, columns=GAP_COLUMNS), fmt)


BY_TITLES = {"grid": "网格 grid", "area": "居民区 area", "worker": "责任人 worker",
             "org": "责任组织 organisation"}
"""Headings of ``gaps --by``."""


def print_findings_by(dataset: Dataset, found: Any, by: str, as_of: Any, fmt: str) -> None:
    """Print findings counted per grid, area, worker or organisation (``gaps --by``)."""
    from graphmodel.gaps import gap_titles
    from graphmodel.responsibility import findings_by

    frame = findings_by(dataset, found, by, as_of)
    if fmt == "csv":
        frame = frame.assign(gaps=["; ".join(f"{g}={n}" for g, n in per.items())
                                   for per in frame["gaps"]])
    if fmt != "table":
        _print_frame(frame, fmt)
        return
    table = Table(title=f"按{BY_TITLES[by]}统计 findings by {by} — {len(found)}",
                  title_justify="left", title_style="bold")
    for header in (BY_TITLES[by], "id", "缺口数 findings", "缺口 gaps"):
        table.add_column(header, overflow="fold")
    for row in frame.itertuples(index=False):
        per_gap = "; ".join(f"{gap_titles(g, found)[0]} {g} ×{n}" for g, n in row.gaps.items())
        known = isinstance(row.id, str)
        table.add_row(text(row.name if known else "无 none"), text(row.id if known else ""),
                      str(row.findings), text(per_gap, None))
    out.print(table)


SHOW_SECTIONS = {
    "organisations": ("组织 Organisations (located in it, or covering it)",
                      ["name", "id", "kind", "relation", "place_id", "facility"]),
    "people": ("包干人员 People assigned", ["name", "id", "role", "place_id", "since"]),
    "links": ("有效联系 Active links", ["type", "direction", "other_name", "other_id", "since"]),
    "visits": ("最近走访 Recent visits", ["date", "visitor_name", "target_name", "purpose"]),
    "risk": ("最新风险等级 Latest risk level", ["company_name", "company_id", "label",
                                               "assessed_on", "reason"]),
    "demands": ("未办结诉求 Open demands", ["id", "company_name", "category", "status",
                                          "raised_on", "handled_by"]),
    "gaps": ("未补缺口 Open gaps", ["gap", "name", "id", "org_name", "worker_name"]),
}
"""What ``graphmodel show`` prints of each part of :func:`graphmodel.profile`, in order."""


def cmd_show(args: argparse.Namespace) -> int:
    import json

    from graphmodel.profile import profile
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    as_of = parse_as_of(args.as_of)
    if args.backend == "neo4j":
        from graphmodel.dataset import dataset_name

        source: Any = args.dataset_name or dataset_name(
            args.dataset or settings.default_dataset_path())
        conn = _connection(args)
    else:
        source, conn = _load(args), None
    try:
        about = profile(source, args.entity, as_of, backend=args.backend, conn=conn, **params)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        records = {key: json.loads(frame.to_json(orient="records", force_ascii=False,
                                                 date_format="iso"))
                   for key, frame in about.items()}
        print(json_safe(json.dumps(records, ensure_ascii=False, indent=2)))
        return 0
    entity = about["entity"].iloc[0]
    kind = f" · {shown(entity['kind'])}" if isinstance(entity["kind"], str) else ""
    out.print(f"[bold]{shown(entity['name'])}[/] ({shown(entity['id'])}) · "
              f"{shown(entity['label'])}{kind} · 评估日期 as of {as_of.isoformat()}")
    chain = " → ".join(f"{printable(n, 80)} ({printable(i, 40)})"
                       for n, i in zip(about["places"]["name"], about["places"]["id"],
                                       strict=True))
    out.print(text(f"位置 Place: {chain or '无 none'}", None))
    for key, (title, columns) in SHOW_SECTIONS.items():
        frame = about[key]
        if not len(frame):
            out.print(text(f"{title}: 无 none", None))
            continue
        _print_frame(frame[[c for c in columns if c in frame.columns]].head(SHOW_ROWS),
                     "table", f"{title} — {len(frame)}")
        if len(frame) > SHOW_ROWS:
            out.print(f"… 另有 {len(frame) - SHOW_ROWS} 行 and {len(frame) - SHOW_ROWS} more "
                      "(--format json lists all)")
    return 0


SHOW_ROWS = 15
"""``graphmodel show`` prints at most this many rows per part (``--format json``: all)."""


def _only(names: str | None, rules: Sequence[Any] = ()) -> list[str] | None:
    """``--only a,b`` as gap names, or names of the ``--rules``; an unknown name is a usage
    error (exit status 2)."""
    if not names:
        return None
    from graphmodel.rules import as_queries, select

    builtin, chosen = select(names, as_queries(list(rules)))
    return [*builtin, *(q.name for q in chosen)]


def add_gap_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``gaps`` and ``neo4j gaps``."""
    parser.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    parser.add_argument("--only", help="comma-separated gap names")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE",
                        help="override a parameter, e.g. visit_window_days=90 (repeatable)")
    parser.add_argument("--config", help="JSON or TOML file of parameters")
    parser.add_argument("--rules", metavar="FILE",
                        help="TOML file of your own coverage rules (docs/rules.md): their "
                        "findings join the built-in gaps")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--fail-on-gaps", action="store_true",
                        help="exit 1 when any gap is found (for schedulers)")


def _print_frame(frame: object, fmt: str, title: str = "") -> None:
    """Print a DataFrame as a rich table (people), JSON or CSV (machines)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    if fmt == "json":
        print(json_safe(frame.to_json(orient="records", force_ascii=False, indent=2,
                                      date_format="iso")))
        return
    if fmt == "csv":
        sys.stdout.write(clean_frame(frame).to_csv(index=False, lineterminator="\n"))
        return
    table = Table(title=title, title_justify="left", title_style="bold")
    for column in frame.columns:
        table.add_column(text(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(text(_cell(v)) for v in row))
    out.print(table)


def _cell(value: object) -> str:
    import pandas as pd

    if isinstance(value, list | tuple | set):
        return "、".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.4f}"
    if value is None or (not isinstance(value, dict) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat().split("T")[0]
    return str(value)


LINK_TABLES = ("matrix", "sectors_bridged", "bridges", "connectors")
"""What ``graphmodel links --show`` can print; the JSON keys are the query names."""


def _links_source(args: argparse.Namespace) -> tuple[Any, Any]:
    """The source and connection of ``links`` / ``path``: the dataset files (embedded) or
    the dataset's name on the server (``--backend neo4j``)."""
    if args.backend == "neo4j":
        from graphmodel.dataset import dataset_name

        return (args.dataset_name or dataset_name(args.dataset or settings.default_dataset_path()),
                _connection(args))
    return _load(args), None


def cmd_links(args: argparse.Namespace) -> int:
    from graphmodel import linkages
    from graphmodel.queries import parse_as_of

    as_of = parse_as_of(args.as_of)
    shows = [s.strip() for s in args.show.split(",") if s.strip()]
    unknown = [s for s in shows if s not in LINK_TABLES]
    if unknown or not shows:
        raise UsageError(f"--show: unknown table(s) {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(LINK_TABLES)}")
    sectors = linkages.sector_list(args.sectors)
    source, conn = _links_source(args)
    on = {"backend": args.backend, "conn": conn}
    frames = {}
    for name in dict.fromkeys(shows):
        if name == "matrix":
            frames["sector_matrix"] = linkages.sector_matrix(source, as_of, **on)
        elif name == "sectors_bridged":
            ranked = linkages.sectors_bridged(source, as_of, sectors=sectors,
                                              min_sectors=args.min_sectors, **on)
            frames[name] = ranked.head(args.top) if args.top else ranked
        elif name == "bridges":
            frames[name] = linkages.bridges(source, as_of, top=args.top, **on)
        else:
            frames[name] = linkages.connectors(source, as_of, k=args.k, **on)
    if args.format == "json":
        import json

        print(json_safe(json.dumps(
            {name: json.loads(frame.to_json(orient="records", force_ascii=False))
             for name, frame in frames.items()}, ensure_ascii=False, indent=2)))
        return 0
    if args.format == "csv":
        _print_frame(next(iter(frames.values())), "csv")
        return 0
    top = f"top {args.top}" if args.top else "all"
    for name, frame in frames.items():
        if name == "sector_matrix":
            table = linkages.sector_matrix_table(frame)
            table = table.rename(index=schema.SECTOR_LABELS)
            table.insert(0, "from \\ to", table.index)
            _print_frame(table, "table",
                         "领域关系矩阵 Sector matrix (active links, source → target)")
        elif name == "sectors_bridged":
            only = f", only {', '.join(sectors)}" if sectors else ""
            _print_frame(frame[["name", "sector", "sectors_bridged", "links", "betweenness",
                                "supporting"]], "table",
                         f"跨领域连接 Sectors bridged (sectors other than its own{only}; "
                         f"ties: betweenness, links; ←: a link to it; {top})")
        elif name == "bridges":
            _print_frame(frame, "table", f"跨领域桥梁 Bridges (betweenness, {top})")
        else:
            _print_frame(frame, "table", f"跨领域连接者 Connectors (≥ {args.k} other sectors)")
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    from graphmodel import linkages
    from graphmodel.queries import parse_as_of

    as_of = parse_as_of(args.as_of)
    source, conn = _links_source(args)
    try:
        steps = linkages.path(source, args.a, args.b, as_of, k=args.k,
                              colocation=args.colocation, backend=args.backend, conn=conn)
    except ValueError as exc:
        err.print(f"[red]错误 error[/]: {shown(exc, LINE_LIMIT)}")
        return 1
    if not len(steps):
        out.print(f"{shown(args.a)} 与 {shown(args.b)} 之间没有联系 / no connection")
        return 1
    if args.format != "table":
        _print_frame(steps, args.format)
        return 0
    paths = list(clean_frame(steps).groupby("path", sort=True))
    for number, part in paths:
        prefix = f"{number}. " if len(paths) > 1 else ""
        out.print(text(prefix + linkages.format_path(part), None))
        out.print(f"{'   ' if prefix else ''}({len(part)} 步 steps)")
    return 0


def cmd_risk(args: argparse.Namespace) -> int:
    from graphmodel import risk
    from graphmodel.queries import parse_as_of, resolve_params

    as_of = parse_as_of(args.as_of)
    dataset = _load(args)
    params = resolve_params(("followup_days_orange", "followup_days_red"))
    view = risk.risk_view(dataset, as_of, **params)
    suggested = risk.suggested_risk(dataset, as_of)
    if args.format == "json":
        import json

        print(json_safe(json.dumps(
            {"assessed": json.loads(view.to_json(orient="records", force_ascii=False,
                                                 date_format="iso")),
             "suggested": json.loads(suggested.to_json(orient="records", force_ascii=False))},
            ensure_ascii=False, indent=2)))
        return 0
    if args.format == "csv":
        _print_frame(view, "csv")
        return 0
    columns = ["company_name", "building_name", "label_zh", "colour_zh", "assessed_on",
               "deadline", "followup"]
    shown = view if args.all else view[view["level"] >= 4]
    _print_frame(shown[columns], "table", "五色风险 Five-colour risk, assessed"
                 + ("" if args.all else " (levels 4-5; --all for every company)"))
    shown_by = risk.with_area(dataset, view) if args.by == "area" else view
    _print_frame(risk.risk_distribution(shown_by, by=args.by), "table",
                 f"等级分布 Distribution per {args.by}")
    top = suggested[suggested["suggested_level"] >= 3]
    _print_frame(top[["company_name", "suggested_level", "label_zh", "score", "reasons"]], "table",
                 "建议等级（未评估企业，仅供参考）Suggested levels for unassessed companies "
                 "(not assessments; levels >= 3)")
    return 0


def _connection(args: argparse.Namespace) -> object:
    from graphmodel.neo4j_backend import connection_settings

    return connection_settings(uri=args.uri, database=args.database)


def cmd_neo4j_load(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend

    if args.bulk:
        return _neo4j_bulk_load(args)
    with progress_session(args) as run:
        dataset = _load(args)  # validates everything before any write
        result = backend.load(dataset, _connection(args), batch_size=args.batch_size,
                              sync=args.sync, progress=run.bars)
    if result.unchanged:
        out.print(f"[green]✓[/] {shown(result.dataset)} 未变化 / unchanged since its last load: "
                  f"{result.nodes} nodes, {result.relationships} relationships, nothing "
                  f"written ({result.seconds:.1f}s)")
    else:
        out.print(f"[green]✓[/] loaded {shown(result.dataset)}: {result.nodes} nodes, "
                  f"{result.relationships} relationships in {result.seconds:.1f}s "
                  f"(removed {result.deleted_relationships} stale relationships"
                  + (f", {result.deleted_nodes} stale entities" if args.sync else "") + ")")
    done = "未变化 unchanged, nothing written:" if result.unchanged else "已载入 loaded"
    print_summary(args, run, f"{done} {result.nodes + result.relationships:,} nodes and "
                  f"relationships of {shown(result.dataset)}")
    return 0


def _neo4j_bulk_load(args: argparse.Namespace) -> int:
    """``neo4j load --bulk``: neo4j-admin import into the local server's empty database."""
    from graphmodel import neo4j_bulk

    conn = _connection(args)
    neo4j_bulk.preflight(conn)  # refuse before reading a big dataset
    with progress_session(args) as run:
        dataset = _load(args)
        result = neo4j_bulk.bulk_load(dataset, args.dataset_name, conn, progress=run.bars)
    out.print(f"[green]✓[/] bulk-imported {shown(result.dataset)}: {result.nodes} nodes, "
              f"{result.relationships} relationships; neo4j-admin {result.import_seconds:.1f}s "
              f"({result.records_per_second:,.0f} records/s), {result.seconds:.1f}s in all")
    print_summary(args, run, f"已导入 imported {result.records:,} nodes and relationships of "
                  f"{shown(result.dataset)}")
    return 0


def cmd_neo4j_datasets(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend

    frame = backend.datasets(_connection(args))
    if not len(frame):
        out.print("no datasets loaded")
        return 0
    out.print(table_text(frame))
    return 0


def cmd_neo4j_drop(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend

    conn = _connection(args)
    name = args.dataset_name
    if not backend.dataset_loaded(name, conn):
        known = ", ".join(printable(n) for n in backend.dataset_names(conn)) or "none"
        raise UsageError(f"Neo4j 中没有数据集 / no dataset {printable(name)!r} in Neo4j; "
                         f"loaded 已加载: {known}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"删除数据集 {printable(name)!r} 需要确认 / dropping a dataset needs a "
                             "confirmation: run it in a terminal or add --yes")
        try:
            answer = err.input(f"删除 Neo4j 中的数据集 {shown(name)}（其他数据集不受影响）？/ "
                               "Drop this dataset from Neo4j (nothing else)? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"y", "yes", "是"}:
            err.print("未删除 / nothing dropped")
            return 1
    deleted = backend.delete_dataset(name, conn)
    out.print(f"[green]✓[/] dropped {shown(name)}: {deleted} entities deleted 已删除")
    return 0


def cmd_neo4j_gaps(args: argparse.Namespace) -> int:
    from graphmodel.gaps import gaps
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    as_of = parse_as_of(args.as_of)
    rules = _rules(args)
    only = _only(args.only, rules)
    found = gaps(args.dataset_name, as_of, only, backend="neo4j", conn=_connection(args),
                 rules=rules, **params)
    print_findings(found, args.format)
    if args.format == "table":
        err.print(f"{shown(args.dataset_name)} (neo4j) as of {as_of.isoformat()}: "
                  f"{len(found)} findings")
    return 1 if args.fail_on_gaps and len(found) else 0


def cmd_neo4j_query(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend
    from graphmodel.queries import parse_as_of

    params = {key: int(value) if value.isdigit() else value
              for key, value in _param_items(args.param).items()}
    as_of = parse_as_of(args.as_of)
    try:
        frame = backend.library_query(args.name, args.dataset_name, as_of,
                                      _connection(args), **params)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, UsageError):
            raise
        err.print(f"[red]错误 error[/]: {shown(exc.args[0] if exc.args else exc, LINE_LIMIT)}")
        return 1
    if args.format == "json":
        print(json_safe(frame.to_json(orient="records", force_ascii=False, indent=2,
                                      date_format="iso")))
    elif args.format == "csv":
        sys.stdout.write(clean_frame(frame).to_csv(index=False))
    else:
        out.print(table_text(frame) if len(frame) else "(no rows)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``graphmodel report``: one dated report folder (:mod:`graphmodel.report`)."""
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    try:
        as_of = parse_as_of(args.as_of)
    except InvalidDateError as exc:
        raise InvalidDateError(f"--as-of: {exc}") from None
    args.checked_rules = _rules(args)  # a bad rule file is refused before anything runs
    out_dir: Path = args.out
    with progress_session(args) as run:
        status, result = _report(args, params, as_of, out_dir)
    if result is not None:
        print_report_summary(result)
        print_summary(args, run, f"报告 report {shown(result.name)}: {result.total:,} findings")
    return status


def _report(args: argparse.Namespace, params: dict[str, int], as_of: Any,
            out_dir: Path) -> tuple[int, report.ReportResult | None]:
    """Read the dataset and write the report: (exit status, what was written)."""
    from graphmodel import report
    from graphmodel.dataset import dataset_name, load_dataset

    dataset: Dataset | None = None
    conn = None
    if args.backend == "neo4j":  # everything comes from the server: no dataset files read
        conn = _connection(args)
        name = args.dataset_name or dataset_name(args.dataset or settings.default_dataset_path())
    else:
        try:
            dataset = load_dataset(args.dataset, name=args.dataset_name)
        except DatasetError as exc:
            with contextlib.suppress(OSError):
                out_dir.mkdir(parents=True, exist_ok=True)
                report.append_log(out_dir, status="invalid", dataset=args.dataset_name or str(
                    args.dataset or "default"), as_of=as_of.isoformat(), backend=args.backend,
                    error=f"{len(exc.problems)} error(s) in {exc.source}")
            raise
        print_problems(dataset_notes(dataset.warnings))
        name = dataset.name
    try:
        with report.sigterm_as_exit():
            result = report.build_report(dataset, out_dir, as_of, backend=args.backend,
                                         neo4j_dataset=name, params=params, conn=conn,
                                         wait=args.wait,
                                         compare_to=getattr(args, "compare_to", None),
                                         rules=getattr(args, "checked_rules", None) or None)
    except OSError as exc:
        if isinstance(exc, GraphmodelError):
            raise
        err.print(f"[red]错误 error[/]: 报告未写成，上一份报告保持不变 / report not written, the "
                  f"previous one is unchanged: {shown(exc, LINE_LIMIT)}")
        return 1, None
    return 0, result


def print_report_summary(result: report.ReportResult) -> None:
    """Print where the report is, the counts per gap and what changed."""
    from graphmodel import report
    from graphmodel.gaps import GAP_NAMES
    from graphmodel.queries import get_query

    queries = {name: get_query(name) for name in GAP_NAMES}
    latest = result.path.parent / report.LATEST_NAME
    out.print(f"[green]✓[/] 报告已写入 report written: {shown(result.path, None)}")
    out.print(f"  最新 latest: {shown(latest, None)}"
              + ("" if result.latest_symlink else f" (see {report.LATEST_TXT})"))
    out.print(f"  {shown(result.dataset)} as of {result.as_of.isoformat()} "
              f"({result.backend}): {result.total} findings in "
              f"{sum(1 for n in result.counts.values() if n)} gaps, "
              f"{result.seconds:.1f}s")
    new = result.new.groupby("gap").size().to_dict() if len(result.new) else {}
    resolved = result.resolved.groupby("gap").size().to_dict() if len(result.resolved) else {}
    width = max(len(g) for g in [*queries, *result.counts])
    for gap, query in queries.items():
        change = ""
        if result.previous:
            change = f"  (+{new.get(gap, 0)} −{resolved.get(gap, 0)})"
        out.print(f"  {gap:<{width}} {result.counts.get(gap, 0):>4}  "
                  f"{escape(query.title_zh)}{change}")
    for gap in [g for g in result.counts if g not in queries]:  # the analysts' rules
        change = (f"  (+{new.get(gap, 0)} −{resolved.get(gap, 0)})" if result.previous
                  else "")
        out.print(f"  {shown(gap):<{width}} {result.counts[gap]:>4}  规则 rule{change}")
    if result.previous:
        out.print(f"  与上次报告相比 since {shown(result.previous)}: 新增 new "
                  f"{len(result.new)}, 已解决 resolved {len(result.resolved)}")
        for warning in getattr(result, "warnings", []):
            out.print(f"  [yellow]⚠ 不完全可比 not like for like[/]: {shown(warning, None)}")
    else:
        out.print("  首份报告，无可比较 / first report here: nothing to compare with")


def cmd_generate(args: argparse.Namespace) -> int:
    """``graphmodel generate``: a synthetic dataset (:mod:`graphmodel.generate`)."""
    from graphmodel import generate

    result = generate.generate(args.tier, seed=args.seed, out=args.out, force=args.force)
    print(f"generated tier {result.tier} (seed {result.seed}) in {result.seconds:.1f} s "
          f"(writing {result.write_seconds:.1f} s) -> {printable(result.out, None)}")
    for name, count in result.counts.items():
        print(f"  {name:<18} {count:>10,}")
    print(f"expected findings on {generate.AS_OF} (default parameters):")
    for name, count in result.expected.items():
        print(f"  {name:<34} {count:>8,}")
    return 0


def _password_source() -> str:
    from graphmodel import server

    if os.environ.get("NEO4J_PASSWORD"):
        return "$NEO4J_PASSWORD"
    return str(server.password_file())


def cmd_server(args: argparse.Namespace) -> int:
    """``graphmodel server install|start|restart|stop|status|credentials``."""
    import json

    from graphmodel import server

    action = args.action
    if action == "install":
        home = server.install()
        print(f"Neo4j {server.NEO4J_VERSION} + Browser {server.BROWSER_VERSION} installed in "
              f"{home}")
    elif action in ("start", "restart"):
        if action == "restart":
            server.stop()
        info = server.start(post_connect_cmd=args.post_connect_cmd,
                            browser_assets=not args.no_browser_assets,
                            remote_content_hostname_allowlist=args.remote_content_allowlist,
                            extra_config=args.config, timeout=args.timeout)
        print(f"Neo4j {info['version']} running (pid {info['pid']})")
        print(f"  Bolt:    {info['bolt_uri']}")
        print(f"  Browser: {info['browser_url']}")
        print(f"  Guide:   :play {info['guide_url']}")
        print(f"  user neo4j; password in {_password_source()}")
    elif action == "stop":
        print("Neo4j stopped." if server.stop(timeout=args.timeout) else "Neo4j was not running.")
    elif action == "status":
        info = server.status()
        if args.json:
            print(json.dumps(info, indent=2))
        else:
            state = f"running (pid {info['pid']})" if info["running"] else "not running"
            print(f"Neo4j {info['version']}: {state}")
            print(f"  installed: {'yes' if info['installed'] else 'no'} ({info['home']})")
            print(f"  Bolt:      {info['bolt_uri']}")
            print(f"  Browser:   {info['browser_url']}")
            print(f"  Guide:     :play {info['guide_url']}")
            print(f"  log:       {info['log']}")
        return 0 if info["running"] else 1
    elif action == "credentials":
        creds = server.credentials()
        if not args.show_password:
            creds["password"] = f"<hidden; see {_password_source()}>"
        for key, value in creds.items():
            print(f"{key}: {value}")
    return 0


def cmd_browser(args: argparse.Namespace) -> int:
    """``graphmodel browser style|guide|write``: Neo4j Browser's style and guide."""
    from graphmodel import browser, server

    if args.action == "style":
        sys.stdout.write(browser.grass())
    elif args.action == "guide":
        sys.stdout.write(browser.guide_html(args.dataset_name, args.as_of))
    else:
        directory = Path(args.directory) if args.directory else server.assets_dir()
        for path in browser.write_assets(directory, args.dataset_name, args.as_of,
                                         base_url=server.assets_url()).values():
            print(path)
    return 0


def _add_report_command(commands: argparse._SubParsersAction) -> None:
    from graphmodel import report

    p = commands.add_parser(
        "report", help="dated analyst report: HTML, Excel, JSON/CSV, charts, network map",
        description="Write a dated report folder under DIR (report.html, gaps.xlsx, gaps.json, "
        "gaps.csv, the tables as CSV, charts, network.png, meta.json), point DIR/latest at it "
        "and append one line to DIR/report.log. With --backend neo4j every query runs on the "
        "server and the dataset is read from it: no dataset files are needed. Safe on a "
        "schedule: one run at a time (DIR/.lock), built in a temporary folder and renamed into "
        "place, so a failed run leaves the previous report intact. Exit 0 on success, 1 on "
        "failure or when another run holds the lock, 2 for an invalid dataset or date, or a "
        "symlink planted where the report keeps its own files (DIR/.lock, report.log, latest, "
        "a report folder).")
    p.add_argument("dataset", nargs="?", default=None,
                   help="CSV directory or .xlsx workbook (default: the shipped data/jingansi); "
                        "not read with --backend neo4j")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="report directory (dated folders, latest, report.log)")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--backend", choices=report.BACKENDS, default="embedded",
                   help="the engine every query runs on (default embedded; neo4j needs the "
                        "dataset loaded with graphmodel neo4j load)")
    p.add_argument("--dataset", dest="dataset_name", metavar="NAME",
                   help="dataset name (default: directory name); with --backend neo4j, the "
                        "name it was loaded under")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="override a gap parameter, e.g. visit_window_days=90 (repeatable)")
    p.add_argument("--config", help="JSON or TOML file of parameters (and `rules = \"FILE\"`)")
    p.add_argument("--rules", metavar="FILE",
                   help="TOML file of your own coverage rules (docs/rules.md): a section of "
                        "their own, counted in the history and the changes")
    p.add_argument("--compare-to", metavar="DATE_OR_REPORT",
                   help="compare with this earlier report instead of the previous one: a "
                        "date YYYY-MM-DD (the latest report as of that date), a report "
                        "folder name in DIR or a folder path; the page warns when "
                        "parameters, rules or dataset changed (exit 2 if none matches)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait up to SECONDS for another run to finish (default 0: fail at "
                        "once with exit 1)")
    _add_connection(p)
    add_quiet_option(p)
    p.set_defaults(handler=cmd_report)


def cmd_rules_check(args: argparse.Namespace) -> int:
    """``graphmodel rules check FILE [DATASET]``: is the rule file valid; which rules match
    no subject in the dataset (not an error)."""
    from graphmodel.rules import load_rules, rules_without_subjects

    rules = load_rules(args.file)
    out.print(f"[green]✓[/] {shown(args.file)}: {len(rules)} 条规则有效 / rule(s) valid: "
              + ", ".join(shown(r.name) for r in rules))
    if args.dataset is not None:
        from graphmodel.dataset import load_dataset

        dataset = load_dataset(args.dataset)
        empty = rules_without_subjects(rules, dataset)
        for name in empty:
            out.print(f"  注意 note: 规则 {shown(name)} 在 {shown(dataset.name)} 中没有匹配的对象 / "
                      f"rule {shown(name)} matches no subject in {shown(dataset.name)}")
        if not empty:
            out.print(f"  每条规则在 {shown(dataset.name)} 中都有对象 / every rule matches "
                      f"subjects in {shown(dataset.name)}")
    return 0


def cmd_rules_show(args: argparse.Namespace) -> int:
    """``graphmodel rules show FILE``: each rule in words, its :param lines and Cypher."""
    from graphmodel.queries import parse_as_of
    from graphmodel.rules import load_rules, show

    rules = load_rules(args.file)
    sys.stdout.write(show(rules, args.dataset_name, parse_as_of(args.as_of)))
    return 0


def _add_rules_commands(commands: argparse._SubParsersAction) -> None:
    rules_parser = commands.add_parser(
        "rules", help="your own coverage rules (docs/rules.md): check and show a rule file",
        description="Analysts' own coverage rules in a TOML file (docs/rules.md). Run them with "
        "--rules FILE on gaps, neo4j gaps and report. Exit 2 for a bad rule file.")
    sub = rules_parser.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
    p = sub.add_parser("check", help="validate a rule file (and, given a dataset, say which "
                       "rules match no subject)")
    p.add_argument("file", help="the rule file (TOML)")
    p.add_argument("dataset", nargs="?", default=None,
                   help="CSV directory or .xlsx workbook to try the rules' subjects on")
    p.set_defaults(handler=cmd_rules_check)
    p = sub.add_parser("show", help="each rule in words, with the Cypher it runs and its "
                       ":param lines (paste into Neo4j Browser as is)")
    p.add_argument("file", help="the rule file (TOML)")
    p.add_argument("--dataset", dest="dataset_name", default="jingansi",
                   help="dataset name for the :param line (default jingansi)")
    p.add_argument("--as-of", help="evaluation date for the :param line (default today)")
    p.set_defaults(handler=cmd_rules_show)


def _add_generate_command(commands: argparse._SubParsersAction) -> None:
    from graphmodel import generate

    p = commands.add_parser(
        "generate", help="write a synthetic dataset at street, district or city scale",
        description="Write a synthetic dataset that meets the data contract, with coverage gaps "
        f"planted at known rates for {generate.AS_OF} (see generate.json in DIR). The same "
        "tier and seed give byte-identical files.")
    p.add_argument("--tier", required=True, choices=list(generate.TIERS),
                   help="street (~500 companies), district (~100,000), city (~1,000,000)")
    p.add_argument("--seed", type=int, default=generate.DEFAULT_SEED,
                   help=f"random seed (default {generate.DEFAULT_SEED})")
    p.add_argument("--out", required=True, help="directory to write (new or empty, unless "
                   "--force)")
    p.add_argument("--force", action="store_true",
                   help="replace the tables and generate.json already in DIR")
    p.set_defaults(handler=cmd_generate)


def _add_server_commands(commands: argparse._SubParsersAction) -> None:
    server_parser = commands.add_parser(
        "server", help="install/start/stop/status of the local Neo4j server",
        description="Manage the project's own Neo4j Community server, installed from Maven "
        "Central (data, logs and password under .neo4j/).")
    sub = server_parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("install", help="resolve the Neo4j and Browser jars with Maven")
    for name, what in (("start", "start and wait until Bolt answers"),
                       ("restart", "stop, then start")):
        p = sub.add_parser(name, help=what)
        p.add_argument("--post-connect-cmd",
                       help="value of browser.post_connect_cmd (default: apply graphmodel's "
                            "style and open its guide; '' for none)")
        p.add_argument("--no-browser-assets", action="store_true",
                       help="do not write graphmodel's Browser style and guide")
        p.add_argument("--remote-content-allowlist",
                       help="comma-separated hosts Browser may fetch content from")
        p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                       help="extra neo4j.conf setting (repeatable)")
        p.add_argument("--timeout", type=float, default=120.0, help="seconds (default 120)")
    p = sub.add_parser("stop", help="stop the server")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before SIGKILL")
    p = sub.add_parser("status", help="show status; exit status 1 if not running")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("credentials", help="print connection settings")
    p.add_argument("--show-password", action="store_true")
    server_parser.set_defaults(handler=cmd_server)


def _add_browser_commands(commands: argparse._SubParsersAction) -> None:
    browser_parser = commands.add_parser(
        "browser", help="Neo4j Browser style (GraSS) and guide",
        description="Neo4j Browser style (GraSS) and guide generated from graphmodel's schema "
        "and query library (docs/neo4j_browser.md).")
    sub = browser_parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("style", help="print the GraSS style sheet")
    guide = sub.add_parser("guide", help="print the guide's HTML")
    write = sub.add_parser("write", help="write style.grass and guide.html")
    write.add_argument("directory", nargs="?", help="default: the local server's asset dir")
    for p in (guide, write):
        p.add_argument("--dataset", dest="dataset_name", help="dataset name for :param dataset")
        p.add_argument("--as-of", help="YYYY-MM-DD for :param as_of (default: date())")
    browser_parser.set_defaults(handler=cmd_browser)


def _add_link_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded",
                        help="the engine; both give the same answer (default embedded)")
    parser.add_argument("--dataset", dest="dataset_name", metavar="NAME",
                        help="with --backend neo4j: the dataset's name on the server (default: "
                        "the name of the dataset files)")
    _add_connection(parser)


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--uri", help="bolt://, neo4j:// or neo4j+s:// URI (default $NEO4J_URI or "
                        "the local server)")
    parser.add_argument("--database", help="database name (default $NEO4J_DATABASE or neo4j)")


def _add_neo4j_commands(commands: argparse._SubParsersAction) -> None:
    neo = commands.add_parser("neo4j", help="load into and query a Neo4j server",
                              description="Neo4j backend. Credentials come from NEO4J_URI, "
                              "NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE, else the local "
                              "server started by `graphmodel server start`.")
    sub = neo.add_subparsers(dest="neo4j_command", metavar="COMMAND", required=True)

    p = sub.add_parser("load", help="validate, then load a dataset (idempotent; unchanged "
                       "tables write nothing)")
    _add_dataset(p)
    _add_connection(p)
    p.add_argument("--dataset", dest="dataset_name", help="dataset name (default: directory name)")
    p.add_argument("--batch-size", type=whole_number_arg(1, 10_000_000), default=20000,
                   help="rows per transaction (default 20000)")
    p.add_argument("--sync", action="store_true",
                   help="delete entities of this dataset that are no longer in it")
    p.add_argument("--bulk", action="store_true",
                   help="首次批量导入 first load into the local server's EMPTY database with "
                   "neo4j-admin import (stops and restarts the server; refused when the "
                   "database holds anything or the server is remote)")
    add_quiet_option(p)
    p.set_defaults(handler=cmd_neo4j_load)

    p = sub.add_parser("datasets", help="list the datasets loaded")
    _add_connection(p)
    p.set_defaults(handler=cmd_neo4j_datasets)

    p = sub.add_parser("drop", help="delete one dataset (and nothing else) from the server")
    _add_connection(p)
    p.add_argument("--dataset", dest="dataset_name", required=True, help="dataset name")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=cmd_neo4j_drop)

    p = sub.add_parser("gaps", help="the coverage gaps computed on the server")
    _add_connection(p)
    p.add_argument("--dataset", dest="dataset_name", default="jingansi",
                   help="dataset name (default jingansi)")
    add_gap_options(p)
    p.set_defaults(handler=cmd_neo4j_gaps)

    p = sub.add_parser("query", help="run a library query on the server")
    p.add_argument("name", help="query name (see queries/)")
    _add_connection(p)
    p.add_argument("--dataset", dest="dataset_name", default="jingansi")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=cmd_neo4j_query)


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no summary line with timings on stderr "
                        "(errors are still printed; a bar is only drawn on a terminal)")


def _add_dataset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", nargs="?", default=None,
                        help="CSV directory or .xlsx workbook (default: the shipped data/jingansi)")


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with the user's words in its error messages escaped for the terminal."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message, LINE_LIMIT)}\n")


def whole_number_arg(low: int = 0, high: int = 36500) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(value: str) -> int:
        from graphmodel.queries import whole_number

        try:
            return whole_number("value", value, low, high)
        except UsageError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {value[:40]!r}") from None

    return parse


def _add_gaps_command(commands: argparse._SubParsersAction) -> None:
    from graphmodel.gaps import GAP_NAMES

    p = commands.add_parser("gaps", help="coverage gaps (docs/gaps.md)",
                            description=f"Run the {len(GAP_NAMES)} coverage gaps: "
                            + ", ".join(GAP_NAMES)
                            + ". Exit 0 unless --fail-on-gaps and something was found.")
    _add_dataset(p)
    add_gap_options(p)
    p.add_argument("--by", choices=("grid", "area", "worker", "org"), default=None,
                   help="count the findings per grid, residential area, responsible worker "
                   "or accountable organisation (a work list; rule: docs/gaps.md)")
    p.set_defaults(handler=cmd_gaps)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every command, or of the command ``only`` alone (what
    :func:`main` runs: the other commands' parsers, some of which import heavy modules to
    list their choices, are then never built)."""
    parser = ArgumentParser(
        prog="graphmodel",
        description="静安寺街道治理网络图模型 — governance network graph and coverage gaps.",
    )
    parser.add_argument("--version", action="version", version=f"graphmodel {__version__}")
    parser.add_argument("--wide", action="store_true",
                        help="print tables as wide as their text (no wrapping; for a pager "
                        "or a file); by default long cells wrap, never cut")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("validate", help="check a dataset against the contract",
                            description="Check every contract rule; print all problems with "
                            "table, row and column; exit 2 if any error.")
    _add_dataset(p)
    p.add_argument("--all", dest="all_problems", action="store_true",
                   help=f"print every problem (default: at most {PROBLEM_LINES} lines, root "
                   "causes first, errors that only follow from them counted)")
    p.add_argument("--annotate", metavar="OUT.xlsx", type=Path, default=None,
                   help="also write a copy of the tables as one workbook with every offending "
                   "cell filled and commented, and a first sheet 问题 Problems linking to each "
                   "(the input is never modified)")
    p.add_argument("--force", action="store_true", help="replace an existing --annotate file")
    add_quiet_option(p)
    p.set_defaults(handler=cmd_validate)

    p = commands.add_parser("info", help="counts per label and relationship type",
                            description="Counts per node label and relationship type, grids "
                            "by kind, organizations by kind and sector, data sources.")
    _add_dataset(p)
    p.set_defaults(handler=cmd_info)

    p = commands.add_parser("template", help="write empty input tables to fill in",
                            description="Write empty, correctly headed tables (CSV, or one "
                            ".xlsx workbook with bilingual notes and drop-down lists).")
    p.add_argument("dir", help="output directory (or .xlsx path with --xlsx); refused when it "
                   "holds files (or the workbook exists) unless --force")
    p.add_argument("--xlsx", action="store_true", help="write one Excel workbook")
    p.add_argument("--force", action="store_true",
                   help="replace the template files (or workbook) that are already there")
    p.set_defaults(handler=cmd_template)

    if only in (None, "gaps"):
        _add_gaps_command(commands)
    _add_rules_commands(commands)


    p = commands.add_parser("show", help="everything about one entity (profile)",
                            description="Kind and place chain, organisations located in it or "
                            "covering it, people assigned, active links, recent visits, latest "
                            "risk levels, open demands and open gaps with their owner, e.g. "
                            "graphmodel show 高和大厦.")
    _add_dataset(p)
    p.add_argument("entity", metavar="NAME_OR_ID", help="id or exact name")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded")
    p.add_argument("--dataset", dest="dataset_name", metavar="NAME",
                   help="with --backend neo4j: the dataset's name on the server (default: "
                   "the name of the dataset files)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="override a gap parameter, e.g. visit_window_days=90 (repeatable)")
    p.add_argument("--config", help="JSON or TOML file of gap parameters")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _add_connection(p)
    p.set_defaults(handler=cmd_show)

    p = commands.add_parser("links", help="who bridges sectors (跨领域连接) and the sector matrix",
                            description="The sector matrix of active links and the ranking of "
                            "who bridges sectors: actors by the number of sectors other than "
                            "their own they are tied to (active links, WORKS_FOR, CHILD_OF), "
                            "then betweenness, with the supporting links listed. --show "
                            "bridges,connectors prints the older tables too; how the three "
                            "relate: docs/linkages.md.")
    _add_dataset(p)
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--sectors", metavar="LIST",
                   help="only count ties to these sectors, e.g. business,community,ethnic,"
                   "religious (default all)")
    p.add_argument("--min-sectors", type=whole_number_arg(), default=1,
                   help="sectors bridged: list actors bridging at least this many (default 1)")
    p.add_argument("--top", type=whole_number_arg(), default=20,
                   help="rows of the ranking and of bridges to list (default 20; 0 = all)")
    p.add_argument("-k", type=whole_number_arg(), default=3,
                   help="connectors: minimum other sectors (3)")
    p.add_argument("--show", default="matrix,sectors_bridged", metavar="TABLES",
                   help="tables to print, of " + ",".join(LINK_TABLES)
                   + " (default matrix,sectors_bridged; csv prints the first)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_link_backend(p)
    p.set_defaults(handler=cmd_links)

    p = commands.add_parser("path", help="shortest connections between two entities",
                            description="The k shortest undirected connections over active "
                            "links, membership/work ties and containment, shortest first, e.g. "
                            "graphmodel path 京东健康 上海戏剧学院 --k 3 --no-colocation.")
    _add_dataset(p)
    p.add_argument("a", help="id or exact name")
    p.add_argument("b", help="id or exact name")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--k", "-k", type=whole_number_arg(1, 1000), default=1,
                   help="up to this many alternative paths, shortest first (default 1)")
    p.add_argument("--no-colocation", dest="colocation", action="store_false",
                   help="leave out PART_OF / LOCATED_IN hops (being in the same building, grid "
                   "or area): only relationship links and membership/work ties")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _add_link_backend(p)
    p.set_defaults(handler=cmd_path)

    p = commands.add_parser("risk", help="five-colour risk view (五色风险分析法)",
                            description="Latest level per assessed company with follow-up "
                            "deadline and state, distribution per grid, residential area or "
                            "building, and "
                            "suggested levels for unassessed companies.")
    _add_dataset(p)
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--by", choices=("grid", "area", "building"), default="grid",
                   help="distribution per grid, residential area or building (default grid)")
    p.add_argument("--all", action="store_true", help="list every assessed company")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=cmd_risk)

    for name, add in (("report", _add_report_command), ("generate", _add_generate_command),
                      ("neo4j", _add_neo4j_commands), ("server", _add_server_commands),
                      ("browser", _add_browser_commands)):
        if only in (None, name):
            add(commands)

    p = commands.add_parser("schema", help="print the data contract and graph model (Markdown)",
                            description="Print docs/schema.md (the default, also --markdown) or "
                            "docs/gaps.md (--gaps) as generated from the code, or rewrite the "
                            "generated docs in a directory (--write docs, = make docs).")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--markdown", action="store_true",
                      help="the tables, link types and graph model (default)")
    what.add_argument("--gaps", action="store_true", help="the coverage gaps and their terms")
    what.add_argument("--write", metavar="DIR", help="write schema.md and gaps.md into DIR and "
                      "refresh the generated blocks of DIR/data_contract.md")
    what.add_argument("--check", metavar="DIR",
                      help="exit 1 when the generated docs in DIR are out of date")
    p.set_defaults(handler=cmd_schema)

    for sub in commands.choices.values():  # --wide also after the command's name
        if "--wide" not in sub._option_string_actions:
            sub.add_argument("--wide", action="store_true", default=argparse.SUPPRESS,
                             help="print tables as wide as their text (no wrapping)")
    return parser


def _stdout_broken(exc: OSError) -> bool:
    """Whether ``exc`` is the terminal or pipe refusing output (``> /dev/full``): a write
    error with no file name (file errors name their file; writers raise WriteError)."""
    import errno

    if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EIO, errno.EPIPE):
        return True
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit does not complain."""
    with contextlib.suppress(OSError, ValueError), open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), sys.stdout.fileno())


def _error_line(exc: BaseException) -> str:
    message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return printable(message or type(exc).__name__, LINE_LIMIT)


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option: the top-level
    options take no value), or None when there is none or it is unknown."""
    word = next((a for a in argv if not a.startswith("-")), None)
    return word if word in COMMANDS else None


COMMANDS = ("validate", "info", "template", "gaps", "rules", "show", "links", "path", "risk",
            "report", "generate", "neo4j", "server", "browser", "schema")
"""Every command of :func:`build_parser` (tests/test_cli.py checks the list)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Never prints a traceback: a dataset that breaks the contract prints its problems and
    returns 2; a bad argument (date, parameter, output target: a
    :class:`~graphmodel.errors.UsageError`) prints one line and raises ``SystemExit(2)``,
    like argparse's own errors; a refused write (read-only or full disk, no permission)
    returns 2; any other failure prints one line and returns 1 (``GRAPHMODEL_DEBUG=1``
    shows the traceback).
    """
    args = build_parser(_command_named(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    if getattr(args, "wide", False):
        out.width = WIDE
    # The driver logs every retry as a warning; the command prints one clear message instead.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        status = args.handler(args)
        sys.stdout.flush()
        return status
    except DatasetError as exc:
        print_problems(exc.warnings + exc.problems, title=f"{exc.source}: ",
                       limit=_problem_limit(args))
        return exc.exit_code
    except RuleFileError as exc:  # every problem of the file, one per line
        err.print(f"graphmodel {escape(args.command)}: [red]错误 error[/]: "
                  f"{len(exc.problems)} 个规则文件问题 / problem(s) in the rule file")
        for problem in exc.problems:
            err.print(f"  {escape(printable(problem.format(), LINE_LIMIT))}")
        return exc.exit_code
    except UsageError as exc:
        message = _error_line(exc)
        err.print(f"graphmodel {escape(args.command)}: [red]错误 error[/]: {escape(message)}")
        raise UsageExit(message) from None
    except GraphmodelError as exc:  # every other kind: errors.py gives its exit status
        err.print(f"[red]错误 error[/]: {escape(_error_line(exc))}")
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (graphmodel gaps | head): stop quietly.
        _drop_stdout()
        return 1
    except OSError as exc:
        if _stdout_broken(exc):
            _drop_stdout()
            err.print(f"[red]错误 error[/]: cannot write the output: {escape(_error_line(exc))}")
            return 1
        err.print(f"[red]错误 error[/]: {escape(_error_line(exc))}")
        return 2
    except Exception as exc:
        if os.environ.get("GRAPHMODEL_DEBUG"):
            raise
        err.print(f"[red]错误 error[/]: {escape(type(exc).__name__)}: {escape(_error_line(exc))}"
                  " (GRAPHMODEL_DEBUG=1 shows the traceback)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
