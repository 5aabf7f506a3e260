#!/usr/bin/env python3
"""The benchmark's goals and tables, from a results file of ``bench/run.py``.

Usage::

    python bench/report.py [bench/results.json]              # print the markdown
    python bench/report.py [bench/results.json] --update docs/performance.md README.md

``--update`` rewrites, in each file, only what stands between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->`` (``results``: the full tables; ``ratios``: the goals table), so
docs/performance.md and the README are regenerated from the results, never typed by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
TIER_ORDER = ("street", "district", "city")

# The goals of issue 12: (key, what, goal as text, test on the value)
PEER_RATIO = 1.5
FLOOR_RATIO = 3.0  # stretch, city
PEAK_MB = 1536
PER_COMPANY = 1.15
IMPORT_SECONDS = 0.15
LOADER_RPS = 40_000
BULK_RPS = 150_000
GAP_SECONDS = 2.0
RELOAD_SHARE = 0.10


# ---------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------


def _goal(what: str, goal: str, shown: str, value: Any, met: bool | None) -> dict[str, Any]:
    return {"what": what, "goal": goal, "measured": shown, "value": value, "met": met}


def _missing(what: str, goal: str, why: str) -> dict[str, Any]:
    return _goal(what, goal, f"not measured: {why}", None, None)


def _neo4j_tier(result: dict[str, Any], key: str) -> tuple[str, dict[str, Any]] | None:
    """The largest tier with Neo4j figures under ``key`` (city first)."""
    neo = result.get("neo4j", {})
    for tier in reversed(TIER_ORDER):
        if isinstance(neo.get(tier), dict) and key in neo[tier]:
            return tier, neo[tier]
    return None


def _neo4j_why(result: dict[str, Any]) -> str:
    neo = result.get("neo4j", {})
    if neo.get("skipped"):
        return neo.get("reason", "--skip-neo4j")
    errors = [f"{t}: {v['error'][:200]}" for t, v in neo.items()
              if isinstance(v, dict) and "error" in v]
    return "; ".join(errors) or "no Neo4j tier ran"


def _label(tier: str) -> str:
    return "" if tier == "city" else f" (at {tier}; city not run)"


def targets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every goal of issue 12 with its measured value and met / not met (None: not measured)."""
    tiers = result.get("tiers", {})
    out: dict[str, dict[str, Any]] = {}
    if tiers:
        same = {t: r["identical_answers"] for t, r in tiers.items()}
        out["identical_answers"] = _goal(
            "identical answers, peer and project (byte-identical JSON)", "yes at every tier",
            ", ".join(f"{t} {'yes' if v else 'NO'}" for t, v in same.items()),
            same, all(same.values()))
    for tier in ("district", "city"):
        what, goal = f"project / DuckDB peer, {tier}", f"≤ {PEER_RATIO}×"
        if tier in tiers:
            ratio = tiers[tier]["ratios"]["project_to_peer"]
            out[f"peer_ratio_{tier}"] = _goal(
                what, goal, f"{ratio:.2f}× ({tiers[tier]['project']['seconds']:.2f} s / "
                f"{tiers[tier]['peer']['seconds']:.2f} s)", ratio, ratio <= PEER_RATIO)
        else:
            out[f"peer_ratio_{tier}"] = _missing(what, goal, f"{tier} tier not run")
    what, goal = "project / pyarrow floor, city (stretch)", f"≤ {FLOOR_RATIO:g}×"
    if "city" in tiers:
        ratio = tiers["city"]["ratios"]["project_to_floor"]
        out["floor_ratio_city"] = _goal(what, goal, f"{ratio:.1f}×", ratio, ratio <= FLOOR_RATIO)
    else:
        out["floor_ratio_city"] = _missing(what, goal, "city tier not run")
    what, goal = "peak memory of `graphmodel gaps`, city", f"≤ {PEAK_MB} MB"
    if "city" in tiers:
        peak = tiers["city"]["project"]["max_rss_mb"]
        out["peak_memory_city"] = _goal(what, goal, f"{peak:,.0f} MB", peak, peak <= PEAK_MB)
    else:
        out["peak_memory_city"] = _missing(what, goal, "city tier not run")
    what, goal = "time per company, city / district", f"≤ {PER_COMPANY}"
    step = result.get("growth", {}).get("district->city")
    if step:
        x = step["project_per_company_x"]
        out["per_company_growth"] = _goal(what, goal, f"{x:.2f}", x, x <= PER_COMPANY)
    else:
        out["per_company_growth"] = _missing(what, goal, "district and city not both run")
    base = result.get("baseline")
    what, goal = "`import graphmodel` beyond `python -c pass`", f"< {IMPORT_SECONDS} s"
    if base:
        x = base["import_beyond_pass_seconds"]
        out["import_time"] = _goal(what, goal, f"{x:.3f} s", x, x < IMPORT_SECONDS)
    else:
        out["import_time"] = _missing(what, goal, "not run")
    found = _neo4j_tier(result, "load")
    what, goal = "Neo4j loader (`neo4j_backend.load`), city", f"≥ {LOADER_RPS:,} records/s"
    if found:
        tier, neo = found
        rps = neo["load"]["records_per_s"]
        out["neo4j_loader"] = _goal(what, goal, f"{rps:,.0f} records/s{_label(tier)}", rps,
                                    rps >= LOADER_RPS)
    else:
        out["neo4j_loader"] = _missing(what, goal, _neo4j_why(result))
    what, goal = "Neo4j reload of the unchanged dataset, city", f"≤ {RELOAD_SHARE:.0%} of the first load"
    if found:
        tier, neo = found
        share = neo["reload"]["share_of_first"]
        out["neo4j_reload"] = _goal(what, goal, f"{share:.1%} ({neo['reload']['seconds']:.2f} s)"
                                    f"{_label(tier)}", share, share <= RELOAD_SHARE)
    else:
        out["neo4j_reload"] = _missing(what, goal, _neo4j_why(result))
    found = _neo4j_tier(result, "gaps")
    what, goal = "every gap on Neo4j, warm, city", f"≤ {GAP_SECONDS:g} s each"
    if found:
        tier, neo = found
        slowest = max(neo["gaps"], key=lambda g: neo["gaps"][g]["seconds"])
        x = neo["gaps"][slowest]["seconds"]
        out["neo4j_gaps"] = _goal(what, goal, f"slowest {x:.2f} s ({slowest}){_label(tier)}",
                                  x, x <= GAP_SECONDS)
    else:
        out["neo4j_gaps"] = _missing(what, goal, _neo4j_why(result))
    found = _neo4j_tier(result, "bulk")
    what, goal = "Neo4j bulk import (neo4j-admin, without restart), city", f"≥ {BULK_RPS:,} records/s"
    if found and "records_per_s" in found[1]["bulk"]:
        tier, neo = found
        rps = neo["bulk"]["records_per_s"]
        out["neo4j_bulk"] = _goal(what, goal, f"{rps:,.0f} records/s{_label(tier)}", rps,
                                  rps >= BULK_RPS)
    elif found:
        out["neo4j_bulk"] = _missing(what, goal, found[1]["bulk"]["not_measured"])
    else:
        out["neo4j_bulk"] = _missing(what, goal, _neo4j_why(result))
    return out


