"""Charts and the network map: Chinese renders, the layout is sound, the API is usable."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from graphmodel import load_dataset, plot, report, schema
from graphmodel.gaps import gaps

AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def shipped():
    return load_dataset()


@pytest.fixture(scope="module")
def report_data(shipped):
    history = pd.DataFrame(
        [("r1", "2026-10-01T08:00:00", "2026-10-01", g, i % 3)
         for i, g in enumerate(gaps(shipped, AS_OF)["gap"].unique())],
        columns=plot.HISTORY_COLUMNS)
    data = report.collect(shipped, AS_OF, gaps(shipped, AS_OF), "embedded", {}, None, [],
                          "r2", "2026-11-29T08:00:00")
    data.history = pd.concat([history, data.history], ignore_index=True)
    return data


@pytest.fixture(scope="module")
def figures(report_data):
    """Every figure a report draws (the report's own function), plus the street overview."""
    drawn = report.report_figures(report_data)
    fig = Figure(figsize=(16, 16))
    plot.plot_street_overview(two_streets(report_data.ds), AS_OF, ax=fig.add_subplot())
    drawn["overview.png"] = fig
    return drawn


def two_streets(ds):
    """The shipped dataset with a second, empty-ish street (one grid, one building)."""
    tables = {name: frame.copy() for name, frame in ds.tables.items()}
    tables["streets"] = pd.concat([tables["streets"], pd.DataFrame(
        [{"id": "S-2", "name": "南京西路街道", "district": "静安区"}])], ignore_index=True)
    tables["grids"] = pd.concat([tables["grids"], pd.DataFrame(
        [{"id": "G-2", "name": "南京西路第1网格", "kind": "business", "street_id": "S-2"}])],
        ignore_index=True)
    return type(ds)(ds.name, ds.path, tables)


def drawn_strings(fig: Figure) -> list[tuple[Text, str]]:
    """Every non-empty text artist of a figure (titles, labels, ticks, legends, node labels)."""
    fig.draw_without_rendering()  # creates the tick labels matplotlib makes at draw time
    return [(t, t.get_text()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


_CHARMAPS: dict[object, tuple[str, set[int]]] = {}


def font_of(text: Text) -> tuple[str, set[int]]:
    """Family name and code points of the font matplotlib resolves for a text artist."""
    path = font_manager.findfont(text.get_fontproperties())
    if path not in _CHARMAPS:
        face = FT2Font(str(path), face_index=getattr(path, "face_index", 0))
        _CHARMAPS[path] = (face.family_name, set(face.get_charmap()))
    return _CHARMAPS[path]


def missing_glyphs(text: Text) -> set[str]:
    _, charmap = font_of(text)
    return {ch for ch in text.get_text() if not ch.isspace() and ord(ch) not in charmap}


# ---------------------------------------------------------------------------
# fonts
# ---------------------------------------------------------------------------


def test_a_cjk_font_is_found_and_configured():
    name = plot.setup_cjk_font()
    assert name is not None, "install fonts-noto-cjk (scripts/setup-system.sh)"
    assert name == plot.find_cjk_font()
    assert matplotlib.rcParams["font.family"][0] == name
    assert plot.LATIN_FALLBACK in matplotlib.rcParams["font.family"]
    assert name in plot.CJK_FONT_CANDIDATES or "CJK" in name


def test_no_cjk_font_warns_clearly(monkeypatch, caplog):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    plot.find_cjk_font.cache_clear()
    before = list(matplotlib.rcParams["font.family"])
    try:
        assert plot.find_cjk_font() is None
        with pytest.warns(plot.CJKFontWarning, match="fonts-noto-cjk"):
            assert plot.setup_cjk_font() is None
        assert "no CJK font found" in caplog.text
    finally:
        plot.find_cjk_font.cache_clear()
        matplotlib.rcParams["font.family"] = before


def test_every_drawn_glyph_is_in_the_font_matplotlib_uses(figures):
    """Each character of every string drawn (titles, axis and tick labels, legends, node
    labels) is in the character map of the font matplotlib resolves for that text."""
    cjk = plot.find_cjk_font()
    checked = 0
    for filename, fig in figures.items():
        for text, string in drawn_strings(fig):
            family, _ = font_of(text)
            assert family == cjk, (filename, string, family)
            missing = missing_glyphs(text)
            assert not missing, (filename, string, missing)
            checked += sum(1 for ch in string if ord(ch) > 0x2E80)
    assert checked > 2000  # the test saw the Chinese of every chart
    # the check does catch a font without Chinese
    latin = Text(0, 0, "静安寺", fontfamily="DejaVu Sans")
    assert missing_glyphs(latin) == {"静", "安", "寺"}


def test_saving_raises_no_missing_glyph_warning(figures):
    for filename, fig in figures.items():
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font.*")
            fig.savefig(io.BytesIO(), format="png", dpi=40)
        assert filename


def test_key_chinese_labels_are_drawn(figures, shipped):
    network = {s for _, s in drawn_strings(figures["network.png"])}
    names = shipped.names
    streets = [str(n) for n in shipped["streets"]["name"]]
    assert "静安寺街道" in network
    grids = shipped["grids"]
    micro = grids[grids["kind"] == "residential"].iloc[0]
    business = grids[grids["kind"] == "business"].iloc[-1]
    for grid, prefixes in ((micro, [names[micro["area_id"]], *streets]), (business, streets)):
        label = plot.short_name(plot.short_name(grid["name"], prefixes), limit=8)
        assert label in network, label
    for area in shipped["residential_areas"]["name"]:  # every area is labelled
        assert plot.short_name(area, streets, limit=10) in network, area
    assert "党工委" in network
    orgs = shipped["organizations"]
    in_building = orgs[orgs["located_in"].isin(shipped["buildings"]["id"])]
    assert any(plot.short_name(in_building["name"].iloc[0], streets, limit=16) in s
               for s in network)
    assert any("居民区范围" in s and "micro-grids" in s for s in network)
    assert any("立体网格" in s and "business grid" in s for s in network)
    for r in schema.RISK_LEVELS:
        assert any(r.label_zh in s and r.label_en in s for s in network)
    for kind in ("LEADS", "PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF", "SERVES",
                 "COVERS"):
        assert any(kind in s and schema.LINK_TYPES[kind].title_zh in s for s in network)
    gaps_chart = {s for _, s in drawn_strings(figures["gaps_per_grid.png"])}
    found = gaps(shipped, AS_OF)
    worst = found.dropna(subset=["grid_id"]).groupby("grid_id").size().idxmax()
    row = found[found["grid_id"] == worst].iloc[0]
    label = plot.place_label(row["grid_id"], row["grid_name"], row["area_id"], row["area_name"])
    assert label in gaps_chart and any("网格无党组织" in s for s in gaps_chart)
    assert any("网格无网格员" in s for s in gaps_chart)  # the eleventh gap has a colour
    overview = {s for _, s in drawn_strings(figures["overview.png"])}
    assert any(s.startswith("南京西路街道") for s in overview)


# ---------------------------------------------------------------------------
# the network layout
# ---------------------------------------------------------------------------


def test_layout_places_every_node_on_its_ring(shipped):
    layout = plot.network_layout(shipped, AS_OF)
    radius = {n: math.hypot(*p) for n, p in layout.pos.items()}
    labels = layout.label
    assert radius["S-JAS"] == 0
    areas = [n for n, lab in labels.items() if lab == "ResidentialArea"]
    grids = [n for n, lab in labels.items() if lab == "Grid"]
    places = [n for n, lab in labels.items() if lab == "Building"]
    orgs = [n for n, lab in labels.items() if lab == "Organization"]
    assert (len(areas), len(grids), len(places), len(orgs)) == (
        len(shipped["residential_areas"]), len(shipped["grids"]), len(shipped["buildings"]),
        len(shipped["organizations"]))
    assert all(math.isclose(radius[a], plot.R_AREA) for a in areas)
    assert all(math.isclose(radius[g], plot.R_GRID) for g in grids)
    assert all(math.isclose(radius[p], plot.R_PLACE) for p in places)
    located = shipped["organizations"]["located_in"]
    street_orgs = set(shipped["organizations"].loc[located.isin(["S-JAS"]) | located.isna(),
                                                   "id"])
    for org in orgs:
        expected = plot.R_STREET_ORGS if org in street_orgs else plot.R_ORG
        assert math.isclose(radius[org], expected), org
    assert layout.outside == set(shipped["organizations"].loc[located.isna(), "id"])
    # containment lines follow the v2 hierarchy
    parents = dict((c, p) for c, p in layout.hierarchy if labels.get(c) in (
        "ResidentialArea", "Grid", "Building"))
    assert all(parents[a] == "S-JAS" for a in areas)
    for grid, kind, area in zip(shipped["grids"]["id"], shipped["grids"]["kind"],
                                shipped["grids"]["area_id"], strict=True):
        assert parents[grid] == (area if kind == "residential" else "S-JAS"), grid
    # no two nodes of a ring on top of each other
    rim = sorted(layout.angle[o] for o in orgs if o not in street_orgs)
    gaps_between = [b - a for a, b in itertools.pairwise(rim)]
    assert min(gaps_between) > 0.03


def test_layout_keeps_places_and_orgs_in_their_grid_and_area_sector(shipped):
    layout = plot.network_layout(shipped, AS_OF)
    wedge = {g: (min(a0, a1), max(a0, a1)) for g, a0, a1 in layout.wedges}
    wedge |= {a: (min(a0, a1), max(a0, a1)) for a, a0, a1 in layout.area_wedges}
    place_grid = dict(zip(shipped["buildings"]["id"], shipped["buildings"]["grid_id"],
                          strict=True))
    for place, grid in place_grid.items():
        low, high = wedge[grid]
        assert low <= layout.angle[place] <= high, place
    # each area's sector holds its micro-grids' sectors
    grids = shipped["grids"]
    for grid, area in zip(grids["id"], grids["area_id"], strict=True):
        if isinstance(area, str):
            assert layout.grid_area[grid] == area
            assert wedge[area][0] <= wedge[grid][0] <= wedge[grid][1] <= wedge[area][1], grid
            assert wedge[area][0] <= layout.angle[area] <= wedge[area][1]
    sector = place_grid | {g: g for g in grids["id"]} | {
        a: a for a in shipped["residential_areas"]["id"]}
    sector |= {c: place_grid[b] for c, b in zip(shipped["companies"]["id"],
                                                shipped["companies"]["building_id"], strict=True)}
    orgs = shipped["organizations"]
    for org, where in zip(orgs["id"], orgs["located_in"], strict=True):
        if where in sector:
            low, high = wedge[sector[where]]
            assert low <= layout.angle[org] <= high, org
    # residential areas (with their grids) first, clockwise from the top, then business grids
    order = sorted((a for a in layout.wedges), key=lambda w: -w[1])
    kinds = [grids.set_index("id").at[g, "kind"] for g, _, _ in order]
    assert kinds == sorted(kinds, key=lambda k: k != "residential")
    assert set(kinds) == {"residential", "business"}


def test_layout_links_are_active_and_move_company_links_to_buildings(shipped):
    layout = plot.network_layout(shipped, AS_OF)
    kinds = {k for _, _, k, _ in layout.links}
    assert kinds <= {*plot.CROSS_LINK_TYPES, "COVERS"} and "MEMBER_OF" in kinds
    assert all(layout.label[s] != "Company" and layout.label[t] != "Company"
               for s, t, _, _ in layout.links)
    member = {(s, t): n for s, t, k, n in layout.links if k == "MEMBER_OF"}
    assert sum(n for (s, _), n in member.items() if layout.label[s] == "Building") > 30
    covers = {(s, t) for s, t, k, _ in layout.links if k == "COVERS"}
    links = shipped["links"][shipped["links"]["type"] == "COVERS"]
    day = pd.Timestamp(AS_OF)
    later = links[links["since"] > day]
    active = links[(links["since"].isna() | (links["since"] <= day))
                   & (links["until"].isna() | (links["until"] >= day))
                   & links["target_id"].isin(layout.label)]
    assert len(active) and all((s, t) in covers for s, t in zip(
        active["source_id"], active["target_id"], strict=True))
    assert not any((s, t) in covers and (s, t) not in set(zip(
        active["source_id"], active["target_id"], strict=True)) for s, t in zip(
        later["source_id"], later["target_id"], strict=True))  # not active yet
    assert layout.risk and set(layout.risk.values()) <= {1, 2, 3, 4, 5}


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------


def test_public_functions_draw_on_a_given_axes_or_a_new_figure(report_data):
    import matplotlib.pyplot as plt

    calls = [
        (plot.plot_gaps_per_grid, (report_data.found,)),
        (plot.plot_risk_per_grid, (report_data.view,)),
        (plot.plot_gap_history, (report_data.history,)),
        (plot.plot_sector_matrix, (report_data.matrix,)),
        (plot.plot_network, (report_data.ds, AS_OF)),
    ]
    for function, args in calls:
        fig = Figure()
        ax = fig.add_subplot()
        assert function(*args, ax=ax) is ax
        assert ax.get_title() or ax.get_title(loc="left")
    ax = plot.plot_gaps_per_grid(report_data.found)
    try:
        assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]
    finally:
        plt.close("all")


def test_empty_inputs_draw_a_message():
    empty_found = pd.DataFrame(columns=["gap", "id", "name", "grid_id", "grid_name", "area_id",
                                        "area_name", "detail"])
    fig = Figure()
    ax = plot.plot_gaps_per_grid(empty_found, ax=fig.add_subplot())
    assert any("no coverage gaps" in t.get_text() for t in ax.texts)
    ax = plot.plot_gap_history(pd.DataFrame(columns=plot.HISTORY_COLUMNS),
                               ax=Figure().add_subplot())
    assert any("no reports yet" in t.get_text() for t in ax.texts)


def test_many_grids_are_capped_to_the_worst(report_data):
    found = pd.concat([report_data.found.assign(grid_id=f"G{i}", grid_name=f"网格{i}")
                       for i in range(plot.MAX_BARS + 7)], ignore_index=True)
    ax = plot.plot_gaps_per_grid(found, ax=Figure().add_subplot())
    assert len(ax.get_yticks()) == plot.MAX_BARS
    assert "7" in ax.get_title(loc="left")


def test_risk_chart_uses_the_five_colours(report_data):
    from matplotlib.colors import to_hex

    ax = plot.plot_risk_per_grid(report_data.view, ax=Figure().add_subplot())
    colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert {r.hex for r in schema.RISK_LEVELS} <= colours


def test_gaps_chart_names_areas_and_their_micro_grids():
    found = pd.DataFrame([
        ("area_without_liaison_group", "A1", "一号居民区", None, None, "A1", "一号居民区", {}),
        ("grid_without_worker", "G1", "平面网格一", "G1", "平面网格一", "A1", "一号居民区", {}),
        ("grid_without_worker", "G2", "立体网格一（商务楼宇）", "G2", "立体网格一（商务楼宇）", None,
         None, {}),
        ("grid_without_party_org", "G2", "立体网格一（商务楼宇）", "G2", "立体网格一（商务楼宇）",
         None, None, {}),
    ], columns=["gap", "id", "name", "grid_id", "grid_name", "area_id", "area_name", "detail"])
    ax = plot.plot_gaps_per_grid(found, ax=Figure().add_subplot())
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(),
                                              strict=True)}
    assert set(ticks) == {"立体网格一", "一号居民区 · 平面网格一", "一号居民区（居民区 area）"}
    assert max(ticks, key=ticks.get) == "立体网格一"  # the most findings on top
