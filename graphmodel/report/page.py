"""The report page: one self-contained HTML document (inline CSS, charts as data URIs).

Every value from the data is escaped (:func:`graphmodel._safe_io.visible_text`, then
``html.escape``); the page is Chinese with English alongside.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel import schema
from graphmodel._safe_io import visible_text
from graphmodel.dataset import Dataset, column_map
from graphmodel.plot import natural_key
from graphmodel.report.content import (
    CHARTS,
    RED_GRIDS_TOP,
    TABLE_FILES,
    ReportData,
    flatten_detail,
    gap_titles,
    red_grids,
    text_of,
)
from graphmodel.report.responsibility import ids_of
from graphmodel.risk import level_title

__all__ = ["MAX_HTML_ROWS", "MAX_RISK_ROWS", "fold_english", "render_html"]

MAX_HTML_ROWS = 1500
"""The page lists at most about this many findings (all of them are in gaps.xlsx/csv)."""
MAX_RISK_ROWS = 200
"""Overdue and pending follow-up tables list at most this many companies."""

FOLLOWUP_LABELS = {"done": "已跟进 done", "pending": "待跟进 pending",
                   "overdue": "逾期未跟进 overdue", "n/a": "无需跟进 n/a"}

ENGINE_LABELS = {"embedded": "内置引擎 embedded (pandas + networkx)",
                 "neo4j": "Neo4j 服务器 Neo4j server"}
"""How the page names the engine that produced it."""

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee4; --soft:#f4f6f8; --accent:#16a085; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; line-height:1.55;
  font-family: "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
  "WenQuanYi Micro Hei","Hiragino Sans GB",system-ui,-apple-system,"Segoe UI",sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 60px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h1 small { display:block; font-size: 17px; color: var(--muted); font-weight: normal; }
h2 { font-size: 21px; margin: 38px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h2 .en, h3 .en, th .en { color: var(--muted); font-weight: normal; }
h3 { font-size: 17px; margin: 26px 0 6px; }
.meta { color: var(--muted); font-size: 14px; }
.meta b { color: var(--ink); }
nav.toc { background: var(--soft); padding: 10px 16px; border-radius: 6px; font-size: 14px; }
nav.toc a { margin-right: 16px; color: #0b6e5d; text-decoration: none; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef3f2; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.zero td { color: #98a2ad; }
.desc { color: var(--muted); font-size: 12.5px; }
.badge { display:inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.new { background:#fde2e1; color:#b42318; }
.resolved { background:#dcfae6; color:#067647; }
.chip { display:inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,.2); }
.cards { display:flex; flex-wrap:wrap; gap: 10px; margin: 10px 0; }
.card { border:1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 140px; }
.card .n { font-size: 24px; font-weight: 700; }
.card .l { font-size: 12.5px; color: var(--muted); }
.grid-head { background: var(--soft); border-left: 4px solid var(--accent); padding: 8px 12px;
  margin-top: 22px; }
.grid-head h3, .grid-head h4 { margin: 0 0 4px; }
h4.sub { margin: 14px 0 4px; }
.resp { font-size: 13px; color: var(--ink); }
.resp b { color: var(--muted); font-weight: 600; }
figure { margin: 14px 0 24px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figure.wide .scroll { overflow: auto; max-height: 1500px; border: 1px solid var(--line); }
figure.wide img { max-width: none; width: 1900px; border: none; }
td.id { white-space: nowrap; }
td.name { min-width: 8em; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.note { font-size: 12.5px; color: var(--muted); }
.ok { color: #067647; }
.warn { background:#fff4e5; border:1px solid #f0b429; border-left:5px solid #d97706;
  padding: 8px 14px; margin: 10px 0 16px; border-radius: 4px; }
.warn b { color:#92400e; }
section.actions { border:2px solid #d62d20; border-radius: 8px; padding: 4px 18px 10px;
  margin: 14px 0 24px; }
section.actions h2 { margin-top: 12px; color:#b42318; }
details { margin: 4px 0 10px; }
details > summary { cursor: pointer; color: var(--muted); font-size: 13px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line);
  padding-top: 10px; }
@media print { nav.toc { display:none; } h2 { page-break-before: auto; }
  figure, table { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(visible_text(text_of(value)), quote=True)


def _bi(zh: str, en: str) -> str:
    return f"{html.escape(zh)} <span class=\"en\">{html.escape(en)}</span>"


def _chip(hex_colour: str) -> str:
    return f'<span class="chip" style="background:{html.escape(hex_colour)}"></span>'


def _img(data: ReportData, filename: str, alt: str) -> str:
    raw = data.images.get(filename)
    if raw is None:
        return ""
    encoded = base64.b64encode(raw).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'


def _figure(data: ReportData, filename: str, caption: str = "", wide: bool = False) -> str:
    zh, en = CHARTS[filename]
    image = _img(data, filename, f"{zh} {en}")
    if wide:
        image = f"<div class=\"scroll\">{image}</div>"
    parts = [f"<figure id=\"fig-{filename[:-4]}\"" + (" class=\"wide\">" if wide else ">"),
             image,
             f"<figcaption>{_bi(zh, en)}"
             + (f" — {html.escape(caption)}" if caption else "")
             + f"（文件 file: <code>{html.escape(filename)}</code>）</figcaption></figure>"]
    return "".join(parts)


def render_html(data: ReportData) -> str:
    """The report page: one self-contained HTML document (all data escaped)."""
    queries = gap_titles(data.rules)
    counts = data.counts
    new_counts = data.new.groupby("gap").size().to_dict() if len(data.new) else {}
    resolved_counts = (data.resolved.groupby("gap").size().to_dict()
                       if len(data.resolved) else {})
    names = data.ds.names
    out: list[str] = []
    w = out.append
    title_zh = f"{data.street}治理网络覆盖缺口报告"
    w("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      f"<title>{html.escape(title_zh)} — {_e(data.as_of)}</title>\n<style>{CSS}</style>\n"
      "</head>\n<body>\n<main>\n")
    w("<header class=\"top\">"
      f"<h1>{html.escape(title_zh)}<small>Governance network coverage gap report — "
      f"{html.escape(data.street)}</small></h1>"
      f"<div class=\"meta\">评估日期 as of <b>{_e(data.as_of)}</b> · 数据集 dataset "
      f"<b>{_e(data.ds.name)}</b> · 引擎 engine <b>{_e(ENGINE_LABELS.get(data.backend, data.backend))}</b>"
      + (f"（Neo4j dataset <b>{_e(data.neo4j_dataset)}</b>）" if data.neo4j_dataset else "")
      + f" · 生成时间 generated <b>{_e(data.generated_at)}</b> · 报告 report "
      f"<b>{_e(data.name)}</b></div>"
      f"<div class=\"meta\">参数 parameters: "
      + html.escape(", ".join(f"{k}={v}" for k, v in data.params.items()))
      + "</div></header>\n")
    _warnings(data, w)
    _actions_section(data, w)
    w("<nav class=\"toc\"><a href=\"#actions\">本周行动 Actions</a><a href=\"#summary\">概览 Summary</a>"
      + ("<a href=\"#rules\">自定规则 Rules</a>" if data.rules else "") +
      "<a href=\"#changes\">变化 Changes</a><a href=\"#by-grid\">按网格 By grid</a>"
      "<a href=\"#risk\">五色风险 Five-colour risk</a>"
      "<a href=\"#responsibility\">责任 Responsibility</a><a href=\"#bridges\">桥梁 Bridges</a>"
      "<a href=\"#charts\">图表 Charts</a>"
      "<a href=\"#network\">网络图 Network map</a><a href=\"#files\">文件 Files</a></nav>\n")

    # summary
    total = sum(counts.values())
    w(f"<h2 id=\"summary\">{_bi('概览', 'Summary')}</h2>")
    overdue = int((data.view["followup"] == "overdue").sum())
    w("<div class=\"cards\">" + _card(total, "覆盖缺口 findings")
      + _card(sum(1 for n in counts.values() if n), "涉及缺口类型 gap types found")
      + _card(len(data.new), "新增 new") + _card(len(data.resolved), "已解决 resolved")
      + _card(overdue, "风险逾期未跟进 overdue follow-ups") + "</div>")
    w("<details><summary>缺口定义与数量 Gap definitions and counts</summary>")
    w("<table><thead><tr><th>缺口 <span class=\"en\">gap</span></th>"
      "<th>说明 <span class=\"en\">description</span></th>"
      "<th class=\"num\">数量 <span class=\"en\">count</span></th>"
      "<th class=\"num\">新增 <span class=\"en\">new</span></th>"
      "<th class=\"num\">已解决 <span class=\"en\">resolved</span></th></tr></thead><tbody>")
    for gap, query in gap_titles().items():
        n = counts.get(gap, 0)
        w(f"<tr class=\"{'zero' if not n else ''}\"><td><b>{_e(query.title_zh)}</b><br>"
          f"{_e(query.title_en)}<br><code class=\"desc\">{_e(gap)}</code></td>"
          f"<td class=\"desc\">{_e(query.description_zh)}<br>{_e(query.description)}</td><td class=\"num\"><b>{n}</b></td>"
          f"<td class=\"num\">{_delta(new_counts.get(gap, 0), 'new')}</td>"
          f"<td class=\"num\">{_delta(resolved_counts.get(gap, 0), 'resolved')}</td></tr>")
    w("</tbody></table></details>")
    _rules_section(data, counts, new_counts, resolved_counts, w)

    # changes
    w(f"<h2 id=\"changes\">{_bi('与上次报告相比', 'Changes since the previous report')}</h2>")
    _warnings(data, w)
    if data.previous is None:
        w("<p>这是此目录中该数据集的第一份报告，没有可比较的上次报告。<br>"
          "<span class=\"en\">This is the first report of this dataset in the directory: "
          "nothing to compare with.</span></p>")
    else:
        prev = data.previous
        w(f"<p class=\"meta\">比较的报告 compared with: <b>{_e(prev.name)}</b>（评估日期 as of "
          f"{_e(prev.as_of)}，生成 generated {_e(prev.generated_at)}）— "
          f"新增 new <b>{len(data.new)}</b>，已解决 resolved <b>{len(data.resolved)}</b>"
          "（按缺口类型与编号比较 compared by gap and id）</p>")
        for frame, zh, en, css in ((data.new, "新增缺口", "New findings", "new"),
                                   (data.resolved, "已解决缺口", "Resolved findings",
                                    "resolved")):
            w(f"<h3>{_bi(zh, en)} — {len(frame)}</h3>")
            if not len(frame):
                w("<p class=\"note\">无 none</p>")
                continue
            w("<table><thead><tr><th>缺口 gap</th><th>名称 name</th>"
              "<th>网格 grid</th><th>居民区 area</th><th>详情 detail</th></tr></thead><tbody>")
            for row in frame.itertuples(index=False):
                query = queries.get(row.gap)
                w(f"<tr><td><span class=\"badge {css}\">{'新' if css == 'new' else '已解决'}"
                  f"</span> {_e(query.title_zh if query else row.gap)}</td>"
                  f"<td title=\"{_e(row.id)}\">{_e(row.name)}</td>"
                  f"<td title=\"{_e(row.grid_id)}\">{_e(row.grid_name)}</td>"
                  f"<td>{_e(getattr(row, 'area_name', None))}</td>"
                  f"<td class=\"desc\">{_e(flatten_detail(row.detail, names))}</td></tr>")
            w("</tbody></table>")

    # by area and grid
    w(f"<h2 id=\"by-grid\">{_bi('按网格列出的缺口（平面网格归入其居民区）', 'Findings by grid (residential grids grouped by their area)')}</h2>")
    w("<p class=\"note\">先列各居民区（居民区本身的缺口，再按其平面网格），再列各立体网格（商务楼宇），最后是街道层面。"
      "责任组织：对该地点或其所在楼宇、网格、居民区有有效“服务覆盖 COVERS”关系的组织，"
      "以及位于该地点或其所在楼宇、网格、居民区内的组织（服务站与党组织优先）；包干人员：对该地点或其所在"
      "楼宇、网格、居民区有有效“包干负责 ASSIGNED_TO”关系的人员（仅姓名与公开职务）。<br>"
      "Residential areas first (findings about the area itself, then by its micro-grids), then "
      "the business grids over the office towers, then the street level. Responsible "
      "organisations: those with an active COVERS link to the place or to its building, grid "
      "or residential area, and those located within the place or within its building, grid "
      "or area (service stations and party organisations first). Assigned workers: people "
      "with an active ASSIGNED_TO link to the place or to its building, grid or area (name "
      "and public role only).</p>")
    if not len(data.found):
        w("<p class=\"ok\">未发现覆盖缺口 / no coverage gaps found.</p>")
    else:
        _grid_sections(data, queries, w)

    # risk
    _risk_section(data, w)

    _responsibility_section(data, w)
    _bridges_section(data, w)

    # charts
    w(f"<h2 id=\"charts\">{_bi('图表', 'Charts')}</h2>")
    w(_figure(data, "gaps_per_grid.png"))
    w(_figure(data, "gap_history.png", "此目录中同一数据集的历次报告 reports of this dataset "
                                        "in this directory"))
    w(_figure(data, "sector_matrix.png", "在评估日期有效的关系 links active on the as-of date"))

    # network
    w(f"<h2 id=\"network\">{_bi('治理网络图', 'Network map')}</h2>")
    w("<p class=\"note\">街道居中；每个居民区是一个绿色扇区，内含其平面网格（居民区在内环，网格在其外），其后是"
      "商务楼宇的立体网格；楼宇在其网格的扇区内，组织位于所在地点旁的外环；全街道层面的组织在中心小环。"
      "彩色曲线是评估日期有效的跨领域关系，虚线是服务覆盖。"
      "楼宇颜色为其企业最新评估的最高五色等级，大小为企业数。<br>The street is in the centre; each "
      "residential area is a green sector holding its micro-grids (the area on the inner ring, "
      "its grids beyond), followed by the business grids over the office towers; buildings "
      "sit inside their grid's sector, organisations on the outer ring next to where they "
      "are; street-wide organisations on the small central ring. Coloured curves are "
      "cross-sector links active "
      "on the as-of date, dashed lines service coverage. A building's colour is the worst "
      "latest five-colour level of its companies; its size, how many it houses. Open "
      "<code>network.png</code> for full resolution.</p>")
    w(_interactive_maps(data))
    w(_figure(data, "network.png", "可在框内滚动查看 scroll inside the frame", wide=True))

    # files
    w(f"<h2 id=\"files\">{_bi('本报告文件', 'Files of this report')}</h2><ul>")
    files = [("report.html", "本页 this page"),
             ("gaps.xlsx", "工作表：汇总及每类缺口一页，含分派与跟踪列 workbook to assign and track"),
             ("gaps.json", "机器可读结果（同 graphmodel gaps --format json）machine output"),
             ("gaps.csv", "机器可读结果（同 graphmodel gaps --format csv）machine output"),
             ("meta.json", "评估日期、数据集与计数 as of, dataset and counts")]
    files += [(f, f"{zh}（CSV）{en} (CSV)") for f, (zh, en) in TABLE_FILES.items()]
    files += [(f, f"{zh} {en}") for f, (zh, en) in CHARTS.items()]
    for filename, what in files:
        w(f"<li><a href=\"{html.escape(filename)}\"><code>{html.escape(filename)}</code></a> — "
          f"{html.escape(what)}</li>")
    w("</ul>")
    w("<footer>由 graphmodel 生成 · generated by graphmodel. 报告只列出有公开职务人员的姓名与职务，"
      "不含任何个人的民族等个人信息；民族人口仅以居民区汇总数出现。<br>Only names and public roles "
      "of people with a public role appear; no personal data such as a person's ethnicity. "
      "Ethnic population appears only as area totals.</footer>\n")
    w("</main>\n</body>\n</html>\n")
    return fold_english("".join(out))


def _rules_section(data: ReportData, counts: Mapping[str, int], new_counts: Mapping[str, int],
                   resolved_counts: Mapping[str, int], w: Any) -> None:
    """The analysts' own rules (docs/rules.md): one line per rule, in the order of its file."""
    if not data.rules:
        return
    w(f"<h2 id=\"rules\">{_bi('分析员自定规则', 'Analysts’ own coverage rules')}</h2>")
    w("<p class=\"note\">来自规则文件（docs/rules.md），其发现与内置缺口一并列出、计入历史与变化。<br>"
      "<span class=\"en\">From the rule file (docs/rules.md): their findings are listed, and "
      "counted in the history and the changes, like the built-in gaps.</span></p>")
    w("<table><thead><tr><th>规则 <span class=\"en\">rule</span></th>"
      "<th>说明 <span class=\"en\">description</span></th>"
      "<th class=\"num\">数量 <span class=\"en\">count</span></th>"
      "<th class=\"num\">新增 <span class=\"en\">new</span></th>"
      "<th class=\"num\">已解决 <span class=\"en\">resolved</span></th></tr></thead><tbody>")
    for query in data.rules:
        n = counts.get(query.name, 0)
        w(f"<tr class=\"{'zero' if not n else ''}\"><td><b>{_e(query.title_zh)}</b><br>"
          f"{_e(query.title_en)}<br><code class=\"desc\">{_e(query.name)}</code></td>"
          f"<td class=\"desc\">{_e(query.description_zh)}<br>{_e(query.description)}</td>"
          f"<td class=\"num\"><b>{n}</b></td>"
          f"<td class=\"num\">{_delta(new_counts.get(query.name, 0), 'new')}</td>"
          f"<td class=\"num\">{_delta(resolved_counts.get(query.name, 0), 'resolved')}</td>"
          "</tr>")
    w("</tbody></table>")


