"""Read input tables from CSV directories or ``.xlsx`` workbooks, and write templates.

Reading returns raw tables: every cell as a stripped string or ``None``, with the
row number the user sees in the file (header = row 1). Typing and checking is the
job of :mod:`graphmodel.validation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graphmodel import _progress, schema
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
    (numbers, dates, booleans) are cleaned one by one. Headers must already be
    unique once stripped (see :func:`header_clashes`).
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


def header_clashes(header: list[str]) -> list[str]:
    """Header names that occur more than once once their spaces are stripped.

    Examples
    --------
    >>> header_clashes(["id", "name", " name ", "kind"])
    ['name']
    >>> header_clashes(["id", "", ""])
    []
    """
    seen: dict[str, int] = {}
    for name in header:
        key = str(name).strip()
        if key:
            seen[key] = seen.get(key, 0) + 1
    return [name for name, count in seen.items() if count > 1]


def _clash_problems(table: str, file: str, header: list[str]) -> list[Problem]:
    return [Problem(table, file, 1, name, None,
                    "表头重复：同名的列不止一个（去掉空格后相同），无法判断用哪一列 / duplicate "
                    "header: more than one column has this name (after stripping spaces); keep one")
            for name in header_clashes(header)]


def read_csv_table(path: Path, table: str) -> tuple[RawTable | None, list[Problem]]:
    """Read one CSV table, detecting its encoding."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(table, path.name, None, None, None,
                              f"无法读取文件 / cannot read the file: {exc.strerror or exc}")]
    try:
        _, encoding = decode_csv_bytes(data)  # detection only: the parser decodes the bytes
    except UnicodeError:
        return None, _mixed_encoding(table, path.name, data) or [Problem(
            table, path.name, None, None, None,
            "文件编码无法识别 / cannot decode file: save it as UTF-8 or GB18030")]
    body = data[3:] if encoding == "utf-8-sig" else data
    suspicious = _mixed_encoding(table, path.name, body) if encoding == "gb18030" else []
    suspicious += _unbalanced_quote(table, path.name, body)
    if suspicious:
        return None, suspicious
    try:
        frame = pd.read_csv(_io.BytesIO(body), encoding="utf-8" if encoding == "utf-8-sig"
                            else encoding, dtype=object, keep_default_na=False,
                            skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, header=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        return None, [Problem(table, path.name, None, None, None,
                              f"CSV 格式错误 / malformed CSV: {str(exc)[:200]}")]
    header = [str(h) for h in frame.iloc[0]] if len(frame) else []
    clashes = _clash_problems(table, path.name, header)
    if clashes:
        return None, clashes
    frame = frame.iloc[1:].set_axis(header, axis=1)
    frame, rows = _clean_frame(frame, first_row=2, text=True)
    if b'"' in body and _has_line_breaks(frame):
        rows = _physical_rows(body, rows)
    return RawTable(table, path.name, frame, rows, encoding), []


def _mixed_encoding(table: str, file: str, body: bytes) -> list[Problem]:
    """Mojibake guards for a file that is not UTF-8: a line that is UTF-8 inside it, or a
    file in another Chinese encoding (Big5) that GB18030 would decode into nonsense."""
    lines = body.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if line.isascii() or not _decodes(line, "utf-8"):
            continue
        if not any(_decodes(other, "gb18030") and not _decodes(other, "utf-8")
                   for other in lines):
            break
        return [Problem(table, file, number, None, None,
                        "同一文件混用了两种编码：这一行是 UTF-8，其余是 GB18030；请整体另存为 UTF-8 / "
                        "mixed encodings: this line is UTF-8 while the file is GB18030; save the "
                        "whole file as UTF-8")]
    if _looks_like_big5(body[:65536]):
        return [Problem(table, file, None, None, None,
                        "文件编码看起来是 Big5（繁体），不是 UTF-8 或 GB18030；请另存为 UTF-8 / the "
                        "file looks like Big5 (traditional Chinese), not UTF-8 or GB18030: save "
                        "it as UTF-8")]
    return []


def _looks_like_big5(sample: bytes) -> bool:
    """Big5 bytes decode as GB18030 too, into rare characters: most Big5 characters fall
    outside the common GB2312 set when read as GB18030. Flag a sample only when both that
    test and charset-normalizer's detection say Big5 (short files fool either alone)."""
    if not _decodes(sample, "big5"):
        return False
    text = sample.decode("gb18030", errors="ignore")
    wide = [c for c in text if not c.isascii()]
    if len(wide) < 4:
        return False
    rare = sum(1 for c in wide if not _encodes(c, "gb2312"))
    if rare / len(wide) < 0.3:
        return False
    import charset_normalizer

    guess = charset_normalizer.from_bytes(sample).best()
    return guess is not None and guess.encoding in {"big5", "big5hkscs", "cp950"}


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _unbalanced_quote(table: str, file: str, body: bytes) -> list[Problem]:
    """A double quote that opens a cell and never closes swallows every row after it: say
    on which row it opened."""
    if body.count(b'"') % 2 == 0:
        return []
    inside, opened = False, 0
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.count(b'"') % 2:
            inside = not inside
            opened = number if inside else opened
    return [Problem(table, file, opened, None, None,
                    "引号不成对：这一行的引号一直没有关闭，后面的行都会被并入这个单元格 / "
                    "unbalanced quote: the quote opened on this row never closes, so every row "
                    "after it would be swallowed into one cell")]


def _has_line_breaks(frame: pd.DataFrame) -> bool:
    return any(frame[c].dropna().str.contains("\n", regex=False).any() for c in frame.columns
               if "\n" in "".join(frame[c].dropna().astype(str)))


def _physical_rows(body: bytes, rows: pd.Series) -> pd.Series:
    """Row numbers as the file shows them when quoted cells span several lines (a record
    starts on the line where no quote is open)."""
    starts, inside = [], False
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not inside:
            starts.append(number)
        if line.count(b'"') % 2:
            inside = not inside
    records = starts[1:]  # the first record is the header
    return rows.map(lambda r: records[r - 2] if r - 2 < len(records) else r)


def _read_directory(path: Path, raw: RawDataset) -> None:
    known = set(schema.TABLES)
    for csv_path in _progress.bar(sorted(path.iterdir()), desc="读取 read", unit="file"):
        if csv_path.suffix.lower() != ".csv":
            continue
        name = csv_path.stem
        if name not in known:
            hint = (f"；表名须为小写 {name.lower()}.csv / file names are lower case: rename it "
                    f"{name.strip().lower()}.csv" if name.strip().lower() in known else "")
            raw.problems.append(Problem(name, csv_path.name, None, None, None,
                                        f"未知表，已忽略 / unknown table, ignored{hint}", "warning"))
            continue
        if csv_path.suffix != ".csv":
            raw.problems.append(Problem(name, csv_path.name, None, None, None,
                                        f"扩展名须为小写 .csv / rename it {name}.csv"))
            continue
        odd = _not_a_regular_file(csv_path)
        if odd:
            raw.problems.append(Problem(name, csv_path.name, None, None, None, odd))
            continue
        table, problems = read_csv_table(csv_path, name)
        raw.problems.extend(problems)
        if table is not None:
            raw.tables[name] = table


def _not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a table file (a directory, a FIFO, a broken or looping
    symlink), or None for a regular file. Never opens it: a FIFO would block."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return ("无法打开：符号链接失效或循环 / cannot open: a broken or looping symbolic link "
                f"({exc.strerror or exc})")
    if stat.S_ISDIR(mode):
        return "这是一个目录，不是 CSV 文件 / this is a directory, not a CSV file"
    if not stat.S_ISREG(mode):
        return "不是普通文件（管道或设备）/ not a regular file (a pipe or a device)"
    return None


