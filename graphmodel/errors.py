"""Every error a user can cause, in one place, each with its exit status and a code.

:class:`GraphmodelError` is the base: ``code`` is a short machine-readable name
(``"invalid_date"``, ``"neo4j"``...) and ``exit_code`` the status ``graphmodel`` exits with.
:func:`graphmodel.cli.main` maps them in one place, so no command prints a traceback for a
user error:

====================  ==========================================  ====
class                 what went wrong                             exit
====================  ==========================================  ====
DatasetError          the dataset breaks the contract (docs/data_contract.md)   2
UsageError            a bad argument or option                    2
InvalidDateError      an ``as_of`` that is not a date             2
InvalidParameterError a parameter unknown or out of range         2
RuleFileError         a rule file that is not valid (docs/rules.md) 2
TargetNotEmptyError   a writer would overwrite something          2
UnsafeTargetError     a write target that is a symlink            2
UnsafePathError       a symlink planted among the tool's files    2
WriteError            the file system refused a write             2
Neo4jError            Neo4j unreachable, refused the login...     1
ReportError           the report could not be written             1
ReportBusy            another report run holds the lock           1
ServerError           the local Neo4j server could not be managed 1
====================  ==========================================  ====

The classes are also importable from where they were first defined
(``graphmodel._problems.DatasetError``, ``graphmodel._safe_io.UnsafePathError``,
``graphmodel.neo4j_backend.Neo4jError``, ``graphmodel.report.ReportError``,
``graphmodel.server.ServerError``). This module imports nothing from graphmodel.

Examples
--------
>>> err = InvalidDateError("--as-of expects YYYY-MM-DD")
>>> isinstance(err, GraphmodelError) and isinstance(err, ValueError), err.code, err.exit_code
(True, 'invalid_date', 2)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphmodel._problems import Problem

__all__ = [
    "DatasetError",
    "GraphmodelError",
    "InvalidDateError",
    "InvalidParameterError",
    "Neo4jError",
    "ReportBusy",
    "ReportError",
    "RuleFileError",
    "ServerError",
    "TargetNotEmptyError",
    "UnsafePathError",
    "UnsafeTargetError",
    "UsageError",
    "WriteError",
]


class GraphmodelError(Exception):
    """Base of the errors the command line prints as one line (no traceback)."""

    code = "error"
    exit_code = 1


class DatasetError(GraphmodelError):
    """Raised when a dataset breaks the contract; holds every problem found.

    Commands print every problem and exit with status 2. Nothing is built or written
    when it is raised.
    """

    code = "invalid_dataset"
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


class UsageError(GraphmodelError, ValueError):
    """A bad argument or option (exit status 2)."""

    code = "usage"
    exit_code = 2


class InvalidDateError(UsageError):
    """An ``as_of`` that is not a date ``YYYY-MM-DD`` from 1900-01-01 to 9999-12-31."""

    code = "invalid_date"


class InvalidParameterError(UsageError):
    """A parameter that is unknown or not a whole number from 0 to 36500."""

    code = "invalid_parameter"


class TargetNotEmptyError(UsageError):
    """A writer would overwrite something that exists (use ``force`` / ``--force``)."""

    code = "target_not_empty"


class UnsafeTargetError(UsageError):
    """A write target that is a symbolic link, or not the kind of thing expected."""

    code = "unsafe_target"


class UnsafePathError(GraphmodelError, OSError):
    """A file or folder the tool owns is a symlink (or another odd entry) planted in its
    output folder: nothing was written through it. Commands exit with status 2."""

    code = "unsafe_path"
    exit_code = 2

    def __str__(self) -> str:
        return str(self.strerror)


class RuleFileError(GraphmodelError, ValueError):
    """A rule file (docs/rules.md) that is not valid; holds every problem found, each with
    the file, the rule's name and the key (exit status 2). Nothing has run."""

    code = "invalid_rules"
    exit_code = 2

    def __init__(self, problems: list) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} 个规则文件问题 / problem(s) in the rule file\n"
                         + "\n".join(p.format() for p in self.problems))


class WriteError(GraphmodelError):
    """The file system refused a write; nothing was left half-written (exit status 2)."""

    code = "write_failed"
    exit_code = 2


class Neo4jError(GraphmodelError, RuntimeError):
    """A Neo4j problem explained in one line (wrong password, unreachable server...)."""

    code = "neo4j"


class ReportError(GraphmodelError, RuntimeError):
    """The report could not be written (the previous one is left as it was)."""

    code = "report_failed"


class ReportBusy(ReportError):
    """Another run holds the lock of the output directory."""

    code = "report_busy"


class ServerError(GraphmodelError, RuntimeError):
    """The project's local Neo4j server could not be installed, started or stopped."""

    code = "server"
