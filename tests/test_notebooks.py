"""Every notebook runs top to bottom, on the embedded backend and on Neo4j."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graphmodel.settings import PROJECT_DIR

NOTEBOOKS = sorted((PROJECT_DIR / "notebooks").glob("*.ipynb"))


def execute(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def test_there_are_four_notebooks_committed_without_outputs():
    assert len(NOTEBOOKS) == 4
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_embedded(path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    notebook = execute(path)
    text = "".join(str(o.get("text", "")) for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "embedded" in text or path.stem != "01_explore_network"
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{path.name} drew no chart"


@pytest.mark.neo4j
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_neo4j(path, monkeypatch):
    from graphmodel import server

    credentials = server.credentials()
    monkeypatch.setenv("NEO4J_URI", credentials["uri"])
    monkeypatch.setenv("NEO4J_USERNAME", credentials["user"])
    monkeypatch.setenv("NEO4J_PASSWORD", credentials["password"])
    notebook = execute(path)
    text = "".join(str(o.get("text", "")) for c in notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "backend: neo4j" in text
