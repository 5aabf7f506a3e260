#!/usr/bin/env python3
"""Build the shipped example dataset ``data/jingansi/`` (静安寺街道, Jing'an Temple subdistrict).

The dataset follows the data contract (docs/data_contract.md), version 2: one UTF-8 CSV per
contract table plus ``README.md``. Facts live as data, not code:

* ``scripts/jingansi/*.csv`` hold every row that encodes a fact: ``seed`` rows (stated in the
  newsletter 静安寺·全景) and ``public`` rows (public sources, each with a ``source_ref``;
  ``@KEY`` in a ``source_ref`` cell names a row of ``scripts/jingansi/sources.csv``);
* this script adds the ``synthetic`` part (grids, office towers, about 1,200 companies, workers,
  visits, demands, risk assessments, the per-area population split) with a fixed random seed,
  plants the coverage gaps listed in ``PLANTED``, writes the CSV files and the README, and
  checks the result with its own standard-library re-implementation of the eleven gaps of the
  gap definitions (docs/gaps.md), independent of the package's gap code.

Enums come from ``graphmodel.schema``. Two runs give byte-identical files.

Usage::

    .venv/bin/python scripts/build_jingansi.py            # write data/jingansi/, self-check
    .venv/bin/python scripts/build_jingansi.py --out DIR  # write somewhere else
    .venv/bin/python scripts/build_jingansi.py --check    # only check an existing directory
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graphmodel import schema, settings  # noqa: E402

FACTS = Path(__file__).resolve().parent / "jingansi"
DEFAULT_OUT = ROOT / "data" / "jingansi"

RANDOM_SEED = 20210107
AS_OF = dt.date.fromisoformat(settings.DEMO_AS_OF)  # the date the planted gaps are designed for
PERIOD_START = dt.date(2025, 1, 1)  # synthetic activity (visits, demands, assessments) ...
PERIOD_END = dt.date(2026, 11, 30)  # ... lies in this span (a few rows on purpose after AS_OF)
TARGET_WORKERS = 90_000  # 人民网: 从业群体达9万余人 (spread over the synthetic companies)

# Gap parameters (defaults of the gap definitions, graphmodel.settings) - self-check only.
VISIT_WINDOW_DAYS = settings.GAP_DEFAULTS.visit_window_days
FOLLOWUP_DAYS = settings.GAP_DEFAULTS.followup_days
DEMAND_MAX_DAYS = settings.GAP_DEFAULTS.demand_max_days
KEY_BUILDING_MIN_COMPANIES = settings.GAP_DEFAULTS.key_building_min_companies

# ---------------------------------------------------------------------------------------------
# Table layout: contract columns first, then only the known optional columns
# (name_en, source, source_ref, note), so that no table has an unknown extra column.
# ---------------------------------------------------------------------------------------------
PROV = ["source", "source_ref", "note"]
COLUMNS: dict[str, list[str]] = {
    "streets": ["id", "name", "name_en", "district", "city", *PROV],
    "residential_areas": ["id", "name", "street_id", "households", "name_en", *PROV],
    "grids": ["id", "name", "kind", "street_id", "area_id", "name_en", *PROV],
    "buildings": ["id", "name", "grid_id", "address", "floors", "key_building", "name_en", *PROV],
    "companies": ["id", "name", "building_id", "industry", "ownership", "employees",
                  "lease_expires", "relocation_intent", "name_en", *PROV],
    "organizations": ["id", "name", "kind", "sector", "located_in", "parent_id", "name_en", *PROV],
    "people": ["id", "name", "role", "organization_id", "name_en", *PROV],
    "population": ["area_id", "ethnic_group", "residents", "registered", *PROV],
    "links": ["source_id", "type", "target_id", "since", "until", "note", "source", "source_ref"],
    "visits": ["visitor_id", "target_id", "date", "purpose", "status", "source", "source_ref"],
    "demands": ["id", "company_id", "raised_on", "category", "status", "resolved_on",
                "handled_by", *PROV],
    "risk_assessments": ["company_id", "assessed_on", "level", "reason", *PROV],
}
ID_TABLES = ["streets", "residential_areas", "grids", "buildings", "companies", "organizations",
             "people", "demands"]
FACT_TABLES = ["streets", "residential_areas", "buildings", "companies", "organizations",
               "people", "links", "visits", "demands", "risk_assessments"]

# Five-colour risk levels: spellings written to the CSV (digits, Chinese labels, colours; the
# English labels with spaces are accepted by the contract but not used here).
LEVEL_SPELLINGS = {
    r.level: [str(r.level), r.label_zh, r.colour_en, r.colour_zh] for r in schema.RISK_LEVELS
}

D = dt.date.fromisoformat


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# Structure of the street (1 + 11 + 37): areas in the order of the NBS code list, the number of
# micro-grids per area (an assumption: 3 each, 2 in 嘉园, 32 in all), and the office towers of
# the five business grids (public and seed towers by id, synthetic towers B-T01..B-T34).
# ---------------------------------------------------------------------------------------------
AREA_GRIDS = [("YUGU", 3), ("SIMING", 3), ("JINGAN", 3), ("SANYIFANG", 3), ("BAILE", 3),
              ("JINGHUA", 3), ("HUASHAN", 3), ("HAIYUAN", 3), ("MEILIYUAN", 3), ("YUHUA", 3),
              ("JIAYUAN", 2)]


def _towers(a: int, b: int) -> list[str]:
    return [f"B-T{i:02d}" for i in range(a, b + 1)]


BUSINESS_GRIDS = {
    "G-B01": ["B-WHEELOCK", "B-YUEYANG", *_towers(1, 5)],
    "G-B02": ["B-DONGHAI", "B-KERRY2", "B-NJW1788", *_towers(6, 11)],
    "G-B03": ["B-GAOHE", *_towers(12, 19)],
    "G-B04": _towers(20, 27),
    "G-B05": _towers(28, 34),
}
TOWERS = [b for towers in BUSINESS_GRIDS.values() for b in towers]
FIXED_COMPANY_COUNTS = {  # companies per tower (facts companies included); others draw 22..45
    "B-GAOHE": 30,
    "B-T14": 35,
    "B-T21": 12,
    "B-T27": 20,
    "B-T32": 6,
    "B-T33": 4,
    "B-T34": 15,
}
NOT_KEY = {"B-T21", "B-T27", "B-T32", "B-T33", "B-T34"}  # key_building false
NO_PARTY_BRANCH = {"B-T32", "B-T33"}
STATIONS = [  # id, tower it is located in
    ("O-SS-04", "B-T22"),
    ("O-SS-05", "B-T28"),
]
# Areas with their own 民族工作联络组 (located in the area, 三义坊's in one of its micro-grids).
AREAS_WITH_LG = ["YUGU", "SIMING", "JINGAN", "SANYIFANG", "JINGHUA", "HUASHAN", "MEILIYUAN",
                 "YUHUA"]
AREAS_WITHOUT_MINORITIES = ["JIAYUAN"]
AREA_WEIGHTS = {"YUGU": 8, "SIMING": 12, "JINGAN": 10, "SANYIFANG": 9, "BAILE": 7, "JINGHUA": 9,
                "HUASHAN": 16, "HAIYUAN": 6, "MEILIYUAN": 8, "YUHUA": 14}
HAN_SPELLING = {"YUGU": "Han", "BAILE": "汉"}  # accepted by the contract; the others use 汉族

# ---------------------------------------------------------------------------------------------
# Word lists for synthetic rows (names are recognisably synthetic: 示例… / 商务楼宇07).
# ---------------------------------------------------------------------------------------------
INDUSTRIES = [  # (industry, name stem, English stem, weight)
    ("信息技术", "信息科技", "Information Technology", 16),
    ("商务咨询", "商务咨询", "Business Consulting", 14),
    ("金融投资", "投资管理", "Investment Management", 12),
    ("文化传媒", "文化传媒", "Culture & Media", 8),
    ("医药健康", "医药科技", "Pharmaceutical Technology", 6),
    ("贸易", "贸易", "Trading", 10),
    ("人力资源", "人力资源", "Human Resources", 7),
    ("广告营销", "广告", "Advertising", 6),
    ("建筑设计", "建筑设计", "Architectural Design", 4),
    ("教育培训", "教育科技", "Education Technology", 3),
    ("法律服务", "法律咨询", "Legal Consulting", 5),
    ("餐饮", "餐饮管理", "Catering Management", 3),
    ("零售", "商业", "Retail", 4),
    ("物业管理", "物业管理", "Property Management", 2),
]
OWNERSHIP_WEIGHTS = [("domestic", 52), ("foreign", 30), ("joint_venture", 8), ("state", 6),
                     ("other", 4)]
VISIT_PURPOSES = ["跑楼走访", "企业需求了解", "党建指导", "政策宣传", "稳商留商回访", "白领活动对接"]
DEMAND_CATEGORIES = ["办公选址", "租金与租约", "人才招聘", "人才落户", "政策咨询", "工商注册变更",
                     "税务服务", "融资对接", "党建指导", "员工子女入学", "停车与交通", "物业协调"]
RISK_REASONS = {
    1: ["经营正常", "租约稳定，经营正常"],
    2: ["经营基本稳定", "人员小幅流动"],
    3: ["营收有所下滑", "租约一年内到期", "核心业务调整"],
    4: ["租约到期且有外迁意向", "营收明显下滑", "主要股东变更"],
    5: ["拖欠租金且有外迁迹象", "大幅裁员", "经营异常"],
}

# Planted gaps and near misses (filled in by build()).
PLANTED: dict[str, list[str]] = {}
NEAR_MISSES: list[str] = []
ASSUMPTIONS: list[str] = []
FACTS_USED: dict[str, list[str]] = {}  # source key -> ids of the rows citing it


class Dataset:
    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, str]]] = {t: [] for t in COLUMNS}
        self.by_id: dict[str, dict[str, str]] = {}

    def add(self, table: str, **row: object) -> dict[str, str]:
        unknown = set(row) - set(COLUMNS[table])
        if unknown:
            raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
        out = {}
        for col in COLUMNS[table]:
            v = row.get(col)
            if v is None:
                out[col] = ""
            elif isinstance(v, bool):
                out[col] = "true" if v else "false"
            elif isinstance(v, dt.date):
                out[col] = v.isoformat()
            else:
                out[col] = str(v)
        if table in ID_TABLES:
            if out["id"] in self.by_id:
                raise ValueError(f"duplicate id {out['id']}")
            self.by_id[out["id"]] = out
        self.tables[table].append(out)
        return out

    def link(self, source_id, type_, target_id, since=None, until=None, note="",
             source="synthetic", source_ref=""):
        return self.add("links", source_id=source_id, type=type_, target_id=target_id,
                        since=since, until=until, note=note, source=source,
                        source_ref=source_ref)


# ---------------------------------------------------------------------------------------------
# Facts (seed and public) from scripts/jingansi/
# ---------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_sources() -> dict[str, dict[str, str]]:
    return {r["key"]: r for r in read_csv(FACTS / "sources.csv")}


def load_facts(ds: Dataset, sources: dict[str, dict[str, str]]) -> None:
    for table in FACT_TABLES:
        for i, row in enumerate(read_csv(FACTS / f"{table}.csv"), start=2):
            refs = [r.strip() for r in row.get("source_ref", "").split(";") if r.strip()]
            cited = []
            for ref in refs:
                if ref.startswith("@"):
                    key = ref[1:]
                    if key not in sources:
                        raise SystemExit(f"{table}.csv row {i}: unknown source {ref}")
                    cited.append(sources[key]["source_ref"])
                    rid = row.get("id") or f"{row.get('source_id', '')}-{row.get('type', '')}-" \
                        f"{row.get('target_id', '')}"
                    FACTS_USED.setdefault(key, []).append(rid)
                else:
                    cited.append(ref)
            if row.get("source") == "public" and not cited:
                raise SystemExit(f"{table}.csv row {i}: a public row needs a source_ref")
            row = dict(row, source_ref="; ".join(cited))
            ds.add(table, **row)


# ---------------------------------------------------------------------------------------------
# Synthetic part
# ---------------------------------------------------------------------------------------------
class People:
    """Synthetic people, named 示例<role><nn> so that nobody mistakes them for real persons."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.n = 0
        self.per_role: dict[str, int] = {}

    def add(self, role: str, role_en: str, organization_id: str = "", note: str = "") -> str:
        self.n += 1
        k = self.per_role[role] = self.per_role.get(role, 0) + 1
        pid = f"P-{self.n:04d}"
        self.ds.add("people", id=pid, name=f"示例{role}{k:02d}", role=role,
                    organization_id=organization_id, name_en=f"Example {role_en} {k:02d}",
                    source="synthetic", note=note)
        return pid


