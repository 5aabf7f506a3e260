#!/usr/bin/env python3
"""Build the shipped example dataset ``data/jingansi/`` (静安寺街道, Jing'an Temple subdistrict).

The dataset follows ``DATA_CONTRACT.md`` (version 1): one UTF-8 CSV per contract table plus
``README.md``. Every row carries a ``source`` column:

* ``seed``      - encodes a fact stated in the newsletter (a documented modelling split is noted
                  in the row's ``note`` where the newsletter only gives a total);
* ``public``    - a public fact outside the newsletter (used only where we are confident);
* ``synthetic`` - invented filler, sized like the real area, with coverage gaps planted on
                  purpose (see ``PLANTED`` and the README).

Python 3.11 standard library only. A fixed random seed makes two runs byte-identical.

Usage::

    python scripts/build_jingansi.py            # write data/jingansi/ and run the self-check
    python scripts/build_jingansi.py --out DIR  # write somewhere else
    python scripts/build_jingansi.py --check    # only validate an existing directory
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "jingansi"

RANDOM_SEED = 20210107
AS_OF = dt.date(2026, 11, 29)  # the date the planted gaps are designed for
PERIOD_START = dt.date(2025, 1, 1)  # synthetic activity (visits, demands, assessments) ...
PERIOD_END = dt.date(2026, 11, 30)  # ... lies in this span (a few rows on purpose after AS_OF)

# Gap parameters (GAPS.md defaults) - used by the self-check only.
VISIT_WINDOW_DAYS = 180
FOLLOWUP_DAYS = {4: 14, 5: 3}
DEMAND_MAX_DAYS = 30
KEY_BUILDING_MIN_COMPANIES = 20

# ---------------------------------------------------------------------------------------------
# Table layout: contract columns first, then our optional columns.
# ---------------------------------------------------------------------------------------------
COLUMNS: dict[str, list[str]] = {
    "streets": ["id", "name", "name_en", "district", "city", "awards", "source", "note"],
    "grids": ["id", "name", "kind", "street_id", "name_en", "source", "note"],
    "residential_areas": ["id", "name", "grid_id", "households", "name_en", "source", "note"],
    "buildings": [
        "id",
        "name",
        "grid_id",
        "address",
        "floors",
        "key_building",
        "name_en",
        "source",
        "note",
    ],
    "companies": [
        "id",
        "name",
        "building_id",
        "industry",
        "ownership",
        "employees",
        "lease_expires",
        "relocation_intent",
        "name_en",
        "source",
        "note",
    ],
    "organizations": [
        "id",
        "name",
        "kind",
        "sector",
        "located_in",
        "parent_id",
        "name_en",
        "established",
        "member_count",
        "facility_type",
        "source",
        "note",
    ],
    "people": ["id", "name", "role", "organization_id", "name_en", "awards", "source", "note"],
    "population": ["area_id", "ethnic_group", "residents", "registered", "source", "note"],
    "links": ["source_id", "type", "target_id", "since", "until", "note", "source"],
    "visits": ["visitor_id", "target_id", "date", "purpose", "source"],
    "demands": [
        "id",
        "company_id",
        "raised_on",
        "category",
        "status",
        "resolved_on",
        "handled_by",
        "source",
        "note",
    ],
    "risk_assessments": ["company_id", "assessed_on", "level", "reason", "source"],
}
ID_TABLES = [
    "streets",
    "grids",
    "residential_areas",
    "buildings",
    "companies",
    "organizations",
    "people",
    "demands",
]

# Five-colour risk levels and the spellings the contract accepts (English labels with spaces
# are avoided on purpose; digits, Chinese labels and colours are unambiguous).
LEVEL_SPELLINGS = {
    1: ["1", "稳定", "green", "绿"],
    2: ["2", "较稳定", "blue", "蓝"],
    3: ["3", "一般", "yellow", "黄"],
    4: ["4", "较不稳定", "orange", "橙"],
    5: ["5", "不稳定", "red", "红"],
}
LEVEL_OF = {s.lower(): n for n, ss in LEVEL_SPELLINGS.items() for s in ss}

D = dt.date.fromisoformat


def iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# ---------------------------------------------------------------------------------------------
# Word lists for synthetic names (pinyin given so that name_en is readable).
# ---------------------------------------------------------------------------------------------
NAME_TOKENS = [
    ("恒", "Heng"),
    ("信", "Xin"),
    ("华", "Hua"),
    ("安", "An"),
    ("嘉", "Jia"),
    ("瑞", "Rui"),
    ("博", "Bo"),
    ("远", "Yuan"),
    ("成", "Cheng"),
    ("泰", "Tai"),
    ("鼎", "Ding"),
    ("盛", "Sheng"),
    ("睿", "Rui"),
    ("启", "Qi"),
    ("明", "Ming"),
    ("达", "Da"),
    ("辰", "Chen"),
    ("宏", "Hong"),
    ("卓", "Zhuo"),
    ("越", "Yue"),
    ("锦", "Jin"),
    ("海", "Hai"),
    ("欣", "Xin"),
    ("融", "Rong"),
    ("致", "Zhi"),
    ("衡", "Heng"),
    ("润", "Run"),
    ("和", "He"),
    ("昊", "Hao"),
    ("谦", "Qian"),
    ("朗", "Lang"),
    ("峰", "Feng"),
    ("澄", "Cheng"),
    ("拓", "Tuo"),
    ("源", "Yuan"),
    ("聚", "Ju"),
]
INDUSTRIES = [  # (industry, name suffix, English suffix, weight)
    ("信息技术", "信息科技", "Information Technology", 16),
    ("商务咨询", "商务咨询", "Business Consulting", 14),
    ("金融投资", "投资管理", "Investment Management", 10),
    ("文化传媒", "文化传媒", "Culture & Media", 8),
    ("医药健康", "医药科技", "Pharmaceutical Technology", 6),
    ("贸易", "贸易", "Trading", 10),
    ("人力资源", "人力资源", "Human Resources", 7),
    ("广告营销", "广告", "Advertising", 6),
    ("建筑设计", "建筑设计", "Architectural Design", 4),
    ("教育培训", "教育科技", "Education Technology", 4),
    ("法律服务", "法律咨询", "Legal Consulting", 4),
    ("餐饮", "餐饮管理", "Catering Management", 4),
    ("零售", "商业", "Retail", 4),
    ("物业管理", "物业管理", "Property Management", 3),
]
OWNERSHIP_WEIGHTS = [
    ("domestic", 60),
    ("foreign", 22),
    ("joint_venture", 8),
    ("state", 6),
    ("other", 4),
]
BUILDING_SUFFIX = [
    ("大厦", "Building"),
    ("广场", "Plaza"),
    ("中心", "Centre"),
    ("商务楼", "Business Tower"),
    ("国际大厦", "International Building"),
]
ROADS = [
    "南京西路",
    "愚园路",
    "华山路",
    "常德路",
    "延安中路",
    "万航渡路",
    "镇宁路",
    "乌鲁木齐北路",
    "北京西路",
]
SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("沈", "Shen"),
    ("陆", "Lu"),
    ("顾", "Gu"),
    ("钱", "Qian"),
]
GIVEN = [
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("洁", "Jie"),
    ("婷", "Ting"),
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("军", "Jun"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("佳怡", "Jiayi"),
    ("志明", "Zhiming"),
    ("晓燕", "Xiaoyan"),
    ("海燕", "Haiyan"),
    ("建华", "Jianhua"),
    ("文杰", "Wenjie"),
    ("雪梅", "Xuemei"),
    ("国庆", "Guoqing"),
    ("卫东", "Weidong"),
    ("秀英", "Xiuying"),
    ("慧", "Hui"),
    ("颖", "Ying"),
]
VISIT_PURPOSES = [
    "跑楼走访",
    "企业需求了解",
    "党建指导",
    "政策宣传",
    "稳商留商回访",
    "白领活动对接",
]
DEMAND_CATEGORIES = [
    "办公选址",
    "租金与租约",
    "人才招聘",
    "人才落户",
    "政策咨询",
    "工商注册变更",
    "税务服务",
    "融资对接",
    "党建指导",
    "员工子女入学",
    "停车与交通",
    "物业协调",
]
RISK_REASONS = {
    1: ["经营正常", "租约稳定，经营正常"],
    2: ["经营基本稳定", "人员小幅流动"],
    3: ["营收有所下滑", "租约一年内到期", "核心业务调整"],
    4: ["租约到期且有外迁意向", "营收明显下滑", "主要股东变更"],
    5: ["拖欠租金且有外迁迹象", "大幅裁员", "经营异常"],
}

# ---------------------------------------------------------------------------------------------
# Residential areas and the 5 residential (平面) grids.
# 华山 and 裕华 are named in the newsletter; the other ten names are invented (realistic street
# names of the area, but we could not confirm them as real 居民区 of this subdistrict, so they
# are marked synthetic).
# ---------------------------------------------------------------------------------------------
AREAS = [  # id suffix, name, English, grid, households (None = unknown), source
    ("HUASHAN", "华山居民区", "Huashan Residential Area", "G-R01", None, "seed"),
    ("JINGHUA", "景华居民区", "Jinghua Residential Area", "G-R01", 1860, "synthetic"),
    ("GUBAI", "古柏居民区", "Gubai Residential Area", "G-R01", 920, "synthetic"),
    ("YUHUA", "裕华居民区", "Yuhua Residential Area", "G-R02", None, "seed"),
    ("YUYUAN", "愚园居民区", "Yuyuan Residential Area", "G-R02", 2410, "synthetic"),
    ("NANXI", "南西居民区", "Nanxi Residential Area", "G-R02", 1530, "synthetic"),
    ("CHANGDE", "常德居民区", "Changde Residential Area", "G-R03", 2080, "synthetic"),
    ("YANAN", "延安居民区", "Yan'an Residential Area", "G-R03", 1740, "synthetic"),
    ("WANHANG", "万航居民区", "Wanhang Residential Area", "G-R04", 1390, "synthetic"),
    ("ZHENNING", "镇宁居民区", "Zhenning Residential Area", "G-R04", 2260, "synthetic"),
    ("WUBEI", "乌北居民区", "Wubei Residential Area", "G-R05", 1670, "synthetic"),
    ("JINGHUA2", "静华居民区", "Jinghua-2 Residential Area", "G-R05", 1110, "synthetic"),
]
# Areas whose own 民族工作联络组 exists (the others are left without one on purpose).
AREAS_WITH_LG = ["HUASHAN", "YUHUA", "YUYUAN", "NANXI", "CHANGDE", "YANAN", "ZHENNING", "WUBEI"]
# Areas holding minority residents (JINGHUA2 has Han rows only, GUBAI no population rows).
AREAS_WITH_MINORITIES = [
    "HUASHAN",
    "JINGHUA",
    "YUHUA",
    "YUYUAN",
    "NANXI",
    "CHANGDE",
    "YANAN",
    "WANHANG",
    "ZHENNING",
    "WUBEI",
]

# 29 minority groups (besides Han): residents, registered (户籍). 回族 balances the totals so that
# the sums are exactly 921 and 646 (newsletter). The split between groups is synthetic.
MINORITY_TOTAL, MINORITY_REGISTERED = 921, 646
MINORITY_GROUPS = [
    ("回族", None, None),
    ("满族", 170, 128),
    ("蒙古族", 58, 34),
    ("朝鲜族", 56, 41),
    ("壮族", 38, 27),
    ("土家族", 34, 25),
    ("苗族", 29, 20),
    ("藏族", 31, 9),
    ("维吾尔族", 24, 13),
    ("白族", 17, 12),
    ("布依族", 15, 11),
    ("彝族", 13, 8),
    ("侗族", 12, 8),
    ("瑶族", 10, 7),
    ("畲族", 9, 6),
    ("哈萨克族", 8, 4),
    ("锡伯族", 7, 6),
    ("傣族", 7, 4),
    ("黎族", 6, 4),
    ("纳西族", 6, 4),
    ("达斡尔族", 5, 4),
    ("羌族", 5, 3),
    ("仡佬族", 5, 3),
    ("土族", 4, 2),
    ("哈尼族", 4, 2),
    ("东乡族", 3, 2),
    ("水族", 3, 2),
    ("鄂温克族", 2, 2),
    ("傈僳族", 2, 1),
]
AREA_WEIGHTS = {
    "HUASHAN": 16,
    "JINGHUA": 9,
    "YUHUA": 14,
    "YUYUAN": 12,
    "NANXI": 8,
    "CHANGDE": 11,
    "YANAN": 9,
    "WANHANG": 5,
    "ZHENNING": 10,
    "WUBEI": 6,
}
HAN_SPELLING = {"YUYUAN": "Han", "WUBEI": "汉"}  # the contract accepts these; others use 汉族

# ---------------------------------------------------------------------------------------------
# Commercial buildings: B-GAOHE + B-C01..B-C39 over the 32 building (立体) grids. Grids G-B01..
# G-B08 hold two buildings each, G-B09..G-B32 one each.
# ---------------------------------------------------------------------------------------------
COMMERCIAL_BUILDINGS = ["B-GAOHE"] + [f"B-C{i:02d}" for i in range(1, 40)]
FIXED_COMPANY_COUNTS = {  # total companies per building (seed companies included)
    "B-GAOHE": 30,
    "B-C01": 26,
    "B-C05": 22,
    "B-C10": 24,
    "B-C11": 20,
    "B-C14": 6,
    "B-C20": 8,
    "B-C39": 3,
}
KEY_FLAGGED = ["B-GAOHE", "B-C01", "B-C10", "B-C16", "B-C22"]
NO_PARTY_BRANCH = ["B-C14", "B-C39", "B-C07", "B-C18", "B-C24", "B-C31", "B-C36"]
NO_WORKER = ["B-C14", "B-C39", "B-C08", "B-C19", "B-C33"]  # non-key, small buildings
STATIONS = [  # id, located_in building, covered building grids (ordinary, since blank)
    ("O-PMSS", "B-GAOHE", [f"G-B{i:02d}" for i in range(1, 8)]),
    ("O-SS-02", "B-C16", [f"G-B{i:02d}" for i in range(9, 15)]),
    ("O-SS-03", "B-C22", ["G-B15", "G-B16", "G-B17", "G-B19", "G-B20"]),
    ("O-SS-04", "B-C28", [f"G-B{i:02d}" for i in range(21, 27)]),
    ("O-SS-05", "B-C34", [f"G-B{i:02d}" for i in range(27, 32)]),
]

# Planted gaps: what the self-check must find as of AS_OF (filled in by build()).
PLANTED: dict[str, list[str]] = {}
NEAR_MISSES: dict[str, str] = {}  # edge cases that must NOT be findings (for the README)


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

    def link(self, source_id, type_, target_id, since=None, until=None, note="", source="seed"):
        return self.add(
            "links",
            source_id=source_id,
            type=type_,
            target_id=target_id,
            since=since,
            until=until,
            note=note,
            source=source,
        )


# ---------------------------------------------------------------------------------------------
# Seed facts from the newsletter
# ---------------------------------------------------------------------------------------------
def build_seed_places(ds: Dataset) -> None:
    ds.add(
        "streets",
        id="S-JAS",
        name="静安寺街道",
        name_en="Jing'an Temple Subdistrict",
        district="静安区",
        city="上海市",
        source="seed",
        awards=";".join(
            [
                "第八批全国民族团结进步示范区示范单位",
                "上海市民族团结进步优秀社区",
                "上海市民族团结进步模范社区",
                "上海市民族团结进步标兵集体",
                "上海市民族团结进步先进集体",
            ]
        ),
        note="位于静安区西南部；依托“5+32”37个党建网格建立“街道-居民区-楼宇”三级民族工作网络",
    )
    for i in range(1, 6):
        ds.add(
            "grids",
            id=f"G-R{i:02d}",
            name=f"第{i}平面网格（居民区）",
            kind="residential",
            street_id="S-JAS",
            name_en=f"Residential grid {i}",
            source="seed",
            note="“5+32”中的5个平面网格（居民区）之一；网格名称为编号标签，非原文",
        )
    for i in range(1, 33):
        ds.add(
            "grids",
            id=f"G-B{i:02d}",
            name=f"第{i}立体网格（商务楼宇）",
            kind="building",
            street_id="S-JAS",
            name_en=f"Building grid {i}",
            source="seed",
            note="“5+32”中的32个立体网格（商务楼宇）之一；网格名称为编号标签，非原文",
        )
    for suffix, name, name_en, grid, households, source in AREAS:
        note = ""
        if suffix == "HUASHAN":
            note = "上海戏剧学院所在居民区（原文：上戏所在的华山居民区）"
        elif suffix == "YUHUA":
            note = "原文提及“裕华微社区”微信公众号"
        else:
            note = "名称为合成，未核实为本街道真实居民区"
        ds.add(
            "residential_areas",
            id=f"RA-{suffix}",
            name=name,
            grid_id=grid,
            households=households,
            name_en=name_en,
            source=source,
            note=note,
        )


def build_seed_orgs(ds: Dataset) -> None:
    org = ds.add
    org(
        "organizations",
        id="O-PWC",
        name="静安寺街道党工委",
        kind="party_committee",
        sector="party",
        located_in="S-JAS",
        name_en="Party Working Committee of Jing'an Temple Subdistrict",
        source="seed",
    )
    org(
        "organizations",
        id="O-PWC-DJB",
        name="静安寺街道党建办",
        kind="government_office",
        sector="party",
        located_in="S-JAS",
        parent_id="O-PWC",
        name_en="Party Building Office",
        source="seed",
        note="党工委下设办公室；楼宇党建一文署名（党建办）",
    )
    org(
        "organizations",
        id="O-PWC-DQB",
        name="静安寺街道党群办",
        kind="government_office",
        sector="party",
        located_in="S-JAS",
        parent_id="O-PWC",
        name_en="Party-Mass Work Office",
        source="seed",
        note="党工委下设办公室；民族团结一文署名（党群办）",
    )
    org(
        "organizations",
        id="O-PMSS",
        name="静安寺街道党群服务站（高和大厦）",
        kind="service_station",
        sector="party",
        located_in="B-GAOHE",
        parent_id="O-PWC",
        name_en="Party-Mass Service Station (Gaohe Building)",
        source="seed",
        note="楼宇党群服务站；通过党群工作者“跑楼”上传企业需求，实时屏幕，五色风险分析法",
    )
    org(
        "organizations",
        id="O-ESC",
        name="静安寺街道企业服务中心",
        kind="service_center",
        sector="government",
        located_in="B-GAOHE",
        parent_id="O-PMSS",
        name_en="Enterprise Service Center",
        established=D("2020-07-01"),
        source="seed",
        note="2020年7月在党群服务站铭牌后加挂“企业服务中心”牌子（成立日按7月1日计）",
    )
    facilities = [
        ("O-GH-READ", "高和大厦白领阅读角", "White-collar Reading Corner", "culture", "space"),
        ("O-GH-RELAX", "高和大厦减压室", "Stress-relief Room", "community", "space"),
        (
            "O-GH-YWTB",
            "“一网通办”政务服务机（高和大厦）",
            "'One-Network' Government Service Terminal",
            "government",
            "self_service_terminal",
        ),
        (
            "O-GH-TAX",
            "24小时自助税务机（高和大厦）",
            "24-hour Self-service Tax Terminal",
            "government",
            "self_service_terminal",
        ),
    ]
    for oid, name, name_en, sector, ftype in facilities:
        org(
            "organizations",
            id=oid,
            name=name,
            kind="public_venue",
            sector=sector,
            located_in="B-GAOHE",
            parent_id="O-PMSS",
            name_en=name_en,
            facility_type=ftype,
            source="seed",
            note="高和大厦内接入党群服务站的公共空间/服务设施",
        )
    org(
        "organizations",
        id="O-INVEST",
        name="静安区投资办",
        kind="government_office",
        sector="government",
        located_in="",
        name_en="Jing'an District Investment Office",
        source="seed",
        note="区级部门，不在建模范围内（located_in 留空）",
    )
    # Residential-area party general branches: 华山 is named; "各居民区...党总支" implies the rest.
    for suffix, name, _en, _grid, _hh, source in AREAS:
        org(
            "organizations",
            id=f"O-PGB-{suffix}",
            name=f"{name}党总支",
            kind="party_general_branch",
            sector="party",
            located_in=f"RA-{suffix}",
            parent_id="O-PWC",
            name_en=f"Party General Branch of {_en}",
            source=source,
            note="" if suffix != "HUASHAN" else "捐款设立帮困基金",
        )
    org(
        "organizations",
        id="O-HS-FUND",
        name="华山居民区帮困基金",
        kind="charity",
        sector="charity",
        located_in="RA-HUASHAN",
        parent_id="O-PGB-HUASHAN",
        name_en="Huashan Hardship Relief Fund",
        source="seed",
        note="华山居民区党总支捐款设立，应对临时性困难",
    )
    org(
        "organizations",
        id="O-TXJY",
        name="静安寺街道“同心家园”理事会",
        kind="council",
        sector="community",
        located_in="S-JAS",
        name_en="Tongxin Jiayuan Council",
        source="seed",
        note="“同心家园”平台，以同乐、同享、同发展为宗旨",
    )
    org(
        "organizations",
        id="O-MZLFH",
        name="静安寺街道民族联分会",
        kind="association",
        sector="ethnic",
        located_in="S-JAS",
        name_en="Ethnic Minorities Federation Branch",
        source="seed",
        note="通过微信群开展“线上+线下”学习交流",
    )
    org(
        "organizations",
        id="O-SSMZLLZ",
        name="静安寺街道少数民族联络组",
        kind="liaison_group",
        sector="ethnic",
        located_in="S-JAS",
        name_en="Subdistrict Ethnic Minorities Liaison Group",
        source="seed",
        note="街道层级联络组；通过微信群开展“线上+线下”学习交流",
    )
    org(
        "organizations",
        id="O-SPA",
        name="上海戏剧学院",
        kind="school",
        sector="education",
        located_in="RA-HUASHAN",
        name_en="Shanghai Theatre Academy",
        source="seed",
        note="原文：上戏所在的华山居民区",
    )
    org(
        "organizations",
        id="O-SPA-TIBET",
        name="上海戏剧学院西藏班",
        kind="school",
        sector="education",
        located_in="RA-HUASHAN",
        parent_id="O-SPA",
        name_en="Tibet Class, Shanghai Theatre Academy",
        member_count=11,
        source="seed",
        note="两班合计近20位学生（原文）；各班人数拆分为合成",
    )
    org(
        "organizations",
        id="O-SPA-MONGOLIA",
        name="上海戏剧学院蒙古班",
        kind="school",
        sector="education",
        located_in="RA-HUASHAN",
        parent_id="O-SPA",
        name_en="Mongolia Class, Shanghai Theatre Academy",
        member_count=8,
        source="seed",
        note="两班合计近20位学生（原文）；各班人数拆分为合成",
    )
    org(
        "organizations",
        id="O-JAT",
        name="静安寺",
        kind="religious_site",
        sector="religious",
        located_in="S-JAS",
        name_en="Jing'an Temple",
        source="seed",
        note="开展捐助",
    )
    org(
        "organizations",
        id="O-YMJT",
        name="圆明讲堂",
        kind="religious_site",
        sector="religious",
        located_in="S-JAS",
        name_en="Yuanming Lecture Hall",
        source="seed",
        note="开展捐助",
    )
    org(
        "organizations",
        id="O-QLFH",
        name="静安寺街道侨联分会",
        kind="association",
        sector="community",
        located_in="S-JAS",
        name_en="Returned Overseas Chinese Federation Branch",
        source="seed",
        note="开展捐助",
    )
    org(
        "organizations",
        id="O-XLH",
        name="静安寺商圈新联会",
        kind="association",
        sector="business",
        located_in="S-JAS",
        name_en="Jing'an Temple Business District New Social Strata Association",
        source="seed",
    )
    org(
        "organizations",
        id="O-BACHU",
        name="巴楚敬老院",
        kind="charity",
        sector="charity",
        located_in="",
        name_en="Bachu Home for the Elderly",
        source="seed",
        note="位于新疆巴楚县，不在建模范围内（located_in 留空）",
    )
    venues = [
        ("O-JAPARK", "静安公园", "Jing'an Park", "culture"),
        ("O-CULTURE", "静安寺街道文化活动中心", "Subdistrict Cultural Activity Center", "culture"),
        ("O-DJFWZX", "静安寺街道党建服务中心", "Party Building Service Center", "party"),
    ]
    for oid, name, name_en, sector in venues:
        org(
            "organizations",
            id=oid,
            name=name,
            kind="public_venue",
            sector=sector,
            located_in="S-JAS",
            name_en=name_en,
            source="seed",
            note="民族宗教法制宣传学习月期间开展政策咨询等服务的公共场所",
        )
    org(
        "organizations",
        id="O-WX-TXJY",
        name="“同心家园”微信公众平台",
        kind="media_channel",
        sector="community",
        located_in="S-JAS",
        parent_id="O-TXJY",
        name_en="Tongxin Jiayuan WeChat Official Account",
        source="seed",
        note="用于民族政策宣传",
    )
    org(
        "organizations",
        id="O-WX-YUHUA",
        name="“裕华微社区”微信公众号",
        kind="media_channel",
        sector="community",
        located_in="RA-YUHUA",
        name_en="Yuhua Micro-community WeChat Account",
        source="seed",
        note="用于民族政策宣传",
    )


def build_seed_people_companies(ds: Dataset) -> None:
    ds.add(
        "people",
        id="P-RUXILING",
        name="汝熙玲",
        role="街道党工委副书记",
        organization_id="O-PWC",
        name_en="Ru Xiling",
        source="seed",
    )
    ds.add(
        "people",
        id="P-LXLS",
        name="“两新老师”（姓名未载）",
        role="楼宇党群工作者",
        organization_id="O-PMSS",
        name_en="'Liangxin teacher' (name not given)",
        source="seed",
        note="白领对专职楼宇党群工作者的称呼；促成京东健康与卫材中国合资",
    )
    ds.add(
        "people",
        id="P-YILIHANMU",
        name="伊利汗木",
        role="店主",
        name_en="Yilihanmu",
        awards="2014年度街道“精神文明十佳好人好事”",
        source="seed",
    )
    ds.add(
        "people",
        id="P-LIFENG",
        name="李峰",
        role="牛羊肉摊经营者",
        name_en="Li Feng",
        source="seed",
        note="与配偶长期关心、资助社区困难老人及困难学生",
    )
    ds.add(
        "people",
        id="P-LIFENG-SPOUSE",
        name="李峰配偶（姓名未载）",
        role="牛羊肉摊经营者",
        name_en="Li Feng's spouse (name not given)",
        source="seed",
        note="与李峰共同经营，长期关心、资助社区困难老人及困难学生",
    )
    ds.add(
        "people",
        id="P-XLH-PRES",
        name="静安寺商圈新联会会长（姓名未载）",
        role="会长",
        organization_id="O-XLH",
        name_en="President of the New Social Strata Association",
        source="seed",
        note="向巴楚敬老院捐款",
    )
    # Companies. The newsletter does not say in which building 京东健康 / 卫材中国 sit; we place
    # them in synthetic buildings (documented). The Japanese SME is in 高和大厦 (newsletter).
    ds.add(
        "companies",
        id="C-JDHEALTH",
        name="京东健康",
        building_id="B-C01",
        industry="互联网医疗健康",
        ownership="domestic",
        name_en="JD Health",
        source="seed",
        note="所在楼宇为建模假设（原文未载）",
    )
    ds.add(
        "companies",
        id="C-EISAI",
        name="卫材中国",
        building_id="B-C10",
        industry="医药",
        ownership="foreign",
        name_en="Eisai China",
        source="seed",
        note="所在楼宇为建模假设（原文未载）",
    )
    ds.add(
        "companies",
        id="C-JDEISAI-JV",
        name="京东健康与卫材中国合资公司",
        building_id="B-C10",
        industry="健康服务",
        ownership="joint_venture",
        name_en="JD Health - Eisai China joint venture",
        source="seed",
        note="在静安区成立，致力于打造满足老年用户生活健康一站式服务平台；正式名称原文未载；"
        "所在楼宇为建模假设",
    )
    ds.add(
        "companies",
        id="C-GAOHE-JPSME",
        name="高和大厦某日资中小企业（名称未载）",
        building_id="B-GAOHE",
        industry="商务服务",
        ownership="foreign",
        lease_expires=D("2020-12-31"),
        relocation_intent=True,
        name_en="Japanese SME in Gaohe Building (name not given)",
        source="seed",
        note="原办公单元租期到期且有新发展需求；判定为较不稳定企业；"
        "在区投资办等协助下找到新办公单元并完成集中注册。租期日期为假设",
    )


def build_seed_links(ds: Dataset) -> None:
    L = ds.link
    L(
        "O-ESC",
        "PARTNERS_WITH",
        "O-PMSS",
        since=D("2020-07-01"),
        note="党群服务站铭牌后加挂“企业服务中心”牌子",
    )
    L("O-ESC", "SERVES", "S-JAS", since=D("2020-07-01"), note="服务辖区楼宇企业，打造营商环境")
    L("C-JDHEALTH", "PARTNERS_WITH", "C-EISAI", note="共同宣布在静安区成立合资公司")
    L("C-JDHEALTH", "PARTNERS_WITH", "C-JDEISAI-JV", note="合资方")
    L("C-EISAI", "PARTNERS_WITH", "C-JDEISAI-JV", note="合资方")
    L("P-LXLS", "SUPPORTS", "C-JDEISAI-JV", note="“两新老师”穿针引线促成合资公司诞生")
    L("O-PGB-HUASHAN", "SUPPORTS", "O-HS-FUND", note="党总支捐款设立帮困基金")
    L("O-PWC", "LEADS", "O-SSMZLLZ", note="党建引领下的街道-居民区-楼宇三级民族工作网络（推断）")
    L("O-SSMZLLZ", "MEMBER_OF", "O-TXJY", note="依托“同心家园”平台（推断）")
    L("O-MZLFH", "MEMBER_OF", "O-TXJY", note="依托“同心家园”平台（推断）")
    for donor in ["O-JAT", "O-YMJT", "O-QLFH"]:
        L(
            donor,
            "SUPPORTS",
            "O-TXJY",
            note="开展捐助；原文未载受助对象，记为经“同心家园”平台的捐助",
        )
    L("O-XLH", "SUPPORTS", "O-BACHU", note="新联会会长向巴楚敬老院捐款")
    for venue in ["O-JAPARK", "O-CULTURE", "O-DJFWZX"]:
        L(venue, "SERVES", "S-JAS", note="每年民族宗教法制宣传学习月期间开展政策咨询等服务")
    L("O-WX-TXJY", "SERVES", "S-JAS", note="民族政策宣传（新媒体）")
    L("O-WX-YUHUA", "SERVES", "RA-YUHUA", note="民族政策宣传（新媒体）")
    for p in ["P-LIFENG", "P-LIFENG-SPOUSE"]:
        L(p, "SUPPORTS", "S-JAS", note="长期关心、资助社区困难老人及困难学生")
    # The Japanese SME story (dates are assumptions: after the July 2020 service centre).
    ds.add(
        "risk_assessments",
        company_id="C-GAOHE-JPSME",
        assessed_on=D("2020-10-12"),
        level="较不稳定",
        reason="原办公单元租期到期，公司又有新发展需求",
        source="seed",
    )
    ds.add(
        "visits",
        visitor_id="O-PMSS",
        target_id="C-GAOHE-JPSME",
        date=D("2020-10-14"),
        purpose="上门对接需求（与街道、区投资办等相关负责人）",
        source="seed",
    )
    ds.add(
        "visits",
        visitor_id="O-INVEST",
        target_id="C-GAOHE-JPSME",
        date=D("2020-10-14"),
        purpose="上门对接需求（与街道、楼宇党群服务站）",
        source="seed",
    )
    ds.add(
        "demands",
        id="D-0001",
        company_id="C-GAOHE-JPSME",
        raised_on=D("2020-10-12"),
        category="办公选址",
        status="resolved",
        resolved_on=D("2020-12-15"),
        handled_by="O-PMSS",
        source="seed",
        note="帮助企业找到合适的新办公单元，降低搬迁成本；日期为假设",
    )
    ds.add(
        "demands",
        id="D-0002",
        company_id="C-GAOHE-JPSME",
        raised_on=D("2020-10-14"),
        category="工商注册变更",
        status="resolved",
        resolved_on=D("2021-01-20"),
        handled_by="O-ESC",
        source="seed",
        note="协助企业完成集中注册；日期为假设",
    )


# ---------------------------------------------------------------------------------------------
# Synthetic filler
# ---------------------------------------------------------------------------------------------
class Namer:
    """Unique two-token names with pinyin."""

    def __init__(self, rng: random.Random) -> None:
        pairs = [(a, b) for a in NAME_TOKENS for b in NAME_TOKENS if a[1] != b[1]]
        rng.shuffle(pairs)
        self.pairs = pairs
        self.i = 0

    def next(self) -> tuple[str, str]:
        (za, pa), (zb, pb) = self.pairs[self.i]
        self.i += 1
        return za + zb, pa + pb.lower()


class People:
    def __init__(self, rng: random.Random) -> None:
        combos = [(s, g) for s in SURNAMES for g in GIVEN]
        rng.shuffle(combos)
        self.combos = combos
        self.n = 0

    def add(self, ds: Dataset, role: str, organization_id: str = "", note: str = "") -> str:
        (sz, sp), (gz, gp) = self.combos[self.n]
        self.n += 1
        pid = f"P-{self.n:04d}"
        ds.add(
            "people",
            id=pid,
            name=sz + gz,
            role=role,
            organization_id=organization_id,
            name_en=f"{sp} {gp}",
            source="synthetic",
            note=note,
        )
        return pid


def weighted(rng: random.Random, rows):
    """Pick one row; its last element is the weight."""
    return rng.choices(rows, weights=[r[-1] for r in rows])[0]


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + days(rng.randint(0, (end - start).days))


def build_synthetic(ds: Dataset, rng: random.Random) -> None:
    namer = Namer(rng)
    people = People(rng)
    L = ds.link

    # ---- buildings ---------------------------------------------------------------------------
    building_grid: dict[str, str] = {}
    for n, bid in enumerate(COMMERCIAL_BUILDINGS):
        g = n // 2 + 1 if n < 16 else n - 16 + 9
        building_grid[bid] = f"G-B{g:02d}"
    for bid in COMMERCIAL_BUILDINGS:
        road = rng.choice(ROADS)
        if bid == "B-GAOHE":
            ds.add(
                "buildings",
                id=bid,
                name="高和大厦",
                grid_id=building_grid[bid],
                key_building=True,
                name_en="Gaohe Building",
                source="seed",
                note="楼宇党群服务站所在地；地址、层数原文未载",
            )
            continue
        zh, en = namer.next()
        suf, suf_en = rng.choice(BUILDING_SUFFIX)
        ds.add(
            "buildings",
            id=bid,
            name=zh + suf,
            grid_id=building_grid[bid],
            address=f"{road}{rng.randint(1, 1900)}号",
            floors=rng.randint(8, 42),
            key_building=bid in KEY_FLAGGED,
            name_en=f"{en} {suf_en}",
            source="synthetic",
        )
    for i, (suffix, name, _en, grid, _hh, _src) in enumerate(AREAS[:6], start=1):
        bid = f"B-R{i:02d}"
        road = rng.choice(ROADS)
        ds.add(
            "buildings",
            id=bid,
            name=f"{name[:-3]}小区{rng.randint(1, 12)}号楼",
            grid_id=grid,
            address=f"{road}{rng.randint(1, 900)}弄{rng.randint(1, 30)}号",
            floors=rng.randint(5, 24),
            key_building=False,
            name_en=f"{_en.replace(' Residential Area', '')} Estate Block",
            source="synthetic",
            note=f"住宅楼（{suffix}）；无入驻企业",
        )

    # ---- companies ---------------------------------------------------------------------------
    seed_counts = {"B-GAOHE": 1, "B-C01": 1, "B-C10": 2}
    sizes = list(range(1, 19))
    size_w = [2, 3, 4, 5, 6, 7, 8, 8, 8, 7, 7, 6, 5, 4, 3, 3, 2, 2]
    companies_in: dict[str, list[str]] = {
        "B-GAOHE": ["C-GAOHE-JPSME"],
        "B-C01": ["C-JDHEALTH"],
        "B-C10": ["C-EISAI", "C-JDEISAI-JV"],
    }
    company_building = {
        "C-GAOHE-JPSME": "B-GAOHE",
        "C-JDHEALTH": "B-C01",
        "C-EISAI": "B-C10",
        "C-JDEISAI-JV": "B-C10",
    }
    cn = 0
    for bid in COMMERCIAL_BUILDINGS:
        total = FIXED_COMPANY_COUNTS.get(bid) or rng.choices(sizes, weights=size_w)[0]
        companies_in.setdefault(bid, [])
        for _ in range(total - seed_counts.get(bid, 0)):
            cn += 1
            cid = f"C-{cn:04d}"
            ind, suf, suf_en, _w = weighted(rng, INDUSTRIES)
            own = weighted(rng, OWNERSHIP_WEIGHTS)[0]
            zh, en = namer.next()
            name = f"{zh}（上海）{suf}有限公司" if own == "foreign" else f"上海{zh}{suf}有限公司"
            emp = int(rng.paretovariate(1.3) * 6)
            lease = rand_date(rng, D("2026-03-01"), D("2029-12-31")) if rng.random() < 0.7 else None
            reloc = rng.random() < (0.25 if lease and lease < D("2027-06-30") else 0.03)
            ds.add(
                "companies",
                id=cid,
                name=name,
                building_id=bid,
                industry=ind,
                ownership=own,
                employees=min(emp, 1500),
                lease_expires=lease,
                relocation_intent=reloc,
                name_en=f"{en} (Shanghai) {suf_en} Co., Ltd."
                if own == "foreign"
                else f"Shanghai {en} {suf_en} Co., Ltd.",
                source="synthetic",
            )
            companies_in[bid].append(cid)
            company_building[cid] = bid

    # ---- party branches, stations, COVERS ---------------------------------------------------
    for bid in COMMERCIAL_BUILDINGS:
        if bid in NO_PARTY_BRANCH or bid == "B-GAOHE":
            continue
        bld = ds.by_id[bid]
        ds.add(
            "organizations",
            id=f"O-PB-{bid[2:]}",
            name=f"{bld['name']}联合党支部",
            kind="party_branch",
            sector="party",
            located_in=bid,
            parent_id="O-PWC",
            name_en=f"Joint Party Branch, {bld['name_en']}",
            source="synthetic",
        )
    ds.add(
        "organizations",
        id="O-PB-GAOHE",
        name="高和大厦联合党支部",
        kind="party_branch",
        sector="party",
        located_in="B-GAOHE",
        parent_id="O-PWC",
        name_en="Joint Party Branch, Gaohe Building",
        source="synthetic",
    )
    # Company-level party branches in a few large companies (in covered buildings).
    for bid in ["B-C01", "B-C10", "B-C11", "B-C16"]:
        cid = companies_in[bid][-1]
        comp = ds.by_id[cid]
        ds.add(
            "organizations",
            id=f"O-PB-{cid[2:]}",
            name=f"{comp['name']}党支部",
            kind="party_branch",
            sector="party",
            located_in=cid,
            parent_id=f"O-PB-{bid[2:]}",
            name_en=f"Party Branch of {comp['name_en']}",
            source="synthetic",
        )
    for sid, bid, _grids in STATIONS[1:]:
        bld = ds.by_id[bid]
        ds.add(
            "organizations",
            id=sid,
            name=f"静安寺街道楼宇党群服务站点（{bld['name']}）",
            kind="service_station",
            sector="party",
            located_in=bid,
            parent_id="O-PWC",
            name_en=f"Building Party-Mass Service Point ({bld['name_en']})",
            source="synthetic",
        )
    # Building-level liaison group (third level of the 街道-居民区-楼宇 network).
    ds.add(
        "organizations",
        id="O-LG-GAOHE",
        name="高和大厦楼宇民族工作联络组",
        kind="liaison_group",
        sector="ethnic",
        located_in="B-GAOHE",
        parent_id="O-SSMZLLZ",
        name_en="Gaohe Building Ethnic Work Liaison Group",
        source="synthetic",
        note="“街道-居民区-楼宇”三级网络中的楼宇层级（示例）",
    )
    L("O-PMSS", "LEADS", "O-LG-GAOHE", since=D("2021-03-01"), source="synthetic")
    L("O-LG-GAOHE", "PARTNERS_WITH", "O-ESC", since=D("2021-03-01"), source="synthetic")

    grid_station: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}

    def cover(sid, target, since=None, until=None, note="", source="synthetic"):
        L(sid, "COVERS", target, since=since, until=until, note=note, source=source)
        grid_station.setdefault(target, []).append((sid, since, until))

    for sid, _bid, grids in STATIONS:
        for g in grids:
            cover(sid, g)
    cover(
        "O-SS-03", "G-B18", since=D("2023-01-01"), until=D("2025-12-31"), note="2026年起移交第4站点"
    )
    cover("O-SS-04", "G-B18", since=D("2026-01-01"), note="自第3站点移交")
    cover("O-SS-02", "B-C15", since=D("2025-01-01"), note="G-B08 内按楼宇覆盖")
    cover("O-SS-02", "B-C14", since=D("2024-01-01"), until=D("2026-03-31"), note="覆盖到期未续")
    cover("O-SS-05", "G-B32", since=D("2026-12-15"), note="计划扩展覆盖（尚未生效）")

    def station_for(bid: str, on: dt.date) -> str:
        for tgt in (bid, building_grid[bid]):
            for sid, since, until in grid_station.get(tgt, []):
                if (since is None or since <= on) and (until is None or until >= on):
                    return sid
        return "O-PMSS"

    # ---- residential areas: sub-councils, liaison groups, people -----------------------------
    for suffix, name, en, _grid, _hh, _src in AREAS:
        if suffix not in AREAS_WITH_MINORITIES:
            continue
        sub_src = "seed" if suffix in ("HUASHAN", "YUHUA") else "synthetic"
        ds.add(
            "organizations",
            id=f"O-TXJY-{suffix}",
            name=f"{name}“同心家园”理事分会",
            kind="council",
            sector="community",
            located_in=f"RA-{suffix}",
            parent_id="O-TXJY",
            name_en=f"Tongxin Jiayuan Sub-council, {en}",
            source=sub_src,
        )
    for suffix, name, en, _grid, _hh, source in AREAS:
        if suffix not in AREAS_WITH_LG:
            continue
        lg = f"O-LG-{suffix}"
        ds.add(
            "organizations",
            id=lg,
            name=f"{name}民族工作联络组",
            kind="liaison_group",
            sector="ethnic",
            located_in=f"RA-{suffix}",
            parent_id="O-SSMZLLZ",
            name_en=f"Ethnic Work Liaison Group, {en}",
            source=source,
            note="在居民区党总支领导下开展民族团结工作" if source == "seed" else "",
        )
        if suffix == "NANXI":
            pass  # planted: no LEADS link at all
        elif suffix == "YANAN":
            L(
                f"O-PGB-{suffix}",
                "LEADS",
                lg,
                since=D("2019-01-01"),
                until=D("2025-12-31"),
                source="synthetic",
                note="党总支换届前",
            )
            L(
                f"O-PGB-{suffix}",
                "LEADS",
                lg,
                since=D("2026-01-01"),
                source="synthetic",
                note="党总支换届后",
            )
        else:
            L(
                f"O-PGB-{suffix}",
                "LEADS",
                lg,
                source=source,
                note="各居民区民族工作联络组在党总支领导下开展工作",
            )
        if suffix == "CHANGDE":
            L(
                lg,
                "MEMBER_OF",
                f"O-TXJY-{suffix}",
                since=D("2021-01-01"),
                until=D("2025-09-30"),
                source="synthetic",
                note="理事分会改组后未重新加入",
            )
        else:
            L(lg, "MEMBER_OF", f"O-TXJY-{suffix}", source="synthetic")
        L(lg, "MEMBER_OF", "O-MZLFH", source="synthetic", note="联络组与民族联分会协作")
    L("O-LG-HUASHAN", "PARTNERS_WITH", "O-SPA", since=D("2018-09-01"), source="synthetic")
    L(
        "O-LG-HUASHAN",
        "COVERS",
        "RA-JINGHUA",
        since=D("2022-01-01"),
        source="synthetic",
        note="景华居民区未单设联络组，由华山居民区联络组兼顾",
    )
    L(
        "O-LG-ZHENNING",
        "COVERS",
        "RA-WANHANG",
        since=D("2022-01-01"),
        until=D("2025-06-30"),
        source="synthetic",
        note="兼顾安排已到期",
    )
    L("O-PWC", "LEADS", "O-TXJY", source="synthetic", note="党建引领（推断）")

    for suffix, name, _en, _grid, _hh, _src in AREAS:
        people.add(ds, "党总支书记", f"O-PGB-{suffix}")
        pid = people.add(ds, "居民区网格员", note=f"{name}网格员")
        L(
            pid,
            "ASSIGNED_TO",
            f"RA-{suffix}",
            since=rand_date(rng, D("2019-01-01"), D("2024-12-31")),
            source="synthetic",
        )

    # ---- MENTORS (结对助学) -----------------------------------------------------------------
    mentors = []
    for _ in range(4):
        mentors.append(people.add(ds, "社区志愿者", note="与上戏西藏班、蒙古班学生结对助学"))
    classes = ["O-SPA-TIBET", "O-SPA-MONGOLIA"]
    note = "街道发动社区单位和个人连续多年结对助学（具体结对为合成）"
    for i, pid in enumerate(mentors):
        until = D("2025-06-30") if i == 3 else None
        L(
            pid,
            "MENTORS",
            classes[i % 2],
            since=D(f"{2016 + i}-09-01"),
            until=until,
            note=note + ("；结对学生已毕业" if until else ""),
            source="synthetic",
        )
    L("O-PB-C01", "MENTORS", "O-SPA-TIBET", since=D("2017-09-01"), note=note, source="synthetic")
    L(
        "O-PGB-YUHUA",
        "MENTORS",
        "O-SPA-MONGOLIA",
        since=D("2018-09-01"),
        note=note,
        source="synthetic",
    )
    L("O-TXJY", "SERVES", "O-SPA", since=D("2016-09-01"), note="组织结对助学", source="synthetic")

    # ---- building workers and ASSIGNED_TO --------------------------------------------------
    station_heads = {}
    for sid, _bid, _g in STATIONS:
        station_heads[sid] = people.add(ds, "站长", sid)
    assign: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}

    def assign_to(pid, bid, since=None, until=None, note=""):
        L(pid, "ASSIGNED_TO", bid, since=since, until=until, note=note, source="synthetic")
        assign.setdefault(bid, []).append((pid, since, until))

    # the seed 两新老师 (buildings of the two JV partners: modelling assumption)
    assign_to("P-LXLS", "B-C01", since=D("2019-01-01"))
    assign_to("P-LXLS", "B-C10", since=D("2019-01-01"))
    to_staff = [
        b
        for b in COMMERCIAL_BUILDINGS
        if b not in NO_WORKER and b not in ("B-C01", "B-C10", "B-C05")
    ]
    workers = []
    while to_staff:
        sid = station_for(to_staff[0], AS_OF)
        pid = people.add(ds, "楼宇党群工作者", sid)
        workers.append(pid)
        k = rng.randint(2, 3)
        for bid in to_staff[:k]:
            assign_to(pid, bid, since=rand_date(rng, D("2020-01-01"), D("2024-06-30")))
        to_staff = to_staff[k:]
    # planted: key building B-C05 (22 companies) - worker left, successor starts after AS_OF
    assign_to(workers[0], "B-C05", since=D("2023-03-01"), until=D("2026-06-30"), note="调岗离任")
    assign_to(workers[1], "B-C05", since=D("2026-12-01"), note="接任（尚未到岗）")
    # a clean handover elsewhere (no gap)
    assign_to(workers[2], "B-C16", since=D("2021-01-01"), until=D("2025-08-31"), note="调岗离任")
    # B-C14 has a worker too (a person does not "reach" a company; only a visit does)
    assign_to(workers[3], "B-C14", since=D("2024-01-01"))

    def worker_on(bid: str, on: dt.date) -> str | None:
        for pid, since, until in assign.get(bid, []):
            if (since is None or since <= on) and (until is None or until >= on):
                return pid
        return None

    # ---- risk assessments (planted first) -------------------------------------------------
    r1 = companies_in["B-C16"][0]  # orange, not followed up
    r2 = companies_in["B-C25"][0]  # red, not followed up
    c3 = companies_in["B-C26"][0]  # red but deadline not passed yet (no finding)
    c4 = companies_in["B-C27"][0]  # orange, followed up by a resolved demand (no finding)
    c5 = companies_in["B-C28"][0]  # red, followed up by a visit on the deadline (no finding)
    planted_assess = {
        r1: [("2025-05-10", 1), ("2026-03-02", 2), ("2026-10-20", 4)],
        r2: [("2025-08-01", 3), ("2026-11-20", 5)],
        c3: [("2026-06-01", 3), ("2026-11-27", 5)],
        c4: [("2025-11-05", 2), ("2026-09-10", 4)],
        c5: [("2026-02-11", 2), ("2026-08-03", 5)],
    }
    # No visit to these companies or their buildings between the latest assessment and its
    # deadline, so that only the planted follow-up (or none) decides the finding.
    blackout: dict[str, tuple[dt.date, dt.date]] = {}
    for cid, rows in planted_assess.items():
        first = D(rows[-1][0])
        window = (first, first + days(FOLLOWUP_DAYS[rows[-1][1]]))
        blackout[cid] = blackout[company_building[cid]] = window
    no_followup = set(planted_assess)
    quiet_buildings = {"B-C14": D("2026-05-31"), "B-C20": D("2026-06-02"), "B-C39": D("2025-09-30")}
    recent_ok = companies_in["B-C14"][:2]  # visited recently although the building is not

    def cutoff_of(target: str) -> dt.date:
        if target in recent_ok:
            return AS_OF
        bid = company_building.get(target, target)
        return quiet_buildings.get(bid, AS_OF)

    def free_day(target: str, d: dt.date) -> dt.date:
        s, e = blackout.get(target, (d + days(1), d))
        return e + days(1) if s <= d <= e else d

    def reason(level: int) -> str:
        return rng.choice(RISK_REASONS[level])

    def spell(level: int) -> str:
        return rng.choice(LEVEL_SPELLINGS[level])

    assessments: list[tuple[str, dt.date, int]] = []
    for bid in COMMERCIAL_BUILDINGS:
        for cid in companies_in[bid]:
            if cid in planted_assess:
                assessments += [(cid, D(d), lv) for d, lv in planted_assess[cid]]
                continue
            if cid.startswith("C-") and not cid[2:].isdigit():
                continue  # seed companies: only the seed assessment
            k = rng.choice([0, 1, 1, 2, 2, 3, 4])
            dates = sorted({rand_date(rng, PERIOD_START, D("2026-11-28")) for _ in range(k)})
            for d in dates:
                lv = rng.choices([1, 2, 3, 4, 5], weights=[40, 30, 18, 8, 4])[0]
                if bid in quiet_buildings:
                    lv = min(lv, 3)
                assessments.append((cid, d, lv))
    for cid, d, lv in assessments:
        ds.add(
            "risk_assessments",
            company_id=cid,
            assessed_on=d,
            level=spell(lv),
            reason=reason(lv),
            source="synthetic",
        )

    # ---- visits -----------------------------------------------------------------------------
    visits: list[tuple[str, str, dt.date, str]] = []

    def visitor(bid: str, on: dt.date) -> str:
        return worker_on(bid, on) or station_for(bid, on)

    for bid in COMMERCIAL_BUILDINGS:
        cutoff = quiet_buildings.get(bid, AS_OF)
        d = PERIOD_START + days(rng.randint(0, 25))
        while d < cutoff:
            d = free_day(bid, d)
            if d >= cutoff:
                break
            visits.append((visitor(bid, d), bid, d, rng.choice(VISIT_PURPOSES)))
            d += days(rng.randint(18, 45))
        if bid == "B-C20":
            visits.append((visitor(bid, cutoff), bid, cutoff, "跑楼走访"))
    # visits after AS_OF (they do not exist yet on AS_OF)
    for bid in ["B-C20", "B-C39"]:
        visits.append((station_for(bid, PERIOD_END), bid, PERIOD_END, "跑楼走访（计划）"))
    for bid in COMMERCIAL_BUILDINGS:
        for cid in companies_in[bid]:
            if cid in no_followup or not cid[2:].isdigit():
                continue
            cut = cutoff_of(cid)
            for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
                d = free_day(cid, rand_date(rng, PERIOD_START, cut))
                if d <= cut:
                    visits.append((visitor(bid, d), cid, d, rng.choice(VISIT_PURPOSES)))
    for cid in recent_ok:
        visits.append((visitor("B-C14", D("2026-10-12")), cid, D("2026-10-12"), "企业需求了解"))
    # follow-up visits for every level-4/5 assessment that is not planted
    for cid, d, lv in assessments:
        if lv >= 4 and cid not in no_followup:
            f = d + days(rng.randint(1, FOLLOWUP_DAYS[lv]))
            if f <= PERIOD_END:
                bid = company_building[cid]
                visits.append((visitor(bid, f), cid, f, "风险预警跟进"))
    visits.append((visitor("B-C28", D("2026-08-06")), c5, D("2026-08-06"), "风险预警跟进"))
    visits = sorted(set(visits), key=lambda v: (v[2], v[1], v[0], v[3]))
    for vid, tid, d, purpose in visits:
        ds.add("visits", visitor_id=vid, target_id=tid, date=d, purpose=purpose, source="synthetic")

    # ---- demands -----------------------------------------------------------------------------
    dn = 2  # D-0001, D-0002 are seed

    def demand(cid, raised, category, status, resolved=None, handled=None, note=""):
        nonlocal dn
        dn += 1
        did = f"D-{dn:04d}"
        bid = company_building[cid]
        ds.add(
            "demands",
            id=did,
            company_id=cid,
            raised_on=raised,
            category=category,
            status=status,
            resolved_on=resolved,
            handled_by=handled or station_for(bid, raised),
            source="synthetic",
            note=note,
        )
        return did

    eligible = [
        c
        for c in company_building
        if c[2:].isdigit() and c not in no_followup and company_building[c] not in quiet_buildings
    ]
    raised_dates = sorted(rand_date(rng, PERIOD_START, AS_OF) for _ in range(230))
    for raised in raised_dates:
        cid = rng.choice(eligible)
        cat = rng.choice(DEMAND_CATEGORIES)
        handled = "O-ESC" if cat in ("工商注册变更", "税务服务") and rng.random() < 0.6 else None
        if cat == "办公选址" and rng.random() < 0.3:
            handled = "O-INVEST"
        if (AS_OF - raised).days > DEMAND_MAX_DAYS - 2:
            resolved = min(raised + days(rng.randint(1, 26)), AS_OF)
            demand(cid, raised, cat, "resolved", resolved, handled)
        else:
            status = rng.choice(["open", "in_progress", "resolved"])
            resolved = (
                min(raised + days(rng.randint(1, 10)), AS_OF) if status == "resolved" else None
            )
            demand(cid, raised, cat, status, resolved, handled)
    # follow-up by demand for c4 (no visit in the span, but a demand resolved in it)
    demand(
        c4,
        D("2026-09-08"),
        "租金与租约",
        "resolved",
        D("2026-09-18"),
        note="橙色预警后通过协调租约跟进",
    )
    # boundary: open for exactly 30 days on AS_OF - not stale
    d30 = demand(eligible[7], D("2026-10-30"), "政策咨询", "open", note="截至as_of正好30天")
    # raised after AS_OF - does not exist yet on AS_OF
    dfut = demand(eligible[8], PERIOD_END, "人才招聘", "open", note="as_of之后提出")
    stale = [
        demand(eligible[11], D("2025-12-01"), "人才落户", "in_progress", note="长期未办结"),
        demand(eligible[23], D("2026-06-15"), "停车与交通", "open", note="长期未办结"),
        demand(eligible[41], D("2026-09-20"), "融资对接", "in_progress"),
        demand(eligible[57], D("2026-10-28"), "物业协调", "open", note="超期2天"),
        demand(
            eligible[73],
            D("2026-10-10"),
            "租金与租约",
            "resolved",
            D("2026-11-30"),
            note="as_of之后才办结",
        ),
    ]

    # ---- MEMBER_OF: companies join their station's 楼宇党建联盟 --------------------------------
    members = sorted(rng.sample(sorted(eligible), 40))
    for cid in members:
        sid = station_for(company_building[cid], AS_OF)
        L(
            cid,
            "MEMBER_OF",
            sid,
            since=rand_date(rng, D("2019-01-01"), D("2026-10-31")),
            note="加入楼宇党建工作阵营",
            source="synthetic",
        )

    NEAR_MISSES.update(
        {
            f"{c3}: red (5) assessed 2026-11-27, deadline 2026-11-30 not yet passed": c3,
            f"{c4}: orange (4) 2026-09-10, no visit but demand resolved 2026-09-18": c4,
            f"{c5}: red (5) 2026-08-03, visited on the deadline 2026-08-06": c5,
            f"{d30}: open demand raised 2026-10-30 (exactly 30 days old)": d30,
            f"{dfut}: open demand raised 2026-11-30 (after as_of)": dfut,
            "B-C11: 20 companies (= threshold) with an active worker": "B-C11",
            "B-C16: worker handover (old ASSIGNED_TO ended 2025-08-31, another active)": "B-C16",
            "B-C15: in grid G-B08 but covered by a building-level COVERS": "B-C15",
            "G-B18: COVERS by O-SS-03 ended 2025-12-31, O-SS-04 took over 2026-01-01": "G-B18",
            "RA-JINGHUA: no own liaison group, covered by O-LG-HUASHAN (COVERS)": "RA-JINGHUA",
            "RA-JINGHUA2 / RA-GUBAI: no liaison group but 0 minority residents": "RA-GUBAI",
            "O-LG-YANAN: LEADS ended 2025-12-31, a new LEADS since 2026-01-01": "O-LG-YANAN",
            f"{mentors[3]} MENTORS O-SPA-MONGOLIA ended 2025-06-30 (inactive)": mentors[3],
        }
    )
    PLANTED.update(
        {
            "grid_without_party_org": ["G-B32"],
            "area_without_liaison_group": ["RA-WANHANG"],
            "building_without_service_station": ["B-C14", "B-C39"],
            "company_unreached": sorted(companies_in["B-C39"] + companies_in["B-C14"][2:]),
            "risk_without_followup": sorted([r1, r2]),
            "stale_demand": sorted(stale),
            "liaison_group_isolated": ["O-LG-CHANGDE"],
            "liaison_group_without_leadership": ["O-LG-NANXI"],
            "key_building_without_worker": ["B-C05"],
            "building_not_visited": ["B-C20", "B-C39"],
        }
    )


def build_population(ds: Dataset, rng: random.Random) -> None:
    groups = list(MINORITY_GROUPS)
    rest_res = sum(g[1] for g in groups[1:])
    rest_reg = sum(g[2] for g in groups[1:])
    groups[0] = (groups[0][0], MINORITY_TOTAL - rest_res, MINORITY_REGISTERED - rest_reg)
    areas = AREAS_WITH_MINORITIES
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
    note = "街道合计（29个民族、921人、户籍646人）见原文；按居民区的分配为合成"
    order = {g[0]: i for i, g in enumerate(groups)}
    for suffix, _n, _en, _g, hh, _src in AREAS:
        minority = 0
        for (a, name), (res, reg) in sorted(counts.items(), key=lambda kv: order[kv[0][1]]):
            if a == suffix:
                minority += res
                ds.add(
                    "population",
                    area_id=f"RA-{suffix}",
                    ethnic_group=name,
                    residents=res,
                    registered=reg,
                    source="seed",
                    note=note,
                )
        if suffix == "GUBAI":
            continue  # no population rows at all
        total = int((hh or rng.randint(2600, 3400)) * rng.uniform(2.1, 2.6))
        han = total - minority
        ds.add(
            "population",
            area_id=f"RA-{suffix}",
            ethnic_group=HAN_SPELLING.get(suffix, "汉族"),
            residents=han,
            registered=int(han * rng.uniform(0.7, 0.85)),
            source="synthetic",
            note="汉族人口为合成，不计入少数民族",
        )


def build(out: Path) -> Dataset:
    PLANTED.clear()
    NEAR_MISSES.clear()
    rng = random.Random(RANDOM_SEED)
    ds = Dataset()
    build_seed_places(ds)
    build_seed_orgs(ds)
    build_seed_people_companies(ds)
    build_seed_links(ds)
    build_synthetic(ds, rng)
    build_population(ds, rng)
    ds.tables["links"].sort(key=lambda r: (r["type"], r["source_id"], r["target_id"], r["since"]))
    out.mkdir(parents=True, exist_ok=True)
    for table, rows in ds.tables.items():
        with open(out / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS[table], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    (out / "README.md").write_text(readme_text(ds), encoding="utf-8")
    return ds


# ---------------------------------------------------------------------------------------------
# README.md (generated, so that its numbers and ids always match the CSV files)
# ---------------------------------------------------------------------------------------------
README_HEAD = """\
# 静安寺街道 (Jing'an Temple subdistrict) — example dataset

