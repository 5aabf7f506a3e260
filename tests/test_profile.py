"""gm.profile and ``graphmodel show``: everything about one entity, on both engines."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator

import pandas as pd
import pytest

import graphmodel as gm
from graphmodel import neo4j_backend as backend
from graphmodel.cli import main
from graphmodel.profile import PROFILE_KEYS
from graphmodel.responsibility import ACCOUNTABLE_KINDS

AS_OF = "2026-11-29"


@pytest.fixture(scope="module")
def ds() -> gm.Dataset:
    return gm.load_dataset()


def test_tower_gaohe(ds):
    about = gm.profile(ds, "高和大厦", AS_OF)
    assert tuple(about) == PROFILE_KEYS
    assert all(isinstance(frame, pd.DataFrame) for frame in about.values())
    assert about["entity"].loc[0, "id"] == "B-GAOHE"
    assert about["entity"].loc[0, "label"] == "Building"
    assert about["places"]["level"].tolist() == ["street", "grid", "building"]
    assert about["places"]["id"].tolist() == ["S-JAS", "G-B03", "B-GAOHE"]
    orgs = about["organisations"]
    assert {"O-PMSS", "O-PB-GAOHE", "O-GH-TAX"} <= set(orgs["id"])
    assert orgs.loc[orgs["id"] == "O-GH-TAX", "facility"].iloc[0]
    assert not orgs.loc[orgs["id"] == "O-PB-GAOHE", "facility"].iloc[0]
    assert "P-0020" in set(about["people"]["id"])
    assert len(about["visits"]) and (about["visits"]["date"] <= pd.Timestamp(AS_OF)).all()
    assert list(about["visits"]["date"]) == sorted(about["visits"]["date"], reverse=True)
    assert "C-GAOHE-JPSME" in set(about["risk"]["company_id"])
    companies = set(ds["companies"].loc[ds["companies"]["building_id"] == "B-GAOHE", "id"])
    assert set(about["risk"]["company_id"]) <= companies
    assert set(about["demands"]["company_id"]) <= companies


def test_company(ds):
    about = gm.profile(ds, "C-GAOHE-JPSME", AS_OF)
    assert about["entity"].loc[0, "label"] == "Company"
    assert about["places"]["level"].tolist() == ["street", "grid", "building", "company"]
    risk = about["risk"]
    assert risk["company_id"].tolist() == ["C-GAOHE-JPSME"] and risk["level"].iloc[0] == 4
    assert set(about["visits"]["target_id"]) == {"C-GAOHE-JPSME"}


def test_grid_gaps_have_owners(ds):
    about = gm.profile(ds, "G-B05", AS_OF)
    assert about["entity"].loc[0, ["label", "kind"]].tolist() == ["Grid", "business"]
    found = gm.gaps(ds, AS_OF)
    assert len(about["gaps"]) == int((found["grid_id"] == "G-B05").sum())
    kinds = dict(zip(ds["organizations"]["id"], ds["organizations"]["kind"], strict=True))
    assert all(kinds[o] in ACCOUNTABLE_KINDS for o in about["gaps"]["org_id"].dropna())


def test_area(ds):
    about = gm.profile(ds, "RA-YUGU", AS_OF)
    assert about["places"]["level"].tolist() == ["street", "area"]
    assert "O-PGB-YUGU" in set(about["organisations"]["id"])
    assert "liaison_group_without_leadership" in set(about["gaps"]["gap"])


def test_organisation(ds):
    about = gm.profile(ds, "O-PMSS", AS_OF)
    assert about["entity"].loc[0, ["label", "kind"]].tolist() == ["Organization",
                                                                  "service_station"]
    assert about["places"]["id"].tolist()[-1] == "B-GAOHE"
    assert {"COVERS"} <= set(about["links"]["type"])
    assert (about["links"]["direction"] == "out").any()
    assert len(about["visits"]) and (about["visits"]["visitor_id"] == "O-PMSS").all()


def test_unknown_name_suggests(ds):
    with pytest.raises(ValueError, match=r"did you mean: 高和大厦 \(B-GAOHE"):
        gm.profile(ds, "高和大夏", AS_OF)


def test_cli_show(capsys):
    assert main(["show", "高和大厦", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "高和大厦 (B-GAOHE)" in out and "静安寺街道 (S-JAS) → " in out
    assert "未补缺口 Open gaps" in out
    assert main(["show", "G-B05", "--as-of", AS_OF, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(PROFILE_KEYS) and data["entity"][0]["id"] == "G-B05"
    with pytest.raises(SystemExit) as exc:
        main(["show", "高和大夏", "--as-of", AS_OF])
    assert exc.value.code == 2
    assert "did you mean" in capsys.readouterr().err


def test_python_dash_m(capsys):
    import runpy

    with pytest.raises(SystemExit) as exc:
        runpy.run_module("graphmodel", run_name="__main__", alter_sys=True)
    assert exc.value.code == 2  # no command: argparse's usage error


@pytest.fixture(scope="module")
def loaded(ds) -> Iterator[str]:
    try:
        backend.run_cypher("RETURN 1 AS one", {})
    except backend.Neo4jError as exc:
        pytest.fail(f"Neo4j is not running; start it with `graphmodel server start` ({exc})")
    name = f"profile-{os.getpid()}"
    backend.load(dataclasses.replace(ds, name=name), progress=False)
    yield name
    backend.delete_dataset(name)


@pytest.mark.neo4j
@pytest.mark.parametrize("entity", ["B-GAOHE", "C-GAOHE-JPSME", "G-B05", "RA-YUGU", "O-PMSS"])
def test_neo4j_parity(ds, loaded, entity):
    embedded = gm.profile(ds, entity, AS_OF)
    served = gm.profile(loaded, entity, AS_OF, backend="neo4j")
    for key in PROFILE_KEYS:
        pd.testing.assert_frame_equal(served[key], embedded[key], check_dtype=False,
                                      obj=f"{entity} {key}")
