"""The report as the leadership reads it: actions first with owners, honest comparisons
(--compare-to, gm.compare, warnings), one history point per day, work lists per grid and
per worker, findings marked on the network map, and a street report under 1.5 MB."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

import graphmodel as gm
from graphmodel import cli, load_dataset, plot, report
from graphmodel.gaps import gaps
from graphmodel.queries import get_query
from graphmodel.responsibility import FACILITY_KINDS

AS_OF = "2026-11-29"
EARLY, LATE = "2026-02-10", "2026-08-01"
MAX_PAGE_BYTES = 1_500_000


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("street")
    return report.build_report(load_dataset(), out, AS_OF)


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    from conftest import minimal_tables, write_dataset

    return write_dataset(tmp_path_factory.mktemp("tiny") / "tiny", minimal_tables())


def report_main(argv: list[str]) -> int:
    try:
        return cli.main(["report", *argv])
    except SystemExit as exc:
        return int(exc.code)


def visible_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


# ---------------------------------------------------------------------------
# the street report: size, first page, owners
# ---------------------------------------------------------------------------


def test_street_report_stays_under_1_5_mb(shipped):
    assert (shipped.path / "report.html").stat().st_size < MAX_PAGE_BYTES
    # the full-resolution map stays a file of its own, linked from the page
    assert 'href="network.png"' in (shipped.path / "report.html").read_text(encoding="utf-8")


def test_first_page_starts_with_the_actions_and_names_owners(shipped):
    page = (shipped.path / "report.html").read_text(encoding="utf-8")
    body = page[page.index("<body>"):]
    first_h2 = re.search(r"<h2[^>]*>(.*?)</h2>", body, re.S)
    assert first_h2 and "本周行动" in first_h2.group(1)
    assert body.index('id="actions"') < body.index('id="summary"')
    actions = body[body.index('id="actions"'):body.index("</section>")]
    owned = gm.responsible(load_dataset(), AS_OF)
    for gap in ("risk_without_followup", "stale_demand"):
        rows = owned[owned["gap"] == gap]
        assert len(rows)
        for org, worker in zip(rows["org_name"], rows["worker_name"], strict=True):
            assert isinstance(org, str) and org in actions
            assert isinstance(worker, str) and worker in actions
    for title in ("红色网格", "Red grids", "逾期未跟进", "Overdue follow-ups", "超期", "Stale demands"):
        assert title in actions
    # the rule definitions fold away
    assert "<details><summary>缺口定义与数量" in body


def test_visible_cells_show_names_and_ids_only_in_tooltips(shipped):
    page = (shipped.path / "report.html").read_text(encoding="utf-8")
    text = visible_text(page[page.index('id="actions"'):page.index('id="risk"')])
    found = gaps(load_dataset(), AS_OF)
    for ident in found["id"]:
        assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text), ident
    assert 'title="C-0672"' in page or any(f'title="{i}"' in page for i in found["id"])


def test_no_facility_is_named_owner(shipped):
    ds = load_dataset()
    orgs = ds["organizations"]
    facilities = set(orgs.loc[orgs["kind"].isin(FACILITY_KINDS), "id"])
    per_grid = pd.read_csv(shipped.path / "responsibility.csv", dtype=str)
    assert list(per_grid.columns[-4:]) == ["org_id", "org_name", "worker_id", "worker_name"]
    assert not set(per_grid["org_id"].dropna()) & facilities
    page = (shipped.path / "report.html").read_text(encoding="utf-8")
    owners = set(re.findall(r'<span title="([^"]+)">', page))
    assert not owners & facilities


def test_risk_chart_has_top_grids_and_others():
    from matplotlib.figure import Figure

    from graphmodel.risk import risk_view

    one = risk_view(load_dataset(), AS_OF)
    view = pd.concat([one.assign(grid_id=f"G{i}", grid_name=f"网格{i}") for i in range(32)],
                     ignore_index=True)  # 32 grids: 12 bars and one for the other 20
    ax = plot.plot_risk_per_grid(view, ax=Figure().add_subplot(), top=12)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 13 and any("20 others" in label for label in labels)


# ---------------------------------------------------------------------------
# the workbook's work lists
# ---------------------------------------------------------------------------


def test_workbook_has_a_sheet_per_grid_and_per_worker(shipped):
    from openpyxl import load_workbook

    wb = load_workbook(shipped.path / "gaps.xlsx")
    names = wb.sheetnames
    assert len(names) == len(set(n.lower() for n in names))
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    owned = gm.responsible(load_dataset(), AS_OF)
    found = gaps(load_dataset(), AS_OF)
    grid_sheets = [n for n in names if n.startswith("网格 ")]
    worker_sheets = [n for n in names if n.startswith("人员 ")]
    assert len(grid_sheets) == found["grid_id"].dropna().nunique()
    assert len(worker_sheets) == owned["worker_id"].dropna().nunique()
    for ws in wb.worksheets:
        header = [c.value for c in ws[1] if c.value is not None]
        assert len(header) == len(set(header)), (ws.title, header)
    for name in grid_sheets + worker_sheets:
        header = [c.value for c in wb[name][1]]
        for column in ("楼宇 building", "上次走访 last visit", "企业 company",
                       "责任组织 responsible organisation", "包干人员 assigned worker"):
            assert column in header, (name, column)
    rows = {r[2]: dict(zip([c.value for c in wb[grid_sheets[0]][1]], r, strict=True))
            for name in grid_sheets for r in wb[name].iter_rows(min_row=2, values_only=True)}
    demand = found[found["gap"] == "stale_demand"].iloc[0]
    company = load_dataset().names[demand["detail"]["company_id"]]
    assert rows[demand["id"]]["企业 company"] == company
    assert rows[demand["id"]]["楼宇 building"]
    stale = wb[get_query("stale_demand").title_zh]
    header = [c.value for c in stale[1]]
    assert "诉求状态 demand status" in header and "处理状态 status" in header


# ---------------------------------------------------------------------------
# gaps on the map
# ---------------------------------------------------------------------------


def test_network_map_marks_the_findings():
    from matplotlib.figure import Figure

    ds = load_dataset()
    found = gaps(ds, AS_OF)
    marks = plot.gap_marks(ds, found, AS_OF)
    assert sum(marks.values()) == len(found)  # every finding lands on a drawn node
    demand = found[found["gap"] == "stale_demand"].iloc[0]
    building = ds.place_building[demand["detail"]["company_id"]]
    assert marks.get(building, 0) >= 1  # a demand is marked on its company's building
    ax = plot.plot_network(ds, AS_OF, ax=Figure(figsize=(12, 12)).add_subplot(), found=found)
    assert ax.gap_marks == marks
    grid = demand["grid_id"]
    zoom = plot.plot_grid(ds, grid, AS_OF, ax=Figure().add_subplot(), found=found)
    (x0, x1), full = zoom.get_xlim(), ax.get_xlim()
    assert x1 - x0 < (full[1] - full[0]) / 2  # zoomed in
    with pytest.raises(ValueError, match="unknown grid"):
        plot.plot_network(ds, AS_OF, ax=Figure().add_subplot(), grid="G-NOPE")


# ---------------------------------------------------------------------------
# honest comparisons
# ---------------------------------------------------------------------------


@pytest.fixture
def three_reports(tiny_dataset, tmp_path):
    """EARLY (defaults), LATE (defaults), LATE again with visit_window_days=90."""
    out = tmp_path / "out"
    ds = load_dataset(tiny_dataset)
    first = report.build_report(ds, out, EARLY)
    second = report.build_report(ds, out, LATE)
    third = report.build_report(ds, out, LATE, params={"visit_window_days": 90})
    return out, first, second, third


def test_parameter_change_warns_at_the_top(three_reports):
    _out, _first, second, third = three_reports
    assert second.warnings == [] and third.previous == second.name
    assert third.warnings and "visit_window_days 180 → 90" in third.warnings[0]
    page = (third.path / "report.html").read_text(encoding="utf-8")
    assert page.index('class="warn"') < page.index('id="actions"')
    assert "visit_window_days 180 → 90" in page
    meta = json.loads((third.path / "meta.json").read_text(encoding="utf-8"))
    assert meta["params"]["visit_window_days"] == 90 and meta["warnings"] == third.warnings
    assert meta["dataset_rows"]["grids"] >= 1 and "rules_sha256" in meta
    assert "red_grids" in meta and meta["compared_with"] == second.name


def test_history_has_one_point_per_day(three_reports):
    out, first, _second, third = three_reports
    history = report.gap_history(report.saved_reports(out))
    points = history.drop_duplicates("report")
    assert list(points["as_of"]) == [EARLY, LATE]
    assert list(points["report"]) == [first.name, third.name]  # the last of the day


def test_compare_to_a_date_and_a_folder(three_reports, capsys):
    out, first, second, third = three_reports
    ds_path = str(load_dataset_path(first))
    assert report_main([ds_path, "--out", str(out), "--as-of", LATE,
                        "--compare-to", "2026-03-01"]) == 0
    latest = report.latest_report(out)
    meta = json.loads((latest / "meta.json").read_text(encoding="utf-8"))
    assert meta["compared_with"] == first.name
    assert report_main([ds_path, "--out", str(out), "--as-of", LATE,
                        "--compare-to", second.name]) == 0
    meta = json.loads((report.latest_report(out) / "meta.json").read_text(encoding="utf-8"))
    assert meta["compared_with"] == second.name
    assert report_main([ds_path, "--out", str(out), "--as-of", LATE,
                        "--compare-to", str(third.path)]) == 0
    meta = json.loads((report.latest_report(out) / "meta.json").read_text(encoding="utf-8"))
    assert meta["compared_with"] == third.name and meta["warnings"]  # 90 days, then 180
    capsys.readouterr()
    assert report_main([ds_path, "--out", str(out), "--as-of", LATE,
                        "--compare-to", "2020-01-01"]) == 2
    assert "2020-01-01" in capsys.readouterr().err


def load_dataset_path(result: report.ReportResult) -> str:
    meta = json.loads((result.path / "meta.json").read_text(encoding="utf-8"))
    return meta["dataset_path"]


def test_gm_compare_lists_new_resolved_unchanged_and_warnings(three_reports):
    out, first, second, third = three_reports
    same = gm.compare(first, second)
    assert same.warnings == [] and same.comparable
    before = {(r["gap"], r["id"]) for r in json.loads((first.path / "gaps.json").read_text())}
    after = {(r["gap"], r["id"]) for r in json.loads((second.path / "gaps.json").read_text())}
    assert set(zip(same.new["gap"], same.new["id"], strict=True)) == after - before
    assert set(zip(same.resolved["gap"], same.resolved["id"], strict=True)) == before - after
    assert set(zip(same.unchanged["gap"], same.unchanged["id"], strict=True)) == after & before
    changed = gm.compare(second.path, str(third.path))
    assert not changed.comparable and "visit_window_days" in changed.warnings[0]
    copy = out.parent / "elsewhere"
    shutil.copytree(first.path, copy)
    assert gm.compare(copy, first).new.empty


def test_changes_names_rules_and_dataset():
    before = {"dataset": "a", "dataset_path": "/x", "params": {"p": 1},
              "rules": [{"name": "r1"}], "rules_sha256": "1", "dataset_rows": {"grids": 3}}
    after = dict(before, rules_sha256="2", dataset_rows={"grids": 4}, dataset_path="/y")
    warnings = report.changes(before, after)
    assert any("rules" in w for w in warnings)
    assert any("grids 3 → 4" in w for w in warnings)
    assert any("/x → /y" in w for w in warnings)
