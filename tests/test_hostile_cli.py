"""Hostile arguments and output: the command line never prints a traceback, never lets a name
drive the terminal, caps a cascade of errors, refuses bad dates and parameters, and never
destroys what the user already has.

The corpus is generated: each class (terminal escapes, rich markup, error cascades, bad
``--as-of``, bad ``--param``, writers on filled, linked, read-only and full targets) is a
list of values crossed with every command it concerns. Each case asserts the exit status,
the message, that no traceback is printed and that nothing the user owns changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import Rows, minimal_tables, write_dataset

import graphmodel as gm
from graphmodel import cli
from graphmodel._problems import Problem, json_safe, printable
from graphmodel.cli import main
from graphmodel.errors import InvalidDateError, InvalidParameterError

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "jingansi"
AS_OF = "2026-11-29"
NAMED_TABLES = ("streets", "residential_areas", "grids", "buildings", "companies",
                "organizations", "people")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables as wide as needed, so that whole names can be looked for."""
    monkeypatch.setenv("COLUMNS", "400")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``graphmodel ARGV`` in process: (exit status, stdout, stderr); a usage error raises
    SystemExit(2) like argparse, and is returned as 2 here."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


def run_process(*argv: str, cwd: Path | None = None, stdout: object = subprocess.PIPE
                ) -> subprocess.CompletedProcess[str]:
    """``graphmodel ARGV`` as its own process (the real exit status, nothing caught)."""
    proc = subprocess.run([sys.executable, "-m", "graphmodel.cli", *argv], cwd=cwd or ROOT,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "400"})
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "Exception ignored" not in proc.stderr, proc.stderr[-3000:]
    return proc


def snapshot(path: Path) -> dict[str, str]:
    """Hash of every file and link under ``path`` (links by their target, not followed)."""
    if not os.path.lexists(path):
        return {}
    if path.is_symlink():
        return {str(path): "link->" + os.readlink(path)}
    if path.is_file():
        return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()}
    found = {}
    for entry in sorted(path.rglob("*")):
        if entry.is_symlink():
            found[str(entry)] = "link->" + os.readlink(entry)
        elif entry.is_file():
            found[str(entry)] = hashlib.sha256(entry.read_bytes()).hexdigest()
        else:
            found[str(entry)] = "dir"
    return found