def _read_workbook(path: Path, raw: RawDataset) -> None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheets = [(sheet.title, list(sheet.iter_rows(values_only=True)))
                  for sheet in workbook.worksheets]
        listed = _listed_sheets(path)
        workbook.close()
        formulas = _formula_cells(path)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, KeyError) on damage
        raw.problems.append(Problem("-", path.name, None, None, None,
                                    "工作簿已损坏或不是 .xlsx 文件，无法读取 / the workbook is "
                                    f"damaged or not an .xlsx file: {type(exc).__name__}"))
        return
    lost = [name for name in listed if name not in {title for title, _ in sheets}]
    if lost:
        raw.problems.append(Problem("-", path.name, None, None, None,
                                    f"工作簿已损坏：工作表 {', '.join(lost)} 无法读取 / the workbook "
                                    f"is damaged: sheet(s) {', '.join(map(repr, lost))} cannot be "
                                    "read"))
        return
    for title, values in sheets:
        name = title.strip()
        if name not in schema.TABLES:
            hint = (f"；应命名为 {name.lower()} / name the sheet {name.lower()!r}"
                    if name.lower() in schema.TABLES else "")
            raw.problems.append(Problem(name, f"{path.name}[{title}]", None, None, None,
                                        f"未知工作表 {title!r}，已忽略 / unknown sheet {title!r}, "
                                        f"ignored{hint}", "warning"))
            continue
        _read_sheet(path, name, values, raw)
        _uncomputed_formulas(path, name, values, formulas.get(title, []), raw)


