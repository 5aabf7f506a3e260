"""``gaps.xlsx``: a summary sheet, one sheet per gap, then the work lists: one sheet per grid
with findings and one per assigned worker; formatted for printing, with empty columns to
assign and track the work (责任人, 截止日期, 处理状态, 备注).

Every finding row carries its building, the last done visit to its place (or building),
the company (demand and risk rows) and its one owner (:mod:`graphmodel.responsibility`).
No two columns of a sheet share a name; sheet names are unique, at most 31 characters and
free of the characters Excel refuses.

Text an xlsx cell cannot hold is replaced and text that looks like a formula stays text
(:mod:`graphmodel._safe_io`): nothing from the data ever runs in Excel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel._safe_io import mark_text_cells, xlsx_text, xlsx_value
from graphmodel.report.content import (
    DETAIL_LABELS,
    ReportData,
    detail_value,
    flatten_detail,
    gap_titles,
    text_of,
)

__all__ = ["FINDING_COLUMNS", "STATUS_CHOICES", "WORK_COLUMNS", "sheet_title", "unique_headers",
           "write_workbook"]

STATUS_CHOICES = ("未处理 open", "处理中 in progress", "已完成 done", "无需处理 no action")
WORK_COLUMNS = ("责任人 assignee", "截止日期 due date", "处理状态 status", "备注 notes")

def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


FINDING_COLUMNS = ("楼宇 building", "上次走访 last visit", "企业 company",
                   "责任组织 responsible organisation", "包干人员 assigned worker")
"""Columns every finding row carries after its grid and area."""


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, none of ``[]:*?/\\``, no
    apostrophe at either end); ``taken`` (compared ignoring case, as Excel does) grows.

    Examples
    --------
    >>> taken = set()
    >>> sheet_title("网格 a/b", taken), sheet_title("网格 A/B", taken)
    ('网格 a_b', '网格 A_B_2')
    """
    title = re.sub(r"[\[\]:*?/\\]", "_", xlsx_text(title)).strip().strip("'")[:31] or "sheet"
    lowered = {t.lower() for t in taken}
    name, n = title, 1
    while name.lower() in lowered:
        n += 1
        name = f"{title[:28]}_{n}"
    taken.add(name)
    return name