def unsafe_characters(text: str) -> list[str]:
    """Characters that would drive a terminal or forge a line (newline itself excepted)."""
    return sorted({c for c in text if c != "\n"
                   and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")})


def named_dataset(tmp_path: Path, name: str, table: str | None = None) -> Path:
    """The minimal dataset with ``name`` prefixed to every name (or to one table's)."""
    tables = minimal_tables()
    for t in NAMED_TABLES if table is None else (table,):
        for row in tables[t]:
            row["name"] = f"{name}{row['name']}"
    return write_dataset(tmp_path / "ds", tables)


# ---------------------------------------------------------------------------
# Rich markup and emoji codes in names are printed as written, by every command
# ---------------------------------------------------------------------------

MARKUP_NAMES = ["foo[/bar]", "[bold red]红[/]", "[link=https://evil.example]点我[/link]",
                "a[/]b", ":thumbs_up:[i]斜", "\\[esc]\\", "[red", "[/x]"]
PRINTING_COMMANDS = {
    "validate": [],
    "info": [],
    "gaps-table": ["gaps", "--as-of", AS_OF],
    "gaps-json": ["gaps", "--as-of", AS_OF, "--format", "json"],
    "gaps-csv": ["gaps", "--as-of", AS_OF, "--format", "csv"],
    "risk": ["risk", "--as-of", AS_OF, "--all"],
    "links": ["links", "--as-of", AS_OF],
    "path": ["path", "--as-of", AS_OF],
}


def _argv(command: str, dataset: Path) -> list[str]:
    argv = PRINTING_COMMANDS[command] or [command]
    argv = [argv[0], str(dataset), *argv[1:]]
    if command == "path":
        argv[2:2] = ["C1", "O2"]
    return argv


@pytest.mark.parametrize("name", MARKUP_NAMES)
@pytest.mark.parametrize("command", list(PRINTING_COMMANDS))
def test_markup_in_names_is_printed_as_written(tmp_path, capsys, command, name):
    dataset = named_dataset(tmp_path, name)
    before = snapshot(dataset)
    code, out, err = run(capsys, *_argv(command, dataset))
    assert code == 0, err
    assert "MarkupError" not in out + err
    if command == "validate":
        assert "valid" in out
    elif command == "gaps-json":
        names = {row["name"] for row in json.loads(out)}
        assert any(n.startswith(name) for n in names), names
    elif command == "gaps-csv":
        frame = pd.read_csv(io.StringIO(out), dtype=str)
        assert frame["name"].str.startswith(name).any()
    else:
        assert name in out, out[-2000:]
    assert snapshot(dataset) == before


# ---------------------------------------------------------------------------
# Terminal escapes: refused by validation, echoed escaped, never raw
# ---------------------------------------------------------------------------

ESCAPE_NAMES = {
    "ansi-colour": ("\x1b[31mRED\x1b[0m", "\\x1b"),
    "crlf-fake-line": ("a\r\n✓ 数据有效 / valid", "\\r"),
    "bell": ("x\x07y", "\\x07"),
    "c1-csi": ("x\x9b31my", "\\x9b"),
    "osc-hyperlink": ("\x1b]8;;http://evil.example\x07link\x1b]8;;\x07", "\\x1b"),
    "bidi-override": ("abc\u202eevil", "\\u202e"),
    "zero-width": ("zero\u200bwidth", "\\u200b"),
    "backspace": ("good\x08\x08\x08bad", "\\x08"),
}


@pytest.mark.parametrize("case", list(ESCAPE_NAMES))
@pytest.mark.parametrize("command", list(PRINTING_COMMANDS))
def test_escape_sequences_in_names_never_reach_the_terminal(tmp_path, capsys, command, case):
    name, shown = ESCAPE_NAMES[case]
    dataset = named_dataset(tmp_path, name, table="companies")
    before = snapshot(dataset)
    code, out, err = run(capsys, *_argv(command, dataset))
    assert code == 2, out + err
    assert unsafe_characters(out + err) == []
    assert shown in err and "companies.csv" in err and "[name]" in err and "row 2" in err
    assert "✓" not in out and not out.strip()
    assert snapshot(dataset) == before


@pytest.mark.parametrize("case", list(ESCAPE_NAMES))
def test_escape_sequences_in_arguments_are_echoed_escaped(tmp_path, capsys, case):
    name, shown = ESCAPE_NAMES[case]
    dataset = named_dataset(tmp_path, "")
    code, out, err = run(capsys, "path", str(dataset), name, "C1", "--as-of", AS_OF)
    assert code == 1 and unsafe_characters(out + err) == [] and shown in err
    code, out, err = run(capsys, "gaps", str(dataset), "--only", name)
    assert code == 2 and unsafe_characters(out + err) == [] and "unknown gap" in err
    code, out, err = run(capsys, "gaps", str(dataset), "--as-of", name)
    assert code == 2 and unsafe_characters(out + err) == [] and "as_of" in err
    code, out, err = run(capsys, "links", str(dataset), "--top", name)
    assert code == 2 and unsafe_characters(out + err) == []
    code, out, err = run(capsys, "validate", str(dataset), name)  # unrecognized argument
    assert code == 2 and unsafe_characters(out + err) == [] and shown in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("case", list(ESCAPE_NAMES))
def test_findings_printers_escape_every_format(capsys, fmt, case):
    """The printers themselves escape, whatever reaches them (validation is not the only
    guard)."""
    name, _ = ESCAPE_NAMES[case]
    found = pd.DataFrame({"gap": ["stale_demand"], "id": [f"D{name}"], "name": [name],
                          "grid_id": [None], "grid_name": [name], "area_id": [None],
                          "area_name": [None], "detail": [{"note": name, name: 1}]})
    cli.print_findings(found, fmt)
    out = capsys.readouterr().out
    assert unsafe_characters(out) == []
    if fmt == "json":
        assert json.loads(out)[0]["name"] == name  # escaped as \uXXXX: the same data
    cli._print_frame(found.drop(columns="detail"), fmt, "t")
    assert unsafe_characters(capsys.readouterr().out) == []


def test_printable_and_json_safe():
    assert printable("a\x1b[2J\r\n") == "a\\x1b[2J\\r\\n"
    assert printable("名[/x]") == "名[/x]"
    text = json.dumps(["\x9b\u202e\U000e0001"], ensure_ascii=False)
    assert unsafe_characters(json_safe(text)) == []
    assert json.loads(json_safe(text)) == json.loads(text)


# ---------------------------------------------------------------------------
# Cascades: root cause once, follow-on errors counted, at most 50 lines
# ---------------------------------------------------------------------------

def _shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "jingansi"
    shutil.copytree(SHIPPED, target)
    return target


def _rename_header(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    header, _, body = text.partition("\n")
    columns = [new if c == old else c for c in header.split(",")]
    assert new in columns
    path.write_text(",".join(columns) + "\n" + body, encoding="utf-8")


ROOT_CAUSES = {
    # case: (table, new header or None to delete the file, words of the hint)
    "companies-ID": ("companies", "ID", "'ID' looks like the required column 'id'"),
    "companies-Id": ("companies", "Id", "'Id' looks like"),
    "companies-fullwidth": ("companies", "ｉｄ", "looks like the required column 'id'"),
    "companies-编号": ("companies", "编号", ""),
    "buildings-ID": ("buildings", "ID", "'ID' looks like"),
    "organizations-I_D": ("organizations", "I_D", "looks like the required column 'id'"),
    "companies-missing": ("companies", None, ""),
    "buildings-missing": ("buildings", None, ""),
}


@pytest.mark.parametrize("case", list(ROOT_CAUSES))
def test_root_cause_is_reported_once_and_follow_on_errors_are_counted(tmp_path, capsys, case):
    table, header, hint = ROOT_CAUSES[case]
    dataset = _shipped_copy(tmp_path)
    if header is None:
        (dataset / f"{table}.csv").unlink()
    else:
        _rename_header(dataset / f"{table}.csv", "id", header)
    before = snapshot(dataset)
    code, _out, err = run(capsys, "validate", str(dataset))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) <= cli.PROBLEM_LINES, err
    root = next(line for line in lines if "root cause" in line)
    assert f"{table}.csv" in root
    assert ("required column is missing" in root and "[id]" in root) if header else (
        "required table is missing" in root)
    assert hint in err
    assert "only follow from the above" in err and "fix it and run again" in err
    suppressed = int(err.split("only follow")[0].rsplit("/ ", 1)[1].split()[0])
    assert suppressed >= 10
    assert "unknown reference" not in err  # every one of them follows from the root
    # --all lists every one
    code, _, every = run(capsys, "validate", str(dataset), "--all")
    assert code == 2 and len(every.splitlines()) > suppressed
    assert every.count("unknown reference") >= suppressed
    # any other command that loads the dataset is as short
    code, _, gaps_err = run(capsys, "gaps", str(dataset), "--as-of", AS_OF)
    assert code == 2 and len(gaps_err.splitlines()) <= cli.PROBLEM_LINES
    assert snapshot(dataset) == before


def _many_bad(tables: dict[str, Rows], n: int, column: str, value: str) -> None:
    tables["visits"] = [{"visitor_id": "P1", "target_id": "C1", "date": "2026-01-05",
                         "purpose": "走访"} for _ in range(n)]
    for row in tables["visits"]:
        row[column] = value


CAPPED = {
    "bad-dates": ("date", "2026-02-30", "not a valid date"),
    "unknown-targets": ("target_id", "NOPE", "unknown reference"),
    "unknown-visitors": ("visitor_id", "NOBODY", "unknown reference"),
    "bad-status": ("status", "maybe", "not an allowed value"),
    "dates-out-of-range": ("date", "0001-01-01", "not a valid date"),
}


@pytest.mark.parametrize("case", list(CAPPED))
def test_many_errors_print_at_most_50_lines_and_all_prints_every_one(tmp_path, capsys, case):
    column, value, words = CAPPED[case]
    tables = minimal_tables()
    _many_bad(tables, 300, column, value)
    dataset = write_dataset(tmp_path / "ds", tables)
    code, _, err = run(capsys, "validate", str(dataset))
    lines = err.splitlines()
    assert code == 2 and len(lines) <= cli.PROBLEM_LINES
    assert "found 300 error(s)" in err and words in err
    assert "more error(s) not shown" in lines[-1] and "validate --all" in lines[-1]
    code, _, err = run(capsys, "validate", str(dataset), "--all")
    assert code == 2 and err.count(words) == 300
    assert "not shown" not in err


@pytest.mark.parametrize("size", [201, 1000, 100_000, 1_000_000, 10_000_000])
def test_a_long_bad_value_is_shown_cut(tmp_path, capsys, size):
    tables = minimal_tables()
    tables["visits"][0]["date"] = "9" * size
    dataset = write_dataset(tmp_path / "ds", tables)
    code, _, err = run(capsys, "validate", str(dataset))
    assert code == 2 and f"({size} characters)" in err
    assert max(len(line) for line in err.splitlines()) < 3000


def test_problem_format_is_one_safe_line():
    problem = Problem("companies", "companies\x1b.csv", 3, "na\rme", "v\n" * 300, "bad\u202e")
    line = problem.format()
    assert unsafe_characters(line) == [] and "\n" not in line
    assert "(600 characters)" in line


# ---------------------------------------------------------------------------
# --as-of and --param: whole ranges, exit 2 on every command
# ---------------------------------------------------------------------------

BAD_AS_OF = ["yesterday", "", " ", "2026-13-01", "2026-11-01T10:00", "0001-01-01",
             "1899-12-31", "10000-01-01", "2026-02-30", "２０２６-01-01", "2026/11-01",
             "20261101", "+2026-01-01"]
AS_OF_COMMANDS = {
    "gaps": ["gaps"],
    "risk": ["risk"],
    "links": ["links"],
    "path": ["path", "C-JDHEALTH", "O-SPA"],
    "report": ["report", "--out", "{out}"],
    "neo4j-gaps": ["neo4j", "gaps"],
    "neo4j-query": ["neo4j", "query", "bridges"],
}


@pytest.mark.parametrize("value", BAD_AS_OF)
@pytest.mark.parametrize("command", list(AS_OF_COMMANDS))
def test_bad_as_of_exits_2_on_every_command(tmp_path, capsys, command, value):
    out_dir = tmp_path / "report"
    argv = [a.replace("{out}", str(out_dir)) for a in AS_OF_COMMANDS[command]]
    code, out, err = run(capsys, *argv, "--as-of", value)
    assert code == 2, err
    assert "YYYY-MM-DD" in err and not out
    assert not out_dir.exists()


def test_bad_as_of_in_a_real_process():
    proc = run_process("gaps", "--as-of", "2026-13-01")
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr


BAD_PARAMS = ["200000", "-1", "1.5", "abc", "", "1e3", "36501", "٣", "0x10",
              "9" * 30, "NaN"]


@pytest.mark.parametrize("value", BAD_PARAMS)
@pytest.mark.parametrize("command", ["gaps", "report", "neo4j-gaps"])
def test_bad_param_exits_2(tmp_path, capsys, command, value):
    out_dir = tmp_path / "report"
    argv = {"gaps": ["gaps"], "report": ["report", "--out", str(out_dir)],
            "neo4j-gaps": ["neo4j", "gaps"]}[command]
    code, out, err = run(capsys, *argv, "--as-of", AS_OF, "--param",
                         f"visit_window_days={value}")
    assert code == 2 and "whole number from 0 to 36500" in err and not out
    assert not out_dir.exists()


@pytest.mark.parametrize(("suffix", "content"), [
    (".json", '{"demand_max_days": 1.5}'), (".json", '{"params": {"demand_max_days": -1}}'),
    (".toml", "demand_max_days = 200000"), (".toml", '[params]\ndemand_max_days = "x"'),
    (".json", "[1, 2]"), (".toml", "not toml ="), (".json", '{"nope": 1}')])
def test_bad_config_exits_2(tmp_path, capsys, suffix, content):
    config = tmp_path / f"params{suffix}"
    config.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "gaps", "--as-of", AS_OF, "--config", str(config))
    assert code == 2 and not out and "error" in err


def test_bad_param_in_a_real_process():
    proc = run_process("gaps", "--param", "followup_days_red=200000")
    assert proc.returncode == 2 and "36500" in proc.stderr


@pytest.mark.parametrize("value", ["0", "36500", " 90 "])
def test_param_bounds_are_accepted(capsys, value):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json", "--only",
                       "stale_demand", "--param", f"demand_max_days={value}")
    assert code == 0 and isinstance(json.loads(out), list)


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "0001-01-01", 3, 12.5])
def test_api_refuses_bad_as_of(value):
    dataset = gm.load_dataset(SHIPPED)
    with pytest.raises(InvalidDateError, match="as_of"):
        gm.gaps(dataset, as_of=value)
    with pytest.raises(ValueError):
        gm.gaps(dataset, as_of=value)


