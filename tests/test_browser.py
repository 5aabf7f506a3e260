"""The map in Neo4j Browser: the generated style and guide, and the real Browser end to end.

The first tests check what :mod:`graphmodel.browser` generates (no server needed). The
others (marked ``browser`` and ``neo4j``) load the shipped dataset into the project's
Neo4j server, open Neo4j Browser (``http://localhost:<HTTP_PORT>/browser/``) in headless
Chromium, log in, wait for the post-connect commands (graphmodel's style and guide), set
the parameters from the guide, type the network map into the editor, run it and check the
drawing in the page itself: the SVG nodes, their captions and fill colours (residential
micro-grids and business-district grids told apart by their kind labels). Then they run
the company risk map (on the business grid housing the most companies) and every one of
the eleven gap queries from the guide. Screenshots go to
``artifacts/browser/``.

The end-to-end tests need the server (``make neo4j-start``; its ports follow
``GRAPHMODEL_NEO4J_BOLT_PORT`` / ``GRAPHMODEL_NEO4J_HTTP_PORT``), the ``playwright``
package and Chromium at ``/usr/bin/chromium`` (or ``$GRAPHMODEL_CHROMIUM``); without any
of them they fail, they never skip.
"""

from __future__ import annotations

import html
import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import BrowserContext, ElementHandle, Page, sync_playwright

from graphmodel import browser, neo4j_backend, schema, server, settings
from graphmodel.dataset import Dataset, load_dataset
from graphmodel.queries import all_queries