def weighted(rng: random.Random, rows):
    """Pick one row; its last element is the weight."""
    return rng.choices(rows, weights=[r[-1] for r in rows])[0]


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + days(rng.randint(0, (end - start).days))


def area_name(ds: Dataset, suffix: str) -> str:
    return ds.by_id[f"RA-{suffix}"]["name"]


def build_grids(ds: Dataset, sources) -> dict[str, list[str]]:
    """The 5 business grids and 32 residential micro-grids; returns area suffix -> its grids."""
    jczz = sources["JCZZ"]["source_ref"]
    for k, gid in enumerate(BUSINESS_GRIDS, start=1):
        ds.add("grids", id=gid, name=f"商圈商务区网格{k}", kind="business", street_id="S-JAS",
               name_en=f"Business-district grid {k}", source="synthetic", source_ref=jczz,
               note="“5+32”中的5个商圈商务区网格之一（公开资料：以商务楼宇集群为主体）；"
               "种类由简报“立体网格（商务楼宇）”与公开资料推断；网格名称为编号标签，所辖楼宇为建模假设")
    grids_of: dict[str, list[str]] = {}
    n = 0
    for suffix, count in AREA_GRIDS:
        name = area_name(ds, suffix)
        for j in range(1, count + 1):
            n += 1
            gid = f"G-R{n:02d}"
            grids_of.setdefault(suffix, []).append(gid)
            ds.add("grids", id=gid, name=f"{name}微网格{j}", kind="residential",
                   street_id="S-JAS", area_id=f"RA-{suffix}",
                   name_en=f"{ds.by_id[f'RA-{suffix}']['name_en']} micro-grid {j}",
                   source="synthetic", source_ref=jczz,
                   note="“5+32”中的32个居民区党建微网格之一；种类由简报“平面网格（居民区）”推断；"
                   "每个居民区的微网格数（嘉园2个，其余各3个）与网格名称为建模假设")
    return grids_of


