"""The data contract: encodings, xlsx, every error class, privacy, idempotent loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pytest
from conftest import minimal_tables, write_dataset

from graphmodel import DatasetError, load_dataset, write_template
from graphmodel.cli import main
from graphmodel.io import read_raw_dataset


def problems_of(path: Path) -> list:
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    return info.value.problems


def find(problems: list, table: str, column: str, text: str):
    matches = [p for p in problems if p.table == table and p.column == column and text in p.message]
    assert matches, f"no {table}.{column} problem containing {text!r} in {problems}"
    return matches[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_every_encoding_loads_the_same(make_dataset, encoding):
    ds = load_dataset(make_dataset(encoding=encoding))
    assert list(ds["grids"]["name"]) == ["平面网格一", "立体网格一"]
    assert ds["companies"].set_index("id").at["C1", "name"] == "甲公司"


def test_undecodable_file_is_a_clear_error(make_dataset):
    path = make_dataset()
    (path / "streets.csv").write_bytes(b"id,name\nS1,\xff\xfe\xfa\n")
    problem = find(problems_of(path), "streets", None, "cannot decode")
    assert problem.file == "streets.csv"


def test_cells_are_stripped_and_blank_is_missing(make_dataset):
    tables = minimal_tables()
    tables["grids"][0]["name"] = "  平面网格一  "
    tables["companies"][0]["industry"] = "   "
    ds = load_dataset(make_dataset(tables))
    assert ds["grids"]["name"].iloc[0] == "平面网格一"
    assert ds["companies"]["industry"].isna().all()


def test_types_dates_booleans_and_grid_kinds(make_dataset):
    ds = load_dataset(make_dataset())
    companies = ds["companies"].set_index("id")
    assert companies.at["C1", "lease_expires"].date() == dt.date(2026, 12, 31)  # from 2026/12/31
    assert bool(companies.at["C2", "relocation_intent"]) is True  # from "yes"
    assert bool(ds["buildings"]["key_building"].iloc[0]) is True  # from "是"
    assert list(ds["grids"]["kind"]) == ["residential", "business"]  # 立体 -> business
    assert int(ds["risk_assessments"]["level"].iloc[0]) == 4  # 橙


@pytest.mark.parametrize("spelling,value", [("true", True), ("0", False), ("No", False),
                                             ("否", False), ("1", True)])
def test_boolean_spellings(make_dataset, spelling, value):
    tables = minimal_tables()
    tables["buildings"][0]["key_building"] = spelling
    ds = load_dataset(make_dataset(tables))
    assert bool(ds["buildings"]["key_building"].iloc[0]) is value


def test_missing_required_table_and_column(make_dataset):
    tables = minimal_tables()
    del tables["buildings"]
    path = write_dataset(make_dataset().parent / "broken", tables)
    (path / "grids.csv").write_text("id,name,kind\nG1,网格,residential\n", encoding="utf-8")
    problems = problems_of(path)
    find(problems, "buildings", None, "required table is missing")
    find(problems, "grids", "street_id", "required column is missing")


def test_streets_needs_a_row(make_dataset):
    tables = minimal_tables()
    tables["streets"] = []
    path = make_dataset(tables)
    find(problems_of(path), "streets", None, "needs at least 1 row")


def test_every_error_class_reported_at_once_with_row_and_column(make_dataset):
    tables = minimal_tables()
    tables["grids"][1]["kind"] = "tall"                                  # bad enum
    tables["companies"][0]["employees"] = "-3"                           # bad number
    tables["companies"][1]["lease_expires"] = "2026-13-01"               # bad date
    tables["companies"][1]["building_id"] = "A1"                         # wrong kind
    tables["companies"].append({"id": "C3", "name": "", "building_id": "B9"})  # empty, unknown
    tables["residential_areas"].append({"id": "C1", "name": "重复", "street_id": "S1"})  # dup id
    tables["population"][0]["registered"] = 9                            # registered > residents
    tables["demands"][0]["resolved_on"] = "2025-01-01"                   # before raised_on
    tables["demands"].append({"id": "D2", "company_id": "C1", "raised_on": "2026-01-01",
                              "category": "x", "status": "resolved"})    # resolved w/o date
    tables["risk_assessments"].append({"company_id": "C2", "assessed_on": "2026/02/01",
                                       "level": "purple"})              # dup key, bad level
    tables["buildings"][0]["key_building"] = "maybe"                     # bad boolean
    problems = problems_of(make_dataset(tables))
    assert find(problems, "grids", "kind", "not an allowed value").row == 3
    assert find(problems, "companies", "employees", "whole number").row == 2
    assert find(problems, "companies", "lease_expires", "not a valid date").value == "2026-13-01"
    assert find(problems, "companies", "building_id", "wrong kind").row == 3
    assert find(problems, "companies", "name", "required value is empty").row == 4
    assert find(problems, "companies", "building_id", "unknown reference").value == "B9"
    assert "row" in find(problems, "companies", "id", "duplicate id").message
    assert find(problems, "population", "registered", "registered > residents").row == 2
    assert find(problems, "demands", "resolved_on", "before raised_on").row == 2
    assert find(problems, "demands", "resolved_on", "without resolved_on").row == 3
    assert find(problems, "risk_assessments", "company_id", "duplicate key").row == 3
    assert find(problems, "risk_assessments", "level", "not a risk level").value == "purple"
    assert find(problems, "buildings", "key_building", "not a boolean").row == 2


def test_reference_rules(make_dataset):
    tables = minimal_tables()
    tables["residential_areas"].append({"id": "A2", "name": "错街道", "street_id": "G2"})
    tables["links"].append({"source_id": "C1", "type": "LEADS", "target_id": "O2"})
    tables["links"].append({"source_id": "O1", "type": "ASSIGNED_TO", "target_id": "B1"})
    tables["links"].append({"source_id": "O1", "type": "FRIENDS", "target_id": "O2"})
    tables["visits"].append({"visitor_id": "C1", "target_id": "B1", "date": "2026-01-01"})
    tables["population"].append({"area_id": "B1", "ethnic_group": "回族", "residents": 1})
    problems = problems_of(make_dataset(tables))
    find(problems, "residential_areas", "street_id", "wrong kind")
    find(problems, "links", "source_id", "LEADS")
    find(problems, "links", "source_id", "ASSIGNED_TO")
    find(problems, "links", "type", "not an allowed value")
    find(problems, "visits", "visitor_id", "wrong kind")
    find(problems, "population", "area_id", "wrong kind")


def test_unique_keys_of_links_and_population(make_dataset):
    tables = minimal_tables()
    tables["links"].append(dict(tables["links"][0]))
    tables["links"].append(dict(tables["links"][1]))  # blank since twice is a duplicate too
    tables["population"].append({"area_id": "A1", "ethnic_group": "回族", "residents": 2})
    problems = problems_of(make_dataset(tables))
    dup_links = [p for p in problems if p.table == "links" and "duplicate key" in p.message]
    assert [p.row for p in dup_links] == [4, 5]
    find(problems, "population", "area_id", "duplicate key")


@pytest.mark.parametrize("column", ["ethnicity", "ethnic_group", "民族", "id_number", "身份证号",
                                    "phone", "手机"])
def test_privacy_rule_rejects_personal_columns(make_dataset, column):
    tables = minimal_tables()
    tables["people"][0][column] = "x"
    problem = find(problems_of(make_dataset(tables)), "people", column, "privacy")
    assert "population" in problem.message  # explains where ethnicity belongs


def test_unknown_columns_are_kept_and_noted(make_dataset):
    tables = minimal_tables()
    tables["organizations"][0]["wechat"] = "jas_dangjian"
    ds = load_dataset(make_dataset(tables))
    assert ds["organizations"].set_index("id").at["O1", "wechat"] == "jas_dangjian"
    assert any("wechat" in (w.column or "") for w in ds.warnings)
    assert ds.graph.nodes["O1"]["wechat"] == "jas_dangjian"


def test_xlsx_workbook_with_real_date_cells(make_dataset, tmp_path):
    from openpyxl import Workbook

    csv_ds = load_dataset(make_dataset())
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in csv_ds.tables.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if _missing(v) else _excel(v) for v in row])
    path = tmp_path / "street.xlsx"
    workbook.save(path)
    assert load_dataset(path).name == "ceshi"  # named after its street (测试街道), not the file
    assert csv_ds.name == "ceshi"
    xlsx_ds = load_dataset(path, name=csv_ds.name)
    assert nx.utils.graphs_equal(xlsx_ds.graph, csv_ds.graph)


def _missing(value) -> bool:
    try:
        return bool(value != value) or value is None  # NaN / NaT / NA
    except TypeError:
        return True


def _excel(value):
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()  # a real Excel date cell
    if hasattr(value, "item"):
        return value.item()
    return value


def test_xlsx_errors_name_the_sheet(make_dataset, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "streets"
    workbook.active.append(["id", "name"])
    workbook.active.append(["S1", None])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    problem = find(problems_of(path), "streets", "name", "required value is empty")
    assert problem.file == "bad.xlsx[streets]" and problem.row == 2


def test_loading_twice_equals_loading_once(make_dataset):
    path = make_dataset()
    first, second = load_dataset(path), load_dataset(path)
    assert nx.utils.graphs_equal(first.graph, second.graph)
    assert sorted(first.graph.edges(data="type")) == sorted(second.graph.edges(data="type"))


def test_validate_cli_exit_codes(make_dataset, capsys):
    assert main(["validate", str(make_dataset())]) == 0
    tables = minimal_tables()
    tables["grids"][0]["street_id"] = "S404"
    tables["companies"][0]["employees"] = "many"
    assert main(["validate", str(make_dataset(tables, name="bad"))]) == 2
    text = capsys.readouterr().err
    assert "grids.csv" in text and "row 2" in text and "[street_id]" in text and "S404" in text
    assert "companies.csv" in text and "[employees]" in text


def test_missing_dataset_path(tmp_path):
    raw = read_raw_dataset(tmp_path / "nowhere")
    assert raw.problems and "not found" in raw.problems[0].message
    assert main(["validate", str(tmp_path / "nowhere")]) == 2


def test_templates_are_valid_empty_datasets(tmp_path):
    from openpyxl import load_workbook

    csv_dir = write_template(tmp_path / "tpl")
    assert (csv_dir / "companies.csv").read_text(encoding="utf-8-sig").startswith("id,name,")
    book_path = write_template(tmp_path / "tpl.xlsx", xlsx=True)
    book = load_workbook(book_path)
    sheet = book["organizations"]
    assert [c.value for c in sheet[1]][:4] == ["id", "name", "kind", "sector"]
    assert "组织类型" in sheet["C1"].comment.text and "organization kind" in sheet["C1"].comment.text
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("liaison_group" in f for f in lists)
    # An empty template is missing the one street row the contract needs, nothing else.
    for path in (csv_dir, book_path):
        problems = problems_of(path)
        assert {p.table for p in problems} == {"streets"}


# ---------------------------------------------------------------------------
# Version 2 of the contract
# ---------------------------------------------------------------------------


def test_version_1_layout_is_refused_with_one_error_that_says_what_to_move(make_dataset,
                                                                           capsys):
    tables = minimal_tables()
    tables["residential_areas"] = [{"id": "A1", "name": "一号居民区", "grid_id": "G1"}]
    path = make_dataset(tables)
    (path / "grids.csv").write_text("id,name,kind,street_id\nG1,平面网格一,residential,S1\n"
                                    "G2,立体网格一,building,S1\n", encoding="utf-8")
    problems = [p for p in problems_of(path) if p.severity == "error"]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.table, problem.column) == ("residential_areas", "grid_id")
    assert "version 1" in problem.message and "area_id" in problem.message
    assert "street_id" in problem.message
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "version 1" in out.out + out.err and "Traceback" not in out.err


def test_grid_area_rules(make_dataset):
    tables = minimal_tables()
    tables["streets"].append({"id": "S2", "name": "别的街道"})
    tables["residential_areas"].append({"id": "A2", "name": "别街居民区", "street_id": "S2"})
    tables["grids"] += [
        {"id": "G3", "name": "无居民区", "kind": "平面", "street_id": "S1"},
        {"id": "G4", "name": "商务带居民区", "kind": "business", "street_id": "S1",
         "area_id": "A1"},
        {"id": "G5", "name": "跨街道", "kind": "residential", "street_id": "S1",
         "area_id": "A2"},
        {"id": "G6", "name": "指向楼宇", "kind": "residential", "street_id": "S1",
         "area_id": "B1"},
    ]
    problems = problems_of(make_dataset(tables))
    assert find(problems, "grids", "area_id", "needs the area_id").row == 4
    assert find(problems, "grids", "area_id", "leave area_id blank").row == 5
    assert find(problems, "grids", "area_id", "another street").row == 6
    assert find(problems, "grids", "area_id", "wrong kind").row == 7


@pytest.mark.parametrize(("table", "column", "spelling", "value"), [
    ("grids", "kind", "building", "business"),
    ("grids", "kind", "立体", "business"),
    ("grids", "kind", "BUSINESS", "business"),
    ("companies", "ownership", "民营", "domestic"),
    ("companies", "ownership", "外资", "foreign"),
    ("companies", "ownership", "Joint_Venture", "joint_venture"),
    ("companies", "ownership", "国企", "state"),
    ("organizations", "kind", "党群服务站", "service_station"),
    ("organizations", "kind", "联合会", "association"),
    ("organizations", "sector", "党建", "party"),
    ("organizations", "sector", "慈善", "charity"),
    ("demands", "status", "已解决", "resolved"),
    ("demands", "status", "处理中", "in_progress"),
    ("visits", "status", "计划", "planned"),
    ("visits", "status", "已走访", "done"),
    ("visits", "status", "", "done"),
    ("links", "type", "leads", "LEADS"),
])
def test_every_enum_accepts_its_chinese_spelling(make_dataset, table, column, spelling, value):
    tables = minimal_tables()
    row = 1 if table == "grids" else 0  # grids row 0 is residential: it has an area
    tables[table][row][column] = spelling
    ds = load_dataset(make_dataset(tables))
    assert ds[table][column].iloc[row] == value


def test_source_is_an_enum_and_source_ref_and_note_are_known_columns(make_dataset):
    tables = minimal_tables()
    tables["streets"][0].update(source="public", source_ref="https://example.org/a", note="备注")
    tables["companies"][0].update(source="bogus")
    problems = problems_of(make_dataset(tables))
    assert find(problems, "companies", "source", "not an allowed value").value == "bogus"
    assert not [p for p in problems if p.table == "streets"]


def test_a_street_wide_covers_link_is_accepted(make_dataset):
    tables = minimal_tables()
    tables["links"].append({"source_id": "O1", "type": "COVERS", "target_id": "S1"})
    assert load_dataset(make_dataset(tables))["links"]["type"].tolist().count("COVERS") == 1


def test_default_name_comes_from_the_street(make_dataset):
    tables = minimal_tables()
    assert load_dataset(make_dataset(tables, name="folder")).name == "ceshi"
    tables["streets"].append({"id": "S2", "name": "曹家渡街道"})
    assert load_dataset(make_dataset(tables, name="two_streets")).name == "two_streets"
    assert load_dataset(make_dataset(name="given"), name="mine").name == "mine"