def verdict(goal: dict[str, Any]) -> str:
    return {True: "met", False: "NOT MET", None: "not measured"}[goal["met"]]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def s(x: float) -> str:
    return f"{x:.3f} s" if x < 0.1 else f"{x:.2f} s"


def machine_line(result: dict[str, Any]) -> str:
    m = result["machine"]
    versions = ", ".join(f"{p} {m[p]}" for p in ("duckdb", "pyarrow", "pandas", "numpy")
                         if m.get(p))
    start, end = result.get("load_average_start"), result.get("load_average_end")
    load = (f"; load average (1/5/15 min) {'/'.join(f'{x:.1f}' for x in start)} at the start, "
            f"{'/'.join(f'{x:.1f}' for x in end)} at the end" if start and end else "")
    return (f"{m.get('cpu', 'unknown CPU')}, {m.get('cores')} cores, {m.get('memory_gb')} GB; "
            f"{m.get('os')}; Python {m.get('python')}, {versions}{load}")


def header(result: dict[str, Any]) -> str:
    return (f"{result.get('started_at', '?')[:10]}, commit {result.get('commit')}, "
            f"seed {result.get('seed')}, as of {result.get('as_of')}")


TIER_COLUMNS = ("tier", "companies", "input rows", "runs", "pyarrow floor: process (in-process)",
                "DuckDB peer", "graphmodel gaps", "project / peer (CPU time)",
                "project / floor",
                "in-process: load_dataset + gaps", "peak MB", "identical answers", "findings")


