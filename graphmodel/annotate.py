"""Mistakes marked where they were made: a copy of the user's workbook with every problem on
its cell.

:func:`annotate_workbook` takes a dataset (an ``.xlsx`` workbook or a folder of CSV files)
and the problems :func:`graphmodel.validation.validate_raw` found in it, and writes a new
workbook:

- every offending cell filled in colour (errors red, warnings yellow) with a comment saying
  what is wrong, in Chinese and English (the problem's own message);
- a first sheet ``问题 Problems`` listing every problem, each with a hyperlink to its cell;
  a problem of a whole table or column links to the sheet's header (the column's header
  cell when the column is there), one whose table is missing has no link.

A CSV folder becomes one workbook built from its CSV files, one sheet per table, every cell
kept as the text it was (rows keep the numbers the problems give). The original is only
read, never written; the output is refused when it exists (unless ``force``), when it is
a symbolic link (always) or when it is the original itself.

Examples
--------
>>> import pathlib, tempfile
>>> from graphmodel import settings
>>> with tempfile.TemporaryDirectory() as tmp:
...     annotate_workbook(settings.default_dataset_path(), pathlib.Path(tmp) / "m.xlsx").name
'm.xlsx'
"""

from __future__ import annotations

import csv
import io as _io
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel import schema
from graphmodel._problems import Problem
from graphmodel._safe_io import mark_text_cells, xlsx_text
from graphmodel.errors import UsageError

__all__ = ["ERROR_FILL", "PROBLEMS_SHEET", "WARNING_FILL", "annotate_workbook", "problem_cells"]

PROBLEMS_SHEET = "问题 Problems"
"""Title of the first sheet, which lists every problem."""

ERROR_FILL = "FFC7CE"
"""Fill of a cell holding an error (light red)."""

WARNING_FILL = "FFEB9C"
"""Fill of a cell holding only warnings (light yellow)."""

HEADERS = ("序号 #", "级别 severity", "表 table", "文件 file", "行 row", "列 column",
           "值 value", "问题 problem", "位置 cell")
SEVERITY_TEXT = {"error": "错误 error", "warning": "提示 warning"}
COMMENT_AUTHOR = "graphmodel"


@dataclass(frozen=True)
class Place:
    """Where a problem sits in the output workbook: ``sheet`` title (None when the table
    has no sheet), 1-based ``row`` and ``column``, and whether that cell is the offending
    one (``marked``) or only the place the link goes to."""

    sheet: str | None
    row: int = 1
    column: int = 1
    marked: bool = False

    @property
    def coordinate(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def location(self) -> str:
        """The hyperlink target inside the workbook: ``'grids'!C5``."""
        title = (self.sheet or "").replace("'", "''")
        return f"'{title}'!{self.coordinate}"


def _validate(path: Path) -> list[Problem]:
    from graphmodel.io import read_raw_dataset
    from graphmodel.validation import validate_raw

    return validate_raw(read_raw_dataset(path))[1]


def annotate_workbook(source_path: str | Path, out_path: str | Path,
                      problems: Sequence[Problem] | None = None, *,
                      force: bool = False) -> Path:
    """Write a copy of a dataset with every problem marked on its cell.

    Parameters
    ----------
    source_path : str or pathlib.Path
        An ``.xlsx`` workbook or a folder of CSV files. Only read.
    out_path : str or pathlib.Path
        The workbook to write (``.xlsx``).
    problems : sequence of Problem, optional
        The problems to mark; default: validate ``source_path``
        (:func:`graphmodel.validation.validate_raw`).
    force : bool
        Replace ``out_path`` when it exists. A symbolic link at ``out_path`` is always
        refused, and so is ``source_path`` itself.

    Returns
    -------
    pathlib.Path
        ``out_path``.

    Raises
    ------
    UsageError
        ``out_path`` does not end in ``.xlsx`` or is the source.
    TargetNotEmptyError, UnsafeTargetError, WriteError
        From :func:`graphmodel.io.write_file_atomically`: ``out_path`` exists, is a link,
        or cannot be written; nothing is written then.
    """
    from graphmodel.io import output_path, write_file_atomically

    source = Path(source_path)
    out = output_path(out_path)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"标注输出须为 .xlsx 工作簿 / the annotated copy must be an .xlsx "
                         f"workbook: {out}")
    if _same_file(source, out):
        raise UsageError(f"不会覆盖原始数据 / refusing to write over the original: {out} is "
                         f"{source}; name a new file")
    found = list(_validate(source) if problems is None else problems)
    workbook, rows = _source_workbook(source)
    _mark(workbook, found, rows)
    buffer = _io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    return write_file_atomically(out, write, force=force)


def _same_file(source: Path, out: Path) -> bool:
    try:
        return out.exists() and os.path.samefile(source, out)
    except OSError:
        return False


# ---------------------------------------------------------------------------
# The copy: the workbook itself, or one built from the CSV files
# ---------------------------------------------------------------------------


RowMap = dict[str, dict[int, int]]
"""Per sheet title: the row number a problem gives -> the row of the sheet."""


def _source_workbook(source: Path) -> tuple[Any, RowMap]:
    from openpyxl import Workbook, load_workbook

    if source.is_dir():
        return _csv_workbook(source)
    try:
        workbook = load_workbook(source, keep_vba=False, data_only=False)
    except Exception:  # damaged or not a workbook: the problems sheet alone
        workbook = Workbook()
        workbook.remove(workbook.active)
    if PROBLEMS_SHEET in workbook.sheetnames:  # a copy annotated before
        workbook.remove(workbook[PROBLEMS_SHEET])
    return workbook, {}


