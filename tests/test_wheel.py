"""The package stands alone: built as a wheel and an sdist, installed outside the checkout.

The wheel is built from a copy of the checkout's files, installed into a fresh virtualenv in
a temporary folder, and every command runs from yet another folder, so nothing of the
checkout is on the path: the query library, the shipped dataset and the Browser's queries
must come from inside the installed package. ``neo4j load``/``gaps``/``drop`` run against
the project's test server with the credentials the other Neo4j tests use (``NEO4J_*`` or the
local server's password). Then the sdist is installed in the same virtualenv (its
dependencies are already there) and checked the same way.

Needs the network to PyPI (the dependencies; pip's cache makes later runs faster) and about
two minutes; ``make test`` runs it (those tests are marked ``wheel``, and ``neo4j`` too).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphmodel import neo4j_backend as backend

built = pytest.mark.wheel  # builds and installs: needs PyPI and about two minutes

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-29"
TIMEOUT = 600


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
                    f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}")
    return result


def _checkout_files() -> list[str]:
    """The files of the checkout as a fresh clone would have them (plus new, unignored ones)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0")
            if name and (REPO / name).is_file()]


@dataclass
class Install:
    """A fresh virtualenv outside the checkout, and where to run its commands from."""

    venv: Path
    elsewhere: Path
    env: dict[str, str]
    dist: Path

    @property
    def graphmodel(self) -> Path:
        return self.venv / "bin" / "graphmodel"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def cli(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run([self.graphmodel, *args], self.elsewhere, self.env, check)

    def where(self) -> dict[str, str]:
        """Where the installed package finds its files (and its version)."""
        code = ("import graphmodel, graphmodel._resources as r, graphmodel.settings as s\n"
                "print(graphmodel.__file__); print(graphmodel.__version__)\n"
                "print(r.queries_dir()); print(s.default_dataset_path())\n"
                "print(len(r.cypher_text('gaps', 'stale_demand')))")
        lines = _run([self.python, "-c", code], self.elsewhere, self.env).stdout.splitlines()
        return dict(zip(("package", "version", "queries", "dataset", "cypher"), lines,
                        strict=True))


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a user who has nothing of the checkout: no PYTHONPATH, no venv."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "GRAPHMODEL_", "NEO4J_"))}
    env["HOME"] = os.environ.get("HOME", str(home))  # keeps pip's cache
    env["MPLBACKEND"] = "Agg"
    conn = backend.connection_settings()
    env.update(NEO4J_URI=conn.uri, NEO4J_USERNAME=conn.user, NEO4J_PASSWORD=conn.password,
               NEO4J_DATABASE=conn.database)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Install]:
    """The wheel, built from a copy of the checkout and installed into a fresh virtualenv."""
    root = tmp_path_factory.mktemp("wheel")
    src, dist, elsewhere = root / "src", root / "dist", root / "elsewhere"
    for name in _checkout_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, src / name)
    dist.mkdir()
    elsewhere.mkdir()
    env = _clean_env(root)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", src, "-w", dist],
         root, env)
    # The sdist, with the same build backend pip used for the wheel.
    _run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
          "b.build_sdist(sys.argv[1])", dist], src, env)
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", venv], root, env)
    (wheel,) = dist.glob("graphmodel-*.whl")
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], elsewhere, env)
    yield Install(venv, elsewhere, env, dist)


@built
@pytest.mark.neo4j
def test_wheel_carries_its_files(installed: Install) -> None:
    where = installed.where()
    site = str(installed.venv)
    for key in ("package", "queries", "dataset"):
        assert where[key].startswith(site), (key, where[key])
        assert not where[key].startswith(str(REPO)), (key, where[key])
    version = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert where["version"] == version
    assert int(where["cypher"]) > 0
    assert Path(where["dataset"]).name == "jingansi"
    assert (Path(where["queries"]) / "map" / "network_map.cypher").is_file()
    package = Path(where["package"]).parent
    modules = {p.relative_to(REPO / "graphmodel") for p in (REPO / "graphmodel").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert {m for m in modules if not (package / m).is_file()} == set()


@built
@pytest.mark.neo4j
def test_wheel_commands_on_the_shipped_dataset(installed: Install) -> None:
    installed.cli("validate")
    gaps = installed.cli("gaps", "--as-of", AS_OF, "--format", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(gaps)))) > 0
    assert "sector" in installed.cli("links", "--as-of", AS_OF).stdout.lower()
    assert installed.cli("risk", "--as-of", AS_OF).stdout.strip()
    out = installed.elsewhere / "report"
    installed.cli("report", "--out", out, "--as-of", AS_OF)
    assert (out / "latest" / "gaps.csv").is_file()
    assert (out / "latest" / "report.html").is_file()


@built
@pytest.mark.neo4j
def test_wheel_neo4j_load_gaps_drop(installed: Install) -> None:
    name = f"t-wheel-{uuid.uuid4().hex[:8]}"
    try:
        installed.cli("neo4j", "load", "--dataset", name, "--quiet")
        listed = installed.cli("neo4j", "datasets").stdout
        assert name in listed
        found = installed.cli("neo4j", "gaps", "--dataset", name, "--as-of", AS_OF,
                              "--format", "csv").stdout
        embedded = installed.cli("gaps", "--as-of", AS_OF, "--format", "csv").stdout
        assert len(list(csv.DictReader(io.StringIO(found)))) == len(
            list(csv.DictReader(io.StringIO(embedded))))
        installed.cli("neo4j", "drop", "--dataset", name, "--yes")
        assert name not in installed.cli("neo4j", "datasets").stdout
    finally:
        backend.delete_dataset(name)


@built
@pytest.mark.neo4j
def test_sdist_installs_the_same_way(installed: Install) -> None:
    (sdist,) = installed.dist.glob("graphmodel-*.tar.gz")
    _run([installed.python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
          sdist], installed.elsewhere, installed.env)
    where = installed.where()
    assert where["dataset"].startswith(str(installed.venv))
    assert where["queries"].startswith(str(installed.venv))
    installed.cli("validate")
    gaps = installed.cli("gaps", "--as-of", AS_OF, "--format", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(gaps)))) > 0