def tier_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for tier, r in result.get("tiers", {}).items():
        inside = r["inprocess"]
        split = f"{s(inside['load_seconds'])} + {s(inside['gaps_seconds'])}"
        if "read_seconds" in inside:
            split += f" (read alone {s(inside['read_seconds'])})"
        rows.append([
            tier, f"{r['companies']:,}", f"{r['rows']:,}", str(r["repeat"]),
            f"{s(r['floor']['seconds'])} ({s(r['floor']['in_process_seconds'])})",
            s(r["peer"]["seconds"]), s(r["project"]["seconds"]),
            f"{r['ratios']['project_to_peer']:.2f}× "
            f"({r['ratios'].get('project_to_peer_cpu', float('nan')):.2f}×)",
            f"{r['ratios']['project_to_floor']:.1f}×",
            split, f"{r['project']['max_rss_mb']:,.0f}",
            "yes" if r["identical_answers"] else "NO", f"{r['findings']:,}"])
    return rows


NEO4J_COLUMNS = ("tier", "records", "first load", "records/s", "reload (share)",
                 "slowest gap warm", "bulk import")


def neo4j_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for tier in TIER_ORDER:
        neo = result.get("neo4j", {}).get(tier)
        if not isinstance(neo, dict):
            continue
        if "error" in neo:
            rows.append([tier, "error", neo["error"][:120], "", "", "", ""])
            continue
        gaps = neo["gaps"]
        slowest = max(gaps, key=lambda g: gaps[g]["seconds"])
        bulk = neo.get("bulk", {})
        bulk_text = (f"{bulk['records_per_s']:,.0f} records/s ({s(bulk['import_seconds'])})"
                     if "records_per_s" in bulk else f"not measured: {bulk.get('not_measured')}")
        same = all(g["same_ids"] for g in gaps.values())
        rows.append([tier, f"{neo['load']['records']:,}", s(neo["load"]["seconds"]),
                     f"{neo['load']['records_per_s']:,.0f}",
                     f"{s(neo['reload']['seconds'])} ({neo['reload']['share_of_first']:.1%})",
                     f"{s(gaps[slowest]['seconds'])} ({slowest}; ids as embedded: "
                     f"{'yes' if same else 'NO'})", bulk_text])
    return rows


GOAL_COLUMNS = ("goal", "target", "measured", "met")


def goal_rows(result: dict[str, Any]) -> list[list[str]]:
    goals = result.get("targets") or targets(result)
    return [[g["what"], g["goal"], g["measured"], verdict(g)] for g in goals.values()]


def md_table(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return "\n".join(lines)


def text_table(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "-" * len(line)]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            for row in rows]
    return "\n".join(out)


