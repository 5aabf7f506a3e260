"""Writing outputs safely: inert spreadsheet text and files opened without following symlinks.

Spreadsheet formulas
    A text cell that starts with ``=``, ``+``, ``-``, ``@`` (also their full-width forms
    ``＝＋－＠`` and after leading spaces), a tab or a carriage return is run as a formula
    by Excel and LibreOffice when a CSV file is opened (``=HYPERLINK(...)``,
    ``=cmd|' /C calc'!A0``). :func:`neutralise_formula` prefixes such text with a single
    quote ``'`` (the OWASP "CSV injection" advice); numbers, including negative ones,
    stay as they are. Every CSV the tool writes goes through :func:`neutralise_formula`
    (:func:`frame_to_csv`), and the same test, :func:`looks_like_formula`, marks the
    workbook cells to keep as text (:func:`xlsx_text`, :func:`mark_text_cells`).

Files the tool owns in an output folder
    :func:`open_owned` opens them with ``O_NOFOLLOW`` (and ``O_NONBLOCK``, so a planted
    FIFO cannot hang a run) and refuses anything that is not a plain file with a single
    link; :func:`refuse_symlink` refuses a symlink where the tool expects its own file
    or folder. Both raise :class:`UnsafePathError` (an ``OSError``; commands exit with
    status 2) and never touch what a symlink points to.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel.errors import UnsafePathError

FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
"""First characters (after leading spaces) that make a spreadsheet read text as a formula."""
FORMULA_CONTROL = ("\t", "\r")
"""Leading characters that spreadsheets may drop before reading the rest as a formula."""
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
XLSX_MAX_CELL = 32767
"""Excel's limit on the characters of one cell."""
_XLSX_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters an xlsx (XML) cell cannot hold: C0 controls but tab and newlines, lone
surrogates, U+FFFE and U+FFFF."""


# ---------------------------------------------------------------------------
# Spreadsheet formulas
# ---------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula rather than as text.

    Examples
    --------
    >>> [looks_like_formula(t) for t in ("=1+1", " +1+1", "@SUM(A1)", "\\t=1", "＝1", "-2+3")]
    [True, True, True, True, True, True]
    >>> [looks_like_formula(t) for t in ("-2", "+3.5", "1e3", "张三", "a=b", "")]
    [False, False, False, False, False, False]
    """
    if not text:
        return False
    if text.startswith(FORMULA_CONTROL):
        return True
    stripped = text.lstrip()
    if not stripped:
        return False
    if stripped[0] in FORMULA_CONTROL:
        return True
    if stripped[0] not in FORMULA_START:
        return False
    return not _NUMBER_RE.fullmatch(stripped.rstrip())  # -5 is a number, -5+1 a formula


def neutralise_formula(value: Any) -> Any:
    """``value`` as inert spreadsheet text: ``'`` before text that looks like a formula.

    Anything that is not a ``str`` (numbers, dates, missing values) is returned as is.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise_formula("-2"), neutralise_formula(-2), neutralise_formula("甲公司")
    ('-2', -2, '甲公司')
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) passed through
    :func:`neutralise_formula`; other cells are kept as they are."""
    result = frame.copy()
    for column in result.columns:
        if _is_text(result[column]):
            result[column] = result[column].astype(object).map(neutralise_formula)
    result.columns = [neutralise_formula(c) for c in result.columns]
    return result


def frame_to_csv(frame: pd.DataFrame, **kwargs: Any) -> str:
    """``frame.to_csv`` (no index, ``\\n`` line ends) with formulas neutralised.

    A carriage return inside a text cell becomes a newline: the ``csv`` module quotes
    only the characters of the line terminator, and a bare ``\\r`` left unquoted would
    end the row for the program that reads the file.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    safe = neutralise_frame(frame)
    for column in safe.columns:
        if _is_text(safe[column]):
            safe[column] = safe[column].astype(object).map(_no_bare_cr)
    return safe.to_csv(**kwargs)


def _no_bare_cr(value: Any) -> Any:
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def visible_text(value: str) -> str:
    """``value`` with control characters (but tab and newlines) and lone surrogates
    replaced by U+FFFD, for HTML and other text outputs."""
    return _CONTROL_RE.sub("\ufffd", value)


def xlsx_text(value: str) -> str:
    """Text an xlsx cell can hold: characters XML forbids become U+FFFD and the text is
    cut to Excel's 32,767 characters (the formula test is separate: :func:`mark_text_cells`)."""
    text = _XLSX_ILLEGAL_RE.sub("\ufffd", value)
    if len(text) > XLSX_MAX_CELL:
        text = text[:XLSX_MAX_CELL - 1] + "…"
    return text