This directory is **generated** by `scripts/build_jingansi.py` (Python 3.11, standard library
only, fixed random seed `{seed}`). Do not edit it by hand: change the script and run

    python scripts/build_jingansi.py        # rewrites data/jingansi/ and runs the self-check

Two runs give byte-identical files. The script ends with a self-check that validates the
contract rules (ids, keys, references and their kinds, link endpoints, enums, dates,
booleans, `registered <= residents`, demand rules, privacy), the population totals, and
re-implements the ten queries of `GAPS.md` to prove that on **as_of = {as_of}** the findings
are exactly the gaps planted below (no more, no fewer).

The dataset follows `DATA_CONTRACT.md` version 1: one UTF-8 CSV (no BOM) per table, header in
row 1, dates `YYYY-MM-DD`, booleans `true`/`false`.

## Provenance: the `source` column

Every table has an extra column `source`:

| value | meaning |
|---|---|
| `seed` | encodes a fact stated in the newsletter `000_79274befd233bea2.txt` (静安寺·全景). Where the newsletter gives only a total or no date, the row's `note` says which part is a modelling choice. |
| `public` | a public fact from outside the newsletter. **Not used**: we could not confirm any further real names (e.g. other 居民区 of this subdistrict) with enough confidence. |
| `synthetic` | invented filler sized like the real area, including the planted coverage gaps. |

