"""Errors a user can cause, each with the exit status the command line gives it.

``UsageError`` (a ``ValueError``) is a bad argument or option: a date, a parameter, an
output target. The Python API raises it with a clear message; ``graphmodel`` prints that
message on one line and exits with status 2, like any other bad argument.
``WriteError`` is a write the file system refused (read-only, full, no permission); nothing
half-written is left behind and the command exits with status 2.
"""

from __future__ import annotations


class GraphmodelError(Exception):
    """Base of the errors the command line prints as one line (no traceback)."""

    exit_code = 1


class UsageError(GraphmodelError, ValueError):
    """A bad argument or option (exit status 2)."""

    exit_code = 2


class InvalidDateError(UsageError):
    """An ``as_of`` that is not a date ``YYYY-MM-DD`` from 1900-01-01 to 9999-12-31."""


class InvalidParameterError(UsageError):
    """A parameter that is unknown or not a whole number from 0 to 36500."""


class TargetNotEmptyError(UsageError):
    """A writer would overwrite something that exists (use ``force`` / ``--force``)."""


class UnsafeTargetError(UsageError):
    """A write target that is a symbolic link, or not the kind of thing expected."""


class WriteError(GraphmodelError):
    """The file system refused a write; nothing was left half-written (exit status 2)."""

    exit_code = 2
