"""Problems found in input data, and the error that carries them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        """One line of plain text: ``file 第N行 [column] = 'value': message``."""
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行 row {self.row}"
        if self.column:
            where += f" [{self.column}]"
        value = f" = {self.value!r}" if self.value is not None else ""
        return f"{where}{value}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a plain dict (for JSON output)."""
        return asdict(self)


class DatasetError(Exception):
    """Raised when a dataset breaks the contract; holds every problem found.

    Commands turn this into exit status 2. Nothing is built or written when it
    is raised.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity == "warning"]
        self.source = source
        super().__init__(
            f"{len(self.problems)} error(s) in dataset {source}".strip()
            + "\n" + "\n".join(p.format() for p in self.problems[:20])
            + ("\n..." if len(self.problems) > 20 else "")
        )
