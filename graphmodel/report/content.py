"""What a report shows, computed once: :class:`ReportData` and :func:`collect`, the
charts, the tables written as CSV, and the helpers that format a finding's values.

Every number comes from a library query run on the report's engine
(:func:`graphmodel.report.source.run_query`); the dataset (files, or the tables read back
from Neo4j) only names, groups and draws them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphmodel import plot, schema
from graphmodel._safe_io import date_text
from graphmodel.dataset import Dataset
from graphmodel.gaps import GAP_NAMES
from graphmodel.linkages import sector_matrix_table
from graphmodel.queries import get_query
from graphmodel.report.publish import SavedReport, diff_findings, gap_history
from graphmodel.report.responsibility import Responsibility, owners_per_grid
from graphmodel.report.source import run_query

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BRIDGES_SHOWN",
    "CHARTS",
    "DETAIL_LABELS",
    "RED_GRIDS_TOP",
    "RISK_BARS",
    "TABLE_FILES",
    "ReportData",
    "collect",
    "detail_value",
    "flatten_detail",
    "gap_titles",
    "red_grids",
    "report_figures",
    "save_figures",
    "table_csvs",
    "text_of",
    "work_columns",
]

CHARTS = {
    "gaps_per_grid.png": ("各网格覆盖缺口", "Coverage gaps per grid"),
    "risk_per_grid.png": ("各网格五色风险分布", "Five-colour risk per grid"),
    "gap_history.png": ("覆盖缺口变化", "Gap counts across reports"),
    "sector_matrix.png": ("跨领域关系矩阵", "Sector matrix"),
    "network.png": ("治理网络图", "Network map"),
}
"""PNG files of a report with their titles (Chinese, English)."""

TABLE_FILES = {
    "risk_view.csv": ("五色风险视图", "Five-colour risk view"),
    "sector_matrix.csv": ("跨领域关系矩阵", "Sector matrix"),
    "bridges.csv": ("桥梁节点", "Bridges"),
    "responsibility.csv": ("各网格责任组织与包干人员（每格一个）", "One owner per grid"),
}
"""CSV files of the tables the report shows (beside ``gaps.csv``), with their titles."""

BRIDGES_SHOWN = 20
"""Bridges the report lists (by betweenness)."""

RED_GRIDS_TOP = 3
"""A grid is *red* when one of its companies is red (level 5) on its latest assessment, or
when it is one of the RED_GRIDS_TOP grids with the most findings."""

RISK_BARS = 12
"""The risk chart shows the grids with the most red and orange companies, then one bar for
all the others."""

DETAIL_LABELS: dict[str, str] = {
    "grid_kind": "网格类型 grid kind",
    "reason": "原因 reason",
    "minority_residents": "少数民族居民数 minority residents",
    "companies": "企业数 companies",
    "key_building": "重点楼宇 key building",
    "visit_window_days": "走访窗口（天） visit window (days)",
    "level": "风险等级 level",
    "assessed_on": "评估日期 assessed on",
    "deadline": "跟进期限 deadline",
    "company_id": "企业 company",
    "raised_on": "提出日期 raised on",
    "status": "诉求状态 demand status",
    "age_days": "已过天数 age (days)",
}
"""Bilingual column titles of the keys of a finding's ``detail``."""