CHROMIUM = os.environ.get("GRAPHMODEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# localhost, like the assets' URLs (the post-connect commands use server.assets_url()).
BROWSER_URL = f"http://localhost:{server.HTTP_PORT}/browser/"
ARTIFACTS = settings.PROJECT_DIR / "artifacts" / "browser"
TIMEOUT_MS = 60_000
GUIDE_TITLE = "静安寺街道 治理网络 graphmodel"

# ---------------------------------------------------------------------------
# What graphmodel.browser generates
# ---------------------------------------------------------------------------


def test_style_has_a_colour_and_caption_per_label_then_the_risk_colours() -> None:
    rules = browser.parse_grass(browser.grass())
    order = list(rules)
    for label in schema.NODE_LABELS.values():
        rule = rules[f"node.{label.name}"]
        assert rule["color"] == label.colour
        assert rule["caption"] == f"{{{label.caption}}}"
    for level in schema.RISK_LEVELS:
        selector = f"node.{browser.RISK_LABELS[level.level]}"
        assert rules[selector]["color"] == level.hex
        # Later rules win in Browser: a risk colour must come after the Company colour.
        assert order.index(selector) > order.index("node.Company")
    assert browser.RISK_LABELS is neo4j_backend.RISK_LABELS  # the labels the loader writes
    # one rule per grid kind, after the Grid rule, with the labels the loader writes
    assert browser.GRID_LABELS is neo4j_backend.GRID_LABELS
    assert set(browser.GRID_LABELS) == set(schema.GRID_KIND_VALUES)
    for kind in browser.GRID_KIND_STYLES:
        selector = f"node.{browser.GRID_LABELS[kind.kind]}"
        assert rules[selector]["color"] == kind.colour
        assert order.index(selector) > order.index("node.Grid")
    colours = {kind.colour for kind in browser.GRID_KIND_STYLES}
    assert len(colours) == 2 and not colours & {label.colour for label in
                                                 schema.NODE_LABELS.values()}


def test_node_style_follows_browser_rule_order() -> None:
    assert browser.node_style(["Entity", "Company"])["color"] == "#7f8c8d"
    assert browser.node_style(["Entity", "Company", "RiskOrange"])["color"] == "#f08a24"
    assert browser.node_style(["Entity", "Company", "RiskOrange"])["caption"] == "{name}"
    assert browser.node_style(["GraphmodelDataset"])["color"] == browser.DEFAULT_NODE["color"]
    business = browser.node_style(["Entity", "Grid", "BusinessGrid"])
    residential = browser.node_style(["Entity", "Grid", "ResidentialGrid"])
    assert business["caption"] == residential["caption"] == "{name}"
    assert business["color"] != residential["color"]
    # a micro-grid is drawn smaller than its residential area, a business grid larger
    area = browser.node_style(["Entity", "ResidentialArea"])
    assert int(residential["diameter"][:-2]) < int(area["diameter"][:-2]) < \
        int(business["diameter"][:-2])


def test_guide_offers_the_maps_and_every_query_as_runnable_cypher() -> None:
    guide = browser.guide_html(dataset="ds", as_of="2026-11-29", style_url="http://x/s.grass")
    runnable = '<pre class="pre-scrollable code runnable">'
    slides = guide.split("<slide")[1:]
    assert "<title>" in guide and len(slides) >= 3
    first = slides[0]
    assert ':params {"dataset": "ds"' in first
    assert ":param as_of =&gt; date('2026-11-29');" in first
    for name in settings.DEFAULT_PARAMS:
        assert f'"{name}": ' in first
    assert ":style http://x/s.grass" in first
    # the v2 place hierarchy, the grid kinds' legend and the eleven gaps
    assert "居民区包含其平面网格" in first and "a residential area contains its micro-grids" in first
    for label in browser.GRID_LABELS.values():
        assert label in first
    gap_names = [q.name for q in all_queries("gaps")]
    assert len(gap_names) == 11 and "grid_without_worker" in gap_names
    assert "The 11 coverage gaps" in first
    network_map = (settings.QUERIES_DIR / "map" / "network_map.cypher").read_text("utf-8")
    assert runnable + html.escape(browser.split_cypher(network_map)[1], quote=False) in slides[1]
    for query in all_queries():
        _, body = browser.split_cypher(query.cypher())
        assert runnable + html.escape(body, quote=False) + "</pre>" in guide, query.name
        assert html.escape(query.title_zh) in guide
    assert browser.guide_html().count(":param as_of =&gt; date();") == 1


def test_post_connect_applies_style_then_opens_guide() -> None:
    assert browser.post_connect_cmd(server.assets_url()) == (
        f"style http://localhost:{server.HTTP_PORT}/browser/graphmodel/style.grass; "
        f"play http://localhost:{server.HTTP_PORT}/browser/graphmodel/guide.html"
    )


def test_write_assets_and_server_classpath(tmp_path: Path) -> None:
    written = browser.write_assets(tmp_path / "browser" / "graphmodel", base_url="http://h/")
    assert written["style"].read_text("utf-8") == browser.grass()
    assert ":style http://h/style.grass" in written["guide"].read_text("utf-8")
    # The unpacked web app comes first on the classpath, so Neo4j serves it at /browser.
    (tmp_path / "web" / "browser").mkdir(parents=True)
    assert "-cp" in server._java_command(tmp_path, [])
    assert str(tmp_path / "web") not in server._java_command(tmp_path, [])
    (tmp_path / "web" / "browser" / "index.html").write_text("<html></html>")
    cmd = server._java_command(tmp_path, [])
    assert cmd[cmd.index("-cp") + 1].split(os.pathsep) == [
        str(tmp_path / "web"), str(tmp_path / "lib" / "*")
    ]


# ---------------------------------------------------------------------------
# The real Browser
# ---------------------------------------------------------------------------

# What the page shows of each drawn node in a frame: its bound data (labels, properties),
# the fill of its circle and the caption lines drawn in it.
NODES_JS = """frame => Array.from(frame.querySelectorAll('svg g.node')).map(g => {
  const d = g.__data__ || {};
  const circle = g.querySelector('circle.b-outline');
  return {
    labels: d.labels || [],
    id: d.propertyMap ? d.propertyMap.id : null,
    name: d.propertyMap ? d.propertyMap.name : null,
    fill: circle ? circle.getAttribute('fill') : null,
    caption: Array.from(g.querySelectorAll('text.caption'))
      .map(t => t.textContent.trim()).join(''),
    transform: g.getAttribute('transform'),
  };
})"""

# Remember the frames on the page, to tell the one a run adds.
MARK_FRAMES_JS = """() => {
  window.__graphmodelSeen = new WeakSet(document.querySelectorAll('[data-testid="frame"]'));
}"""
NEW_FRAME_JS = """done => {
  const fresh = Array.from(document.querySelectorAll('[data-testid="frame"]'))
    .filter(f => !window.__graphmodelSeen.has(f));
  const frame = fresh[0];
  if (!frame) return null;
  if (done === 'graph') return frame.querySelector('svg g.node') ? frame : null;
  if (done === 'statements') {
    const titles = frame.querySelectorAll('[data-testid="multi-statement-list-title"]');
    const states = Array.from(
      frame.querySelectorAll('[data-testid="multi-statement-list-icon"]'), i => i.title);
    return titles.length && states.length === titles.length
      && states.every(s => /success|error/i.test(s)) ? frame : null;
  }
  return new RegExp(done, 'i').test(frame.innerText) ? frame : null;
}"""
FINISHED = r"completed after|no changes, no records|successfully set|error"
"""What a finished frame says: a Cypher result, a parameter set, or an error."""


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def dataset(shipped: Dataset) -> str:
    """Load the shipped dataset into the server under test."""
    neo4j_backend.load(shipped, progress=False)
    return shipped.name


def busiest_business_grid(ds: Dataset) -> str:
    """The business-district grid (立体网格) housing the most companies: the company risk map's."""
    business = set(ds["grids"].loc[ds["grids"]["kind"] == "business", "id"])
    grid = ds["companies"]["building_id"].map(ds.place_grid)
    return str(grid[grid.isin(business)].value_counts().index[0])


def busiest_tower(ds: Dataset) -> str:
    """The name of the building housing the most companies."""
    return str(ds.names[ds["companies"]["building_id"].value_counts().index[0]])


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        ctx = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1000},
            locale="zh-CN",
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture(scope="module")
def page(context: BrowserContext, dataset: str) -> Page:
    """Neo4j Browser, logged in, after its post-connect commands."""
    creds = server.credentials()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(BROWSER_URL)
    page.get_by_test_id("boltaddress").fill(creds["uri"])
    page.get_by_test_id("username").fill(creds["user"])
    page.get_by_test_id("password").fill(creds["password"])
    page.get_by_test_id("connect").click()
    # browser.post_connect_cmd: ":style <url>" then ":play <url>" (the guide).
    try:
        page.get_by_text(GUIDE_TITLE).first.wait_for()
    except Exception as exc:
        raise AssertionError(
            "graphmodel's guide did not open after connecting: is the server configured with "
            "browser.post_connect_cmd (restart it: make neo4j-stop neo4j-start)? Page:\n"
            + page.inner_text("body")[:2000]
        ) from exc
    return page


