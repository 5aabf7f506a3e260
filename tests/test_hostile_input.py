"""Hostile and broken input: every case is refused with exit 2, located, and changes nothing.

The corpus is generated: each class of bad input (privacy by spelling, personal numbers in
free text, control and invisible characters, look-alike ids, numbers that overflow, header
clashes, damaged workbooks, odd entries in the dataset folder) is applied to a small valid
dataset in every table or spelling it concerns. Each case asserts the exit status, the
table/row/column of the message, that no traceback is printed and that the input files are
unchanged.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Rows, minimal_tables, write_dataset

from graphmodel import schema
from graphmodel.cli import main
from graphmodel.io import read_raw_dataset
from graphmodel.validation import validate_raw

Case = Callable[[Path], tuple[str, int | None, str | None, str]]
"""A mutation: writes a bad dataset under the path, returns (table, row, column, words)."""


def snapshot(path: Path) -> dict[str, str]:
    """A hash of every file under ``path`` (or of ``path`` itself)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*")
                                                  if p.is_file() and not p.is_symlink())
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def refuse(path: Path, table: str, row: int | None, column: str | None, words: str,
           capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(path) if path.exists() and not _is_fifo_dir(path) else {}
    status = main(["validate", str(path)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert status == 2, text
    assert "Traceback" not in text
    problems = [p for p in validate_raw(read_raw_dataset(path))[1] if p.severity == "error"]
    matching = [p for p in problems if p.table == table and p.column == column
                and words.lower() in p.message.lower()]
    assert matching, f"no error {table}/{column} '{words}' in: {[p.format() for p in problems]}"
    if row is not None:
        assert row in [p.row for p in matching], [p.format() for p in matching]
    if before:
        assert snapshot(path) == before


def _is_fifo_dir(path: Path) -> bool:
    return False


def dataset_with(tmp_path: Path, change: Callable[[dict[str, Rows]], None]) -> Path:
    tables = minimal_tables()
    change(tables)
    return write_dataset(tmp_path / "ds", tables)


# ---------------------------------------------------------------------------
# Privacy: personal-data columns in any table but population, by any spelling
# ---------------------------------------------------------------------------

PERSONAL_COLUMNS = ["ethnicity", "ID Number", "id-number", "id_no", "idcard", "national_id",
                    "证件号码", "tel", "ｅｔｈｎｉｃｉｔｙ", "民 族", "Phone", "mobile_no",
                    "visitor_ethnicity", "身份证号", "联系电话", "族别", "Tel No", "cellphone"]
PRIVACY_TABLES = ["people", "visits", "companies", "organizations", "streets", "links"]


@pytest.mark.parametrize("column", PERSONAL_COLUMNS)
@pytest.mark.parametrize("table", PRIVACY_TABLES)
def test_personal_data_column_is_refused(tmp_path, capsys, table, column):
    def change(tables: dict[str, Rows]) -> None:
        tables[table][0][column] = "x"

    path = dataset_with(tmp_path, change)
    refuse(path, table, None, column, "privacy", capsys)


@pytest.mark.parametrize("column", ["hotel", "title", "valid_no", "phonetic_name"])
def test_innocent_column_names_pass(tmp_path, column):
    def change(tables: dict[str, Rows]) -> None:
        tables["companies"][0][column] = "x"

    path = dataset_with(tmp_path, change)
    problems = validate_raw(read_raw_dataset(path))[1]
    if column == "phonetic_name":  # contains "phone": refused, on purpose (safe side)
        assert any(p.severity == "error" for p in problems)
    else:
        assert not [p for p in problems if p.severity == "error"]


def test_population_may_carry_ethnic_group(tmp_path):
    path = dataset_with(tmp_path, lambda t: None)
    assert not [p for p in validate_raw(read_raw_dataset(path))[1] if p.severity == "error"]


PERSONAL_VALUES = ["11010519491231002X", "联系人电话13912345678", "+86 13912345678",
                   "身份证 440524188001010014 已登记"]


@pytest.mark.parametrize("value", PERSONAL_VALUES)
@pytest.mark.parametrize(("table", "column", "row"), [
    ("companies", "name", 2), ("people", "role", 2), ("visits", "purpose", 2),
    ("links", "note", 2), ("risk_assessments", "reason", 2), ("companies", "note", 3),
])
def test_personal_numbers_in_free_text_are_refused(tmp_path, capsys, value, table, column,
                                                   row):
    def change(tables: dict[str, Rows]) -> None:
        tables[table][row - 2][column] = value

    refuse(dataset_with(tmp_path, change), table, row, column, "ID-card number", capsys)


def test_a_personal_number_is_not_echoed(tmp_path, capsys):
    def change(tables: dict[str, Rows]) -> None:
        tables["people"][0]["role"] = "13912345678"

    path = dataset_with(tmp_path, change)
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "13912345678" not in out.out + out.err


# ---------------------------------------------------------------------------
# Control and invisible characters
# ---------------------------------------------------------------------------

HIDDEN = ["\x00", "\x1b[31m", "\x07", "\u200b", "\u202e", "\ufeff", "\x7f", "\u2060"]


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: c.encode("unicode_escape").decode())
@pytest.mark.parametrize(("table", "column"), [
    ("grids", "name"), ("companies", "id"), ("organizations", "name"), ("links", "note"),
    ("buildings", "grid_id"),
])
def test_control_and_invisible_characters_are_refused(tmp_path, capsys, char, table, column):
    def change(tables: dict[str, Rows]) -> None:
        cell = tables[table][0].get(column) or "x"
        tables[table][0][column] = f"{str(cell)[:1]}{char}{str(cell)[1:]}"

    refuse(dataset_with(tmp_path, change), table, 2, column, "invisible", capsys)


@pytest.mark.parametrize("text", ["一号\r\n楼", "一号\n2026 fake line", "tab\there"])
def test_line_breaks_are_refused_in_names(tmp_path, capsys, text):
    def change(tables: dict[str, Rows]) -> None:
        tables["buildings"][0]["name"] = text

    refuse(dataset_with(tmp_path, change), "buildings", 2, "name", "line break", capsys)


def test_line_breaks_are_fine_in_notes(tmp_path):
    def change(tables: dict[str, Rows]) -> None:
        tables["buildings"][0]["note"] = "第一行\n第二行"

    path = dataset_with(tmp_path, change)
    assert not [p for p in validate_raw(read_raw_dataset(path))[1] if p.severity == "error"]


# ---------------------------------------------------------------------------
# Look-alike ids
# ---------------------------------------------------------------------------

LOOKALIKES = ["Ｂ1", "В1", "B\u200b1", "B1\u200d", "Β1", "ｂ1".upper()]


@pytest.mark.parametrize("twin", LOOKALIKES, ids=lambda c: c.encode("unicode_escape").decode())
@pytest.mark.parametrize("table", ["buildings", "organizations"])
def test_lookalike_ids_name_both_rows(tmp_path, capsys, twin, table):
    def change(tables: dict[str, Rows]) -> None:
        if table == "buildings":
            tables["buildings"].append({"id": twin, "name": "假楼", "grid_id": "G2"})
        else:
            tables["organizations"].append({"id": twin, "name": "假组织", "kind": "council",
                                            "sector": "community"})

    path = dataset_with(tmp_path, change)
    row = len(minimal_tables()[table]) + 2  # the appended row, under the header
    refuse(path, table, row, "id", "look-alike", capsys)
    problems = validate_raw(read_raw_dataset(path))[1]
    message = next(p.message for p in problems if "look-alike" in p.message)
    assert "buildings.csv row 2" in message


# ---------------------------------------------------------------------------
# Numbers that overflow or are not numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "-inf", "1e30", "9223372036854775808", "nan", "1e400",
                                   "NaN", "0x10", "3.5"])
