"""A small seeded generator of random, contract-valid datasets (for backend parity tests).

``random_tables(seed)`` returns the rows of every table of the data contract, version 2
(docs/data_contract.md): a few streets, residential areas under them, residential
micro-grids inside the areas (``area_id`` in the same street) and business grids under
the streets (``area_id`` blank), grid kinds in every accepted spelling, buildings in
grids of both kinds, companies, organisations of every kind and sector (English and
Chinese spellings) located in streets, areas, grids, buildings, companies or nowhere,
people, population rows (Han in every spelling, streets too), links of every type with
valid endpoints and random ``since``/``until`` (blank, equal, reversed) -- ``COVERS`` to
streets, areas, grids, buildings and companies, ``ASSIGNED_TO`` to areas, grids,
buildings and companies --, visits with every spelling of ``status`` (planned ones
included), demands of every status (English and Chinese) and risk assessments in every
spelling of the five levels. Dates cluster around ``CENTRE`` so that evaluation dates
near it exercise every window and deadline. Write the tables with
``conftest.write_dataset`` and read them with ``load_dataset``.

>>> tables = random_tables(1)
>>> sorted(tables) == sorted(schema.TABLES)
True
>>> random_tables(1) == tables
True
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pandas as pd

from graphmodel import schema

KIND = schema.TABLES["grids"].column("kind")
CENTRE = dt.date(2026, 6, 30)
"""Dates are drawn within about a year and a half around this day."""

Rows = list[dict[str, Any]]

HAN = ("汉族", "汉", "Han", "HAN", "han")
MINORITIES = ("回族", "满族", "蒙古族", "维吾尔族", "藏族", "朝鲜族", "壮族")
BOOLEANS = ("true", "false", "1", "0", "yes", "no", "是", "否", "")
RISK_SPELLINGS = (*sorted(schema.RISK_SPELLINGS), "Orange", "RED", "橙色", "红色")
PLACE_TABLES = ("streets", "residential_areas", "grids", "buildings", "companies")


def spellings(enum: str, value: str) -> list[str]:
    """Every accepted spelling of the canonical ``value`` of ``enum`` (itself first).

    >>> spellings("demand_status", "resolved")
    ['resolved', '已解决']
    """
    return [value, *sorted(k for k, v in schema.CHINESE_SPELLINGS[enum].items() if v == value)]


# every accepted spelling of a grid kind, and one in another case
RESIDENTIAL_KINDS = (*spellings("grid_kind", "residential"), "Residential")
BUSINESS_KINDS = (*spellings("grid_kind", "business"), "BUSINESS")
LIAISON_GROUP = spellings("organization_kind", "liaison_group")
VISIT_STATUSES = ("", "", "", "done", "Done", *spellings("visit_status", "done")[1:],
                  *spellings("visit_status", "planned"), "PLANNED")


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def day(self, spread: int = 540) -> dt.date:
        return CENTRE + dt.timedelta(days=self.rng.randint(-spread, spread // 2))

    def text_day(self, day: dt.date) -> str:
        # both accepted spellings of a date
        return day.isoformat() if self.rng.random() < 0.8 else day.strftime("%Y/%m/%d")

    def maybe(self, p: float, value: Any) -> Any:
        return value if self.rng.random() < p else None


def random_tables(seed: int, companies: int = 40, organizations: int = 36) -> dict[str, Rows]:
    """Rows of a random valid dataset, the same for the same ``seed``."""
    m = _Maker(seed)
    rng = m.rng
    streets = [{"id": f"S{i}", "name": f"街道{i}", "name_en": f"Street {i}"} for i in range(2)]
    # residential areas under the streets, micro-grids inside the areas, business grids
    # under the streets (every street has both)
    areas = [{"id": f"A{i}", "name": f"居民区{i}",
              "street_id": streets[i]["id"] if i < len(streets) else rng.choice(streets)["id"],
              "households": m.maybe(0.7, rng.randint(0, 3000))} for i in range(7)]
    grids: Rows = []
    for i in range(12):
        if i % 2 == 0:  # residential: in an area, same street
            area = areas[(i // 2) % len(areas)] if i < 2 * len(streets) else rng.choice(areas)
            grids.append({"id": f"G{i}", "name": f"网格{i}",
                          "kind": RESIDENTIAL_KINDS[(i // 2) % len(RESIDENTIAL_KINDS)],
                          "street_id": area["street_id"], "area_id": area["id"]})
        else:  # business: under a street, no area
            grids.append({"id": f"G{i}", "name": f"网格{i}",
                          "kind": BUSINESS_KINDS[(i // 2) % len(BUSINESS_KINDS)],
                          "street_id": streets[i // 2]["id"] if i < 2 * len(streets)
                          else rng.choice(streets)["id"], "area_id": None})
    buildings = [{"id": f"B{i}", "name": f"楼宇{i}", "grid_id": rng.choice(grids)["id"],
                  "floors": m.maybe(0.5, rng.randint(1, 60)),
                  "key_building": rng.choice(BOOLEANS)} for i in range(12)]
    # a few crowded buildings so key_building_min_companies matters
    crowded = [b["id"] for b in buildings[:3]]
    ownerships = [s for o in schema.OWNERSHIPS for s in spellings("ownership", o)]
    company_rows = [{
        "id": f"C{i}", "name": f"企业{i}",
        "building_id": rng.choice(crowded) if rng.random() < 0.4 else rng.choice(buildings)["id"],
        "ownership": rng.choice((*schema.OWNERSHIPS, *ownerships, None)),
        "employees": m.maybe(0.7, rng.randint(0, 200)),
        "lease_expires": m.maybe(0.6, m.text_day(m.day())),
        "relocation_intent": rng.choice(BOOLEANS),
    } for i in range(companies)]
    places = {"streets": streets, "residential_areas": areas, "grids": grids,
              "buildings": buildings, "companies": company_rows}
    kinds_cycle = list(schema.ORGANIZATION_KINDS)
    sectors_cycle = list(schema.SECTORS)
    orgs: Rows = []
    for i in range(organizations):
        # every kind and every sector at least once, then random (liaison groups favoured)
        kind = kinds_cycle[i] if i < len(kinds_cycle) else rng.choice(
            [*kinds_cycle, "liaison_group", "liaison_group", "service_station"])
        sector = sectors_cycle[i % len(sectors_cycle)] if i < 2 * len(sectors_cycle) \
            else rng.choice(sectors_cycle)
        if i >= len(kinds_cycle) or rng.random() < 0.3:  # Chinese spellings too
            kind = rng.choice(spellings("organization_kind", kind))
            sector = rng.choice(spellings("sector", sector))
        # located in a place of every table (the first few in turn), or nowhere
        table = PLACE_TABLES[i] if i < len(PLACE_TABLES) else rng.choice(PLACE_TABLES)
        located = rng.choice(places[table])["id"] if i < len(PLACE_TABLES) \
            or rng.random() < 0.75 else None
        orgs.append({"id": f"O{i}", "name": f"组织{i}", "kind": kind, "sector": sector,
                     "located_in": located, "parent_id": None})
    for i, org in enumerate(orgs):
        if i and rng.random() < 0.5:
            org["parent_id"] = orgs[rng.randrange(i)]["id"]
    # a couple of organisations share a name (names are not ids)
    orgs[-1]["name"] = orgs[-2]["name"]
    people = [{"id": f"P{i}", "name": f"人员{i}", "role": "工作者",
               "organization_id": rng.choice(orgs)["id"] if rng.random() < 0.75 else None}
              for i in range(15)]
    population: Rows = []
    for area in [*areas, streets[0]]:
        groups = [rng.choice(HAN), *rng.sample(MINORITIES, rng.randint(0, 3))]
        for group in groups:
            residents = rng.choice((0, 0, 1, 3, 20, 500))
            population.append({"area_id": area["id"], "ethnic_group": group,
                               "residents": residents,
                               "registered": m.maybe(0.5, rng.randint(0, residents))})
    demands: Rows = []
    for i in range(45):
        raised = m.day()
        status = rng.choice(schema.DEMAND_STATUSES)
        resolved = None
        if status == "resolved" or rng.random() < 0.1:  # an open demand may carry a date too
            resolved = raised + dt.timedelta(days=rng.choice((0, 1, 5, 20, 40, 90)))
        if rng.random() < 0.3:
            status = rng.choice(spellings("demand_status", status))
        demands.append({"id": f"D{i}", "company_id": rng.choice(company_rows)["id"],
                        "raised_on": m.text_day(raised), "category": rng.choice(
                            ("租赁", "人才", "政策咨询", "融资")), "status": status,
                        "resolved_on": resolved and m.text_day(resolved),
                        "handled_by": rng.choice(orgs)["id"] if rng.random() < 0.5 else None})
    tables_of = {**places, "organizations": orgs, "people": people, "demands": demands}
    links: Rows = []
    keys: set[tuple[Any, ...]] = set()
    # every link type, then COVERS and ASSIGNED_TO to every kind of target, then random
    firsts = [(kind, None) for kind in schema.LINK_TYPES] * 3 + [
        (kind, table) for kind in ("COVERS", "ASSIGNED_TO")
        for table in schema.LINK_TYPES[kind].targets]
    for i in range(120):
        kind, target_table = firsts[i] if i < len(firsts) else (
            rng.choice(list(schema.LINK_TYPES)), None)
        spec = schema.LINK_TYPES[kind]
        source = rng.choice(tables_of[rng.choice(spec.sources)])["id"]
        target_table = target_table or rng.choice(spec.targets)
        target = rng.choice(tables_of[target_table])["id"]
        if kind in ("PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF") and rng.random() < 0.3:
            # favour ties of liaison groups so liaison_group_isolated has both outcomes
            groups = [o["id"] for o in orgs if o["kind"] in LIAISON_GROUP]
            if groups and "organizations" in spec.sources:
                source = rng.choice(groups)
        since = m.maybe(0.6, m.day())
        until = m.maybe(0.4, m.day())
        if since and until and until < since and rng.random() < 0.8:
            since, until = until, since  # mostly well ordered; a few never active
        if rng.random() < 0.05 and since:
            until = since
        key = (source, kind, target, since)
        if key in keys:
            continue
        keys.add(key)
        links.append({"source_id": source, "type": kind, "target_id": target,
                      "since": since and m.text_day(since), "until": until and m.text_day(until),
                      "note": m.maybe(0.2, "备注")})
    visitors = [p["id"] for p in people] + [o["id"] for o in orgs]
    targets = [b["id"] for b in buildings] + [c["id"] for c in company_rows]
    visits = [{"visitor_id": rng.choice(visitors), "target_id": rng.choice(targets),
               "date": m.text_day(m.day()), "purpose": m.maybe(0.5, "走访"),
               "status": VISIT_STATUSES[i] if i < len(VISIT_STATUSES)
               else rng.choice(VISIT_STATUSES)} for i in range(160)]
    visits += visits[:3]  # identical visit rows are distinct visits
    # another visit by the same visitor to the same target on the same day, planned: it must
    # not replace the first (on Neo4j too)
    visits += [{**visit, "purpose": "另一事由", "status": "planned"} for visit in visits[3:9]]
    risks: Rows = []
    risk_keys: set[tuple[str, dt.date]] = set()
    for _ in range(90):
        company = rng.choice(company_rows)["id"]
        day = m.day()
        if (company, day) in risk_keys:
            continue
        risk_keys.add((company, day))
        level = rng.choice(RISK_SPELLINGS) if rng.random() < 0.5 else rng.choice(
            ("4", "5", "橙", "红", "较不稳定", "不稳定", "orange", "red"))
        risks.append({"company_id": company, "assessed_on": m.text_day(day), "level": level,
                      "reason": m.maybe(0.5, "原因")})
    return {**tables_of, "population": population, "links": links, "visits": visits,
            "risk_assessments": risks}


def assert_v2_hierarchy(streets: pd.DataFrame, areas: pd.DataFrame, grids: pd.DataFrame
                        ) -> None:
    """Areas under a street, residential grids in an area of their street, business grids
    under a street with no area; every street has areas and business grids, every area
    micro-grids."""
    street_ids = set(streets["id"])
    assert set(areas["street_id"]) == street_ids
    kind = grids["kind"].map(lambda k: schema.canonical_enum(KIND, k))
    assert kind.isin(["residential", "business"]).all()
    residential = kind == "residential"
    area = grids["area_id"].fillna("").astype(str)
    assert (area[~residential] == "").all()  # business grids: no area
    area_street = areas.set_index("id")["street_id"]
    assert area[residential].isin(area_street.index).all()
    assert (area[residential].map(area_street) == grids.loc[residential, "street_id"]).all()
    assert set(area[residential]) == set(areas["id"])
    assert set(grids.loc[~residential, "street_id"]) == street_ids
