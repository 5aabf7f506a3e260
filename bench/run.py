#!/usr/bin/env python3
"""The benchmark of issue 12: graphmodel beside the pyarrow floor and the DuckDB peer.

Usage::

    .venv/bin/python bench/run.py [--tiers street,district,city] [--repeat N]
                                  [--seed 7] [--as-of 2026-11-01]
                                  [--scratch /tmp/graphmodel-bench] [--out bench/results.json]
                                  [--markdown FILE] [--skip-neo4j] [--neo4j-tiers district,city]

Per tier, in one run (docs/performance.md says what each figure means):

- the dataset: ``graphmodel generate --tier T --seed S --out SCRATCH/T --force``;
- the floor: ``bench/floor.py`` (``pyarrow.csv.read_csv`` of every table), whole process
  and in-process;
- the DuckDB peer (``bench/duckdb_peer.py``) and the project (``graphmodel gaps DIR
  --format json``), whole process, as paired runs (peer, project, peer, project, ...),
  with a byte-for-byte check that both wrote the same JSON;
- the project in one interpreter (``bench/inprocess.py``: ``load_dataset`` + ``gaps``);
- the peak memory (``ru_maxrss``) of every child;
- ``import graphmodel`` beyond ``python -c pass`` (paired runs, once per benchmark);
- Neo4j (``bench/neo4j_measure.py``): the loader, the reload, every gap warm and the bulk
  import, at district and city tier unless ``--skip-neo4j`` or the server is unreachable.

Medians of ``--repeat`` runs (default 3 per tier, 5 at district). The commands are built
once, printed, and run exactly as printed (from the repository root). Results go to
``--out`` as JSON; ``--markdown FILE`` also writes the tables of docs/performance.md
(``bench/report.py`` rebuilds them, and the docs, from a results file).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import report  # noqa: E402  (bench/report.py, beside this file)

TIER_ORDER = ("street", "district", "city")
DEFAULT_REPEAT = {"street": 3, "district": 5, "city": 3}
IMPORT_RUNS = 10
DEFAULT_SEED = 7
DEFAULT_AS_OF = "2026-11-01"
DEFAULT_SCRATCH = Path("/tmp/graphmodel-bench")
DEFAULT_OUT = BENCH / "results.json"


# ---------------------------------------------------------------------------
# Commands: built once, printed, run as printed
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Command:
    """One command line; ``stdout`` is where its standard output goes (None: captured)."""

    argv: tuple[str, ...]
    stdout: str | None = None

    def __str__(self) -> str:
        text = shlex.join(self.argv)
        return f"{text} > {self.stdout}" if self.stdout else text


@dataclasses.dataclass
class Run:
    """What one child process did."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    exit_code: int
    output: str
    load: float


def short(path: Path | str) -> str:
    """``path`` relative to the repository root when inside it (commands run from there)."""
    path = Path(os.path.abspath(path))  # symlinks kept: .venv/bin/python stays itself
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def python() -> str:
    return short(sys.executable)


FLOOR_PYTHON: str | None = None
"""The interpreter of the floor (:func:`prepare_floor`)."""


def prepare_floor(scratch: Path) -> str:
    """An interpreter with pyarrow for the floor: this one when it has pyarrow, else a small
    virtualenv of its own under the scratch directory (pip install pyarrow, once). graphmodel's
    environment stays without pyarrow: with it, pandas keeps text as Arrow, which cannot hold
    every string a dataset in memory may hold (docs/performance.md)."""
    if importlib.util.find_spec("pyarrow") is not None:
        return python()
    venv = scratch / "floor-venv"
    interpreter = venv / "bin" / "python"
    if not interpreter.exists():
        say(f"[floor] {short(venv)}: a virtualenv with pyarrow for the read floor")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(interpreter), "-m", "pip", "install", "--quiet", "pyarrow>=14"],
                       check=True)
    return short(interpreter)