def build_synthetic(ds: Dataset, rng: random.Random, sources) -> None:
    people = People(ds)
    L = ds.link
    grids_of = build_grids(ds, sources)
    grid_of = {b: g for g, towers in BUSINESS_GRIDS.items() for b in towers}

    # ---- office towers -----------------------------------------------------------------------
    for bid in TOWERS:
        if bid in ds.by_id:
            continue
        nn = bid[3:]
        ds.add("buildings", id=bid, name=f"商务楼宇{nn}", grid_id=grid_of[bid],
               floors=rng.randint(8, 45), key_building=bid not in NOT_KEY,
               name_en=f"Office Tower {nn}", source="synthetic",
               note="合成楼宇（名称为编号标签，无地址）")
    # the order of the buildings table: the street's towers grid by grid, then the 楼组
    order = {b: i for i, b in enumerate(TOWERS)}
    ds.tables["buildings"].sort(key=lambda r: (order.get(r["id"], len(order)), r["id"]))

    # ---- companies ---------------------------------------------------------------------------
    companies_in: dict[str, list[str]] = {b: [] for b in TOWERS}
    company_building: dict[str, str] = {}
    for r in ds.tables["companies"]:
        companies_in[r["building_id"]].append(r["id"])
        company_building[r["id"]] = r["building_id"]
    synthetic_rows = []
    weights = []
    cn = 0
    for bid in TOWERS:
        total = FIXED_COMPANY_COUNTS.get(bid) or rng.randint(22, 45)
        for _ in range(total - len(companies_in[bid])):
            cn += 1
            cid = f"C-{cn:04d}"
            ind, stem, stem_en, _w = weighted(rng, INDUSTRIES)
            own = weighted(rng, OWNERSHIP_WEIGHTS)[0]
            lease = rand_date(rng, D("2026-03-01"), D("2029-12-31")) if rng.random() < 0.7 else None
            reloc = rng.random() < (0.25 if lease and lease < D("2027-06-30") else 0.03)
            row = ds.add("companies", id=cid, name=f"示例{stem}有限公司{cn:04d}", building_id=bid,
                         industry=ind, ownership=own, lease_expires=lease,
                         relocation_intent=reloc,
                         name_en=f"Example {stem_en} Co., Ltd. {cn:04d}", source="synthetic")
            synthetic_rows.append(row)
            weights.append(min(rng.paretovariate(1.1), 80.0))
            companies_in[bid].append(cid)
            company_building[cid] = bid
    scale = TARGET_WORKERS / sum(weights)
    for row, w in zip(synthetic_rows, weights, strict=True):
        row["employees"] = str(max(1, round(w * scale)))

    # ---- party branches and service stations in the towers ----------------------------------
    for bid in TOWERS:
        if bid in NO_PARTY_BRANCH:
            continue
        bld = ds.by_id[bid]
        real = bld["source"] != "synthetic"
        ds.add("organizations", id=f"O-PB-{bid[2:]}",
               name=f"{bld['name']}联合党支部" + ("（示例）" if real else ""),
               kind="party_branch", sector="party", located_in=bid, parent_id="O-PWC",
               name_en=f"Joint Party Branch, {bld['name_en']}", source="synthetic",
               note="合成的楼宇联合党支部" + ("；楼宇真实，党支部为示例" if real else ""))
    for bid in ["B-T01", "B-T10", "B-T16"]:
        cid = companies_in[bid][-1]
        comp = ds.by_id[cid]
        ds.add("organizations", id=f"O-PB-{cid[2:]}", name=f"{comp['name']}党支部",
               kind="party_branch", sector="party", located_in=cid, parent_id=f"O-PB-{bid[2:]}",
               name_en=f"Party Branch of {comp['name_en']}", source="synthetic")
    for sid, bid in STATIONS:
        bld = ds.by_id[bid]
        ds.add("organizations", id=sid, name=f"静安寺街道楼宇党群服务站点（{bld['name']}）",
               kind="service_station", sector="party", located_in=bid, parent_id="O-PWC",
               name_en=f"Building Party-Mass Service Point ({bld['name_en']})",
               source="synthetic")

    covers: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}

    def cover(sid, target, since=None, until=None, note="覆盖范围为建模假设"):
        L(sid, "COVERS", target, since=since, until=until, note=note)
        covers.setdefault(target, []).append((sid, since, until))

    cover("O-PMSS", "G-B02")
    cover("O-PMSS", "G-B03")
    cover("O-SQDQ", "G-B01", note="商圈党群服务中心覆盖的商务区网格为建模假设")
    cover("O-SQDQ", "G-B04", since=D("2023-01-01"), until=D("2025-12-31"),
          note="2026年起移交楼宇站点（建模假设）")
    cover("O-SS-04", "G-B04", since=D("2026-01-01"), note="自商圈党群服务中心接手（建模假设）")
    for bid in ["B-T29", "B-T30", "B-T31", "B-T34"]:
        cover("O-SS-05", bid, since=D("2024-01-01"), note="第5商务区网格按楼宇登记覆盖（建模假设）")
    cover("O-SS-05", "B-T32", since=D("2024-01-01"), until=D("2026-03-31"), note="覆盖到期未续")
    cover("O-SS-05", "G-B05", since=D("2026-12-15"), note="计划扩展到整个网格（尚未生效）")
    L("O-PWC", "COVERS", "S-JAS",
      note="街道层面的服务责任；按数据约定，指向街道的覆盖不覆盖任何具体地点")

    def station_for(bid: str, on: dt.date) -> str:
        for tgt in (bid, grid_of[bid]):
            for sid, since, until in covers.get(tgt, []):
                if (since is None or since <= on) and (until is None or until >= on):
                    return sid
        return "O-SQDQ"

    # Building-level liaison group (the 楼宇 level of the 街道-居民区-楼宇 network).
    ds.add("organizations", id="O-LG-GAOHE", name="高和大厦楼宇民族工作联络组（示例）",
           kind="liaison_group", sector="ethnic", located_in="B-GAOHE", parent_id="O-SSMZLLZ",
           name_en="Gaohe Building Ethnic Work Liaison Group (example)", source="synthetic",
           note="“街道-居民区-楼宇”三级民族工作网络中的楼宇层级（简报有三级网络，本组为示例）")
    L("O-PMSS", "LEADS", "O-LG-GAOHE", since=D("2021-03-01"))
    L("O-LG-GAOHE", "PARTNERS_WITH", "O-ESC", since=D("2021-03-01"))

    # ---- 企业联络员 and 首席联络员 (人民网: 1-2 per key building, a 首席联络员 above them) -----
    assign: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}

    def assign_to(pid, target, since=None, until=None, note=""):
        L(pid, "ASSIGNED_TO", target, since=since, until=until, note=note)
        assign.setdefault(target, []).append((pid, since, until))

    assign_to("P-LXLS", "B-T07", since=D("2019-01-01"), note="所跑楼宇为建模假设（合资双方所在楼宇）")
    assign_to("P-LXLS", "B-T10", since=D("2019-01-01"), note="所跑楼宇为建模假设（合资双方所在楼宇）")
    officer_note = "一栋重点楼宇配一到两位企业联络员（人民网）；姓名与分工为合成"
    for gid, towers in BUSINESS_GRIDS.items():
        key = [b for b in towers
               if (b not in NOT_KEY or len(companies_in[b]) >= KEY_BUILDING_MIN_COMPANIES)
               and b != "B-T14"]
        i = 0
        while i < len(key):
            group = key[i:i + rng.choice([1, 2])]
            for _ in range(rng.choice([1, 1, 2])):
                pid = people.add("企业联络员", "company liaison officer", "O-QYFWTD", officer_note)
                for bid in group:
                    assign_to(pid, bid, since=rand_date(rng, D("2019-01-01"), D("2024-06-30")))
            i += len(group)
        if gid == "G-B03":  # planted: B-T14's officer left, the successor starts after AS_OF
            old = people.add("企业联络员", "company liaison officer", "O-QYFWTD", officer_note)
            new = people.add("企业联络员", "company liaison officer", "O-QYFWTD", officer_note)
            assign_to(old, "B-T14", since=D("2022-03-01"), until=D("2026-06-30"), note="调岗离任")
            assign_to(new, "B-T14", since=D("2026-12-01"), note="接任（尚未到岗）")
        chief_note = "在楼宇企业联络员之上设首席联络员（人民网）；每个商务区网格一名为建模假设"
        chief = people.add("首席联络员", "chief liaison officer", "O-QYFWTD", chief_note)
        if gid == "G-B05":  # planted: registered on two towers only, not on the grid itself
            assign_to(chief, "B-T28", since=D("2023-05-01"), note="只登记到楼宇，未登记到网格")
            assign_to(chief, "B-T29", since=D("2023-05-01"), note="只登记到楼宇，未登记到网格")
        else:
            assign_to(chief, gid, since=rand_date(rng, D("2019-01-01"), D("2023-12-31")))
    # a clean handover (no gap): an earlier officer of B-T16 left in 2025
    old16 = people.add("企业联络员", "company liaison officer", "O-QYFWTD", officer_note)
    assign_to(old16, "B-T16", since=D("2021-01-01"), until=D("2025-08-31"), note="调岗离任")

    # ---- residential areas: 党总支, grid workers, liaison groups, sub-councils ------------------
    for suffix, _count in AREA_GRIDS:
        name = area_name(ds, suffix)
        en = ds.by_id[f"RA-{suffix}"]["name_en"]
        pgb = f"O-PGB-{suffix}"
        if pgb not in ds.by_id:
            ds.add("organizations", id=pgb, name=f"{name}党总支", kind="party_general_branch",
                   sector="party", located_in=f"RA-{suffix}", parent_id="O-PWC",
                   name_en=f"Party General Branch of {en}", source="synthetic",
                   note="推断：简报称“各居民区……党总支”；本居民区党总支未见单独报道")
        if suffix == "JIAYUAN":  # planted: only the first micro-grid is registered
            L(pgb, "COVERS", grids_of[suffix][0], since=D("2021-01-01"),
              note="覆盖按微网格登记，第2个微网格漏登")
        else:
            L(pgb, "COVERS", f"RA-{suffix}", since=D("2021-01-01"),
              note="居民区党总支负责本居民区及其微网格（推断）")
        people.add("党总支书记", "party branch secretary", pgb)
        head = people.add("网格长", "grid leader", pgb, f"{name}网格长")
        assign_to(head, f"RA-{suffix}", since=rand_date(rng, D("2019-01-01"), D("2023-12-31")))
        for gid in grids_of[suffix]:
            worker = people.add("网格员", "grid worker", pgb, f"{name}网格员")
            if gid == "G-R23":  # planted: the grid worker left, the successor starts later
                assign_to(worker, gid, since=D("2021-05-01"), until=D("2026-06-30"),
                          note="调岗离任")
                nxt = people.add("网格员", "grid worker", pgb, f"{name}网格员")
                assign_to(nxt, gid, since=D("2026-12-01"), note="接任（尚未到岗）")
            else:
                assign_to(worker, gid, since=rand_date(rng, D("2019-01-01"), D("2024-12-31")))

    inferred_lg = "推断：简报称“各居民区民族工作联络组在党总支领导下开展民族团结工作”；本组为据此推断"
    inferred_sub = "推断：简报称居民区“同心家园”理事分会；本居民区分会为据此推断"
    for suffix, _count in AREA_GRIDS:
        if suffix in AREAS_WITHOUT_MINORITIES:
            continue
        name = area_name(ds, suffix)
        en = ds.by_id[f"RA-{suffix}"]["name_en"]
        ds.add("organizations", id=f"O-TXJY-{suffix}", name=f"{name}“同心家园”理事分会",
               kind="council", sector="community", located_in=f"RA-{suffix}", parent_id="O-TXJY",
               name_en=f"Tongxin Jiayuan Sub-council, {en}", source="synthetic",
               note=inferred_sub)
    for suffix in AREAS_WITH_LG:
        name = area_name(ds, suffix)
        en = ds.by_id[f"RA-{suffix}"]["name_en"]
        lg = f"O-LG-{suffix}"
        located = grids_of[suffix][1] if suffix == "SANYIFANG" else f"RA-{suffix}"
        ds.add("organizations", id=lg, name=f"{name}民族工作联络组", kind="liaison_group",
               sector="ethnic", located_in=located, parent_id="O-SSMZLLZ",
               name_en=f"Ethnic Work Liaison Group, {en}", source="synthetic",
               note=inferred_lg + ("；活动地点登记在其第2个微网格" if suffix == "SANYIFANG" else ""))
        pgb = f"O-PGB-{suffix}"
        if suffix == "YUGU":
            pass  # planted: no LEADS at all, parent is the (ethnic) street liaison group
        elif suffix == "JINGHUA":
            L(pgb, "LEADS", lg, since=D("2019-01-01"), until=D("2025-12-31"), note="党总支换届前")
            L(pgb, "LEADS", lg, since=D("2026-01-01"), note="党总支换届后")
        else:
            L(pgb, "LEADS", lg, note="各居民区民族工作联络组在党总支领导下开展工作（简报，推断到本组）")
        if suffix == "JINGAN":  # planted: its only non-ethnic link ended
            L(lg, "MEMBER_OF", f"O-TXJY-{suffix}", since=D("2021-01-01"), until=D("2025-09-30"),
              note="理事分会改组后未重新加入")
        else:
            L(lg, "MEMBER_OF", f"O-TXJY-{suffix}", note="依托“同心家园”平台（推断）")
        L(lg, "MEMBER_OF", "O-MZLFH", note="联络组与民族联分会协作（推断）")
    L("O-LG-HUASHAN", "PARTNERS_WITH", "O-SPA", since=D("2018-09-01"),
      note="上戏所在居民区的联络组与学校协作（推断）")
    L("O-LG-MEILIYUAN", "COVERS", "RA-HAIYUAN", since=D("2022-01-01"),
      note="海园居民区未单设联络组，由美丽园居民区联络组兼顾（建模假设）")
    L("O-LG-JINGHUA", "COVERS", "RA-BAILE", since=D("2022-01-01"), until=D("2025-06-30"),
      note="兼顾安排已到期")
    L("O-PWC", "LEADS", "O-TXJY", note="推断：“同心家园”平台在党建引领下运行")

    # ---- MENTORS (结对助学) -----------------------------------------------------------------
    classes = ["O-SPA-TIBET", "O-SPA-MONGOLIA"]
    note = "简报：街道发动社区单位和个人连续多年与上戏西藏班、蒙古班学生结对助学；具体结对为合成"
    for i in range(4):
        pid = people.add("社区志愿者", "community volunteer", note="与上戏西藏班、蒙古班学生结对助学")
        until = D("2025-06-30") if i == 3 else None
        L(pid, "MENTORS", classes[i % 2], since=D(f"{2016 + i}-09-01"), until=until,
          note=note + ("；结对学生已毕业" if until else ""))
    L("O-PB-T01", "MENTORS", "O-SPA-TIBET", since=D("2017-09-01"), note=note)
    L("O-PGB-YUHUA", "MENTORS", "O-SPA-MONGOLIA", since=D("2018-09-01"), note=note)
    L("O-TXJY", "SERVES", "O-SPA", since=D("2016-09-01"), note="组织结对助学（推断）")

    def worker_on(bid: str, on: dt.date) -> str | None:
        for pid, since, until in assign.get(bid, []):
            if (since is None or since <= on) and (until is None or until >= on):
                return pid
        return None

    def visitor(bid: str, on: dt.date) -> str:
        return worker_on(bid, on) or station_for(bid, on)

    # ---- risk assessments (planted first) -------------------------------------------------
    r1 = companies_in["B-T16"][0]  # orange, not followed up
    r2 = companies_in["B-T25"][0]  # red, not followed up (only a planned visit)
    c3 = companies_in["B-T26"][0]  # red but the deadline has not passed yet (no finding)
    c4 = companies_in["B-T27"][0]  # orange, followed up by a resolved demand (no finding)
    c5 = companies_in["B-T28"][0]  # red, followed up by a visit on the deadline (no finding)
    planted_assess = {
        r1: [("2025-05-10", 1), ("2026-03-02", 2), ("2026-10-20", 4)],
        r2: [("2025-08-01", 3), ("2026-11-20", 5)],
        c3: [("2026-06-01", 3), ("2026-11-27", 5)],
        c4: [("2025-11-05", 2), ("2026-09-10", 4)],
        c5: [("2026-02-11", 2), ("2026-08-03", 5)],
    }
    blackout: dict[str, tuple[dt.date, dt.date]] = {}
    for cid, rows in planted_assess.items():
        first = D(rows[-1][0])
        window = (first, first + days(FOLLOWUP_DAYS[rows[-1][1]]))
        blackout[cid] = blackout[company_building[cid]] = window
    no_followup = set(planted_assess)
    quiet_buildings = {"B-T32": D("2026-05-31"), "B-T20": D("2026-06-02"),
                       "B-T33": D("2025-09-30")}
    recent_ok = companies_in["B-T32"][:2]  # visited recently although the building is not

    def synthetic_company(cid: str) -> bool:
        return cid[2:].isdigit()

    def cutoff_of(target: str) -> dt.date:
        if target in recent_ok:
            return AS_OF
        return quiet_buildings.get(company_building.get(target, target), AS_OF)

    def free_day(target: str, d: dt.date) -> dt.date:
        s, e = blackout.get(target, (d + days(1), d))
        return e + days(1) if s <= d <= e else d

    assessments: list[tuple[str, dt.date, int]] = []
    for bid in TOWERS:
        for cid in companies_in[bid]:
            if cid in planted_assess:
                assessments += [(cid, D(d), lv) for d, lv in planted_assess[cid]]
                continue
            if not synthetic_company(cid):
                continue  # facts companies: only the seed assessment
            k = rng.choice([0, 1, 1, 2, 2, 3])
            dates = sorted({rand_date(rng, PERIOD_START, D("2026-11-28")) for _ in range(k)})
            for d in dates:
                lv = rng.choices([1, 2, 3, 4, 5], weights=[40, 30, 18, 8, 4])[0]
                if bid in quiet_buildings:
                    lv = min(lv, 3)
                assessments.append((cid, d, lv))
    for cid, d, lv in assessments:
        ds.add("risk_assessments", company_id=cid, assessed_on=d,
               level=rng.choice(LEVEL_SPELLINGS[lv]), reason=rng.choice(RISK_REASONS[lv]),
               source="synthetic")

    # ---- visits -----------------------------------------------------------------------------
    visits: list[tuple[str, str, dt.date, str, str]] = []
    for bid in TOWERS:
        cutoff = quiet_buildings.get(bid, AS_OF)
        d = PERIOD_START + days(rng.randint(0, 25))
        while d < cutoff:
            d = free_day(bid, d)
            if d >= cutoff:
                break
            visits.append((visitor(bid, d), bid, d, rng.choice(VISIT_PURPOSES), ""))
            d += days(rng.randint(18, 45))
        if bid == "B-T20":
            visits.append((visitor(bid, cutoff), bid, cutoff, "跑楼走访", ""))
    for bid in ["B-T20", "B-T33"]:  # done visits after AS_OF: they do not exist yet on AS_OF
        visits.append((station_for(bid, PERIOD_END), bid, PERIOD_END, "跑楼走访", ""))
    for bid in TOWERS:
        for cid in companies_in[bid]:
            if cid in no_followup or not synthetic_company(cid):
                continue
            cut = cutoff_of(cid)
            for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
                d = free_day(cid, rand_date(rng, PERIOD_START, cut))
                if d <= cut:
                    visits.append((visitor(bid, d), cid, d, rng.choice(VISIT_PURPOSES), ""))
    for cid in recent_ok:
        visits.append((visitor("B-T32", D("2026-10-12")), cid, D("2026-10-12"), "企业需求了解", ""))
    for cid, d, lv in assessments:  # follow-up visits for every level-4/5 not planted
        if lv >= 4 and cid not in no_followup:
            f = d + days(rng.randint(1, FOLLOWUP_DAYS[lv]))
            if f <= PERIOD_END:
                bid = company_building[cid]
                visits.append((visitor(bid, f), cid, f, "风险预警跟进", ""))
    visits.append((visitor("B-T28", D("2026-08-06")), c5, D("2026-08-06"), "风险预警跟进", ""))
    # planned visits: never counted as visits
    unreached_b32 = companies_in["B-T32"][3]
    planned = [
        ("B-T20", "B-T20", D("2026-11-20"), "跑楼走访（计划）"),
        ("B-T33", "B-T33", D("2026-10-15"), "跑楼走访（计划）"),
        ("B-T32", unreached_b32, D("2026-11-01"), "企业需求了解（计划）"),
        ("B-T25", r2, D("2026-11-21"), "风险预警跟进（计划）"),
    ]
    for bid, tid, d, purpose in planned:
        visits.append((visitor(bid, d), tid, d, purpose, "planned"))
    visits = sorted(set(visits), key=lambda v: (v[2], v[1], v[0], v[3], v[4]))
    for vid, tid, d, purpose, status in visits:
        ds.add("visits", visitor_id=vid, target_id=tid, date=d, purpose=purpose, status=status,
               source="synthetic")

    # ---- demands -----------------------------------------------------------------------------
    dn = len(ds.tables["demands"])

    def demand(cid, raised, category, status, resolved=None, handled=None, note=""):
        nonlocal dn
        dn += 1
        did = f"D-{dn:04d}"
        ds.add("demands", id=did, company_id=cid, raised_on=raised, category=category,
               status=status, resolved_on=resolved,
               handled_by=handled or station_for(company_building[cid], raised),
               source="synthetic", note=note)
        return did

    eligible = [c for c in company_building
                if synthetic_company(c) and c not in no_followup
                and company_building[c] not in quiet_buildings]
    for raised in sorted(rand_date(rng, PERIOD_START, AS_OF) for _ in range(300)):
        cid = rng.choice(eligible)
        cat = rng.choice(DEMAND_CATEGORIES)
        handled = "O-ESC" if cat in ("工商注册变更", "税务服务") and rng.random() < 0.6 else None
        if cat == "办公选址" and rng.random() < 0.3:
            handled = "O-INVEST"
        if (AS_OF - raised).days > DEMAND_MAX_DAYS - 2:
            demand(cid, raised, cat, "resolved", min(raised + days(rng.randint(1, 26)), AS_OF),
                   handled)
        else:
            status = rng.choice(["open", "in_progress", "resolved"])
            resolved = (min(raised + days(rng.randint(1, 10)), AS_OF)
                        if status == "resolved" else None)
            demand(cid, raised, cat, status, resolved, handled)
    demand(c4, D("2026-09-08"), "租金与租约", "resolved", D("2026-09-18"),
           note="橙色预警后通过协调租约跟进")
    d30 = demand(eligible[7], D("2026-10-30"), "政策咨询", "open", note="截至as_of正好30天")
    dfut = demand(eligible[8], PERIOD_END, "人才招聘", "open", note="as_of之后提出")
    stale = [
        demand(eligible[11], D("2025-12-01"), "人才落户", "in_progress", note="长期未办结"),
        demand(eligible[23], D("2026-06-15"), "停车与交通", "open", note="长期未办结"),
        demand(eligible[41], D("2026-09-20"), "融资对接", "in_progress"),
        demand(eligible[57], D("2026-10-28"), "物业协调", "open", note="超期2天"),
        demand(eligible[73], D("2026-10-10"), "租金与租约", "resolved", D("2026-11-30"),
               note="as_of之后才办结"),
    ]

    # ---- MEMBER_OF: companies join their station's 楼宇党建工作阵营 --------------------------
    for cid in sorted(rng.sample(sorted(eligible), 60)):
        L(cid, "MEMBER_OF", station_for(company_building[cid], AS_OF),
          since=rand_date(rng, D("2019-01-01"), D("2026-10-31")), note="加入楼宇党建工作阵营")

    NEAR_MISSES.extend([
        f"`{c3}` (B-T26): red (5) assessed 2026-11-27, deadline 2026-11-30 not yet passed",
        f"`{c4}` (B-T27): orange (4) 2026-09-10, no visit but a demand resolved 2026-09-18",
        f"`{c5}` (B-T28): red (5) 2026-08-03, visited on the deadline 2026-08-06",
        f"`{d30}`: open demand raised 2026-10-30 (exactly 30 days old on as_of)",
        f"`{dfut}`: open demand raised 2026-11-30 (after as_of)",
        "`B-T27`: 20 companies (= the threshold, not flagged key) with an active 企业联络员",
        "`B-T16`: officer handover (one ASSIGNED_TO ended 2025-08-31, another is active)",
        "`B-T21`, `B-T34`: fewer than 20 companies, not key, no 企业联络员: not a finding",
        "`B-T29`..`B-T31`, `B-T34`: in grid G-B05 (no active grid-level COVERS) but covered "
        "building by building",
        "`G-B04`: COVERS by `O-SQDQ` ended 2025-12-31, `O-SS-04` took over 2026-01-01",
        "`O-PWC` COVERS `S-JAS`: a street-wide COVERS link covers nothing (and rescues nothing)",
        "`B-T32`: last building visit 2026-05-31, but two of its companies were visited "
        "2026-10-12, so the building is visited (and those two companies are reached)",
        "`RA-HAIYUAN`: no own liaison group, covered by `O-LG-MEILIYUAN` (COVERS the area)",
        "`RA-SANYIFANG`: its liaison group is located in one of its micro-grids (located within)",
        "`RA-JIAYUAN`: no liaison group but no minority residents",
        "`O-LG-JINGHUA`: LEADS ended 2025-12-31, a new LEADS since 2026-01-01",
        "residential grids: covered by their area's 党总支 through a COVERS link to the area "
        "(the v2 covers rule), none has a party organisation located in it",
        "every residential area also has a 网格长 ASSIGNED_TO the area: that does not staff "
        "its grids (each grid has its own 网格员)",
        "planned visits (status `planned`) to `B-T20`, `B-T33`, a company of `B-T32` and the "
        "red-flagged company of `B-T25` do not count",
        "a volunteer's MENTORS link ended 2025-06-30 (inactive)",
    ])
    PLANTED.update({
        "area_without_liaison_group": ["RA-BAILE"],
        "building_not_visited": ["B-T20", "B-T33"],
        "building_without_service_station": ["B-T32", "B-T33"],
        "company_unreached": sorted(companies_in["B-T33"] + companies_in["B-T32"][2:]),
        "grid_without_party_org": [grids_of["JIAYUAN"][1]],
        "grid_without_worker": ["G-B05", "G-R23"],
        "key_building_without_worker": ["B-T14"],
        "liaison_group_isolated": ["O-LG-JINGAN"],
        "liaison_group_without_leadership": ["O-LG-YUGU"],
        "risk_without_followup": sorted([r1, r2]),
        "stale_demand": sorted(stale),
    })


