"""The shipped 静安寺街道 dataset: every entity the newsletter names, its figures, validity."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graphmodel import load_dataset, schema
from graphmodel.cli import main
from graphmodel.settings import PROJECT_DIR


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


NAMED = {
    "streets": ["静安寺街道"],
    "buildings": ["高和大厦"],
    "companies": ["京东健康", "卫材中国"],
    "residential_areas": ["华山居民区", "裕华居民区"],
    "organizations": ["党工委", "党建办", "党群办", "党群服务站", "企业服务中心", "投资办",
                      "帮困基金", "同心家园", "理事分会", "民族联分会", "少数民族联络组",
                      "上海戏剧学院", "西藏班", "蒙古班", "静安寺", "圆明讲堂", "侨联分会",
                      "新联会", "巴楚敬老院", "静安公园", "文化活动中心", "党建服务中心",
                      "裕华微社区", "阅读角", "减压室", "一网通办", "自助税务"],
    "people": ["汝熙玲", "伊利汗木", "李峰"],
}


@pytest.mark.parametrize("table,fragment", [(t, f) for t, names in NAMED.items() for f in names])
def test_every_entity_the_newsletter_names_is_present(ds, table, fragment):
    names = ds[table]["name"]
    assert names.str.contains(fragment, regex=False).any(), f"{fragment} missing from {table}"


def test_5_plus_32_grids(ds):
    kinds = ds["grids"]["kind"].value_counts().to_dict()
    assert kinds == {"residential": 5, "building": 32}


def test_population_reproduces_the_newsletter(ds):
    population = ds["population"]
    minority = population[~population["ethnic_group"].map(schema.is_han).astype(bool)]
    assert minority["ethnic_group"].nunique() == 29
    assert int(minority["residents"].sum()) == 921
    assert int(minority["registered"].sum()) == 646
    assert int(minority["residents"].sum() - minority["registered"].sum()) == 275


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
    sme = risks[risks["company_id"] == "C-GAOHE-JPSME"]
    assert (sme["level"] == 4).any()  # 较不稳定
    visits = ds["visits"]
    assert ((visits["visitor_id"] == "O-INVEST") & (visits["target_id"] == "C-GAOHE-JPSME")).any()
    assert linked("O-XLH", "SUPPORTS", "O-BACHU")
    assert linked("O-PGB-HUASHAN", "LEADS", "O-LG-HUASHAN")
    assert (links["type"] == "MENTORS").any() and links.loc[links["type"] == "MENTORS",
                                                              "target_id"].isin(["O-SPA-TIBET", "O-SPA-MONGOLIA"]).any()


def test_every_table_carries_its_source(ds):
    for name, frame in ds.tables.items():
        if len(frame):
            assert "source" in frame, name
            assert set(frame["source"]) <= set(schema.SOURCES), name


def test_validate_and_info_on_the_shipped_dataset(capsys):
    assert main(["validate"]) == 0
    assert main(["info"]) == 0
    text = capsys.readouterr().out
    assert "37" in text and "静安寺街道" in text


def test_generator_is_reproducible(tmp_path):
    subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "build_jingansi.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for path in sorted((PROJECT_DIR / "data" / "jingansi").glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
