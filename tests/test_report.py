"""``graphmodel report``: the files, the diff with the previous report, atomicity and locking.

Slow parts (charts) run once per module where possible; the subprocess tests use
the tiny hand-built dataset of ``conftest.py``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graphmodel import cli, load_dataset, report
from graphmodel.gaps import GAP_NAMES, findings_to_csv, findings_to_json, gaps
from graphmodel.queries import get_query

AS_OF = "2026-11-29"
EARLY, LATE = "2026-02-10", "2026-08-01"
PNGS = ("gaps_per_grid.png", "risk_per_grid.png", "gap_history.png", "sector_matrix.png",
        "network.png")
TABLES = ("risk_view.csv", "sector_matrix.csv", "bridges.csv", "responsibility.csv")
MAPS = ("map.html", "nvl-bundle.js", "maps")  # the interactive maps (graphmodel.interactive)
FILES = ("report.html", "gaps.xlsx", "gaps.json", "gaps.csv", "meta.json", *PNGS, *TABLES, *MAPS)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


class Page(HTMLParser):
    """Collects tags, attributes and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


def parse(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    page.close()
    return page


def tiny_tables():
    """conftest's minimal dataset plus a demand that is stale early and resolved later."""
    from conftest import minimal_tables

    tables = minimal_tables()
    tables["demands"].append({"id": "D2", "company_id": "C2", "raised_on": "2026-01-01",
                              "category": "招聘", "status": "resolved",
                              "resolved_on": "2026-03-01", "handled_by": "O1"})
    return tables


def keys(records) -> set[tuple[str, str]]:
    return {(r["gap"], r["id"]) for r in records}


def folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if report.FOLDER_RE.match(p.name))


def temp_dirs(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(report.TMP_PREFIX)]


def log_lines(out: Path) -> list[str]:
    return (out / report.LOG_NAME).read_text(encoding="utf-8").splitlines()


PAUSING = Path(__file__).with_name("_report_pause.py")
"""Runs the report in a child that pauses at a stage (the package has no test hook)."""


