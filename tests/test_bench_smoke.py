"""``bench/run.py`` runs end to end at street tier (no Neo4j) and reports what it must.

The benchmark itself is not part of the unit tests: this runs it at the smallest scale
(street tier, one run, ``--skip-neo4j``) and checks what docs/performance.md relies on:
the peer's JSON is the project's, every goal of issue 12 is printed with its target and
verdict, the printed reproduction commands are the ones recorded, and
``bench/report.py`` regenerates the markdown from the results file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _generate import assert_v2_hierarchy

from graphmodel.gaps import GAP_NAMES

ROOT = Path(__file__).resolve().parent.parent
GOALS = ("≤ 1.5×", "≤ 3×", "≤ 1536 MB", "≤ 1.15", "< 0.15 s", "≥ 40,000 records/s",
         "≥ 150,000 records/s", "≤ 2 s each", "≤ 10% of the first load")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str],
                                                              dict, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--tiers", "street", "--skip-neo4j",
         "--repeat", "1", "--as-of", "2026-11-29", "--out", str(out),
         "--scratch", str(tmp / "scratch"), "--markdown", str(tmp / "results.md")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc, json.loads(out.read_text(encoding="utf-8")), tmp


def test_peer_and_project_give_the_same_json(bench: tuple) -> None:
    _, result, tmp = bench
    street = result["tiers"]["street"]
    assert street["identical_answers"] is True
    peer = json.loads((tmp / "scratch" / "out" / "street-peer.json").read_text("utf-8"))
    project = json.loads((tmp / "scratch" / "out" / "street-project.json").read_text("utf-8"))
    assert peer == project
    assert len(project) == street["findings"] > 20
    assert {r["gap"] for r in project} <= set(GAP_NAMES)


def test_every_figure_is_recorded(bench: tuple) -> None:
    _, result, _ = bench
    assert {"machine", "baseline", "tiers", "growth", "neo4j", "targets", "commands",
            "commit", "load_average_start", "load_average_end"} <= set(result)
    assert {"cpu", "cores", "memory_gb", "os", "python", "duckdb", "pyarrow",
            "pandas"} <= set(result["machine"])
    assert result["neo4j"] == {"skipped": True}
    assert result["baseline"]["runs"] >= 10
    assert result["baseline"]["import_seconds"] > 0
    street = result["tiers"]["street"]
    assert {"companies", "rows", "generate", "floor", "peer", "project", "inprocess",
            "ratios", "us_per_company", "findings_per_gap"} <= set(street)
    for key in ("floor", "peer", "project"):
        assert street[key]["seconds"] > 0 and len(street[key]["runs"]) == 1
    assert street["floor"]["in_process_seconds"] > 0
    assert street["project"]["max_rss_mb"] > 0
    inside = street["inprocess"]
    assert inside["load_seconds"] > 0 and inside["gaps_seconds"] > 0
    assert inside["graph_built"] is False  # the gaps never build the networkx graph
    assert street["findings_match_planted"] is True  # as of the generator's date
    assert street["findings_per_gap"]["grid_without_worker"] >= 1
    assert street["ratios"]["project_to_peer"] > 0


def test_printout_shows_goals_and_the_commands_it_ran(bench: tuple) -> None:
    proc, result, _ = bench
    for goal in GOALS:
        assert goal in proc.stdout, goal
    assert "identical answers" in proc.stdout
    assert "not measured: --skip-neo4j" in proc.stdout
    goals = result["targets"]
    assert goals["identical_answers"]["met"] is True
    assert goals["peer_ratio_district"]["met"] is None  # district not run: not measured
    printed = proc.stdout.split("\n\n")[0]
    for command in result["commands"]["street"].values():
        if "neo4j_measure" not in command:
            assert command in printed
    assert "bench/duckdb_peer.py" in printed and "graphmodel gaps" in printed


def test_report_regenerates_the_markdown(bench: tuple) -> None:
    _, _, tmp = bench
    written = (tmp / "results.md").read_text(encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "report.py"),
                           str(tmp / "results.json")], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert proc.stdout == written
    assert "| goal | target | measured | met |" in written
    doc = tmp / "doc.md"
    doc.write_text("before\n<!-- bench:ratios -->\nold\n<!-- /bench:ratios -->\nafter\n",
                   encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "bench" / "report.py"),
                    str(tmp / "results.json"), "--update", str(doc)], check=True, cwd=ROOT)
    updated = doc.read_text(encoding="utf-8")
    assert "old" not in updated and "≤ 1.5×" in updated
    assert updated.startswith("before\n") and updated.endswith("after\n")


def test_generated_street_has_the_v2_hierarchy(bench: tuple) -> None:
    _, _, tmp = bench
    scratch = tmp / "scratch" / "street"
    raw = {t: pd.read_csv(scratch / f"{t}.csv", dtype=str, keep_default_na=False)
           for t in ("streets", "residential_areas", "grids")}
    assert (len(raw["streets"]), len(raw["residential_areas"]), len(raw["grids"])) == (1, 11, 37)
    assert_v2_hierarchy(raw["streets"], raw["residential_areas"], raw["grids"])
