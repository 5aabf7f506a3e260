"""Progress you can see: ``validate``, ``neo4j load`` and ``report`` draw a bar on stderr when
it is a terminal, print one summary line with timings, and ``--quiet`` silences both."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import minimal_tables, write_dataset

from graphmodel import _progress

AS_OF = "2026-11-29"
BAR = "%|"  # tqdm's percentage next to its bar
ENV = {**os.environ, _progress.DELAY_ENV: "0", "NO_COLOR": "1"}
ENV.pop("NEO4J_URI", None)


def graphmodel(*argv: str) -> list[str]:
    return [sys.executable, "-m", "graphmodel.cli", *argv]


def in_terminal(*argv: str) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal (80x24): (status, stdout, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(graphmodel(*argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=ENV)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    status = proc.wait(timeout=600)
    if proc.stdout:
        proc.stdout.close()
    return status, stdout, b"".join(chunks).decode("utf-8", "replace")


def piped(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(graphmodel(*argv), capture_output=True, text=True, env=ENV,
                          timeout=600, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def bad_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables = minimal_tables()
    tables["companies"][0]["building_id"] = "NO-SUCH-BUILDING"
    return write_dataset(tmp_path_factory.mktemp("bad") / "bad", tables)


def test_validate_in_a_terminal_draws_a_bar_and_ends_with_a_summary():
    status, out, err = in_terminal("validate")
    assert status == 0, err
    assert BAR in err and "检查 checks" in err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("已校验 validated 6,514 rows in 12 tables in ")
    assert "(read " in last and "checks " in last
    assert "数据有效 / valid" in out and BAR not in out


def test_validate_piped_has_no_bar_but_the_summary():
    proc = piped("validate")
    assert proc.returncode == 0
    assert BAR not in proc.stderr and "\r" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("已校验 validated 6,514 rows")


def test_quiet_prints_neither_bar_nor_summary():
    status, out, err = in_terminal("validate", "--quiet")
    assert status == 0 and "数据有效 / valid" in out
    assert BAR not in err and "validated" not in err
    proc = piped("validate", "--quiet")
    assert proc.returncode == 0 and proc.stderr == ""


def test_exit_codes_and_errors_are_unchanged(bad_dataset):
    for argv in (("validate", str(bad_dataset)), ("validate", str(bad_dataset), "--quiet")):
        status, _, err = in_terminal(*argv)
        assert status == 2 and "NO-SUCH-BUILDING" in err  # errors survive --quiet
        assert "validated" not in err
        proc = piped(*argv)
        assert proc.returncode == 2 and "NO-SUCH-BUILDING" in proc.stderr
    proc = piped("validate", "--quiet", "/no/such/dataset")
    assert proc.returncode == 2 and proc.stderr.strip()


def test_report_shows_its_stages_and_a_summary(tmp_path):
    status, _, err = in_terminal("report", "--out", str(tmp_path), "--as-of", AS_OF)
    assert status == 0, err
    assert "报告 report" in err and BAR in err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("报告 report ") and "findings in " in last
    assert "gaps " in last and "maps " in last and "workbook " in last
    proc = piped("report", "--out", str(tmp_path), "--as-of", AS_OF, "--quiet")
    assert proc.returncode == 0 and proc.stderr == "" and "report written" in proc.stdout


@pytest.mark.neo4j
def test_neo4j_load_in_a_terminal(tmp_path):
    from graphmodel import server

    credentials = server.credentials()
    env = {"NEO4J_URI": credentials["uri"], "NEO4J_USERNAME": credentials["user"],
           "NEO4J_PASSWORD": credentials["password"]}
    ENV.update(env)
    try:
        dataset = write_dataset(tmp_path / "progress_probe", minimal_tables())
        status, _, err = in_terminal("neo4j", "load", str(dataset), "--dataset", "progress_probe")
        assert status == 0, err
        assert BAR in err and "loading progress_probe" in err
        last = err.replace("\r", "\n").strip().splitlines()[-1]
        assert last.startswith("已载入 loaded ") and "(read " in last and "write " in last
        proc = piped("neo4j", "load", str(dataset), "--dataset", "progress_probe", "--quiet")
        assert proc.returncode == 0 and proc.stderr == ""
        piped("neo4j", "drop", "--dataset", "progress_probe", "--yes")
    finally:
        for key in env:
            ENV.pop(key, None)


def test_no_session_no_bar(capsys):
    for _ in _progress.bar(range(3), desc="x"):
        pass
    with _progress.session(bars=False) as run, _progress.step("read"):
        pass
    assert capsys.readouterr().err == "" and "read" in run.steps
    assert not _progress.wanted(quiet=True)