def spawn(dataset: Path, out: Path, as_of: str, *extra: str, pause: str = "") -> subprocess.Popen:
    command = ([sys.executable, str(PAUSING), pause] if pause
               else [sys.executable, "-m", "graphmodel.report"])
    return subprocess.Popen(
        [*command, str(dataset), "--out", str(out), "--as-of", as_of, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def report_main(argv: list[str]) -> int:
    """``graphmodel report ARGV``: the exit status (a bad argument exits with 2)."""
    try:
        return cli.main(["report", *argv])
    except SystemExit as exc:
        return int(exc.code)


def wait_for_pause(proc: subprocess.Popen, stage: str, timeout: float = 60) -> None:
    """Read the child's stderr until the pausing wrapper says it paused at ``stage``."""
    from _report_pause import MARKER

    marker = f"{MARKER}: paused at {stage}"
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            line = proc.stderr.readline()
            seen.append(line)
            if marker in line:
                return
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise AssertionError(f"child never paused at {stage}: {''.join(seen)}")


# ---------------------------------------------------------------------------
# the shipped dataset: every file
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = report.build_report(load_dataset(), out, AS_OF)
    return out, result


def test_all_files_written_and_latest_points_at_them(shipped):
    out, result = shipped
    assert result.path.parent == out and folders(out) == [result.name]
    assert report.FOLDER_RE.match(result.name) and result.name.endswith(f"_as-of-{AS_OF}")
    assert sorted(p.name for p in result.path.iterdir()) == sorted(FILES)
    assert (out / "latest").is_symlink() and os.readlink(out / "latest") == result.name
    assert (out / "latest.txt").read_text(encoding="utf-8").strip() == result.name
    assert report.latest_report(out) == out / result.name
    assert temp_dirs(out) == []
    [line] = log_lines(out)
    assert "status=ok" in line and "dataset=jingansi" in line and f"as_of={AS_OF}" in line
    assert "backend=embedded" in line and f"findings={result.total}" in line
    assert "duration=" in line and f"report={result.name}" in line


def test_report_links_a_working_offline_map(shipped):
    _, result = shipped
    page = (result.path / "report.html").read_text(encoding="utf-8")
    assert 'href="map.html"' in page
    maps = sorted((result.path / "maps").glob("*.html"))
    assert len(maps) == 37  # one per grid of the street
    for html_file in [result.path / "map.html", *maps]:
        text = html_file.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", text)
        assert "nvl-bundle.js" in text


def test_json_and_csv_are_exactly_the_gaps_command_output(shipped, capsys):
    from graphmodel.cli import main

    _, result = shipped
    assert main(["gaps", "--as-of", AS_OF, "--format", "json"]) == 0
    assert (result.path / "gaps.json").read_text(encoding="utf-8") == capsys.readouterr().out
    assert main(["gaps", "--as-of", AS_OF, "--format", "csv"]) == 0
    assert (result.path / "gaps.csv").read_text(encoding="utf-8") == capsys.readouterr().out


def test_meta_records_as_of_dataset_and_counts(shipped):
    _, result = shipped
    meta = json.loads((result.path / "meta.json").read_text(encoding="utf-8"))
    found = json.loads((result.path / "gaps.json").read_text(encoding="utf-8"))
    assert meta["as_of"] == AS_OF and meta["dataset"] == "jingansi"
    assert meta["backend"] == "embedded" and meta["previous"] is None
    assert meta["counts"] == {g: sum(r["gap"] == g for r in found) for g in GAP_NAMES}
    assert meta["total"] == len(found) == result.total
    assert sorted(meta["files"]) == sorted(FILES)


def test_html_is_one_self_contained_page(shipped):
    _, result = shipped
    text = (result.path / "report.html").read_text(encoding="utf-8")
    page = parse(text)
    tags = [t for t, _ in page.tags]
    assert tags.count("html") == 1 and tags.count("body") == 1
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            value = (value or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, name, value)
    css = "".join(page.styles).lower()
    assert "http" not in css and "@import" not in css and "url(" not in css
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    assert len(images) == len(PNGS)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    links = [attrs.get("href") for tag, attrs in page.tags if tag == "a"]
    assert "gaps.xlsx" in links and "network.png" in links


def test_html_content_summary_grids_risk_in_chinese_and_english(shipped):
    _, result = shipped
    ds = load_dataset()
    text = " ".join(parse((result.path / "report.html").read_text(encoding="utf-8")).text)
    for gap in GAP_NAMES:
        query = get_query(gap)
        assert query.title_zh in text and query.title_en in text and gap in text
    found = gaps(ds, AS_OF)
    for grid in found["grid_name"].dropna().unique():
        assert grid in text
    for area in found["area_name"].dropna().unique():
        assert area in text
    # responsible organisations and assigned workers (name and public role) of the findings
    shown = report.with_responsibility(ds, found, AS_OF)
    assert any(shown["orgs"] != "") and any(shown["workers"] != "")
    for text_of in ("orgs", "workers"):
        first = shown.loc[shown[text_of] != "", text_of].iloc[0].split("、")[0]
        assert first.split(" 等")[0] in text
    for title in ("五色风险", "Five-colour risk", "逾期未跟进", "Overdue follow-ups",
                  "按网格", "Findings by grid", "grouped by their area", "与上次报告相比",
                  "first report"):
        assert title in text
    overdue = set(found.loc[found["gap"] == "risk_without_followup", "name"])
    assert overdue and all(name in text for name in overdue)


def test_html_has_no_personal_data_beyond_public_roles(shipped):
    _, result = shipped
    ds = load_dataset()
    text = " ".join(parse((result.path / "report.html").read_text(encoding="utf-8")).text)
    for group in ds["population"]["ethnic_group"].unique():
        assert group not in text  # only area totals, never an ethnic group by name
    assigned = set(ds["links"].loc[ds["links"]["type"] == "ASSIGNED_TO", "source_id"])
    for person, name in zip(ds["people"]["id"], ds["people"]["name"], strict=True):
        if person not in assigned:
            assert name not in text, name


def test_workbook_sheets_columns_and_print_setup(shipped):
    from openpyxl import load_workbook

    _, result = shipped
    wb = load_workbook(result.path / "gaps.xlsx")
    queries = {g: get_query(g) for g in GAP_NAMES}
    # the gap sheets first, in order; then the work lists (per grid, per worker)
    gap_sheets = ["汇总 Summary"] + [q.title_zh for q in queries.values()]
    assert wb.sheetnames[:len(gap_sheets)] == gap_sheets
    assert all(n.startswith(("网格 ", "人员 ")) for n in wb.sheetnames[len(gap_sheets):])
    found = json.loads((result.path / "gaps.json").read_text(encoding="utf-8"))
    summary = wb["汇总 Summary"]
    counts = {row[0]: row[3] for row in summary.iter_rows(min_row=2, max_row=1 + len(GAP_NAMES),
                                                          values_only=True)}
    assert counts == {g: sum(r["gap"] == g for r in found) for g in GAP_NAMES}
    for gap, query in queries.items():
        ws = wb[query.title_zh]
        header = [c.value for c in ws[1]]
        for column in ("编号 id", "名称 name", "网格 grid", "居民区 area",
                       "责任组织 responsible organisation",
                       "包干人员 assigned worker", "责任人 assignee", "截止日期 due date",
                       "处理状态 status", "备注 notes"):
            assert column in header, (gap, column)
        rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[2]]
        assert sorted(r[2] for r in rows) == sorted(r["id"] for r in found if r["gap"] == gap)
        assert ws.freeze_panes == "E2" and ws.print_title_rows.replace("$", "") == "1:1"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.auto_filter.ref
        assert ws[1][0].font.bold
    stale = wb[queries["stale_demand"].title_zh]
    header = [c.value for c in stale[1]]
    assert "提出日期 raised on" in header and "已过天数 age (days)" in header


def test_pngs_decode(shipped):
    import matplotlib.image as mpimg

    _, result = shipped
    for name in PNGS:
        image = mpimg.imread(result.path / name)
        assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 300, name
    assert mpimg.imread(result.path / "network.png").shape[1] >= 2000


# ---------------------------------------------------------------------------
# the tiny dataset: one report as of EARLY, copied into each test's directory
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory):
    from conftest import write_dataset

    base = tmp_path_factory.mktemp("tiny")
    dataset = write_dataset(base / "tiny", tiny_tables())
    out = base / "template"
    first = report.build_report(load_dataset(dataset), out, EARLY)
    return dataset, out, first.name