def _card(number: int, label: str) -> str:
    return (f"<div class=\"card\"><div class=\"n\">{number}</div>"
            f"<div class=\"l\">{html.escape(label)}</div></div>")


def _delta(n: int, css: str) -> str:
    if not n:
        return "0"
    sign = "+" if css == "new" else "−"
    return f"<span class=\"badge {css}\">{sign}{n}</span>"


def _place_units(ds: Dataset, found: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
    """The report's sections: ``(kind, id, grids)`` for each residential area holding
    findings (``kind`` "area", with its micro-grids holding findings), each other grid
    ("grid") and the street level ("street", id ""); the areas first, then the grids,
    each part with the most findings first."""
    grid_ids, area_ids = ids_of(found, "grid_id"), ids_of(found, "area_id")
    grid_area = {g: a for g, a in zip(ds["grids"]["id"], ds["grids"]["area_id"], strict=True)
                 if isinstance(a, str)}
    per_area: dict[str, int] = {}
    per_grid: dict[str, int] = {}
    street = 0
    for grid, area in zip(grid_ids, area_ids, strict=True):
        area = area or grid_area.get(grid or "")
        if grid:
            per_grid[grid] = per_grid.get(grid, 0) + 1
        if area:
            per_area[area] = per_area.get(area, 0) + 1
        if not grid and not area:
            street += 1
    units: list[tuple[str, str, list[str]]] = []
    for area in sorted(per_area, key=lambda a: (-per_area[a], natural_key(a))):
        grids = [g for g in per_grid if grid_area.get(g) == area]
        units.append(("area", area, sorted(grids, key=lambda g: (-per_grid[g], natural_key(g)))))
    others = [g for g in per_grid if g not in grid_area]
    for grid in sorted(others, key=lambda g: (-per_grid[g], natural_key(g))):
        units.append(("grid", grid, [grid]))
    if street:
        units.append(("street", "", []))
    return units


def _grid_sections(data: ReportData, queries: Mapping[str, Any], w: Any) -> None:
    """Findings by residential area (then by its micro-grids), by business grid, then those
    of the street level."""
    names = data.ds.names
    new_keys = set(zip(data.new["gap"], data.new["id"], strict=True))
    found = data.found
    grid_key = pd.Series(ids_of(found, "grid_id"), index=found.index, dtype=object).fillna("")
    grid_area = column_map(data.ds["grids"], "id", "area_id").dropna()
    area_key = pd.Series(ids_of(found, "area_id"), index=found.index, dtype=object)
    area_key = area_key.fillna(grid_key.map(grid_area)).fillna("")
    units = _place_units(data.ds, found)

    def name_of(place: str) -> str:
        return str(names.get(place, place))

    def count(kind: str, place: str) -> int:
        if kind == "area":
            return int((area_key == place).sum())
        if kind == "grid":
            return int((grid_key == place).sum())
        return int(((grid_key == "") & (area_key == "")).sum())

    w("<p class=\"meta\">" + " · ".join(
        f"<a href=\"#{kind}-{_e(place or 'none')}\">"
        f"{_e(name_of(place) if place else '街道层面 street level')}</a>"
        + (" <span class=\"desc\">居民区 area</span>" if kind == "area" else "")
        + f" {count(kind, place)}" for kind, place, _ in units) + "</p>")
    shown = 0

    def head(tag: str, anchor: str, title: str, subtitle: str, rows: int,
             place: str | None, area: str | None = None) -> None:
        w(f"<div class=\"grid-head\" id=\"{_e(anchor)}\" title=\"{_e(place or '')}\">"
          f"<{tag}>{_e(title)} "
          f"<span class=\"en\">{_e(subtitle)} — {rows} findings</span></{tag}>")
        if place:
            org, worker = _place_owner(data, place, area)
            w(f"<div class=\"resp\"><b>责任组织 accountable organisation:</b> "
              f"{_org(data, org)}<br><b>包干人员 assigned worker:</b> "
              f"{_worker(data, worker)}</div>")
        w("</div>")

    def table(rows: pd.DataFrame) -> None:
        w("<table><thead><tr><th>缺口 gap</th><th>名称 name</th><th>楼宇 building</th>"
          "<th>详情 detail</th><th>责任组织 accountable organisation</th>"
          "<th>包干人员 assigned worker</th></tr></thead><tbody>")
        for row in rows.itertuples(index=False):
            query = queries.get(row.gap)
            badge = (" <span class=\"badge new\">新 new</span>"
                     if (row.gap, row.id) in new_keys else "")
            w(f"<tr><td>{_e(query.title_zh if query else row.gap)}<br>"
              f"<span class=\"desc\">{_e(query.title_en if query else '')}</span>{badge}</td>"
              f"<td class=\"name\" title=\"{_e(row.id)}\">{_e(row.name)}</td>"
              f"<td>{_e(getattr(row, 'building_name', None))}</td>"
              f"<td class=\"desc\">{_e(_named_detail(row.detail, names))}</td>"
              f"<td>{_org(data, getattr(row, 'org_id', None))}</td>"
              f"<td>{_worker(data, getattr(row, 'worker_id', None))}</td></tr>")
        w("</tbody></table>")

    for kind, place, grids in units:
        if shown >= MAX_HTML_ROWS:
            w(f"<p class=\"note\">另有 {len(found) - shown} 条缺口未在本页列出，完整清单见 gaps.xlsx / "
              f"gaps.csv。<br>{len(found) - shown} more findings are not listed on this page; "
              "see gaps.xlsx or gaps.csv for all of them.</p>")
            break
        if kind == "street":
            rows = found[(grid_key == "") & (area_key == "")]
            shown += len(rows)
            head("h3", "street-none", "街道层面 / 无网格", "street level / no grid", len(rows),
                 None)
            table(rows)
        elif kind == "grid":
            rows = found[grid_key == place]
            shown += len(rows)
            head("h3", f"grid-{place}", name_of(place), "网格 grid", len(rows), place)
            table(rows)
        else:
            in_area = found[area_key == place]
            head("h3", f"area-{place}", name_of(place), "居民区 residential area",
                 len(in_area), place, place)
            own = in_area[in_area.index.isin(found.index[grid_key == ""])]
            if len(own):
                shown += len(own)
                w(f"<h4 class=\"sub\">{_e(name_of(place))}（居民区本身 the area itself）</h4>")
                table(own)
            for grid in grids:
                rows = in_area[grid_key[in_area.index] == grid]
                shown += len(rows)
                head("h4", f"grid-{grid}", f"{name_of(place)} · {name_of(grid)}",
                     "平面网格 residential grid", len(rows), grid, place)
                table(rows)


def _risk_section(data: ReportData, w: Any) -> None:
    view = data.view
    from graphmodel.responsibility import place_chain

    area_names = data.ds.place_area.map(data.ds.names)
    w(f"<h2 id=\"risk\">{_bi('五色风险分布与跟进', 'Five-colour risk and follow-up')}</h2>")
    w("<p class=\"note\">每家企业在评估日期前的最新评估；橙色（4级）与红色（5级）须在期限内走访或解决诉求。"
      "逾期未跟进即“高风险企业未及时跟进”缺口。<br>Each company's latest assessment on or before "
      "the as-of date; orange (4) and red (5) need a visit or a resolved demand before the "
      f"deadline (orange {data.params.get('followup_days_orange', '')} days, red "
      f"{data.params.get('followup_days_red', '')} days). Overdue = the "
      "risk_without_followup gap.</p>")
    total = len(view)
    levels = view["level"].value_counts().to_dict() if total else {}
    w("<table><thead><tr><th>等级 level</th><th>颜色 colour</th>"
      "<th class=\"num\">企业数 companies</th><th class=\"num\">占比 share</th></tr></thead>"
      "<tbody>")
    for r in schema.RISK_LEVELS:
        n = int(levels.get(r.level, 0))
        share = f"{n / total:.0%}" if total else "–"
        w(f"<tr><td>{_chip(r.hex)}{_e(level_title(r.level))} {_e(r.label_en)}</td>"
          f"<td>{_e(r.colour_zh)} {_e(r.colour_en)}</td><td class=\"num\">{n}</td>"
          f"<td class=\"num\">{share}</td></tr>")
    unassessed = len(data.ds["companies"]) - total
    w(f"<tr><td colspan=\"2\">合计已评估 assessed（未评估 not assessed: {unassessed}）</td>"
      f"<td class=\"num\"><b>{total}</b></td><td></td></tr></tbody></table>")
    states = view["followup"].value_counts().to_dict() if total else {}
    w("<div class=\"cards\">" + "".join(
        f"<div class=\"card\"><div class=\"n\">{int(states.get(s, 0))}</div>"
        f"<div class=\"l\">{_e(FOLLOWUP_LABELS[s])}</div></div>"
        for s in ("overdue", "pending", "done")) + "</div>")
    for state, zh, en in (("overdue", "逾期未跟进", "Overdue follow-ups"),
                          ("pending", "待跟进（未到期）", "Pending follow-ups (not yet due)")):
        rows = view[view["followup"] == state].sort_values(["deadline", "company_id"])
        w(f"<h3>{_bi(zh, en)} — {len(rows)}</h3>")
        if not len(rows):
            w("<p class=\"note\">无 none</p>")
            continue
        if len(rows) > MAX_RISK_ROWS:
            w(f"<p class=\"note\">仅列出期限最早的 {MAX_RISK_ROWS} 家 / the {MAX_RISK_ROWS} with "
              "the earliest deadline are listed; 逾期的全部企业见 gaps.xlsx（高风险企业未及时跟进）/ "
              "every overdue company is in gaps.xlsx (risk_without_followup).</p>")
            rows = rows.iloc[:MAX_RISK_ROWS]
        w("<table><thead><tr><th>企业 company</th><th>楼宇 building</th>"
          "<th>网格 grid（居民区 area）</th>"
          "<th>等级 level</th><th>评估日期 assessed</th><th>跟进期限 deadline</th>"
          f"<th class=\"num\">{'逾期天数 days late' if state == 'overdue' else '剩余天数 days left'}"
          "</th><th>评估理由 reason</th><th>包干人员 assigned worker</th></tr></thead><tbody>")
        day = pd.Timestamp(data.as_of)
        for row in rows.itertuples(index=False):
            info = schema.risk_level_info(int(row.level))
            days = (day - row.deadline).days if state == "overdue" else (row.deadline - day).days
            grid = row.grid_id if isinstance(row.grid_id, str) else None
            worker = (data.lookups.worker(place_chain(data.ds, row.company_id, grid))
                      if data.lookups is not None else None)
            area = area_names.get(row.company_id)
            w(f"<tr><td title=\"{_e(row.company_id)}\">{_e(row.company_name)}"
              f"</td><td>{_e(row.building_name)}</td><td>{_e(row.grid_name)}"
              + (f"<br><span class=\"desc\">{_e(area)}</span>" if isinstance(area, str) else "")
              + "</td>"
              f"<td>{_chip(info.hex)}{_e(level_title(info.level))}</td>"
              f"<td>{_e(row.assessed_on)}</td><td>{_e(row.deadline)}</td>"
              f"<td class=\"num\">{days}</td><td class=\"desc\">{_e(row.reason)}</td>"
              f"<td>{_worker(data, worker)}</td></tr>")
        w("</tbody></table>")
    w(_figure(data, "risk_per_grid.png"))




def _table(frame: pd.DataFrame, columns: Mapping[str, str], numeric: tuple[str, ...] = ()
           ) -> str:
    """An HTML table of ``frame``'s ``columns`` (column -> bilingual header)."""
    head = "".join(f"<th class=\"num\">{html.escape(t)}</th>" if c in numeric
                   else f"<th>{html.escape(t)}</th>" for c, t in columns.items())
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for column in columns:
            value = getattr(row, column)
            css = " class=\"num\"" if column in numeric else ""
            if column == "name" and hasattr(row, "id"):  # the id in a tooltip
                css += f" title=\"{_e(row.id)}\""
            cells.append(f"<td{css}>{_e(value) or '–'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _responsibility_section(data: ReportData, w: Any) -> None:
    """Every grid with its findings and its one owner: organisation and worker."""
    w(f"<h2 id=\"responsibility\">{_bi('各网格责任组织与包干人员', 'One owner per grid')}</h2>")
    w("<p class=\"note\">每个网格（平面网格按居民区排列，其后是立体网格）：缺口数，以及按责任规则确定的"
      "一个责任组织（网格、其居民区中最近的党组织或党群服务站，设施从不担责）和一名包干人员。"
      "文件 <code>responsibility.csv</code>（含编号与名称）。<br>Every grid (residential grids by "
      "area, then the business grids): its findings and its one owner by the responsibility "
      "rule (the nearest party organisation or service station of the grid or its area; "
      "facilities never; the nearest assigned worker). File <code>responsibility.csv</code> "
      "(ids and names).</p>")
    if not len(data.grids):
        w("<p class=\"note\">无网格 no grids</p>")
        return
    w("<table><thead><tr><th>居民区 area</th><th>网格 grid</th>"
      "<th class=\"num\">缺口 findings</th><th>责任组织 accountable organisation</th>"
      "<th>包干人员 assigned worker</th></tr></thead><tbody>")
    for row in data.grids.itertuples(index=False):
        w(f"<tr><td>{_e(row.area_name) or '–'}</td>"
          f"<td title=\"{_e(row.grid_id)}\">{_e(row.grid_name)}</td>"
          f"<td class=\"num\">{row.findings}</td><td>{_org(data, row.org_id)}</td>"
          f"<td>{_worker(data, row.worker_id)}</td></tr>")
    w("</tbody></table>")


def _bridges_section(data: ReportData, w: Any) -> None:
    """The actors that hold the network together (betweenness)."""
    w(f"<h2 id=\"bridges\">{_bi('桥梁节点', 'Bridges')}</h2>")
    w("<p class=\"note\">在评估日期有效的关系构成的行动者网络中，介数中心性最高的组织与人员："
      "它们连接不同领域，一旦缺位网络就会断开。文件 <code>bridges.csv</code>。<br>The "
      "organisations and people with the highest betweenness in the network of links active "
      "on the as-of date: they connect the sectors. File <code>bridges.csv</code>.</p>")
    if not len(data.bridges):
        w("<p class=\"note\">无 none</p>")
        return
    frame = data.bridges.copy()
    columns = {c: c for c in frame.columns if c not in ("id", "label")}
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: f"{v:.4f}")
    w(_table(frame, columns, tuple(c for c in frame.columns
                                   if c not in ("id", "name", "label", "sector", "sectors"))))


def _interactive_maps(data: ReportData) -> str:
    """Links to the interactive maps (map.html and one per grid or street)."""
    if data.maps is None or data.maps.empty:
        return ""
    parts = data.maps[data.maps["kind"].isin(["grid", "street"])]
    links = "".join(
        f"<li><a href=\"maps/{html.escape(Path(str(p)).name)}\">{html.escape(str(n))}</a> "
        f"<span class=\"note\">{int(c)} 个节点 nodes</span></li>"
        for p, n, c in zip(parts["path"], parts["name"], parts["nodes"], strict=True))
    return ("<p><strong><a href=\"map.html\">交互式网络图 Interactive map</a></strong> — "
            "可缩放、拖动、点击查看属性与缺口，离线可用 / zoom, drag and click a node for its "
            "properties and open gaps; works offline.</p>"
            f"<details><summary>分区地图 Maps per part ({len(parts)})</summary><ul>{links}"
            "</ul></details>")


# ---------------------------------------------------------------------------
# the first page: warnings and this week's actions; owners by name
# ---------------------------------------------------------------------------


def _warnings(data: ReportData, w: Any) -> None:
    """What changed since the comparison report: the numbers are not like for like."""
    if not data.warnings or data.previous is None:
        return
    w("<div class=\"warn\"><b>⚠ 注意：与比较的报告条件不同，新增/已解决的数量不完全可比。</b> "
      f"<span class=\"en\">Not like for like with {_e(data.previous.name)}: new and "
      "resolved counts partly reflect these changes.</span><ul>"
      + "".join(f"<li>{_e(text)}</li>" for text in data.warnings) + "</ul></div>")


def _place_owner(data: ReportData, place: str, area: str | None = None
                 ) -> tuple[str | None, str | None]:
    from graphmodel.responsibility import place_chain

    if data.lookups is None:
        return None, None
    chain = place_chain(data.ds, place, None, area)
    return data.lookups.organisation(chain), data.lookups.worker(chain)


def _org(data: ReportData, org: object) -> str:
    """An organisation's name (its id in a tooltip), or 无 none."""
    if not isinstance(org, str) or not org:
        return "<span class=\"note\">无 none</span>"
    return f"<span title=\"{_e(org)}\">{_e(data.ds.names.get(org, org))}</span>"


def _worker(data: ReportData, person: object) -> str:
    """A worker's name and public role (the id in a tooltip), or 无 none."""
    if not isinstance(person, str) or not person:
        return "<span class=\"note\">无 none</span>"
    people = data.ds["people"]
    match = people[people["id"] == person]
    if not len(match):
        return _e(person)
    name, role = match["name"].iat[0], match["role"].iat[0]
    text = f"{name}（{role}）" if isinstance(role, str) and role else str(name)
    return f"<span title=\"{_e(person)}\">{_e(text)}</span>"


def _named_detail(detail: Any, names: Any) -> str:
    """A finding's detail with the company's name instead of its id."""
    if isinstance(detail, Mapping) and isinstance(detail.get("company_id"), str):
        detail = dict(detail)
        company = detail.pop("company_id")
        detail = {"company_id": names.get(company, company), **detail}
        return flatten_detail(detail, None)
    return flatten_detail(detail, names)


def _previous_count(data: ReportData, gap: str) -> int | None:
    if data.previous is None:
        return None
    return sum(1 for r in data.previous.findings if r.get("gap") == gap)


def _versus(now: int, before: int | None) -> str:
    if before is None:
        return ""
    delta = now - before
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return (f"<div class=\"l\">比较报告 then {before}（{sign}{abs(delta)}）</div>")


def _action_card(number: int, label: str, before: int | None) -> str:
    return (f"<div class=\"card\"><div class=\"n\">{number}</div>"
            f"<div class=\"l\">{html.escape(label)}</div>{_versus(number, before)}</div>")


ACTION_GAPS = {"overdue": "risk_without_followup", "stale": "stale_demand"}
"""The gaps the first page lists as this week's actions, beside the red grids."""


def _actions_section(data: ReportData, w: Any) -> None:
    """This week's actions: the red grids, the overdue follow-ups and the stale demands,
    each with its owner, and the counts against the comparison report."""
    red = red_grids(data)
    found = data.found
    overdue = found[found["gap"] == ACTION_GAPS["overdue"]]
    stale = found[found["gap"] == ACTION_GAPS["stale"]]
    before_red = (len(data.previous.meta.get("red_grids", []))
                  if data.previous is not None and "red_grids" in data.previous.meta else None)
    w("<section class=\"actions\" id=\"actions\">")
    w(f"<h2>{_bi('本周行动', 'This week’s actions')}</h2>")
    w("<div class=\"cards\">"
      + _action_card(len(red), "红色网格 red grids", before_red)
      + _action_card(len(overdue), "逾期未跟进 overdue follow-ups",
                     _previous_count(data, "risk_without_followup"))
      + _action_card(len(stale), "超期诉求 stale demands",
                     _previous_count(data, "stale_demand"))
      + _action_card(len(found), "全部缺口 all findings",
                     len(data.previous.findings) if data.previous is not None else None)
      + "</div>")
    if data.previous is not None:
        w(f"<p class=\"meta\">比较的报告 compared with <b>{_e(data.previous.name)}</b>"
          f"（评估日期 as of {_e(data.previous.as_of)}）：新增 new <b>{len(data.new)}</b>，"
          f"已解决 resolved <b>{len(data.resolved)}</b></p>")
    else:
        w("<p class=\"meta\">没有可比较的报告 / no earlier report to compare with.</p>")
    w("<details><summary>定义 Definitions</summary><p class=\"note\">"
      f"红色网格：有企业最新评估为红色（5级）的网格，以及缺口最多的{RED_GRIDS_TOP}个网格。"
      "逾期未跟进：橙色/红色企业在期限内没有走访也没有解决的诉求（risk_without_followup）。"
      "超期诉求：未办结且超过期限的企业诉求（stale_demand）。责任组织与包干人员按责任规则各一个"
      f"（docs/report.md）。<br>Red grids: grids with a company whose latest assessment is red "
      f"(level 5), and the {RED_GRIDS_TOP} grids with the most findings. Overdue follow-ups: "
      "orange or red companies with no visit and no resolved demand before the deadline "
      "(risk_without_followup). Stale demands: open demands past their age limit "
      "(stale_demand). One accountable organisation and one worker each, by the "
      "responsibility rule (docs/report.md).</p></details>")
    w(f"<h3>{_bi('红色网格', 'Red grids')} — {len(red)}</h3>")
    if len(red):
        w("<table><thead><tr><th>网格 grid</th><th>居民区 area</th>"
          "<th class=\"num\">红色企业 red companies</th><th class=\"num\">缺口 findings</th>"
          "<th>责任组织 accountable organisation</th><th>包干人员 assigned worker</th>"
          "</tr></thead><tbody>")
        for row in red.itertuples(index=False):
            w(f"<tr><td title=\"{_e(row.grid_id)}\"><a href=\"#grid-{_e(row.grid_id)}\">"
              f"{_e(row.grid_name)}</a></td><td>{_e(row.area_name) or '–'}</td>"
              f"<td class=\"num\">{row.red}</td><td class=\"num\">{row.findings}</td>"
              f"<td>{_org(data, row.org_id)}</td><td>{_worker(data, row.worker_id)}</td></tr>")
        w("</tbody></table>")
    else:
        w("<p class=\"ok\">无 none</p>")
    w(f"<h3>{_bi('逾期未跟进的高风险企业', 'Overdue follow-ups')} — {len(overdue)}</h3>")
    if len(overdue):
        w("<table><thead><tr><th>企业 company</th><th>楼宇 building</th><th>网格 grid</th>"
          "<th>等级 level</th><th>跟进期限 deadline</th><th>上次走访 last visit</th>"
          "<th>责任组织 accountable organisation</th><th>包干人员 assigned worker</th>"
          "</tr></thead><tbody>")
        for row in overdue.itertuples(index=False):
            detail = row.detail if isinstance(row.detail, Mapping) else {}
            level = detail.get("level")
            chip = (_chip(schema.risk_level_info(level).hex) + _e(level_title(level))
                    if isinstance(level, int) and 1 <= level <= 5 else _e(level))
            w(f"<tr><td title=\"{_e(row.id)}\">{_e(row.name)}</td>"
              f"<td>{_e(getattr(row, 'building_name', None))}</td>"
              f"<td title=\"{_e(row.grid_id)}\">{_e(row.grid_name)}</td><td>{chip}</td>"
              f"<td>{_e(detail.get('deadline'))}</td>"
              f"<td>{_e(getattr(row, 'last_visit', None)) or '无 never'}</td>"
              f"<td>{_org(data, getattr(row, 'org_id', None))}</td>"
              f"<td>{_worker(data, getattr(row, 'worker_id', None))}</td></tr>")
        w("</tbody></table>")
    else:
        w("<p class=\"ok\">无 none</p>")
    w(f"<h3>{_bi('超期未办结的企业诉求', 'Stale demands')} — {len(stale)}</h3>")
    if len(stale):
        w("<table><thead><tr><th>诉求 demand</th><th>企业 company</th><th>楼宇 building</th>"
          "<th>网格 grid</th><th>提出日期 raised on</th><th class=\"num\">已过天数 age</th>"
          "<th>责任组织 accountable organisation</th><th>包干人员 assigned worker</th>"
          "</tr></thead><tbody>")
        for row in stale.itertuples(index=False):
            detail = row.detail if isinstance(row.detail, Mapping) else {}
            w(f"<tr><td title=\"{_e(row.id)}\">{_e(row.name)}</td>"
              f"<td title=\"{_e(getattr(row, 'company_id', None))}\">"
              f"{_e(getattr(row, 'company_name', None))}</td>"
              f"<td>{_e(getattr(row, 'building_name', None))}</td>"
              f"<td title=\"{_e(row.grid_id)}\">{_e(row.grid_name)}</td>"
              f"<td>{_e(detail.get('raised_on'))}</td>"
              f"<td class=\"num\">{_e(detail.get('age_days'))}</td>"
              f"<td>{_org(data, getattr(row, 'org_id', None))}</td>"
              f"<td>{_worker(data, getattr(row, 'worker_id', None))}</td></tr>")
        w("</tbody></table>")
    else:
        w("<p class=\"ok\">无 none</p>")
    w("</section>\n")


_NOTE = re.compile(r'<p class="note">((?:(?!</p>).)*?)<br>((?:(?!</p>).)*)</p>', re.S)


def fold_english(page: str) -> str:
    """Fold the English half of each bilingual note into ``<details>``: the page reads in
    Chinese, the English is one click away."""
    return _NOTE.sub(lambda m: f'<p class="note">{m.group(1)}</p><details><summary>English'
                     f'</summary><p class="note">{m.group(2)}</p></details>', page)