def text(result: dict[str, Any]) -> str:
    """The printout of ``bench/run.py``."""
    base = result.get("baseline", {})
    parts = [f"\nbenchmark {header(result)}", f"machine: {machine_line(result)}",
             f"import graphmodel: {s(base.get('import_seconds', 0))} vs python -c pass "
             f"{s(base.get('python_pass_seconds', 0))}: "
             f"+{s(base.get('import_beyond_pass_seconds', 0))} "
             f"(median of {base.get('runs')} paired runs)", "",
             text_table(TIER_COLUMNS, tier_rows(result))]
    for step, g in result.get("growth", {}).items():
        parts.append(f"time per company {step}: project ×{g['project_per_company_x']:.2f}, "
                     f"peer ×{g['peer_per_company_x']:.2f}")
    neo = result.get("neo4j", {})
    if neo.get("skipped"):
        parts.append(f"\nneo4j: not measured ({neo.get('reason', '--skip-neo4j')})")
    else:
        parts += ["", "neo4j:", text_table(NEO4J_COLUMNS, neo4j_rows(result))]
    parts += ["", "goals (issue 12):", text_table(GOAL_COLUMNS, goal_rows(result))]
    return "\n".join(parts)


def markdown(result: dict[str, Any]) -> str:
    """The results section of docs/performance.md."""
    base = result.get("baseline", {})
    parts = [
        f"Run of {header(result)}.", "",
        f"Machine: {machine_line(result)}.", "",
        "Whole-process times are medians of paired runs (peer, project, peer, project, ...); "
        "the floor and in-process columns are medians of as many runs. "
        f"`import graphmodel`: {s(base['import_seconds'])} against "
        f"{s(base['python_pass_seconds'])} for `python -c pass`, "
        f"+{s(base['import_beyond_pass_seconds'])} (median of {base['runs']} paired runs)."
        if base else "", "",
        md_table(TIER_COLUMNS, tier_rows(result)), "",
        "The commands this run executed, from the repository root (`bench/run.py` prints "
        "them first):", "", "```sh", *commands(result), "```", ""]
    for step, g in result.get("growth", {}).items():
        parts += [f"Time per company {step}: project ×{g['project_per_company_x']:.2f}, "
                  f"peer ×{g['peer_per_company_x']:.2f}.", ""]
    neo = result.get("neo4j", {})
    if neo.get("skipped"):
        parts += [f"Neo4j: not measured in this run ({neo.get('reason', '--skip-neo4j')}).", ""]
    else:
        parts += ["Neo4j:", "", md_table(NEO4J_COLUMNS, neo4j_rows(result)), ""]
    parts += ["Goals:", "", ratios_markdown(result)]
    return "\n".join(parts) + "\n"


def commands(result: dict[str, Any]) -> list[str]:
    """The command lines of a run (the Neo4j one only where Neo4j was measured)."""
    lines = list(result.get("baseline", {}).get("commands", {}).values())
    neo = result.get("neo4j", {})
    for tier, recorded in result.get("commands", {}).items():
        lines += [line for key, line in recorded.items()
                  if key != "neo4j" or (not neo.get("skipped") and tier in neo)]
    return lines


def ratios_markdown(result: dict[str, Any]) -> str:
    """The goals table alone (the README's)."""
    return md_table(GOAL_COLUMNS, goal_rows(result))


def update(path: Path, name: str, content: str) -> None:
    """Replace what stands between the ``bench:NAME`` markers of ``path``."""
    text_ = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.S)
    if not pattern.search(text_):
        raise SystemExit(f"{path}: no <!-- bench:{name} --> ... <!-- /bench:{name} --> markers")
    path.write_text(pattern.sub(lambda m: m.group(1) + content.rstrip("\n") + "\n"
                                + m.group(2), text_, count=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="?", default=BENCH / "results.json")
    parser.add_argument("--update", type=Path, nargs="+", metavar="FILE",
                        help="rewrite the bench:results / bench:ratios blocks of these files")
    args = parser.parse_args(argv)
    result = json.loads(args.results.read_text(encoding="utf-8"))
    if not args.update:
        sys.stdout.write(markdown(result))
        return 0
    blocks = {"results": markdown(result),
              "ratios": f"{header(result)}; {machine_line(result)}.\n\n"
                        + ratios_markdown(result)}
    for path in args.update:
        found = [name for name in blocks if f"<!-- bench:{name} -->" in
                 path.read_text(encoding="utf-8")]
        if not found:
            raise SystemExit(f"{path}: no bench:results or bench:ratios markers")
        for name in found:
            update(path, name, blocks[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