@pytest.fixture
def tiny(tiny_template, tmp_path):
    """(dataset path, a report directory holding one report as of EARLY, its folder name)."""
    import shutil

    dataset, template, name = tiny_template
    out = tmp_path / "out"
    shutil.copytree(template, out, symlinks=True)
    return dataset, out, name


# ---------------------------------------------------------------------------
# changes since the previous report
# ---------------------------------------------------------------------------


def test_second_run_reports_new_and_resolved_findings(tiny):
    dataset, out, first_name = tiny
    [first] = report.saved_reports(out)
    assert first.name == first_name
    second = report.build_report(load_dataset(dataset), out, LATE)
    early = json.loads((first.path / "gaps.json").read_text(encoding="utf-8"))
    late = json.loads((second.path / "gaps.json").read_text(encoding="utf-8"))
    # worked out by hand from the tiny dataset: C1's only visit (2026-01-05) leaves the
    # 180-day window, C2's orange assessment (2026-02-01) passes its 14-day deadline, and
    # D2 (raised 2026-01-01) is stale in February but resolved on 2026-03-01
    expected_new = {("company_unreached", "C1"), ("risk_without_followup", "C2"),
                    ("building_not_visited", "B1")}
    expected_resolved = {("stale_demand", "D2")}
    assert keys(late) - keys(early) == expected_new
    assert keys(early) - keys(late) == expected_resolved
    assert set(zip(second.new["gap"], second.new["id"], strict=True)) == expected_new
    assert set(zip(second.resolved["gap"], second.resolved["id"],
                   strict=True)) == expected_resolved
    assert first.meta["previous"] is None and second.previous == first.name
    meta = json.loads((second.path / "meta.json").read_text(encoding="utf-8"))
    assert (meta["new"], meta["resolved"], meta["previous"]) == (3, 1, first.name)
    assert os.readlink(out / "latest") == second.name and folders(out) == [first.name,
                                                                          second.name]
    text = (second.path / "report.html").read_text(encoding="utf-8")
    assert text.count("badge new\">新 new") == 3 and "D2" in text and first.name in text
    history = report.gap_history(report.saved_reports(out))
    assert list(history.drop_duplicates("report")["as_of"]) == [EARLY, LATE]
    assert [line.split("status=")[1].split()[0] for line in log_lines(out)] == ["ok", "ok"]
    from openpyxl import load_workbook

    wb = load_workbook(second.path / "gaps.xlsx")
    sheet = wb[get_query("risk_without_followup").title_zh]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("新增 new") + 1).value == "新 new"


