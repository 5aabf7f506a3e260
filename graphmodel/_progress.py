"""Progress you can see: a bar on stderr for the slow steps, one summary line at the end.

The command line opens a :func:`session` for ``validate``, ``neo4j load`` and ``report``;
inside it, library code times its steps with :func:`step` (or :func:`timed`) and draws its
loops with :func:`bar`. Outside a session (library use, notebooks, tests) a bar is never
drawn and a step costs one clock reading.

A bar is drawn only when stderr is a terminal and ``--quiet`` is not given
(:func:`wanted`), and only once a loop has run for :data:`DELAY` seconds, so quick
commands print nothing but their summary (:func:`summary`).

Examples
--------
>>> with session(bars=False) as run:
...     with step("read"):
...         pass
...     for _ in bar(range(3), desc="checks"):
...         pass
>>> list(run.steps)
['read']
>>> summary("validated 6,514 rows in 12 tables", 0.93, {"read": 0.31, "checks": 0.62})
'validated 6,514 rows in 12 tables in 0.9 s (read 0.3 s, checks 0.6 s)'
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

__all__ = ["DELAY", "DELAY_ENV", "Session", "Stages", "bar", "session", "step", "summary",
           "timed", "wanted"]

DELAY = 1.0
"""Seconds a loop runs before its bar appears (quicker loops never show one)."""

DELAY_ENV = "GRAPHMODEL_PROGRESS_DELAY"
"""Environment variable overriding :data:`DELAY` (the tests set it to 0)."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Session:
    """One command's progress: whether bars are drawn and the seconds spent per step."""

    bars: bool
    steps: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        """Seconds since the session opened."""
        return time.perf_counter() - self.started


_current: ContextVar[Session | None] = ContextVar("graphmodel_progress", default=None)


def wanted(quiet: bool = False, stream: IO[str] | None = None) -> bool:
    """Whether to draw bars: not ``quiet`` and ``stream`` (default stderr) is a terminal."""
    if quiet:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def session(bars: bool) -> Iterator[Session]:
    """Collect step timings (and draw bars when ``bars``) until the block ends."""
    run = Session(bars)
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Add the seconds the block takes to step ``name`` of the open session (if any)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        run = _current.get()
        if run is not None:
            run.steps[name] = run.steps.get(name, 0.0) + time.perf_counter() - started


def timed(name: str) -> Callable[[F], F]:
    """Decorator: every call of the function is timed as step ``name``."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with step(name):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, DELAY)))
    except ValueError:
        return DELAY


def bar(iterable: Iterable[Any] | None = None, *, total: float | None = None, desc: str = "",
        unit: str = "it", show: bool | None = None) -> Any:
    """A tqdm bar on stderr, drawn only inside a session that wants bars (or when
    ``show`` says so); it disappears when done."""
    from tqdm import tqdm

    if show is None:
        run = _current.get()
        show = run is not None and run.bars
    try:  # a terminal that reports no size (a bare pseudo-terminal) gets 80 columns
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError, AttributeError):
        sized = False
    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=not show,
                delay=_delay(), leave=False, file=sys.stderr, dynamic_ncols=sized,
                ncols=None if sized else 80)


class Stages:
    """A bar over the named stages of one run: :meth:`start` ends the stage running (its
    seconds go to the session's steps) and begins the next.

    Examples
    --------
    >>> with session(bars=False) as run, Stages(["gaps", "maps"], "report") as stages:
    ...     stages.start("gaps")
    ...     stages.start("maps")
    >>> list(run.steps)
    ['gaps', 'maps']
    """

    def __init__(self, names: Iterable[str], desc: str) -> None:
        self._bar = bar(total=len(list(names)), desc=desc, unit="step")
        self._name: str | None = None
        self._started = 0.0

    def start(self, name: str) -> None:
        """End the running stage and begin ``name``."""
        self._finish()
        self._name, self._started = name, time.perf_counter()
        self._bar.set_postfix_str(name, refresh=False)

    def _finish(self) -> None:
        if self._name is None:
            return
        run = _current.get()
        if run is not None:
            run.steps[self._name] = (run.steps.get(self._name, 0.0)
                                     + time.perf_counter() - self._started)
        self._name = None
        self._bar.update()

    def close(self) -> None:
        """End the running stage and remove the bar."""
        self._finish()
        self._bar.close()

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def summary(what: str, seconds: float, steps: Mapping[str, float] | None = None) -> str:
    """``what in N s (step a s, step b s)``: the line a command prints at the end."""
    parts = ", ".join(f"{name} {value:.1f} s" for name, value in (steps or {}).items())
    return f"{what} in {seconds:.1f} s" + (f" ({parts})" if parts else "")
