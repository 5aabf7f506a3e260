"""Charts and the network map, with Chinese that renders (matplotlib).

Every public function draws on ``ax`` when given, else on a new figure (created
with pyplot so notebooks show it), and returns the Axes (``ax.figure`` is the
Figure)::

    from graphmodel import load_dataset, gaps, risk_view, plot
    ds = load_dataset()
    plot.plot_network(ds, "2026-11-29")
    plot.plot_gaps_per_grid(gaps(ds, "2026-11-29"))
    plot.plot_risk_per_grid(risk_view(ds, "2026-11-29"))

Chinese text needs a CJK font: :func:`setup_cjk_font` (called by every plot
function) looks for one in matplotlib's font manager (Noto Sans CJK SC, Source
Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang…), puts it first in
``rcParams["font.family"]`` with DejaVu Sans as fallback, and warns
(:class:`CJKFontWarning`) when there is none: install ``fonts-noto-cjk``
(Debian/Ubuntu, see ``scripts/setup-system.sh``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graphmodel import schema
from graphmodel.dataset import column_map

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from graphmodel.dataset import Dataset

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Fonts
# ---------------------------------------------------------------------------

CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Sarasa Gothic SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans CJK TC",
    "Source Han Sans TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Arial Unicode MS",
    "Droid Sans Fallback",
)
"""Font families tried in order; Simplified Chinese sans-serif faces first."""

PROBE_TEXT = "静安寺街道网格楼宇组织风险党群服务站联络组居民区稳定较不"
"""Characters a font must have to count as a usable CJK font."""

LATIN_FALLBACK = "DejaVu Sans"


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese text would render as boxes."""