def test_diff_findings_compares_gap_and_id():
    import pandas as pd

    previous = [{"gap": "a", "id": "1"}, {"gap": "b", "id": "1"}, {"gap": "a", "id": "2"}]
    now = pd.DataFrame([{"gap": "a", "id": "1"}, {"gap": "c", "id": "1"}],
                       columns=["gap", "id", "name", "grid_id", "grid_name", "area_id",
                                "area_name", "detail"])
    new, resolved = report.diff_findings(previous, now)
    assert list(zip(new["gap"], new["id"], strict=True)) == [("c", "1")]
    assert list(zip(resolved["gap"], resolved["id"], strict=True)) == [("a", "2"), ("b", "1")]
    new, resolved = report.diff_findings(None, now)
    assert new.empty and resolved.empty
    new, resolved = report.diff_findings([], now)  # nothing before: everything is new
    assert len(new) == 2 and resolved.empty
    new, resolved = report.diff_findings(previous, now.iloc[0:0])  # all resolved
    assert new.empty and len(resolved) == 3


def area_tables():
    """The tiny dataset plus a second area: A1 holds micro-grids G1 and G3 (with B2 and its
    company C3), A2 holds G4; an organisation covers A1 and one is located in A1."""
    tables = tiny_tables()
    tables["residential_areas"].append({"id": "A2", "name": "二号居民区", "street_id": "S1"})
    tables["grids"] += [
        {"id": "G3", "name": "一号居民区第2网格", "kind": "平面", "street_id": "S1",
         "area_id": "A1"},
        {"id": "G4", "name": "二号居民区第1网格", "kind": "residential", "street_id": "S1",
         "area_id": "A2"}]
    tables["buildings"].append({"id": "B2", "name": "二号楼", "grid_id": "G3"})
    tables["companies"].append({"id": "C3", "name": "丙公司", "building_id": "B2"})
    tables["organizations"] += [
        {"id": "O3", "name": "一号居民区党总支", "kind": "party_general_branch",
         "sector": "party", "located_in": "A1", "parent_id": "O1"},
        {"id": "O4", "name": "街道社区服务中心", "kind": "service_center",
         "sector": "community", "located_in": "S1"}]
    tables["people"].append({"id": "P2", "name": "李网格员", "role": "居民区网格员",
                             "organization_id": "O3"})
    tables["links"] += [
        {"source_id": "O4", "type": "COVERS", "target_id": "A1", "since": "2020-01-01"},
        {"source_id": "P2", "type": "ASSIGNED_TO", "target_id": "A1"}]
    return tables


def test_responsibility_follows_the_v2_containment(make_dataset):
    import datetime as dt

    ds = load_dataset(make_dataset(area_tables(), name="areas"))
    lookups = report.responsibility(ds, EARLY)
    assert lookups.chain("C3") == ["C3", "B2", "G3", "A1"]  # building, grid, area
    assert lookups.chain("A1") == ["A1"]  # the street is never a container
    # a COVERS link to the area covers its grids, their buildings and companies
    assert "O4" in lookups.organisations("C3", "G3", area="A1")
    assert "O4" in lookups.organisations("G3", "G3") and "O4" not in lookups.organisations(
        "G4", "G4")
    # located within the area: responsible for the area and what it contains
    assert "O3" in lookups.organisations("B2", "G3") and "O3" not in lookups.organisations(
        "G2", "G2")
    assert lookups.workers("C3", "G3") == ["P2"] and lookups.workers("G4", "G4") == []
    day = dt.date.fromisoformat(EARLY)
    found = report.with_responsibility(ds, gaps(ds, day), day)
    row = found[(found["gap"] == "building_not_visited") & (found["id"] == "B2")]
    assert "街道社区服务中心" in row["orgs"].iloc[0] and "李网格员（居民区网格员）" in \
        row["workers"].iloc[0]


