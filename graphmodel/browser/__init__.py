"""The map in Neo4j Browser: a style sheet (GraSS) and a guide, generated from the schema.

Two files, written by :func:`write_assets` and served by the project's Neo4j server
(:mod:`graphmodel.server` serves them at ``http://localhost:7474/browser/graphmodel/`` and
applies both when a user connects, through ``browser.post_connect_cmd``):

``style.grass``
    One rule per node label of :data:`graphmodel.schema.NODE_LABELS` (its colour, its
    caption: the Chinese name), then one rule per grid kind (:data:`GRID_LABELS`:
    ``ResidentialGrid`` 平面网格, the micro-grids inside residential areas, and
    ``BusinessGrid`` 立体网格, the business-district grids over office towers), then one
    rule per five-colour risk level of :data:`graphmodel.schema.RISK_LEVELS`. GraSS selects on labels only (``node.A.B``
    matches nodes having both labels; there are no property selectors), so a company is
    coloured by its colour label (:data:`RISK_LABELS`: ``RiskGreen`` ... ``RiskRed``),
    which the Neo4j loader gives each company from its latest assessment. Later rules win,
    so the risk rules come after the label rules.
``guide.html``
    A Browser guide (``:play``): slides of runnable Cypher (click a block to put it in the
    editor) for the parameters, the maps of ``queries/map/`` and every query of
    :mod:`graphmodel.queries` (the eleven coverage gaps among them). The first slide
    explains the place hierarchy: the street holds its residential areas and its business
    grids; an area holds its micro-grids; a grid holds its buildings; a building its
    companies.

Command line (:mod:`graphmodel.cli`; ``python -m graphmodel.browser`` is the same)::

    graphmodel browser style            # print the GraSS
    graphmodel browser guide            # print the guide's HTML
    graphmodel browser write [DIR]      # write both (default: the server's dir)

This module never imports :mod:`graphmodel.server`; the server imports it to write the
files where it serves them.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from graphmodel import schema, settings

# The labels the loader gives a grid by its kind (ResidentialGrid, BusinessGrid) and a
# company by its latest risk level (1 RiskGreen ... 5 RiskRed): the style colours exactly
# the labels the loader writes.
from graphmodel.neo4j_backend import GRID_LABELS
from graphmodel.schema import RISK_LABELS


@dataclass(frozen=True)
class GridKindStyle:
    """How the map shows one grid kind."""

    kind: str
    title_zh: str
    title_en: str
    colour: str
    diameter: int


GRID_KIND_STYLES: tuple[GridKindStyle, ...] = (
    GridKindStyle("residential", "平面网格（居民区微网格）", "residential micro-grid", "#48c9b0", 55),
    GridKindStyle("business", "立体网格（商圈商务区）", "business-district grid", "#1f618d", 70),
)
"""Grid kinds in the style and the legend: a residential micro-grid is drawn smaller than its
area, a business-district grid (over a cluster of office towers) larger."""

ASSETS_PATH = "/browser/graphmodel/"
"""Where the server serves the files (under the Browser web app, so the same origin)."""
DEFAULT_ASSETS_URL = f"http://localhost:7474{ASSETS_PATH}"
"""The files' URL on a server at the default HTTP port."""
STYLE_FILE = "style.grass"
GUIDE_FILE = "guide.html"
MAP_GROUP = "map"
"""Folder of ``queries/`` with the Cypher written for Browser's graph view (no Python twin)."""


DEFAULT_NODE = {
    "diameter": "50px",
    "color": "#A5ABB6",
    "border-color": "#9AA1AC",
    "border-width": "2px",
    "text-color-internal": "#FFFFFF",
    "font-size": "10px",
}
"""Browser's own defaults for ``node``, restated so the sheet is complete."""

DEFAULT_RELATIONSHIP = {
    "color": "#A5ABB6",
    "shaft-width": "1px",
    "font-size": "8px",
    "padding": "3px",
    "text-color-external": "#000000",
    "text-color-internal": "#FFFFFF",
    "caption": "<type>",
}
"""Browser's own defaults for ``relationship``."""

NODE_DIAMETERS: dict[str, int] = {
    "Street": 90,
    "Grid": 65,
    "ResidentialArea": 60,
    "Building": 60,
    "Organization": 55,
    "Company": 45,
    "Person": 40,
}
"""Node diameter in px per label (places large, leaf records small); others 35."""
SMALL_DIAMETER = 35

_DARK_TEXT = "#2A2C34"
_LIGHT_TEXT = "#FFFFFF"