_sheet_title = sheet_title


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Headers with repeats renamed (``name (2)``): no two columns share a name.

    Examples
    --------
    >>> unique_headers(["状态 status", "状态 status", "a"])
    ['状态 status', '状态 status (2)', 'a']
    """
    seen: dict[str, int] = {}
    result = []
    for header in headers:
        n = seen.get(header, 0) + 1
        seen[header] = n
        result.append(header if n == 1 else f"{header} ({n})")
    return result


DATE_KEYS = ("assessed_on", "deadline", "raised_on")


def _excel_value(key: str, value: object, names: Mapping[str, str] | pd.Series | None
                 ) -> object:
    """A detail value for a cell: numbers and dates stay numbers and dates (sortable)."""
    if isinstance(value, int) and not isinstance(value, bool) and key != "level":
        return value
    if key in DATE_KEYS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    return detail_value(key, value, names)


def _as_text(cells: Sequence[Any]) -> None:
    """Keep data that looks like a formula (``=...``, ``+...``, ``@...``) as text: never run
    it in Excel (:func:`graphmodel._safe_io.mark_text_cells`)."""
    mark_text_cells(cells)


def _append(ws: Any, values: Sequence[Any]) -> None:
    """Append a row of data: text an xlsx cell cannot hold is replaced
    (:func:`graphmodel._safe_io.xlsx_value`) and formula-like text stays text."""
    ws.append([xlsx_value(v) for v in values])
    _as_text(ws[ws.max_row])


def _header_text(text: str) -> str:
    """Text for a page header or footer: ``&`` is a code there, and Excel allows 255
    characters in all."""
    return xlsx_text(text).replace("&", "&&")[:200]


def write_workbook(data: ReportData, path: Path) -> None:
    """``gaps.xlsx``: a summary sheet and one sheet per gap, ready to print and fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    queries = gap_titles(data.rules)  # the analysts' rules get a line and a sheet too
    names = data.ds.names
    counts = data.counts
    new_keys = set(zip(data.new["gap"], data.new["id"], strict=True))
    new_counts = data.new.groupby("gap").size().to_dict() if len(data.new) else {}
    resolved_counts = (data.resolved.groupby("gap").size().to_dict()
                       if len(data.resolved) else {})
    thin = Side(style="thin", color="A6AEB7")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="16705F")
    work_fill = PatternFill("solid", fgColor="FFF7D6")
    wrap = Alignment(wrap_text=True, vertical="top")

    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    summary.title = _sheet_title("汇总 Summary", taken)
    sheet_of = {gap: _sheet_title(q.title_zh, taken) for gap, q in queries.items()}

    def style_sheet(ws: Any, headers: Sequence[str], widths: Sequence[int], freeze: str,
                    title: str) -> None:
        for col, width in enumerate(widths, start=1):
            cell = ws.cell(row=1, column=col)
            cell.font, cell.fill, cell.border = header_font, header_fill, border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[1].height = 34
        for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=len(headers)):
            for cell in row:
                cell.border = border
                cell.alignment = wrap
        ws.freeze_panes = freeze
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddHeader.center.text = _header_text(title)
        ws.oddHeader.center.size = 11
        ws.oddFooter.left.text = _header_text(f"{data.ds.name} · as of {data.as_of.isoformat()}")
        ws.oddFooter.right.text = "第 &P 页 / 共 &N 页"

    headers = ["缺口 gap", "名称 title", "Title (English)", "数量 count", "新增 new",
               "已解决 resolved", "说明 description", "工作表 sheet"]
    summary.append(headers)
    for gap, query in queries.items():
        _append(summary, [gap, query.title_zh, query.title_en, counts.get(gap, 0),
                          int(new_counts.get(gap, 0)), int(resolved_counts.get(gap, 0)),
                          f"{query.description_zh}\n{query.description}".strip(),
                          sheet_of[gap]])
    summary.append(["合计 total", "", "", sum(counts.values()), len(data.new),
                    len(data.resolved), "", ""])
    last = summary.max_row
    style_sheet(summary, headers, [30, 24, 34, 9, 9, 10, 70, 24], "B2",
                f"{data.street} 覆盖缺口汇总 Summary — {data.as_of.isoformat()}")
    for cell in summary[last]:
        cell.font = Font(bold=True)
    for row in range(2, last):
        link = summary.cell(row=row, column=8)
        link.hyperlink = f"#'{link.value}'!A1"
        link.font = Font(color="0B6E5D", underline="single")
    info = [("数据集 dataset", data.ds.name), ("街道 street", data.street),
            ("评估日期 as of", data.as_of.isoformat()), ("生成时间 generated", data.generated_at),
            ("后端 backend", data.backend + (f" ({data.neo4j_dataset})"
                                             if data.neo4j_dataset else "")),
            ("参数 parameters", ", ".join(f"{k}={v}" for k, v in data.params.items())),
            ("上次报告 previous report", data.previous.name if data.previous else "无 none"),
            ("报告 report", data.name)]
    summary.append([])
    for key, value in info:
        _append(summary, [key, value])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)

    found = data.found
    people = data.ds["people"]
    roles = dict(zip(people["id"], people["role"], strict=True))

    def owner_cells(row: Any) -> list[object]:
        worker = getattr(row, "worker_id", None)
        worker_text = "无 none"
        if isinstance(worker, str) and worker:
            role = roles.get(worker)
            worker_text = (f"{row.worker_name}（{role}）" if isinstance(role, str) and role
                           else str(row.worker_name))
        last = getattr(row, "last_visit", None)
        return [text_of(getattr(row, "building_name", None)),
                last.date() if isinstance(last, pd.Timestamp) else "无 never",
                text_of(getattr(row, "company_name", None)),
                text_of(getattr(row, "org_name", None)) or "无 none", worker_text]

    def work_sheet(name: str, rows: pd.DataFrame, title: str, keys: Sequence[str] | None
                   ) -> None:
        """One sheet of findings: per gap (``keys``: the detail columns) or a work list
        (every gap; the detail on one line)."""
        ws = wb.create_sheet(name)
        detail_headers = ([DETAIL_LABELS.get(k, k) for k in keys] if keys is not None
                          else ["详情 detail"])
        headers = unique_headers(
            ["序号 No.", "缺口 gap", "编号 id", "名称 name", "网格 grid", "居民区 area",
             *FINDING_COLUMNS, *detail_headers, "新增 new", *WORK_COLUMNS])
        ws.append(headers)
        for i, row in enumerate(rows.itertuples(index=False), start=1):
            detail = row.detail if isinstance(row.detail, Mapping) else {}
            query = queries.get(row.gap)
            cells = ([_excel_value(k, detail[k], names) if k in detail else "" for k in keys]
                     if keys is not None else [flatten_detail(
                         {k: v for k, v in detail.items() if k != "company_id"}, names)])
            _append(ws, [i, query.title_zh if query else row.gap, row.id, text_of(row.name),
                         text_of(row.grid_name), text_of(getattr(row, "area_name", None)),
                         *owner_cells(row), *cells,
                         "新 new" if (row.gap, row.id) in new_keys else "", "", None, "", ""])
        widths = ([6, 16, 13, 28, 18, 14, 20, 12, 26, 30, 22]
                  + [max(12, min(40 if keys is None else 24, _display_width(h) // 2 + 4))
                     for h in detail_headers] + [8, 12, 12, 13, 26])
        style_sheet(ws, headers, widths, "E2", title)
        first_work = len(headers) - len(WORK_COLUMNS) + 1
        for col in range(first_work, len(headers) + 1):
            ws.cell(row=1, column=col).fill = PatternFill("solid", fgColor="B7791F")
            for r in range(2, max(ws.max_row, 2) + 1):
                ws.cell(row=r, column=col).fill = work_fill
                ws.cell(row=r, column=col).border = border
        due = get_column_letter(first_work + 1)
        status = get_column_letter(first_work + 2)
        end = max(ws.max_row, 2) + 200
        dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)",
                               allow_blank=True, errorTitle="日期 date",
                               error="请输入日期 enter a date (YYYY-MM-DD)")
        dates.add(f"{due}2:{due}{end}")
        choices = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"',
                                 allow_blank=True)
        choices.add(f"{status}2:{status}{end}")
        ws.add_data_validation(dates)
        ws.add_data_validation(choices)
        if not len(rows):
            ws.cell(row=2, column=4, value="未发现 none found")
        last = max(ws.max_row, 2)
        for r in range(2, last + 1):
            ws[f"{due}{r}"].number_format = "yyyy-mm-dd"
            for cell in ws[r]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        right = get_column_letter(len(headers))
        ws.auto_filter.ref = f"A1:{right}{last}"
        ws.print_area = f"A1:{right}{last}"

    for gap, query in queries.items():
        rows = found[found["gap"] == gap]
        keys: list[str] = []
        for detail in rows["detail"]:
            if isinstance(detail, Mapping):
                keys += [k for k in detail if k not in keys and k != "company_id"]
        work_sheet(sheet_of[gap], rows, f"{query.title_zh} {query.title_en} — "
                   f"{data.as_of.isoformat()}", keys)

    # the work lists: one sheet per grid with findings, one per assigned worker
    lists: list[tuple[str, str, int]] = []
    for key, label, zh in (("grid_id", "grid_name", "网格"), ("worker_id", "worker_name", "人员")):
        if key not in found.columns or not len(found):
            continue
        groups = found[found[key].map(lambda v: isinstance(v, str) and bool(v))]
        order = groups[key].value_counts()
        for ident in sorted(order.index, key=lambda g: (-int(order[g]), str(g))):
            rows = groups[groups[key] == ident]
            name = text_of(rows[label].iloc[0]) or str(ident)
            sheet = sheet_title(f"{zh} {name}", taken)
            work_sheet(sheet, rows, f"{zh}工作清单 work list: {name} — "
                       f"{data.as_of.isoformat()}", None)
            lists.append((sheet, f"{zh} {'grid' if zh == '网格' else 'worker'}", len(rows)))
    if lists:
        summary.append([])
        _append(summary, ["工作清单 work lists", "", "", "数量 count"])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        for sheet, kind, n in lists:
            _append(summary, [kind, sheet, "", n])
            link = summary.cell(row=summary.max_row, column=2)
            link.hyperlink = f"#'{sheet}'!A1"
            link.font = Font(color="0B6E5D", underline="single")
    wb.save(path)