def graphmodel_cli() -> str:
    return short(Path(sys.executable).with_name("graphmodel"))


def tier_commands(tier: str, args: argparse.Namespace) -> dict[str, Command]:
    """Every command measured at one tier."""
    data = short(args.scratch / tier)
    out = args.scratch / "out"
    return {
        "generate": Command((graphmodel_cli(), "generate", "--tier", tier, "--seed",
                             str(args.seed), "--out", data, "--force"), "/dev/null"),
        "floor": Command((FLOOR_PYTHON or python(), "bench/floor.py", data)),
        "peer": Command((python(), "bench/duckdb_peer.py", data, "--as-of", args.as_of,
                         "--out", short(out / f"{tier}-peer.json"))),
        "project": Command((graphmodel_cli(), "gaps", data, "--format", "json", "--as-of",
                            args.as_of), short(out / f"{tier}-project.json")),
        "inprocess": Command((python(), "bench/inprocess.py", data, "--as-of", args.as_of)),
        "neo4j": Command((python(), "bench/neo4j_measure.py", data, "--tier", tier,
                          "--as-of", args.as_of)),
    }


def import_commands() -> dict[str, Command]:
    return {"pass": Command((python(), "-c", "pass")),
            "import": Command((python(), "-c", "import graphmodel"))}