Synthetic names (companies, buildings, people, ten residential areas) are made up from word
lists; any likeness to a real entity is accidental.

## Extra (optional) columns

| table | extra columns |
|---|---|
| all | `source`; `note` (free text, Chinese) on most tables |
| named entities | `name_en` (English name; pinyin for synthetic names) |
| streets | `awards` — the five honours named in the newsletter, `;`-separated |
| organizations | `established` (date), `member_count` (int), `facility_type` (`space` / `self_service_terminal` for the 高和大厦 facilities) |
| people | `awards` |

## Row counts

{counts}

## IDs

Unique across the whole dataset, with readable prefixes: `S-` street, `G-R01..G-R05`
residential (平面) grids, `G-B01..G-B32` building (立体) grids, `RA-` residential areas, `B-`
buildings (`B-GAOHE`, commercial `B-C01..B-C39`, residential `B-R01..B-R06`), `C-` companies
(seed ones named, synthetic `C-0001..`), `O-` organizations, `P-` people (seed ones named,
synthetic `P-0001..`), `D-` demands. Visits and risk assessments have no id (contract).

## Seed facts and the rows that carry them

| newsletter fact | rows (ids) |
|---|---|
| 静安寺街道, 静安区西南部, 上海 | `streets`: `S-JAS` |
| 第八批全国民族团结进步示范区示范单位; 上海市民族团结进步优秀社区 / 模范社区 / 标兵集体 / 先进集体 | `S-JAS.awards` |
| “5+32” 37 个党建网格; 平面网格（居民区）、立体网格（商务楼宇） | `grids`: `G-R01..G-R05` (kind `residential`), `G-B01..G-B32` (kind `building`). We read “5+32” as 5 residential + 32 building grids. Grid names are numbered labels (the newsletter names none). |
| 静安寺街道党工委; 党建办, 党群办 (the two articles' signatures) | `O-PWC`; `O-PWC-DJB`, `O-PWC-DQB` (kind `government_office`, sector `party`, `parent_id = O-PWC`) |
| 汝熙玲, 街道党工委副书记 | `P-RUXILING` (`organization_id = O-PWC`) |
| 党群服务站 in 高和大厦 | `O-PMSS` (service_station, party) `located_in = B-GAOHE`; building `B-GAOHE` (key building; address/floors unknown) |
| 2020年7月 加挂“企业服务中心” | `O-ESC` (service_center, government, `located_in = B-GAOHE`, `parent_id = O-PMSS`, `established = 2020-07-01`); links `O-ESC PARTNERS_WITH O-PMSS` and `O-ESC SERVES S-JAS`, both `since 2020-07-01` (the day in July is an assumption) |
| 白领阅读角, 减压室, “一网通办”政务服务机, 24小时自助税务机 (接入党群服务站) | organizations of kind `public_venue`, `located_in = B-GAOHE`, `parent_id = O-PMSS`: `O-GH-READ`, `O-GH-RELAX` (`facility_type = space`), `O-GH-YWTB`, `O-GH-TAX` (`facility_type = self_service_terminal`) |
| 五色风险分析法 (稳定…不稳定) | `risk_assessments.level`; all five levels occur, spelled variously (`4`, `较不稳定`, `orange`, `橙`, …) as the contract allows |
| 京东健康 与 卫材中国 在静安区成立合资公司 | companies `C-JDHEALTH` (domestic), `C-EISAI` (foreign), `C-JDEISAI-JV` (joint_venture; official name not given); links `PARTNERS_WITH`: JDH–Eisai, JDH–JV, Eisai–JV (“合资方”) |
| “两新老师” (专职楼宇党群工作者) 穿针引线 | `P-LXLS` (role 楼宇党群工作者, `organization_id = O-PMSS`), `P-LXLS SUPPORTS C-JDEISAI-JV` |
| 高和大厦内一家中小型日资企业: 租期到期、有新发展需求, 判定为“较不稳定企业”, 与街道、区投资办上门对接, 找到新办公单元, 协助集中注册 | company `C-GAOHE-JPSME` (foreign, `lease_expires = 2020-12-31`, `relocation_intent = true`, `building_id = B-GAOHE`); assessment 2020-10-12 `较不稳定`; visits 2020-10-14 by `O-PMSS` and by `O-INVEST` (静安区投资办, government_office, outside the area); demands `D-0001` 办公选址 (resolved 2020-12-15, handled by `O-PMSS`) and `D-0002` 工商注册变更 = 集中注册 (resolved 2021-01-20, handled by `O-ESC`). All dates are assumptions (after July 2020; the newsletter gives none) |
| 华山居民区, 裕华居民区 | `RA-HUASHAN`, `RA-YUHUA` (households unknown, left blank) |
| 各居民区民族工作联络组在党总支领导下 | per area a party general branch `O-PGB-<AREA>` (`parent_id = O-PWC`) and, for most areas, a liaison group `O-LG-<AREA>` with `O-PGB-<AREA> LEADS O-LG-<AREA>`. Seed for 华山 and 裕华, synthetic for the invented areas |
| 华山居民区党总支捐款设立帮困基金 | `O-HS-FUND` (charity, `located_in = RA-HUASHAN`, `parent_id = O-PGB-HUASHAN`); `O-PGB-HUASHAN SUPPORTS O-HS-FUND` |
| “同心家园”理事会, 居民区“同心家园”理事分会 | `O-TXJY` (council, community); sub-councils `O-TXJY-<AREA>` (`parent_id = O-TXJY`) in the ten areas with minority residents (seed for 华山/裕华) |
| 民族联分会, 少数民族联络组 (微信群) | `O-MZLFH` (association, ethnic), `O-SSMZLLZ` (street-level liaison_group, ethnic); both `MEMBER_OF O-TXJY`; `O-PWC LEADS O-SSMZLLZ` (inferred from “党建引领下…三级民族工作网络”); area liaison groups have `parent_id = O-SSMZLLZ` |
| 上海戏剧学院 (上戏所在的华山居民区), 西藏班、蒙古班 近20位学生, 社区单位和个人结对助学 | `O-SPA` (school, `located_in = RA-HUASHAN`), `O-SPA-TIBET` (11), `O-SPA-MONGOLIA` (8) (`member_count`; the split of “近20” is ours); `MENTORS` links to the classes from synthetic volunteers (`P-` 社区志愿者), `O-PB-C01` and `O-PGB-YUHUA`; `O-TXJY SERVES O-SPA` |
| 静安寺、圆明讲堂、街道侨联分会 纷纷开展捐助 | `O-JAT`, `O-YMJT` (religious_site), `O-QLFH` (association); each `SUPPORTS O-TXJY` (the recipient is not named; we route the donations to the 同心家园 platform) |
| 静安寺商圈新联会会长向巴楚敬老院捐款 | `O-XLH` (association, business) `SUPPORTS O-BACHU`; `O-BACHU` 巴楚敬老院 (charity, `located_in` blank = outside the area); the president `P-XLH-PRES` (name not given) |
| 静安公园、街道文化活动中心、党建服务中心 (政策咨询) | `O-JAPARK`, `O-CULTURE`, `O-DJFWZX` (public_venue) each `SERVES S-JAS` |
| “同心家园”微信公众平台, “裕华微社区”微信公众号 | `O-WX-TXJY` (media_channel, `parent_id = O-TXJY`) `SERVES S-JAS`; `O-WX-YUHUA` (`located_in = RA-YUHUA`) `SERVES RA-YUHUA` |
| 伊利汗木, 2014年度“精神文明十佳好人好事”, 店主 | `P-YILIHANMU` (role 店主, `awards`) |
| 李峰夫妇, 牛羊肉摊经营者, 关心资助社区困难老人及困难学生 | `P-LIFENG`, `P-LIFENG-SPOUSE` (name not given); each `SUPPORTS S-JAS` |
| 29 个民族 921 人, 646 人户籍, 275 人外区或外来 | `population` (see below) |

## Modelling assumptions

1. **People carry no ethnicity.** The newsletter names the ethnicity of two residents; by the
   contract's privacy rule it is not stored anywhere in `people` (no column, not in `role`
   or `note`). We also dropped the 清真 qualifier from 李峰's role (a proxy for religion /
   ethnicity) and the mention of his 入党申请. Ethnicity exists only as counts in `population`.
