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
    assert "网格无网格员" in out  # the eleventh gap
    assert "网格 grid" in out and "居民区 area" in out and "nan" not in out
    assert "findings" in err


def test_gaps_table_names_the_area_of_a_finding(capsys, make_dataset):
    from conftest import minimal_tables

    tables = minimal_tables()
    tables["buildings"].append({"id": "B2", "name": "二号楼", "grid_id": "G1"})
    tables["companies"].append({"id": "C3", "name": "丙公司", "building_id": "B2"})
    dataset = make_dataset(**tables)
    code, out, _ = run(capsys, "gaps", str(dataset), "--as-of", "2026-02-10", "--only",
                       "building_without_service_station,grid_without_worker")
    assert code == 0
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in out.splitlines() if line.startswith("│")}
    assert rows["B2"][1:3] == ["平面网格一", "一号居民区"]  # a building of a micro-grid
    assert rows["G1"][1:3] == ["平面网格一", "一号居民区"]
    assert rows["G2"][1:3] == ["立体网格一", ""]  # a business grid has no area
    _, out, _ = run(capsys, "gaps", str(dataset), "--as-of", "2026-02-10", "--only",
                    "grid_without_worker", "--format", "json")
    found = {r["id"]: r for r in json.loads(out)}
    assert (found["G1"]["area_id"], found["G1"]["area_name"]) == ("A1", "一号居民区")
    assert found["G2"]["area_id"] is None


def test_info_counts_areas_and_grids_by_kind_without_column_notes(capsys, make_dataset):
    code, out, err = run(capsys, "info")
    assert code == 0 and "居民区 Residential areas:" in out
    assert "平面 residential" in out and "立体 business" in out and "building" not in \
        out.split("网格 Grids:")[1].splitlines()[0]
    assert "unknown extra columns" not in err
    code, out, err = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json")
    assert code == 0 and "unknown extra columns" not in err
    from conftest import minimal_tables

    tables = minimal_tables()
    tables["buildings"][0]["楼长"] = "x"  # an unknown column: noted by validate only
    dataset = str(make_dataset(**tables))
    code, _, err = run(capsys, "validate", dataset)
    assert code == 0 and "unknown extra columns" in err and "楼长" in err
    code, out, err = run(capsys, "info", dataset)
    assert code == 0 and "unknown extra columns" not in err
    assert "居民区 Residential areas: 1" in out
    assert "网格 Grids: 2 = 平面 residential 1" in out and "立体 business 1" in out


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
    code, out, _ = run(capsys, "links", "--as-of", AS_OF, "--format", "json",
                       "--show", "matrix,bridges,connectors")
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
    for by in ("grid", "area", "building"):
        code, out, _ = run(capsys, "risk", "--as-of", AS_OF, "--by", by)
        assert code == 0 and f"Distribution per {by}" in out


def test_param_needs_name_equals_value():
    for argv in (["gaps", "--param", "visit_window_days"],
                 ["neo4j", "query", "bridges", "--param", "top"]):
        with pytest.raises(SystemExit, match="NAME=VALUE"):
            main(argv)


def test_commands_lists_every_command_and_one_command_builds_alone() -> None:
    from graphmodel.cli import COMMANDS, build_parser

    def choices(parser: object) -> tuple[str, ...]:
        action = next(a for a in parser._actions  # type: ignore[attr-defined]
                      if a.__class__.__name__ == "_SubParsersAction")
        return tuple(action.choices)

    assert choices(build_parser()) == COMMANDS
    assert "gaps" in choices(build_parser("gaps"))
    assert "report" not in choices(build_parser("gaps"))