@pytest.mark.parametrize("value", [200000, -1, 1.5, "abc", True, 36501])
def test_api_refuses_bad_params(value):
    dataset = gm.load_dataset(SHIPPED)
    with pytest.raises(InvalidParameterError, match="whole number from 0 to 36500"):
        gm.gaps(dataset, as_of=AS_OF, visit_window_days=value)


@pytest.mark.parametrize("value", ["9999-12-31", "9999/12/31", "1900-01-01"])
def test_extreme_as_of_works_end_to_end(tmp_path, capsys, value):
    code, out, _ = run(capsys, "gaps", "--as-of", value, "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list)
    code, out, _ = run(capsys, "risk", "--as-of", value, "--format", "json")
    assert code == 0 and "assessed" in json.loads(out)
    code, out, _ = run(capsys, "risk", "--as-of", value)
    assert code == 0
    code, out, _ = run(capsys, "links", "--as-of", value, "--format", "json",
                       "--show", "sectors_bridged,bridges")
    assert code == 0 and "bridges" in json.loads(out)
    code, out, _ = run(capsys, "path", "C-JDHEALTH", "O-SPA", "--as-of", value)
    assert code in (0, 1)
    dataset = named_dataset(tmp_path, "")
    code, out, err = run(capsys, "report", str(dataset), "--out", str(tmp_path / "r"),
                         "--as-of", value)
    assert code == 0, err
    assert list((tmp_path / "r").glob("*/report.html"))


def test_9999_as_of_in_the_api():
    dataset = gm.load_dataset(SHIPPED)
    assert len(gm.gaps(dataset, as_of="9999-12-31")) >= 0


# ---------------------------------------------------------------------------
# Writers: never overwrite, never follow a planted link, atomic on a full or read-only disk
# ---------------------------------------------------------------------------

def _filled(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "filled", minimal_tables())


WRITERS = {
    "template-csv": lambda target: ["template", str(target)],
    "template-xlsx": lambda target: ["template", str(target), "--xlsx"],
    "generate": lambda target: ["generate", "--tier", "street", "--out", str(target)],
}


def _target(tmp_path: Path, writer: str) -> Path:
    """A target the user filled: a dataset directory, or a workbook file."""
    if writer == "template-xlsx":
        book = tmp_path / "filled.xlsx"
        gm.write_template(book, xlsx=True)
        with open(book, "ab") as fh:
            fh.write(b"user data")
        return book
    return _filled(tmp_path)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writers_refuse_a_filled_target(tmp_path, capsys, writer):
    target = _target(tmp_path, writer)
    before = snapshot(target)
    code, _, err = run(capsys, *WRITERS[writer](target))
    assert code == 2 and ("not empty" in err or "exists" in err) and "--force" in err
    assert snapshot(target) == before
    code, _out, err = run(capsys, *WRITERS[writer](target), "--force")
    assert code == 0, err
    assert snapshot(target) != before
    if writer != "template-xlsx":
        assert sorted(p.name for p in target.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("writer", ["template-csv", "generate"])
def test_force_keeps_other_files(tmp_path, capsys, writer):
    target = _filled(tmp_path)
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, *WRITERS[writer](target), "--force")
    assert code == 0, err
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("planted", ["link-to-data", "dangling-link", "link-to-file"])
def test_writers_refuse_a_planted_link(tmp_path, capsys, writer, planted):
    victim = _filled(tmp_path) if planted == "link-to-data" else tmp_path / "victim.txt"
    if planted == "link-to-file":
        victim.write_text("precious", encoding="utf-8")
    name = "out.xlsx" if writer == "template-xlsx" else "out"
    link = tmp_path / name
    link.symlink_to(victim)
    before = snapshot(victim) | snapshot(link)
    for force in ([], ["--force"]):
        code, _out, err = run(capsys, *WRITERS[writer](link), *force)
        assert code == 2 and "symbolic link" in err
    assert snapshot(victim) | snapshot(link) == before
    assert not os.path.lexists(victim) or planted != "dangling-link"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writers_refuse_an_empty_path(tmp_path, capsys, monkeypatch, writer):
    monkeypatch.chdir(tmp_path)
    argv = WRITERS[writer]("")
    code, _out, err = run(capsys, *argv)
    assert code == 2 and "output path is empty" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["template-csv", "generate"])
