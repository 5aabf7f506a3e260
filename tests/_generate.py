"""A small seeded generator of random, contract-valid datasets (for backend parity tests).

``random_tables(seed)`` returns the rows of every table of DATA_CONTRACT.md: a few
streets, grids of both kinds (every spelling), residential areas, buildings,
companies, organisations of every kind and sector, people, population rows (Han in
every spelling, streets too), links of every type with valid endpoints and random
``since``/``until`` (blank, equal, reversed), visits, demands of every status and
risk assessments in every spelling of the five levels. Dates cluster around
``CENTRE`` so that evaluation dates near it exercise every window and deadline.
Write the tables with ``conftest.write_dataset`` and read them with ``load_dataset``.

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

from graphmodel import schema

CENTRE = dt.date(2026, 6, 30)
"""Dates are drawn within about a year and a half around this day."""

Rows = list[dict[str, Any]]

HAN = ("汉族", "汉", "Han", "HAN", "han")
MINORITIES = ("回族", "满族", "蒙古族", "维吾尔族", "藏族", "朝鲜族", "壮族")
BOOLEANS = ("true", "false", "1", "0", "yes", "no", "是", "否", "")
RISK_SPELLINGS = (*sorted(schema.RISK_SPELLINGS), "Orange", "RED", "橙色", "红色")


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
    kinds = ("residential", "building", "平面", "立体")
    grids = [{"id": f"G{i}", "name": f"网格{i}", "kind": kinds[i % 4],
              "street_id": rng.choice(streets)["id"]} for i in range(8)]
    residential = [g["id"] for g in grids if g["kind"] in ("residential", "平面")]
    areas = [{"id": f"A{i}", "name": f"居民区{i}", "grid_id": rng.choice(residential),
              "households": m.maybe(0.7, rng.randint(0, 3000))} for i in range(7)]
    buildings = [{"id": f"B{i}", "name": f"楼宇{i}", "grid_id": rng.choice(grids)["id"],
                  "floors": m.maybe(0.5, rng.randint(1, 60)),
                  "key_building": rng.choice(BOOLEANS)} for i in range(12)]
    # a few crowded buildings so key_building_min_companies matters
    crowded = [b["id"] for b in buildings[:3]]
    company_rows = [{
        "id": f"C{i}", "name": f"企业{i}",
        "building_id": rng.choice(crowded) if rng.random() < 0.4 else rng.choice(buildings)["id"],
        "ownership": rng.choice((*schema.OWNERSHIPS, None)),
        "employees": m.maybe(0.7, rng.randint(0, 200)),
        "lease_expires": m.maybe(0.6, m.text_day(m.day())),
        "relocation_intent": rng.choice(BOOLEANS),
    } for i in range(companies)]
    places = ([s["id"] for s in streets] + [g["id"] for g in grids] + [a["id"] for a in areas]
              + [b["id"] for b in buildings] + [c["id"] for c in company_rows])
    kinds_cycle = list(schema.ORGANIZATION_KINDS)
    sectors_cycle = list(schema.SECTORS)
    orgs: Rows = []
    for i in range(organizations):
        # every kind and every sector at least once, then random (liaison groups favoured)
        kind = kinds_cycle[i] if i < len(kinds_cycle) else rng.choice(
            [*kinds_cycle, "liaison_group", "liaison_group", "service_station"])
        sector = sectors_cycle[i % len(sectors_cycle)] if i < 2 * len(sectors_cycle) \
            else rng.choice(sectors_cycle)
        orgs.append({"id": f"O{i}", "name": f"组织{i}", "kind": kind, "sector": sector,
                     "located_in": rng.choice(places) if rng.random() < 0.7 else None,
                     "parent_id": None})
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
        demands.append({"id": f"D{i}", "company_id": rng.choice(company_rows)["id"],
                        "raised_on": m.text_day(raised), "category": rng.choice(
                            ("租赁", "人才", "政策咨询", "融资")), "status": status,
                        "resolved_on": resolved and m.text_day(resolved),
                        "handled_by": rng.choice(orgs)["id"] if rng.random() < 0.5 else None})
    tables_of = {"streets": streets, "grids": grids, "residential_areas": areas,
                 "buildings": buildings, "companies": company_rows, "organizations": orgs,
                 "people": people, "demands": demands}
    links: Rows = []
    keys: set[tuple[Any, ...]] = set()
    for i in range(110):
        kind = list(schema.LINK_TYPES)[i % len(schema.LINK_TYPES)] if i < 24 \
            else rng.choice(list(schema.LINK_TYPES))
        spec = schema.LINK_TYPES[kind]
        source = rng.choice(tables_of[rng.choice(spec.sources)])["id"]
        target_table = rng.choice(spec.targets)
        target = rng.choice(tables_of[target_table])["id"]
        if kind in ("PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF") and rng.random() < 0.3:
            # favour ties of liaison groups so liaison_group_isolated has both outcomes
            groups = [o["id"] for o in orgs if o["kind"] == "liaison_group"]
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
               "date": m.text_day(m.day()), "purpose": m.maybe(0.5, "走访")}
              for _ in range(160)]
    visits += visits[:3]  # identical visit rows are distinct visits
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