def _formula_cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Each sheet's cells as written (formulas as text), only when some sheet holds a
    formula: a formula Excel never computed has no value to read."""
    with zipfile.ZipFile(path) as archive:
        if not any(b"<f" in archive.read(n) for n in archive.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            return {}
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        return {s.title: list(s.iter_rows(values_only=True)) for s in workbook.worksheets}
    finally:
        workbook.close()


def _uncomputed_formulas(path: Path, name: str, values: list[tuple[object, ...]],
                         formulas: list[tuple[object, ...]], raw: RawDataset) -> None:
    if not values or not formulas:
        return
    header = [_clean_cell(c) or "" for c in values[0]]
    for number, (row, written) in enumerate(zip(values, formulas, strict=False), start=1):
        for index, cell in enumerate(written):
            computed = row[index] if index < len(row) else None
            if number > 1 and computed is None and isinstance(cell, str) and cell.startswith("="):
                column = header[index] if index < len(header) else None
                raw.problems.append(Problem(
                    name, f"{path.name}[{name}]", number, column, cell[:200],
                    "公式没有计算结果（文件未经 Excel 保存）：请在 Excel 中打开并保存，或直接填写数值 / a "
                    "formula with no computed value (the file was not saved by Excel): open and "
                    "save it in Excel, or type the value"))


def _listed_sheets(path: Path) -> list[str]:
    """Sheet names as the workbook lists them (openpyxl silently skips a sheet whose part is
    missing from the zip)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return [sheet.get("name", "") for sheet in root.iter()
            if sheet.tag.rsplit("}", 1)[-1] == "sheet"]


def _read_sheet(path: Path, name: str, values: list[tuple[object, ...]],
                raw: RawDataset) -> None:
    file = f"{path.name}[{name}]"
    if not values:
        raw.problems.append(Problem(name, file, None, None, None,
                                    "工作表为空，缺少表头 / empty sheet, no header row"))
        return
    header = [_clean_cell(c) or "" for c in values[0]]
    clashes = _clash_problems(name, file, header)
    if clashes:
        raw.problems.extend(clashes)
        return
    width = max((i + 1 for i, h in enumerate(header) if h), default=0)
    body = [list(r[:width]) + [None] * (width - len(r[:width])) for r in values[1:]]
    frame = pd.DataFrame(body, columns=header[:width], dtype=object)
    frame, rows = _clean_frame(frame, first_row=2)
    raw.tables[name] = RawTable(name, file, frame, rows, "xlsx")


