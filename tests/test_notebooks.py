"""Every notebook runs top to bottom, on the embedded backend and on Neo4j, and stays small
once executed: its interactive maps are pages beside it sharing one neo4j-viz bundle."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graphmodel.settings import PROJECT_DIR

NOTEBOOKS = sorted((PROJECT_DIR / "notebooks").glob("*.ipynb"))
WITH_MAPS = {"01_explore_network", "02_coverage_gaps"}
MAX_BYTES = 1_000_000
FRAME = re.compile(r'<iframe src="(maps/[^"]+\.html)"')


AS_OF = "2026-11-29"
"""The date the shipped dataset's planted gaps are designed for (set for reproducible runs)."""

def execute(path: Path, folder: Path) -> nbformat.NotebookNode:
    """Run a copy of the notebook in ``folder`` (its map pages go to ``folder/maps``)."""
    copy = Path(shutil.copy(path, folder / path.name))
    notebook = nbformat.read(copy, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def check_small_with_shared_maps(path: Path, notebook: nbformat.NotebookNode,
                                 folder: Path) -> None:
    """The executed notebook is at most 1 MB and embeds no neo4j-viz code; its maps are
    pages in maps/ that load the one shared bundle."""
    from graphmodel.interactive import BUNDLE_NAME, bundle_text

    written = folder / f"executed-{path.name}"
    nbformat.write(notebook, written)
    assert written.stat().st_size <= MAX_BYTES, (path.name, written.stat().st_size)
    marker = bundle_text().splitlines()[0]
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    for output in outputs:
        assert marker not in str(output), path.name
        assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})
    assert "widgets" not in notebook.metadata
    frames = [m for o in outputs for m in FRAME.findall(o.get("data", {}).get("text/html", ""))]
    if path.stem not in WITH_MAPS:
        return
    assert len(frames) >= 3, f"{path.name} shows no interactive map"
    assert sorted(p.name for p in (folder / "maps").glob("*.js")) == [BUNDLE_NAME]
    for src in frames:
        page = (folder / src).read_text(encoding="utf-8")
        assert f'<script src="{BUNDLE_NAME}"></script>' in page and marker not in page
        assert len(page.encode("utf-8")) < MAX_BYTES


def test_there_are_four_notebooks_committed_without_outputs():
    assert len(NOTEBOOKS) == 4
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_embedded(path, monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("GRAPHMODEL_AS_OF", AS_OF)  # the notebooks default to today
    notebook = execute(path, tmp_path)
    text = "".join(str(o.get("text", "")) for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "embedded" in text or path.stem != "01_explore_network"
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{path.name} drew no chart"
    check_small_with_shared_maps(path, notebook, tmp_path)


@pytest.mark.neo4j
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_neo4j(path, monkeypatch, tmp_path):
    from graphmodel import server

    credentials = server.credentials()
    monkeypatch.setenv("GRAPHMODEL_AS_OF", AS_OF)
    monkeypatch.setenv("NEO4J_URI", credentials["uri"])
    monkeypatch.setenv("NEO4J_USERNAME", credentials["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", credentials["password"])
    notebook = execute(path, tmp_path)
    text = "".join(str(o.get("text", "")) for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "backend: neo4j" in text
    check_small_with_shared_maps(path, notebook, tmp_path)
