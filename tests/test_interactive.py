"""Interactive maps (``graphmodel.interactive``): offline pages drawn in a real browser, and
the notebook views on both engines.

The pages of the shipped dataset are written with one shared bundle, checked to name no
external URL, then opened from ``file://`` in headless Chromium (``/usr/bin/chromium`` or
``$GRAPHMODEL_CHROMIUM``) with the network cut off: the canvas must be drawn (at least 1%
of a screenshot's pixels differ from the background). Screenshots go to
``artifacts/interactive/``. The ``show()`` views are checked on the embedded graph, and
(marked ``neo4j``) on the project's Neo4j server against the embedded ones.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphmodel import interactive, schema, settings
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.errors import TargetNotEmptyError, UnsafeTargetError, UsageError
from graphmodel.gaps import gaps

AS_OF = "2026-11-29"
CHROMIUM = os.environ.get("GRAPHMODEL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = settings.PROJECT_DIR / "artifacts" / "interactive"
EXTERNAL = re.compile(r"<(script|link|img)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//",
                      re.IGNORECASE)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def maps(ds: Dataset, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("report")
    return out, interactive.write_maps(ds, out, AS_OF)


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------


def test_maps_share_one_bundle_and_name_no_external_url(maps, ds):
    out, written = maps
    assert list(written["kind"].value_counts().sort_index().items()) == [
        ("bundle", 1), ("grid", len(ds["grids"])), ("overview", 1)]
    bundle = out / interactive.BUNDLE_NAME
    assert bundle.stat().st_size > 3_000_000  # neo4j-viz's code, written once
    for path in written["path"]:
        text = Path(path).read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), path
    for path in written["path"][written["kind"] != "bundle"]:
        text = Path(path).read_text(encoding="utf-8")
        assert Path(path).stat().st_size < 500_000
        src = re.findall(r'<script src="([^"]+)"', text)
        assert len(src) == 1 and (Path(path).parent / src[0]).resolve() == bundle.resolve()
    assert (written["bytes"] == [Path(p).stat().st_size for p in written["path"]]).all()


def test_an_inline_page_is_self_contained(ds, tmp_path):
    view = interactive.network_view(ds, AS_OF)
    page = interactive.write_map_html(view, tmp_path / "map.html")
    text = page.read_text(encoding="utf-8")
    assert not EXTERNAL.search(text) and "<script src" not in text
    assert len(text) > 3_000_000 and list(tmp_path.iterdir()) == [page]


def test_the_overview_draws_the_network_map(ds):
    view = interactive.network_view(ds, AS_OF)
    labels = Counter(n.properties["类型 type"].split()[-1] for n in view.nodes)
    for label in interactive.MAP_LABELS:
        table = schema.NODE_LABELS[label].table
        assert labels[label] == len(ds[table]), label
    assert "Company" not in labels
    street = next(n for n in view.nodes if n.id == "S-JAS")
    assert street.caption == "静安寺街道"
    assert street.properties["企业数 companies housed"] == len(ds["companies"])
    grid = next(n for n in view.nodes if n.properties["类型 type"].endswith("Grid"))
    assert str(grid.color) in {schema.NODE_LABELS["Grid"].colour, "#16a085"}
    buildings = [n for n in view.nodes if n.properties["类型 type"].endswith("Building")]
    busiest = max(buildings, key=lambda n: n.properties["企业数 companies housed"])
    emptiest = min(buildings, key=lambda n: n.properties["企业数 companies housed"])
    assert busiest.size > emptiest.size  # sized by the companies housed
    found = gaps(ds, AS_OF)
    marked = set(view.gap_ids)
    drawn = {n.id for n in view.nodes}
    assert set(found["id"]) & drawn <= marked and marked
    for node in view.nodes:
        assert node.caption.startswith(interactive.GAP_MARK) == (node.id in marked)
        assert ("缺口 gaps" in node.properties) == (node.id in marked)
        assert bool(node.activated) == (node.id in marked)
    types = {r.properties["类型 type"].split()[0] for r in view.relationships}
    assert {"PART_OF", "LOCATED_IN", "COVERS", "ASSIGNED_TO"} <= types


def test_companies_are_coloured_by_their_level(ds):
    view = interactive.show(ds, grid="G-B01", as_of=AS_OF, widget=False)
    companies = [n for n in view.nodes if n.properties["类型 type"].endswith("Company")]
    assert companies
    hexes = {level.hex for level in schema.RISK_LEVELS}
    for node in companies:
        level = node.properties.get("风险等级 risk level")
        if level is None:
            assert str(node.color) == schema.NODE_LABELS["Company"].colour
        else:
            number = int(level.rsplit("(", 1)[1].rstrip(")"))
            assert str(node.color) == schema.risk_level_info(number).hex in hexes


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update"])
        yield chromium
        chromium.close()


def screenshot(browser, page_path: Path, name: str) -> float:
    """Open the page offline, wait for the drawing, save a screenshot; return the share of
    pixels that differ from the background."""
    import numpy as np
    from PIL import Image

    context = browser.new_context(viewport={"width": 1280, "height": 860}, offline=True)
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(("file:", "data:", "blob:")) else None)
    try:
        page.goto(page_path.resolve().as_uri())
        page.wait_for_function("document.querySelectorAll('canvas').length > 0",
                               timeout=60_000)
        page.wait_for_timeout(5000)  # the force-directed layout settles
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(target))
    finally:
        context.close()
    assert not errors, errors
    assert not outside, outside
    pixels = np.asarray(Image.open(target).convert("RGB")).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return float((np.abs(pixels.astype(int) - background).sum(axis=1) > 30).mean())


def test_the_overview_is_drawn_in_chromium(browser, maps):
    out, _ = maps
    assert screenshot(browser, out / "map.html", "map-overview") >= 0.01


def test_a_grid_map_is_drawn_in_chromium(browser, maps):
    _, written = maps
    grid = written[written["id"] == "G-B01"]["path"].iloc[0]
    assert screenshot(browser, Path(grid), "map-grid-G-B01") >= 0.01


def test_writing_refuses_existing_pages_and_links(ds, tmp_path):
    view = interactive.network_view(ds, AS_OF)
    page = tmp_path / "map.html"
    page.write_text("keep", encoding="utf-8")
    with pytest.raises(TargetNotEmptyError):
        interactive.write_map_html(view, page, tmp_path)
    assert page.read_text(encoding="utf-8") == "keep"
    interactive.write_map_html(view, page, tmp_path, force=True)
    victim = tmp_path / "victim.js"
    victim.write_text("mine", encoding="utf-8")
    bundle_dir = tmp_path / "other"
    bundle_dir.mkdir()
    os.symlink(victim, bundle_dir / interactive.BUNDLE_NAME)
    with pytest.raises(UnsafeTargetError):
        interactive.write_map_html(view, tmp_path / "second.html", bundle_dir)
    assert victim.read_text(encoding="utf-8") == "mine"


# ---------------------------------------------------------------------------
# show(): around, grid, gap
# ---------------------------------------------------------------------------


def test_show_around_an_entity(ds):
    widget = interactive.show(ds, around="B-GAOHE", radius=1, as_of=AS_OF)
    ids = {n.id for n in widget.nodes}
    graph = ds.graph
    day = interactive._day(AS_OF)
    edges = [(v, a) for _, v, a in graph.out_edges("B-GAOHE", data=True)] + [
        (u, a) for u, _, a in graph.in_edges("B-GAOHE", data=True)]
    neighbours = {n for n, a in edges
                  if a["type"] in interactive.MAP_RELS and interactive._active(a, day)}
    assert "B-GAOHE" in ids and neighbours <= ids  # every neighbour on the map's relationships
    assert not {n for n, a in edges if a["type"] == "VISITED"} - neighbours & ids  # no visits
    companies = set(ds["companies"]["id"][ds["companies"]["building_id"] == "B-GAOHE"])
    assert companies <= ids
    wider = interactive.show(ds, around="高和大厦", radius=2, as_of=AS_OF, widget=False)
    assert ids < {n.id for n in wider.nodes}


def test_show_a_grid(ds):
    view = interactive.show(ds, grid="G-B01", as_of=AS_OF, widget=False)
    ids = [n.id for n in view.nodes]
    assert ids[0] == "G-B01"
    buildings = set(ds["buildings"]["id"][ds["buildings"]["grid_id"] == "G-B01"])
    companies = set(ds["companies"]["id"][ds["companies"]["building_id"].isin(buildings)])
    assert buildings | companies | {"S-JAS"} <= set(ids)
    other = set(ds["buildings"]["id"]) - buildings
    assert not other & set(ids)


def test_show_a_gap(ds):
    found = gaps(ds, AS_OF, "stale_demand")
    view = interactive.show(ds, gap="stale_demand", as_of=AS_OF, widget=False)
    ids = {n.id for n in view.nodes}
    companies = set(ds["demands"].set_index("id").loc[list(found["id"]), "company_id"])
    assert set(found["id"]) | companies <= ids
    assert set(found["id"]) | companies <= set(view.gap_ids)


def test_show_refuses_bad_requests(ds):
    with pytest.raises(UsageError):
        interactive.show(ds, as_of=AS_OF)
    with pytest.raises(UsageError):
        interactive.show(ds, around="B-GAOHE", grid="G-B01", as_of=AS_OF)
    with pytest.raises(UsageError):
        interactive.show(ds, around="no such place", as_of=AS_OF)
    with pytest.raises(UsageError):
        interactive.show(ds, grid="B-GAOHE", as_of=AS_OF)
    with pytest.raises(UsageError):
        interactive.show(ds, gap="no_such_gap", as_of=AS_OF)
    with pytest.raises(UsageError):
        interactive.show(ds, around="B-GAOHE", radius=99, as_of=AS_OF)


# ---------------------------------------------------------------------------
# The same views from Neo4j
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(ds: Dataset) -> Iterator[Dataset]:
    from graphmodel import neo4j_backend

    try:
        neo4j_backend.run_cypher("RETURN 1 AS one", {})
    except neo4j_backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `graphmodel server start` ({exc})")
    renamed = dataclasses.replace(ds, name=f"interactive-{os.getpid()}")
    neo4j_backend.load(renamed, progress=False)
    yield renamed
    neo4j_backend.delete_dataset(renamed.name)


def _summary(view) -> dict[str, tuple[object, ...]]:
    return {n.id: (n.caption, str(n.color), n.size, tuple(sorted(n.properties.items())),
                   n.activated) for n in view.nodes}


def _rels(view) -> Counter:
    return Counter((r.source, r.target, r.properties["类型 type"]) for r in view.relationships)


@pytest.mark.neo4j
@pytest.mark.parametrize("request_", [{"around": "B-GAOHE", "radius": 1},
                                      {"around": "G-B01", "radius": 2},
                                      {"grid": "G-B01"}, {"grid": "G-R01"},
                                      {"gap": "stale_demand"}, {"gap": "company_unreached"},
                                      {"gap": "liaison_group_isolated", "radius": 2}],
                         ids=lambda r: "-".join(map(str, r.values())))
def test_show_on_neo4j_draws_what_the_embedded_graph_does(loaded, request_):
    embedded = interactive.show(loaded, as_of=AS_OF, widget=False, **request_)
    neo4j = interactive.show(loaded.name, as_of=AS_OF, widget=False, backend="neo4j",
                             **request_)
    assert [n.id for n in neo4j.nodes] == [n.id for n in embedded.nodes]
    assert _summary(neo4j) == _summary(embedded)
    assert _rels(neo4j) == _rels(embedded)
    widget = interactive.show(loaded.name, as_of=AS_OF, backend="neo4j", **request_)
    assert len(widget.nodes) == len(embedded.nodes)


@pytest.mark.neo4j
def test_the_overview_from_neo4j_is_the_embedded_one(loaded):
    embedded = interactive.network_view(loaded, AS_OF)
    neo4j = interactive.network_view(loaded.name, AS_OF, backend="neo4j")
    assert _summary(neo4j) == _summary(embedded)
    assert _rels(neo4j) == _rels(embedded)