2. Building placement of 京东健康 (`B-C01`), 卫材中国 and the joint venture (`B-C10`) is ours;
   the newsletter only says the JV was set up in 静安区. `P-LXLS` is assigned to those two
   buildings for the same reason.
3. Unnamed seed entities (the Japanese SME, the JV, the 两新老师, 李峰's spouse, the
   新联会 president) get descriptive names marked “名称未载 / 姓名未载”.
4. Dates the newsletter does not give (the SME story, the JV partnership) are either blank
   (`since` blank = always active) or placed in late 2020 and documented in `note`.
5. The ten residential areas other than 华山/裕华 use plausible local street names but are
   **synthetic** (not verified as real 居民区 of this subdistrict).
6. `O-PMSS` has `parent_id = O-PWC` (the newsletter does not say which office runs it).
   `O-PWC LEADS O-TXJY` and `O-PWC LEADS O-SSMZLLZ` are inferred from “党建引领”.
7. Three-level network 街道-居民区-楼宇: street `O-SSMZLLZ`, area `O-LG-<AREA>`, and one
   building-level example `O-LG-GAOHE` (synthetic, led by `O-PMSS`).

## Population

The newsletter gives street totals only. `population` rows sit at residential-area level
(`area_id` → `residential_areas`); summing the non-Han rows over all areas gives exactly
**29 distinct minority groups, 921 residents, 646 registered (户籍), 275 from elsewhere**.
The per-group totals (回族 largest, then 满族, 蒙古族, 朝鲜族 …) and the split over areas are
synthetic (weighted random draw per person; non-registered 藏族/蒙古族 lean to 华山, where the
上戏 classes are). The minority rows are marked `seed` with a `note` saying the split is ours.
Han rows (`汉族`; spelled `Han` in `RA-YUYUAN` and `汉` in `RA-WUBEI`, as the contract
allows) are synthetic and do not count as minority. `RA-JINGHUA2` has Han residents only,
`RA-GUBAI` has no population rows; ten areas have minority residents.

