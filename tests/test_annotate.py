"""Mistakes marked where they were made: ``graphmodel.annotate.annotate_workbook``.

Each bad-input class that has a cell is planted in a small valid dataset (a CSV folder, and
a workbook for some), the dataset validated and annotated, and the output opened with
openpyxl: the offending cell is filled, carries a comment with the bilingual message, and
the first sheet ``问题 Problems`` links to it. The original files keep their bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Rows, minimal_tables, write_dataset
from openpyxl import Workbook, load_workbook

from graphmodel import schema
from graphmodel.annotate import ERROR_FILL, PROBLEMS_SHEET, WARNING_FILL, annotate_workbook
from graphmodel.errors import TargetNotEmptyError, UnsafeTargetError, UsageError
from graphmodel.io import read_raw_dataset
from graphmodel.validation import validate_raw

Tables = dict[str, Rows]


def _set(table: str, index: int, **values: Any) -> Callable[[Tables], None]:
    def plant(tables: Tables) -> None:
        tables[table][index].update(values)
    return plant


def _add(table: str, **row: Any) -> Callable[[Tables], None]:
    def plant(tables: Tables) -> None:
        tables[table].append(row)
    return plant


# (class, how to plant it, table, row, column, words of the message)
PLANTED = [
    ("bad enum", _set("grids", 0, kind="round"), "grids", 2, "kind", "not an allowed value"),
    ("bad date", _set("companies", 1, lease_expires="2026-13-45"), "companies", 3,
     "lease_expires", "not a valid date"),
    ("bad number", _set("companies", 0, employees="many"), "companies", 2, "employees",
     "whole number"),
    ("bad boolean", _set("buildings", 0, key_building="maybe"), "buildings", 2,
     "key_building", "not a boolean"),
    ("bad risk level", _set("risk_assessments", 0, level="purple"), "risk_assessments", 2,
     "level", "not a risk level"),
    ("empty required cell", _set("organizations", 1, name=""), "organizations", 3, "name",
     "required value is empty"),
    ("unknown reference", _set("companies", 1, building_id="B9"), "companies", 3,
     "building_id", "unknown reference"),
    ("wrong-kind reference", _set("companies", 0, building_id="G2"), "companies", 2,
     "building_id", "wrong kind"),
    ("wrong-kind link endpoint", _add("links", source_id="P1", type="ASSIGNED_TO",
                                      target_id="O1"), "links", 4, "target_id", "wrong kind"),
    ("duplicate id", _add("companies", id="C1", name="丙公司", building_id="B1"), "companies",
     4, "id", "duplicate id"),
    ("duplicate key", _add("population", area_id="A1", ethnic_group="回族", residents=7),
     "population", 4, "area_id", "duplicate key"),
    ("privacy number in text", _set("people", 0, role="联系人电话13912345678"), "people", 2,
     "role", "privacy rule"),
    ("control character", _set("companies", 0, name="甲\u200b公司"), "companies", 2, "name",
     "invisible character"),
    ("look-alike id", _add("companies", id="Ｃ1", name="丁公司", building_id="B1"),
     "companies", 4, "id", "look-alike id"),
    ("registered > residents", _set("population", 0, registered=50), "population", 2,
     "registered", "registered > residents"),
    ("resolved_on before raised_on", _set("demands", 0, resolved_on="2025-01-01"), "demands",
     2, "resolved_on", "before raised_on"),
    ("resolved without resolved_on", _set("demands", 0, resolved_on=""), "demands", 2,
     "resolved_on", "resolved without"),
    ("business grid with an area", _set("grids", 1, area_id="A1"), "grids", 3, "area_id",
     "leave area_id blank"),
    ("residential grid without an area", _set("grids", 0, area_id=""), "grids", 2,
     "area_id", "residential grid needs"),
]


def _digest(path: Path) -> dict[str, str]:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _problems(path: Path) -> list[Any]:
    return validate_raw(read_raw_dataset(path))[1]


def _header_column(sheet: Any, column: str) -> str:
    for cell in sheet[1]:
        if str(cell.value).strip() == column:
            return cell.column_letter
    raise AssertionError(f"no header {column!r} in {sheet.title}")


def check_marked(out: Path, table: str, row: int, column: str, words: str,
                 fill: str = ERROR_FILL) -> None:
    """The cell is filled, commented with the message, and linked from the first sheet."""
    workbook = load_workbook(out)
    assert workbook.sheetnames[0] == PROBLEMS_SHEET
    sheet = workbook[table]
    coordinate = f"{_header_column(sheet, column)}{row}"
    cell = sheet[coordinate]
    assert cell.fill.fill_type == "solid"
    assert cell.fill.fgColor.rgb.endswith(fill)
    assert cell.comment is not None
    assert words in cell.comment.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in cell.comment.text)  # Chinese too
    listing = workbook[PROBLEMS_SHEET]
    links = [r[-1].hyperlink.location for r in listing.iter_rows(min_row=2)
             if r[-1].hyperlink is not None and words in str(r[7].value)]
    assert f"'{table}'!{coordinate}" in links


@pytest.mark.parametrize(("kind", "plant", "table", "row", "column", "words"), PLANTED,
                         ids=[p[0] for p in PLANTED])
def test_each_planted_error_is_marked_in_the_csv_workbook(tmp_path, kind, plant, table, row,
                                                          column, words):
    tables = minimal_tables()
    plant(tables)
    source = write_dataset(tmp_path / "ds", tables)
    before = _digest(source)
    problems = _problems(source)
    assert any(words in p.message and p.table == table for p in problems), problems
    out = annotate_workbook(source, tmp_path / "marked.xlsx", problems)
    check_marked(out, table, row, column, words)
    assert _digest(source) == before


def test_every_problem_is_listed_with_a_link(tmp_path):
    tables = minimal_tables()
    for _, plant, *_ in PLANTED[:5]:
        plant(tables)
    source = write_dataset(tmp_path / "ds", tables)
    problems = _problems(source)
    out = annotate_workbook(source, tmp_path / "marked.xlsx")  # validates by itself
    listing = load_workbook(out)[PROBLEMS_SHEET]
    rows = list(listing.iter_rows(min_row=2))
    assert len(rows) == len(problems) >= 5
    assert all(r[-1].hyperlink is not None for r in rows)
    assert [r[7].value for r in rows] == [p.message for p in problems]


def test_sheets_follow_the_contract_and_keep_the_text(tmp_path):
    tables = minimal_tables()
    tables["companies"][0]["name"] = "=HYPERLINK(\"http://x\",\"y\")"
    tables["companies"][0]["employees"] = "007"
    source = write_dataset(tmp_path / "ds", tables)
    out = annotate_workbook(source, tmp_path / "marked.xlsx", [])
    workbook = load_workbook(out)
    assert workbook.sheetnames == [PROBLEMS_SHEET, *(t for t in schema.TABLES if t in tables)]
    sheet = workbook["companies"]
    name = sheet[f"{_header_column(sheet, 'name')}2"]
    assert name.value == tables["companies"][0]["name"] and name.data_type == "s"
    assert name.quotePrefix  # text, never a formula
    assert sheet[f"{_header_column(sheet, 'employees')}2"].value == "007"


def test_rows_after_a_multi_line_note_land_on_their_record(tmp_path):
    tables = minimal_tables()
    tables["companies"][0]["note"] = "第一行\n第二行\n第三行"
    tables["companies"][1]["employees"] = "many"
    source = write_dataset(tmp_path / "ds", tables)
    problems = _problems(source)
    bad = next(p for p in problems if p.column == "employees")
    assert bad.row == 5  # the line the record starts on in the file
    out = annotate_workbook(source, tmp_path / "marked.xlsx", problems)
    check_marked(out, "companies", 3, "employees", "whole number")  # the third record


def test_a_warning_is_yellow(tmp_path):
    tables = minimal_tables()
    tables["links"][0]["until"] = "2019-01-01"
    source = write_dataset(tmp_path / "ds", tables)
    out = annotate_workbook(source, tmp_path / "marked.xlsx")
    check_marked(out, "links", 2, "until", "never active", fill=WARNING_FILL)


def test_table_level_problems_link_to_the_header(tmp_path):
    tables = minimal_tables()
    tables["people"][0]["phone"] = "13912345678"
    source = write_dataset(tmp_path / "ds", tables)
    source.joinpath("grids.csv").write_text(  # no kind column
        "id,name,street_id,area_id\nG1,平面网格一,S1,A1\nG2,立体网格一,S1,\n", encoding="utf-8")
    source.joinpath("streets.csv").unlink()
    problems = _problems(source)
    out = annotate_workbook(source, tmp_path / "marked.xlsx", problems)
    workbook = load_workbook(out)
    people = workbook["people"]
    header = people[f"{_header_column(people, 'phone')}1"]
    assert header.fill.fgColor.rgb.endswith(ERROR_FILL) and "privacy" in header.comment.text
    listing = {str(r[5].value) + "|" + str(r[2].value): r[-1]
               for r in workbook[PROBLEMS_SHEET].iter_rows(min_row=2)}
    assert listing["phone|people"].hyperlink.location.startswith("'people'!")
    assert listing["kind|grids"].hyperlink.location == "'grids'!A1"  # the missing column
    missing = listing["None|streets"]
    assert missing.hyperlink is None and "no sheet" in missing.value


def _write_workbook(path: Path, tables: Tables) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        header = list(schema.TABLES[name].column_names)
        for row in rows:
            header += [k for k in row if k not in header]
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(h) if row.get(h) != "" else None for h in header])
    workbook.save(path)
    return path


@pytest.mark.parametrize(("kind", "plant", "table", "row", "column", "words"),
                         [p for p in PLANTED if p[0] in ("bad enum", "duplicate id",
                                                         "control character", "bad date")],
                         ids=lambda v: v if isinstance(v, str) and " " in v else None)
def test_planted_errors_are_marked_in_a_copy_of_the_workbook(tmp_path, kind, plant, table, row,
                                                             column, words):
    tables = minimal_tables()
    plant(tables)
    source = _write_workbook(tmp_path / "book.xlsx", tables)
    before = _digest(source)
    out = annotate_workbook(source, tmp_path / "marked.xlsx")
    check_marked(out, table, row, column, words)
    assert _digest(source) == before
    copy = load_workbook(out)
    assert copy.sheetnames[1:] == list(tables)  # the user's sheets, in their order


def test_the_shipped_dataset_has_only_the_problems_sheet_header(tmp_path):
    from graphmodel import settings

    out = annotate_workbook(settings.default_dataset_path(), tmp_path / "marked.xlsx")
    listing = load_workbook(out)[PROBLEMS_SHEET]
    rows = list(listing.iter_rows(min_row=2, values_only=True))
    assert all(r[1] == "提示 warning" for r in rows)  # a valid dataset: notes at most


def test_refusals(tmp_path):
    source = write_dataset(tmp_path / "ds", minimal_tables())
    out = tmp_path / "marked.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(TargetNotEmptyError):
        annotate_workbook(source, out, [])
    assert out.read_bytes() == b"keep me"
    annotate_workbook(source, out, [], force=True)
    assert load_workbook(out).sheetnames[0] == PROBLEMS_SHEET
    victim = tmp_path / "victim.xlsx"
    victim.write_bytes(b"not yours")
    link = tmp_path / "link.xlsx"
    os.symlink(victim, link)
    for force in (False, True):
        with pytest.raises(UnsafeTargetError):
            annotate_workbook(source, link, [], force=force)
    assert victim.read_bytes() == b"not yours"
    book = _write_workbook(tmp_path / "book.xlsx", minimal_tables())
    before = _digest(book)
    with pytest.raises(UsageError):
        annotate_workbook(book, book, [], force=True)
    assert _digest(book) == before
    with pytest.raises(UsageError):
        annotate_workbook(source, tmp_path / "marked.csv", [])


def test_validate_annotate_from_the_command_line(tmp_path, capsys):
    from graphmodel.cli import main

    tables = minimal_tables()
    tables["grids"][1]["kind"] = "tall"
    source = write_dataset(tmp_path / "ds", tables)
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    marked = tmp_path / "marked.xlsx"
    assert main(["validate", str(source), "--annotate", str(marked)]) == 2
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before
    book = load_workbook(marked)
    assert book.sheetnames[0] == "问题 Problems"
    cell = book["grids"]["C3"]
    assert cell.value == "tall" and cell.comment is not None and "not an allowed" in \
        cell.comment.text
    with pytest.raises(SystemExit) as refused:   # exists: refused like a bad argument
        main(["validate", str(source), "--annotate", str(marked)])
    assert refused.value.code == 2 and "--force" in capsys.readouterr().err
    assert main(["validate", str(source), "--annotate", str(marked), "--force"]) == 2