def test_writers_refuse_a_file_or_device_where_a_directory_belongs(tmp_path, capsys, writer):
    plain = tmp_path / "plain.txt"
    plain.write_text("mine", encoding="utf-8")
    for target in (plain, Path("/dev/full"), Path("/dev/null")):
        before = snapshot(target) if target == plain else None
        code, _, err = run(capsys, *WRITERS[writer](target), "--force")
        assert code == 2 and "not a directory" in err
        if before is not None:
            assert snapshot(target) == before
    assert Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()


def test_template_xlsx_refuses_a_device(capsys):
    code, _, err = run(capsys, "template", "/dev/full", "--xlsx", "--force")
    assert code == 2 and "not a directory" in err
    assert Path("/dev/full").is_char_device()


def test_writers_keep_working_on_new_and_empty_targets(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, _ = run(capsys, "template", str(empty))
    assert code == 0 and (empty / "companies.csv").exists()
    code, _, _ = run(capsys, "template", str(tmp_path / "a" / "b" / "book.xlsx"), "--xlsx")
    assert code == 0 and (tmp_path / "a" / "b" / "book.xlsx").is_file()
    code, _, _ = run(capsys, "generate", "--tier", "street", "--out", str(tmp_path / "new"))
    assert code == 0 and (tmp_path / "new" / "generate.json").exists()
    assert oct((tmp_path / "new").stat().st_mode & 0o777) != oct(0o700)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _can_mount() -> str:
    if os.geteuid() != 0:
        return "needs root to mount a tmpfs (read-only and full-disk cases)"
    if shutil.which("mount") is None:
        return "no mount command"
    return ""


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip()}): the read-only and "
                    "full-disk cases need it")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


