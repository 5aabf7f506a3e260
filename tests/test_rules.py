"""Analysts' own coverage rules (docs/rules.md): checking a rule file, the meaning of filters
and requirements, the five built-in gaps written as rules, and the command line.

The embedded engine of the rules is DuckDB (graphmodel/_duckdb.py); tests/test_rules_parity.py
checks that Neo4j gives the same answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _generate import random_tables
from conftest import Rows, minimal_tables, write_dataset

from graphmodel import load_dataset
from graphmodel.cli import main
from graphmodel.errors import RuleFileError
from graphmodel.gaps import GAP_NAMES, gaps
from graphmodel.rules import as_queries, load_rules, parse_rules, rule_cypher, rule_sql

AS_OF = "2026-11-29"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "jingansi" / "rules.toml"

BUILTIN_AS_RULES = """
[[rule]]
name = "as_rule_grid_without_party_org"
subject = "grids"
[rule.require]
located_within = { sector = "party" }
covered_by = { sector = "党建" }
covers_within = { sector = "party" }

[[rule]]
name = "as_rule_area_without_liaison_group"
subject = "residential_areas"
where = { min_minority_residents = 1 }
[rule.require]
located_within = { kind = "liaison_group" }
covered_by = { kind = "联络组" }

[[rule]]
name = "as_rule_building_without_service_station"
subject = "buildings"
where = { min_companies = 1 }
[rule.require]
located_within = { kind = ["service_station", "service_center"] }
covered_by = [{ kind = "党群服务站" }, { kind = "service_center" }]

[[rule]]
name = "as_rule_building_not_visited"
subject = "buildings"
where = { min_companies = 1 }
require = { visited_within_days = 180 }

