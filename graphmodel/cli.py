"""The ``graphmodel`` command line.

Every command that takes a DATASET defaults to the shipped 静安寺街道 dataset.
Exit status: 0 success, 1 failure, 2 invalid input (every problem is printed).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from graphmodel import schema
from graphmodel._problems import DatasetError, Problem
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.neo4j_backend import Neo4jError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

Handler = Callable[[argparse.Namespace], int]


def print_problems(problems: Sequence[Problem], title: str = "") -> None:
    """Print problems as plain lines grouped by severity (errors last, to stderr)."""
    warnings = [p for p in problems if p.severity == "warning"]
    errors = [p for p in problems if p.severity == "error"]
    by_message: dict[str, list[Problem]] = {}
    for problem in warnings:
        by_message.setdefault(problem.message, []).append(problem)
    for message, group in by_message.items():
        where = "; ".join(p.format().removesuffix(": " + message) for p in group)
        err.print(f"[yellow]注意 note[/]: {escape(message)}: {escape(where)}")
    if errors:
        err.print(f"[bold red]{title}发现 {len(errors)} 个错误 / found {len(errors)} error(s); "
                  "nothing was loaded:[/]")
        for problem in sorted(errors, key=lambda p: (p.file, p.row or 0)):
            err.print(f"  [red]错误 error[/]: {escape(problem.format())}")


UNKNOWN_COLUMNS_NOTE = "unknown extra columns"
"""Words of the note on unknown extra columns, which only ``validate`` prints."""


def dataset_notes(problems: Sequence[Problem]) -> list[Problem]:
    """The notes a command other than ``validate`` prints: all but unknown extra columns
    (kept as properties; ``graphmodel validate`` lists them)."""
    return [p for p in problems if UNKNOWN_COLUMNS_NOTE not in p.message]


def _load(args: argparse.Namespace, all_notes: bool = False) -> Dataset:
    dataset = load_dataset(args.dataset, name=getattr(args, "dataset_name", None))
    print_problems(dataset.warnings if all_notes else dataset_notes(dataset.warnings))
    return dataset


def cmd_validate(args: argparse.Namespace) -> int:
    dataset = _load(args, all_notes=True)
    total = sum(dataset.counts().values())
    out.print(f"[green]✓[/] {dataset.path}: 数据有效 / valid — {total} rows in "
              f"{sum(1 for n in dataset.counts().values() if n)} tables")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from graphmodel.stats import info

    dataset = _load(args)
    summary = info(dataset)
    out.print(f"[bold]数据集 Dataset[/]: {dataset.name}  ({dataset.path})")
    streets = dataset["streets"]
    out.print("街道 Street: " + "、".join(f"{n} ({e})" if isinstance(e, str) else n for n, e in
                                        zip(streets["name"], streets.get("name_en", streets["name"]),
                                            strict=True)))
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
        table.add_column(str(column), justify="right")
    for name, row in sources.iterrows():
        table.add_row(str(name), *(str(v) for v in row))
    out.print(table)
    return 0


def _count_table(title: str, key: str, counts: dict[str, int], titles: dict[str, str],
                 titles_header: str = "中文") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    table.add_column(titles_header)
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(name, titles.get(name, ""), str(count))
    return table


def cmd_template(args: argparse.Namespace) -> int:
    from graphmodel.io import write_template

    path = write_template(args.dir, xlsx=args.xlsx)
    out.print(f"[green]✓[/] 模板已写入 template written: {path}")
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
    """Parameters from --config (JSON or TOML, keys at top level or under [params]) then --param."""
    params: dict[str, object] = {}
    if args.config:
        params.update(_read_config(Path(args.config)))
    params.update(_param_items(args.param))
    from graphmodel.queries import resolve_params

    try:
        resolve_params(**params)
    except ValueError as exc:
        raise SystemExit(f"graphmodel: {exc}") from None
    return {k: int(v) for k, v in params.items()}  # type: ignore[call-overload]


def _param_items(items: list[str] | None) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict (stripped strings)."""
    params: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--param expects NAME=VALUE, got {item!r}")
        params[key.strip()] = value.strip()
    return params


def _read_config(path: Path) -> dict[str, object]:
    import json
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"graphmodel: cannot read config {path}: {exc}") from None
    params = data.get("params", data)
    return {k: v for k, v in params.items() if k != "as_of"}


def print_findings(found: object, fmt: str) -> None:
    """Print gap findings as a table grouped by gap (people) or JSON/CSV (machines)."""
    from graphmodel.gaps import findings_to_csv, findings_to_json
    from graphmodel.queries import get_query

    if fmt == "json":
        print(findings_to_json(found))
        return
    if fmt == "csv":
        sys.stdout.write(findings_to_csv(found))
        return
    if not len(found):
        out.print("[green]未发现覆盖缺口 / no coverage gaps found[/]")
        return
    for gap, group in found.groupby("gap", sort=True):
        query = get_query(str(gap))
        table = Table(title=f"{query.title_zh} / {query.title_en} — {len(group)}",
                      title_justify="left", title_style="bold")
        table.add_column("id")
        table.add_column("名称 name")
        table.add_column("网格 grid")
        table.add_column("居民区 area")
        table.add_column("详情 detail")
        for row in group.itertuples():
            detail = ", ".join(f"{k}={v}" for k, v in row.detail.items())
            table.add_row(row.id, str(row.name), _place(row.grid_name),
                          _place(getattr(row, "area_name", None)), detail)
        out.print(table)