def xlsx_value(value: Any) -> Any:
    """A value for an openpyxl cell that cannot break the workbook.

    Text goes through :func:`xlsx_text`; dates outside Excel's range (after 9999-12-31)
    become ISO text; other values are returned as they are.
    """
    if isinstance(value, str):
        return xlsx_text(value)
    if isinstance(value, pd.Timestamp):
        return date_text(value) if value is not pd.NaT else None
    return value


def mark_text_cells(cells: Iterable[Any]) -> None:
    """Keep the text of openpyxl ``cells`` as text, never as a formula.

    A cell openpyxl took for a formula (text starting with ``=``) becomes a text cell,
    and every text cell that :func:`looks_like_formula` gets Excel's own "quote prefix"
    flag, so editing it in Excel or LibreOffice does not turn it into a formula either.
    The text itself is kept exactly (the workbook shows what the tables hold).
    """
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"
        if isinstance(cell.value, str):
            text = xlsx_text(cell.value)
            if text != cell.value:
                cell.value = text
                cell.data_type = "s"
            if looks_like_formula(text):
                cell.quotePrefix = True


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def date_text(value: Any) -> str:
    """``YYYY-MM-DD`` of a date or Timestamp, also past year 9999 (``10000-01-29``),
    where ``Timestamp.date()`` fails; empty for missing values."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp | dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return str(value)


# ---------------------------------------------------------------------------
# Owned files: never through a symlink
# ---------------------------------------------------------------------------


def refuse_symlink(path: str | os.PathLike[str], what: str = "") -> None:
    """Raise :class:`UnsafePathError` when ``path`` is a symlink (its target is not looked at)."""
    if os.path.islink(path):
        raise UnsafePathError(
            errno.ELOOP,
            f"拒绝通过符号链接写入 / refusing to write through a symlink: {path} is a "
            f"symlink{' (' + what + ')' if what else ''} that this tool did not create; "
            "nothing was written; remove it and run again", str(path))


def open_owned(path: str | os.PathLike[str], flags: int, mode: int = 0o644) -> int:
    """``os.open`` a file the tool owns, without following a symlink.

    ``O_NOFOLLOW``, ``O_NONBLOCK`` and ``O_CLOEXEC`` are added to ``flags``. The opened
    entry must be a plain file with one link (not a FIFO, device or hard link to a
    file elsewhere). Returns the file descriptor.

    Raises
    ------
    UnsafePathError
        ``path`` is a symlink or not a plain, singly linked file; nothing was written.
    OSError
        Any other failure to open.
    """
    extra = os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | extra, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) or os.path.islink(path):
            refuse_symlink(path)
        if exc.errno == errno.ENXIO:  # a FIFO without a reader
            raise UnsafePathError(errno.ENXIO, f"{path} is not a plain file; nothing was "
                                  "written; remove it and run again", str(path)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            kind = "a hard link to another file" if stat.S_ISREG(info.st_mode) else \
                "not a plain file"
            raise UnsafePathError(errno.EPERM, f"拒绝写入 / refusing to write to {path}: it is "
                                  f"{kind}; nothing was written; remove it and run again",
                                  str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_owned(path: str | os.PathLike[str], limit: int = 4096) -> str:
    """The start of a file the tool owns, or "" (a symlink or odd entry is not read)."""
    try:
        fd = open_owned(path, os.O_RDONLY)
    except OSError:
        return ""
    try:
        return os.read(fd, limit).decode("utf-8", "replace")
    finally:
        os.close(fd)


def is_own_link(path: Path, pattern: re.Pattern[str]) -> bool:
    """True when ``path`` is a symlink to a bare name in its folder matching ``pattern``
    (the links the tool makes, such as ``latest``)."""
    try:
        target = os.readlink(path)
    except OSError:
        return False
    return "/" not in target and bool(pattern.match(target))