@_progress.timed("read")
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
        raw.problems.append(Problem("-", str(path), None, None, None, _not_a_dataset(path)))
    return raw


def _not_a_dataset(path: Path) -> str:
    if path.suffix.lower() == ".xls":
        return ("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx / the old .xls format is not "
                "supported: save the workbook as .xlsx")
    if path.exists() or path.is_symlink():
        return ("数据集必须是 CSV 文件所在的目录或一个 .xlsx 工作簿，这里给的是一个文件 / a dataset "
                "is a directory of CSV files or an .xlsx workbook; this is some other file")
    return ("数据集不存在：需要 CSV 目录或 .xlsx 工作簿 / dataset not found: expected a CSV "
            "directory or an .xlsx workbook")


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


TEMPLATE_WORKBOOK = "graphmodel_template.xlsx"
"""File name of the template workbook when ``template DIR --xlsx`` is given a directory."""


def write_template(out: str | Path, xlsx: bool = False, force: bool = False) -> Path:
    """Write empty, correctly headed tables for analysts to fill in.

    Never destroys data: a directory that holds files, or a workbook that exists, is
    refused (:class:`~graphmodel.errors.TargetNotEmptyError`) unless ``force``; a symbolic
    link at the target is always refused. Files are written to a temporary sibling and
    renamed into place, so a full or read-only disk leaves nothing half-written
    (:class:`~graphmodel.errors.WriteError`).

    Parameters
    ----------
    out : str or pathlib.Path
        Directory to create (CSV) or, with ``xlsx``, a directory to hold
        ``graphmodel_template.xlsx`` or a path ending in ``.xlsx``.
    xlsx : bool
        Write one workbook with a sheet per table, a bilingual comment on every
        header cell and drop-down lists for enum columns.
    force : bool
        Replace the template files (or the workbook) already at ``out``; other files in the
        directory are left alone.

    Returns
    -------
    pathlib.Path
        The directory or workbook written.
    """
    out = output_path(out)
    if xlsx:
        target = out if out.suffix.lower() == ".xlsx" else out / TEMPLATE_WORKBOOK
        write_file_atomically(target, _write_template_workbook, force=force)
        return target

    def write_csvs(directory: Path) -> None:
        for table in schema.TABLES.values():
            with open(directory / f"{table.name}.csv", "x", encoding="utf-8-sig",
                      newline="") as fh:
                csv.writer(fh).writerow(table.column_names)

    return write_directory_atomically(out, write_csvs, force=force,
                                      names=[f"{t}.csv" for t in schema.TABLES])


def output_path(out: str | Path) -> Path:
    """``out`` as a Path; an empty path (``--out ''``) is refused instead of meaning the
    current directory."""
    from graphmodel.errors import UsageError

    if out is None or (isinstance(out, str) and not out.strip()):
        raise UsageError("输出路径为空 / the output path is empty: name a directory")
    return Path(out)


def _refuse_link(path: Path) -> None:
    from graphmodel.errors import UnsafeTargetError

    if path.is_symlink():
        raise UnsafeTargetError(f"{path} 是符号链接，拒绝写入 / {path} is a symbolic link; "
                                "graphmodel does not write through links it did not create")