[[rule]]
name = "as_rule_grid_without_worker"
subject = "grids"
require = { assigned = {} }
"""
FIVE = ("grid_without_party_org", "area_without_liaison_group",
        "building_without_service_station", "building_not_visited", "grid_without_worker")


def problems_of(text: str) -> list:
    with pytest.raises(RuleFileError) as caught:
        parse_rules(text, "my_rules.toml")
    return caught.value.problems


def refused(text: str, rule: str, key: str, words: str = "") -> None:
    """The file is refused with a problem naming the file, ``rule`` and ``key``."""
    problems = problems_of(text)
    hits = [p for p in problems if p.file == "my_rules.toml" and p.rule == rule and p.key == key]
    assert hits, [p.format() for p in problems]
    assert words.lower() in hits[0].format().lower(), hits[0].format()
    assert "my_rules.toml" in hits[0].format() and (not key or key in hits[0].format())


def rule(body: str, name: str = "r1", subject: str = "buildings") -> str:
    return f'[[rule]]\nname = "{name}"\nsubject = "{subject}"\n{body}\n'


# ---------------------------------------------------------------------------
# Bad files: every case of the spec, each with the file, the rule's name and the key
# ---------------------------------------------------------------------------


def test_toml_syntax_names_the_line():
    problems = problems_of('[[rule]]\nname = "a"\nsubject = buildings\n')
    assert len(problems) == 1 and "line 3" in problems[0].format()
    assert "my_rules.toml" in problems[0].format()


@pytest.mark.parametrize("missing", ["name", "subject", "require"])
def test_missing_key(missing):
    lines = {"name": 'name = "r1"', "subject": 'subject = "grids"',
             "require": "require = { assigned = {} }"}
    text = "[[rule]]\n" + "\n".join(v for k, v in lines.items() if k != missing) + "\n"
    refused(text, "r1" if missing != "name" else "#1", missing, "missing")


def test_titles_are_optional():
    (only,) = parse_rules(rule("require = { assigned = {} }"))
    assert only.title_zh == only.title_en == "r1"


@pytest.mark.parametrize("name", ["Key_Building", "key-building", "重点楼宇", "a b", ""])
def test_name_not_lowercase_word(name):
    text = f'[[rule]]\nname = "{name}"\nsubject = "grids"\nrequire = {{ assigned = {{}} }}\n'
    refused(text, name or "#1", "name", "[a-z0-9_]+")


def test_name_not_a_string():
    refused('[[rule]]\nname = 5\nsubject = "grids"\nrequire = { assigned = {} }\n', "#1",
            "name", "[a-z0-9_]+")


def test_duplicate_name():
    text = rule("require = { assigned = {} }") + rule("require = { assigned = {} }")
    refused(text, "r1", "name", "duplicate")


@pytest.mark.parametrize("builtin", GAP_NAMES)
def test_builtin_name(builtin):
    refused(rule("require = { assigned = {} }", name=builtin), builtin, "name", "built-in")


def test_unknown_subject():
    refused(rule("require = { assigned = {} }", subject="people"), "r1", "subject", "unknown")


def test_unknown_key_in_rule_and_file():
    refused(rule("require = { assigned = {} }\ndescription = 'x'"), "r1", "description",
            "unknown key")
    refused("title = 'x'\n" + rule("require = { assigned = {} }"), "", "title", "unknown key")


def test_unknown_requirement():
    refused(rule("require = { visited = 30 }"), "r1", "require.visited", "unknown requirement")


def test_empty_require():
    refused(rule("require = {}"), "r1", "require", "empty")
    refused(rule("[rule.require]"), "r1", "require", "empty")


def test_unknown_column():
    refused(rule("require = { assigned = { colour = 'red' } }"), "r1",
            "require.assigned.colour", "not a contract column")
    refused(rule("where = { height = 3 }\nrequire = { assigned = {} }"), "r1", "where.height",
            "not a contract column")


def test_filter_on_a_column_the_subject_does_not_have():
    # grids have a kind, buildings do not; organisations have no role
    refused(rule("where = { kind = 'business' }\nrequire = { assigned = {} }"), "r1",
            "where.kind", "not a contract column of buildings")
    refused(rule("require = { covered_by = { role = '网格员' } }"), "r1",
            "require.covered_by.role", "not a contract column of organizations")


def test_extra_columns_are_refused_as_filter_keys(tmp_path):
    # name_en is an extra column of the shipped tables, never a contract one
    assert "name_en" in load_dataset()["buildings"].columns
    refused(rule("where = { name_en = 'Wheelock Square' }\nrequire = { assigned = {} }"),
            "r1", "where.name_en", "extra columns")


@pytest.mark.parametrize("value", ["'foreign-ish'", "['foreign', 'alien']", "'外企'"])
def test_value_not_in_enum(value):
    refused(rule(f"where = {{ ownership = {value} }}\nrequire = {{ assigned = {{}} }}",
                 subject="companies"), "r1", "where.ownership", "not a value of ownership")


def test_enum_of_requirement_filter():
    refused(rule("require = { covered_by = { sector = 'partyy' } }"), "r1",
            "require.covered_by.sector", "not a value of sector")
    refused(rule("require = { located_within = [{ kind = 'station' }] }"), "r1",
            "require.located_within[0].kind", "not a value of kind")


@pytest.mark.parametrize("value", ["'true'", "1", "'是'", "[true, 'no']"])
def test_boolean_needs_a_toml_boolean(value):
    refused(rule(f"where = {{ key_building = {value} }}\nrequire = {{ assigned = {{}} }}"),
            "r1", "where.key_building", "wrong type")


@pytest.mark.parametrize("value", ["'10'", "true", "1.5", "[3, '4']"])
def test_integer_needs_a_toml_integer(value):
    refused(rule(f"where = {{ floors = {value} }}\nrequire = {{ assigned = {{}} }}"), "r1",
            "where.floors", "wrong type")


def test_text_needs_a_string():
    refused(rule("require = { assigned = { role = 5 } }"), "r1", "require.assigned.role",
            "wrong type")


def test_min_minority_residents_only_on_residential_areas():
    for subject in ("grids", "buildings", "companies"):
        refused(rule("where = { min_minority_residents = 1 }\nrequire = { assigned = {} }",
                     subject=subject), "r1", "where.min_minority_residents",
                "residential_areas")


@pytest.mark.parametrize("key", ["min_companies", "min_minority_residents"])
@pytest.mark.parametrize("value", ["-1", "1.5", "'3'", "true"])
def test_counts_must_be_whole_numbers(key, value):
    refused(rule(f"where = {{ {key} = {value} }}\nrequire = {{ assigned = {{}} }}",
                 subject="residential_areas"), "r1", f"where.{key}", "whole number")


@pytest.mark.parametrize("value", ["-1", "'30'", "true", "{}", "36501"])
def test_visited_within_days_takes_days(value):
    refused(rule(f"require = {{ visited_within_days = {value} }}"), "r1",
            "require.visited_within_days", "days")


def test_requirement_takes_filters_only():
    refused(rule("require = { assigned = 'yes' }"), "r1", "require.assigned", "filter")
    refused(rule("require = { assigned = [] }"), "r1", "require.assigned", "filter")


def test_every_problem_is_collected():
    text = (rule("require = { assigned = { colour = 1 } }", name="Bad")
            + rule("where = { key_building = 'yes' }\nrequire = {}", name="second")
            + rule("require = { assigned = {} }", name="grid_without_worker"))
    problems = problems_of(text)
    assert {(p.rule, p.key) for p in problems} >= {
        ("Bad", "name"), ("Bad", "require.assigned.colour"), ("second", "where.key_building"),
        ("second", "require"), ("grid_without_worker", "name")}


def test_unreadable_file(tmp_path):
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rules(tmp_path / "nothing.toml")


# ---------------------------------------------------------------------------
# Filters and requirements on a hand-built dataset
# ---------------------------------------------------------------------------


def small_tables() -> dict[str, Rows]:
    tables = minimal_tables()
    tables["buildings"] = [
        {"id": "B1", "name": "一号楼", "grid_id": "G2", "key_building": "是", "floors": 30},
        {"id": "B2", "name": "二号楼", "grid_id": "G2", "key_building": "否", "floors": 12},
        {"id": "B3", "name": "三号楼", "grid_id": "G1", "key_building": ""},
        {"id": "B4", "name": "四号楼", "grid_id": "G1", "floors": "", "note": "老楼"},
    ]
    tables["companies"] = [
        {"id": "C1", "name": "甲公司", "building_id": "B1", "ownership": "外资"},
        {"id": "C2", "name": "乙公司", "building_id": "B1", "ownership": "domestic"},
        {"id": "C3", "name": "丙公司", "building_id": "B2", "ownership": "合资"},
        {"id": "C4", "name": "丁公司", "building_id": "B3"},
    ]
    tables["organizations"] = [
        {"id": "O1", "name": "街道党工委", "kind": "party_committee", "sector": "party",
         "located_in": "S1"},
        {"id": "O2", "name": "联络组", "kind": "联络组", "sector": "民族", "located_in": "A1"},
        {"id": "O3", "name": "服务站", "kind": "党群服务站", "sector": "党建", "located_in": "C2"},
        {"id": "O4", "name": "协会", "kind": "association", "sector": "business"},
    ]
    tables["people"] = [
        {"id": "P1", "name": "甲", "role": "企业联络员", "organization_id": "O1"},
        {"id": "P2", "name": "乙", "role": "网格员"},
    ]
    tables["links"] = [
        {"source_id": "P1", "type": "ASSIGNED_TO", "target_id": "B1", "since": "2020-01-01"},
        {"source_id": "P2", "type": "ASSIGNED_TO", "target_id": "G1", "until": "2026-06-30"},
        {"source_id": "O4", "type": "COVERS", "target_id": "A1"},
        {"source_id": "O1", "type": "COVERS", "target_id": "S1"},
        {"source_id": "O1", "type": "COVERS", "target_id": "C3", "since": "2026-01-01"},
    ]
    tables["visits"] = [
        {"visitor_id": "P1", "target_id": "C1", "date": "2026-11-01"},
        {"visitor_id": "P1", "target_id": "B2", "date": "2026-09-01"},
        {"visitor_id": "P1", "target_id": "C4", "date": "2026-11-20", "status": "planned"},
    ]
    tables["demands"] = []
    tables["risk_assessments"] = []
    tables["population"] = [
        {"area_id": "A1", "ethnic_group": "回族", "residents": 5},
        {"area_id": "A1", "ethnic_group": "汉族", "residents": 500},
    ]
    return tables


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return load_dataset(write_dataset(tmp_path_factory.mktemp("rules") / "small", small_tables()))


def found_ids(ds, body: str, subject: str = "buildings", as_of: str = AS_OF) -> list[str]:
    text = rule(body, "probe", subject)
    frame = gaps(ds, as_of, only="probe", rules=parse_rules(text))
    assert set(frame["gap"]) <= {"probe"}
    return list(frame["id"])


def matching(ds, where: str, subject: str = "buildings") -> list[str]:
    """Subjects the ``where`` selects (a requirement nobody meets)."""
    return found_ids(ds, f"where = {where}\nrequire = {{ assigned = {{ id = 'nobody' }} }}",
                     subject)


def test_filter_booleans_and_blanks(small):
    assert matching(small, "{ key_building = true }") == ["B1"]
    assert matching(small, "{ key_building = false }") == ["B2"]  # a blank is not false
    assert matching(small, "{ key_building = '' }") == ["B3", "B4"]
    assert matching(small, "{ key_building = [false, ''] }") == ["B2", "B3", "B4"]


def test_filter_integers_and_blanks(small):
    assert matching(small, "{ floors = 30 }") == ["B1"]
    assert matching(small, "{ floors = [12, 30] }") == ["B1", "B2"]
    assert matching(small, "{ floors = '' }") == ["B3", "B4"]
    assert matching(small, "{ floors = 0 }") == []  # a blank matches no integer


def test_filter_enums_with_chinese_spellings(small):
    assert matching(small, "{ ownership = '外资' }", "companies") == ["C1"]
    assert matching(small, "{ ownership = ['FOREIGN', '合资'] }", "companies") == ["C1", "C3"]
    assert matching(small, "{ ownership = '' }", "companies") == ["C4"]
    assert matching(small, "{ kind = 'building' }", "grids") == ["G2"]  # building = business
    assert matching(small, "{ kind = '平面' }", "grids") == ["G1"]


def test_filter_every_key_must_match_and_text_columns(small):
    assert matching(small, "{ grid_id = 'G2', key_building = true }") == ["B1"]
    assert matching(small, "{ note = '老楼' }") == ["B4"]
    assert matching(small, "{ note = ['老楼', ''] }") == ["B1", "B2", "B3", "B4"]
    assert matching(small, "{ id = ['B2', 'B9'] }") == ["B2"]


def test_where_min_companies_counts_within(small):
    assert matching(small, "{ min_companies = 2 }") == ["B1"]
    assert matching(small, "{ min_companies = 1 }") == ["B1", "B2", "B3"]
    assert matching(small, "{ min_companies = 3 }", "grids") == ["G2"]
    assert matching(small, "{ min_companies = 1 }", "residential_areas") == ["A1"]
    assert matching(small, "{ min_companies = 1 }", "companies") == ["C1", "C2", "C3", "C4"]
    assert matching(small, "{ min_companies = 2 }", "companies") == []


def test_where_min_minority_residents(small):
    assert matching(small, "{ min_minority_residents = 5 }", "residential_areas") == ["A1"]
    assert matching(small, "{ min_minority_residents = 6 }", "residential_areas") == []


def test_located_within(small):
    # O3 (a service station) is located in company C2, so within C2, B1, G2
    body = "require = { located_within = { kind = 'service_station' } }"
    assert found_ids(small, body) == ["B2", "B3", "B4"]
    assert found_ids(small, body, "grids") == ["G1"]
    # O1 is located in the street: within no subject
    assert found_ids(small, "require = { located_within = { sector = 'party' } }",
                     "residential_areas") == ["A1"]  # O3 (party) is in business grid G2
    assert found_ids(small, "require = { located_within = { id = 'O1' } }", "grids") == [
        "G1", "G2"]


def test_covered_by_goes_through_containers_never_the_street(small):
    # O4 covers A1: A1, its grid G1 and B3, B4, C4; O1's street link covers nothing
    body = "require = { covered_by = { id = ['O4', 'O1'] } }"
    assert found_ids(small, body) == ["B1", "B2"]
    assert found_ids(small, body, "companies") == ["C1", "C2"]  # O1 covers C3 since 2026
    assert found_ids(small, body, "companies", as_of="2025-12-31") == ["C1", "C2", "C3"]
    assert found_ids(small, "require = { covered_by = { id = 'O1' } }", "companies",
                     as_of="2025-12-31") == ["C1", "C2", "C3", "C4"]


def test_covers_within_looks_down_never_up(small):
    body = "require = { covers_within = { sector = 'party' } }"  # O1 covers C3 from 2026
    assert found_ids(small, body) == ["B1", "B3", "B4"]
    assert found_ids(small, body, "grids") == ["G1"]
    assert found_ids(small, body, "grids", as_of="2025-12-31") == ["G1", "G2"]
    # O4 covers A1: covers_within holds for A1 only, not for what A1 contains
    body = "require = { covers_within = { id = 'O4' } }"
    assert found_ids(small, body, "residential_areas") == []
    assert found_ids(small, body, "grids") == ["G1", "G2"]


def test_assigned_is_the_subject_itself_and_active(small):
    body = "require = { assigned = { role = ['企业联络员', '首席联络员'] } }"
    assert found_ids(small, body) == ["B2", "B3", "B4"]
    assert found_ids(small, "require = { assigned = {} }", "grids") == ["G1", "G2"]
    assert found_ids(small, "require = { assigned = {} }", "grids", as_of="2026-06-30") == [
        "G2"]
    assert found_ids(small, "require = { assigned = { role = '企业联络员' } }", "companies") == [
        "C1", "C2", "C3", "C4"]  # P1 is assigned to B1, not to its companies


def test_visited_within_days_window_and_planned_visits(small):
    def body(days: int) -> str:
        return f"require = {{ visited_within_days = {days} }}"

    assert found_ids(small, body(30)) == ["B2", "B3", "B4"]  # C4's visit is planned
    assert found_ids(small, body(90)) == ["B3", "B4"]  # 2026-09-01 is 89 days before
    assert found_ids(small, body(89)) == ["B2", "B3", "B4"]
    assert found_ids(small, body(30), as_of="2026-10-31") == ["B1", "B2", "B3", "B4"]
    assert found_ids(small, body(0)) == ["B1", "B2", "B3", "B4"]
    assert found_ids(small, body(30), "grids") == ["G1"]


def test_any_requirement_and_any_filter(small):
    body = ("[rule.require]\nassigned = { role = '企业联络员' }\n"
            "visited_within_days = 90\n")
    assert found_ids(small, body) == ["B3", "B4"]
    body = "require = { covered_by = [{ id = 'O4' }, { sector = 'party' }] }"
    assert found_ids(small, body, "companies") == ["C1", "C2"]


def test_findings_have_the_gap_columns_and_detail(small):
    text = rule("title_zh = '无联络员'\ntitle_en = 'No liaison officer'\n"
                "where = { key_building = [true, false] }\n"
                "require = { assigned = { role = '企业联络员' } }", "no_liaison")
    frame = gaps(small, AS_OF, rules=parse_rules(text))
    mine = frame[frame["gap"] == "no_liaison"]
    assert list(mine["id"]) == ["B2"]
    row = mine.iloc[0]
    assert (row["name"], row["grid_id"], row["grid_name"]) == ("二号楼", "G2", "立体网格一")
    assert row["detail"] == {"rule": "no_liaison", "title_zh": "无联络员",
                             "title_en": "No liaison officer",
                             "require": {"assigned": {"role": "企业联络员"}}}
    assert frame.equals(frame.sort_values(["gap", "id"]).reset_index(drop=True))
    assert set(GAP_NAMES) <= set(frame["gap"]) | set(GAP_NAMES)


def test_values_travel_as_parameters():
    text = rule("require = { assigned = { role = \"x' OR 1=1 }) RETURN 1 //\" } }")
    (only,) = parse_rules(text)
    sql, sql_params = rule_sql(only)
    cypher, cypher_params = rule_cypher(only)
    assert "OR 1=1" not in sql and "OR 1=1" not in cypher
    assert ["x' OR 1=1 }) RETURN 1 //"] in cypher_params.values()
    assert "x' OR 1=1 }) RETURN 1 //" in sql_params.values()


def test_rules_are_queries_of_their_own_group(small):
    from graphmodel import engine
    from graphmodel.queries import REGISTRY

    (query,) = as_queries(parse_rules(rule("require = { assigned = {} }", "probe_q")))
    assert query.group == "rules" and "probe_q" not in REGISTRY
    frame = engine.run(query, small, AS_OF, visit_window_days=30)
    assert list(frame["id"]) == ["B2", "B3", "B4"]


# ---------------------------------------------------------------------------
# The five built-in gaps written as rules give exactly the built-in answers
# ---------------------------------------------------------------------------


def assert_same_as_builtin(ds, as_of: str) -> None:
    frame = gaps(ds, as_of, only=[*FIVE, *(f"as_rule_{g}" for g in FIVE)],
                 rules=parse_rules(BUILTIN_AS_RULES))
    for gap in FIVE:
        builtin = frame[frame["gap"] == gap].drop(columns=["gap", "detail"])
        mine = frame[frame["gap"] == f"as_rule_{gap}"].drop(columns=["gap", "detail"])
        assert list(mine["id"]) == list(builtin["id"]), (gap, as_of)
        pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                      builtin.reset_index(drop=True))


@pytest.mark.parametrize("as_of", ["2025-06-30", "2026-03-01", AS_OF, "2027-06-01"])
def test_five_builtin_gaps_as_rules_on_the_shipped_dataset(as_of):
    assert_same_as_builtin(load_dataset(), as_of)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_five_builtin_gaps_as_rules_on_random_datasets(tmp_path, seed):
    ds = load_dataset(write_dataset(tmp_path / f"random{seed}", random_tables(seed)))
    for as_of in ("2025-03-01", "2025-12-31", "2026-06-30", "2026-09-15", "2027-01-01"):
        assert_same_as_builtin(ds, as_of)


def test_the_example_rule_file_runs_on_the_shipped_dataset():
    rules = load_rules(EXAMPLE)
    assert len(rules) >= 3
    names = {r.name for r in rules}
    assert {"key_building_without_liaison_officer", "foreign_company_not_visited_90_days",
            "business_grid_not_visited_monthly"} <= names
    frame = gaps(load_dataset(), AS_OF, rules=EXAMPLE)
    assert names <= set(frame["gap"]) | names
    assert set(frame["gap"]) & names  # the example finds something


def test_only_selects_rules_and_gaps(small):
    text = rule("require = { assigned = {} }", "probe_only")
    frame = gaps(small, AS_OF, only="probe_only,grid_without_worker", rules=parse_rules(text))
    assert set(frame["gap"]) == {"probe_only", "grid_without_worker"}
    with pytest.raises(KeyError, match="probe_other"):
        gaps(small, AS_OF, only="probe_other", rules=parse_rules(text))


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def rules_file(tmp_path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(BUILTIN_AS_RULES, encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(rule("where = { key_building = 'yes' }\nrequire = {}", "bad_rule"),
                    encoding="utf-8")
    return path


def test_cli_gaps_with_rules(capsys, rules_file):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "json", "--rules",
                       str(rules_file))
    assert code == 0
    rows = json.loads(out)
    assert {f"as_rule_{g}" for g in FIVE} <= {r["gap"] for r in rows}
    assert rows == sorted(rows, key=lambda r: (r["gap"], r["id"]))
    for gap in FIVE:
        assert ([r["id"] for r in rows if r["gap"] == gap]
                == [r["id"] for r in rows if r["gap"] == f"as_rule_{gap}"])
    mine = next(r for r in rows if r["gap"].startswith("as_rule_"))
    assert set(mine["detail"]) == {"rule", "title_zh", "title_en", "require"}


def test_cli_only_and_fail_on_gaps_with_rules(capsys, rules_file):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--format", "csv", "--rules",
                       str(rules_file), "--only", "as_rule_grid_without_worker",
                       "--fail-on-gaps")
    assert code == 1 and "as_rule_grid_without_worker" in out and "stale_demand" not in out
    code, out, err = run(capsys, "gaps", "--as-of", AS_OF, "--only", "as_rule_nothing",
                         "--rules", str(rules_file))
    assert code == 2 and "as_rule_nothing" in err


def test_cli_table_output_shows_rule_titles(capsys, tmp_path):
    path = tmp_path / "titled.toml"
    path.write_text(rule("title_zh = '网格无人'\ntitle_en = 'Grid with nobody'\n"
                         "require = { assigned = {} }", "titled", "grids"), encoding="utf-8")
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--rules", str(path), "--only",
                       "titled")
    assert code == 0 and "网格无人" in out and "Grid with nobody" in out


def test_cli_bad_rule_file_exit_2_before_anything_runs(capsys, bad_file, tmp_path):
    for argv in (["gaps", "--rules", str(bad_file)],
                 ["neo4j", "gaps", "--rules", str(bad_file), "--uri", "bolt://127.0.0.1:1"],
                 ["report", "--out", str(tmp_path / "out"), "--rules", str(bad_file)],
                 ["rules", "check", str(bad_file)], ["rules", "show", str(bad_file)]):
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert str(bad_file) in err and "bad_rule" in err and "where.key_building" in err
        assert "require" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_rules_check(capsys, rules_file, tmp_path):
    code, out, _ = run(capsys, "rules", "check", str(rules_file))
    assert code == 0 and "5" in out
    path = tmp_path / "nothing.toml"
    path.write_text(rule("where = { floors = 999 }\nrequire = { assigned = {} }", "tall"),
                    encoding="utf-8")
    code, out, _ = run(capsys, "rules", "check", str(path), str(EXAMPLE.parent))
    assert code == 0 and "tall" in out and "matches no subject" in out
    code, out, _ = run(capsys, "rules", "check", str(EXAMPLE), str(EXAMPLE.parent))
    assert code == 0 and "matches no subject" not in out


def test_cli_rules_show(capsys):
    code, out, _ = run(capsys, "rules", "show", str(EXAMPLE), "--as-of", AS_OF)
    assert code == 0
    assert ":param dataset => 'jingansi'" in out
    assert ":param as_of => date('2026-11-29')" in out
    assert "['企业联络员', '首席联络员']" in out and "MATCH (s:Building {dataset: $dataset})" in out
    assert "每个楼宇" in out and "Every one of the buildings" in out


def test_cli_report_with_rules(capsys, rules_file, tmp_path):
    out_dir = tmp_path / "reports"
    code, out, _ = run(capsys, "report", "--out", str(out_dir), "--as-of", AS_OF,
                       "--rules", str(rules_file), "--quiet")
    assert code == 0, out
    latest = out_dir / "latest"
    meta = json.loads((latest / "meta.json").read_text(encoding="utf-8"))
    assert meta["counts"]["as_rule_grid_without_worker"] == meta["counts"]["grid_without_worker"]
    assert [r["name"] for r in meta["rules"]][:1] == ["as_rule_grid_without_party_org"]
    page = (latest / "report.html").read_text(encoding="utf-8")
    assert "id=\"rules\"" in page and "as_rule_building_not_visited" in page
    findings = json.loads((latest / "gaps.json").read_text(encoding="utf-8"))
    assert any(r["gap"] == "as_rule_grid_without_worker" for r in findings)


def test_cli_report_config_names_the_rules_file(capsys, rules_file, tmp_path):
    config = tmp_path / "report.toml"
    config.write_text(f'rules = "{rules_file.name}"\n[params]\nvisit_window_days = 180\n',
                      encoding="utf-8")
    out_dir = tmp_path / "reports"
    code, out, _ = run(capsys, "report", "--out", str(out_dir), "--as-of", AS_OF,
                       "--config", str(config), "--quiet")
    assert code == 0, out
    meta = json.loads((out_dir / "latest" / "meta.json").read_text(encoding="utf-8"))
    assert "as_rule_grid_without_worker" in meta["counts"]


def test_cli_gaps_by_grid_with_rules(capsys, rules_file):
    code, out, _ = run(capsys, "gaps", "--as-of", AS_OF, "--rules", str(rules_file), "--by",
                       "grid", "--only", "as_rule_grid_without_worker")
    assert code == 0 and "as_rule_grid_without_worker" in out