@pytest.mark.parametrize(("table", "column"), [("companies", "employees"),
                                               ("residential_areas", "households")])
def test_bad_integers_are_refused(tmp_path, capsys, value, table, column):
    def change(tables: dict[str, Rows]) -> None:
        tables[table][0][column] = value

    refuse(dataset_with(tmp_path, change), table, 2, column, "whole number", capsys)


# ---------------------------------------------------------------------------
# Source must be one of the enum
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["bogus", "Public!", "newsletter", "真实"])
def test_source_values_are_checked(tmp_path, capsys, value):
    def change(tables: dict[str, Rows]) -> None:
        tables["grids"][0]["source"] = value

    refuse(dataset_with(tmp_path, change), "grids", 2, "source", "not an allowed value", capsys)


# ---------------------------------------------------------------------------
# Header clashes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["id,name, name ,kind,street_id,area_id",
                                    "id,name,kind,street_id,area_id,name",
                                    "id,name,kind,kind ,street_id,area_id",
                                    "id, id,name,kind,street_id,area_id",
                                    "id,name,kind,street_id,area_id,\tarea_id"])
def test_header_clash_in_csv_is_refused(tmp_path, capsys, header):
    path = dataset_with(tmp_path, lambda t: None)
    width = header.count(",") + 1
    rows = ["G1," + ",".join(["x"] * (width - 1)), "G2," + ",".join(["y"] * (width - 1))]
    (path / "grids.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    column = next(n.strip() for i, n in enumerate(header.split(","))
                  if n.strip() in [h.strip() for h in header.split(",")[:i]])
    refuse(path, "grids", 1, column, "duplicate header", capsys)