# ---------------------------------------------------------------------------
# Style (GraSS)
# ---------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", text):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def border_colour(colour: str, factor: float = 0.8) -> str:
    """A darker shade of ``colour`` for the node's outline.

    Examples
    --------
    >>> border_colour("#2e9e44")
    '#247e36'
    """
    return "#" + "".join(f"{int(c * factor):02x}" for c in _rgb(colour))


def text_colour(colour: str) -> str:
    """Dark text on light fills (the yellow level), white text on the others.

    Examples
    --------
    >>> text_colour("#e6c229"), text_colour("#2f6fd0")
    ('#2A2C34', '#FFFFFF')
    """
    red, green, blue = (c / 255 for c in _rgb(colour))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return _DARK_TEXT if luminance > 0.6 else _LIGHT_TEXT


def _fill(colour: str) -> dict[str, str]:
    colour = colour.lower()
    return {
        "color": colour,
        "border-color": border_colour(colour),
        "text-color-internal": text_colour(colour),
    }


def style_rules() -> list[tuple[str, dict[str, str]]]:
    """The rules of the style sheet, in order: a later matching rule overrides an earlier one.

    Returns
    -------
    list of (selector, properties)
        ``node`` and ``relationship`` defaults; ``node.<Label>`` for every label of
        :data:`graphmodel.schema.NODE_LABELS` (colour, size, caption ``{name}`` or the
        label's own caption property); ``node.<GridLabel>`` for every grid kind (its colour
        and size, after the Grid rule); ``node.<RiskLabel>`` for every risk level (the
        level's colour), after the label rules so that a company's risk colour wins over
        the plain company colour.
    """
    rules: list[tuple[str, dict[str, str]]] = [
        ("node", dict(DEFAULT_NODE)),
        ("relationship", dict(DEFAULT_RELATIONSHIP)),
    ]
    for label in schema.NODE_LABELS.values():
        diameter = NODE_DIAMETERS.get(label.name, SMALL_DIAMETER)
        props = {
            **_fill(label.colour),
            "diameter": f"{diameter}px",
            "font-size": "12px" if diameter >= 80 else "10px",
            "caption": f"{{{label.caption}}}",
        }
        rules.append((f"node.{label.name}", props))
    for kind in GRID_KIND_STYLES:
        rules.append((f"node.{GRID_LABELS[kind.kind]}",
                      {**_fill(kind.colour), "diameter": f"{kind.diameter}px"}))
    for level in schema.RISK_LEVELS:
        rules.append((f"node.{RISK_LABELS[level.level]}", _fill(level.hex)))
    return rules


def _grass_value(key: str, value: str) -> str:
    if key == "caption":
        if "'" in value:
            raise ValueError(f"a GraSS caption cannot contain a quote: {value!r}")
        return f"'{value}'"
    if any(ch in value for ch in ";{}'"):
        raise ValueError(f"GraSS value {value!r} of {key} has a reserved character")
    return value


def grass() -> str:
    """The style sheet in Neo4j Browser's GraSS syntax (what ``:style`` shows and accepts).

    Examples
    --------
    >>> sheet = parse_grass(grass())
    >>> sheet["node.Company"]["caption"], sheet["node.RiskOrange"]["color"]
    ('{name}', '#f08a24')
    """
    # No comment in the sheet: Browser's GraSS parser has no comment syntax.
    body: list[str] = []
    for selector, props in style_rules():
        body.append(f"{selector} {{")
        body += [f"  {key}: {_grass_value(key, value)};" for key, value in props.items()]
        body.append("}")
        body.append("")
    return "\n".join(body)


def node_style(labels: Iterable[str]) -> dict[str, str]:
    """The style Neo4j Browser gives a node with these labels under :func:`style_rules`.

    Applies every ``node`` rule whose labels are all among ``labels``, in order, later
    properties overriding earlier ones (Browser's ``StyleRule.matches``).

    Examples
    --------
    >>> node_style(["Entity", "Company", "RiskRed"])["color"]
    '#d62d20'
    >>> node_style(["Entity", "Company"])["color"], node_style(["Grid"])["caption"]
    ('#7f8c8d', '{name}')
    """
    have = set(labels)
    style: dict[str, str] = {}
    for selector, props in style_rules():
        tag, *classes = selector.split(".")
        if tag == "node" and set(classes) <= have:
            style.update(props)
    return style


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Read GraSS the way Neo4j Browser does (selector -> properties, quotes removed).

    Examples
    --------
    >>> parse_grass("node.A { color: #fff; caption: '{name}'; }")
    {'node.A': {'color': '#fff', 'caption': '{name}'}}
    """
    rules: dict[str, dict[str, str]] = {}
    keyword, props, inside_string, inside_props = "", "", False, False
    for char in text:
        if char == "{" and not inside_string:
            inside_props = True
            continue
        if char == "}" and not inside_string:
            inside_props = False
            rules[keyword] = {}
            for prop in props.split(";"):
                key, _, value = prop.partition(":")
                if key.strip() and value.strip():
                    rules[keyword][key.strip()] = value.strip()
            keyword, props = "", ""
            continue
        if char == "'":
            inside_string = not inside_string
            continue
        if inside_props:
            props += char
        elif not char.isspace():
            keyword += char
    return rules


# ---------------------------------------------------------------------------
# Guide
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideQuery:
    """A query offered by the guide."""

    name: str
    group: str
    title_zh: str
    title_en: str
    description: str
    path: Path

    def text(self) -> str | None:
        """The Cypher file's text, or None when it is missing."""
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None