{minority}

## Synthetic filler

* 40 commercial buildings over the 32 building grids (`G-B01..G-B08` hold two each), plus six
  residential blocks `B-R01..B-R06` in residential grids (no companies).
* Companies: a long tail per building (1–18), five buildings with ≥ 20 companies
  (`B-GAOHE` 30, `B-C01` 26, `B-C10` 24, `B-C05` 22, `B-C11` 20).
* Joint party branches `O-PB-<building>` in most buildings, a few company party branches
  (`located_in` a company), five service stations (`O-PMSS`, `O-SS-02..05`) with `COVERS`
  links to building grids, 同心家园 sub-councils, liaison groups.
* People: area branch secretaries, grid workers (`ASSIGNED_TO` their area), station heads,
  楼宇党群工作者 (`ASSIGNED_TO` 2–3 buildings each), mentoring volunteers.
* Visits (people or stations → buildings/companies), demands and risk assessments spread over
  {start} .. {end}. Every level-4/5 assessment is followed up by a visit in time, except the
  planted ones. A few rows are dated after as_of on purpose (they do not exist yet on as_of).
* Links with `until` in the past (inactive) and with `since` in the future (not yet active)
  are included; see the edge cases below.

## Planted coverage gaps (as_of = {as_of}, GAPS.md default parameters)