def workbook_of(tmp_path: Path, tables: dict[str, Rows] | None = None) -> Path:
    from openpyxl import Workbook

    data = tables or minimal_tables()
    book = Workbook()
    book.remove(book.active)
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        header = list(schema.TABLES[name].column_names)
        for row in rows:
            header += [k for k in row if k not in header]
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(h) for h in header])
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("duplicate", ["name", " name", "kind "])
def test_header_clash_in_workbook_is_refused(tmp_path, capsys, duplicate):
    from openpyxl import load_workbook

    path = workbook_of(tmp_path)
    book = load_workbook(path)
    sheet = book["grids"]
    sheet.cell(row=1, column=sheet.max_column + 1, value=duplicate)
    book.save(path)
    refuse(path, "grids", 1, duplicate.strip(), "duplicate header", capsys)


# ---------------------------------------------------------------------------
# Damaged workbooks and odd dataset paths
# ---------------------------------------------------------------------------


def _rezip(path: Path, drop: str | None = None, damage: str | None = None) -> None:
    with zipfile.ZipFile(path) as source:
        items = {i.filename: source.read(i.filename) for i in source.infolist()}
    if drop:
        items.pop(drop)
    if damage:
        items[damage] = items[damage][: len(items[damage]) // 2]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in items.items():
            target.writestr(name, data)


@pytest.mark.parametrize("breakage", ["drop-sheet", "broken-xml", "truncated", "empty",
                                      "csv-renamed", "not-zip"])
def test_damaged_workbook_is_refused(tmp_path, capsys, breakage):
    path = workbook_of(tmp_path)
    if breakage == "drop-sheet":
        _rezip(path, drop="xl/worksheets/sheet10.xml")
    elif breakage == "broken-xml":
        _rezip(path, damage="xl/worksheets/sheet3.xml")
    elif breakage == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
    elif breakage == "empty":
        path.write_bytes(b"")
    elif breakage == "csv-renamed":
        path.write_text("id,name\nS1,街道\n", encoding="utf-8")
    else:
        path.write_bytes(os.urandom(4096))
    refuse(path, "-", None, None, "damaged", capsys)


@pytest.mark.parametrize(("name", "words"), [("old.xls", ".xls"), ("data.txt", "other file"),
                                             ("missing", "not found")])
def test_wrong_kind_of_dataset_path(tmp_path, capsys, name, words):
    path = tmp_path / name
    if name != "missing":
        path.write_text("id,name\n", encoding="utf-8")
    refuse(path, "-", None, None, words, capsys)


@pytest.mark.parametrize("entry", ["dangling", "loop", "directory", "fifo"])
def test_odd_entries_in_the_dataset_folder(tmp_path, capsys, entry):
    path = dataset_with(tmp_path, lambda t: None)
    target = path / "visits.csv"
    target.unlink()
    if entry == "dangling":
        target.symlink_to(tmp_path / "nowhere.csv")
    elif entry == "loop":
        target.symlink_to(target)
    elif entry == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    refuse(path, "visits", None, None, "not", capsys)


def test_upper_case_file_name_gets_a_note(tmp_path, capsys):
    path = dataset_with(tmp_path, lambda t: None)
    (path / "grids.csv").rename(path / "GRIDS.CSV")
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr()
    assert "grids.csv" in out.out + out.err and "GRIDS.CSV" in out.out + out.err


def test_missing_sheet_is_named_as_a_sheet(tmp_path):
    from openpyxl import load_workbook

    path = workbook_of(tmp_path)
    book = load_workbook(path)
    del book["grids"]
    book.save(path)
    problems = validate_raw(read_raw_dataset(path))[1]
    assert any(p.file == "book.xlsx[grids]" and "missing" in p.message for p in problems)


def test_sheet_name_with_trailing_space_and_capital_is_named(tmp_path):
    from openpyxl import load_workbook

    path = workbook_of(tmp_path)
    book = load_workbook(path)
    book["grids"].title = "Grids "
    book.save(path)
    problems = validate_raw(read_raw_dataset(path))[1]
    assert any("'Grids '" in p.message and "grids" in p.message for p in problems)


# ---------------------------------------------------------------------------
# Dates: 1900-01-01 .. 9999-12-31
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "1677-09-21", "10000-01-01",
                                   "2026-02-30", "2026-13-01", "yesterday", "2026-11-01T10:00"])
