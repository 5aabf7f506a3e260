"""Responsibility names one owner: the nearest accountable organisation and the nearest
assigned worker, never a facility (graphmodel.responsibility)."""

from __future__ import annotations

import pandas as pd
import pytest
from _generate import random_tables
from conftest import minimal_tables, write_dataset

import graphmodel as gm
from graphmodel import schema
from graphmodel.cli import main
from graphmodel.responsibility import (
    ACCOUNTABLE_KINDS,
    FACILITY_KINDS,
    RESPONSIBLE_COLUMNS,
    findings_by,
    owners,
    place_chain,
)

AS_OF = "2026-11-29"


def _kinds(ds: gm.Dataset) -> dict[str, str]:
    orgs = ds["organizations"]
    return dict(zip(orgs["id"], orgs["kind"], strict=True))


def test_facility_kinds_are_contract_kinds_and_never_accountable():
    assert set(FACILITY_KINDS) <= set(schema.ORGANIZATION_KINDS)
    assert {"public_venue", "media_channel"} == set(FACILITY_KINDS)
    assert not set(FACILITY_KINDS) & set(ACCOUNTABLE_KINDS)


def test_shipped_every_finding_has_one_owner_and_never_a_facility():
    ds = gm.load_dataset()
    found = gm.gaps(ds, AS_OF)
    owned = gm.responsible(ds, AS_OF)
    assert list(owned.columns) == RESPONSIBLE_COLUMNS
    assert len(owned) == len(found)
    assert owned[["gap", "id"]].values.tolist() == found[["gap", "id"]].values.tolist()
    kinds = _kinds(ds)
    assert owned["org_id"].notna().all()
    assert all(kinds[o] in ACCOUNTABLE_KINDS for o in owned["org_id"])
    names = ds.names
    for org, name in zip(owned["org_id"], owned["org_name"], strict=True):
        assert names[org] == name
    people = set(ds["people"]["id"])
    assert set(owned["worker_id"].dropna()) <= people


def test_gaohe_owner_is_its_station_not_a_machine():
    ds = gm.load_dataset()
    lookups = owners(ds, AS_OF)
    org = lookups.organisation(place_chain(ds, "B-GAOHE"))
    assert org not in {"O-GH-TAX", "O-GH-YWTB", "O-GH-RELAX", "O-GH-READ"}
    assert _kinds(ds)[org] in ACCOUNTABLE_KINDS


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_datasets_never_name_a_facility(tmp_path, seed):
    ds = gm.load_dataset(write_dataset(tmp_path / f"r{seed}", random_tables(seed)))
    kinds = _kinds(ds)
    for as_of in ("2026-01-15", "2026-06-30", "2027-01-31"):
        owned = gm.responsible(ds, as_of)
        assert all(kinds[o] in ACCOUNTABLE_KINDS for o in owned["org_id"].dropna())
        assert not (owned["org_id"] == owned["id"]).any()


def _case(tmp_path, organizations, links, name="case"):
    tables = minimal_tables()
    tables["organizations"] = organizations
    tables["links"] = links
    tables["people"] = [{"id": p, "name": f"人{p}", "role": "网格员", "organization_id": ""}
                        for p in ("P1", "P2", "P3")]
    tables["visits"] = []
    tables["demands"] = []
    return gm.load_dataset(write_dataset(tmp_path / name, tables))


def _org(ident, kind, located_in, sector="party"):
    return {"id": ident, "name": f"组织{ident}", "kind": kind, "sector": sector,
            "located_in": located_in}


def test_nearest_rule_on_hand_built_cases(tmp_path):
    # C1 is in B1, in the business grid G2. Street-level and facility orgs never count.
    orgs = [_org("O-ST", "party_committee", "S1"),
            _org("O-TAX", "public_venue", "B1", "government"),
            _org("O-GRID", "party_branch", "G2"),
            _org("O-B1", "party_branch", "B1"),
            _org("O-SS", "service_station", "B1")]
    links = [{"source_id": "P1", "type": "ASSIGNED_TO", "target_id": "G2"},
             {"source_id": "P2", "type": "ASSIGNED_TO", "target_id": "B1", "since": "2020-01-01"},
             {"source_id": "P3", "type": "ASSIGNED_TO", "target_id": "B1", "since": "2021-01-01"}]
    ds = _case(tmp_path, orgs, links)
    lookups = owners(ds, AS_OF)
    chain = place_chain(ds, "C1")
    assert chain == ["C1", "B1", "G2"]
    # The building is nearer than the grid; a station before a branch at the same step.
    assert lookups.organisation(chain) == "O-SS"
    # The earliest assignment at the nearest step.
    assert lookups.worker(chain) == "P2"
    assert lookups.worker(place_chain(ds, "G2")) == "P1"
    assert lookups.organisation(place_chain(ds, "G2")) == "O-GRID"
    # The street is never a step: the residential grid G1 has nobody.
    assert lookups.organisation(place_chain(ds, "G1")) is None
    assert lookups.worker(place_chain(ds, "G1")) is None


def test_covers_comes_first_and_expired_links_do_not_count(tmp_path):
    orgs = [_org("O-B1", "party_branch", "B1"), _org("O-FAR", "party_branch", "A1"),
            _org("O-OLD", "service_station", "A1")]
    links = [{"source_id": "O-FAR", "type": "COVERS", "target_id": "B1"},
             {"source_id": "O-OLD", "type": "COVERS", "target_id": "B1",
              "since": "2019-01-01", "until": "2020-01-01"},
             {"source_id": "P1", "type": "ASSIGNED_TO", "target_id": "B1",
              "until": "2020-01-01"}]
    ds = _case(tmp_path, orgs, links)
    lookups = owners(ds, AS_OF)
    assert lookups.organisation(place_chain(ds, "B1")) == "O-FAR"
    assert lookups.worker(place_chain(ds, "B1")) is None


def test_findings_by_counts_every_finding():
    ds = gm.load_dataset()
    found = gm.gaps(ds, AS_OF)
    for by in ("grid", "area", "worker", "org"):
        frame = findings_by(ds, found, by, AS_OF)
        assert list(frame.columns) == ["id", "name", "findings", "gaps"]
        assert frame["findings"].sum() == len(found)
        assert frame["id"].is_unique
        assert all(sum(g.values()) == n for g, n in zip(frame["gaps"], frame["findings"],
                                                        strict=True))
    per_grid = findings_by(ds, found, "grid", AS_OF)
    expected = found["grid_id"].value_counts()
    for grid, n in expected.items():
        assert int(per_grid.loc[per_grid["id"] == grid, "findings"].iloc[0]) == n
    with pytest.raises(ValueError, match="grouping"):
        findings_by(ds, found, "street")


def test_cli_gaps_by(capsys):
    assert main(["gaps", "--by", "grid", "--as-of", AS_OF, "--format", "csv"]) == 0
    frame = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(frame.columns) == ["id", "name", "findings", "gaps"]
    assert frame["findings"].sum() == len(gm.gaps(gm.load_dataset(), AS_OF))
    assert main(["gaps", "--by", "worker", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "责任人 worker" in out and "无 none" in out
    with pytest.raises(SystemExit) as exc:
        main(["gaps", "--by", "street"])
    assert exc.value.code == 2