MOUNT_REASON = _can_mount()
WRITE_TARGETS = {
    "template-csv": ("t", WRITERS["template-csv"]),
    "template-xlsx": ("t.xlsx", WRITERS["template-xlsx"]),
    "template-xlsx-in-dir": ("d", lambda t: ["template", str(t), "--xlsx"]),
    "generate": ("g", WRITERS["generate"]),
    "nested": ("x/y/z", WRITERS["generate"]),
}


@pytest.mark.skipif(bool(MOUNT_REASON), reason=MOUNT_REASON)
@pytest.mark.parametrize("writer", list(WRITE_TARGETS))
def test_read_only_disk(tmp_path, writer):
    name, argv = WRITE_TARGETS[writer]
    with tmpfs(tmp_path / "mnt", "size=1m") as mnt:
        (mnt / "mine.csv").write_text("id,name\nS1,x\n", encoding="utf-8")
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        before = snapshot(mnt)
        proc = run_process(*argv(mnt / name))
        assert proc.returncode == 2, proc.stderr
        assert "Read-only file system" in proc.stderr and "nothing was written" in proc.stderr
        assert snapshot(mnt) == before


@pytest.mark.skipif(bool(MOUNT_REASON), reason=MOUNT_REASON)
@pytest.mark.parametrize("writer", list(WRITE_TARGETS))
@pytest.mark.parametrize("free_kb", [0, 8, 24])
def test_full_disk_leaves_nothing_half_written(tmp_path, writer, free_kb):
    name, argv = WRITE_TARGETS[writer]
    with tmpfs(tmp_path / "mnt", "size=64k") as mnt:
        (mnt / "mine.csv").write_text("id,name\nS1,x\n", encoding="utf-8")
        with open(mnt / "filler", "wb") as fh, contextlib.suppress(OSError):
            fh.write(b"\0" * (60 * 1024 - free_kb * 1024))
        before = snapshot(mnt)
        proc = run_process(*argv(mnt / name))
        if proc.returncode == 0:  # it fitted: then it is whole
            assert free_kb > 0
            return
        assert proc.returncode == 2, proc.stderr
        assert "No space left on device" in proc.stderr and "nothing was written" in proc.stderr
        assert snapshot(mnt) == before