@pytest.fixture(scope="module")
def with_params(page: Page) -> Page:
    """The guide's first block, which sets every parameter, clicked and run."""
    _go_to_slide(page, GUIDE_TITLE)
    _carousel(page).locator("pre.runnable", has_text=":params").first.click()
    assert ":params" in _editor_text(page)
    frame = _run(page, "statements")
    states = [icon.get_attribute("title") for icon in
              frame.query_selector_all('[data-testid="multi-statement-list-icon"]')]
    assert states == ["Status: success"] * 2, (states, frame.inner_text())
    return page


def _carousel(page: Page) -> Any:
    return page.get_by_test_id("carousel").first


def _ensure_guide(page: Page) -> None:
    """Reopen the guide if Browser dropped its frame (it keeps a bounded number of frames,
    and a slow machine can fall behind): the tests read slides from it."""
    if page.get_by_test_id("carousel").count():
        return
    _type_in_editor(page, f":play http://localhost:{server.HTTP_PORT}"
                          "/browser/graphmodel/guide.html")
    page.get_by_test_id("editor-Run").click()
    page.get_by_test_id("carousel").first.wait_for()


def _go_to_slide(page: Page, title: str) -> None:
    _ensure_guide(page)
    carousel = _carousel(page)
    for _ in range(2):
        for _ in range(40):
            if title in carousel.locator("h3").first.inner_text():
                return
            if not carousel.get_by_test_id("nextSlide").count():
                break
            carousel.get_by_test_id("nextSlide").click()
        while carousel.get_by_test_id("previousSlide").count():
            carousel.get_by_test_id("previousSlide").click()
    raise AssertionError(f"no guide slide titled {title!r}")


