"""The command line: every command runs on the shipped dataset and formats its output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from graphmodel.cli import main
from graphmodel.gaps import GAP_NAMES

AS_OF = "2026-11-29"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_on_every_command():
    for command in ("validate", "info", "template", "gaps", "links", "path", "risk", "schema",
                    "neo4j", "server", "report", "generate"):
        result = subprocess.run([sys.executable, "-m", "graphmodel.cli", command, "--help"],
                                capture_output=True, text=True)
        assert result.returncode == 0 and "usage:" in result.stdout, command


def test_gaps_json_is_the_spec_output(capsys):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["gap"] for r in rows} == set(GAP_NAMES)
    assert rows == sorted(rows, key=lambda r: (r["gap"], r["id"]))
    assert all({"gap", "id", "name", "detail"} <= set(r) and isinstance(r["detail"], dict)
               for r in rows)


def test_gaps_csv_detail_is_a_json_string(capsys):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "csv", "--only",
                       "stale_demand")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {r["gap"] for r in rows} == {"stale_demand"}
    assert "age_days" in json.loads(rows[0]["detail"])


def test_gaps_table_groups_by_gap_with_titles(capsys):
    code, out, err = run(capsys, "gaps", "--as-of", AS_OF)
    assert code == 0
    assert "网格无党组织" in out and "Grid without party organisation" in out
    assert "findings" in err


def test_gaps_params_config_and_fail_on_gaps(capsys, tmp_path):
    _, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json", "--only",
                    "stale_demand")
    default = len(json.loads(out))
    _, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json", "--only",
                    "stale_demand", "--param", "demand_max_days=1000")
    assert json.loads(out) == [] and default > 0
    config = tmp_path / "gaps.toml"
    config.write_text("[params]\ndemand_max_days = 1000\n", encoding="utf-8")
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json", "--only",
                       "stale_demand", "--config", str(config), "--fail-on-gaps")
    assert code == 0 and json.loads(out) == []
    code, _, _ = run(capsys, "gaps", "--as-of", AS_OF, "--only", "stale_demand",
                     "--fail-on-gaps")
    assert code == 1


def test_gaps_rejects_unknown_names(capsys):
    with pytest.raises(SystemExit):
        main(["gaps", "--param", "no_such_param=1"])
    with pytest.raises(SystemExit):
        main(["gaps", "--only", "no_such_gap"])


def test_links_path_and_risk(capsys):
    code, out, _ = run(capsys, "links", "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"sector_matrix", "bridges", "connectors"}
    assert data["bridges"][0]["betweenness"] >= data["bridges"][-1]["betweenness"]
    code, out, _ = run(capsys, "path", "京东健康", "上海戏剧学院", "--as-of", AS_OF)
    assert code == 0 and out.startswith("京东健康") and "上海戏剧学院" in out
    code, _, err = run(capsys, "path", "京东健康", "没有这个单位")
    assert code == 1 and "没有这个单位" in err
    code, out, _ = run(capsys, "risk", "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["assessed"] and data["suggested"]
    assert {r["followup"] for r in data["assessed"]} <= {"done", "pending", "overdue", "n/a"}
    code, out, _ = run(capsys, "risk", "--as-of", AS_OF)
    assert code == 0 and "五色风险" in out and "建议等级" in out


def test_param_needs_name_equals_value():
    for argv in (["gaps", "--param", "visit_window_days"],
                 ["neo4j", "query", "bridges", "--param", "top"]):
        with pytest.raises(SystemExit, match="NAME=VALUE"):
            main(argv)
