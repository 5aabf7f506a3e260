"""The query library: one object per query, its Cypher header checked against it, each
shared building block defined once, and one runner for both engines (embedded side here;
tests/test_neo4j_parity.py compares the engines)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import graphmodel as gm
from graphmodel import engine
from graphmodel.errors import UsageError
from graphmodel.gaps import GAP_NAMES, UnknownGapError, finding_places, gap_names
from graphmodel.queries import PLACES, Query, all_queries, cypher_text, get_query

PACKAGE = Path(gm.__file__).resolve().parent
AS_OF = "2026-11-29"


def _header(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if line.startswith("//"):
            lines.append(line)
        elif line.strip():
            break
    return lines


@pytest.mark.parametrize("query", all_queries(), ids=lambda q: q.name)
def test_cypher_header_names_the_query_its_parameters_and_cost(query: Query) -> None:
    header = _header(query.cypher())
    assert header[0] == f"// graphmodel query: {query.name}"
    text = "\n".join(header)
    params = re.findall(r"^//\s+:param (\w+) =>", text, re.MULTILINE)
    assert params == ["dataset", "as_of", *query.params]
    assert "Cost:" in text
    # the definition and titles live in the registry only
    assert query.title_en not in text and query.title_zh not in text
    assert "Finds" not in text and "找出" not in text and "Returns" not in text


@pytest.mark.parametrize("query", all_queries(), ids=lambda q: q.name)
def test_query_is_one_complete_object(query: Query) -> None:
    assert query.title_zh and query.title_en and query.definition_en and query.definition_zh
    assert query.description == query.definition_en
    assert query.description_zh == query.definition_zh
    assert query.columns and set(query.dtypes) == set(query.columns)
    assert query.place in PLACES
    assert query.cypher() == cypher_text(query.group, query.name)
    assert get_query(query.name) is query


def test_place_of_findings_is_on_the_query() -> None:
    places = {q.name: q.place for q in all_queries("gaps")}
    assert places.pop("stale_demand") == "demand_company"
    assert places.pop("liaison_group_isolated") == "org_location"
    assert places.pop("liaison_group_without_leadership") == "org_location"
    assert set(places.values()) == {"self"}
    with pytest.raises(ValueError, match="place"):
        Query("x", "gaps", "x", "x", "x", (), lambda ds, as_of: pd.DataFrame(),
              place="nowhere")  # type: ignore[arg-type]


def test_finding_places_follow_the_query() -> None:
    ds = gm.load_dataset()
    found = gm.gaps(ds, AS_OF)
    places = finding_places(ds, found)
    demands = dict(zip(ds["demands"]["id"], ds["demands"]["company_id"], strict=True))
    located = dict(zip(ds["organizations"]["id"], ds["organizations"]["located_in"],
                       strict=True))
    for gap, ident, place in zip(found["gap"], found["id"], places, strict=True):
        if gap == "stale_demand":
            assert place == demands[ident]
        elif gap.startswith("liaison_group"):
            assert place == (located[ident] if isinstance(located[ident], str) else None)
        else:
            assert place == ident


def test_gap_names_is_the_one_check() -> None:
    assert gap_names() == list(GAP_NAMES)
    assert gap_names(["stale_demand", "stale_demand"]) == ["stale_demand"]
    assert gap_names("grid_without_worker,stale_demand") == ["grid_without_worker",
                                                              "stale_demand"]
    with pytest.raises(UnknownGapError, match="unknown gap") as caught:
        gap_names(["nope"])
    assert isinstance(caught.value, UsageError) and isinstance(caught.value, KeyError)
    assert str(caught.value).startswith("unknown gap")
    with pytest.raises(KeyError):
        gm.gaps(gm.load_dataset(), AS_OF, ["nope"])


def test_runner_takes_a_dataset_or_a_path() -> None:
    ds = gm.load_dataset()
    by_path = engine.run("sector_matrix", ds.path, AS_OF)
    pd.testing.assert_frame_equal(by_path, gm.sector_matrix(ds, AS_OF))
    pd.testing.assert_frame_equal(gm.run("connectors", ds, AS_OF, k=2),
                                  gm.connectors(ds, AS_OF, k=2))
    with pytest.raises(UsageError, match="backend"):
        engine.run("sector_matrix", ds, AS_OF, backend="spark")  # type: ignore[arg-type]


@pytest.mark.parametrize("query", all_queries(), ids=lambda q: q.name)
def test_embedded_output_has_the_declared_columns_and_types(query: Query) -> None:
    ds = gm.load_dataset()
    params = {"a": "京东健康", "b": "上海戏剧学院"} if query.name == "path" else {}
    frame = engine.run(query.name, ds, AS_OF, **params)
    assert list(frame.columns) == list(query.columns)
    assert {c: str(t) for c, t in frame.dtypes.items()} == dict(query.dtypes)


def test_old_call_styles_still_work() -> None:
    ds = gm.load_dataset()
    assert list(gm.gaps(ds, as_of=AS_OF).columns) == gm.gaps(ds, AS_OF, None).columns.tolist()
    assert gm.bridges(ds, AS_OF, top=None)["id"].tolist() == gm.bridges(ds, AS_OF, 0)["id"].tolist()
    pd.testing.assert_frame_equal(gm.suggested_risk(ds, AS_OF), gm.risk_suggested(ds, AS_OF))
    assert gm.resolve_entity(ds, "B-GAOHE") == "B-GAOHE"


def _package_sources() -> dict[str, str]:
    return {str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.rglob("*.py"))}


DEFINED_ONCE = {
    "resolve_entity": r"^\s*def resolve_entity\(",
    "latest assessment per company": r"sort_values\(\[\"company_id\", \"assessed_on\"\]\)",
    "STATION_KINDS": r"^\s*STATION_KINDS\b[^=\n]*=",
    "gap-name check": r"unknown gap",
    "finding places": r"==\s*\"stale_demand\"|startswith\(\"liaison_group",
}


PENDING: dict[str, str] = {}


@pytest.mark.parametrize("item", [
    pytest.param(item, marks=pytest.mark.xfail(reason=PENDING[item], strict=False))
    if item in PENDING else item for item in sorted(DEFINED_ONCE)])
def test_defined_once(item: str) -> None:
    pattern = re.compile(DEFINED_ONCE[item], re.MULTILINE)
    where = [f"{name}:{text[:m.start()].count(chr(10)) + 1}"
             for name, text in _package_sources().items() for m in pattern.finditer(text)]
    expected = 0 if item == "finding places" else 1
    assert len(where) == expected, f"{item} defined in {where}"
