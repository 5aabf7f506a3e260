"""Read input tables from CSV directories or ``.xlsx`` workbooks, and write templates.

Reading returns raw tables: every cell as a stripped string or ``None``, with the
row number the user sees in the file (header = row 1). Typing and checking is the
job of :mod:`graphmodel.validation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graphmodel import schema
from graphmodel._problems import Problem

ENCODINGS = ("utf-8", "gb18030")
"""CSV encodings tried in order (a UTF-8 byte-order mark is removed first)."""


@dataclass
class RawTable:
    """One input table as read: string cells, user-visible row numbers."""

    name: str
    file: str
    frame: pd.DataFrame
    rows: pd.Series
    encoding: str = "utf-8"


@dataclass
class RawDataset:
    """All tables found at a dataset path, plus problems met while reading."""

    path: Path
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (with or without BOM) or GB18030.

    Parameters
    ----------
    data : bytes
        The raw file content.

    Returns
    -------
    tuple of (str, str)
        The text and the name of the encoding that decoded it.

    Raises
    ------
    UnicodeError
        When no supported encoding decodes the bytes.

    Examples
    --------
    >>> decode_csv_bytes("名称".encode("gb18030"))
    ('名称', 'gb18030')
    >>> decode_csv_bytes(b"\\xef\\xbb\\xbfid")
    ('id', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeError("not UTF-8 or GB18030")


def _clean_frame(frame: pd.DataFrame, first_row: int,
                 text: bool = False) -> tuple[pd.DataFrame, pd.Series]:
    """Strip cells, turn blanks into None, drop blank lines, keep user row numbers.

    With ``text`` every cell is already a string (a CSV read with ``dtype=str``)
    and columns are cleaned with vectorised string operations; workbook cells
    (numbers, dates, booleans) are cleaned one by one.
    """
    frame = pd.DataFrame(
        {str(name).strip(): _clean_text(frame.iloc[:, i]) if text else
         pd.Series([_clean_cell(v) for v in frame.iloc[:, i]], dtype=object)
         for i, name in enumerate(frame.columns)},
        index=frame.index,
    )
    rows = pd.Series(range(first_row, first_row + len(frame)), index=frame.index)
    keep = frame.notna().any(axis=1)
    frame = frame[keep].reset_index(drop=True)
    rows = rows[keep].reset_index(drop=True)
    return frame, rows


def _clean_text(values: pd.Series) -> pd.Series:
    """A column of strings stripped, blanks as None (what :func:`_clean_cell` does to text).

    Done with numpy's string functions (C loops): the common case, a cell with
    nothing to strip, keeps its original string object.
    """
    cells = values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    text = cells.astype(np.str_)
    stripped = np.strings.strip(text)
    out = cells.copy()
    changed = np.flatnonzero(stripped != text)
    out[changed] = stripped[changed].astype(object)
    out[stripped == ""] = None
    return pd.Series(out, index=values.index, dtype=object)


def _clean_cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def read_csv_table(path: Path, table: str) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV table, detecting its encoding."""
    data = path.read_bytes()
    try:
        _, encoding = decode_csv_bytes(data)  # detection only: the parser decodes the bytes
    except UnicodeError:
        return None, [Problem(table, path.name, None, None, None,
                              "文件编码无法识别 / cannot decode file: save it as UTF-8 or GB18030")]
    body = data[3:] if encoding == "utf-8-sig" else data
    try:
        frame = pd.read_csv(_io.BytesIO(body), encoding="utf-8" if encoding == "utf-8-sig"
                            else encoding, dtype=object, keep_default_na=False,
                            skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return None, [Problem(table, path.name, None, None, None,
                              f"CSV 格式错误 / malformed CSV: {exc}")]
    frame, rows = _clean_frame(frame, first_row=2, text=True)
    return RawTable(table, path.name, frame, rows, encoding), []


def _read_directory(path: Path, raw: RawDataset) -> None:
    known = set(schema.TABLES)
    for csv_path in sorted(path.glob("*.csv")):
        name = csv_path.stem
        if name not in known:
            raw.problems.append(Problem(name, csv_path.name, None, None, None,
                                        "未知表，已忽略 / unknown table, ignored", "warning"))
            continue
        table, problems = read_csv_table(csv_path, name)
        raw.problems.extend(problems)
        if table is not None:
            raw.tables[name] = table


def _read_workbook(path: Path, raw: RawDataset) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            name = sheet.title.strip()
            if name not in schema.TABLES:
                raw.problems.append(Problem(name, path.name, None, None, None,
                                            "未知工作表，已忽略 / unknown sheet, ignored", "warning"))
                continue
            values = list(sheet.iter_rows(values_only=True))
            if not values:
                raw.problems.append(Problem(name, path.name, None, None, None,
                                            "工作表为空，缺少表头 / empty sheet, no header row"))
                continue
            header = [_clean_cell(c) or "" for c in values[0]]
            width = max((i + 1 for i, h in enumerate(header) if h), default=0)
            body = [list(r[:width]) + [None] * (width - len(r[:width])) for r in values[1:]]
            frame = pd.DataFrame(body, columns=header[:width], dtype=object)
            frame, rows = _clean_frame(frame, first_row=2)
            raw.tables[name] = RawTable(name, f"{path.name}[{name}]", frame, rows, "xlsx")
    finally:
        workbook.close()


def read_raw_dataset(path: str | Path) -> RawDataset:
    """Read every table at ``path`` (a CSV directory or an ``.xlsx`` workbook).

    Parameters
    ----------
    path : str or pathlib.Path
        A directory of ``<table>.csv`` files, or a workbook with one sheet per table.

    Returns
    -------
    RawDataset
        The tables found, and the problems met while reading (for example an
        undecodable file); contract checks are not applied here.
    """
    path = Path(path)
    raw = RawDataset(path)
    if path.is_dir():
        _read_directory(path, raw)
    elif path.is_file() and path.suffix.lower() in {".xlsx", ".xlsm"}:
        _read_workbook(path, raw)
    else:
        raw.problems.append(Problem("-", str(path), None, None, None,
                                    "数据集不存在：需要 CSV 目录或 .xlsx 工作簿 / "
                                    "dataset not found: expected a CSV directory or an .xlsx workbook"))
    return raw


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def write_template(out: str | Path, xlsx: bool = False) -> Path:
    """Write empty, correctly headed tables for analysts to fill in.

    Parameters
    ----------
    out : str or pathlib.Path
        Directory to create (CSV) or, with ``xlsx``, a directory to hold
        ``graphmodel_template.xlsx`` or a path ending in ``.xlsx``.
    xlsx : bool
        Write one workbook with a sheet per table, a bilingual comment on every
        header cell and drop-down lists for enum columns.

    Returns
    -------
    pathlib.Path
        The directory or workbook written.
    """
    out = Path(out)
    if xlsx:
        target = out if out.suffix.lower() == ".xlsx" else out / "graphmodel_template.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_template_workbook(target)
        return target
    out.mkdir(parents=True, exist_ok=True)
    for table in schema.TABLES.values():
        with open(out / f"{table.name}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerow(table.column_names)
    return out


def _write_template_workbook(target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in schema.TABLES.values():
        sheet = workbook.create_sheet(table.name)
        for col_idx, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col_idx, value=column.name)
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = header_fill
            note = _column_note(column)
            cell.comment = Comment(note, "graphmodel", width=320, height=120)
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            values = _dropdown_values(column)
            if values:
                validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"',
                                            allow_blank=not column.required)
                validation.error = "请选择列表中的值 / choose a value from the list"
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}5000")
        sheet.freeze_panes = "A2"
    workbook.save(target)


def _column_note(column: schema.Column) -> str:
    parts = [f"{column.description_zh} / {column.description_en}"]
    parts.append("必填 required" if column.required else "选填 optional")
    if column.refs and column.refs != ("*",):
        parts.append("引用 refers to: " + ", ".join(column.refs))
    kind = {"date": "日期 date YYYY-MM-DD", "bool": "是/否 true/false",
            "int": "非负整数 whole number >= 0"}.get(column.type)
    if kind:
        parts.append(kind)
    return "\n".join(parts)


def _dropdown_values(column: schema.Column) -> list[str]:
    if column.type == "bool":
        return ["true", "false"]
    if column.type == "level":
        return [r.label_zh for r in schema.RISK_LEVELS]
    if column.type == "enum":
        return [v for v in schema.enum_values(column) if v.isascii()]
    return []