def text_of(value: object) -> str:
    """A cell value as text: blank for a missing value, dates as ``YYYY-MM-DD``.

    Examples
    --------
    >>> text_of(None), text_of(pd.Timestamp("2026-11-29")), text_of(3)
    ('', '2026-11-29', '3')
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return date_text(value)  # also after 9999-12-31 (a deadline past 9999)
    return str(value)
def detail_value(key: str, value: object, names: Mapping[str, str] | pd.Series | None = None
                 ) -> str:
    """A readable value of a finding's detail.

    Examples
    --------
    >>> detail_value("level", 4), detail_value("key_building", True)
    ('4 较不稳定（橙）', '是 yes')
    >>> detail_value("grid_kind", "business")
    '立体 business'
    """
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if key == "level" and isinstance(value, int) and 1 <= value <= 5:
        info = schema.risk_level_info(value)
        return f"{value} {info.label_zh}（{info.colour_zh}）"
    if key == "grid_kind":
        return {"residential": "平面 residential", "business": "立体 business",
                "building": "立体 business"}.get(str(value), str(value))
    if key == "status":
        return {"open": "未处理 open", "in_progress": "处理中 in progress",
                "resolved": "已解决 resolved"}.get(str(value), str(value))
    if key == "company_id" and names is not None:
        name = names.get(value) if hasattr(names, "get") else None
        return f"{value} {name}" if isinstance(name, str) else text_of(value)
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return text_of(value)


def flatten_detail(detail: Mapping[str, Any] | None,
                   names: Mapping[str, str] | pd.Series | None = None) -> str:
    """A finding's detail on one line: ``企业数 companies: 8; ...``.

    Examples
    --------
    >>> flatten_detail({"companies": 8, "visit_window_days": 180})
    '企业数 companies: 8; 走访窗口（天） visit window (days): 180'
    """
    if not isinstance(detail, Mapping):
        return ""
    return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {detail_value(k, v, names)}"
                     for k, v in detail.items())


def gap_titles(rules: Sequence[Any] = ()) -> dict[str, Any]:
    """The gap queries by name, in the order of the gap definitions (docs/gaps.md), then
    the queries of the analysts' ``rules`` (docs/rules.md) in the order of their file."""
    return {name: get_query(name) for name in GAP_NAMES} | {q.name: q for q in rules}


@dataclass
class ReportData:
    """Everything a report shows, computed once."""

    ds: Dataset
    as_of: dt.date
    backend: str
    params: dict[str, int]
    found: pd.DataFrame
    new: pd.DataFrame
    resolved: pd.DataFrame
    previous: SavedReport | None
    view: pd.DataFrame
    matrix: pd.DataFrame
    history: pd.DataFrame
    generated_at: str
    name: str
    neo4j_dataset: str | None = None
    lookups: Responsibility | None = None
    """The responsibility rule's lookups (:class:`graphmodel.responsibility.Owners`)."""
    warnings: list[str] = field(default_factory=list)
    """What changed since the comparison report (parameters, rules, dataset)."""
    meta: dict[str, Any] = field(default_factory=dict)
    """What this run records in ``meta.json`` beside the counts (the fingerprint)."""
    bridges: pd.DataFrame = field(default_factory=pd.DataFrame)
    grids: pd.DataFrame = field(default_factory=pd.DataFrame)
    images: dict[str, bytes] = field(default_factory=dict)
    maps: pd.DataFrame | None = None
    """The interactive maps written (graphmodel.interactive.write_maps), when any."""
    rules: list[Any] = field(default_factory=list)
    """The analysts' rules of this run (queries of group ``rules``, docs/rules.md)."""

    @property
    def counts(self) -> dict[str, int]:
        sizes = self.found.groupby("gap").size() if len(self.found) else pd.Series(dtype=int)
        return {g: int(sizes.get(g, 0)) for g in [*GAP_NAMES, *(q.name for q in self.rules)]}

    @property
    def street(self) -> str:
        names = [str(n) for n in self.ds["streets"]["name"]]
        return "、".join(names) or self.ds.name


