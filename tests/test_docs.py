"""The project describes itself: generated docs are current, and nothing points outside the repo.

- ``docs/schema.md``, ``docs/gaps.md`` and the generated blocks of ``docs/data_contract.md``
  are exactly what :mod:`graphmodel.docs` renders now (``make docs`` rewrites them);
- no tracked file names a file that is not in the repository: no spec outside it, no
  relative Markdown link to a missing file or heading, no path to a missing file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache

import pytest

from graphmodel import docs, schema
from graphmodel.cli import main
from graphmodel.queries import all_queries
from graphmodel.settings import PROJECT_DIR

DOCS_DIR = PROJECT_DIR / "docs"

# Built from parts so that this file does not match itself.
OUTSIDE = ("GAPS" + ".md", "DATA_CONTRACT" + ".md", "../" + "shared", "/work/" + "shared",
           "graph_model" + ".md")
"""Names of files that live outside the repository (the specs it was built from, a doc that
never existed). The repository says "docs/gaps.md" and "docs/data_contract.md" instead."""

BINARY = (".png", ".jpg", ".jpeg", ".gif", ".xlsx", ".pdf", ".ico", ".woff", ".woff2", ".zip")


# ---------------------------------------------------------------------------
# Generated docs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [docs.SCHEMA_FILE, docs.GAPS_FILE, docs.CONTRACT_FILE])
def test_generated_docs_are_current(name):
    path = DOCS_DIR / name
    expected = docs.rendered_docs(DOCS_DIR)[path]
    assert path.read_text(encoding="utf-8") == expected, \
        f"docs/{name} is out of date: run `make docs` (graphmodel schema --write docs)"


def test_data_contract_has_every_generated_block():
    text = (DOCS_DIR / docs.CONTRACT_FILE).read_text(encoding="utf-8")
    for name in docs.CONTRACT_BLOCKS:
        assert f"<!-- generated:{name} -->" in text and f"<!-- /generated:{name} -->" in text


def test_fill_generated_replaces_only_the_blocks():
    page = ("# Title\n\nhand text\n\n<!-- generated:keys -->\nstale\n<!-- /generated:keys -->\n"
            "\nmore hand text\n")
    filled = docs.fill_generated(page)
    assert filled.startswith("# Title\n\nhand text\n\n<!-- generated:keys -->\n")
    assert filled.endswith("<!-- /generated:keys -->\n\nmore hand text\n")
    assert "stale" not in filled and "(`area_id`, `ethnic_group`) in `population`" in filled
    assert docs.fill_generated(filled) == filled
    with pytest.raises(ValueError, match="unknown generated block"):
        docs.fill_generated("<!-- generated:nope -->\n<!-- /generated:nope -->")


def test_gaps_doc_names_every_gap_and_parameter():
    text = docs.gaps_markdown()
    gaps = all_queries("gaps")
    for query in gaps:
        assert f"### {query.name}\n" in text
        assert query.title_zh in text and query.title_en in text
    for name, default in schema_params().items():
        assert f"| `{name}` | {default} |" in text
    assert f"version {schema.CONTRACT_VERSION}" in text.splitlines()[0]
    assert "Analysts' own coverage rules" not in text


def schema_params() -> dict[str, int]:
    from graphmodel.settings import DEFAULT_PARAMS

    return DEFAULT_PARAMS


def test_contract_doc_states_version_and_structure():
    text = (DOCS_DIR / docs.CONTRACT_FILE).read_text(encoding="utf-8")
    assert f"version {schema.CONTRACT_VERSION}" in text.splitlines()[0]
    assert "1 + 11 + 37 + 388" in text and "5+32" in text
    for table in schema.TABLES:
        assert f"`{table}`" in text
    for spellings in schema.CHINESE_SPELLINGS.values():
        for word in spellings:
            assert word in text, f"spelling {word!r} is not documented"


@pytest.mark.parametrize("argv, render", [
    (["schema"], docs.schema_markdown),
    (["schema", "--markdown"], docs.schema_markdown),
    (["schema", "--gaps"], docs.gaps_markdown),
])
def test_cli_prints_the_docs(argv, render, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out == render()


def test_cli_writes_and_checks_the_docs(tmp_path, capsys):
    (tmp_path / docs.CONTRACT_FILE).write_text(
        "intro\n<!-- generated:tables -->\n<!-- /generated:tables -->\n", encoding="utf-8")
    assert main(["schema", "--check", str(tmp_path)]) == 1
    assert main(["schema", "--write", str(tmp_path)]) == 0
    assert (tmp_path / docs.SCHEMA_FILE).read_text(encoding="utf-8") == docs.schema_markdown()
    assert (tmp_path / docs.GAPS_FILE).read_text(encoding="utf-8") == docs.gaps_markdown()
    assert "| `grids` |" in (tmp_path / docs.CONTRACT_FILE).read_text(encoding="utf-8")
    assert main(["schema", "--check", str(tmp_path)]) == 0
    assert main(["schema", "--check", str(DOCS_DIR)]) == 0
    capsys.readouterr()


# ---------------------------------------------------------------------------
# Nothing refers outside the repository
# ---------------------------------------------------------------------------


@cache
def tracked_files() -> tuple[str, ...]:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, check=True,
                                capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return tuple(name for name in listed.decode("utf-8").split("\0") if name)


@cache
def tracked_dirs() -> frozenset[str]:
    found = set()
    for name in tracked_files():
        parent = os.path.dirname(name)
        while parent:
            found.add(parent)
            parent = os.path.dirname(parent)
    return frozenset(found)


def exists_in_repo(path: str) -> bool:
    return path in tracked_files() or path in tracked_dirs()


@cache
def text_of(name: str) -> str | None:
    """The text of a tracked file (a notebook: its cells' sources), or None for binaries."""
    path = PROJECT_DIR / name
    if name.endswith(BINARY) or not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    if name.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells)
    return text