def build_population(ds: Dataset, rng: random.Random) -> None:
    groups = [(r["ethnic_group"], int(r["residents"] or 0), int(r["registered"] or 0))
              for r in read_csv(FACTS / "minority_groups.csv")]
    rest_res = sum(g[1] for g in groups[1:])
    rest_reg = sum(g[2] for g in groups[1:])
    groups[0] = (groups[0][0], MINORITY_TOTAL - rest_res, MINORITY_REGISTERED - rest_reg)
    areas = [s for s, _ in AREA_GRIDS if s not in AREAS_WITHOUT_MINORITIES]
    counts: dict[tuple[str, str], list[int]] = {}
    for name, res, reg in groups:
        for i in range(res):
            registered = i < reg
            w = [AREA_WEIGHTS[a] for a in areas]
            if name in ("藏族", "蒙古族") and not registered:
                w = [60 if a == "HUASHAN" else x for a, x in zip(areas, w, strict=True)]
            a = rng.choices(areas, weights=w)[0]
            c = counts.setdefault((a, name), [0, 0])
            c[0] += 1
            c[1] += registered
    note = "街道合计（29个民族、921人、户籍646人）见简报；各民族人数与按居民区的分配为合成"
    order = {g[0]: i for i, g in enumerate(groups)}
    for suffix, _n in AREA_GRIDS:
        minority = 0
        for (a, name), (res, reg) in sorted(counts.items(), key=lambda kv: order[kv[0][1]]):
            if a == suffix:
                minority += res
                ds.add("population", area_id=f"RA-{suffix}", ethnic_group=name, residents=res,
                       registered=reg, source="seed", note=note)
        han = rng.randint(2600, 6800) - minority
        ds.add("population", area_id=f"RA-{suffix}", ethnic_group=HAN_SPELLING.get(suffix, "汉族"),
               residents=han, registered=int(han * rng.uniform(0.7, 0.85)), source="synthetic",
               note="汉族人口为合成（不计入少数民族）")