def collect(ds: Dataset, as_of: dt.date, found: pd.DataFrame, backend: str,
            params: Mapping[str, int], previous: SavedReport | None,
            earlier: Sequence[SavedReport], name: str, generated_at: str,
            neo4j_dataset: str | None = None, conn: Any = None,
            rules: Sequence[Any] = ()) -> ReportData:
    """Compute what the report shows from the findings, on the report's engine.

    Parameters
    ----------
    ds : Dataset
        The dataset: read from files (embedded), or read back from Neo4j.
    as_of : datetime.date
        Evaluation date.
    found : pandas.DataFrame
        The findings, from the same engine.
    backend : {"embedded", "neo4j"}
        The engine that runs the risk view, the sector matrix and the bridges.
    params : dict
        Gap parameters (the follow-up deadlines also drive the risk view).
    previous, earlier : SavedReport
        The previous report of this dataset in the directory, and every earlier one.
    name, generated_at : str
        This report's folder name and start time.
    neo4j_dataset : str, optional
        The dataset's name in Neo4j (default ``ds.name``).
    conn : neo4j_backend.Connection, optional
        Neo4j connection.
    rules : list of Query, optional
        The analysts' rules whose findings are in ``found`` (docs/rules.md).
    """
    from graphmodel.responsibility import Owners, with_owners

    source: Dataset | str = ds if backend == "embedded" else (neo4j_dataset or ds.name)
    followup = {k: v for k, v in params.items() if k.startswith("followup_days")}
    lookups = Owners(ds, as_of)
    found = work_columns(ds, with_owners(ds, found, as_of, lookups=lookups), as_of)
    new, resolved = diff_findings(previous.findings if previous else None, found)
    view = run_query("risk_view", source, as_of, backend, conn, **followup)
    matrix = sector_matrix_table(run_query("sector_matrix", source, as_of, backend, conn))
    bridges = run_query("bridges", source, as_of, backend, conn, top=BRIDGES_SHOWN)
    data = ReportData(ds=ds, as_of=as_of, backend=backend, params=dict(params), found=found,
                      new=new, resolved=resolved, previous=previous, view=view, matrix=matrix,
                      history=pd.DataFrame(), generated_at=generated_at, name=name,
                      neo4j_dataset=neo4j_dataset if backend == "neo4j" else None,
                      lookups=lookups, bridges=bridges,
                      grids=owners_per_grid(ds, found, lookups), rules=list(rules))
    data.history = gap_history(earlier, {"name": name, "generated_at": generated_at,
                                         "as_of": as_of.isoformat(), "counts": data.counts})
    return data


def work_columns(ds: Dataset, found: pd.DataFrame, as_of: dt.date | str | None
                 ) -> pd.DataFrame:
    """Findings with what a worker needs on the list: ``building_id``/``building_name``
    (the building of the finding's place), ``last_visit`` (the last done visit on or before
    ``as_of`` to the place, else to its building) and ``company_id``/``company_name`` (a
    demand's company; a company's own findings)."""
    from graphmodel.queries import as_of_timestamp

    day = as_of_timestamp(as_of)
    names = ds.names
    places = (found["place_id"] if "place_id" in found
              else pd.Series(None, index=found.index, dtype=object))
    building = places.map(lambda p: ds.place_building.get(p) if isinstance(p, str) else None)
    visits = ds["visits"]
    done = visits[(visits["status"] == "done") & (visits["date"] <= day)]
    last = done.groupby("target_id")["date"].max()
    companies = set(ds["companies"]["id"])
    company = []
    for ident, detail in zip(found["id"], found["detail"], strict=True):
        if isinstance(detail, Mapping) and isinstance(detail.get("company_id"), str):
            company.append(detail["company_id"])
        else:
            company.append(ident if ident in companies else None)
    result = found.copy()
    result["building_id"] = building.astype(object)
    result["building_name"] = [names.get(b) if isinstance(b, str) else None for b in building]
    result["last_visit"] = [last.get(p, last.get(b)) if isinstance(p, str) else None
                            for p, b in zip(places, building, strict=True)]
    result["company_id"] = company
    result["company_name"] = [names.get(c) if c else None for c in company]
    return result


