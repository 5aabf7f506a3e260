"""The synthetic dataset generator (``graphmodel generate``).

The street tier is checked in depth (contract version 2, the "1 + 11 + 37" layout,
proportions, spellings, reproducibility, every gap planted and found exactly as the
manifest says); the district tier, which takes a few seconds, only for validity,
hierarchy, size and the planted findings. The city tier is exercised by
``bench/run.py``; here only its place hierarchy (streets, areas, grids) is drawn.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _generate import KIND, assert_v2_hierarchy

from graphmodel import load_dataset, schema
from graphmodel.cli import build_parser
from graphmodel.gaps import GAP_NAMES, gaps
from graphmodel.generate import AS_OF, TIERS, generate, hierarchy

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("street")
    generate("street", seed=7, out=out)
    return out


@pytest.fixture(scope="module")
def street_ds(street: Path):
    return load_dataset(street)


def manifest(path: Path) -> dict:
    return json.loads((path / "generate.json").read_text(encoding="utf-8"))


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_street_tier_meets_the_contract(street_ds) -> None:
    assert street_ds.warnings == []
    assert set(street_ds.tables) == set(schema.TABLES)


def test_street_tier_sizes_match_the_real_area(street_ds) -> None:
    t = TIERS["street"]
    counts = street_ds.counts()
    assert counts["streets"] == 1
    kinds = street_ds["grids"]["kind"].value_counts().to_dict()
    assert kinds == {"residential": 32, "business": 5}  # "5+32" grids of 静安寺街道
    assert counts["residential_areas"] == 11  # "1 + 11 + 37"
    assert counts["buildings"] == 45
    assert counts["companies"] == 500
    for table, target in (("visits", t.visits), ("risk_assessments", t.assessments),
                          ("demands", t.demands)):
        assert abs(counts[table] - target) <= 0.1 * target, table
    per_building = street_ds["companies"]["building_id"].value_counts()
    assert per_building.max() >= 20  # a long tail: some buildings are key by size
    assert per_building.median() < 20


def test_street_tier_hierarchy_is_version_2(street: Path, street_ds) -> None:
    assert_v2_hierarchy(street_ds["streets"], street_ds["residential_areas"], street_ds["grids"])
    raw = pd.read_csv(street / "grids.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns) == ["id", "name", "kind", "street_id", "area_id"]
    assert (raw["kind"] == "business").sum() >= 3  # "business" mostly, other spellings too
    areas = pd.read_csv(street / "residential_areas.csv", dtype=str, keep_default_na=False)
    assert list(areas.columns) == ["id", "name", "street_id", "households"]
    grids = street_ds["grids"].set_index("id")
    buildings = street_ds["buildings"]
    business = buildings["grid_id"].map(grids["kind"]) == "business"
    assert business.mean() > 0.7  # the office towers stand in the business grids
    assert (~business).any()  # a few buildings in residential micro-grids


@pytest.mark.parametrize("tier", list(TIERS))
def test_every_tier_has_the_version_2_hierarchy(tier: str) -> None:
    t = TIERS[tier]
    h = hierarchy(t, np.random.default_rng(5))
    assert len(h["streets"]) == t.streets
    assert len(h["areas"]) == t.residential_areas
    kind = h["grids"]["kind"].map(lambda k: schema.canonical_enum(KIND, k))
    assert (kind == "residential").sum() == t.residential_grids
    assert (kind == "business").sum() == t.business_grids
    assert_v2_hierarchy(h["streets"], h["areas"], h["grids"])
    assert h["grids"]["id"].is_unique and h["areas"]["id"].is_unique


def test_street_tier_mixes_accepted_spellings(street: Path, street_ds) -> None:
    def raw(table: str, column: str) -> set[str]:
        frame = pd.read_csv(street / f"{table}.csv", dtype=str, keep_default_na=False)
        return set(frame[column])

    assert {"residential", "business"} <= raw("grids", "kind")
    assert raw("grids", "kind") <= set(schema.GRID_KINDS)
    statuses = raw("visits", "status")
    assert {"", "done", "已走访", "planned", "计划"} <= statuses
    visits = street_ds["visits"]
    assert set(visits["status"]) == {"done", "planned"}
    assert 0.02 < (visits["status"] == "planned").mean() < 0.2  # a few planned visits
    chinese = 0
    for table, column, enum in (("companies", "ownership", "ownership"),
                                ("organizations", "kind", "organization_kind"),
                                ("organizations", "sector", "sector"),
                                ("demands", "status", "demand_status")):
        values = raw(table, column)
        zh = values & set(schema.CHINESE_SPELLINGS[enum])
        chinese += len(zh)
        assert values - {""} <= set(schema.TABLES[table].column(column).enum) | zh, table
    assert chinese >= 6
    assert raw("companies", "ownership") & {"民营", "内资"}


def test_street_tier_covers_whole_areas_and_the_street(street_ds) -> None:
    links, orgs = street_ds["links"], street_ds["organizations"].set_index("id")
    covers = links[links["type"] == "COVERS"]
    targets = set(covers["target_id"])
    for table in ("streets", "residential_areas", "grids", "buildings"):
        assert targets & set(street_ds[table]["id"]), table
    # the party centre covers some areas as a whole (their micro-grids not one by one)
    centre = covers[covers["source_id"].map(orgs["kind"]) == "service_center"]
    assert centre["target_id"].isin(set(street_ds["residential_areas"]["id"])).any()
    assigned = links[links["type"] == "ASSIGNED_TO"]
    grids = set(street_ds["grids"]["id"])
    staffed = set(assigned.loc[assigned["target_id"].isin(grids), "target_id"])
    assert 0.7 * len(grids) < len(staffed) < len(grids)  # most grids have a worker, not all


def test_street_tier_has_every_kind_of_thing(street_ds) -> None:
    orgs = street_ds["organizations"]
    assert set(orgs["kind"]) == set(schema.ORGANIZATION_KINDS)
    assert set(orgs["sector"]) == set(schema.SECTORS)
    links = street_ds["links"]
    assert set(links["type"]) == set(schema.LINK_TYPES)
    as_of = pd.Timestamp(AS_OF)
    assert (links["until"] < as_of).any()  # ended links
    assert (links["since"] > as_of).any()  # links that start later
    assigned = links[links["type"] == "ASSIGNED_TO"]
    assert assigned["source_id"].isin(set(street_ds["people"]["id"])).all()
    areas = street_ds["residential_areas"]["id"]
    with_group = set(orgs.loc[orgs["kind"] == "liaison_group", "located_in"])
    assert 0.5 * len(areas) < len(with_group & set(areas)) < len(areas)  # most, not all


def test_street_tier_records_span_two_years_in_mixed_spellings(street: Path,
                                                                street_ds) -> None:
    for table, column in (("visits", "date"), ("demands", "raised_on"),
                          ("risk_assessments", "assessed_on")):
        dates = street_ds[table][column]
        assert dates.min() >= pd.Timestamp("2025-01-01"), table
        assert dates.max() <= pd.Timestamp("2026-12-31"), table
        assert dates.dt.year.nunique() == 2, table
    raw = pd.read_csv(street / "risk_assessments.csv", dtype=str)
    assert raw["level"].nunique() >= 15  # digits, labels, colours, several cases
    assert street_ds["risk_assessments"]["level"].notna().all()
    assert set(street_ds["risk_assessments"]["level"]) == {1, 2, 3, 4, 5}
    assert raw["assessed_on"].str.contains("/").any()  # YYYY/MM/DD too


def test_street_tier_names_are_chinese(street_ds) -> None:
    for table in ("streets", "grids", "residential_areas", "buildings", "companies",
                  "organizations", "people"):
        names = street_ds[table]["name"]
        assert names.map(lambda n: bool(CJK.search(n))).all(), table


def test_every_gap_has_the_planted_findings(street: Path, street_ds) -> None:
    found = gaps(street_ds, as_of=AS_OF)
    counts = found["gap"].value_counts().to_dict()
    expected = manifest(street)["expected_findings"]
    assert set(expected) == set(GAP_NAMES)
    assert all(expected[g] >= 1 for g in GAP_NAMES)
    assert {g: counts.get(g, 0) for g in GAP_NAMES} == expected


def test_gaps_do_not_build_the_graph(street_ds) -> None:
    gaps(street_ds, as_of=AS_OF)
    assert "graph" not in street_ds.__dict__


def test_same_seed_gives_identical_files(tmp_path: Path, street: Path) -> None:
    generate("street", seed=7, out=tmp_path / "again")
    assert files(tmp_path / "again") == files(street)


def test_other_seed_gives_other_data(tmp_path: Path, street: Path) -> None:
    generate("street", seed=8, out=tmp_path / "other")
    other = files(tmp_path / "other")
    mine = files(street)
    assert other["companies.csv"] != mine["companies.csv"]
    assert other["visits.csv"] != mine["visits.csv"]
    assert manifest(tmp_path / "other")["seed"] == 8


def test_unknown_tier_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown tier"):
        generate("planet", out=tmp_path)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()  # every command, generate among them, is in graphmodel.cli
    assert isinstance(parser, argparse.ArgumentParser)
    args = parser.parse_args(["generate", "--tier", "street", "--seed", "3", "--out",
                              str(tmp_path / "cli")])
    assert args.handler(args) == 0
    assert "companies" in capsys.readouterr().out
    assert manifest(tmp_path / "cli")["tier"] == "street"
    load_dataset(tmp_path / "cli")
    with pytest.raises(SystemExit):
        parser.parse_args(["generate", "--tier", "planet", "--out", str(tmp_path)])


def test_district_tier(tmp_path: Path) -> None:
    """A few seconds: valid, sized as 静安区, every planted gap found exactly."""
    result = generate("district", seed=1, out=tmp_path / "district")
    t = TIERS["district"]
    ds = load_dataset(tmp_path / "district")
    counts = ds.counts()
    assert counts["streets"] == t.streets
    assert counts["residential_areas"] == t.residential_areas
    assert counts["companies"] == t.companies
    for table, target in (("visits", t.visits), ("risk_assessments", t.assessments),
                          ("demands", t.demands)):
        assert abs(counts[table] - target) <= 0.05 * target, table
    assert counts["grids"] == t.residential_grids + t.business_grids
    assert_v2_hierarchy(ds["streets"], ds["residential_areas"], ds["grids"])
    found = gaps(ds, as_of=AS_OF)["gap"].value_counts().to_dict()
    assert {g: found.get(g, 0) for g in GAP_NAMES} == result.expected