def test_report_groups_residential_grids_under_their_area(make_dataset):
    import datetime as dt

    ds = load_dataset(make_dataset(area_tables(), name="areas"))
    day = dt.date.fromisoformat(EARLY)
    found = gaps(ds, day)
    assert set(found.loc[found["gap"] == "grid_without_worker", "id"]) == {
        "G1", "G2", "G3", "G4"}
    workers = found[found["gap"] == "grid_without_worker"].set_index("id")
    assert workers.loc["G3", ["area_id", "area_name"]].tolist() == ["A1", "一号居民区"]
    data = report.collect(ds, day, found, "embedded", {}, None, [], "r", "now")
    text = report.render_html(data)
    page = parse(text)
    ids = [attrs["id"] for _, attrs in page.tags if attrs.get("id", "").startswith(
        ("area-", "grid-", "street-"))]
    # the areas first, each followed by its micro-grids; then the business grid
    assert ids.index("area-A1") < ids.index("grid-G1") < ids.index("area-A2")
    assert ids.index("area-A1") < ids.index("grid-G3") < ids.index("area-A2")
    assert ids.index("area-A2") < ids.index("grid-G4") < ids.index("grid-G2")
    words = " ".join(page.text)
    assert "一号居民区 · 平面网格一" in words and "二号居民区 · 二号居民区第1网格" in words
    assert "居民区 residential area" in words and "平面网格 residential grid" in words
    # the service centre covering A1 covers B2 in its micro-grid G3: no gap there
    assert ("building_without_service_station", "B2") not in set(
        zip(found["gap"], found["id"], strict=True))
    assert "居民区 area" in words