@pytest.mark.parametrize(("table", "column"), [("companies", "lease_expires"),
                                               ("visits", "date"), ("links", "until")])
def test_dates_out_of_range_are_refused(tmp_path, capsys, value, table, column):
    def change(tables: dict[str, Rows]) -> None:
        tables[table][0][column] = value

    refuse(dataset_with(tmp_path, change), table, 2, column, "not a valid date", capsys)


def test_no_end_date_9999_12_31_works(tmp_path, capsys):
    from graphmodel import gaps, load_dataset

    def change(tables: dict[str, Rows]) -> None:
        tables["companies"][0]["lease_expires"] = "9999-12-31"
        tables["links"][1]["until"] = "9999-12-31"
        tables["links"][0]["since"] = "1900-01-01"

    path = dataset_with(tmp_path, change)
    ds = load_dataset(path)
    assert str(ds["companies"]["lease_expires"].max().date()) == "9999-12-31"
    found = gaps(ds, as_of="2026-06-30")
    assert "key_building_without_worker" not in set(found["gap"])  # the link is still active
    assert main(["validate", str(path)]) == 0


# ---------------------------------------------------------------------------
# Encodings, quotes and formulas
# ---------------------------------------------------------------------------


def test_utf8_line_inside_a_gb18030_file_names_the_row(tmp_path, capsys):
    path = dataset_with(tmp_path, lambda t: None)
    lines = (path / "grids.csv").read_text(encoding="utf-8").splitlines()
    data = (lines[0] + "\n" + lines[1] + "\n").encode("gb18030") + (lines[2] + "\n").encode()
    (path / "grids.csv").write_bytes(data)
    refuse(path, "grids", 3, None, "mixed encodings", capsys)


@pytest.mark.parametrize("encoding", ["big5", "cp950"])
def test_big5_file_is_refused(tmp_path, capsys, encoding):
    path = dataset_with(tmp_path, lambda t: None)
    text = "id,name,kind,street_id,area_id\nG1,會德豐國際廣場網格,residential,S1,A1\n" \
           "G2,越洋國際廣場網格,business,S1,\nG3,東海廣場網格,business,S1,\n"
    (path / "grids.csv").write_bytes(text.encode(encoding))
    refuse(path, "grids", None, None, "traditional Chinese", capsys)


@pytest.mark.parametrize(("row", "cell"), [(2, '"甲公司'), (3, '乙"公司'), (3, '"乙公司')])
def test_unbalanced_quote_says_where_it_opened(tmp_path, capsys, row, cell):
    path = dataset_with(tmp_path, lambda t: None)
    lines = (path / "companies.csv").read_text(encoding="utf-8").splitlines()
    parts = lines[row - 1].split(",")
    parts[1] = cell
    lines[row - 1] = ",".join(parts)
    (path / "companies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    refuse(path, "companies", row, None, "unbalanced quote", capsys)


def test_rows_after_a_multi_line_note_keep_their_numbers(tmp_path):
    def change(tables: dict[str, Rows]) -> None:
        tables["companies"][0]["note"] = "第一行\n第二行\n第三行"
        tables["companies"][1]["employees"] = "-5"

    path = dataset_with(tmp_path, change)
    problems = validate_raw(read_raw_dataset(path))[1]
    bad = [p for p in problems if p.column == "employees"]
    assert [p.row for p in bad] == [5]  # the header, two lines of C1, then C2 on line 5


def test_formula_without_a_computed_value_is_named(tmp_path, capsys):
    from openpyxl import load_workbook

    path = workbook_of(tmp_path)
    book = load_workbook(path)
    book["companies"]["F2"] = "=1+1"   # employees of C1, never computed by Excel
    book.save(path)
    refuse(path, "companies", 2, "employees", "formula", capsys)