def lines_of(name: str):
    text = text_of(name)
    if text is not None:
        yield from enumerate(text.splitlines(), 1)


def test_nothing_names_a_file_outside_the_repo():
    found = [f"{name}:{number}: {line.strip()}"
             for name in tracked_files() for number, line in lines_of(name)
             if any(word in line for word in OUTSIDE)]
    assert not found, ("files outside the repository are cited; say docs/gaps.md or "
                       "docs/data_contract.md instead:\n" + "\n".join(found))


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors_of(name: str) -> frozenset[str]:
    text = text_of(name) or ""
    return frozenset(_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.MULTILINE))


def test_relative_markdown_links_resolve():
    broken = []
    for name in tracked_files():
        if not name.endswith((".md", ".ipynb")):
            continue
        for number, line in lines_of(name):
            for match in _LINK.finditer(line):
                target = match.group(1).strip("<>")
                if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: …
                    continue
                path, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(name), path)) \
                    if path else name
                if not exists_in_repo(resolved):
                    broken.append(f"{name}:{number}: {target} (no {resolved} in the repo)")
                elif anchor and resolved.endswith(".md") and anchor not in anchors_of(resolved):
                    broken.append(f"{name}:{number}: {target} (no heading #{anchor})")
    assert not broken, "broken relative links:\n" + "\n".join(broken)


def test_paths_in_docs_and_code_exist():
    tops = sorted({name.split("/")[0] for name in tracked_files() if "/" in name})
    # A path starting at a top-level directory of the repo and naming a file (it has an
    # extension); templates such as queries/<group>/<name>.cypher or docs/{x}.md are skipped.
    tops_pattern = "|".join(map(re.escape, tops))
    pattern = re.compile(r"(?<![\w./\\-])((?:" + tops_pattern + r")/[\w./-]*\w)(?![\w{<*])")
    missing = []
    for name in tracked_files():
        for number, line in lines_of(name):
            for match in pattern.finditer(line):
                path = match.group(1)
                if re.search(r"\.[A-Za-z]\w*$", os.path.basename(path)) and \
                        not exists_in_repo(path):
                    missing.append(f"{name}:{number}: {path}")
    assert not missing, "paths to files that are not in the repo:\n" + "\n".join(missing)