def _editor_text(page: Page) -> str:
    return page.get_by_test_id("activeEditor").locator(".view-lines").first.inner_text()


def _type_in_editor(page: Page, text: str) -> None:
    page.get_by_test_id("activeEditor").locator(".view-lines").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text types the text as one input event: Monaco's auto-closing of brackets
    # and quotes (which per-key typing triggers) does not alter it.
    page.keyboard.insert_text(text)


def _run(page: Page, done: str = FINISHED) -> ElementHandle:
    """Run the editor's text; return the frame it adds once ``done`` (regex or 'graph')."""
    page.evaluate(MARK_FRAMES_JS)
    command = _editor_text(page)
    page.get_by_test_id("editor-Run").click()
    try:
        handle = page.wait_for_function(NEW_FRAME_JS, arg=done)
    except Exception as exc:
        newest = page.get_by_test_id("frame").first.inner_text()[:2000]
        raise AssertionError(f"{command[:200]!r} gave no {done!r}; newest frame:\n{newest}") from exc
    frame = handle.as_element()
    assert frame is not None
    return frame


def _settled_nodes(page: Page, frame: ElementHandle) -> list[dict[str, Any]]:
    """The frame's drawn nodes once the force layout has stopped moving them."""
    previous: list[Any] = []
    deadline = time.monotonic() + 30
    nodes = frame.evaluate(NODES_JS)
    while time.monotonic() < deadline:
        positions = [n["transform"] for n in nodes]
        if positions == previous:
            break
        previous = positions
        page.wait_for_timeout(1000)
        nodes = frame.evaluate(NODES_JS)
    return nodes