def _csv_workbook(folder: Path) -> tuple[Any, RowMap]:
    from openpyxl import Workbook

    from graphmodel.io import decode_csv_bytes

    workbook = Workbook()
    workbook.remove(workbook.active)
    rows: RowMap = {}
    for table in schema.TABLES:  # the contract's order, as the template's
        path = folder / f"{table}.csv"
        if not path.is_file():  # never a FIFO or a folder (reading one would block)
            continue
        try:
            text, _ = decode_csv_bytes(path.read_bytes())
        except (OSError, UnicodeError):
            continue  # unreadable: its problems are listed without a sheet
        sheet = workbook.create_sheet(path.stem)
        rows[path.stem] = _fill_sheet(sheet, text)
    return workbook, rows


def _fill_sheet(sheet: Any, text: str) -> dict[int, int]:
    """Write every CSV record as a row of text cells; return physical line -> sheet row
    (a record spanning several lines is numbered by its first line, as problems are)."""
    from graphmodel._safe_io import xlsx_text as cell_text

    physical: dict[int, int] = {}
    reader = csv.reader(_io.StringIO(text, newline=""))
    line = 1
    try:
        for number, record in enumerate(reader, start=1):
            physical[line] = number
            sheet.append([cell_text(value) if value != "" else None for value in record])
            line = reader.line_num + 1
    except csv.Error:
        pass  # an unbalanced quote: the rows read so far are kept
    mark_text_cells(cell for row in sheet.iter_rows() for cell in row)
    return physical


# ---------------------------------------------------------------------------
# Marks
# ---------------------------------------------------------------------------


def _header_cells(sheet: Any) -> dict[str, int]:
    from graphmodel.io import _clean_cell

    found: dict[str, int] = {}
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        name = _clean_cell(cell.value)
        if name and name not in found:
            found[name] = cell.column
    return found


def _sheet_of(workbook: Any) -> dict[str, str]:
    """Table name -> sheet title (titles are matched stripped, as the reader does)."""
    titles: dict[str, str] = {}
    for title in workbook.sheetnames:
        titles.setdefault(title.strip(), title)
    return titles


def problem_cells(workbook: Any, problems: Sequence[Problem],
                  rows: RowMap | None = None) -> list[Place]:
    """Where each problem goes in ``workbook`` (same order as ``problems``)."""
    titles = _sheet_of(workbook)
    headers: dict[str, dict[str, int]] = {}
    places = []
    for problem in problems:
        title = titles.get(problem.table)
        if title is None:
            places.append(Place(None))
            continue
        if title not in headers:
            headers[title] = _header_cells(workbook[title])
        columns = [headers[title].get(part.strip()) for part in
                   (problem.column or "").split(", ") if part.strip()]
        column = next((c for c in columns if c is not None), None)
        row = problem.row
        if row is not None and rows is not None and title in rows:
            row = rows[title].get(row, row)
        if row is not None and row >= 1:
            places.append(Place(title, row, column or 1, marked=True))
        elif column is not None:
            places.append(Place(title, 1, column, marked=True))
        else:
            places.append(Place(title, 1, 1))
    return places


def _comment_text(problems: list[Problem]) -> str:
    lines = []
    for problem in problems:
        where = f"[{problem.column}] " if problem.column else ""
        lines.append(f"{SEVERITY_TEXT[problem.severity]}: {where}{problem.message}")
    return xlsx_text("\n".join(lines))[:30000]


def _mark(workbook: Any, problems: list[Problem], rows: RowMap) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    places = problem_cells(workbook, problems, rows)
    on_cell: dict[tuple[str, int, int], list[Problem]] = defaultdict(list)
    for problem, place in zip(problems, places, strict=True):
        if place.marked and place.sheet is not None:
            on_cell[(place.sheet, place.row, place.column)].append(problem)
    for (title, row, column), found in on_cell.items():
        cell = workbook[title].cell(row=row, column=column)
        colour = ERROR_FILL if any(p.severity == "error" for p in found) else WARNING_FILL
        cell.fill = PatternFill("solid", fgColor=colour)
        text = _comment_text(found)
        if cell.comment is not None and cell.comment.author != COMMENT_AUTHOR:
            text = xlsx_text(f"{cell.comment.text}\n---\n{text}")[:30000]
        lines = text.count("\n") + 1 + len(text) // 60
        cell.comment = Comment(text, COMMENT_AUTHOR, width=420,
                               height=min(600, 40 + 18 * lines))
    _problems_sheet(workbook, problems, places)


def _problems_sheet(workbook: Any, problems: list[Problem], places: list[Place]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheet = workbook.create_sheet(PROBLEMS_SHEET, 0)
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for number, (problem, place) in enumerate(zip(problems, places, strict=True), start=1):
        target = (f"{place.sheet}!{place.coordinate}" if place.sheet is not None
                  else "（无此工作表）no sheet")
        sheet.append([number, SEVERITY_TEXT[problem.severity], problem.table, problem.file,
                      problem.row, problem.column, problem.value, problem.message, target])
        row = sheet.max_row
        for cell in sheet[row]:
            if isinstance(cell.value, str):
                cell.value = xlsx_text(cell.value)
        if place.sheet is not None:
            link = sheet.cell(row=row, column=len(HEADERS))
            link.hyperlink = Hyperlink(ref=link.coordinate, location=place.location,
                                       tooltip="跳转到单元格 / go to the cell")
            link.font = Font(color="0563C1", underline="single")
        sheet.cell(row=row, column=2).fill = PatternFill(
            "solid", fgColor=ERROR_FILL if problem.severity == "error" else WARNING_FILL)
    mark_text_cells(cell for row in sheet.iter_rows(min_row=2) for cell in row)
    for letter, width in zip("ABCDEFGHI", (7, 12, 18, 22, 8, 16, 24, 70, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:I{max(sheet.max_row, 1)}"
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False
