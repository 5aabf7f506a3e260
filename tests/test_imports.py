"""The package has no import cycle, counting every import anywhere in a module.

Each module of ``graphmodel`` is parsed with :mod:`ast`; every ``import`` and ``from ...
import`` of a ``graphmodel`` module counts, at the top or inside a function, except those
under ``if TYPE_CHECKING:`` (never run). ``from graphmodel import x`` counts as an import of
``graphmodel.x`` when that is a module, else of ``graphmodel`` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "graphmodel"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports, anywhere but under TYPE_CHECKING."""
    found: set[str] = set()

    def target(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (name := target(alias.name)) is not None:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                name = target(f"{base}.{alias.name}") if f"{base}.{alias.name}" in known \
                    else target(base)
                if name is not None:
                    found.add(name)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def import_graph() -> nx.DiGraph:
    """Module -> the package's modules it imports."""
    modules = module_names()
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for other in imported(tree, module, path.name == "__init__.py", known):
            graph.add_edge(module, other)
    return graph


def test_the_graph_sees_function_local_imports(tmp_path):
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from graphmodel import b\n"
                     "def f():\n    from graphmodel.c import x\n    import graphmodel.d\n")
    known = {"graphmodel", "graphmodel.a", "graphmodel.b", "graphmodel.c", "graphmodel.d"}
    assert imported(tree, "graphmodel.a", False, known) == {"graphmodel.c", "graphmodel.d"}


def test_no_import_cycles():
    graph = import_graph()
    cycles = sorted((sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1),
                    key=len)
    shown = []
    for component in cycles:
        cycle = nx.find_cycle(graph.subgraph(component))
        shown.append(" -> ".join([u for u, _ in cycle] + [cycle[0][0]]))
    assert not cycles, "import cycles:\n" + "\n".join(shown)


def test_named_cycles_are_gone():
    """The four cycles of issue 11, each checked on its own."""
    graph = import_graph()
    for a, b in (("graphmodel.cli", "graphmodel.report"), ("graphmodel.browser", "graphmodel.server"),
                 ("graphmodel.queries", "graphmodel.gaps"), ("graphmodel.queries", "graphmodel.linkages"),
                 ("graphmodel.queries", "graphmodel.risk"), ("graphmodel.dataset", "graphmodel.graph")):
        there = nx.has_path(graph, a, b)
        back = nx.has_path(graph, b, a)
        assert not (there and back), f"{a} and {b} import each other: " + " -> ".join(
            nx.shortest_path(graph, a, b) + nx.shortest_path(graph, b, a)[1:])


def test_the_neo4j_client_does_not_import_the_server_manager():
    graph = import_graph()
    assert not nx.has_path(graph, "graphmodel.neo4j_backend", "graphmodel.server")


def test_import_graphmodel_loads_no_heavy_library():
    """``import graphmodel`` stays cheap: pandas, networkx, matplotlib and the Neo4j driver
    load only when a function needs them (the package's names are imported on first use)."""
    import subprocess
    import sys

    code = ("import sys, graphmodel; heavy = {'pandas', 'networkx', 'matplotlib', 'neo4j', "
            "'numpy', 'neo4j_viz', 'openpyxl'}; print(sorted(heavy & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
    code = "import graphmodel as gm; print(callable(gm.gaps), gm.gaps.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "True graphmodel.gaps"


def test_gaps_on_a_csv_folder_loads_no_heavy_library():
    """``graphmodel gaps DIR --format json`` on a plainly valid CSV folder (the fast path,
    graphmodel.csv_duckdb) runs on DuckDB alone: no pandas, numpy, networkx, matplotlib or
    Neo4j driver is imported (each would cost a good part of the whole run)."""
    import subprocess
    import sys

    code = ("import sys, contextlib, io\n"
            "from graphmodel.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    status = main(['gaps', '--format', 'json', '--as-of', '2026-11-29'])\n"
            "heavy = {'pandas', 'networkx', 'matplotlib', 'neo4j', 'numpy', 'openpyxl'}\n"
            "print(status, out.getvalue().startswith('['), sorted(heavy & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert result == "0 True []"