{planted}

### Edge cases that must **not** be findings

{near}

## Privacy

`people` has no ethnicity, ID-card or phone column. Ethnicity appears only as aggregate
counts per residential area in `population`.
"""

PLANTED_WHY = {
    "grid_without_party_org": "G-B32 (building `B-C39`): no branch, no station; the only "
    "COVERS to it (`O-SS-05`) starts 2026-12-15",
    "area_without_liaison_group": "RA-WANHANG has minority residents, no liaison group; the "
    "COVERS by `O-LG-ZHENNING` ended 2025-06-30",
    "building_without_service_station": "`B-C39` (grid G-B32) and `B-C14` (its building-level "
    "COVERS by `O-SS-02` ended 2026-03-31; grid G-B08 has no grid-level COVERS)",
    "company_unreached": "the 3 companies of `B-C39` and 4 of the 6 companies of `B-C14` "
    "(no party org/station, no cover, no visit after 2026-05-31; the other two were "
    "visited 2026-10-12)",
    "risk_without_followup": "orange (4) assessed 2026-10-20 in `B-C16`, red (5) assessed "
    "2026-11-20 in `B-C25`; no visit to company or building and no resolved demand within "
    "14 / 3 days",
    "stale_demand": "raised 2025-12-01 (in_progress), 2026-06-15 (open), 2026-09-20 "
    "(in_progress), 2026-10-28 (open, 32 days), 2026-10-10 (resolved only on 2026-11-30)",
    "liaison_group_isolated": "`O-LG-CHANGDE`: its MEMBER_OF the 理事分会 ended 2025-09-30; "
    "only LEADS and a link to the (ethnic) 民族联分会 remain",
    "liaison_group_without_leadership": "`O-LG-NANXI`: no LEADS, parent `O-SSMZLLZ` is "
    "sector ethnic",
    "key_building_without_worker": "`B-C05` (22 companies, not flagged key): worker left "
    "2026-06-30, successor starts 2026-12-01",
    "building_not_visited": "`B-C20` last visited 2026-06-02 (= as_of − 180 days, just "
    "outside the window; next visit 2026-11-30, after as_of) and `B-C39` (last visit 2025)",
}


def readme_text(ds: Dataset) -> str:
    counts = ["| table | rows | seed | synthetic |", "|---|---:|---:|---:|"]
    for t, rows in ds.tables.items():
        seed = sum(r["source"] == "seed" for r in rows)
        counts.append(f"| `{t}` | {len(rows)} | {seed} | {len(rows) - seed} |")
    minority: dict[str, list[int]] = {}
    for r in ds.tables["population"]:
        if r["ethnic_group"].lower() not in ("汉族", "汉", "han"):
            m = minority.setdefault(r["area_id"], [0, 0, 0])
            m[0] += 1
            m[1] += int(r["residents"])
            m[2] += int(r["registered"])
    lg_areas = {f"RA-{a}" for a in AREAS_WITH_LG}
    mtab = [
        "| area | minority groups | minority residents | registered | own liaison group |",
        "|---|---:|---:|---:|---|",
    ]
    for suffix, name, *_ in AREAS:
        aid = f"RA-{suffix}"
        g, res, reg = minority.get(aid, [0, 0, 0])
        mtab.append(
            f"| `{aid}` {name} | {g} | {res} | {reg} | {'yes' if aid in lg_areas else '—'} |"
        )
    all_groups = {
        r["ethnic_group"]
        for r in ds.tables["population"]
        if r["ethnic_group"].lower() not in ("汉族", "汉", "han")
    }
    total = [sum(m[i] for m in minority.values()) for i in (1, 2)]
    mtab.append(f"| **total** | {len(all_groups)} distinct | {total[0]} | {total[1]} | |")
    planted = ["| gap | findings | ids | how |", "|---|---:|---|---|"]
    for gap, ids in PLANTED.items():
        planted.append(
            f"| `{gap}` | {len(ids)} | {', '.join(f'`{i}`' for i in ids)} | {PLANTED_WHY[gap]} |"
        )
    near = "\n".join(f"* {text}" for text in NEAR_MISSES)
    return README_HEAD.format(
        seed=RANDOM_SEED,
        as_of=AS_OF,
        start=PERIOD_START,
        end=PERIOD_END,
        counts="\n".join(counts),
        minority="\n".join(mtab),
        planted="\n".join(planted),
        near=near,
    )


# ---------------------------------------------------------------------------------------------
# Self-check: contract rules, population totals, and the gap queries of GAPS.md
# ---------------------------------------------------------------------------------------------
REQUIRED = {
    "streets": ["id", "name"],
    "grids": ["id", "name", "kind", "street_id"],
    "residential_areas": ["id", "name", "grid_id"],
    "buildings": ["id", "name", "grid_id"],
    "companies": ["id", "name", "building_id"],
    "organizations": ["id", "name", "kind", "sector"],
    "people": ["id", "name", "role"],
    "population": ["area_id", "ethnic_group", "residents"],
    "links": ["source_id", "type", "target_id"],
    "visits": ["visitor_id", "target_id", "date"],
    "demands": ["id", "company_id", "raised_on", "category", "status"],
    "risk_assessments": ["company_id", "assessed_on", "level"],
}
ORG_KINDS = {
    "party_committee",
    "party_general_branch",
    "party_branch",
    "service_station",
    "service_center",
    "liaison_group",
    "council",
    "association",
    "government_office",
    "partner_institution",
    "religious_site",
    "school",
    "public_venue",
    "media_channel",
    "charity",
    "social_organization",
}
SECTORS = {
    "party",
    "government",
    "business",
    "community",
    "ethnic",
    "religious",
    "education",
    "culture",
    "charity",
}
PLACE = {"grids", "residential_areas", "buildings", "companies"}
ORG, COMP, PERS = {"organizations"}, {"companies"}, {"people"}
LINK_ENDS = {
    "COVERS": (ORG, PLACE),
    "LEADS": (ORG, ORG),
    "PARTNERS_WITH": (ORG | COMP, ORG | COMP),
    "SUPPORTS": (ORG | COMP | PERS, None),
    "MENTORS": (ORG | PERS, ORG | PERS),
    "MEMBER_OF": (ORG | COMP | PERS, ORG),
    "ASSIGNED_TO": (PERS, PLACE),
    "SERVES": (ORG, None),
}
DATE_COLS = {
    "lease_expires",
    "since",
    "until",
    "date",
    "raised_on",
    "resolved_on",
    "assessed_on",
    "established",
}
BOOL_COLS = {"key_building", "relocation_intent"}
INT_COLS = {"households", "floors", "employees", "residents", "registered", "member_count"}
FORBIDDEN_PEOPLE = ("ethnic", "民族", "id_number", "身份证", "phone", "手机")


def load(out: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for t in COLUMNS:
        with open(out / f"{t}.csv", encoding="utf-8", newline="") as fh:
            tables[t] = list(csv.DictReader(fh))
    return tables


def check(T: dict[str, list[dict[str, str]]]) -> dict[str, list[str]]:
    errors: list[str] = []
    table_of: dict[str, str] = {}
    for t in ID_TABLES:
        for r in T[t]:
            if r["id"] in table_of:
                errors.append(f"duplicate id {r['id']}")
            table_of[r["id"]] = t
    for t, rows in T.items():
        if "source" not in rows[0]:
            errors.append(f"{t}: no source column")
        for i, r in enumerate(rows, start=2):
            where = f"{t} row {i}"
            if r.get("source") not in ("seed", "public", "synthetic"):
                errors.append(f"{where}: bad source {r.get('source')!r}")
            for c in REQUIRED[t]:
                if not r[c]:
                    errors.append(f"{where}: empty {c}")
            for c, v in r.items():
                if not v:
                    continue
                if c in DATE_COLS:
                    try:
                        D(v)
                    except ValueError:
                        errors.append(f"{where}: bad date {c}={v}")
                if c in BOOL_COLS and v not in ("true", "false"):
                    errors.append(f"{where}: bad bool {c}={v}")
                if c in INT_COLS and not v.isdigit():
                    errors.append(f"{where}: bad integer {c}={v}")
    for c in T["people"][0]:
        if any(f in c.lower() for f in FORBIDDEN_PEOPLE):
            errors.append(f"people: forbidden column {c}")

    def ref(where, value, allowed, blank_ok=False):
        if not value:
            if not blank_ok:
                errors.append(f"{where}: blank reference")
            return
        t = table_of.get(value)
        if t is None:
            errors.append(f"{where}: unknown reference {value}")
        elif allowed is not None and t not in allowed:
            errors.append(f"{where}: {value} is a {t}, expected {sorted(allowed)}")

    grid_kind = {r["id"]: r["kind"] for r in T["grids"]}
    for r in T["grids"]:
        ref(f"grid {r['id']}", r["street_id"], {"streets"})
        if r["kind"] not in ("residential", "building", "平面", "立体"):
            errors.append(f"grid {r['id']}: bad kind")
    for r in T["residential_areas"]:
        ref(f"area {r['id']}", r["grid_id"], {"grids"})
        if grid_kind.get(r["grid_id"]) not in ("residential", "平面"):
            errors.append(f"area {r['id']}: grid is not residential")
    for r in T["buildings"]:
        ref(f"building {r['id']}", r["grid_id"], {"grids"})
    for r in T["companies"]:
        ref(f"company {r['id']}", r["building_id"], {"buildings"})
        if r["ownership"] and r["ownership"] not in (
            "domestic",
            "foreign",
            "joint_venture",
            "state",
            "other",
        ):
            errors.append(f"company {r['id']}: bad ownership")
    for r in T["organizations"]:
        ref(f"org {r['id']}", r["located_in"], {"streets"} | PLACE, blank_ok=True)
        ref(f"org {r['id']}", r["parent_id"], ORG, blank_ok=True)
        if r["kind"] not in ORG_KINDS or r["sector"] not in SECTORS:
            errors.append(f"org {r['id']}: bad kind/sector")
    for r in T["people"]:
        ref(f"person {r['id']}", r["organization_id"], ORG, blank_ok=True)
    pop_keys = set()
    for r in T["population"]:
        ref(f"population {r['area_id']}", r["area_id"], {"streets", "residential_areas"})
        key = (r["area_id"], r["ethnic_group"])
        if key in pop_keys:
            errors.append(f"population: duplicate key {key}")
        pop_keys.add(key)
        if r["registered"] and int(r["registered"]) > int(r["residents"]):
            errors.append(f"population {key}: registered > residents")
    link_keys = set()
    for r in T["links"]:
        src_allowed, tgt_allowed = LINK_ENDS.get(r["type"], (set(), set()))
        if not src_allowed:
            errors.append(f"link: bad type {r['type']}")
        ref(f"link {r['type']} source", r["source_id"], src_allowed)
        ref(f"link {r['type']} target", r["target_id"], tgt_allowed)
        key = (r["source_id"], r["type"], r["target_id"], r["since"])
        if key in link_keys:
            errors.append(f"link: duplicate key {key}")
        link_keys.add(key)
        if r["since"] and r["until"] and r["until"] < r["since"]:
            errors.append(f"link {key}: until before since")
    for r in T["visits"]:
        ref("visit visitor", r["visitor_id"], PERS | ORG)
        ref("visit target", r["target_id"], {"buildings", "companies"})
    for r in T["demands"]:
        ref(f"demand {r['id']}", r["company_id"], COMP)
        ref(f"demand {r['id']}", r["handled_by"], ORG, blank_ok=True)
        if r["status"] not in ("open", "in_progress", "resolved"):
            errors.append(f"demand {r['id']}: bad status")
        if r["status"] == "resolved" and not r["resolved_on"]:
            errors.append(f"demand {r['id']}: resolved without resolved_on")
        if r["resolved_on"] and r["resolved_on"] < r["raised_on"]:
            errors.append(f"demand {r['id']}: resolved_on before raised_on")
    ra_keys = set()
    for r in T["risk_assessments"]:
        ref("assessment", r["company_id"], COMP)
        if r["level"].lower() not in LEVEL_OF:
            errors.append(f"assessment {r['company_id']}: bad level {r['level']}")
        key = (r["company_id"], r["assessed_on"])
        if key in ra_keys:
            errors.append(f"assessment: duplicate key {key}")
        ra_keys.add(key)

    # population totals (the newsletter's figures)
    minority = [
        r for r in T["population"] if r["ethnic_group"].lower() not in ("汉族", "汉", "han")
    ]
    groups = {r["ethnic_group"] for r in minority}
    res = sum(int(r["residents"]) for r in minority)
    reg = sum(int(r["registered"]) for r in minority)
    if (len(groups), res, reg) != (29, MINORITY_TOTAL, MINORITY_REGISTERED):
        errors.append(f"population totals {len(groups)} groups / {res} / {reg} != 29/921/646")
    if errors:
        raise SystemExit("SELF-CHECK FAILED:\n  " + "\n  ".join(errors[:50]))
    print(
        f"minority population: {len(groups)} groups, {res} residents, {reg} registered "
        f"({res - reg} from elsewhere)"
    )
    return gaps(T, AS_OF)


def gaps(T: dict[str, list[dict[str, str]]], as_of: dt.date) -> dict[str, list[str]]:
    """A plain re-implementation of GAPS.md, used to prove the planted gaps are there."""
    up: dict[str, str] = {}
    for r in T["grids"]:
        up[r["id"]] = r["street_id"]
    for r in T["residential_areas"] + T["buildings"]:
        up[r["id"]] = r["grid_id"]
    for r in T["companies"]:
        up[r["id"]] = r["building_id"]

    def within(x: str, p: str) -> bool:
        while x:
            if x == p:
                return True
            x = up.get(x, "")
        return False

    orgs = {r["id"]: r for r in T["organizations"]}
    sector = {
        **{k: r["sector"] for k, r in orgs.items()},
        **{r["id"]: "business" for r in T["companies"]},
    }

    def active(r):
        return (not r["since"] or D(r["since"]) <= as_of) and (
            not r["until"] or D(r["until"]) >= as_of
        )

    links = [r for r in T["links"] if active(r)]
    visits = [(r["target_id"], D(r["date"])) for r in T["visits"] if D(r["date"]) <= as_of]
    recent = {t for t, d in visits if (as_of - d).days < VISIT_WINDOW_DAYS}
    company_bld = {r["id"]: r["building_id"] for r in T["companies"]}
    by_building: dict[str, list[str]] = {}
    for c, b in company_bld.items():
        by_building.setdefault(b, []).append(c)

    def covers(pred, targets):
        return any(
            r["type"] == "COVERS"
            and r["source_id"] in orgs
            and pred(orgs[r["source_id"]])
            and r["target_id"] in targets
            for r in links
        )

    def is_party(o):
        return o["sector"] == "party"

    def is_station(o):
        return o["kind"] in ("service_station", "service_center")

    def reach(o):
        return is_party(o) or is_station(o)

    found: dict[str, list[str]] = {}
    found["grid_without_party_org"] = [
        g["id"]
        for g in T["grids"]
        if not any(
            is_party(o) and o["located_in"] and within(o["located_in"], g["id"])
            for o in orgs.values()
        )
        and not any(
            r["type"] == "COVERS"
            and r["source_id"] in orgs
            and is_party(orgs[r["source_id"]])
            and within(r["target_id"], g["id"])
            for r in links
        )
    ]
    minority: dict[str, int] = {}
    for r in T["population"]:
        if r["ethnic_group"].lower() not in ("汉族", "汉", "han"):
            minority[r["area_id"]] = minority.get(r["area_id"], 0) + int(r["residents"])

    def is_lg(o):
        return o["kind"] == "liaison_group"

    found["area_without_liaison_group"] = [
        a["id"]
        for a in T["residential_areas"]
        if minority.get(a["id"], 0) > 0
        and not any(is_lg(o) and o["located_in"] == a["id"] for o in orgs.values())
        and not covers(is_lg, {a["id"], a["grid_id"]})
    ]
    found["building_without_service_station"] = [
        b["id"]
        for b in T["buildings"]
        if by_building.get(b["id"])
        and not any(
            is_station(o) and o["located_in"] and within(o["located_in"], b["id"])
            for o in orgs.values()
        )
        and not covers(is_station, {b["id"], b["grid_id"]})
    ]
    bgrid = {b["id"]: b["grid_id"] for b in T["buildings"]}
    found["company_unreached"] = [
        c
        for c, b in company_bld.items()
        if not any(reach(o) and o["located_in"] in (c, b) for o in orgs.values())
        and not covers(reach, {c, b, bgrid[b]})
        and c not in recent
        and b not in recent
    ]
    latest: dict[str, tuple[dt.date, int]] = {}
    for r in T["risk_assessments"]:
        d = D(r["assessed_on"])
        if d <= as_of and (r["company_id"] not in latest or d > latest[r["company_id"]][0]):
            latest[r["company_id"]] = (d, LEVEL_OF[r["level"].lower()])
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
        r["id"]
        for r in T["demands"]
        if D(r["raised_on"]) <= as_of
        and (r["status"] != "resolved" or D(r["resolved_on"]) > as_of)
        and (as_of - D(r["raised_on"])).days > DEMAND_MAX_DAYS
    ]
    social = {"PARTNERS_WITH", "SUPPORTS", "MENTORS", "MEMBER_OF"}
    found["liaison_group_isolated"] = [
        o["id"]
        for o in orgs.values()
        if is_lg(o)
        and not any(
            r["type"] in social
            and (
                (r["source_id"] == o["id"] and sector.get(r["target_id"], "ethnic") != "ethnic")
                or (r["target_id"] == o["id"] and sector.get(r["source_id"], "ethnic") != "ethnic")
            )
            for r in links
        )
    ]
    found["liaison_group_without_leadership"] = [
        o["id"]
        for o in orgs.values()
        if is_lg(o)
        and not any(
            r["type"] == "LEADS"
            and r["target_id"] == o["id"]
            and sector.get(r["source_id"]) == "party"
            for r in links
        )
        and (not o["parent_id"] or orgs[o["parent_id"]]["sector"] != "party")
    ]
    workers = {r["target_id"] for r in links if r["type"] == "ASSIGNED_TO"}
    found["key_building_without_worker"] = [
        b["id"]
        for b in T["buildings"]
        if (
            b["key_building"] == "true"
            or len(by_building.get(b["id"], [])) >= KEY_BUILDING_MIN_COMPANIES
        )
        and b["id"] not in workers
    ]
    found["building_not_visited"] = [
        b["id"]
        for b in T["buildings"]
        if by_building.get(b["id"])
        and b["id"] not in recent
        and not any(c in recent for c in by_building[b["id"]])
    ]
    return {k: sorted(v) for k, v in found.items()}


def summary(T: dict[str, list[dict[str, str]]], found: dict[str, list[str]]) -> None:
    print(f"{'table':<20}{'rows':>7}{'seed':>7}{'synthetic':>11}")
    for t, rows in T.items():
        seed = sum(r["source"] == "seed" for r in rows)
        print(f"{t:<20}{len(rows):>7}{seed:>7}{len(rows) - seed:>11}")
    print(f"\ngaps as of {AS_OF} (GAPS.md defaults):")
    for g, ids in found.items():
        shown = ", ".join(ids[:8]) + (" ..." if len(ids) > 8 else "")
        print(f"  {g:<34}{len(ids):>3}  {shown}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="only validate an existing directory")
    args = ap.parse_args(argv)
    if not args.check:
        build(args.out)
    tables = load(args.out)
    found = check(tables)
    summary(tables, found)
    if PLANTED:
        missing = {
            g: sorted(set(PLANTED[g]) ^ set(found[g]))
            for g in PLANTED
            if set(PLANTED[g]) != set(found[g])
        }
        if missing:
            print(f"SELF-CHECK FAILED: findings differ from the planted gaps: {missing}")
            return 1
        print("\nself-check passed: every finding is a planted gap, every planted gap is found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
