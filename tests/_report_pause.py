"""Run ``graphmodel report`` in a child process that pauses at one stage of the run, so a
test can kill it (``kill -9``, SIGTERM) or race another run against it.

Test-only: the report package has no hook. This wraps the function that ends (or starts)
each stage of :func:`graphmodel.report.run.build_report` and sleeps there::

    python tests/_report_pause.py STAGE[:SECONDS] [REPORT ARGUMENTS...]

It prints ``MARKER: paused at STAGE (pid N)`` on stderr when it pauses (default 60 s).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from graphmodel import cli
from graphmodel.report import content, publish, source

MARKER = "report test pause"

STAGES: dict[str, tuple[Any, str, str]] = {
    "after_lock": (publish, "remove_leftovers", "after"),  # lock held, leftovers removed
    "after_gaps": (source, "compute_gaps", "after"),
    "after_charts": (content, "save_figures", "after"),  # charts in the temporary folder
    "before_rename": (publish, "fsync_tree", "after"),  # complete, not yet in place
    "after_rename": (publish, "point_latest", "before"),  # in place, latest not moved
}
"""Each stage: the module and function it follows (or precedes)."""


def pause_at(stage: str, seconds: float) -> None:
    """Make the next run sleep ``seconds`` at ``stage``."""
    module, name, when = STAGES[stage]
    original: Callable[..., Any] = getattr(module, name)

    def pause() -> None:
        print(f"{MARKER}: paused at {stage} (pid {os.getpid()})", file=sys.stderr, flush=True)
        time.sleep(seconds)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when == "before":
            pause()
        result = original(*args, **kwargs)
        if when == "after":
            pause()
        return result

    setattr(module, name, wrapper)


def main(argv: list[str]) -> int:
    stage, _, seconds = argv[0].partition(":")
    pause_at(stage, float(seconds) if seconds else 60.0)
    return cli.main(["report", *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
