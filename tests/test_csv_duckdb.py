"""The fast path of a CSV dataset (graphmodel.csv_duckdb) against the detailed reader.

It must accept exactly the datasets the detailed reader accepts without a warning, build
the very tables :func:`graphmodel._duckdb.connect` builds from them, give the same findings
(byte for byte in ``graphmodel gaps --format json``), and hand anything unusual back.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from _generate import random_tables
from conftest import minimal_tables, write_dataset

from graphmodel import _duckdb, schema, settings
from graphmodel.csv_duckdb import gap_findings, read_csv_dataset, screen
from graphmodel.dataset import load_dataset
from graphmodel.gaps import GAP_NAMES, findings_records, gaps
from graphmodel.generate import generate
from graphmodel.queries import resolve_params

SHIPPED = settings.default_dataset_path()
DAYS = ("2026-11-29", "2026-06-30", "2025-01-15")


def _rows(con, table: str) -> list[tuple]:
    columns = ", ".join(f'"{c}"' for c in [*schema.TABLES[table].column_names]) \
        if table in schema.TABLES else "place, container"
    return sorted(con.execute(f'SELECT {columns} FROM "{table}"').fetchall(), key=repr)


def assert_same_as_detailed(path: Path, days: tuple[str, ...] = DAYS) -> None:
    fast = read_csv_dataset(path)
    assert fast is not None, f"the fast path refused {path}"
    ds = load_dataset(path, detailed=True)
    assert not ds.warnings
    quick = load_dataset(path)  # the fast path's pandas tables: the very same frames
    assert quick.name == ds.name and not quick.warnings
    for table in schema.TABLES:
        pd.testing.assert_frame_equal(quick.tables[table], ds.tables[table], obj=table)
    slow = _duckdb.connect(ds)
    for table in [*schema.TABLES, "within"]:
        assert _rows(fast, table) == _rows(slow, table), table
    for day in days:
        records = gap_findings(fast, list(GAP_NAMES), dt.date.fromisoformat(day),
                               resolve_params())
        expected = findings_records(gaps(ds, as_of=day))
        assert json.dumps(records, ensure_ascii=False, indent=2) == json.dumps(
            expected, ensure_ascii=False, indent=2), day


def test_shipped_dataset_takes_the_fast_path() -> None:
    assert_same_as_detailed(SHIPPED)


def test_generated_street_tier(tmp_path: Path) -> None:
    generate("street", seed=7, out=tmp_path / "street", force=True)
    assert_same_as_detailed(tmp_path / "street", ("2026-11-01",))


@pytest.mark.parametrize("seed", range(1, 7))
def test_random_datasets(tmp_path: Path, seed: int) -> None:
    tables = random_tables(seed)
    # reversed since/until is a warning: the detailed reader must say it, so drop those rows
    tables["links"] = [row for row in tables["links"]
                       if not (row.get("since") and row.get("until")
                               and str(row["until"]) < str(row["since"]))]
    path = write_dataset(tmp_path / f"random{seed}", tables)
    assert_same_as_detailed(path, ("2026-06-30", "2026-09-01"))


def test_minimal_dataset_with_absent_optional_tables(tmp_path: Path) -> None:
    assert_same_as_detailed(write_dataset(tmp_path / "minimal", minimal_tables()))


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(SHIPPED, target)
    for extra in target.iterdir():
        if extra.suffix != ".csv":
            extra.unlink()
    return target


def _edit(path: Path, table: str, old: str, new: str) -> None:
    file = path / f"{table}.csv"
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_row(path: Path, table: str) -> str:
    return (path / f"{table}.csv").read_text(encoding="utf-8").splitlines()[1]


def _mutations() -> dict[str, object]:
    """Datasets the fast path must hand back to the detailed reader."""

    def cell(table: str, new: str):  # replace the first data row's first cell (an id)
        def mutate(path: Path) -> None:
            row = _first_row(path, table)
            _edit(path, table, row, new + row[row.index(","):])
        return mutate

    def text(table: str, old_new: tuple[str, str]):
        return lambda path: _edit(path, table, *old_new)

    def header(table: str, new: str):
        def mutate(path: Path) -> None:
            head = (path / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0]
            _edit(path, table, head, new(head))
        return mutate

    def file(name: str, content: bytes):
        return lambda path: (path / name).write_bytes(content)

    def encode(table: str, encoding: str):
        def mutate(path: Path) -> None:
            file = path / f"{table}.csv"
            file.write_bytes(file.read_text(encoding="utf-8").encode(encoding))
        return mutate

    return {
        "unknown column": header("grids", lambda h: h + ",colour"),
        "version 1 layout": header("residential_areas", lambda h: h.replace("street_id",
                                                                            "grid_id")),
        "missing required column": header("grids", lambda h: h.replace("kind", "sort")),
        "duplicate header": header("grids", lambda h: h + ",name"),
        "blank in header": header("grids", lambda h: h.replace(",name,", ", name,")),
        "byte-order mark": lambda p: (p / "grids.csv").write_bytes(
            b"\xef\xbb\xbf" + (p / "grids.csv").read_bytes()),
        "gb18030": encode("grids", "gb18030"),
        "leading blank": text("grids", (",business,", ", business,")),
        "trailing blank": text("grids", (",business,", ",business ,")),
        "blank in a quoted cell": text("buildings", (",会德丰,", ',"会德丰 ",')),
        "ideographic space": text("grids", (",business,", ",business\u3000,")),
        "zero-width space": cell("grids", "G\u200b-X"),
        "control character": cell("grids", "G\x07X"),
        "tab": text("grids", (",business,", ",busi\tness,")),
        "mobile number": text("buildings", (",会德丰,", ",会德丰13912345678,")),
        "duplicate id": lambda p: _edit(p, "people", _first_row(p, "people").split(",")[0] + ",",
                                        _first_row(p, "grids").split(",")[0] + ","),
        "unknown reference": text("buildings", (",G-", ",NOPE-G-")),
        "bad enum": text("grids", (",business,", ",circular,")),
        "bad date": text("visits", ("2026-", "2026-13-")),
        "date before 1900": text("visits", ("2026-", "1899-")),
        "not a number": text("residential_areas", (",S-JAS,,", ",S-JAS,x,")),
        "negative number": text("residential_areas", (",S-JAS,,", ",S-JAS,-5,")),
        "non-ASCII id": cell("people", "Ｐ-1"),
        "line break in a name": text("grids", (",business,", ',"busi\nness",')),
        "unbalanced quote": text("grids", (",business,", ',"business,')),
        "unknown table": file("colours.csv", b"id\n1\n"),
        "upper-case extension": lambda p: (p / "grids.csv").rename(p / "grids.CSV"),
        "missing table": lambda p: (p / "grids.csv").unlink(),
        "a directory": lambda p: (p / "extra.csv").mkdir(),
        "wrong width": text("grids", (",business,", ",business,,,,,,,,,,,")),
    }


MUTATIONS = _mutations()


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_anything_unusual_goes_to_the_detailed_reader(tmp_path: Path, name: str) -> None:
    path = _copy(tmp_path)
    assert read_csv_dataset(path) is not None
    MUTATIONS[name](path)  # type: ignore[operator]
    assert read_csv_dataset(path) is None


def test_a_workbook_or_a_file_is_never_read_here(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"PK")
    assert read_csv_dataset(book) is None
    assert read_csv_dataset(tmp_path / "absent") is None


@pytest.mark.parametrize("data, clean", [
    ("id,name\nA,静安寺·东\n", True),
    ("id,name\nA,“静安”，（寺）、。￥\n", True),
    ("id,name\r\nA,b\r\n", True),
    ("id,name\rA,b\n", False),
    ("id,name\nA,b \n", False),
    ("id,name\nA,b\nB, c\n", False),
    ('id,name\nA,"b, c"\n', True),
    ('id,name\nA,"b\n', False),
    ("id,name\nA,b\u00a0\n", False),
    ("id,name\nA,b\u3000\n", False),
    ("id,name\nA,b\u2028c\n", False),
    ("id,name\nA,b\u200bc\n", False),
    ("id,name\nA,b\ufeffc\n", False),
    ("\ufeffid,name\nA,b\n", False),
    ("id,name\nA,b\u180ec\n", False),
    ("id,name\nA,b\tc\n", False),
    ("id,name\nA,b\x07c\n", False),
    ("id,name\nA,110101199003074514\n", False),
    ("id,name\nA,+86 139 1234 5678\n", True),  # spaced: the detailed checks see cells
])
def test_screen(tmp_path: Path, data: str, clean: bool) -> None:
    import duckdb

    file = tmp_path / "t.csv"
    file.write_text(data, encoding="utf-8", newline="")
    assert (screen(duckdb.connect(), [file]) is not None) is clean


def test_screen_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    import duckdb

    file = tmp_path / "t.csv"
    file.write_bytes("id,name\nA,静安寺\n".encode("gb18030"))
    assert screen(duckdb.connect(), [file]) is None


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_cli_output_is_the_same_by_either_path(capsys: pytest.CaptureFixture[str],
                                               fmt: str) -> None:
    from graphmodel.cli import print_findings, print_records

    day = "2026-11-29"
    records = gap_findings(read_csv_dataset(SHIPPED), list(GAP_NAMES),
                           dt.date.fromisoformat(day), resolve_params())
    print_records(records, fmt)
    fast = capsys.readouterr().out
    print_findings(gaps(load_dataset(SHIPPED, detailed=True), as_of=day), fmt)
    assert fast == capsys.readouterr().out
    assert len(fast) > 1000