def _place(name: object) -> str:
    """A grid or area name for a table cell (blank when there is none)."""
    return name if isinstance(name, str) else ""


def cmd_gaps(args: argparse.Namespace) -> int:
    from graphmodel.gaps import gaps
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    as_of = parse_as_of(args.as_of)
    dataset = _load(args)
    only = [n.strip() for n in args.only.split(",")] if args.only else None
    try:
        found = gaps(dataset, as_of=as_of, only=only, **params)
    except KeyError as exc:
        raise SystemExit(f"graphmodel: {exc.args[0]}") from None
    print_findings(found, args.format)
    if args.format == "table":
        err.print(f"{dataset.name} as of {as_of.isoformat()}: {len(found)} findings in "
                  f"{found['gap'].nunique()} gaps")
    return 1 if args.fail_on_gaps and len(found) else 0


def add_gap_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``gaps`` and ``neo4j gaps``."""
    parser.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    parser.add_argument("--only", help="comma-separated gap names")
    parser.add_argument("--param", action="append", metavar="NAME=VALUE",
                        help="override a parameter, e.g. visit_window_days=90 (repeatable)")
    parser.add_argument("--config", help="JSON or TOML file of parameters")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--fail-on-gaps", action="store_true",
                        help="exit 1 when any gap is found (for schedulers)")


def _print_frame(frame: object, fmt: str, title: str = "") -> None:
    """Print a DataFrame as a rich table (people), JSON or CSV (machines)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    if fmt == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
        return
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
        return
    table = Table(title=title, title_justify="left", title_style="bold")
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
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
        return value.date().isoformat()
    return str(value)


def cmd_links(args: argparse.Namespace) -> int:
    from graphmodel import linkages
    from graphmodel.queries import parse_as_of

    as_of = parse_as_of(args.as_of)
    dataset = _load(args)
    matrix = linkages.sector_matrix(dataset, as_of)
    bridges = linkages.bridges(dataset, as_of, top=args.top)
    connectors = linkages.connectors(dataset, as_of, k=args.k)
    if args.format == "json":
        import json

        print(json.dumps({name: json.loads(frame.to_json(orient="records", force_ascii=False))
                          for name, frame in (("sector_matrix", matrix), ("bridges", bridges),
                                              ("connectors", connectors))},
                         ensure_ascii=False, indent=2))
        return 0
    if args.format == "csv":
        _print_frame(matrix, "csv")
        return 0
    table = linkages.sector_matrix_table(matrix)
    table = table.rename(index=schema.SECTOR_LABELS)
    table.insert(0, "from \\ to", table.index)
    _print_frame(table, "table", "领域关系矩阵 Sector matrix (active links, source → target)")
    _print_frame(bridges, "table", f"跨领域桥梁 Bridges (betweenness, top {args.top})")
    _print_frame(connectors, "table", f"跨领域连接者 Connectors (≥ {args.k} other sectors)")
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    from graphmodel import linkages
    from graphmodel.queries import parse_as_of

    dataset = _load(args)
    try:
        steps = linkages.path(dataset, args.a, args.b, parse_as_of(args.as_of))
    except ValueError as exc:
        err.print(f"[red]错误 error[/]: {escape(str(exc))}")
        return 1
    if not len(steps):
        out.print(f"{args.a} 与 {args.b} 之间没有联系 / no connection")
        return 1
    if args.format != "table":
        _print_frame(steps, args.format)
        return 0
    out.print(linkages.format_path(steps), markup=False)
    out.print(f"({len(steps)} 步 steps)")
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

        print(json.dumps({"assessed": json.loads(view.to_json(orient="records", force_ascii=False,
                                                               date_format="iso")),
                          "suggested": json.loads(suggested.to_json(orient="records",
                                                                    force_ascii=False))},
                         ensure_ascii=False, indent=2))
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

    dataset = _load(args)  # validates everything before any write
    result = backend.load(dataset, _connection(args), batch_size=args.batch_size, sync=args.sync,
                          progress=not args.quiet)
    out.print(f"[green]✓[/] loaded {result.dataset}: {result.nodes} nodes, "
              f"{result.relationships} relationships in {result.seconds:.1f}s "
              f"(removed {result.deleted_relationships} stale relationships"
              + (f", {result.deleted_nodes} stale entities" if args.sync else "") + ")")
    return 0