def run(command: Command) -> Run:
    """Run ``command`` from the repository root: its wall time, CPU time and peak RSS.

    The child is reaped with ``wait4``, so CPU time and ``ru_maxrss`` are its own.
    Standard error goes to a temporary file (printed if the command fails).
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as errors, \
            open(ROOT / command.stdout if command.stdout else os.devnull, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(command.argv, cwd=ROOT, stderr=errors,
                                stdout=sink if command.stdout else subprocess.PIPE)
        output = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.stdout:
            proc.stdout.close()
        if proc.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{command} exited {proc.returncode}: "
                               f"{errors.read().decode('utf-8', 'replace')[-1500:]}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               proc.returncode, output.decode("utf-8"), max(load, os.getloadavg()[0]))


def median(values: list[float]) -> float:
    return statistics.median(values)


def json_output(result: Run) -> dict[str, Any]:
    lines = result.output.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def summary(runs: list[Run]) -> dict[str, Any]:
    return {"seconds": median([r.seconds for r in runs]),
            "runs": [round(r.seconds, 4) for r in runs],
            "cpu_seconds": median([r.cpu_seconds for r in runs]),
            "max_rss_mb": max(r.max_rss_mb for r in runs),
            "load_average": max(r.load for r in runs)}


def bench_import(repeat: int) -> dict[str, Any]:
    commands = import_commands()
    say(f"[import] {repeat} paired runs: {commands['pass']} / {commands['import']}")
    passes, imports = [], []
    for _ in range(repeat):
        passes.append(run(commands["pass"]).seconds)
        imports.append(run(commands["import"]).seconds)
    return {"commands": {k: str(v) for k, v in commands.items()},
            "python_pass_seconds": median(passes), "import_seconds": median(imports),
            "import_beyond_pass_seconds": median([i - p for i, p in zip(imports, passes,
                                                                         strict=True)]),
            "runs": len(passes)}


def planted(path: Path, as_of: str) -> dict[str, int] | None:
    """The findings the generator planted, when they are for this ``as_of``."""
    manifest = json.loads((path / "generate.json").read_text(encoding="utf-8"))
    return manifest["expected_findings"] if manifest.get("as_of") == as_of else None


def bench_tier(tier: str, commands: dict[str, Command], args: argparse.Namespace
               ) -> dict[str, Any]:
    repeat = args.repeat or DEFAULT_REPEAT[tier]
    path = args.scratch / tier
    say(f"[{tier}] {commands['generate']}")
    generated = run(commands["generate"])
    manifest = json.loads((path / "generate.json").read_text(encoding="utf-8"))
    floors, peers, projects, inprocess, identical = [], [], [], [], []
    for i in range(repeat):
        say(f"[{tier}] run {i + 1}/{repeat}: floor, peer, project, in-process")
        floors.append(run(commands["floor"]))
        peers.append(run(commands["peer"]))
        projects.append(run(commands["project"]))
        peer_file = ROOT / commands["peer"].argv[-1]
        project_file = ROOT / str(commands["project"].stdout)
        identical.append(peer_file.read_bytes() == project_file.read_bytes())
        inprocess.append(run(commands["inprocess"]))
    floor_inside = [json_output(r) for r in floors]
    inside = [json_output(r) for r in inprocess]
    findings = json.loads((ROOT / str(commands["project"].stdout)).read_text(encoding="utf-8"))
    companies = manifest["counts"]["companies"]
    project_s = median([r.seconds for r in projects])
    peer_s = median([r.seconds for r in peers])
    floor_s = median([r.seconds for r in floors])
    counts = inside[-1]["findings"]
    expected = planted(path, args.as_of)
    return {
        "companies": companies,
        "rows": floor_inside[-1]["rows"],
        "repeat": repeat,
        "generate": {"seconds": generated.seconds, "max_rss_mb": generated.max_rss_mb},
        "floor": {**summary(floors),
                  "in_process_seconds": median([f["seconds"] for f in floor_inside])},
        "peer": summary(peers),
        "project": summary(projects),
        "inprocess": {
            **{f"process_{key}": value for key, value in summary(inprocess).items()},
            **{key: median([x[key] for x in inside])
               for key in ("import_seconds", "read_seconds", "load_seconds", "gaps_seconds",
                           "seconds") if all(key in x for x in inside)},
            "graph_built": any(x["graph_built"] for x in inside),
        },
        "identical_answers": all(identical),
        "findings": len(findings),
        "findings_per_gap": counts,
        "findings_match_planted": None if expected is None else counts == {
            k: v for k, v in expected.items() if v},
        "ratios": {"project_to_peer": project_s / peer_s,
                   "project_to_peer_cpu": median([r.cpu_seconds for r in projects])
                   / median([r.cpu_seconds for r in peers]),
                   "project_to_floor": project_s / floor_s,
                   "peer_to_floor": peer_s / floor_s},
        "us_per_company": {"project": project_s / companies * 1e6,
                           "peer": peer_s / companies * 1e6},
    }


def growth(tiers: dict[str, Any]) -> dict[str, Any]:
    found = [t for t in TIER_ORDER if t in tiers]
    out = {}
    for small, big in itertools.pairwise(found):
        if small == "street":  # fixed costs (interpreter, imports) dominate the street tier
            continue
        a, b = tiers[small], tiers[big]
        out[f"{small}->{big}"] = {
            "companies_x": b["companies"] / a["companies"],
            "project_per_company_x": b["us_per_company"]["project"]
            / a["us_per_company"]["project"],
            "peer_per_company_x": b["us_per_company"]["peer"] / a["us_per_company"]["peer"],
        }
    return out


def neo4j_reachable() -> str | None:
    """None when the project's Neo4j answers, else why not."""
    try:
        from graphmodel.neo4j_backend import connection_settings, dataset_names

        dataset_names(connection_settings())
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def bench_neo4j(commands: dict[str, dict[str, Command]], args: argparse.Namespace
                ) -> dict[str, Any]:
    if args.skip_neo4j:
        return {"skipped": True}
    tiers = [t for t in args.neo4j_tiers.split(",") if t in commands]
    if not tiers:
        return {"skipped": True, "reason": f"none of --neo4j-tiers {args.neo4j_tiers} ran"}
    reason = neo4j_reachable()
    if reason:
        return {"skipped": True, "reason": f"Neo4j not reachable: {reason}"}
    out: dict[str, Any] = {}
    for tier in tiers:
        say(f"[neo4j {tier}] {commands[tier]['neo4j']}")
        try:
            done = run(commands[tier]["neo4j"])
            out[tier] = {**json_output(done), "process_seconds": done.seconds}
        except RuntimeError as exc:
            out[tier] = {"error": str(exc)[-1500:]}
    return out


