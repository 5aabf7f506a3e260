"""``bench/run.py`` runs end to end at street tier (embedded only) and writes its JSON.

The benchmarks themselves are not part of the unit tests: this only checks that
the script works and reports what docs/performance.md relies on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from _generate import assert_v2_hierarchy

from graphmodel.gaps import GAP_NAMES

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_at_street_tier(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--tiers", "street", "--skip-neo4j",
         "--repeat", "1", "--out", str(out), "--scratch", str(tmp_path / "scratch")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "street" in proc.stdout  # the printed table
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "baseline", "tiers", "growth", "neo4j", "targets"} <= set(result)
    assert {"nproc", "cpu", "memory_gb"} <= set(result["machine"])
    assert result["neo4j"] == {"skipped": True}
    street = result["tiers"]["street"]
    assert {"companies", "rows", "generate", "read", "gaps", "cli_gaps", "ratio_gaps_to_read",
            "us_per_company"} <= set(street)
    assert street["read"]["seconds"] > 0
    gaps = street["gaps"]
    assert {"seconds", "load_seconds", "read_seconds", "validate_seconds", "gaps_seconds",
            "max_rss_mb", "per_gap_seconds", "findings"} <= set(gaps)
    assert set(gaps["per_gap_seconds"]) == set(GAP_NAMES)
    assert gaps["graph_built"] is False
    assert gaps["findings_match_expected"] is True
    assert street["cli_gaps"]["exit_code"] == 0
    scratch = tmp_path / "scratch" / "street"
    assert (scratch / "companies.csv").exists()
    # the benchmarked data has the version 2 hierarchy ("1 + 11 + 37")
    raw = {t: pd.read_csv(scratch / f"{t}.csv", dtype=str, keep_default_na=False)
           for t in ("streets", "residential_areas", "grids")}
    assert (len(raw["streets"]), len(raw["residential_areas"]), len(raw["grids"])) == (1, 11, 37)
    assert_v2_hierarchy(raw["streets"], raw["residential_areas"], raw["grids"])
    assert street["gaps"]["findings"]["grid_without_worker"] >= 1