def test_data_is_escaped_in_html_and_kept_as_text_in_excel(make_dataset, tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    tables = tiny_tables()
    tables["buildings"][0]["name"] = "<script>alert('楼')</script>"
    tables["grids"][1]["name"] = "立体 & \"网格\" <b>"
    tables["companies"][1]["name"] = "=HYPERLINK(\"http://example.com\",\"x\")"
    ds = load_dataset(make_dataset(tables, name="nasty"))
    day = dt.date.fromisoformat(LATE)
    data = report.collect(ds, day, gaps(ds, day), "embedded", {}, None, [], "r", "now")
    text = report.render_html(data)
    page = parse(text)
    assert "script" not in [t for t, _ in page.tags]
    assert "&lt;script&gt;alert(&#x27;楼&#x27;)&lt;/script&gt;" in text
    assert "立体 &amp; &quot;网格&quot; &lt;b&gt;" in text
    for _, attrs in page.tags:
        assert not any((v or "").lower().startswith("http") for v in attrs.values())
    report.write_workbook(data, tmp_path / "x.xlsx")
    wb = load_workbook(tmp_path / "x.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


# ---------------------------------------------------------------------------
# failures, kills and concurrent runs leave a consistent directory
# ---------------------------------------------------------------------------


def test_failed_run_keeps_previous_report_and_removes_temp(tiny, monkeypatch):
    dataset, out, _ = tiny
    [first] = report.saved_reports(out)
    before = {p.name: p.read_bytes() for p in first.path.rglob("*") if p.is_file()}
    written = []

    def broken(data, path):
        written.extend(p.name for p in path.parent.iterdir())
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(report.content, "report_figures", lambda data: {})  # no charts: faster
    monkeypatch.setattr(report.run, "write_workbook", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        report.build_report(load_dataset(dataset), out, LATE)
    assert "gaps.json" in written  # it failed half-way through writing the folder
    assert folders(out) == [first.name] and temp_dirs(out) == []
    assert os.readlink(out / "latest") == first.name
    assert (out / "latest.txt").read_text(encoding="utf-8").strip() == first.name
    assert {p.name: p.read_bytes() for p in first.path.rglob("*") if p.is_file()} == before
    last = log_lines(out)[-1]
    assert "status=failed" in last and "disk full" in last and f"as_of={LATE}" in last


@pytest.mark.parametrize("stage", ["after_charts", "after_rename"])
def test_killed_run_leaves_previous_report_intact(tiny, stage):
    dataset, out, _ = tiny
    [first] = report.saved_reports(out)
    proc = spawn(dataset, out, LATE, pause=f"{stage}:120")
    try:
        wait_for_pause(proc, stage)
        if stage == "after_charts":  # half-written: charts in a temp folder, nothing else
            [tmp] = temp_dirs(out)
            assert (out / tmp / "network.png").exists() and not (out / tmp / "meta.json").exists()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert os.readlink(out / "latest") == first.name
    assert report.latest_report(out) == out / first.name
    assert (first.path / "meta.json").exists()
    # the next run cleans up after the killed one and moves latest on
    third = report.build_report(load_dataset(dataset), out, LATE)
    assert temp_dirs(out) == [] and os.readlink(out / "latest") == third.name
    assert not [p for p in out.iterdir() if p.name.startswith(".latest")]
    expected = [first.name, third.name] if stage == "after_charts" else None
    if expected:
        assert folders(out) == expected
    else:  # renamed into place before the kill: a complete report, just not "latest"
        assert len(folders(out)) == 3 and third.previous in folders(out)


def test_terminated_run_cleans_up_and_logs_failure(tiny):
    dataset, out, first_name = tiny
    proc = spawn(dataset, out, LATE, pause="after_charts:120")
    try:
        wait_for_pause(proc, "after_charts")
        assert len(temp_dirs(out)) == 1
        proc.send_signal(signal.SIGTERM)  # systemctl stop, a scheduler's timeout
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM
    assert temp_dirs(out) == [] and folders(out) == [first_name]
    assert os.readlink(out / "latest") == first_name
    last = log_lines(out)[-1]
    assert "status=failed" in last and "SystemExit" in last


def test_concurrent_runs_one_waits_one_gives_up(tiny_template, tmp_path):
    dataset, _, _ = tiny_template
    out = tmp_path / "out"
    procs = [spawn(dataset, out, EARLY, pause="after_lock:3")]
    try:
        holder = procs[0]
        wait_for_pause(holder, "after_lock")
        procs.append(impatient := spawn(dataset, out, LATE))
        procs.append(patient := spawn(dataset, out, LATE, "--wait", "90"))
        _, err = impatient.communicate(timeout=60)
        assert impatient.returncode == 1, err
        assert "another report run holds" in err and ".lock" in err and "--wait" in err
        assert holder.wait(timeout=90) == 0
        assert patient.wait(timeout=90) == 0, patient.communicate()
    finally:
        for proc in procs:
            proc.kill()
            proc.communicate()
    names = folders(out)
    assert len(names) == 2 and temp_dirs(out) == []
    assert os.readlink(out / "latest") == names[1] and names[1].endswith(f"_as-of-{LATE}")
    meta = json.loads((out / names[1] / "meta.json").read_text(encoding="utf-8"))
    assert meta["previous"] == names[0]
    statuses = sorted(line.split("status=")[1].split()[0] for line in log_lines(out))
    assert statuses == ["busy", "ok", "ok"]


def test_lock_busy_in_process_and_wait_timeout(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with report.report_lock(out):
        with pytest.raises(report.ReportBusy, match="another report run holds"), \
                report.report_lock(out):
            pass
        started = time.monotonic()
        with pytest.raises(report.ReportBusy, match=r"waited 0\.3s"), \
                report.report_lock(out, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    with report.report_lock(out):  # released
        pass


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def test_register_cli_adds_the_report_command(tmp_path):
    import argparse

    parser = cli.build_parser()
    assert isinstance(parser, argparse.ArgumentParser)
    args = parser.parse_args(["report", "data/x", "--out", str(tmp_path), "--as-of", AS_OF,
                              "--backend", "neo4j", "--dataset", "jas", "--param",
                              "visit_window_days=90", "--wait", "5"])
    assert args.handler is cli.cmd_report and args.out == tmp_path
    assert (args.dataset, args.dataset_name, args.backend, args.wait) == ("data/x", "jas",
                                                                          "neo4j", 5.0)
    assert args.param == ["visit_window_days=90"]


def test_cli_exit_codes_and_summary(tiny_template, make_dataset, tmp_path, capsys):
    dataset, _, _ = tiny_template
    out = tmp_path / "out"
    assert report_main([str(dataset), "--out", str(out), "--as-of", "2026-13-01"]) == 2
    assert "--as-of" in capsys.readouterr().err
    bad = make_dataset(dict(tiny_tables(), grids=[{"id": "G1", "name": "x", "kind": "?",
                                                   "street_id": "NOPE"}]), name="bad")
    assert report_main([str(bad), "--out", str(out), "--as-of", EARLY]) == 2
    assert "error" in capsys.readouterr().err
    assert "status=invalid" in log_lines(out)[-1] and folders(out) == []
    with report.report_lock(out):
        assert report_main([str(dataset), "--out", str(out), "--as-of", EARLY]) == 1
    assert "another report run holds" in capsys.readouterr().err
    assert report_main([str(dataset), "--out", str(out), "--as-of", EARLY, "--param",
                        "visit_window_days=30"]) == 0
    printed = capsys.readouterr().out
    assert "report written" in printed and str(out) in printed
    assert "stale_demand" in printed and "企业诉求久未解决" in printed
    meta = json.loads((out / "latest" / "meta.json").read_text(encoding="utf-8"))
    assert meta["params"]["visit_window_days"] == 30


# ---------------------------------------------------------------------------
# Neo4j backend
# ---------------------------------------------------------------------------


@pytest.mark.neo4j
def test_neo4j_backend_writes_the_same_findings(tiny_template, tmp_path):
    from graphmodel import neo4j_backend as backend

    name = "report-test-tiny"
    ds = load_dataset(tiny_template[0], name=name)
    backend.load(ds, progress=False)
    try:
        result = report.build_report(ds, tmp_path / "out", LATE, backend="neo4j")
        served = backend.gaps(name, LATE)  # what `graphmodel neo4j gaps` prints
        assert (result.path / "gaps.json").read_text(encoding="utf-8") == \
            findings_to_json(served) + "\n"
        assert (result.path / "gaps.csv").read_text(encoding="utf-8") == findings_to_csv(served)
        written = json.loads((result.path / "gaps.json").read_text(encoding="utf-8"))
        assert written == json.loads(findings_to_json(gaps(ds, LATE)))  # same as embedded
        meta = json.loads((result.path / "meta.json").read_text(encoding="utf-8"))
        assert meta["backend"] == "neo4j" and meta["neo4j_dataset"] == name
        with pytest.raises(report.ReportError, match="not loaded"):
            report.build_report(ds, tmp_path / "out", LATE, backend="neo4j",
                                neo4j_dataset="no-such-dataset-here")
    finally:
        conn = backend.connection_settings()
        driver = backend.open_driver(conn)
        try:
            driver.execute_query("MATCH (n:Entity {dataset: $d}) DETACH DELETE n", d=name,
                                 database_=conn.database)
            driver.execute_query("MATCH (m:GraphmodelDataset {name: $d}) DELETE m", d=name,
                                 database_=conn.database)
        finally:
            driver.close()



def _rounded(value):
    """JSON-like data with floats rounded to 9 digits (engines may differ in the last bits)."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _table(path: Path):
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _rounded([{k: (float(v) if _is_float(v) else v) for k, v in row.items()}
                     for row in frame.to_dict("records")])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "." in text or "e" in text.lower()


@pytest.mark.neo4j
def test_server_only_report_equals_the_embedded_one(tmp_path):
    """``report --backend neo4j`` where no dataset file exists: every machine-readable output
    (gaps.json and the tables' CSV files) equals the embedded report's, floats to 9 digits."""
    from graphmodel import neo4j_backend as backend

    name = "report-test-server-only"
    ds = load_dataset(name=name)
    backend.load(ds, progress=False)
    try:
        embedded = report.build_report(ds, tmp_path / "embedded", AS_OF)
        nowhere = tmp_path / "cwd"
        nowhere.mkdir()
        env = dict(os.environ, GRAPHMODEL_DATASET=str(tmp_path / "no-such-dataset"))
        done = subprocess.run(
            [sys.executable, "-m", "graphmodel.report", "--backend", "neo4j", "--dataset",
             name, "--out", str(tmp_path / "served"), "--as-of", AS_OF],
            cwd=nowhere, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        served = tmp_path / "served" / "latest"
        assert sorted(p.name for p in served.iterdir()) == sorted(FILES)
        meta = json.loads((served / "meta.json").read_text(encoding="utf-8"))
        assert meta["engine"] == "neo4j" and meta["neo4j_dataset"] == name
        assert meta["counts"] == json.loads(
            (embedded.path / "meta.json").read_text(encoding="utf-8"))["counts"]
        assert "Neo4j" in parse((served / "report.html").read_text(encoding="utf-8")).text[0:400] \
            or "Neo4j 服务器" in (served / "report.html").read_text(encoding="utf-8")
        for filename in ("gaps.json",):
            assert _rounded(json.loads((served / filename).read_text(encoding="utf-8"))) == \
                _rounded(json.loads((embedded.path / filename).read_text(encoding="utf-8")))
        for filename in ("gaps.csv", *TABLES):
            assert _table(served / filename) == _table(embedded.path / filename), filename
    finally:
        backend.delete_dataset(name)