_PARAM_LINE = re.compile(r"^//\s+(:param\s+(\w+)\s*=>\s*(.+?))\s*(?://.*)?$")
_TITLE_LINE = re.compile(r"^//\s*(.+?)(?:\s{2,}\(graphmodel query: \w+\))?\s*$")


def split_cypher(text: str) -> tuple[list[str], str]:
    """Split a query file into its header comment lines and its Cypher body.

    Examples
    --------
    >>> split_cypher("// T\\n//\\n// x\\n\\nMATCH (n)\\nRETURN n\\n")
    (['// T', '//', '// x'], 'MATCH (n)\\nRETURN n')
    """
    lines = text.strip("\n").splitlines()
    header: list[str] = []
    for line in lines:
        if line.startswith("//"):
            header.append(line.rstrip())
        elif line.strip():
            break
        else:
            header.append("")
    body = "\n".join(lines[len(header):]).strip()
    return [line for line in header if line], body


def header_params(header: Sequence[str]) -> dict[str, str]:
    """The ``:param`` commands listed in a query file's header, by parameter name.

    Examples
    --------
    >>> header_params(["//   :param a => '京东健康'   // id or name", "// other"])
    {'a': ":param a => '京东健康'"}
    """
    found: dict[str, str] = {}
    for line in header:
        match = _PARAM_LINE.match(line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def _header_text(header: Sequence[str]) -> list[str]:
    """Paragraphs of a map file's header after its title, without the parameter list.

    Examples
    --------
    >>> _header_text(["// T", "//", "// 画出 a", "// b", "//", "// Parameters — x:",
    ...               "//   :param a => 1", "//", "// Returns n."])
    ['画出 a b', 'Returns n.']
    """
    paragraphs: list[list[str]] = [[]]
    for line in header[1:]:
        text = line[2:].strip()
        if text:
            paragraphs[-1].append(text)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [_join_lines(lines) for lines in paragraphs
            if lines and not lines[0].startswith("Parameters")]


def _join_lines(lines: Sequence[str]) -> str:
    """Join wrapped comment lines: no space after a Chinese character."""
    text = ""
    for line in lines:
        text += ("" if not text or ord(text[-1]) > 0x2E7F else " ") + line
    return text


def _map_queries() -> list[GuideQuery]:
    folder = settings.QUERIES_DIR / MAP_GROUP
    found: list[GuideQuery] = []
    # The network map first, then the other maps by name.
    paths = sorted(folder.glob("*.cypher"), key=lambda p: (p.stem != "network_map", p.stem))
    if not (folder / "network_map.cypher").exists():
        paths.insert(0, folder / "network_map.cypher")
    for path in paths:
        title_zh, title_en, description = path.stem, "", ""
        try:
            header, _ = split_cypher(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            header = []
        if header:
            match = _TITLE_LINE.match(header[0])
            title = match.group(1) if match else header[0][2:].strip()
            title = re.sub(r"\s*\(for Neo4j Browser\)$", "", title)
            zh, _, en = title.partition(" ")
            title_zh, title_en = zh, en
            description = "\n".join(_header_text(header))
        found.append(GuideQuery(path.stem, MAP_GROUP, title_zh, title_en, description, path))
    return found


def guide_queries() -> list[GuideQuery]:
    """The maps (``queries/map/``, the network map first) and every library query."""
    from graphmodel.queries import all_queries

    library = [
        GuideQuery(q.name, q.group, q.title_zh, q.title_en,
                   f"{q.description_zh}\n{q.description}".strip(), q.cypher_path)
        for q in all_queries()
    ]
    registered = {q.name for q in library}
    maps = [q for q in _map_queries() if q.name not in registered]
    return maps + [q for q in library if q.group == MAP_GROUP] + [
        q for q in library if q.group != MAP_GROUP
    ]


def default_dataset() -> str:
    """Name of the shipped dataset, as the loader names it (``jingansi``)."""
    from graphmodel.dataset import dataset_name

    return dataset_name(settings.default_dataset_path())


def parameters(dataset: str | None = None) -> dict[str, object]:
    """Browser parameters every guide query can use, except ``as_of`` (a date).

    ``dataset``, the gap parameters of the gap definitions (docs/gaps.md) with their defaults, the library's other
    defaults (``top``, ``k``), and the optional filters of the maps: parameters whose
    example in a map file's header is ``null`` (``grid_id``: null draws all grids).
    """
    from graphmodel.queries import all_queries

    params: dict[str, object] = {"dataset": dataset or default_dataset()}
    params.update(settings.DEFAULT_PARAMS)
    for query in all_queries():
        for name, value in query.defaults.items():
            params.setdefault(name, value)
    for query in _map_queries():
        text = query.text()
        header = split_cypher(text)[0] if text else []
        for name, command in header_params(header).items():
            if command.endswith("=> null"):
                params.setdefault(name, None)
    return params


def params_commands(dataset: str | None = None, as_of: dt.date | str | None = None) -> str:
    """Browser commands that set every parameter (``:params`` then ``:param as_of``).

    ``as_of`` None gives ``date()``: today, like the command line's default.

    Examples
    --------
    >>> print(params_commands("ds", "2026-11-29").splitlines()[-1])
    :param as_of => date('2026-11-29');
    """
    values = json.dumps(parameters(dataset), ensure_ascii=False)
    day = "date()" if as_of is None else f"date('{dt.date.fromisoformat(str(as_of)).isoformat()}')"
    # :params replaces all parameters, so it comes first.
    return f":params {values};\n:param as_of => {day};"


def _pre(code: str) -> str:
    return f'<pre class="pre-scrollable code runnable">{html.escape(code, quote=False)}</pre>'


def _swatch(colour: str, text: str) -> str:
    return (
        f'<span style="display:inline-block;padding:1px 8px;margin:2px;border-radius:10px;'
        f'background:{colour};color:{text_colour(colour)}">{html.escape(text)}</span>'
    )


def _slide(body: str) -> str:
    return f'<slide class="row-fluid">\n<div class="col-sm-12">\n{body}\n</div>\n</slide>'


def _query_slide(query: GuideQuery, common: set[str]) -> str:
    title = html.escape(f"{query.title_zh} {query.title_en}".strip())
    parts = [f"<h3>{title}</h3>"]
    group = {"map": "地图 Map", "gaps": "覆盖缺口 Gap", "links": "跨领域联系 Linkage",
             "risk": "五色风险 Risk"}.get(query.group, query.group)
    parts.append(f"<p><small>{html.escape(group)} · <code>queries/{query.group}/"
                 f"{query.path.name}</code></small></p>")
    for paragraph in query.description.split("\n"):
        if paragraph.strip():
            parts.append(f"<p>{html.escape(paragraph.strip())}</p>")
    text = query.text()
    if text is None:
        parts.append(f"<p><em>Cypher 文件缺失 / missing: queries/{query.group}/"
                     f"{query.path.name}</em></p>")
        return _slide("\n".join(parts))
    header, body = split_cypher(text)
    extra = {name: cmd for name, cmd in header_params(header).items() if name not in common}
    if extra:
        parts.append("<p>先设置参数 / set first (an example):</p>")
        parts.append(_pre(";\n".join(extra.values()) + ";"))
    if query.group == MAP_GROUP:
        parts.append("<p>点击下面的 Cypher 放入编辑器，再运行 (Ctrl+Enter)。"
                     " Click to put it in the editor, then run it.</p>")
    parts.append(_pre(body))
    if query.group == MAP_GROUP:
        parts.append("<p>Browser 默认最多画 300 个节点 / Browser draws at most 300 nodes by"
                     " default; to draw more:</p>")
        parts.append(_pre(":config initialNodeDisplay: 1000"))
    return _slide("\n".join(parts))


def guide_html(dataset: str | None = None, as_of: dt.date | str | None = None,
               style_url: str | None = None) -> str:
    """The guide: parameters and legend, the maps, then every library query.

    Parameters
    ----------
    dataset : str, optional
        Dataset name for ``:param dataset`` (default :func:`default_dataset`).
    as_of : date or str, optional
        Evaluation date for ``:param as_of``; default ``date()`` (today).
    style_url : str, optional
        URL of the style sheet, offered as a ``:style`` command on the first slide.
    """
    queries = guide_queries()
    params = params_commands(dataset, as_of)
    common = set(parameters(dataset)) | {"as_of"}
    legend_labels = " ".join(
        _swatch(label.colour, f"{label.title_zh} {label.name}")
        for label in schema.NODE_LABELS.values()
    )
    legend_grids = " ".join(
        _swatch(kind.colour, f"{kind.title_zh} {kind.title_en} {GRID_LABELS[kind.kind]}")
        for kind in GRID_KIND_STYLES
    )
    legend_risk = " ".join(
        _swatch(level.hex, f"{level.colour_zh} {level.label_zh} {RISK_LABELS[level.level]}")
        for level in schema.RISK_LEVELS
    )
    gap_queries = [q for q in queries if q.group == "gaps"]
    contents = "".join(
        f"<li>{html.escape(f'{q.title_zh} {q.title_en}'.strip())}</li>" for q in queries
    )
    first = [
        "<h3>静安寺街道 治理网络 graphmodel</h3>",
        "<p>先运行参数（点击放入编辑器，再 Ctrl+Enter 运行）。"
        " First set the parameters: click the block, then run it.</p>",
        _pre(params),
        "<p>每个标签一种颜色；企业按最近一次五色风险等级着色；节点标题为中文名称。"
        " A colour per label; companies by their latest five-colour risk level; captions"
        " show the Chinese name.</p>",
        f"<p>{legend_labels}</p>",
        f"<p>{legend_grids}</p>",
        f"<p>{legend_risk}</p>",
        "<p>地点层级：街道包含居民区和立体网格（商圈商务区网格）；居民区包含其平面网格（微网格）；"
        "网格包含楼宇；楼宇包含企业（关系 PART_OF 由下级指向上级）。"
        " Place hierarchy: the street contains its residential areas and its business-district"
        " grids; a residential area contains its micro-grids; a grid contains its buildings; a"
        " building its companies (PART_OF points from the part to its container).</p>",
        f"<p>{len(gap_queries)} 项覆盖缺口查询见后面的幻灯片。"
        f" The {len(gap_queries)} coverage gaps follow the maps.</p>",
    ]
    if style_url:
        first += ["<p>重新应用样式 / re-apply the style:</p>", _pre(f":style {style_url}")]
    first.append(f"<p>后面的幻灯片 / next slides:</p><ol>{contents}</ol>")
    slides = [_slide("\n".join(first))] + [_query_slide(q, common) for q in queries]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8"><title>graphmodel 治理网络地图 Network map</title></head>',
        "<body>",
        '<article class="guide">',
        '<carousel class="deck container-fluid">',
        *slides,
        "</carousel>",
        "</article>",
        "</body>",
        "</html>",
        "",
    ])