@pytest.mark.skipif(bool(MOUNT_REASON), reason=MOUNT_REASON)
def test_force_on_a_full_disk_keeps_the_old_dataset(tmp_path):
    with tmpfs(tmp_path / "mnt", "size=256k") as mnt:
        old = write_dataset(mnt / "ds", minimal_tables())
        with open(mnt / "filler", "wb") as fh, contextlib.suppress(OSError):
            fh.write(b"\0" * (200 * 1024))
        before = snapshot(old)
        proc = run_process("generate", "--tier", "street", "--out", str(old), "--force")
        assert proc.returncode == 2 and "No space left on device" in proc.stderr
        assert snapshot(old) == before
        assert sorted(p.name for p in mnt.iterdir()) == ["ds", "filler"]


def test_output_to_a_full_device_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        proc = run_process("gaps", "--as-of", AS_OF, "--format", "csv", stdout=full)
    assert proc.returncode == 1 and "No space left on device" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_writers_in_a_real_process_refuse_filled_targets(tmp_path):
    target = _filled(tmp_path)
    before = snapshot(target)
    proc = run_process("template", str(target))
    assert proc.returncode == 2 and "not empty" in proc.stderr
    proc = run_process("generate", "--tier", "street", "--out", str(target))
    assert proc.returncode == 2 and "not empty" in proc.stderr
    assert snapshot(target) == before