MINORITY_TOTAL, MINORITY_REGISTERED = 921, 646  # newsletter: 29 个民族，921 人，646 人户籍


def build(out: Path) -> Dataset:
    PLANTED.clear()
    NEAR_MISSES.clear()
    FACTS_USED.clear()
    rng = random.Random(RANDOM_SEED)
    sources = load_sources()
    ds = Dataset()
    load_facts(ds, sources)
    build_synthetic(ds, rng, sources)
    build_population(ds, rng)
    ds.tables["links"].sort(key=lambda r: (r["type"], r["source_id"], r["target_id"], r["since"]))
    out.mkdir(parents=True, exist_ok=True)
    for table, rows in ds.tables.items():
        with open(out / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS[table], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    found = gaps(ds.tables, AS_OF)
    (out / "README.md").write_text(readme_text(ds, sources, found), encoding="utf-8")
    # the example coverage rules (docs/rules.md) are written by hand; they ship beside the data
    shutil.copyfile(FACTS / "rules.toml", out / "rules.toml")
    return ds


# ---------------------------------------------------------------------------------------------
# Self-check: contract rules and a plain re-implementation of the eleven gaps
# ---------------------------------------------------------------------------------------------
def load(out: Path) -> dict[str, list[dict[str, str]]]:
    return {t: read_csv(out / f"{t}.csv") for t in COLUMNS}


def is_han(group: str) -> bool:
    return group.strip().lower() in schema.HAN_SPELLINGS


def check(T: dict[str, list[dict[str, str]]]) -> list[str]:
    """Contract rules (ids, references and their kinds, enums, dates, keys, v2 grid rules)."""
    errors: list[str] = []
    table_of: dict[str, str] = {}
    for t in ID_TABLES:
        for r in T[t]:
            if r["id"] in table_of:
                errors.append(f"duplicate id {r['id']}")
            table_of[r["id"]] = t
    for t, rows in T.items():
        spec = schema.TABLES[t]
        known = set(spec.column_names) | {"name_en", "source", "source_ref", "note"}
        extra = set(rows[0]) - known if rows else set()
        if extra:
            errors.append(f"{t}: unknown extra columns {sorted(extra)}")
        for i, r in enumerate(rows, start=2):
            where = f"{t} row {i}"
            if r.get("source") not in schema.SOURCES:
                errors.append(f"{where}: bad source {r.get('source')!r}")
            if r.get("source") == "public" and not r.get("source_ref"):
                errors.append(f"{where}: public row without source_ref")
            for col in spec.columns:
                v = r.get(col.name, "")
                if col.required and not v:
                    errors.append(f"{where}: empty {col.name}")
                if not v:
                    continue
                if col.type == "date":
                    try:
                        D(v)
                    except ValueError:
                        errors.append(f"{where}: bad date {col.name}={v}")
                elif col.type == "bool" and v not in ("true", "false"):
                    errors.append(f"{where}: bad bool {col.name}={v}")
                elif col.type == "int" and not v.isdigit():
                    errors.append(f"{where}: bad integer {col.name}={v}")
                elif col.type == "enum" and col.enum and v not in col.enum:
                    errors.append(f"{where}: bad {col.name}={v}")
                elif col.type == "level" and schema.parse_risk_level(v) is None:
                    errors.append(f"{where}: bad level {v}")
                elif (col.type == "ref" and col.refs != ("*",)
                      and table_of.get(v) not in col.refs):
                    errors.append(f"{where}: {col.name}={v} is not one of {col.refs}")

    areas = {r["id"]: r for r in T["residential_areas"]}
    for r in T["grids"]:
        if r["kind"] not in schema.GRID_KIND_VALUES:
            errors.append(f"grid {r['id']}: bad kind {r['kind']}")
        if (r["kind"] == "residential") != bool(r["area_id"]):
            errors.append(f"grid {r['id']}: area_id must be set iff the grid is residential")
        if r["area_id"] and areas[r["area_id"]]["street_id"] != r["street_id"]:
            errors.append(f"grid {r['id']}: area in another street")
    for r in T["links"]:
        lt = schema.LINK_TYPES.get(r["type"])
        if lt is None:
            errors.append(f"link: bad type {r['type']}")
            continue
        if table_of.get(r["source_id"]) not in lt.sources:
            errors.append(f"link {r['type']}: bad source {r['source_id']}")
        if table_of.get(r["target_id"]) not in lt.targets:
            errors.append(f"link {r['type']}: bad target {r['target_id']}")
        if r["since"] and r["until"] and r["until"] < r["since"]:
            errors.append(f"link {r['source_id']} {r['type']} {r['target_id']}: until < since")
    for t, spec in schema.TABLES.items():
        for key in spec.keys:
            seen = set()
            for r in T[t]:
                k = tuple(r.get(c, "") for c in key)
                if k in seen:
                    errors.append(f"{t}: duplicate key {k}")
                seen.add(k)
    for r in T["population"]:
        if r["registered"] and int(r["registered"]) > int(r["residents"]):
            errors.append(f"population {r['area_id']} {r['ethnic_group']}: registered > residents")
    for r in T["demands"]:
        if r["status"] == "resolved" and not r["resolved_on"]:
            errors.append(f"demand {r['id']}: resolved without resolved_on")
        if r["resolved_on"] and r["resolved_on"] < r["raised_on"]:
            errors.append(f"demand {r['id']}: resolved_on before raised_on")
    minority = [r for r in T["population"] if not is_han(r["ethnic_group"])]
    groups = {r["ethnic_group"] for r in minority}
    res = sum(int(r["residents"]) for r in minority)
    reg = sum(int(r["registered"]) for r in minority)
    if (len(groups), res, reg) != (29, MINORITY_TOTAL, MINORITY_REGISTERED):
        errors.append(f"population totals {len(groups)} groups / {res} / {reg} != 29/921/646")
    kinds = [r["kind"] for r in T["grids"]]
    if (len(T["residential_areas"]), kinds.count("residential"), kinds.count("business")) != (
            11, 32, 5):
        errors.append("structure is not 11 areas, 32 residential grids, 5 business grids")
    return errors


def gaps(T: dict[str, list[dict[str, str]]], as_of: dt.date) -> dict[str, list[str]]:
    """A plain re-implementation of the eleven gaps (docs/gaps.md, version 2)."""
    streets = {r["id"] for r in T["streets"]}
    up: dict[str, str] = {}
    for r in T["residential_areas"]:
        up[r["id"]] = r["street_id"]
    for r in T["grids"]:
        up[r["id"]] = r["area_id"] or r["street_id"]
    for r in T["buildings"]:
        up[r["id"]] = r["grid_id"]
    for r in T["companies"]:
        up[r["id"]] = r["building_id"]

    def containers(x: str) -> list[str]:
        out = []
        x = up.get(x, "")
        while x and x not in streets:
            out.append(x)
            x = up.get(x, "")
        return out

    def within(x: str, p: str) -> bool:
        return bool(x) and (x == p or p in containers(x))

    orgs = {r["id"]: r for r in T["organizations"]}
    sector = {**{k: r["sector"] for k, r in orgs.items()},
              **{r["id"]: "business" for r in T["companies"]}}

    def active(r):
        return ((not r["since"] or D(r["since"]) <= as_of)
                and (not r["until"] or D(r["until"]) >= as_of))

    links = [r for r in T["links"] if active(r)]
    cover_links = [r for r in links
                   if r["type"] == "COVERS" and r["source_id"] in orgs and r["target_id"] not in streets]
    visits = [(r["target_id"], D(r["date"])) for r in T["visits"]
              if r.get("status", "") in ("", "done") and D(r["date"]) <= as_of]
    recent = {t for t, d in visits if (as_of - d).days < VISIT_WINDOW_DAYS}
    company_bld = {r["id"]: r["building_id"] for r in T["companies"]}
    by_building: dict[str, list[str]] = {}
    for c, b in company_bld.items():
        by_building.setdefault(b, []).append(c)

    def covers(pred, x: str) -> bool:
        places = {x, *containers(x)}
        return any(pred(orgs[r["source_id"]]) and r["target_id"] in places for r in cover_links)

    def located_within(pred, p: str) -> bool:
        return any(pred(o) and within(o["located_in"], p) for o in orgs.values())

    def is_party(o):
        return o["sector"] == "party"

    def is_station(o):
        return o["kind"] in ("service_station", "service_center")

    def reach(o):
        return is_party(o) or is_station(o)

    def is_lg(o):
        return o["kind"] == "liaison_group"

    found: dict[str, list[str]] = {}
    found["grid_without_party_org"] = [
        g["id"] for g in T["grids"]
        if not located_within(is_party, g["id"]) and not covers(is_party, g["id"])
        and not any(is_party(orgs[r["source_id"]]) and within(r["target_id"], g["id"])
                    for r in cover_links)
    ]
    minority: dict[str, int] = {}
    for r in T["population"]:
        if not is_han(r["ethnic_group"]):
            minority[r["area_id"]] = minority.get(r["area_id"], 0) + int(r["residents"])
    found["area_without_liaison_group"] = [
        a["id"] for a in T["residential_areas"]
        if minority.get(a["id"], 0) > 0
        and not located_within(is_lg, a["id"]) and not covers(is_lg, a["id"])
    ]
    found["building_without_service_station"] = [
        b["id"] for b in T["buildings"]
        if by_building.get(b["id"])
        and not located_within(is_station, b["id"]) and not covers(is_station, b["id"])
    ]
    found["company_unreached"] = [
        c for c, b in company_bld.items()
        if not any(reach(o) and o["located_in"] in (c, b) for o in orgs.values())
        and not covers(reach, c) and c not in recent and b not in recent
    ]
    latest: dict[str, tuple[dt.date, int]] = {}
    for r in T["risk_assessments"]:
        d = D(r["assessed_on"])
        if d <= as_of and (r["company_id"] not in latest or d > latest[r["company_id"]][0]):
            latest[r["company_id"]] = (d, schema.parse_risk_level(r["level"]))
    resolved_on: dict[str, list[dt.date]] = {}
    for r in T["demands"]:
        if r["resolved_on"]:
            resolved_on.setdefault(r["company_id"], []).append(D(r["resolved_on"]))
    out = []
    for c, (d, lv) in latest.items():
        if lv < 4:
            continue
        deadline = d + days(FOLLOWUP_DAYS[lv])
        if as_of <= deadline:
            continue
        if any(t in (c, company_bld[c]) and d <= vd <= deadline for t, vd in visits):
            continue
        if any(d <= x <= deadline for x in resolved_on.get(c, [])):
            continue
        out.append(c)
    found["risk_without_followup"] = out
    found["stale_demand"] = [
        r["id"] for r in T["demands"]
        if D(r["raised_on"]) <= as_of
        and (r["status"] != "resolved" or D(r["resolved_on"]) > as_of)
        and (as_of - D(r["raised_on"])).days > DEMAND_MAX_DAYS
    ]
    social = {"PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF"}
    found["liaison_group_isolated"] = [
        o["id"] for o in orgs.values()
        if is_lg(o) and not any(
            r["type"] in social
            and ((r["source_id"] == o["id"] and sector.get(r["target_id"], "ethnic") != "ethnic")
                 or (r["target_id"] == o["id"]
                     and sector.get(r["source_id"], "ethnic") != "ethnic"))
            for r in links)
    ]
    found["liaison_group_without_leadership"] = [
        o["id"] for o in orgs.values()
        if is_lg(o)
        and not any(r["type"] == "LEADS" and r["target_id"] == o["id"]
                    and sector.get(r["source_id"]) == "party" and r["source_id"] in orgs
                    for r in links)
        and (not o["parent_id"] or orgs[o["parent_id"]]["sector"] != "party")
    ]
    people = {r["id"] for r in T["people"]}
    staffed = {r["target_id"] for r in links
               if r["type"] == "ASSIGNED_TO" and r["source_id"] in people}
    found["key_building_without_worker"] = [
        b["id"] for b in T["buildings"]
        if (b["key_building"] == "true"
            or len(by_building.get(b["id"], [])) >= KEY_BUILDING_MIN_COMPANIES)
        and b["id"] not in staffed
    ]
    found["building_not_visited"] = [
        b["id"] for b in T["buildings"]
        if by_building.get(b["id"]) and b["id"] not in recent
        and not any(c in recent for c in by_building[b["id"]])
    ]
    found["grid_without_worker"] = [g["id"] for g in T["grids"] if g["id"] not in staffed]
    return {k: sorted(v) for k, v in sorted(found.items())}


# ---------------------------------------------------------------------------------------------
# README.md (generated, so that its numbers and ids always match the CSV files)
# ---------------------------------------------------------------------------------------------
README_HEAD = """\
# 静安寺街道 (Jing'an Temple subdistrict) — example dataset

This directory is **generated** by `scripts/build_jingansi.py` from the facts in
`scripts/jingansi/` (fixed random seed `{seed}`). Do not edit it by hand: change the fact files
or the script and run

    .venv/bin/python scripts/build_jingansi.py    # rewrites data/jingansi/ and self-checks

Two runs give byte-identical files. The self-check validates the contract rules and the
newsletter's population totals, and re-implements the eleven gaps of the gap definitions
(docs/gaps.md) in plain Python (independently of the package's gap code) to prove that on
**as_of = {as_of}** the findings are exactly the gaps planted below, no more, no fewer.
`graphmodel gaps data/jingansi --as-of {as_of}` gives the same findings.

The dataset follows the data contract (docs/data_contract.md), version 2: one UTF-8 CSV (no
BOM) per table, header in row 1, dates `YYYY-MM-DD`, booleans `true`/`false`. The only columns
beyond the contract's are the known optional ones: `name_en` (English name), `source`,
`source_ref` and `note` (free text, Chinese). Facts that v1 kept in extra columns (awards,
founding dates, class sizes, facility types) are folded into `note`.

## Structure: 1 + 11 + 37

| level | rows | ids |
|---|---:|---|
| street | 1 | `S-JAS` 静安寺街道 |
| residential areas (居民区) | {n_areas} | `RA-…` (names from the NBS code list: 愚谷村, 四明, 静安, 三义坊, 百乐, 景华, 华山, 海园, 美丽园, 裕华, 嘉园) |
| residential micro-grids (居民区党建微网格, kind `residential`) | {n_rgrids} | `G-R01..G-R32`, each with its `area_id` (3 per area, 2 in 嘉园) |
| business-district grids (商圈商务区网格, kind `business`) | {n_bgrids} | `G-B01..G-B05`, under the street, `area_id` blank |
| office towers in the business grids | {n_towers} | the 金五星 towers, 高和大厦 and `B-T01..B-T34` (商务楼宇01..34) |
| 楼组 modelled as buildings in micro-grids | {n_blocks} | public ones only: 景华新邨, 大胜胡同, 富民新村, 愚园路532弄50号楼 |
| companies | {n_companies} | {n_fact_companies} named (seed/public) + synthetic `C-0001..` (示例…有限公司nnnn) |

The street has 388 楼组 (public source); only the four named in public sources are modelled
as buildings, because the 楼组 carry no companies and play no part in the gaps.

## Sources

Rows tagged `public` cite one of these in `source_ref`; `seed` rows encode the newsletter.

| key | source | what was taken |
|---|---|---|
| newsletter | 静安寺·全景 (the street's newsletter: “优化党建盘活资源 助推民族团结”, “党群服务站不断‘破圈’ 加深加强楼宇党建”, “静安寺商圈新联会会长向巴楚敬老院捐款”) | every `seed` row: the street, its honours, “5+32” 37 grids, 平面网格（居民区）/立体网格（商务楼宇）, the 高和大厦 党群服务站 and 企业服务中心 and their facilities, the five-colour method, 汝熙玲, 两新老师, 京东健康/卫材中国, the Japanese SME, 华山居民区 and 上戏, 同心家园, 民族联分会, 少数民族联络组, the donors, 新联会, the public venues, the WeChat channels, 伊利汗木, 李峰, and the population totals (29 groups, 921 residents, 646 registered, 275 from elsewhere) |
{sources}

## Row counts by source

{counts}

Rows with `source = public`: {n_public}, every one with a `source_ref`.

## Assumptions

{assumptions}

## Planted coverage gaps (as_of = {as_of}, default parameters)

{planted}

### Edge cases that must **not** be findings

{near}

## Population

`population` rows sit at residential-area level. Summing the non-Han rows over all areas gives
exactly **29 distinct minority groups, 921 residents, 646 registered (户籍), 275 from
elsewhere** (the newsletter's street totals). The per-group totals (回族 balances the sum) and
the split over areas are synthetic (a weighted draw per person; non-registered 藏族/蒙古族
lean to 华山, where the 上戏 classes are). These rows are `seed` with a `note` saying the split
is ours. Han rows are synthetic (spelled `Han` in `RA-YUGU` and `汉` in `RA-BAILE`, as the
contract allows) and do not count as minority. `RA-JIAYUAN` has Han residents only.

{minority}

## IDs

Unique across the whole dataset: `S-` street, `RA-` areas, `G-R..` / `G-B..` grids, `B-`
buildings (`B-T..` synthetic towers, `B-R-..` 楼组), `C-` companies (facts ones named,
synthetic `C-0001..`), `O-` organizations, `P-` people (facts ones named, synthetic
`P-0001..`, named 示例<role>nn), `D-` demands. Visits and risk assessments have no id.

## Privacy

No table but `population` carries ethnicity: the newsletter names the ethnicity of two
residents, which is not stored (`people` has no such column, and neither `role` nor `note`
mentions it); the 清真 qualifier of 李峰's stall and his 入党申请 are left out too. No ID-card
or phone numbers anywhere.
"""

ASSUMPTION_TEXT = [
    "**Five colours → levels.** The newsletter names the five levels 稳定, 较稳定, 一般, 较不稳定, "
    "不稳定 and says each has its own colour, but not which. We use the contract's mapping: "
    "1 稳定 green 绿, 2 较稳定 blue 蓝, 3 一般 yellow 黄, 4 较不稳定 orange 橙, 5 不稳定 red 红. "
    "`risk_assessments.level` is written in any of these spellings (digit, label or colour).",
    "**Areas.** The 11 居民区 take the names of the 11 居委会 that the NBS code list gives for "
    "静安寺街道 (居委会 and 居民区 correspond one to one); households are unknown and left "
    "blank. 华山 is `seed` (named in the newsletter), the others `public`.",
    "**Grids.** The public structure gives 5 business-district grids and 32 micro-grids but no "
    "names or boundaries: grids are `synthetic` (numbered labels; every grid's `kind` is "
    "inferred from 平面网格（居民区）/立体网格（商务楼宇） and the public 5+32 split, as each "
    "grid's note says). 3 micro-grids per area (2 in 嘉园) and the assignment of towers to "
    "business grids are ours.",
    "**Towers.** 40 office towers (人民网: 40 栋高端商务楼宇): the five 金五星 towers "
    "(public), 高和大厦 (seed) and 34 synthetic towers 商务楼宇01..34 with no address. "
    "Addresses are blank unless a source gives them (南京西路1788号, 愚园路532弄50号).",
    "**Companies and workers.** About 90,000 workers (人民网: 9万余人) spread over "
    "{n_synth_companies} synthetic companies: employees drawn from a heavy-tailed (Pareto) "
    "distribution and scaled so that they sum to {workers} (mean {mean:.0f} per company). "
    "Towers hold 22–45 companies each (a few small ones 4–15); a tower with ≥ 20 companies is "
    "a key building (the gap definitions' threshold) and is flagged `key_building` except "
    "`B-T27` (exactly 20, left unflagged on purpose). The named companies (京东健康, 卫材中国, "
    "their joint venture, 欧莱雅, 阿克苏诺贝尔) have no employee count; their towers are "
    "modelling assumptions (the sources do not say).",
    "**Liaison officers.** 人民网: one key building has one or two 企业联络员, with a "
    "首席联络员 above them, in a 企业服务团队 (`O-QYFWTD`). Each key tower gets 1–2 "
    "synthetic 企业联络员 (`ASSIGNED_TO` the tower); each business grid a 首席联络员 "
    "(`ASSIGNED_TO` the grid, which contains the towers); officers name no real person.",
    "**Residential workers.** Each area has a 党总支 (`COVERS` the area, hence its micro-grids "
    "under the v2 covers rule), a 网格长 (`ASSIGNED_TO` the area) and one 网格员 per "
    "micro-grid (`ASSIGNED_TO` the grid).",
    "**Inferred organisations.** The newsletter says 各居民区民族工作联络组在党总支领导下 and "
    "mentions 居民区“同心家园”理事分会: the per-area 党总支 (except 华山 seed, 四明 and 裕华 "
    "public), liaison groups, sub-councils and the links between them are `synthetic` with a "
    "note saying they are inferred. So are `O-PWC LEADS O-SSMZLLZ` and the MEMBER_OF links of "
    "民族联分会 and 少数民族联络组 to the 同心家园 council.",
    "**Donations.** 静安寺, 圆明讲堂 and 侨联分会 “纷纷开展捐助” in the paragraph about the 上戏 "
    "西藏班/蒙古班 结对助学: their `SUPPORTS` links go to the two classes. The 新联会 donation "
    "starts at the 新联会 president (`P-XLH-PRES SUPPORTS O-BACHU`); the newsletter does not "
    "say where 巴楚敬老院 is, so its `located_in` is blank (outside the modelled area).",
    "**民族联分会.** The newsletter's 民族联分会 is taken to be the 静安寺街道少数民族联合会 "
    "founded on 2018-04-26 (public source); the row stays `seed`, the public facts are in its "
    "note.",
    "**Unnamed and undated seed facts.** Unnamed entities (the Japanese SME, the JV, the "
    "两新老师, 李峰's spouse, the 新联会 president) are named “名称未载 / 姓名未载”. Dates the "
    "newsletter does not give (the SME story, 2020-07-01 for “2020年7月”) are assumptions "
    "stated in the notes.",
    "**Synthetic rows are recognisably synthetic**: 商务楼宇07, 示例信息科技有限公司0123, "
    "示例企业联络员03; organisations named after a real tower carry “（示例）”. The "
    "word 南西 (the neighbouring street's nickname) is not used.",
    "**Activity.** Visits, demands and risk assessments are synthetic and lie in {start} .. "
    "{end}; a few are dated after as_of on purpose (they do not exist yet on as_of), and a few "
    "visits are `planned` (never counted). Every level-4/5 assessment is followed up in time "
    "except the planted ones.",
]

PLANTED_WHY = {
    "area_without_liaison_group": "百乐 has minority residents but no 民族工作联络组 — although "
    "the newsletter says every 居民区 has one (各居民区民族工作联络组…). Planted: 景华's group "
    "covered it until 2025-06-30 and nobody took over.",
    "building_not_visited": "`B-T20` last visited 2026-06-02 (= as_of − 180 days, just outside "
    "the window; a planned visit on 2026-11-20 does not count and the next visit is 2026-11-30, "
    "after as_of); `B-T33` last visited 2025-09-30 (only a planned visit since).",
    "building_without_service_station": "grid G-B05 has no active grid-level COVERS (the one by "
    "`O-SS-05` starts 2026-12-15); `B-T32`'s building-level COVERS ended 2026-03-31, `B-T33` "
    "never had one.",
    "company_unreached": "the 4 companies of `B-T33` and 4 of the 6 of `B-T32`: no party "
    "branch or station in them or their tower, nothing covers them, no visit since spring "
    "2026 (the other two companies of `B-T32` were visited 2026-10-12).",
    "grid_without_party_org": "嘉园's 党总支 registered its COVERS for its first micro-grid "
    "only; no party organisation is located in or covers the second one.",
    "grid_without_worker": "`G-B05`: its 首席联络员 is registered on two towers, not on the "
    "grid (a link to a building does not staff the grid); `G-R23` (海园): the 网格员 left "
    "2026-06-30 and the successor starts 2026-12-01.",
    "key_building_without_worker": "`B-T14` (35 companies, key): its 企业联络员 left "
    "2026-06-30 and the successor starts 2026-12-01 — although every key building should have "
    "one or two 企业联络员 (人民网).",
    "liaison_group_isolated": "`O-LG-JINGAN`: its MEMBER_OF its 同心家园 sub-council ended "
    "2025-09-30; only LEADS and a MEMBER_OF the (ethnic) 民族联分会 remain.",
    "liaison_group_without_leadership": "`O-LG-YUGU`: no LEADS link, and its parent is the "
    "street's 少数民族联络组 (sector ethnic) — although the newsletter says the groups work "
    "under the 党总支's leadership.",
    "risk_without_followup": "orange (4) assessed 2026-10-20 in `B-T16`, red (5) assessed "
    "2026-11-20 in `B-T25` (only a planned follow-up visit); no visit and no resolved demand "
    "within 14 / 3 days.",
    "stale_demand": "raised 2025-12-01 (in_progress), 2026-06-15 (open), 2026-09-20 "
    "(in_progress), 2026-10-28 (open, 32 days), 2026-10-10 (resolved only on 2026-11-30).",
}


def readme_text(ds: Dataset, sources, found: dict[str, list[str]]) -> str:
    T = ds.tables
    counts = ["| table | rows | seed | public | synthetic |", "|---|---:|---:|---:|---:|"]
    for t, rows in T.items():
        n = {s: sum(r["source"] == s for r in rows) for s in schema.SOURCES}
        counts.append(f"| `{t}` | {len(rows)} | {n['seed']} | {n['public']} | {n['synthetic']} |")
    n_public = sum(r["source"] == "public" for rows in T.values() for r in rows)
    src_rows = []
    for key, s in sources.items():
        ref = s["source_ref"]
        ref = f"<{ref}>" if ref.startswith("http") else ref
        used = FACTS_USED.get(key, [])
        ids = ", ".join(f"`{i}`" for i in used[:6]) + (" …" if len(used) > 6 else "")
        src_rows.append(f"| `{key}` | {s['title']}: {ref} | {s['taken']} Rows: {ids or '—'} |")
    synth = [r for r in T["companies"] if r["source"] == "synthetic"]
    workers = sum(int(r["employees"]) for r in synth)
    assumptions = "\n".join(
        f"{i}. " + a.format(n_synth_companies=len(synth), workers=workers,
                             mean=workers / len(synth), start=PERIOD_START, end=PERIOD_END)
        for i, a in enumerate(ASSUMPTION_TEXT, start=1))
    planted = ["| gap | findings | ids | why |", "|---|---:|---|---|"]
    for gap, ids in sorted(PLANTED.items()):
        shown = ", ".join(f"`{i}`" for i in ids)
        planted.append(f"| `{gap}` | {len(ids)} | {shown} | {PLANTED_WHY[gap]} |")
    planted.append(f"| **total** | {sum(len(v) for v in PLANTED.values())} | | |")
    minority: dict[str, list[int]] = {}
    for r in T["population"]:
        if not is_han(r["ethnic_group"]):
            m = minority.setdefault(r["area_id"], [0, 0, 0])
            m[0] += 1
            m[1] += int(r["residents"])
            m[2] += int(r["registered"])
    lg_in = {}
    for o in T["organizations"]:
        if o["kind"] == "liaison_group" and o["located_in"]:
            lg_in[o["located_in"]] = o["id"]
    mtab = ["| area | minority groups | minority residents | registered | own liaison group |",
            "|---|---:|---:|---:|---|"]
    grid_area = {g["id"]: g["area_id"] for g in T["grids"]}
    for a in T["residential_areas"]:
        g, res, reg = minority.get(a["id"], [0, 0, 0])
        own = [lg for place, lg in lg_in.items() if place == a["id"] or grid_area.get(place) == a["id"]]
        mtab.append(f"| `{a['id']}` {a['name']} | {g} | {res} | {reg} | "
                    f"{', '.join(f'`{x}`' for x in own) or '—'} |")
    buildings = T["buildings"]
    kinds = [g["kind"] for g in T["grids"]]
    business = {g["id"] for g in T["grids"] if g["kind"] == "business"}
    return README_HEAD.format(
        seed=RANDOM_SEED, as_of=AS_OF,
        n_areas=len(T["residential_areas"]), n_rgrids=kinds.count("residential"),
        n_bgrids=kinds.count("business"),
        n_towers=sum(b["grid_id"] in business for b in buildings),
        n_blocks=sum(b["grid_id"] not in business for b in buildings),
        n_companies=len(T["companies"]),
        n_fact_companies=len(T["companies"]) - len(synth),
        sources="\n".join(src_rows), counts="\n".join(counts), n_public=n_public,
        assumptions=assumptions, planted="\n".join(planted),
        near="\n".join(f"* {t}" for t in NEAR_MISSES), minority="\n".join(mtab),
    )


def summary(T: dict[str, list[dict[str, str]]], found: dict[str, list[str]]) -> None:
    print(f"{'table':<20}{'rows':>7}{'seed':>7}{'public':>8}{'synthetic':>11}")
    for t, rows in T.items():
        n = {s: sum(r["source"] == s for r in rows) for s in schema.SOURCES}
        print(f"{t:<20}{len(rows):>7}{n['seed']:>7}{n['public']:>8}{n['synthetic']:>11}")
    print(f"\ngaps as of {AS_OF} (default parameters):")
    for g, ids in found.items():
        shown = ", ".join(ids[:6]) + (" ..." if len(ids) > 6 else "")
        print(f"  {g:<34}{len(ids):>3}  {shown}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="only check an existing directory")
    args = ap.parse_args(argv)
    if not args.check:
        build(args.out)
    tables = load(args.out)
    errors = check(tables)
    if errors:
        print("SELF-CHECK FAILED:\n  " + "\n  ".join(errors[:50]))
        return 1
    found = gaps(tables, AS_OF)
    summary(tables, found)
    if PLANTED:
        diff = {g: sorted(set(PLANTED.get(g, [])) ^ set(found.get(g, [])))
                for g in set(PLANTED) | set(found)
                if set(PLANTED.get(g, [])) != set(found.get(g, []))}
        if diff:
            print(f"SELF-CHECK FAILED: findings differ from the planted gaps: {diff}")
            return 1
        print("\nself-check passed: every finding is a planted gap, every planted gap is found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