# ---------------------------------------------------------------------------
# Writing and wiring
# ---------------------------------------------------------------------------


def post_connect_cmd(base_url: str) -> str:
    """``browser.post_connect_cmd``: apply the style, then open the guide.

    Examples
    --------
    >>> post_connect_cmd("http://localhost:7474/browser/graphmodel/")
    'style http://localhost:7474/browser/graphmodel/style.grass; play http://localhost:7474/browser/graphmodel/guide.html'
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    return f"style {base}{STYLE_FILE}; play {base}{GUIDE_FILE}"


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # atomic: the server never serves half a file


def write_assets(directory: Path | str, dataset: str | None = None,
                 as_of: dt.date | str | None = None,
                 base_url: str | None = None) -> dict[str, Path]:
    """Write ``style.grass`` and ``guide.html`` into ``directory``.

    Parameters
    ----------
    directory : Path or str
        Where to write (created if missing); the server's is
        :func:`graphmodel.server.assets_dir`.
    dataset, as_of
        See :func:`guide_html`.
    base_url : str, optional
        URL the directory is served at (the local server's is
        :func:`graphmodel.server.assets_url`); used for the ``:style`` command offered by
        the guide. Default: :data:`ASSETS_PATH` on ``localhost`` at the default HTTP port.

    Returns
    -------
    dict
        ``{"style": path, "guide": path}``.
    """
    if base_url is None:
        base_url = DEFAULT_ASSETS_URL
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    style = folder / STYLE_FILE
    guide = folder / GUIDE_FILE
    _write(style, grass())
    _write(guide, guide_html(dataset, as_of, style_url=base_url.rstrip("/") + "/" + STYLE_FILE))
    return {"style": style, "guide": guide}