def _covers(path: Any, text: str) -> bool:
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(str(path), face_index=getattr(path, "face_index", 0))
    except (OSError, RuntimeError, TypeError):
        return False
    charmap = font.get_charmap()
    return all(ord(ch) in charmap for ch in text)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Name of an installed font family with Chinese glyphs, or None.

    Tries :data:`CJK_FONT_CANDIDATES` in order, then any font whose name says
    CJK/Han/Hei/Song/Kai/Ming; a family counts only if it has every glyph of
    :data:`PROBE_TEXT`. The answer is cached (``find_cjk_font.cache_clear()``).
    """
    from matplotlib import font_manager

    installed: dict[str, Any] = {}
    for entry in font_manager.fontManager.ttflist:
        installed.setdefault(entry.name, entry)
    candidates = [name for name in CJK_FONT_CANDIDATES if name in installed]
    pattern = re.compile(r"CJK|Han|Hei|Song|Kai|Ming|Gothic|YaHei|WenQuanYi", re.IGNORECASE)
    candidates += sorted(name for name in installed
                         if pattern.search(name) and name not in candidates)
    for name in candidates:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=name),
                                         fallback_to_default=False)
        except ValueError:
            continue
        if _covers(path, PROBE_TEXT):
            return name
    return None


_configured: str | None = None


def setup_cjk_font() -> str | None:
    """Make matplotlib draw Chinese: put a CJK font first in ``font.family``.

    Sets ``rcParams["font.family"] = [<CJK font>, "DejaVu Sans"]`` (matplotlib
    falls back glyph by glyph along the list) and ``axes.unicode_minus =
    False``. Returns the font family used, or None after warning
    (:class:`CJKFontWarning`, also logged) that no CJK font is installed.

    Also sets ``text.parse_math = False``: names from the tables are drawn as
    written, and a ``$`` in a name (``$\\frac{``) is not read as mathtext, which
    would fail when the chart is drawn.
    """
    global _configured
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False
    name = find_cjk_font()
    if name is None:
        message = ("没有找到中文字体，图中汉字将显示为方框 / no CJK font found: Chinese text in "
                   "charts will render as boxes. Install one, e.g. `apt-get install "
                   "fonts-noto-cjk` (scripts/setup-system.sh), then remove matplotlib's font "
                   "cache (~/.cache/matplotlib) so it is found.")
        log.warning(message)
        warnings.warn(message, CJKFontWarning, stacklevel=2)
        return None
    families = [name] + [f for f in (LATIN_FALLBACK,) if f != name]
    matplotlib.rcParams["font.family"] = families
    matplotlib.rcParams["axes.unicode_minus"] = False
    _configured = name
    return name


def _adopt_font(ax: Axes) -> None:
    """Give the texts an Axes created before :func:`setup_cjk_font` the current font family."""
    import matplotlib

    families = matplotlib.rcParams["font.family"]
    texts = [ax.title, ax._left_title, ax._right_title,
             ax.xaxis.label, ax.yaxis.label]
    for axis in (ax.xaxis, ax.yaxis):
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            texts += [tick.label1, tick.label2]
    for text in texts:
        text.set_fontfamily(families)
        text.set_parse_math(False)  # names are drawn as written ($ is not mathtext)


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    setup_cjk_font()
    if ax is not None:
        _adopt_font(ax)
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

GAP_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
               "#ff9da7", "#9c755f", "#bab0ac", "#2f4b7c", "#a05195")
"""One colour per gap, in GAP_NAMES order (Tableau 10 and one more), stable across charts."""

NO_GRID = "（无网格）no grid"
MAX_BARS = 40
"""Bar charts per grid show at most this many grids (the worst ones)."""
UNASSESSED_COLOUR = "#c8ccd0"


def natural_key(text: object) -> tuple[Any, ...]:
    """Sort key that orders ``G-B2`` before ``G-B10``.

    Examples
    --------
    >>> sorted(["G-B10", "G-B2", "G-R01"], key=natural_key)
    ['G-B2', 'G-B10', 'G-R01']
    """
    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def short_name(name: object, drop_prefixes: Iterable[str] = (), limit: int = 0) -> str:
    """A display name: without a trailing parenthesis note or a leading street name.

    Examples
    --------
    >>> short_name("第13立体网格（商务楼宇）")
    '第13立体网格'
    >>> short_name("静安寺街道党工委", ["静安寺街道"])
    '党工委'
    >>> short_name("静安寺街道党群服务站（高和大厦）", ["静安寺街道"], limit=8)
    '党群服务站（高…'
    """
    text = "" if name is None or (isinstance(name, float) and math.isnan(name)) else str(name)
    for prefix in drop_prefixes:
        if prefix and text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    if not limit:
        text = re.sub(r"[（(][^（）()]*[）)]$", "", text) or text
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    return text


def gap_titles() -> dict[str, tuple[str, str]]:
    """``{gap name: (title_zh, title_en)}`` in GAP_NAMES order."""
    from graphmodel.gaps import GAP_NAMES
    from graphmodel.queries import get_query

    return {name: (get_query(name).title_zh, get_query(name).title_en) for name in GAP_NAMES}


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=12,
            color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def _missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _grid_labels(ids: Sequence[object], names: Sequence[object]) -> list[str]:
    labels = []
    for grid_id, name in zip(ids, names, strict=True):
        labels.append(NO_GRID if _missing(grid_id) else short_name(name) or str(grid_id))
    return labels


def place_label(grid_id: object, grid_name: object, area_id: object = None,
                area_name: object = None) -> str:
    """How a finding's place is named on a chart: its grid, with its residential area.

    A residential grid is named after its area (``华山居民区 · 第1网格``), a
    finding about an area itself by the area, a business grid by itself.

    Examples
    --------
    >>> place_label("G1", "第1网格", "A1", "华山居民区")
    '华山居民区 · 第1网格'
    >>> place_label("G1", "华山居民区第1网格", "A1", "华山居民区")
    '华山居民区第1网格'
    >>> place_label(None, None, "A1", "华山居民区")
    '华山居民区（居民区 area）'
    >>> place_label("G9", "第5立体网格（商务楼宇）")
    '第5立体网格'
    """
    area = "" if _missing(area_id) else short_name(area_name) or str(area_id)
    if _missing(grid_id):
        return f"{area}（居民区 area）" if area else NO_GRID
    grid = short_name(grid_name) or str(grid_id)
    if area and not grid.startswith(area):
        return f"{area} · {grid}"
    return grid


def _place_frame(found: pd.DataFrame) -> pd.DataFrame:
    """``key`` (grid id, else area id, else "") and ``label`` of each finding's place."""
    def column(name: str) -> pd.Series:
        if name in found.columns:
            values = found[name].astype(object)
            return values.where(values.notna(), None)
        return pd.Series([None] * len(found), index=found.index, dtype=object)

    grid_id, grid_name = column("grid_id"), column("grid_name")
    area_id, area_name = column("area_id"), column("area_name")
    keys = [g if not _missing(g) else a if not _missing(a) else ""
            for g, a in zip(grid_id, area_id, strict=True)]
    labels = [place_label(*row) for row in zip(grid_id, grid_name, area_id, area_name,
                                               strict=True)]
    return pd.DataFrame({"key": keys, "label": labels}, index=found.index)


# ---------------------------------------------------------------------------
# Gaps per grid
# ---------------------------------------------------------------------------


def plot_gaps_per_grid(found: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars: findings per grid, stacked by gap.

    Parameters
    ----------
    found : pandas.DataFrame
        Findings of :func:`graphmodel.gaps.gaps` (``gap``, ``grid_id``, ``grid_name``;
        ``area_id`` and ``area_name`` name a residential grid's area, and place
        the findings about an area itself).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    titles = gap_titles()
    places = _place_frame(found)
    frame = pd.DataFrame({"gap": found["gap"].astype(object), "grid_id": places["key"]},
                         index=found.index)
    frame["grid_name"] = frame["grid_id"].map(  # one label per place
        places.drop_duplicates("key").set_index("key")["label"])
    rows = min(max(frame["grid_id"].nunique(), 1), MAX_BARS)
    ax = _new_axes(ax, (11, 2.2 + 0.34 * rows))
    ax.set_title("各网格覆盖缺口 Coverage gaps per grid", loc="left", fontsize=13,
                 fontweight="bold")
    if not len(frame):
        _empty(ax, "未发现覆盖缺口 / no coverage gaps found")
        return ax
    table = pd.crosstab([frame["grid_id"], frame["grid_name"]], frame["gap"])
    table = table.reindex(columns=[g for g in titles if g in table.columns])
    totals = table.sum(axis=1)
    table = table.loc[sorted(table.index, key=lambda k: (-int(totals[k]), natural_key(k[0])))]
    hidden = len(table) - MAX_BARS
    if hidden > 0:
        table = table.iloc[:MAX_BARS]
        ax.set_title(f"各网格覆盖缺口（缺口最多的{MAX_BARS}个网格，另有{hidden}个未列出）\n"
                     f"Coverage gaps per grid (top {MAX_BARS}; {hidden} more grids not shown)",
                     loc="left", fontsize=13, fontweight="bold")
    labels = [str(k[1]) for k in table.index]
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    colours = dict(zip(titles, GAP_COLOURS, strict=False))
    for gap in table.columns:
        values = table[gap].to_numpy()
        zh, en = titles[gap]
        ax.barh(y, values, left=left, color=colours[gap], edgecolor="white", linewidth=0.6,
                label=f"{zh} {en}")
        left += values
    for yy, total in zip(y, left, strict=True):
        ax.text(total + 0.08, yy, str(int(total)), va="center", fontsize=9)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlabel("缺口数 findings")
    ax.set_xlim(0, left.max() * 1.12 + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.9, title="缺口 gap",
              title_fontsize=8)
    return ax


# ---------------------------------------------------------------------------
# Five-colour distribution per grid
# ---------------------------------------------------------------------------


def _level_label(level: schema.RiskLevel) -> str:
    return f"{level.level} {level.label_zh}（{level.colour_zh}）{level.label_en}"


OTHERS = "__others__"
"""The grid id of the bar that sums the grids a capped chart leaves out."""


def plot_risk_per_grid(view: pd.DataFrame, ax: Axes | None = None,
                       top: int | None = None) -> Axes:
    """Horizontal bars: companies per grid, stacked by their latest five-colour level.

    Parameters
    ----------
    view : pandas.DataFrame
        A :func:`graphmodel.risk.risk_view` result (``grid_id``, ``grid_name``,
        ``level``; ``followup`` adds an overdue count per grid).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    top : int, optional
        Show the ``top`` grids with the most red, then orange companies, and one bar
        "其他 others" summing the rest (default: up to :data:`MAX_BARS` grids).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from graphmodel.risk import risk_distribution

    grids = min(view["grid_id"].nunique() if len(view) else 1, MAX_BARS)
    ax = _new_axes(ax, (11, 2.4 + 0.3 * grids))
    ax.set_title("各网格五色风险分布 Five-colour risk per grid (latest assessment per company)",
                 loc="left", fontsize=13, fontweight="bold")
    if not len(view):
        _empty(ax, "没有风险评估 / no risk assessments")
        return ax
    table = risk_distribution(view, by="grid")
    titles = [c for c in table.columns if c not in ("grid_id", "grid_name", "total")]
    others = None
    if top is not None and len(table) > top:  # the worst grids, then one bar for the rest
        worst = table.sort_values([titles[4], titles[3], "total"], ascending=False,
                                  kind="stable")
        rest = worst.iloc[top:]
        others = {"grid_id": OTHERS, "grid_name": f"其他 {len(rest)} 个网格 {len(rest)} others",
                  **{c: int(rest[c].sum()) for c in [*titles, "total"]}}
        table = worst.iloc[:top].reset_index(drop=True)
        ax.set_title(f"各网格五色风险分布（红橙最多的{top}个网格，其余{len(rest)}个合并）\n"
                     f"Five-colour risk per grid (top {top} by red and orange; the other "
                     f"{len(rest)} in one bar)", loc="left", fontsize=13, fontweight="bold")
    hidden = len(table) - MAX_BARS
    if hidden > 0:  # keep the grids with most red, then orange, then companies
        worst = table.sort_values([titles[4], titles[3], "total"], ascending=False,
                                  kind="stable")
        table = worst.iloc[:MAX_BARS].reset_index(drop=True)
        ax.set_title(f"各网格五色风险分布（红橙最多的{MAX_BARS}个网格，另有{hidden}个未列出）\n"
                     f"Five-colour risk per grid (top {MAX_BARS} by red and orange; {hidden} "
                     "more not shown)", loc="left", fontsize=13, fontweight="bold")
    table = table.iloc[sorted(range(len(table)), key=lambda i: natural_key(table["grid_id"][i]))]
    overdue: dict[str, int] = {}
    if "followup" in view.columns:
        late = view[view["followup"] == "overdue"]
        overdue = late["grid_id"].astype(object).fillna("").value_counts().to_dict()
    if others is not None:
        overdue[OTHERS] = sum(n for g, n in overdue.items() if g not in set(table["grid_id"]))
        table = pd.concat([table, pd.DataFrame([others])], ignore_index=True)
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for title, level in zip(titles, schema.RISK_LEVELS, strict=True):
        values = table[title].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=level.hex, edgecolor="white", linewidth=0.5,
                label=_level_label(level))
        left += values
    shown = left[:-1] if others is not None and len(left) > 1 else left
    right = shown.max() * 1.25 + 1  # the "others" bar is cut at the edge, its total written
    for yy, total, grid in zip(y, left, table["grid_id"], strict=True):
        text = str(int(total))
        if overdue.get(grid):
            text += f"  逾期未跟进 overdue {overdue[grid]}"
        ax.text(min(total, right * 0.78) + 0.3, yy, text, va="center", fontsize=8,
                color="#d62d20" if overdue.get(grid) else "#333333")
    labels = _grid_labels(list(table["grid_id"]), list(table["grid_name"]))
    if others is not None:
        labels[-1] = str(others["grid_name"])
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("企业数 companies assessed")
    ax.set_xlim(0, right)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, title="五色等级 level", title_fontsize=8,
              framealpha=0.9)
    return ax


# ---------------------------------------------------------------------------
# Gap counts over time
# ---------------------------------------------------------------------------

HISTORY_COLUMNS = ["report", "generated_at", "as_of", "gap", "count"]


def plot_gap_history(history: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Lines: findings per gap (and in total) across successive reports.

    Parameters
    ----------
    history : pandas.DataFrame
        One row per report and gap: ``report`` (folder name), ``generated_at``
        (ISO timestamp), ``as_of`` (date), ``gap``, ``count``; see
        :func:`graphmodel.report.gap_history`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax, (11, 6.5))
    ax.set_title("覆盖缺口变化 Gap counts across reports", loc="left", fontsize=13,
                 fontweight="bold")
    if not len(history):
        _empty(ax, "还没有历史报告 / no reports yet")
        return ax
    titles = gap_titles()
    colours = dict(zip(titles, GAP_COLOURS, strict=False))
    runs = (history[["report", "generated_at", "as_of"]].drop_duplicates("report")
            .sort_values(["as_of", "generated_at", "report"]).reset_index(drop=True))
    table = history.pivot_table(index="report", columns="gap", values="count", aggfunc="sum",
                                fill_value=0).reindex(index=list(runs["report"]), fill_value=0)
    x = np.arange(len(runs))
    for gap in [g for g in titles if g in table.columns]:
        zh, en = titles[gap]
        ax.plot(x, table[gap].to_numpy(), marker="o", markersize=4, linewidth=1.6,
                color=colours[gap], label=f"{zh} {en}")
    ax.plot(x, table.sum(axis=1).to_numpy(), marker="s", markersize=5, linewidth=2.6,
            color="#222222", label="合计 total")
    step = max(1, math.ceil(len(runs) / 12))
    ticks = list(range(0, len(runs), step))
    labels = []
    for i in ticks:
        generated = str(runs["generated_at"][i])[:16].replace("T", " ")
        labels.append(f"{runs['as_of'][i]}\n生成 {generated[5:]}")
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set_xlim(-0.5, len(runs) - 0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("报告（评估日期 as of / 生成时间 generated）")
    ax.set_ylabel("缺口数 findings")
    ax.grid(color="#e5e5e5", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
              frameon=False)
    return ax


# ---------------------------------------------------------------------------
# Sector matrix heatmap
# ---------------------------------------------------------------------------


def plot_sector_matrix(matrix_table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Heatmap of active links from sector to sector, with the counts written in.

    Parameters
    ----------
    matrix_table : pandas.DataFrame
        A square table from :func:`graphmodel.linkages.sector_matrix_table`
        (rows = source sector, columns = target sector).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax, (9, 8))
    table = matrix_table.astype("int64")
    values = table.to_numpy()
    vmax = max(int(values.max()) if values.size else 0, 1)
    from matplotlib.colors import PowerNorm

    norm = PowerNorm(gamma=0.5, vmin=0, vmax=vmax)  # small counts stay visible next to big
    image = ax.imshow(values, cmap="YlGnBu", norm=norm)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if values[i, j]:
                dark = norm(values[i, j]) > 0.55
                ax.text(j, i, str(values[i, j]), ha="center", va="center", fontsize=9,
                        color="white" if dark else "#222222")
    ax.set_xticks(range(len(table.columns)),
                  [schema.SECTOR_LABELS.get(c, str(c)) for c in table.columns], rotation=40,
                  ha="right", rotation_mode="anchor", fontsize=9)
    ax.set_yticks(range(len(table.index)),
                  [schema.SECTOR_LABELS.get(c, str(c)) for c in table.index], fontsize=9)
    ax.set_xlabel("目标领域 target sector")
    ax.set_ylabel("来源领域 source sector")
    ax.set_title("跨领域关系矩阵 Sector matrix (active links, source → target)", loc="left",
                 fontsize=12, fontweight="bold")
    ax.figure.colorbar(image, ax=ax, shrink=0.7, label="关系数 links")
    return ax


# ---------------------------------------------------------------------------
# The network map
# ---------------------------------------------------------------------------

CROSS_LINK_TYPES = ("LEADS", "PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF", "SERVES")
"""Contract links drawn as coloured curves on the network map."""

LINK_STYLE: dict[str, dict[str, Any]] = {
    "LEADS": {"color": "#c2185b", "lw": 1.7},
    "PARTNERS_WITH": {"color": "#00838f", "lw": 1.7},
    "SUPPORTS": {"color": "#8d6e63", "lw": 1.5},
    "MENTORS": {"color": "#7b1fa2", "lw": 1.5},
    "MEMBER_OF": {"color": "#3f51b5", "lw": 1.1},
    "SERVES": {"color": "#9e9d24", "lw": 1.3},
    "COVERS": {"color": "#7f8c8d", "lw": 0.9, "ls": (0, (3, 2))},
}
"""Colour and width of each link type on the map (chosen apart from the five risk colours)."""

HALO = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
"""Background of labels drawn over lines."""

MIN_SLOTS = 44
"""A ring has at least this many slots, so few nodes are not spread around the circle."""

R_STREET_ORGS = 1.45
R_AREA = 2.55
R_GRID = 3.45
R_PLACE = 4.6
R_ORG = 5.55

PAD_KIND, PAD_AREA, PAD_GRID = 5, 3, 1
"""Empty slots between the residential and business parts, between areas, between grids."""


@dataclass
class NetworkLayout:
    """Positions and attributes of what :func:`plot_network` draws.

    Attributes
    ----------
    pos : dict
        Node id -> (x, y).
    angle : dict
        Node id -> angle in radians (ring nodes only).
    label : dict
        Node id -> graph label (Street, ResidentialArea, Grid, Building, Organization).
    hierarchy : list of (child, parent)
        Containment and location lines (area-street, residential grid-area,
        business grid-street, building-grid, organisation-place).
    links : list of (source, target, type, weight)
        Active contract links between drawn nodes (company links moved to their
        building and counted in ``weight``).
    risk : dict
        Building id -> worst latest risk level (1..5) of its companies.
    companies : dict
        Building id -> number of companies.
    outside : set
        Organisations without a location (outside the area).
    wedges : list of (grid id, start angle, end angle)
        The angular sector of each grid.
    area_wedges : list of (area id, start angle, end angle)
        The angular sector of each residential area: it holds the sectors of
        its micro-grids (and the organisations located in the area itself).
    grid_area : dict
        Residential grid id -> its area id.
    """

    pos: dict[str, tuple[float, float]] = field(default_factory=dict)
    angle: dict[str, float] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    hierarchy: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str, int]] = field(default_factory=list)
    risk: dict[str, int] = field(default_factory=dict)
    companies: dict[str, int] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)
    wedges: list[tuple[str, float, float]] = field(default_factory=list)
    area_wedges: list[tuple[str, float, float]] = field(default_factory=list)
    grid_area: dict[str, str] = field(default_factory=dict)
    slots: int = 0

    @property
    def size(self) -> float:
        """Figure size (inches, square) that keeps the outer labels apart."""
        return float(min(20.0, max(11.0, 11.0 + 9.0 * (self.slots - 30) / 80)))


def _polar(radius: float, angle: float) -> tuple[float, float]:
    return radius * math.cos(angle), radius * math.sin(angle)


def _circular_mean(angles: Sequence[float]) -> float | None:
    if not angles:
        return None
    return math.atan2(sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles))


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def network_layout(ds: Dataset, as_of: dt.date | str | None = None) -> NetworkLayout:
    """Radial layout of the street, its areas and grids, places and organisations.

    The street is at the centre. The outer rings are cut into angular
    sectors following the place hierarchy: first the residential areas (in
    id order), each holding the sectors of its micro-grids (residential
    grids) and then the organisations located in the area itself; then the
    business grids over the office towers. Areas sit on the inner ring
    :data:`R_AREA` in the middle of their sector, grids on :data:`R_GRID`,
    buildings on :data:`R_PLACE` inside their grid's sector, organisations on
    the outer ring next to the place they are located in (one slot each, so
    none overlap); organisations of the street as a whole (or without
    location) sit on a small inner ring, turned towards the organisations
    they are linked to.
    """
    from graphmodel.gaps import active_links, latest_assessments
    from graphmodel.queries import as_of_timestamp

    day = as_of_timestamp(as_of)
    layout = NetworkLayout()
    streets = list(ds["streets"]["id"])
    grids = ds["grids"]
    areas, buildings, companies = ds["residential_areas"], ds["buildings"], ds["companies"]
    orgs = ds["organizations"]
    grid_kind = dict(zip(grids["id"], grids["kind"], strict=True))
    grid_street = dict(zip(grids["id"], grids["street_id"], strict=True))
    area_column = grids["area_id"] if "area_id" in grids.columns else pd.Series(
        [None] * len(grids), index=grids.index, dtype=object)
    area_ids = sorted(areas["id"], key=natural_key)
    area_street = dict(zip(areas["id"], areas["street_id"], strict=True)) \
        if "street_id" in areas.columns else {}
    known_areas = set(area_ids)
    layout.grid_area = {g: a for g, a in zip(grids["id"], area_column, strict=True)
                        if a in known_areas}
    area_grids: dict[str, list[str]] = defaultdict(list)
    for grid in sorted(layout.grid_area, key=natural_key):
        area_grids[layout.grid_area[grid]].append(grid)
    loose = sorted((g for g in grid_kind if g not in layout.grid_area),
                   key=lambda g: (grid_kind[g] != "residential", natural_key(g)))
    building_grid = dict(zip(buildings["id"], buildings["grid_id"], strict=True))
    company_building = dict(zip(companies["id"], companies["building_id"], strict=True))
    layout.companies = companies["building_id"].value_counts().astype(int).to_dict()

    for node in streets:
        layout.label[node] = "Street"
    for node in area_ids:
        layout.label[node] = "ResidentialArea"
    for node in grids["id"]:
        layout.label[node] = "Grid"
    for node in buildings["id"]:
        layout.label[node] = "Building"

    # where each organisation hangs: a building, a grid, an area, or the centre
    anchor: dict[str, str | None] = {}
    for org, located in zip(orgs["id"], orgs["located_in"], strict=True):
        layout.label[org] = "Organization"
        where = _text_or_none(located)
        where = company_building.get(where, where) if where else None
        if where is None:
            layout.outside.add(org)
        anchor[org] = where if where in building_grid or where in grid_kind \
            or where in known_areas else None
    parent_of = dict(zip(orgs["id"], orgs["parent_id"], strict=True))
    sector_of = dict(zip(orgs["id"], orgs["sector"], strict=True))
    at_place: dict[str, list[str]] = defaultdict(list)
    for org in sorted(anchor, key=natural_key):
        if anchor[org] is not None:
            at_place[anchor[org]].append(org)  # type: ignore[index]
    children: dict[str, list[str]] = defaultdict(list)
    for building in sorted(building_grid, key=natural_key):
        children[building_grid[building]].append(building)

    # angular slots on the outer ring: area by area (grid by grid inside), then loose grids
    Entry = tuple[str, str | None, str | None, str, list[str]]  # (part, area, grid, place, orgs)
    sequence: list[Entry] = []

    def grid_entries(part: str, area: str | None, grid: str) -> None:
        for place in children[grid]:
            sequence.append((part, area, grid, place,
                             _org_order(at_place.get(place, []), parent_of, sector_of)))
        for org in at_place.get(grid, []):
            sequence.append((part, area, grid, grid, [org]))
        if not children[grid] and not at_place.get(grid):
            sequence.append((part, area, grid, grid, []))

    for area in area_ids:
        for grid in area_grids.get(area, []):
            grid_entries("residential", area, grid)
        for org in _org_order(at_place.get(area, []), parent_of, sector_of):
            sequence.append(("residential", area, None, area, [org]))
        if not area_grids.get(area) and not at_place.get(area):
            sequence.append(("residential", area, None, area, []))
    for grid in loose:
        grid_entries("residential" if grid_kind[grid] == "residential" else "business", None,
                     grid)
    slots: list[tuple[str | None, str | None, str | None, str | None]] = []
    empty = (None, None, None, None)
    previous: Entry | None = None
    for entry in sequence:
        part, area, grid, place, members = entry
        if previous is not None:
            if part != previous[0]:
                slots.extend([empty] * PAD_KIND)
            elif area != previous[1]:
                slots.extend([empty] * PAD_AREA)
            elif grid != previous[2]:
                slots.extend([empty] * PAD_GRID)
        previous = entry
        for org in members or [None]:
            slots.append((area, grid, place, org))
    # close the circle with the kind gap; a small network keeps to an arc, not the whole ring
    slots.extend([empty] * max(PAD_KIND, MIN_SLOTS - len(slots)))
    layout.slots = sum(1 for slot in slots if slot[2] is not None)
    step = 2 * math.pi / len(slots)
    start = math.pi / 2 + step * 3  # residential areas start near 12 o'clock, clockwise

    place_slots: dict[str, list[float]] = defaultdict(list)
    grid_slots: dict[str, list[float]] = defaultdict(list)
    area_slots: dict[str, list[float]] = defaultdict(list)
    for i, (area, grid, place, org) in enumerate(slots):
        if place is None:
            continue
        theta = start - step * i
        if grid is not None:
            grid_slots[grid].append(theta)
        if area is not None:
            area_slots[area].append(theta)
        place_slots[place].append(theta)
        if org is not None:
            layout.angle[org] = theta
            layout.pos[org] = _polar(R_ORG, theta)
    for grid, thetas in grid_slots.items():
        theta = (thetas[0] + thetas[-1]) / 2
        layout.angle[grid] = theta
        layout.pos[grid] = _polar(R_GRID, theta)
        layout.wedges.append((grid, thetas[0] + step / 2, thetas[-1] - step / 2))
    for area, thetas in area_slots.items():
        theta = (thetas[0] + thetas[-1]) / 2
        layout.angle[area] = theta
        layout.pos[area] = _polar(R_AREA, theta)
        layout.area_wedges.append((area, thetas[0] + step / 2, thetas[-1] - step / 2))
    for place, thetas in place_slots.items():
        if place in building_grid:
            theta = (thetas[0] + thetas[-1]) / 2
            layout.angle[place] = theta
            layout.pos[place] = _polar(R_PLACE, theta)
    for i, street in enumerate(streets):
        layout.pos[street] = (0.0, 0.0) if len(streets) == 1 else _polar(0.5, 2 * math.pi * i
                                                                          / len(streets))

    # links active on as_of, company endpoints moved to their building
    links = active_links(ds, day, (*CROSS_LINK_TYPES, "COVERS"))
    counted: dict[tuple[str, str, str], int] = defaultdict(int)
    for source, kind, target in zip(links["source_id"], links["type"], links["target_id"],
                                    strict=True):
        source = company_building.get(source, source)
        target = company_building.get(target, target)
        if source == target or source not in layout.label or target not in layout.label:
            continue
        counted[(source, target, kind)] += 1
    layout.links = [(s, t, k, n) for (s, t, k), n in counted.items()]

    # organisations of the whole street on the inner ring, turned to their partners
    centre = [o for o in sorted(anchor, key=natural_key) if anchor[o] is None]
    wanted: dict[str, float] = {}
    for org in centre:
        partners = [layout.angle[other] for s, t, _, _ in layout.links
                    for other in ((t,) if s == org else (s,) if t == org else ())
                    if other in layout.angle]
        mean = _circular_mean(partners)
        if mean is not None:
            wanted[org] = mean
    for org in centre:
        if org not in wanted and parent_of.get(org) in wanted:
            wanted[org] = wanted[parent_of[org]]  # type: ignore[index]
    unplaced = [o for o in centre if o not in wanted]
    for i, org in enumerate(unplaced):
        wanted[org] = math.pi / 2 - 2 * math.pi * (i + 0.5) / max(len(unplaced), 1)
    # the inner ring keeps clear of the areas' labels and the business grids' lines
    taken = [layout.angle[a] for a in area_slots] + [layout.angle[g] for g in loose
                                                     if g in layout.angle]
    _spread_inner(layout, centre, wanted, taken)
    located_in = dict(zip(orgs["id"], orgs["located_in"], strict=True))
    for org in centre:
        located = _text_or_none(located_in.get(org))
        target = located if layout.label.get(located or "") == "Street" else (
            streets[0] if streets else None)
        if org not in layout.outside and target is not None:
            layout.hierarchy.append((org, target))
    for area in area_slots:
        street = area_street.get(area)
        if street in layout.label:
            layout.hierarchy.append((area, street))
    for grid in grid_slots:
        layout.hierarchy.append((grid, layout.grid_area.get(grid) or grid_street[grid]))
    for building, grid in building_grid.items():
        layout.hierarchy.append((building, grid))
    for org, where in anchor.items():
        if where is not None:
            layout.hierarchy.append((org, where))

    latest = latest_assessments(ds, day)
    worst = latest.assign(building=latest["company_id"].map(company_building)).groupby(
        "building")["level"].max()
    layout.risk = {b: int(v) for b, v in worst.items()}
    return layout


def _org_order(members: list[str], parent: dict[str, Any], sector: dict[str, Any]
               ) -> list[str]:
    """Organisations of one place: parents before their children, party first."""
    if len(members) < 2:
        return members
    sector_rank = {s: i for i, s in enumerate(schema.SECTORS)}
    inside = set(members)
    roots = [m for m in members if parent.get(m) not in inside]
    ordered: list[str] = []

    def visit(node: str) -> None:
        if node in ordered:
            return
        ordered.append(node)
        for child in sorted((m for m in members if parent.get(m) == node), key=natural_key):
            visit(child)

    for root in sorted(roots, key=lambda m: (sector_rank.get(sector.get(m), 99),
                                              natural_key(m))):
        visit(root)
    for member in members:  # parent cycles have no root: keep them all the same
        visit(member)
    return ordered


def _free_angles(taken: list[float], count: int) -> list[float]:
    """Angles between the ``taken`` ones (grid labels), at least ``count`` of them if possible.

    Each gap between neighbouring taken angles gets points evenly inside it, never on a
    taken angle, so the inner ring's labels fall between the grids' labels.
    """
    full = 2 * math.pi
    if not taken:
        return [math.pi / 2 - full * i / max(count, 1) for i in range(max(count, 1))]
    ordered = sorted(a % full for a in taken)
    spacing = full / max(24, 2 * count)
    free = []
    for i, start in enumerate(ordered):
        end = ordered[i + 1] if i + 1 < len(ordered) else ordered[0] + full
        gap = end - start
        k = max(1, int(gap / spacing))
        free += [(start + gap * (j + 1) / (k + 1)) % full for j in range(k)]
    return sorted(free)


def _spread_inner(layout: NetworkLayout, nodes: list[str], wanted: dict[str, float],
                  taken: list[float]) -> None:
    """Put ``nodes`` on the inner ring in the order of their wanted angles, each on a free
    angle between the grid labels, as close as possible to where they want to be."""
    if not nodes:
        return
    full = 2 * math.pi
    order = sorted(nodes, key=lambda n: wanted[n] % full)
    free = _free_angles(taken, len(order))
    if len(free) < len(order):
        free = [math.pi / 2 - full * i / len(order) for i in range(len(order))][::-1]
        free = sorted(a % full for a in free)
    m, n = len(free), len(order)
    best: list[float] = []
    best_cost = float("inf")
    for start in range(m):  # spread the nodes evenly over the free angles, best rotation
        chosen = [free[(start + (i * m) // n) % m] for i in range(n)]
        cost = sum(((c - wanted[node] + math.pi) % full - math.pi) ** 2
                   for c, node in zip(chosen, order, strict=True))
        if cost < best_cost:
            best, best_cost = chosen, cost
    for node, theta in zip(order, best, strict=True):
        layout.angle[node] = theta
        layout.pos[node] = _polar(R_STREET_ORGS, theta)


def _curve(p: tuple[float, float], q: tuple[float, float], bend: float | None = None):
    """A quadratic Bézier path from p to q bowing towards the centre."""
    from matplotlib.path import Path

    mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
    if bend is None:
        a1, a2 = math.atan2(p[1], p[0]), math.atan2(q[1], q[0])
        apart = abs((a1 - a2 + math.pi) % (2 * math.pi) - math.pi) / math.pi  # 0..1
        bend = 0.82 - 0.5 * apart
    return Path([p, (mx * bend, my * bend), q], [Path.MOVETO, Path.CURVE3, Path.CURVE3])


def _radial_text(ax: Axes, radius: float, angle: float, text: str, outward: bool = True,
                 **kwargs: Any) -> None:
    x, y = _polar(radius, angle)
    degrees = math.degrees(angle) % 360
    right_side = degrees <= 90 or degrees >= 270
    rotation = degrees if right_side else degrees - 180
    ha = "left" if right_side == outward else "right"
    ax.text(x, y, text, rotation=rotation, rotation_mode="anchor", ha=ha, va="center",
            **kwargs)


AREA_FILLS = ("#dcefe1", "#e9f5ec")
"""Alternating fills of the residential areas' sectors (each holds its micro-grids)."""
BUSINESS_FILLS = ("#e6eaf1", "#f1f3f7")
"""Alternating fills of the business grids' sectors."""


def gap_marks(ds: Dataset, found: pd.DataFrame | None = None,
              as_of: dt.date | str | None = None,
              layout: NetworkLayout | None = None) -> dict[str, int]:
    """Where :func:`plot_network` marks the findings: drawn node id -> number of findings.

    A finding is marked on its place (:func:`graphmodel.finding_places`) when the map
    draws it, else on the nearest drawn container: a company's building, then the grid,
    then the residential area (people, companies and records are not drawn).

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    found : pandas.DataFrame, optional
        Findings (default: every built-in gap on ``as_of``).
    as_of : datetime.date or str, optional
        Evaluation date (default today).
    layout : NetworkLayout, optional
        The map's layout (default :func:`network_layout`).

    Examples
    --------
    >>> from graphmodel import load_dataset
    >>> marks = gap_marks(load_dataset(), as_of="2026-11-29")
    >>> sum(marks.values()) > 0
    True
    """
    from graphmodel.gaps import finding_places, gaps

    layout = layout or network_layout(ds, as_of)
    if found is None:
        found = gaps(ds, as_of)
    if not len(found):
        return {}
    places = finding_places(ds, found)
    marks: dict[str, int] = {}
    for place, grid, area in zip(places, found.get("grid_id", [None] * len(found)),
                                 found.get("area_id", [None] * len(found)), strict=True):
        steps = [place if isinstance(place, str) else None]
        if isinstance(place, str):
            steps += [ds.place_building.get(place), ds.place_grid.get(place),
                      ds.place_area.get(place)]
        steps += [grid, area]
        node = next((s for s in steps if isinstance(s, str) and s in layout.pos), None)
        if node is not None:
            marks[node] = marks.get(node, 0) + 1
    return marks


def _grid_nodes(ds: Dataset, layout: NetworkLayout, grid: str) -> list[str]:
    """The drawn nodes of one grid: the grid, its buildings and the organisations in it."""
    inside = {p for p, g in ds.place_grid.items() if g == grid}
    nodes = [n for n in layout.pos if n in inside]
    nodes += [child for child, parent in layout.hierarchy
              if parent in inside and layout.label.get(child) == "Organization"]
    return list(dict.fromkeys(nodes))


def plot_grid(ds: Dataset, grid: str, as_of: dt.date | str | None = None,
              ax: Axes | None = None, found: pd.DataFrame | None = None) -> Axes:
    """The network map zoomed on one grid, findings marked: ``plot_network(grid=...)``."""
    return plot_network(ds, as_of, ax=ax, found=found, grid=grid)


def plot_network(ds: Dataset, as_of: dt.date | str | None = None, ax: Axes | None = None,
                 title: str | None = None, overview: bool | None = None,
                 found: pd.DataFrame | None = None, marks: bool = True,
                 grid: str | None = None) -> Axes:
    """The network map: street, areas, grids, places and organisations with cross-sector links.

    A radial tree following the place hierarchy: the street in the centre;
    each residential area (居民区) a green sector holding its micro-grids
    (平面网格), with the area on the inner ring and its grids on the next; then
    the business grids (立体网格) with their office towers; buildings on the
    next ring inside their grid's sector; organisations on the outer ring next
    to where they are located (street-wide organisations on a small inner
    ring). Contract links active on ``as_of`` between them are drawn as
    coloured curves (LEADS, PARTNERS_WITH, SUPPORTS, MENTORS, MEMBER_OF,
    SERVES; COVERS dashed); a company's links are drawn from its building.
    Nodes are coloured by label (:data:`schema.NODE_LABELS`), buildings by the
    worst latest five-colour level of their companies and sized by how many
    companies they house. People, companies and records are not drawn.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    as_of : datetime.date or str, optional
        Evaluation date for links and risk levels (default today).
    ax : matplotlib Axes, optional
        Where to draw (square works best); a new square figure (11 to 20 inches,
        see :attr:`NetworkLayout.size`) when omitted.
    title : str, optional
        Figure title (default names the street and the date).
    overview : bool, optional
        Draw :func:`plot_street_overview` instead (one node per street); the
        default for a dataset of several streets, where the detailed map would
        hold thousands of nodes.
    found : pandas.DataFrame, optional
        The findings to mark (default: every built-in gap on ``as_of``).
    marks : bool
        Mark findings: a red halo and a badge with the count on the place, or its
        nearest drawn container (:func:`gap_marks`; ``ax.gap_marks`` holds them).
    grid : str, optional
        Zoom on one grid (its buildings and organisations); see :func:`plot_grid`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch, Wedge

    from graphmodel.queries import parse_as_of

    day = parse_as_of(as_of)
    if overview is None:
        overview = len(ds["streets"]) > 1
    if overview:
        return plot_street_overview(ds, day, ax=ax, title=title)
    layout = network_layout(ds, day)
    zoom = grid  # ``grid`` names loop variables below
    if zoom is not None and zoom not in set(ds["grids"]["id"]):
        raise ValueError(f"unknown grid {zoom!r}; known: "
                         + ", ".join(sorted(map(str, ds["grids"]["id"]), key=natural_key)[:12]))
    ax = _new_axes(ax, (layout.size, layout.size) if zoom is None else (11, 11))
    names = ds.names
    street_names = [str(n) for n in ds["streets"]["name"]]
    colours = {name: label.colour for name, label in schema.NODE_LABELS.items()}
    outer = R_ORG + 0.3

    # residential areas: one sector each, holding their grids; business grids: light bands
    for i, (_, a0, a1) in enumerate(layout.area_wedges):
        ax.add_patch(Wedge((0, 0), outer, math.degrees(a1), math.degrees(a0),
                           width=outer - (R_AREA - 0.4), facecolor=AREA_FILLS[i % 2],
                           edgecolor="#8fc19c", linewidth=0.9, zorder=0))
    business = 0
    for grid, a0, a1 in layout.wedges:
        if grid in layout.grid_area:  # a micro-grid: a faint band inside its area
            ax.add_patch(Wedge((0, 0), outer, math.degrees(a1), math.degrees(a0),
                               width=outer - (R_GRID - 0.35), facecolor="white", alpha=0.35,
                               edgecolor="#b9dcc2", linewidth=0.5, zorder=0))
        else:
            ax.add_patch(Wedge((0, 0), outer, math.degrees(a1), math.degrees(a0),
                               width=outer - (R_GRID - 0.35),
                               facecolor=BUSINESS_FILLS[business % 2], edgecolor="none",
                               zorder=0))
            business += 1

    # hierarchy: thin grey lines
    for child, parent in layout.hierarchy:
        if child in layout.pos and parent in layout.pos:
            (x0, y0), (x1, y1) = layout.pos[child], layout.pos[parent]
            faint = layout.label.get(parent) == "Street"
            ax.plot([x0, x1], [y0, y1], color="#cfd4d9" if faint else "#b8bec4",
                    linewidth=0.5 if faint else 0.6, zorder=1)

    # contract links: curves
    for source, target, kind, weight in sorted(layout.links, key=lambda e: e[2] != "COVERS"):
        style = LINK_STYLE[kind]
        path = _curve(layout.pos[source], layout.pos[target])
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=style["color"],
                               linewidth=style["lw"] * (1 + 0.35 * math.log2(weight)),
                               linestyle=style.get("ls", "-"),
                               alpha=0.55 if kind == "COVERS" else 0.8,
                               zorder=2 if kind == "COVERS" else 3))

    # nodes
    def scatter(nodes: list[str], **kwargs: Any) -> None:
        if nodes:
            xy = np.array([layout.pos[n] for n in nodes])
            ax.scatter(xy[:, 0], xy[:, 1], **kwargs)

    by_label: dict[str, list[str]] = defaultdict(list)
    for node, label in layout.label.items():
        if node in layout.pos:
            by_label[label].append(node)
    micro = [g for g in by_label["Grid"] if g in layout.grid_area]
    business_grids = [g for g in by_label["Grid"] if g not in layout.grid_area]
    scatter(micro, s=110, marker="s", color=colours["Grid"], edgecolor="white", linewidth=1,
            zorder=6)
    scatter(business_grids, s=150, marker="D", color=colours["Grid"], edgecolor="#34495e",
            linewidth=1.2, zorder=6)
    scatter(by_label["ResidentialArea"], s=260, marker="h", color=colours["ResidentialArea"],
            edgecolor="white", linewidth=1.2, zorder=6)
    levels = {r.level: r.hex for r in schema.RISK_LEVELS}
    buildings = by_label["Building"]
    scatter(buildings, marker="s", zorder=6, linewidth=1.4, edgecolor=colours["Building"],
            s=[40 + 14 * math.sqrt(layout.companies.get(b, 0)) ** 2 / 2 for b in buildings],
            color=[levels.get(layout.risk.get(b, 0), UNASSESSED_COLOUR) for b in buildings])
    inside = [o for o in by_label["Organization"] if o not in layout.outside]
    scatter(inside, s=55, marker="o", color=colours["Organization"], edgecolor="white",
            linewidth=0.8, zorder=7)
    scatter(sorted(layout.outside), s=55, marker="o", color="white",
            edgecolor=colours["Organization"], linewidth=1.4, zorder=7)

    # findings: a red halo and a badge with the count
    marked = gap_marks(ds, found, day, layout) if marks else {}
    ax.gap_marks = marked  # type: ignore[attr-defined]  # what was marked, for callers
    if marked:
        nodes = sorted(marked, key=natural_key)
        scatter(nodes, s=[420 + 60 * min(marked[n], 8) for n in nodes], marker="o",
                facecolor="none", edgecolor="#d62d20", linewidth=2.4, alpha=0.9, zorder=9)
        for node in nodes:
            x, y = layout.pos[node]
            ax.text(x + 0.12, y + 0.12, str(marked[node]), ha="center", va="center",
                    fontsize=7, fontweight="bold", color="white", zorder=10,
                    bbox={"boxstyle": "circle,pad=0.2", "facecolor": "#d62d20",
                          "edgecolor": "white", "linewidth": 0.8})

    # labels
    drop = street_names
    for street in by_label["Street"]:
        x, y = layout.pos[street]
        ax.text(x, y, short_name(names.get(street, street)), ha="center", va="center",
                fontsize=13, fontweight="bold", color="white", zorder=8,
                bbox={"boxstyle": "round,pad=0.55", "facecolor": colours["Street"],
                      "edgecolor": "white", "linewidth": 2})
    for area in by_label["ResidentialArea"]:
        _radial_text(ax, R_AREA - 0.22, layout.angle[area],
                     short_name(names.get(area, area), drop, limit=10), outward=False,
                     fontsize=8, color="#1e8449", fontweight="bold", zorder=8, bbox=HALO)
    for grid in by_label["Grid"]:
        area = layout.grid_area.get(grid)
        prefixes = [str(names.get(area, ""))] if area else []
        _radial_text(ax, R_GRID + 0.17, layout.angle[grid],
                     short_name(short_name(names.get(grid, grid), prefixes + drop), limit=8),
                     fontsize=7, color="#0e6655", zorder=8, bbox=HALO)
    for org in by_label["Organization"]:
        text = short_name(names.get(org, org), drop, limit=16)
        if org in layout.outside:
            text += "（辖区外）"
        if org in layout.angle and math.hypot(*layout.pos[org]) > R_GRID:
            _radial_text(ax, R_ORG + 0.14, layout.angle[org], text, fontsize=7.5,
                         color="#333333", zorder=8)
        else:
            _radial_text(ax, R_STREET_ORGS + 0.14, layout.angle[org], text, fontsize=7.5,
                         color="#5b2c6f", zorder=8, bbox=HALO)
    with_orgs = {parent for child, parent in layout.hierarchy
                 if layout.label.get(child) == "Organization"
                 and layout.label.get(parent) == "Building"}
    for place in buildings:
        if place not in with_orgs:
            _radial_text(ax, R_ORG + 0.14, layout.angle[place],
                         short_name(names.get(place, place), drop, limit=16),
                         fontsize=7, color="#7f8c8d", style="italic", zorder=8)
            ax.plot(*zip(layout.pos[place], _polar(R_ORG + 0.08, layout.angle[place]),
                         strict=True), color="#d5d8dc", linewidth=0.5, zorder=1)

    # legends
    node_handles = [
        Line2D([], [], marker="o", linestyle="", markersize=12, color=colours["Street"],
               label="街道 Street"),
        Line2D([], [], marker="h", linestyle="", markersize=11, color=colours["ResidentialArea"],
               label="居民区 Residential area"),
        Patch(facecolor=AREA_FILLS[0], edgecolor="#8fc19c",
              label="居民区范围（含其微网格）area with its micro-grids"),
        Line2D([], [], marker="s", linestyle="", markersize=8, color=colours["Grid"],
               label="平面网格（居民区微网格）residential grid"),
        Line2D([], [], marker="D", linestyle="", markersize=8, color=colours["Grid"],
               markeredgecolor="#34495e", label="立体网格（商务楼宇）business grid"),
        Line2D([], [], marker="s", linestyle="", markersize=9, color="white",
               markeredgecolor=colours["Building"], markeredgewidth=1.4,
               label="楼宇 Building（大小=企业数 size = companies）"),
        Line2D([], [], marker="o", linestyle="", markersize=7, color=colours["Organization"],
               label="组织 Organization"),
        Line2D([], [], marker="o", linestyle="", markersize=7, color="white",
               markeredgecolor=colours["Organization"], markeredgewidth=1.4,
               label="辖区外组织 Organization outside the area"),
        Line2D([], [], color="#b8bec4", linewidth=1, label="隶属/位于 part of / located in"),
        Line2D([], [], marker="o", linestyle="", markersize=13, color="none",
               markeredgecolor="#d62d20", markeredgewidth=2.2,
               label=f"覆盖缺口（数字=条数）findings (badge = count): {sum(marked.values())}"),
    ]
    risk_handles = [Line2D([], [], marker="s", linestyle="", markersize=10, color=r.hex,
                           markeredgecolor=colours["Building"],
                           label=f"{r.level} {r.label_zh}（{r.colour_zh}）{r.label_en}")
                    for r in schema.RISK_LEVELS]
    risk_handles.append(Line2D([], [], marker="s", linestyle="", markersize=10,
                               color=UNASSESSED_COLOUR, markeredgecolor=colours["Building"],
                               label="未评估 not assessed"))
    link_handles = [Line2D([], [], color=LINK_STYLE[k]["color"], linewidth=2.2,
                           linestyle=LINK_STYLE[k].get("ls", "-"),
                           label=f"{schema.LINK_TYPES[k].title_zh} {k}")
                    for k in (*CROSS_LINK_TYPES, "COVERS")]
    k = min(1.0, max(0.7, ax.figure.get_figwidth() / 20))  # legends shrink with the figure
    first = ax.legend(handles=node_handles, loc="upper left", fontsize=10 * k, frameon=True,
                      framealpha=0.92, title="节点 Nodes", title_fontsize=11 * k)
    ax.add_artist(first)
    second = ax.legend(handles=risk_handles, loc="upper right", fontsize=10 * k, framealpha=0.92,
                       title="楼宇颜色：企业最新评估的最高等级\nBuilding colour: worst latest "
                             "company level", title_fontsize=10 * k)
    ax.add_artist(second)
    ax.legend(handles=link_handles, loc="lower left", fontsize=10 * k, framealpha=0.92,
              title=f"有效关系 Active links on {day.isoformat()}\n（企业的关系画在其楼宇上 "
                    "company links drawn from its building）", title_fontsize=10 * k)
    street = "、".join(street_names) or ds.name
    ax.set_title(title or f"{street}治理网络图 Governance network map — {day.isoformat()}",
                 fontsize=18 * k, fontweight="bold", pad=12)
    kinds = ds["grids"]["kind"].value_counts()
    counts = (f"居民区 {len(by_label['ResidentialArea'])} areas · 网格 {len(by_label['Grid'])} "
              f"grids（平面 {int(kinds.get('residential', 0))} residential + 立体 "
              f"{int(kinds.get('business', 0))} business）· "
              f"楼宇 {len(buildings)} buildings · 企业 {len(ds['companies'])} companies · "
              f"组织 {len(by_label['Organization'])} organizations")
    ax.text(0.99, 0.01, counts, transform=ax.transAxes, ha="right", va="bottom", fontsize=9 * k,
            color="#555555")
    limit = R_ORG + 2.6
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    if zoom is not None:  # a square around the grid's nodes
        xy = np.array([layout.pos[n] for n in _grid_nodes(ds, layout, zoom)] or [(0.0, 0.0)])
        cx, cy = (xy.max(axis=0) + xy.min(axis=0)) / 2
        half = max(float((xy.max(axis=0) - xy.min(axis=0)).max()) / 2 + 1.0, 1.5)
        ax.set_xlim(cx - half, cx + half)
        ax.set_ylim(cy - half, cy + half)
        if title is None:
            ax.set_title(f"{names.get(zoom, zoom)} 网格网络图 Grid network map — "
                         f"{day.isoformat()}", fontsize=16, fontweight="bold", pad=12)
        for legend in [*ax.artists, ax.get_legend()]:  # the street's legends hide a grid
            if legend is not None:
                legend.remove()
        for text in ax.texts:
            text.set_clip_on(True)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# ---------------------------------------------------------------------------
# Overview of many streets
# ---------------------------------------------------------------------------


def entity_streets(ds: Dataset) -> pd.Series:
    """Map of entity id -> street id, for places, organisations, companies and people.

    An organisation belongs to the street of the place it is located in (none
    when it has no location); a person to the street of their organisation.
    """
    grid_street = column_map(ds["grids"], "id", "street_id")
    area_street = column_map(ds["residential_areas"], "id", "street_id")
    streets = ds["streets"]["id"]
    places = pd.concat([pd.Series(streets.values, index=streets.values, dtype=object),
                        area_street, ds.place_grid.map(grid_street)])
    places = places[~places.index.duplicated()]
    org_street = column_map(ds["organizations"], "id", "located_in").map(places)
    person_street = column_map(ds["people"], "id", "organization_id").map(org_street)
    return pd.concat([places, org_street, person_street])


def plot_street_overview(ds: Dataset, as_of: dt.date | str | None = None,
                         ax: Axes | None = None, title: str | None = None) -> Axes:
    """Overview map of a dataset of many streets: one ring node per street.

    Each street is a ring split by the five-colour levels of its companies'
    latest assessments (size = number of companies); curves are the active
    cross-sector links (LEADS, PARTNERS_WITH, SUPPORTS, MENTORS, MEMBER_OF,
    SERVES) between entities of two different streets, thicker when there are
    more. The label gives the street's grids, companies and links inside it.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    as_of : datetime.date or str, optional
        Evaluation date (default today).
    ax : matplotlib Axes, optional
        Where to draw; a new square figure when omitted.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, PathPatch, Wedge

    from graphmodel.gaps import active_links, latest_assessments
    from graphmodel.queries import parse_as_of

    day = parse_as_of(as_of)
    streets = sorted(ds["streets"]["id"], key=natural_key)
    n = max(len(streets), 1)
    ax = _new_axes(ax, (16 if n <= 40 else 20,) * 2)
    where = entity_streets(ds)
    names = ds.names
    companies = ds["companies"]["id"].map(where).value_counts()
    grids = ds["grids"]["street_id"].value_counts()
    latest = latest_assessments(ds, pd.Timestamp(day))
    levels = pd.crosstab(latest["company_id"].map(where), latest["level"].astype(int))
    links = active_links(ds, pd.Timestamp(day), CROSS_LINK_TYPES)
    ends = pd.DataFrame({"a": links["source_id"].map(where).values,
                         "b": links["target_id"].map(where).values,
                         "type": links["type"].values})
    inside = ends[ends["a"].notna() & (ends["a"] == ends["b"])]["a"].value_counts()
    across = ends[ends["a"].notna() & ends["b"].notna() & (ends["a"] != ends["b"])].copy()
    pair = [tuple(sorted(p, key=natural_key)) for p in zip(across["a"], across["b"],
                                                           strict=True)]
    across["pair"] = pair
    counted = across.groupby(["pair", "type"]).size() if len(across) else pd.Series(dtype=int)

    radius = 5.2
    angle = {s: math.pi / 2 - 2 * math.pi * i / n for i, s in enumerate(streets)}
    pos = {s: _polar(radius, a) for s, a in angle.items()}
    biggest = max(int(companies.max()) if len(companies) else 1, 1)
    r_max = min(0.95, 0.42 * 2 * math.pi * radius / n)
    size = {s: r_max * max(0.4, math.sqrt(companies.get(s, 0) / biggest)) for s in streets}

    bends: dict[tuple[str, str], int] = defaultdict(int)
    for (a, b), kind in counted.index:
        style = LINK_STYLE[kind]
        k = bends[(a, b)]
        bends[(a, b)] += 1
        apart = abs((angle[a] - angle[b] + math.pi) % (2 * math.pi) - math.pi) / math.pi
        path = _curve(pos[a], pos[b], bend=0.8 - 0.55 * apart - 0.07 * k)
        weight = int(counted[((a, b), kind)])
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=style["color"], alpha=0.75,
                               linewidth=style["lw"] * (1 + 0.5 * math.log2(weight)), zorder=2))
    street_colour = schema.NODE_LABELS["Street"].colour
    for s in streets:
        x, y = pos[s]
        r = size[s]
        counts = [int(levels.loc[s, lv.level]) if s in levels.index and lv.level in levels.columns
                  else 0 for lv in schema.RISK_LEVELS]
        total = sum(counts)
        start = 90.0
        if total:
            for lv, count in zip(schema.RISK_LEVELS, counts, strict=True):
                if count:
                    sweep = 360.0 * count / total
                    ax.add_patch(Wedge((x, y), r, start - sweep, start, width=0.42 * r,
                                       facecolor=lv.hex, edgecolor="white", linewidth=0.6,
                                       zorder=4))
                    start -= sweep
        else:
            ax.add_patch(Wedge((x, y), r, 0, 360, width=0.42 * r, facecolor=UNASSESSED_COLOUR,
                               edgecolor="white", zorder=4))
        ax.add_patch(Circle((x, y), 0.5 * r, facecolor=street_colour, edgecolor="white",
                            zorder=5))
        label = (f"{short_name(names.get(s, s))}  {int(grids.get(s, 0))}网格 · "
                 f"{int(companies.get(s, 0))}企业 · {int(inside.get(s, 0))}关系")
        _radial_text(ax, radius + r + 0.12, angle[s], label, fontsize=9 if n <= 40 else 7,
                     color="#333333", zorder=6)
    risk_handles = [Line2D([], [], marker="s", linestyle="", markersize=10, color=r.hex,
                           label=f"{r.level} {r.label_zh}（{r.colour_zh}）{r.label_en}")
                    for r in schema.RISK_LEVELS]
    risk_handles.append(Line2D([], [], marker="o", linestyle="", markersize=12,
                               color=street_colour, label="街道 Street（圆环 = 企业最新评估的五色"
                               "分布，大小 = 企业数 ring: five-colour split, size: companies）"))
    link_handles = [Line2D([], [], color=LINK_STYLE[k]["color"], linewidth=2.2,
                           label=f"{schema.LINK_TYPES[k].title_zh} {k}") for k in CROSS_LINK_TYPES]
    first = ax.legend(handles=risk_handles, loc="upper left", fontsize=9, framealpha=0.92,
                      title="节点 Nodes", title_fontsize=10)
    ax.add_artist(first)
    ax.legend(handles=link_handles, loc="lower left", fontsize=9, framealpha=0.92,
              title=f"跨街道的有效关系 Links between streets, active on {day.isoformat()}\n"
                    "（越粗越多 thicker = more；标签含街道内关系数 label: links inside）",
              title_fontsize=9)
    districts = sorted({str(d) for d in ds["streets"].get("district", pd.Series()).dropna()})
    area = "、".join(districts) if 0 < len(districts) <= 3 else ds.name
    ax.set_title(title or f"{area}各街道治理网络概览 Street overview — {day.isoformat()}",
                 fontsize=16, fontweight="bold")
    limit = radius + r_max + 4.0
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