def _write_failed(path: Path, exc: OSError) -> Exception:
    from graphmodel.errors import WriteError

    reason = exc.strerror or str(exc)
    return WriteError(f"无法写入 {path}：{reason}；未写入任何文件 / cannot write {path}: "
                      f"{reason}; nothing was written")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _make_parent(path: Path) -> list[Path]:
    """Create the missing parents of ``path``; return those created (to undo on failure)."""
    from graphmodel.errors import UnsafeTargetError

    created = [p for p in reversed(path.parents) if not os.path.lexists(p)]
    existing = next((p for p in path.parents if os.path.lexists(p)), None)
    if existing is not None and not existing.is_dir():
        raise UnsafeTargetError(f"{existing} 不是目录 / {existing} is not a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    return created


def _undo(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            break


def write_directory_atomically(out: Path, write: Callable[[Path], None], force: bool = False,
                               names: list[str] | None = None) -> Path:
    """Run ``write(tmp)`` on a new temporary sibling directory of ``out``, then move what it
    wrote into ``out``: renamed as a whole when ``out`` does not exist, else file by file
    (each rename atomic, never following a link already there).

    ``out`` must not be a symbolic link nor a file, and must be empty unless ``force``.
    When ``write`` or the move fails (disk full, read-only), the temporary directory and
    any parent created for it are removed and :class:`~graphmodel.errors.WriteError`
    is raised: ``out`` is as it was.
    """
    from graphmodel.errors import TargetNotEmptyError, UnsafeTargetError

    _refuse_link(out)
    if os.path.lexists(out):
        if not out.is_dir():
            raise UnsafeTargetError(f"{out} 已存在且不是目录 / {out} exists and is not a "
                                    "directory; name a new or empty directory")
        try:
            entries = sorted(e.name for e in out.iterdir())
        except OSError as exc:
            raise _write_failed(out, exc) from None
        if entries and not force:
            shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
            raise TargetNotEmptyError(
                f"{out} 不是空目录（{len(entries)} 项），拒绝覆盖 / {out} is not empty "
                f"({len(entries)} entries: {shown}); refusing to overwrite it. Name a new "
                "directory, or add --force (force=True) to replace the files graphmodel "
                "writes there")
        for name in names or []:
            entry = out / name
            if os.path.lexists(entry) and not entry.is_symlink() and not entry.is_file():
                raise UnsafeTargetError(f"{entry} 不是普通文件 / {entry} is not a regular file "
                                        "(a directory, device or pipe); graphmodel writes a "
                                        "file there")
    created: list[Path] = []
    tmp: Path | None = None
    try:
        created = _make_parent(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
        write(tmp)
        if not os.path.lexists(out):
            os.chmod(tmp, 0o777 & ~_umask())
            os.rename(tmp, out)
            tmp = None
        else:
            for entry in sorted(tmp.iterdir()):
                os.replace(entry, out / entry.name)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp = None
        _undo(created)
        raise _write_failed(out, exc) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def write_file_atomically(target: Path, write: Callable[[Path], None],
                          force: bool = False) -> Path:
    """Run ``write(tmp)`` on a new temporary sibling file of ``target``, then rename it onto
    ``target`` (atomic, never following a link).

    ``target`` must not be a symbolic link nor a directory, and must not exist unless
    ``force``. On failure the temporary file (and any parent created for it) is removed and
    :class:`~graphmodel.errors.WriteError` is raised: ``target`` is as it was.
    """
    from graphmodel.errors import TargetNotEmptyError, UnsafeTargetError

    _refuse_link(target)
    if os.path.lexists(target):
        if not target.is_file():
            raise UnsafeTargetError(f"{target} 不是普通文件 / {target} is not a regular file "
                                    "(a directory, device or pipe); name the workbook file")
        if not force:
            raise TargetNotEmptyError(
                f"{target} 已存在，拒绝覆盖 / {target} exists; refusing to overwrite it. Name "
                "a new file, or add --force (force=True) to replace it")
    created: list[Path] = []
    tmp: Path | None = None
    try:
        created = _make_parent(target)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            tmp = None
        _undo(created)
        raise _write_failed(target, exc) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return target


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
    # Saved in memory first: a zip file left open on a full disk complains at exit.
    buffer = _io.BytesIO()
    workbook.save(buffer)
    with open(target, "wb") as fh:
        fh.write(buffer.getvalue())


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