def _screenshots(page: Page, frame: ElementHandle, name: str, zoom_steps: int = 3) -> list[Path]:
    """Full-screen screenshots of a graph frame: all of it (``<name>.png``), then zoomed in
    at its centre so that captions can be read (``<name>_zoom.png``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    frame.query_selector('button[title="Fullscreen"]').click()
    page.wait_for_timeout(1000)
    frame.query_selector('[aria-label="zoom-to-fit"]').click()
    page.wait_for_timeout(1500)
    paths = [ARTIFACTS / f"{name}.png", ARTIFACTS / f"{name}_zoom.png"]
    page.screenshot(path=str(paths[0]))
    for _ in range(zoom_steps):
        frame.query_selector('[aria-label="zoom-in"]').click()
        page.wait_for_timeout(300)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(paths[1]))
    frame.query_selector('button[title="Close fullscreen"], button[title="Fullscreen"]').click()
    return paths


@pytest.mark.browser
@pytest.mark.neo4j
def test_server_serves_the_generated_assets() -> None:
    for name, text in ((browser.STYLE_FILE, browser.grass()), (browser.GUIDE_FILE, None)):
        with urllib.request.urlopen(server.assets_url(name), timeout=10) as response:
            served = response.read().decode("utf-8")
        assert served == text if text is not None else GUIDE_TITLE in served


@pytest.mark.browser
@pytest.mark.neo4j
def test_post_connect_applied_the_style(page: Page) -> None:
    # Browser keeps its current style in localStorage (written shortly after a change).
    last = browser.RISK_LABELS[len(browser.RISK_LABELS)]
    try:
        page.wait_for_function(
            "label => (localStorage.getItem('neo4j.grass') || '').includes(label)", arg=last,
            timeout=15_000,
        )
    except Exception as exc:
        raise AssertionError("Browser does not have graphmodel's style: the post-connect "
                             ":style did not apply") from exc
    stored = json.loads(page.evaluate("() => localStorage.getItem('neo4j.grass')"))
    for selector, props in browser.parse_grass(browser.grass()).items():
        assert selector in stored, f"style rule {selector} not applied; Browser has {sorted(stored)}"
        assert stored[selector] == props, selector


@pytest.mark.browser
@pytest.mark.neo4j
def test_network_map_is_drawn_with_the_style(with_params: Page, shipped: Dataset) -> None:
    page = with_params
    _, cypher = browser.split_cypher(
        (settings.QUERIES_DIR / "map" / "network_map.cypher").read_text(encoding="utf-8")
    )
    _type_in_editor(page, cypher)
    frame = _run(page, "graph")
    nodes = _settled_nodes(page, frame)
    shots = _screenshots(page, frame, "network_map")

    captions = [n["caption"] for n in nodes]
    assert len(nodes) > 30, f"only {len(nodes)} nodes drawn"
    street = str(shipped["streets"]["name"].iloc[0])
    assert any(street.startswith(c.rstrip("…")) for c in captions if c), captions[:20]
    drawn_ids = {n["id"] for n in nodes}
    tower = shipped["companies"]["building_id"].value_counts().index[0]
    assert tower in drawn_ids, (busiest_tower(shipped), captions[:40])
    drawn = {label for n in nodes for label in n["labels"]}
    assert {"Street", "Grid", "ResidentialArea", "Building", "Organization"} <= drawn, drawn
    for node in nodes:  # every fill is the style's colour, every caption the name
        assert node["fill"].lower() == browser.node_style(node["labels"])["color"], node
        shown = node["caption"].rstrip("…")
        assert shown and node["name"].startswith(shown), node
    for label in ("Street", "Building", "Organization"):
        fills = {n["fill"].lower() for n in nodes if label in n["labels"]}
        assert fills == {schema.NODE_LABELS[label].colour}, (label, fills)
    for kind in browser.GRID_KIND_STYLES:  # residential micro-grids and business grids
        fills = {n["fill"].lower() for n in nodes if browser.GRID_LABELS[kind.kind] in n["labels"]}
        assert fills == {kind.colour}, (kind.kind, fills)
    assert all(shot.stat().st_size > 20_000 for shot in shots)


@pytest.mark.browser
@pytest.mark.neo4j
def test_company_risk_map_colours_companies_by_latest_risk(with_params: Page, dataset: str,
                                                          shipped: Dataset) -> None:
    page = with_params
    _type_in_editor(page, f":param grid_id => '{busiest_business_grid(shipped)}'")
    assert "Successfully set" in _run(page).inner_text()
    _go_to_slide(page, "企业五色风险地图")
    _carousel(page).locator("pre.runnable", has_text="MATCH (c:Company").first.click()
    frame = _run(page, "graph")
    nodes = _settled_nodes(page, frame)
    _screenshots(page, frame, "company_risk", zoom_steps=2)

    companies = [n for n in nodes if "Company" in n["labels"]]
    assert len(companies) > 5, f"only {len(companies)} companies drawn"
    found = neo4j_backend.run_cypher(
        "MATCH (c:Company {dataset: $dataset}) WHERE c.id IN $ids "
        "RETURN c.id AS id, c.risk_level AS level",
        {"dataset": dataset, "ids": [n["id"] for n in companies]},
    )
    levels = {
        company: None if pd.isna(level) else int(level)
        for company, level in zip(found["id"], found["level"], strict=True)
    }
    assert any(level is not None for level in levels.values()), (
        "no drawn company has a risk_level: the loader gives companies their latest risk "
        "level and colour label"
    )
    plain = schema.NODE_LABELS["Company"].colour
    for node in companies:
        level = levels[node["id"]]
        expected = plain if level is None else schema.risk_level_info(level).hex
        assert node["fill"].lower() == expected, (node, level)
    assert len({n["fill"] for n in companies}) >= 3  # several colours, not one


@pytest.mark.browser
@pytest.mark.neo4j
def test_every_gap_query_runs_from_the_guide(with_params: Page) -> None:
    page = with_params
    for query in all_queries("gaps"):
        _go_to_slide(page, query.title_zh)
        _, body = browser.split_cypher(query.cypher())
        _carousel(page).locator("pre.runnable", has_text=body.splitlines()[0]).first.click()
        text = _run(page).inner_text()
        assert "completed after" in text.lower(), (query.name, text[:1500])
        assert "error" not in text.lower(), (query.name, text[:1500])