def cmd_neo4j_datasets(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend

    frame = backend.datasets(_connection(args))
    if not len(frame):
        out.print("no datasets loaded")
        return 0
    out.print(frame.to_string(index=False))
    return 0


def cmd_neo4j_gaps(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend
    from graphmodel.queries import parse_as_of

    params = _gap_params(args)
    as_of = parse_as_of(args.as_of)
    only = [n.strip() for n in args.only.split(",")] if args.only else None
    try:
        found = backend.gaps(args.dataset_name, as_of, only, _connection(args), **params)
    except KeyError as exc:
        raise SystemExit(f"graphmodel: {exc.args[0]}") from None
    print_findings(found, args.format)
    if args.format == "table":
        err.print(f"{args.dataset_name} (neo4j) as of {as_of.isoformat()}: {len(found)} findings")
    return 1 if args.fail_on_gaps and len(found) else 0


def cmd_neo4j_query(args: argparse.Namespace) -> int:
    from graphmodel import neo4j_backend as backend

    params = {key: int(value) if value.isdigit() else value
              for key, value in _param_items(args.param).items()}
    try:
        frame = backend.library_query(args.name, args.dataset_name, args.as_of,
                                      _connection(args), **params)
    except (KeyError, ValueError) as exc:
        err.print(f"[red]错误 error[/]: {escape(str(exc.args[0] if exc.args else exc))}")
        return 1
    if args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    elif args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        out.print(frame.to_string(index=False) if len(frame) else "(no rows)")
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    from graphmodel import server

    return server.main([args.action])


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

    p = sub.add_parser("load", help="validate, then load a dataset (idempotent MERGE)")
    _add_dataset(p)
    _add_connection(p)
    p.add_argument("--dataset", dest="dataset_name", help="dataset name (default: directory name)")
    p.add_argument("--batch-size", type=int, default=5000, help="rows per transaction")
    p.add_argument("--sync", action="store_true",
                   help="delete entities of this dataset that are no longer in it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_neo4j_load)

    p = sub.add_parser("datasets", help="list the datasets loaded")
    _add_connection(p)
    p.set_defaults(handler=cmd_neo4j_datasets)

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


def _add_dataset(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", nargs="?", default=None,
                        help="CSV directory or .xlsx workbook (default: the shipped data/jingansi)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="graphmodel",
        description="静安寺街道治理网络图模型 — governance network graph and coverage gaps.",
    )
    parser.add_argument("--version", action="version", version="graphmodel 0.1.0")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("validate", help="check a dataset against the contract",
                            description="Check every contract rule; print all problems with "
                            "table, row and column; exit 2 if any error.")
    _add_dataset(p)
    p.set_defaults(handler=cmd_validate)

    p = commands.add_parser("info", help="counts per label and relationship type",
                            description="Counts per node label and relationship type, grids "
                            "by kind, organizations by kind and sector, data sources.")
    _add_dataset(p)
    p.set_defaults(handler=cmd_info)

    p = commands.add_parser("template", help="write empty input tables to fill in",
                            description="Write empty, correctly headed tables (CSV, or one "
                            ".xlsx workbook with bilingual notes and drop-down lists).")
    p.add_argument("dir", type=Path, help="output directory (or .xlsx path with --xlsx)")
    p.add_argument("--xlsx", action="store_true", help="write one Excel workbook")
    p.set_defaults(handler=cmd_template)

    from graphmodel.gaps import GAP_NAMES

    p = commands.add_parser("gaps", help="coverage gaps (docs/gaps.md)",
                            description=f"Run the {len(GAP_NAMES)} coverage gaps: "
                            + ", ".join(GAP_NAMES)
                            + ". Exit 0 unless --fail-on-gaps and something was found.")
    _add_dataset(p)
    add_gap_options(p)
    p.set_defaults(handler=cmd_gaps)

    p = commands.add_parser("links", help="cross-sector linkages: matrix, bridges, connectors",
                            description="Sector matrix of active links, bridges ranked by "
                            "betweenness, and connectors linked to >= k other sectors.")
    _add_dataset(p)
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--top", type=int, default=20, help="bridges to list (default 20)")
    p.add_argument("-k", type=int, default=3, help="connectors: minimum other sectors (3)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(handler=cmd_links)

    p = commands.add_parser("path", help="shortest connection between two entities",
                            description="Shortest undirected connection over active links and "
                            "containment, e.g. graphmodel path 京东健康 上海戏剧学院.")
    _add_dataset(p)
    p.add_argument("a", help="id or exact name")
    p.add_argument("b", help="id or exact name")
    p.add_argument("--as-of", help="evaluation date YYYY-MM-DD (default today)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
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

    from graphmodel.generate import register_cli as register_generate
    from graphmodel.report import register_cli as register_report

    register_report(commands)
    register_generate(commands)
    _add_neo4j_commands(commands)

    p = commands.add_parser("server", help="install/start/stop/status of the local Neo4j server",
                            description="Manage the project's own Neo4j Community server "
                            "(data, logs and password under .neo4j/).")
    p.add_argument("action", choices=("install", "start", "stop", "status"))
    p.set_defaults(handler=cmd_server)

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

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    # The driver logs every retry as a warning; the command prints one clear message instead.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    try:
        return args.handler(args)
    except DatasetError as exc:
        print_problems(exc.warnings + exc.problems, title=f"{exc.source}: ")
        return exc.exit_code
    except Neo4jError as exc:
        err.print(f"[red]错误 error[/]: {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