def red_grids(data: ReportData) -> pd.DataFrame:
    """This week's red grids (:data:`RED_GRIDS_TOP`): grids with a red (level 5) company on
    its latest assessment, or among the grids with the most findings; with their owner.

    Columns ``grid_id``, ``grid_name``, ``area_name``, ``findings``, ``red``, ``org_id``,
    ``org_name``, ``worker_id``, ``worker_name``; red companies first, then findings.
    """
    grids = data.grids
    if not len(grids):
        return grids.assign(red=pd.Series(dtype="int64"))
    view = data.view
    red = (view.loc[view["level"] == 5, "grid_id"].value_counts()
           if len(view) else pd.Series(dtype=int))
    frame = grids.assign(red=[int(red.get(g, 0)) for g in grids["grid_id"]])
    busiest = frame[frame["findings"] > 0].sort_values(
        "findings", ascending=False, kind="stable").head(RED_GRIDS_TOP)["grid_id"]
    chosen = frame[(frame["red"] > 0) | frame["grid_id"].isin(set(busiest))]
    return chosen.sort_values(["red", "findings"], ascending=False,
                              kind="stable").reset_index(drop=True)


def table_csvs(data: ReportData) -> dict[str, str]:
    """The tables the report shows, as CSV text by file name (:data:`TABLE_FILES`)."""
    view = data.view.copy()
    for column in view.columns:
        if pd.api.types.is_datetime64_any_dtype(view[column]):
            view[column] = view[column].map(text_of)
    return {
        "risk_view.csv": view.to_csv(index=False),
        "sector_matrix.csv": data.matrix.to_csv(index_label="sector"),
        "bridges.csv": data.bridges.to_csv(index=False),
        "responsibility.csv": data.grids.to_csv(index=False),
    }


def report_figures(data: ReportData) -> dict[str, Figure]:
    """The report's charts as matplotlib Figures (no pyplot state), by file name."""
    from matplotlib.figure import Figure

    plot.setup_cjk_font()
    figures: dict[str, Figure] = {}
    grids = min(max(data.found["grid_id"].nunique() if len(data.found) else 1, 1),
                plot.MAX_BARS)
    fig = Figure(figsize=(11, 2.6 + 0.36 * grids), layout="constrained")
    plot.plot_gaps_per_grid(data.found, ax=fig.add_subplot())
    figures["gaps_per_grid.png"] = fig
    rows = min(max(data.view["grid_id"].nunique() if len(data.view) else 1, 1), RISK_BARS + 1)
    fig = Figure(figsize=(11, 2.6 + 0.3 * rows), layout="constrained")
    plot.plot_risk_per_grid(data.view, ax=fig.add_subplot(), top=RISK_BARS)
    figures["risk_per_grid.png"] = fig
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    plot.plot_gap_history(data.history, ax=fig.add_subplot())
    figures["gap_history.png"] = fig
    fig = Figure(figsize=(9.5, 8), layout="constrained")
    plot.plot_sector_matrix(data.matrix, ax=fig.add_subplot())
    figures["sector_matrix.png"] = fig
    streets = len(data.ds["streets"])
    size = (plot.network_layout(data.ds, data.as_of).size if streets <= 1
            else 16.0 if streets <= 40 else 20.0)
    fig = Figure(figsize=(size, size))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.97)
    plot.plot_network(data.ds, data.as_of, ax=fig.add_subplot(), found=data.found)
    figures["network.png"] = fig
    return figures


def save_figures(figures: Mapping[str, Figure], folder: Path) -> dict[str, bytes]:
    """Save each figure as PNG into ``folder``; return the bytes by file name."""
    import warnings

    images = {}
    for filename, fig in figures.items():
        dpi = 150 if filename == "network.png" else 110
        with warnings.catch_warnings():  # an odd character in a name is drawn as a box
            warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from", UserWarning)
            fig.savefig(folder / filename, dpi=dpi, facecolor="white")
        images[filename] = preview((folder / filename).read_bytes(),
                                   PREVIEW_WIDTH.get(filename, 1100))
    return images


PREVIEW_WIDTH = {"network.png": 1400}
"""Width in pixels of the previews the page embeds (the files keep full resolution)."""


def preview(png: bytes, width: int = 1100, colours: int = 128) -> bytes:
    """A smaller PNG for the page: scaled to ``width`` pixels at most and reduced to a
    palette of ``colours`` (charts have few colours, so this costs nothing visible)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)),
                                 Image.Resampling.LANCZOS)
        small = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
    return out.getvalue()