# ---------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "os": platform.platform(),
                            "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    for package in ("duckdb", "pyarrow", "pandas", "numpy", "neo4j", "graphmodel"):
        info[package] = version(package)
    if info["pyarrow"] is None and FLOOR_PYTHON:  # the floor's own virtualenv
        found = subprocess.run([FLOOR_PYTHON, "-c", "import pyarrow; print(pyarrow.__version__)"],
                               capture_output=True, text=True, cwd=ROOT)
        info["pyarrow"] = found.stdout.strip() or None
    return info


def commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "graphmodel", "queries",
                                "bench"], cwd=ROOT, text=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+uncommitted changes" if dirty.strip() else "")


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default="street,district,city",
                        help="comma-separated tiers (default street,district,city)")
    parser.add_argument("--repeat", type=int, default=0,
                        help="runs per measurement (default 3 per tier, 5 at district)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--as-of", default=DEFAULT_AS_OF)
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH,
                        help="where datasets are generated (default /tmp/graphmodel-bench)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--markdown", type=Path, help="also write the markdown tables here")
    parser.add_argument("--skip-neo4j", action="store_true", help="no Neo4j measurements")
    parser.add_argument("--neo4j-tiers", default="district,city",
                        help="tiers measured on Neo4j (default district,city)")
    args = parser.parse_args(argv)
    args.tier_list = [t.strip() for t in args.tiers.split(",") if t.strip()]
    unknown = [t for t in args.tier_list if t not in TIER_ORDER]
    if unknown or not args.tier_list:
        parser.error(f"unknown tier(s): {', '.join(unknown) or '(none)'}; "
                     f"known: {', '.join(TIER_ORDER)}")
    if args.repeat < 0:
        parser.error("--repeat must be >= 1")
    try:
        dt.date.fromisoformat(args.as_of)
    except ValueError:
        parser.error(f"--as-of {args.as_of!r} is not YYYY-MM-DD")
    args.scratch = args.scratch.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    (args.scratch / "out").mkdir(parents=True, exist_ok=True)
    tiers = sorted(args.tier_list, key=TIER_ORDER.index)
    global FLOOR_PYTHON
    FLOOR_PYTHON = prepare_floor(args.scratch)
    commands = {tier: tier_commands(tier, args) for tier in tiers}
    print("Reproduction: every command this run executes (from the repository root):")
    for line in [*map(str, import_commands().values()),
                 *(str(c) for tier in tiers for k, c in commands[tier].items()
                   if k != "neo4j" or (not args.skip_neo4j
                                       and tier in args.neo4j_tiers.split(",")))]:
        print(f"  {line}")
    print(flush=True)
    result: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit(), "machine": machine(),
        "load_average_start": list(os.getloadavg()),
        "as_of": args.as_of, "seed": args.seed, "scratch": str(args.scratch),
        "commands": {tier: {k: str(c) for k, c in commands[tier].items()} for tier in tiers},
    }
    try:
        result["baseline"] = bench_import(max(IMPORT_RUNS, args.repeat))
        result["tiers"] = {tier: bench_tier(tier, commands[tier], args) for tier in tiers}
        result["growth"] = growth(result["tiers"])
        result["neo4j"] = bench_neo4j(commands, args)
    except RuntimeError as exc:  # a measured command failed: say which, no traceback
        print(f"benchmark stopped: {exc}", file=sys.stderr)
        return 1
    result["load_average_end"] = list(os.getloadavg())
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["targets"] = report.targets(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    print(report.text(result))
    if args.markdown:
        args.markdown.write_text(report.markdown(result), encoding="utf-8")
    print(f"\nresults written to {short(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
