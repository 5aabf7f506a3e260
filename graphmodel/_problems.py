"""Problems found in input data, the error that carries them, and how they are shown.

Everything a user typed or a file held (names, ids, values, paths, headers) reaches the
terminal through :func:`printable`, which shows control and invisible characters as
visible escapes (``\\x1b``, ``\\r``, ``\\u200b``) so that they can neither drive the
terminal nor forge a line, and shortens very long values. :func:`group_problems` finds the
root causes of a cascade (a missing required table or ``id`` column) and the errors that
only follow from them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from graphmodel.errors import DatasetError  # noqa: F401  (its old home: imports keep working)

Severity = Literal["error", "warning"]

VALUE_LIMIT = 200
"""A value longer than this is shown cut, with its length: ``'abc…' (12000 characters)``."""

LINE_LIMIT = 2000
"""No problem line is longer than this (messages may quote values too)."""

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@functools.cache
def unsafe_characters() -> re.Pattern[str]:
    """A pattern matching every character :func:`printable` escapes (control, format,
    line/paragraph separator, surrogate), built once from the Unicode database."""
    codes = [c for c in range(0x110000) if unicodedata.category(chr(c)) in _UNSAFE_CATEGORIES]
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spans = "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b)))
                    for a, b in ranges)
    return re.compile(f"[{spans}]")


def json_safe(text: str) -> str:
    """JSON text with every character :func:`printable` would escape written as ``\\uXXXX``
    (JSON itself only escapes C0): the same data, safe to print on a terminal."""
    if text.isascii() or not any(unicodedata.category(c) in _UNSAFE_CATEGORIES
                                 for c in set(text) if not c.isascii()):
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text

    def escape(match: re.Match[str]) -> str:
        code = ord(match[0])
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return unsafe_characters().sub(lambda m: m[0] if m[0] == "\n" else escape(m), text)


def _escape_char(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(value: object, limit: int | None = VALUE_LIMIT) -> str:
    """``value`` as text that is safe to print on a terminal, on one line.

    Control characters (ESC, CR, LF, TAB, DEL, C1), invisible format characters (zero-width
    space, bidi overrides, BOM), line and paragraph separators and lone surrogates are shown
    as visible escapes. Text longer than ``limit`` characters is cut and its length shown.
    Rich markup is *not* escaped here: print the result with ``markup=False``, as a
    ``rich.text.Text``, or through ``rich.markup.escape``.

    Examples
    --------
    >>> printable("a\\x1b[31mred\\r\\nfake line")
    'a\\\\x1b[31mred\\\\r\\\\nfake line'
    >>> printable("x" * 300)[-19:]
    'x… (300 characters)'
    """
    text = value if isinstance(value, str) else str(value)
    size = len(text)
    if limit is not None and size > limit:
        text = text[:limit]
    if not text.isprintable():
        text = unsafe_characters().sub(lambda m: _escape_char(m[0]), text)
    if limit is not None and size > limit:
        text += f"… ({size} characters)"
    return text


@dataclass(frozen=True)
class Problem:
    """One problem in the input, located as the user sees it in the file.

    ``row`` is the spreadsheet row number (header = 1); ``None`` when the
    problem concerns a whole table or column.
    """

    table: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        """One line of plain text: ``file 第N行 [column] = 'value': message``.

        Safe to print: control and invisible characters are escaped (:func:`printable`),
        a value longer than :data:`VALUE_LIMIT` characters is cut and its length given.
        """
        return printable(self.location() + self.shown_value() + ": " + self.message,
                         LINE_LIMIT)

    def location(self) -> str:
        """``file 第N行 row N [column]`` (plain text, not yet escaped)."""
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行 row {self.row}"
        if self.column:
            where += f" [{self.column}]"
        return where

    def shown_value(self) -> str:
        """`` = 'value'`` as shown in a message (cut when long), or ``""``."""
        if self.value is None:
            return ""
        if len(self.value) > VALUE_LIMIT:
            return f" = {self.value[:VALUE_LIMIT]!r}… ({len(self.value)} characters)"
        return f" = {self.value!r}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a plain dict (for JSON output)."""
        return asdict(self)


REQUIRED_COLUMN_MISSING = "required column is missing"
REQUIRED_TABLE_MISSING = "required table is missing"
UNKNOWN_REFERENCE = "unknown reference"
UNKNOWN_COLUMNS = "unknown extra columns"


@dataclass
class ProblemGroups:
    """The errors of a dataset sorted for printing: root causes first.

    ``roots`` are the errors that make many others follow (a required table or a required
    ``id`` column missing), with a hint when a header looks like the missing one;
    ``follow_on`` the errors that only follow from a root (unknown references that could
    point into the table whose ids are gone), not printed by default; ``others`` the rest.
    """

    roots: list[Problem] = field(default_factory=list)
    hints: dict[Problem, str] = field(default_factory=dict)
    follow_on: list[Problem] = field(default_factory=list)
    others: list[Problem] = field(default_factory=list)

    @property
    def lost_tables(self) -> list[str]:
        """Tables whose ids are unknown because of a root cause."""
        return sorted({p.table for p in self.roots})


def _fold_header(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(c for c in text if c.isalnum())


def group_problems(problems: Sequence[Problem]) -> ProblemGroups:
    """Split errors into root causes, the follow-on errors they explain, and the rest.

    A root cause is a required table that is missing, or a table whose required ``id``
    column is missing (misspelled ``ID``, renamed, cut): none of its ids exist, so every
    reference that may point into it is "unknown". Those references are follow-on errors:
    fix the root and run again to see any that remain. Other errors are kept as they are.
    When the missing column has a look-alike header (``ID``, `` id ``, ``Ｉｄ``), the hint
    names it.
    """
    from graphmodel import schema

    errors = [p for p in problems if p.severity == "error"]
    notes = [p for p in problems if p.severity == "warning"]
    groups = ProblemGroups()
    for problem in errors:
        missing_id = (REQUIRED_COLUMN_MISSING in problem.message and problem.column == "id")
        missing_table = REQUIRED_TABLE_MISSING in problem.message and problem.row is None
        if missing_id or missing_table:
            groups.roots.append(problem)
    for problem in errors:
        if REQUIRED_COLUMN_MISSING in problem.message and problem.row is None:
            hint = _header_hint(problem, notes + errors)
            if hint:
                groups.hints[problem] = hint
    lost = set(groups.lost_tables)
    root_ids = {id(p) for p in groups.roots}
    for problem in errors:
        if id(problem) in root_ids:
            continue
        refs: tuple[str, ...] = ()
        table = schema.TABLES.get(problem.table)
        if table is not None and problem.column in table.column_names:
            refs = table.column(problem.column).refs
        follows = (lost and UNKNOWN_REFERENCE in problem.message and problem.row is not None
                   and ("*" in refs or lost & set(refs)))
        (groups.follow_on if follows else groups.others).append(problem)
    return groups


def _header_hint(missing: Problem, problems: Sequence[Problem]) -> str:
    """``header 'ID' looks like 'id'`` when an extra header of the table folds to the name
    of the missing column (case, width, spaces, separators)."""
    wanted = _fold_header(missing.column or "")
    for problem in problems:
        if problem.table != missing.table or UNKNOWN_COLUMNS not in problem.message:
            continue
        for header in (problem.column or "").split(", "):
            if header and _fold_header(header) == wanted:
                return (f"表头 {header!r} 与必需列 {missing.column!r} 只差大小写或空格，请改名 / "
                        f"the header {header!r} looks like the required column "
                        f"{missing.column!r}: rename it to {missing.column!r}")
    return ""
