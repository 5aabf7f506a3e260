#!/usr/bin/env python3
"""Scale benchmarks of graphmodel: embedded gaps per tier, and the Neo4j backend.

Usage::

    .venv/bin/python bench/run.py [--tiers street,district,city] [--out bench/results.json]
                                  [--skip-neo4j] [--scratch /tmp/graphmodel-bench]

What it measures, on one machine in one run (see docs/performance.md):

(a) reading the input tables alone (``graphmodel.io.read_raw_dataset``): the floor;
(b) ``graphmodel gaps`` end to end on the embedded backend (``load_dataset`` then
    ``gaps()``), with its split into reading, validation and the gaps, the peak
    memory, and whether the networkx graph was built (it must not be);
    plus the real command ``graphmodel gaps DIR --format json`` as a user runs it;
(c) the ratio (b)/(a) and the growth street -> district -> city (time per company);
(d) Neo4j: the project's loader vs a naive one-``MERGE``-per-row loader on the
    same sample (the street tier, a few thousand records), and the full load
    throughput at district tier;
(e) each gap on Neo4j (``neo4j_backend.run_query``, warm, median of 3) vs embedded
    (``graphmodel.gaps.run_gap``, median of 3) at district tier.

Every measurement runs in its own subprocess (peak memory = that process's
``ru_maxrss``), so tiers do not pollute each other. Datasets are generated with
``graphmodel.generate`` into the scratch directory, never into the repository.
Neo4j datasets are named ``bench-*`` and deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: --pythonpath (PYTHONPATH) must win

DEFAULT_SCRATCH = Path("/tmp/graphmodel-bench")
DEFAULT_OUT = ROOT / "bench" / "results.json"
DEFAULT_REPEAT = {"street": 3, "district": 3, "city": 1}
TIER_ORDER = ("street", "district", "city")

# Targets of the "Scale" issue.
TARGET_GAPS_OVER_READ = 5.0
TARGET_PEAK_MB = 4096
TARGET_LINEAR = 1.3  # time per company may grow at most this much from district to city
TARGET_LOADER_SPEEDUP = 20.0
TARGET_GAP_SECONDS = 1.0


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------------------
# Workers: each runs in a fresh interpreter and prints one JSON object
# ---------------------------------------------------------------------------


def worker_baseline(_: argparse.Namespace) -> dict[str, Any]:
    from graphmodel import gaps, io

    return {"imported": [gaps.__name__, io.__name__]}


def worker_generate(args: argparse.Namespace) -> dict[str, Any]:
    from graphmodel.generate import generate

    result = generate(args.tier, seed=args.seed, out=args.path, force=True)
    return {"seconds": result.seconds, "write_seconds": result.write_seconds,
            "counts": result.counts, "expected": result.expected}


def worker_read(args: argparse.Namespace) -> dict[str, Any]:
    from graphmodel.io import read_raw_dataset

    started = time.perf_counter()
    raw = read_raw_dataset(args.path)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(len(t.frame) for t in raw.tables.values())}


def worker_csv(args: argparse.Namespace) -> dict[str, Any]:
    """The bare parser: ``pandas.read_csv`` of every table, no cleaning (a lower bound)."""
    import pandas as pd

    started = time.perf_counter()
    rows = 0
    for path in sorted(Path(args.path).glob("*.csv")):
        rows += len(pd.read_csv(path, dtype=object, keep_default_na=False))
    return {"seconds": time.perf_counter() - started, "rows": rows}


def worker_gaps(args: argparse.Namespace) -> dict[str, Any]:
    import graphmodel.dataset as dataset_module
    from graphmodel.gaps import GAP_NAMES, gaps, run_gap

    split: dict[str, float] = {}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                split[name] = time.perf_counter() - started
        return wrapper

    # load_dataset looks these names up in its module at call time: time its two steps
    dataset_module.read_raw_dataset = timed("read", dataset_module.read_raw_dataset)
    dataset_module.validate_raw = timed("validate", dataset_module.validate_raw)
    started = time.perf_counter()
    ds = dataset_module.load_dataset(args.path)
    loaded = time.perf_counter()
    found = gaps(ds, as_of=args.as_of)
    finished = time.perf_counter()
    result = {
        "seconds": finished - started, "load_seconds": loaded - started,
        "read_seconds": split.get("read"), "validate_seconds": split.get("validate"),
        "gaps_seconds": finished - loaded,
        "findings": {name: int((found["gap"] == name).sum()) for name in GAP_NAMES},
        "graph_built": "graph" in ds.__dict__,
        "max_rss_mb_after_gaps": _maxrss_mb(),
        "package": str(Path(dataset_module.__file__).parent),
    }
    per_gap = {}
    for name in GAP_NAMES:  # warm, one by one, for the breakdown
        started = time.perf_counter()
        run_gap(ds, name, args.as_of)
        per_gap[name] = time.perf_counter() - started
    result["per_gap_seconds"] = per_gap
    result["graph_built"] = result["graph_built"] or "graph" in ds.__dict__
    return result


def _neo4j_connection() -> tuple[Any, Any]:
    from graphmodel.neo4j_backend import connection_settings, open_driver

    conn = connection_settings()
    return conn, open_driver(conn)


def _delete_dataset(driver: Any, conn: Any, name: str, batch: int = 5000) -> int:
    deleted = 0
    while True:
        records, _, _ = driver.execute_query(
            "MATCH (n:Entity {dataset: $name}) WITH n LIMIT $batch DETACH DELETE n "
            "RETURN count(*) AS c", name=name, batch=batch, database_=conn.database)
        count = records[0]["c"]
        deleted += count
        if count < batch:
            break
    driver.execute_query("MATCH (m:GraphmodelDataset {name: $name}) DELETE m", name=name,
                         database_=conn.database)
    return deleted


def _graph_size(driver: Any, conn: Any, name: str) -> dict[str, int]:
    nodes, _, _ = driver.execute_query("MATCH (n:Entity {dataset: $name}) RETURN count(n) AS c",
                                       name=name, database_=conn.database)
    rels, _, _ = driver.execute_query(
        "MATCH (:Entity {dataset: $name})-[r]->(:Entity {dataset: $name}) RETURN count(r) AS c",
        name=name, database_=conn.database)
    return {"nodes": nodes[0]["c"], "relationships": rels[0]["c"]}


def worker_neo4j_sample(args: argparse.Namespace) -> dict[str, Any]:
    from naive_loader import naive_load

    from graphmodel import load_dataset
    from graphmodel.neo4j_backend import load

    names = {"loader": "bench-sample-loader", "naive": "bench-sample-naive"}
    warm = "bench-sample-warm"
    conn, driver = _neo4j_connection()
    try:
        for name in (*names.values(), warm):
            _delete_dataset(driver, conn, name)
        # first (cold) load: server plans every statement once; then warm runs, median of 3
        started = time.perf_counter()
        load(load_dataset(args.path, name=warm), conn, progress=False)
        cold_seconds = time.perf_counter() - started
        _delete_dataset(driver, conn, warm)
        ds = load_dataset(args.path, name=names["loader"])
        runs = []
        for _ in range(3):
            _delete_dataset(driver, conn, names["loader"])
            started = time.perf_counter()
            result = load(ds, conn, progress=False)
            runs.append(time.perf_counter() - started)
        loader_seconds = statistics.median(runs)
        ds_naive = load_dataset(args.path, name=names["naive"])
        naive = naive_load(ds_naive, conn)
        sizes = {k: _graph_size(driver, conn, v) for k, v in names.items()}
        if not args.keep_neo4j:
            for name in names.values():
                _delete_dataset(driver, conn, name)
    finally:
        driver.close()
    records = result.nodes + result.relationships
    return {
        "records": records,
        "loader": {"seconds": loader_seconds, "runs": runs, "cold_seconds": cold_seconds,
                   "records_per_s": records / loader_seconds},
        "naive": {**naive, "records_per_s": records / naive["seconds"]},
        "speedup": naive["seconds"] / loader_seconds,
        "speedup_vs_cold_loader": naive["seconds"] / cold_seconds,
        "same_graph": sizes["loader"] == sizes["naive"],
        "graph_sizes": sizes,
    }


def worker_neo4j_full(args: argparse.Namespace) -> dict[str, Any]:
    from graphmodel import load_dataset
    from graphmodel.gaps import GAP_NAMES, run_gap
    from graphmodel.neo4j_backend import load, node_rows, relationship_rows, run_query
    from graphmodel.queries import get_query, resolve_params

    name = f"bench-{args.tier}"
    conn, driver = _neo4j_connection()
    out: dict[str, Any] = {"dataset": name}
    try:
        _delete_dataset(driver, conn, name)
        ds = load_dataset(args.path, name=name)
        started = time.perf_counter()
        nodes, rels = node_rows(ds), relationship_rows(ds)
        prepare = time.perf_counter() - started
        records = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
        del nodes, rels
        started = time.perf_counter()
        result = load(ds, conn, progress=False)
        seconds = time.perf_counter() - started
        out["load"] = {
            "records": records, "nodes": result.nodes, "relationships": result.relationships,
            "seconds": seconds, "records_per_s": records / seconds,
            "prepare_seconds": prepare,
            "write_records_per_s": records / max(seconds - prepare, 1e-9),
        }
        gaps: dict[str, Any] = {}
        for gap in GAP_NAMES:
            query = get_query(gap)
            row: dict[str, Any] = {}
            embedded_runs = []
            embedded = None
            for _ in range(3):
                t0 = time.perf_counter()
                embedded = run_gap(ds, gap, args.as_of)
                embedded_runs.append(time.perf_counter() - t0)
            row["embedded_seconds"] = statistics.median(embedded_runs)
            if not query.cypher_path.exists():
                row["neo4j"] = "not yet measurable: " + str(query.cypher_path.relative_to(ROOT)) \
                    + " is missing"
                gaps[gap] = row
                continue
            try:
                frame = run_query(gap, name, args.as_of)  # warm-up
                runs = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    frame = run_query(gap, name, args.as_of)
                    runs.append(time.perf_counter() - t0)
                params = {**resolve_params(query.params), "dataset": name,
                          "as_of": dt.date.fromisoformat(args.as_of)}
                cypher = query.cypher()
                raw = []
                for _ in range(3):  # the query alone, on an open driver
                    t0 = time.perf_counter()
                    driver.execute_query(cypher, params, database_=conn.database, routing_="r")
                    raw.append(time.perf_counter() - t0)
                row["neo4j_seconds"] = statistics.median(runs)
                row["neo4j_query_only_seconds"] = statistics.median(raw)
                row["neo4j_findings"] = len(frame)
                neo_ids = set(frame["id"]) if "id" in frame else set()
                row["same_ids_as_embedded"] = neo_ids == set(embedded["id"])
            except Exception as exc:
                row["neo4j"] = f"error: {type(exc).__name__}: {str(exc)[:300]}"
            row["embedded_findings"] = len(embedded)
            gaps[gap] = row
        out["gaps"] = gaps
    finally:
        if not args.keep_neo4j:
            out["deleted_nodes"] = _delete_dataset(driver, conn, name)
        driver.close()
    return out


WORKERS = {
    "baseline": worker_baseline,
    "generate": worker_generate,
    "read": worker_read,
    "csv": worker_csv,
    "gaps": worker_gaps,
    "neo4j-sample": worker_neo4j_sample,
    "neo4j-full": worker_neo4j_full,
}


# ---------------------------------------------------------------------------
# The driver: runs each worker in a subprocess, gathers the results
# ---------------------------------------------------------------------------


LAST_CHILD: dict[str, float] = {}
"""CPU seconds and load averages of the last :func:`run_child` (contention indicators)."""


def child_env(args: argparse.Namespace) -> dict[str, str] | None:
    """Environment of the measured processes: ``--pythonpath`` goes first on PYTHONPATH."""
    if not args.pythonpath:
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.pythonpath),
                                                      env.get("PYTHONPATH", "")]))
    return env


def run_child(command: list[str], capture: bool = True, env: dict[str, str] | None = None
              ) -> tuple[dict[str, Any], float, float, int]:
    """Run a command; return (its JSON output, wall seconds, peak RSS MiB, exit code).

    The child's CPU time (user + system) and the 1-minute load average before
    and after are left in :data:`LAST_CHILD`: on a shared machine, wall time
    well above CPU time means the run waited for a CPU.
    """
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            cwd=ROOT, env=env)
    output = proc.stdout.read() if capture and proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    LAST_CHILD.clear()
    LAST_CHILD.update(cpu_seconds=usage.ru_utime + usage.ru_stime, load_before=load_before,
                      load_after=os.getloadavg()[0])
    data: dict[str, Any] = {}
    if capture:
        text = output.decode("utf-8").strip().splitlines()
        data = json.loads(text[-1]) if text else {}
    return data, seconds, usage.ru_maxrss / 1024, proc.returncode


def worker(kind: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind,
               "--as-of", args.as_of, "--seed", str(args.seed)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    if args.keep_neo4j:
        command.append("--keep-neo4j")
    data, seconds, peak, code = run_child(command, env=child_env(args))
    if code != 0:
        raise RuntimeError(f"worker {kind} {extra} failed with exit code {code}")
    data["process_seconds"] = seconds
    data["max_rss_mb"] = peak
    data["process_cpu_seconds"] = LAST_CHILD["cpu_seconds"]
    data["load_average"] = [LAST_CHILD["load_before"], LAST_CHILD["load_after"]]
    return data


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "platform": platform.platform(),
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
    import numpy
    import pandas

    info["pandas"] = pandas.__version__
    info["numpy"] = numpy.__version__
    return info


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_tier(tier: str, args: argparse.Namespace) -> dict[str, Any]:
    path = args.scratch / tier
    repeat = args.repeat or DEFAULT_REPEAT[tier]
    print(f"[{tier}] generating into {path} ...", file=sys.stderr, flush=True)
    gen = worker("generate", args, tier=tier, path=path)
    companies = gen["counts"]["companies"]
    rows = sum(gen["counts"].values())
    reads, gaps, csvs = [], [], []
    for i in range(repeat):
        csvs.append(worker("csv", args, path=path))
        print(f"[{tier}] read {i + 1}/{repeat} ...", file=sys.stderr, flush=True)
        reads.append(worker("read", args, path=path))
        print(f"[{tier}] gaps {i + 1}/{repeat} ...", file=sys.stderr, flush=True)
        gaps.append(worker("gaps", args, path=path))
    print(f"[{tier}] graphmodel gaps (command line) ...", file=sys.stderr, flush=True)
    cli = [str(Path(sys.executable).with_name("graphmodel")), "gaps", str(path), "--as-of",
           args.as_of, "--format", "json"]
    _, cli_seconds, cli_peak, cli_code = run_child(cli, capture=False, env=child_env(args))
    cli_cpu, cli_load = LAST_CHILD["cpu_seconds"], [LAST_CHILD["load_before"],
                                                   LAST_CHILD["load_after"]]
    read_s = median_of(reads, "seconds")
    gaps_s = median_of(gaps, "seconds")
    last = gaps[-1]
    result = {
        "companies": companies,
        "rows": rows,
        "counts": gen["counts"],
        "generate": {"seconds": gen["seconds"], "write_seconds": gen["write_seconds"],
                     "max_rss_mb": gen["max_rss_mb"],
                     "process_cpu_seconds": gen["process_cpu_seconds"],
                     "load_average": gen["load_average"]},
        "pandas_read_csv": {"seconds": median_of(csvs, "seconds"),
                            "max_rss_mb": max(c["max_rss_mb"] for c in csvs)},
        "read": {"seconds": read_s, "runs": [r["seconds"] for r in reads],
                 "max_rss_mb": max(r["max_rss_mb"] for r in reads),
                 "process_cpu_seconds": median_of(reads, "process_cpu_seconds"),
                 "process_seconds": median_of(reads, "process_seconds"),
                 "load_average": [r["load_average"] for r in reads]},
        "gaps": {
            "seconds": gaps_s, "runs": [g["seconds"] for g in gaps],
            "load_seconds": median_of(gaps, "load_seconds"),
            "read_seconds": median_of(gaps, "read_seconds"),
            "validate_seconds": median_of(gaps, "validate_seconds"),
            "gaps_seconds": median_of(gaps, "gaps_seconds"),
            "per_gap_seconds": last["per_gap_seconds"],
            "max_rss_mb": max(g["max_rss_mb"] for g in gaps),
            "process_cpu_seconds": median_of(gaps, "process_cpu_seconds"),
            "process_seconds": median_of(gaps, "process_seconds"),
            "load_average": [g["load_average"] for g in gaps],
            "graph_built": any(g["graph_built"] for g in gaps),
            "package": last["package"],
            "findings": last["findings"],
            "findings_match_expected": last["findings"] == gen["expected"],
        },
        "cli_gaps": {"seconds": cli_seconds, "max_rss_mb": cli_peak, "exit_code": cli_code,
                     "process_cpu_seconds": cli_cpu, "load_average": cli_load,
                     "command": " ".join(["graphmodel", *cli[1:]])},
        "ratio_gaps_to_read": gaps_s / read_s,
        "ratio_gaps_to_pandas_read_csv": gaps_s / median_of(csvs, "seconds"),
        "ratio_cli_to_read": cli_seconds / read_s,
        "us_per_company": {"read": read_s / companies * 1e6, "gaps": gaps_s / companies * 1e6,
                           "cli_gaps": cli_seconds / companies * 1e6},
    }
    return result


def growth(tiers: dict[str, Any]) -> dict[str, Any]:
    found = [t for t in TIER_ORDER if t in tiers]
    out = {}
    for small, big in itertools.pairwise(found):
        a, b = tiers[small], tiers[big]
        companies = b["companies"] / a["companies"]
        out[f"{small}->{big}"] = {
            "companies_x": companies,
            "read_time_x": b["read"]["seconds"] / a["read"]["seconds"],
            "gaps_time_x": b["gaps"]["seconds"] / a["gaps"]["seconds"],
            "gaps_per_company_x": (b["gaps"]["seconds"] / a["gaps"]["seconds"]) / companies,
            "read_per_company_x": (b["read"]["seconds"] / a["read"]["seconds"]) / companies,
        }
    return out


def targets(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tiers = result["tiers"]
    if "city" in tiers:
        city = tiers["city"]
        out["city_gaps_within_5x_read"] = {"value": city["ratio_gaps_to_read"],
                                           "target": TARGET_GAPS_OVER_READ,
                                           "met": city["ratio_gaps_to_read"]
                                           <= TARGET_GAPS_OVER_READ}
        peak = max(city["gaps"]["max_rss_mb"], city["cli_gaps"]["max_rss_mb"])
        out["city_peak_memory_below_4gb"] = {"value_mb": peak, "target_mb": TARGET_PEAK_MB,
                                             "met": peak < TARGET_PEAK_MB}
    step = result["growth"].get("district->city")
    if step:
        out["linear_growth_district_to_city"] = {
            "gaps_per_company_x": step["gaps_per_company_x"], "target": TARGET_LINEAR,
            "met": step["gaps_per_company_x"] <= TARGET_LINEAR}
    neo = result.get("neo4j", {})
    sample = neo.get("sample")
    if isinstance(sample, dict) and "speedup" in sample:
        out["neo4j_loader_20x_naive"] = {"value": sample["speedup"],
                                         "target": TARGET_LOADER_SPEEDUP,
                                         "met": sample["speedup"] >= TARGET_LOADER_SPEEDUP}
    full = neo.get("full")
    if isinstance(full, dict) and "gaps" in full:
        timed = {g: r["neo4j_seconds"] for g, r in full["gaps"].items() if "neo4j_seconds" in r}
        missing = sorted(set(full["gaps"]) - set(timed))
        out["neo4j_gaps_below_1s_district"] = {
            "slowest": max(timed.values()) if timed else None, "target": TARGET_GAP_SECONDS,
            "measured": len(timed), "not_measurable": missing,
            "met": bool(timed) and not missing and max(timed.values()) < TARGET_GAP_SECONDS}
    return out


def bench_neo4j(args: argparse.Namespace) -> dict[str, Any]:
    sample_path = args.scratch / "street"
    if not (sample_path / "generate.json").exists():
        worker("generate", args, tier="street", path=sample_path)
    out: dict[str, Any] = {}
    try:
        print("[neo4j] loader vs naive on the street tier ...", file=sys.stderr, flush=True)
        out["sample"] = worker("neo4j-sample", args, path=sample_path)
        tier = args.neo4j_tier
        path = args.scratch / tier
        if not (path / "generate.json").exists():
            worker("generate", args, tier=tier, path=path)
        print(f"[neo4j] full load and gap queries at {tier} tier ...", file=sys.stderr,
              flush=True)
        out["full"] = {"tier": tier, **worker("neo4j-full", args, path=path, tier=tier)}
    except RuntimeError as exc:
        out["error"] = str(exc)
    return out


def print_table(result: dict[str, Any]) -> None:
    m = result["machine"]
    print(f"\nmachine: {m.get('cpu')}, {m.get('nproc')} CPUs, {m.get('memory_gb')} GB; "
          f"Python {m.get('python')}, pandas {m.get('pandas')}, numpy {m.get('numpy')}")
    if result.get("pythonpath"):
        print(f"package measured: {result['pythonpath']}")
    print("csv = bare pandas.read_csv of every table; read (a) = graphmodel.io.read_raw_dataset; "
          "gaps (b) = load_dataset + gaps(); cli = graphmodel gaps DIR --format json")
    print(f"baseline (interpreter + imports): {result['baseline']['process_seconds']:.2f} s, "
          f"{result['baseline']['max_rss_mb']:.0f} MB")
    header = (f"{'tier':<9}{'companies':>10}{'rows':>11}{'generate':>10}{'csv':>8}{'read (a)':>10}"
              f"{'gaps (b)':>10}{'(b)/(a)':>8}{'validate':>10}{'gaps()':>8}{'peak MB':>9}"
              f"{'cli':>8}{'cli MB':>8}{'us/co':>7}{'exact':>7}{'load':>6}")
    print(header)
    print("-" * len(header))
    for tier, r in result["tiers"].items():
        g = r["gaps"]
        print(f"{tier:<9}{r['companies']:>10,}{r['rows']:>11,}{r['generate']['seconds']:>9.1f}s"
              f"{r['pandas_read_csv']['seconds']:>7.2f}s{r['read']['seconds']:>9.2f}s{g['seconds']:>9.2f}s{r['ratio_gaps_to_read']:>8.2f}"
              f"{g['validate_seconds']:>9.2f}s{g['gaps_seconds']:>7.2f}s{g['max_rss_mb']:>9.0f}"
              f"{r['cli_gaps']['seconds']:>7.1f}s{r['cli_gaps']['max_rss_mb']:>8.0f}"
              f"{r['us_per_company']['gaps']:>7.1f}{'yes' if g['findings_match_expected'] else 'NO':>7}"
              f"{max(max(x) for x in g['load_average']):>6.1f}")
    for step, s in result["growth"].items():
        print(f"growth {step}: companies x{s['companies_x']:.0f}, read x{s['read_time_x']:.1f}, "
              f"gaps x{s['gaps_time_x']:.1f} (per company x{s['gaps_per_company_x']:.2f})")
    neo = result.get("neo4j", {})
    if neo.get("skipped"):
        print("neo4j: skipped")
    elif neo:
        sample = neo.get("sample", {})
        if "speedup" in sample:
            print(f"neo4j sample ({sample['records']:,} records): loader "
                  f"{sample['loader']['seconds']:.2f} s ({sample['loader']['records_per_s']:,.0f}"
                  f" rec/s), naive {sample['naive']['seconds']:.1f} s "
                  f"({sample['naive']['records_per_s']:,.0f} rec/s): x{sample['speedup']:.1f}, "
                  f"same graph: {sample['same_graph']}")
        full = neo.get("full", {})
        if "load" in full:
            ld = full["load"]
            print(f"neo4j full load ({full['tier']}): {ld['records']:,} records in "
                  f"{ld['seconds']:.1f} s = {ld['records_per_s']:,.0f} rec/s (preparing records "
                  f"{ld['prepare_seconds']:.1f} s; writing {ld['write_records_per_s']:,.0f} rec/s)")
        for gap, row in full.get("gaps", {}).items():
            if "neo4j_seconds" in row:
                print(f"  {gap:<34} neo4j {row['neo4j_seconds'] * 1000:8.0f} ms (query "
                      f"{row['neo4j_query_only_seconds'] * 1000:6.0f} ms)  embedded "
                      f"{row['embedded_seconds'] * 1000:7.0f} ms  same ids: "
                      f"{row['same_ids_as_embedded']}")
            else:
                print(f"  {gap:<34} embedded {row['embedded_seconds'] * 1000:7.0f} ms; neo4j: "
                      f"{row.get('neo4j')}")
        if "error" in neo:
            print(f"neo4j error: {neo['error']}")
    print("targets:")
    for name, t in result["targets"].items():
        print(f"  {name:<34} {'MET' if t['met'] else 'NOT MET'}  "
              + json.dumps({k: v for k, v in t.items() if k != 'met'}))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from graphmodel.generate import AS_OF, DEFAULT_SEED

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default="street,district,city",
                        help="comma-separated tiers (default street,district,city)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH,
                        help="where datasets are generated (default /tmp/graphmodel-bench)")
    parser.add_argument("--skip-neo4j", action="store_true", help="embedded measurements only")
    parser.add_argument("--neo4j-tier", default="district", help="tier of the full Neo4j load")
    parser.add_argument("--keep-neo4j", action="store_true",
                        help="leave the bench-* datasets in Neo4j")
    parser.add_argument("--repeat", type=int, default=0,
                        help="runs per measurement (default 3, 1 at city tier)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--pythonpath", type=Path,
                        help="measure the graphmodel package found here instead (e.g. a copy "
                        "with proposed changes applied)")
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tier", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        data = WORKERS[args.worker](args)
        print(json.dumps(data, ensure_ascii=False, default=str))
        return 0
    tiers = [t.strip() for t in args.tiers.split(",") if t.strip()]
    unknown = [t for t in tiers if t not in TIER_ORDER]
    if unknown:
        print(f"unknown tier(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    args.scratch.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "as_of": args.as_of, "seed": args.seed,
        "scratch": str(args.scratch),
        "pythonpath": str(args.pythonpath) if args.pythonpath else None,
    }
    result["baseline"] = worker("baseline", args)
    result["tiers"] = {tier: bench_tier(tier, args) for tier in sorted(tiers,
                                                                       key=TIER_ORDER.index)}
    result["growth"] = growth(result["tiers"])
    result["neo4j"] = {"skipped": True} if args.skip_neo4j else bench_neo4j(args)
    result["targets"] = targets(result)
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["note"] = ("load = highest 1-minute load average seen around the gaps runs; on this "
                      f"{os.cpu_count()}-CPU machine anything above {os.cpu_count()} means other "
                      "work competed for the CPUs and wall times are inflated (compare "
                      "process_cpu_seconds)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    print_table(result)
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
