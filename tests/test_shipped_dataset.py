"""The shipped 静安寺街道 dataset: structure (1 + 11 + 37), towers, scale, liaison officers,
provenance, every entity the newsletter names, its figures, validity and the planted gaps."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from graphmodel import GAP_NAMES, gaps, load_dataset, schema
from graphmodel.cli import main
from graphmodel.settings import PROJECT_DIR

AS_OF = "2026-11-29"
SCRIPT = PROJECT_DIR / "scripts" / "build_jingansi.py"


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_jingansi", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NAMED = {
    "streets": ["静安寺街道"],
    "buildings": ["高和大厦", "会德丰", "越洋国际广场", "东海广场", "嘉里中心二期", "南京西路1788号"],
    "companies": ["京东健康", "卫材中国", "合资公司", "日资"],
    "residential_areas": ["华山居民区", "裕华居民区", "四明居民区", "景华居民区"],
    "organizations": ["党工委", "党建办", "党群办", "党群服务站", "企业服务中心", "投资办",
                      "帮困基金", "同心家园", "理事分会", "民族联分会", "少数民族联络组",
                      "上海戏剧学院", "西藏班", "蒙古班", "静安寺", "圆明讲堂", "侨联分会",
                      "新联会", "巴楚敬老院", "静安公园", "文化活动中心", "党建服务中心",
                      "裕华微社区", "阅读角", "减压室", "一网通办", "自助税务",
                      "商圈党群服务中心", "机关党总支", "企业服务团队"],
    "people": ["汝熙玲", "伊利汗木", "李峰", "两新老师", "新联会会长"],
}


@pytest.mark.parametrize("table,fragment", [(t, f) for t, names in NAMED.items() for f in names])
def test_every_named_entity_is_present(ds, table, fragment):
    names = ds[table]["name"]
    assert names.str.contains(fragment, regex=False).any(), f"{fragment} missing from {table}"


def test_structure_is_1_11_37(ds):
    assert len(ds["streets"]) == 1
    assert len(ds["residential_areas"]) == 11
    assert (ds["residential_areas"]["street_id"] == "S-JAS").all()
    grids = ds["grids"]
    assert len(grids) == 37
    assert grids["kind"].value_counts().to_dict() == {"residential": 32, "business": 5}
    residential = grids[grids["kind"] == "residential"]
    assert residential["area_id"].isin(ds["residential_areas"]["id"]).all()
    assert set(residential["area_id"]) == set(ds["residential_areas"]["id"])
    business = grids[grids["kind"] == "business"]
    assert business["area_id"].isna().all() or (business["area_id"].fillna("") == "").all()


def test_30_to_60_towers_in_the_business_grids(ds):
    business = set(ds["grids"].loc[ds["grids"]["kind"] == "business", "id"])
    towers = ds["buildings"][ds["buildings"]["grid_id"].isin(business)]
    assert 30 <= len(towers) <= 60
    jinwuxing = {"会德丰", "越洋国际广场", "东海广场", "嘉里中心二期", "南京西路1788号"}
    assert jinwuxing <= set(towers["name"])
    assert set(ds["companies"]["building_id"]) <= set(towers["id"])


def test_scale_is_about_90000_workers(ds):
    companies = ds["companies"]
    assert len(companies) >= 1000
    assert 80_000 <= companies["employees"].sum() <= 100_000


def test_liaison_officers_are_assigned_to_their_buildings(ds):
    people = ds["people"].set_index("id")
    links = ds["links"]
    assigned = links[links["type"] == "ASSIGNED_TO"]
    officers = people[people["role"] == "企业联络员"].index
    chiefs = people[people["role"] == "首席联络员"].index
    assert len(officers) and len(chiefs)
    buildings = set(ds["buildings"]["id"])
    officer_links = assigned[assigned["source_id"].isin(officers)]
    assert set(officer_links["source_id"]) == set(officers)
    assert officer_links["target_id"].isin(buildings).all()
    assert assigned["source_id"].isin(chiefs).any()
    key = ds["buildings"][ds["buildings"]["key_building"].fillna(False).astype(bool)]
    staffed = set(officer_links["target_id"])
    assert len(staffed & set(key["id"])) >= len(key) - 1  # B-T14 is a planted gap


def test_public_rows_cite_their_source(ds):
    public = 0
    for name, frame in ds.tables.items():
        if len(frame) and "source" in frame:
            rows = frame[frame["source"] == "public"]
            public += len(rows)
            assert rows["source_ref"].fillna("").str.strip().ne("").all(), name
    assert public >= 10


def test_every_table_carries_its_source(ds):
    for name, frame in ds.tables.items():
        if len(frame):
            assert "source" in frame, name
            assert set(frame["source"]) <= set(schema.SOURCES), name


def test_fidelity_corrections(ds):
    links = ds["links"]
    orgs = ds["organizations"].set_index("id")

    def link(source, rel, target):
        return links[(links["source_id"] == source) & (links["type"] == rel)
                     & (links["target_id"] == target)]

    for member in ["O-MZLFH", "O-SSMZLLZ"]:
        rows = link(member, "MEMBER_OF", "O-TXJY")
        assert len(rows) == 1 and (rows["source"] == "synthetic").all() and rows["note"].notna().all()
    assert (ds["grids"]["source"] == "synthetic").all() and ds["grids"]["note"].notna().all()
    yuhua = ds["residential_areas"].set_index("id").loc["RA-YUHUA"]
    assert yuhua["source"] == "public" and "btfxbr" in yuhua["source_ref"]
    for donor in ["O-JAT", "O-YMJT", "O-QLFH"]:
        assert len(link(donor, "SUPPORTS", "O-SPA-TIBET")) == 1
        assert len(link(donor, "SUPPORTS", "O-SPA-MONGOLIA")) == 1
        assert link(donor, "SUPPORTS", "O-TXJY").empty
    assert len(link("P-XLH-PRES", "SUPPORTS", "O-BACHU")) == 1
    assert link("O-XLH", "SUPPORTS", "O-BACHU").empty
    text = " ".join(str(v) for frame in ds.tables.values() for col in frame.columns
                    if frame[col].dtype == object for v in frame[col].dropna())
    assert "新疆" not in text and "南西" not in text
    assert orgs.at["O-BACHU", "located_in"] in (None, "") or str(orgs.at["O-BACHU", "located_in"]) == "nan"
    synthetic = ds["buildings"][ds["buildings"]["source"] == "synthetic"]
    assert synthetic["address"].isna().all() or (synthetic["address"].fillna("") == "").all()
    assert synthetic["name"].str.startswith("商务楼宇").all()
    synth_companies = ds["companies"][ds["companies"]["source"] == "synthetic"]
    assert synth_companies["name"].str.startswith("示例").all()


def test_population_reproduces_the_newsletter(ds):
    population = ds["population"]
    minority = population[~population["ethnic_group"].map(schema.is_han).astype(bool)]
    assert minority["ethnic_group"].nunique() == 29
    assert int(minority["residents"].sum()) == 921
    assert int(minority["registered"].sum()) == 646


def test_people_carry_no_personal_data(ds):
    assert not [c for c in ds["people"].columns if schema.PRIVACY_FORBIDDEN.search(c)]


def test_relationships_as_the_text_describes(ds):
    orgs = ds["organizations"].set_index("id")
    links = ds["links"]

    def linked(source, rel, target):
        return ((links["source_id"] == source) & (links["type"] == rel)
                & (links["target_id"] == target)).any()

    assert orgs.at["O-PMSS", "located_in"] == "B-GAOHE"
    assert orgs.at["O-ESC", "kind"] == "service_center" and orgs.at["O-ESC", "located_in"] == "B-GAOHE"
    assert orgs.at["O-PWC-DJB", "parent_id"] == "O-PWC" and orgs.at["O-PWC-DQB", "parent_id"] == "O-PWC"
    assert orgs.at["O-SPA-TIBET", "parent_id"] == "O-SPA"
    assert orgs.at["O-JAT", "kind"] == "religious_site"
    companies = ds["companies"].set_index("id")
    assert companies.at["C-JDEISAI-JV", "ownership"] == "joint_venture"
    assert companies.at["C-GAOHE-JPSME", "building_id"] == "B-GAOHE"
    risks = ds["risk_assessments"]
    assert (risks.loc[risks["company_id"] == "C-GAOHE-JPSME", "level"] == 4).any()  # 较不稳定
    visits = ds["visits"]
    assert ((visits["visitor_id"] == "O-INVEST") & (visits["target_id"] == "C-GAOHE-JPSME")).any()
    assert (visits["status"] == "planned").any() and (visits["status"] == "done").any()
    assert linked("O-PGB-HUASHAN", "LEADS", "O-LG-HUASHAN")
    mentors = links[links["type"] == "MENTORS"]
    assert mentors["target_id"].isin(["O-SPA-TIBET", "O-SPA-MONGOLIA"]).any()


def test_validate_and_info_on_the_shipped_dataset(capsys):
    assert main(["validate"]) == 0
    capsys.readouterr()
    assert main(["info"]) == 0
    text = capsys.readouterr().out
    assert "37" in text and "静安寺街道" in text
    assert "unknown extra columns" not in text


def test_package_gaps_equal_the_planted_gaps(ds, builder):
    found = gaps(ds, as_of=AS_OF)
    pkg = set(zip(found["gap"], found["id"], strict=True))
    tables = builder.load(PROJECT_DIR / "data" / "jingansi")
    mine = {(g, i) for g, ids in builder.gaps(tables, builder.AS_OF).items() for i in ids}
    assert pkg == mine
    assert {g for g, _ in pkg} == set(GAP_NAMES)  # every gap is planted at least once


def test_generator_is_reproducible_and_self_checks(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-check passed" in done.stdout
    for path in sorted((PROJECT_DIR / "data" / "jingansi").glob("*")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_readme_lists_sources_and_refers_only_to_the_repo():
    text = (PROJECT_DIR / "data" / "jingansi" / "README.md").read_text(encoding="utf-8")
    for needle in ["thepaper.cn", "sh.people.com.cn", "geo.ecnu.edu.cn", "btfxbr.cn",
                   "021fenlei.com", "wenweipo.com", "## Assumptions", "## Planted coverage gaps"]:
        assert needle in text, needle
    for forbidden in ["GAPS" + ".md", "DATA_CONTRACT" + ".md", "../" + "shared"]:
        assert forbidden not in text
