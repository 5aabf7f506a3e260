"""The one source of truth for graphmodel's data contract and graph model.

Everything that needs to know a table, a column, a node label, a relationship
type or an enum reads it from here: the validator, the embedded graph builder,
the Neo4j loader, the queries, the Browser style, the templates and the docs
(``graphmodel schema`` renders this module as ``docs/schema.md``).

The input tables follow the data contract, version 2 (``docs/data_contract.md``);
the graph model is graphmodel's own and is documented in ``docs/schema.md``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

CONTRACT_VERSION = 2

ColumnType = Literal["id", "str", "date", "bool", "int", "enum", "ref", "level"]

# ---------------------------------------------------------------------------
# Enums
# ---------------------------------------------------------------------------

GRID_KIND_VALUES = ("residential", "business")
"""Canonical grid kinds: ``residential`` 平面网格 (a micro-grid of a residential area) and
``business`` 立体网格 (a business-district grid over office towers)."""

GRID_KINDS: dict[str, str] = {
    "residential": "residential",
    "business": "business",
    "building": "business",
    "平面": "residential",
    "平面网格": "residential",
    "立体": "business",
    "立体网格": "business",
}
"""Accepted spellings of a grid's ``kind`` mapped to the canonical value (``building``
is version 1's word for ``business``)."""

OWNERSHIPS = ("domestic", "foreign", "joint_venture", "state", "other")

VISIT_STATUSES = ("done", "planned")
"""Visit statuses: a ``planned`` visit is never counted as a visit; blank means ``done``."""

STATION_KINDS = ("service_station", "service_center")
"""Organisation kinds that are party-mass service stations (党群服务站, 服务中心)."""

ORGANIZATION_KINDS = (
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
)

SECTORS = (
    "party",
    "government",
    "business",
    "community",
    "ethnic",
    "religious",
    "education",
    "culture",
    "charity",
)

SECTOR_LABELS: dict[str, str] = {
    "party": "党建 Party",
    "government": "政府 Government",
    "business": "商务 Business",
    "community": "社区 Community",
    "ethnic": "民族 Ethnic",
    "religious": "宗教 Religious",
    "education": "教育 Education",
    "culture": "文化 Culture",
    "charity": "公益 Charity",
}

DEMAND_STATUSES = ("open", "in_progress", "resolved")

CHINESE_SPELLINGS: dict[str, dict[str, str]] = {
    "ownership": {"内资": "domestic", "民营": "domestic", "外资": "foreign", "合资": "joint_venture",
                  "国有": "state", "国企": "state", "其他": "other"},
    "sector": {"党建": "party", "政府": "government", "商务": "business", "企业": "business",
               "社区": "community", "民族": "ethnic", "宗教": "religious", "教育": "education",
               "文化": "culture", "公益": "charity", "慈善": "charity"},
    "organization_kind": {
        "党工委": "party_committee", "党总支": "party_general_branch", "党支部": "party_branch",
        "党群服务站": "service_station", "服务中心": "service_center", "联络组": "liaison_group",
        "理事会": "council", "协会": "association", "联合会": "association",
        "政府部门": "government_office", "合作单位": "partner_institution",
        "宗教场所": "religious_site", "学校": "school", "公共场所": "public_venue",
        "媒体": "media_channel", "慈善组织": "charity", "社会组织": "social_organization"},
    "demand_status": {"未处理": "open", "处理中": "in_progress", "已解决": "resolved"},
    "visit_status": {"已走访": "done", "计划": "planned"},
    "grid_kind": {k: v for k, v in GRID_KINDS.items() if k not in GRID_KIND_VALUES},
}
"""Chinese (and other accepted) spellings of every enum, per enum, mapped to the canonical
value. Values compare after this mapping, in any case."""

HAN_SPELLINGS = frozenset({"汉族", "汉", "han"})
"""Spellings of the Han ethnic group (compared case-insensitively)."""


def is_han(ethnic_group: str) -> bool:
    """Return True when ``ethnic_group`` names the Han majority.

    Examples
    --------
    >>> is_han("汉族"), is_han("HAN"), is_han("回族")
    (True, True, False)
    """
    return ethnic_group.strip().lower() in HAN_SPELLINGS


@dataclass(frozen=True)
class RiskLevel:
    """One level of the five-colour method (五色风险分析法)."""

    level: int
    label_zh: str
    label_en: str
    colour_zh: str
    colour_en: str
    hex: str


RISK_LEVELS: tuple[RiskLevel, ...] = (
    RiskLevel(1, "稳定", "stable", "绿", "green", "#2e9e44"),
    RiskLevel(2, "较稳定", "fairly stable", "蓝", "blue", "#2f6fd0"),
    RiskLevel(3, "一般", "moderate", "黄", "yellow", "#e6c229"),
    RiskLevel(4, "较不稳定", "fairly unstable", "橙", "orange", "#f08a24"),
    RiskLevel(5, "不稳定", "unstable", "红", "red", "#d62d20"),
)


RISK_LABELS: dict[int, str] = {r.level: "Risk" + r.colour_en.capitalize() for r in RISK_LEVELS}
"""Neo4j label of a Company by its latest risk level: 1 ``RiskGreen`` ... 5 ``RiskRed``
(the Browser style selects on labels only)."""


def _risk_spellings() -> dict[str, int]:
    spellings: dict[str, int] = {}
    for r in RISK_LEVELS:
        for word in (str(r.level), r.label_zh, r.label_en, r.colour_zh, r.colour_en):
            spellings[word.lower()] = r.level
        spellings[r.colour_zh + "色"] = r.level
        spellings[r.label_en.replace(" ", "_")] = r.level
    return spellings


RISK_SPELLINGS: dict[str, int] = _risk_spellings()
"""Every accepted spelling of a risk level (lower-cased) mapped to 1..5."""


def parse_risk_level(value: str) -> int | None:
    """Return the risk level 1..5 for any accepted spelling, else None.

    Examples
    --------
    >>> [parse_risk_level(v) for v in ("4", "较不稳定", "Orange", "橙", "red", "bad")]
    [4, 4, 4, 4, 5, None]
    """
    text = value.strip().lower()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return RISK_SPELLINGS.get(text)


def risk_level_info(level: int) -> RiskLevel:
    """Return the :class:`RiskLevel` for a level number 1..5."""
    return RISK_LEVELS[level - 1]


# ---------------------------------------------------------------------------
# Tables of the data contract
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    type: ColumnType = "str"
    required: bool = False
    refs: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    description_zh: str = ""
    description_en: str = ""
    spellings: str = ""
    """Key of :data:`CHINESE_SPELLINGS` holding the enum's other accepted spellings."""
    default: str | None = None
    """Value a blank cell takes (``visits.status`` blank means ``done``)."""


@dataclass(frozen=True)
class Table:
    """One input table of the data contract."""

    name: str
    columns: tuple[Column, ...]
    required: bool = True
    min_rows: int = 0
    label: str | None = None
    keys: tuple[tuple[str, ...], ...] = ()
    title_zh: str = ""
    title_en: str = ""

    @property
    def column_names(self) -> list[str]:
        """Names of the contract columns in documented order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _id(zh: str = "唯一编号", en: str = "unique id across the whole dataset") -> Column:
    return Column("id", "id", True, description_zh=zh, description_en=en)


def _name(zh: str = "中文名称", en: str = "name (Chinese)") -> Column:
    return Column("name", "str", True, description_zh=zh, description_en=en)


SOURCES = ("seed", "public", "synthetic")
"""Values of the optional ``source`` column (provenance of each row)."""


def _provenance(note: bool = True) -> tuple[Column, ...]:
    """The known optional columns every table may carry: source, source_ref, note."""
    columns = (
        Column("source", "enum", enum=SOURCES, description_zh="数据来源：seed 简报 / public 公开资料 / "
               "synthetic 合成", description_en="where the row comes from: seed, public, synthetic"),
        Column("source_ref", description_zh="公开来源的出处或网址",
               description_en="citation or address of a public source"),
    )
    if note:
        columns += (Column("note", description_zh="备注", description_en="note"),)
    return columns


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "streets",
            (
                _id(),
                _name("街道名称", "street (subdistrict) name"),
                Column("name_en", description_zh="英文名称", description_en="English name"),
                Column("district", description_zh="所属区", description_en="district"),
                Column("city", description_zh="所属市", description_en="city"),
                *_provenance(),
            ),
            min_rows=1,
            label="Street",
            title_zh="街道",
            title_en="Streets",
        ),
        Table(
            "residential_areas",
            (
                _id(),
                _name("居民区名称", "residential area name"),
                Column("street_id", "ref", True, refs=("streets",), description_zh="所属街道编号",
                       description_en="id of its street"),
                Column("households", "int", description_zh="户数", description_en="households"),
                *_provenance(),
            ),
            label="ResidentialArea",
            title_zh="居民区",
            title_en="Residential areas",
        ),
        Table(
            "grids",
            (
                _id(),
                _name("网格名称", "grid name"),
                Column(
                    "kind",
                    "enum",
                    True,
                    enum=GRID_KIND_VALUES,
                    spellings="grid_kind",
                    description_zh="网格类型：residential 平面网格（居民区微网格）/ business 立体网格"
                                   "（商圈商务区网格）",
                    description_en="grid kind: residential (平面, a micro-grid of a residential "
                                   "area) or business (立体, over a cluster of office buildings)",
                ),
                Column("street_id", "ref", True, refs=("streets",), description_zh="所属街道编号",
                       description_en="id of its street"),
                Column("area_id", "ref", refs=("residential_areas",),
                       description_zh="所属居民区编号（平面网格必填，立体网格留空）",
                       description_en="id of its residential area (required for a residential "
                                      "grid, blank for a business grid)"),
                *_provenance(),
            ),
            label="Grid",
            title_zh="网格",
            title_en="Grids",
        ),
        Table(
            "buildings",
            (
                _id(),
                _name("楼宇名称", "building name"),
                Column("grid_id", "ref", True, refs=("grids",), description_zh="所属网格编号",
                       description_en="id of its grid"),
                Column("address", description_zh="地址", description_en="address"),
                Column("floors", "int", description_zh="层数", description_en="floors"),
                Column("key_building", "bool", description_zh="是否重点楼宇",
                       description_en="key building (true/false)"),
                *_provenance(),
            ),
            label="Building",
            title_zh="楼宇",
            title_en="Buildings",
        ),
        Table(
            "companies",
            (
                _id(),
                _name("企业名称", "company name"),
                Column("building_id", "ref", True, refs=("buildings",), description_zh="所在楼宇编号",
                       description_en="id of its building"),
                Column("industry", description_zh="行业", description_en="industry"),
                Column("ownership", "enum", enum=OWNERSHIPS, spellings="ownership",
                       description_zh="所有制", description_en="ownership"),
                Column("employees", "int", description_zh="员工人数", description_en="employees"),
                Column("lease_expires", "date", description_zh="租约到期日",
                       description_en="lease expiry date"),
                Column("relocation_intent", "bool", description_zh="是否有迁出意向",
                       description_en="intends to relocate"),
                *_provenance(),
            ),
            label="Company",
            title_zh="企业",
            title_en="Companies",
        ),
        Table(
            "organizations",
            (
                _id(),
                _name("组织名称", "organization name"),
                Column("kind", "enum", True, enum=ORGANIZATION_KINDS,
                       spellings="organization_kind", description_zh="组织类型",
                       description_en="organization kind"),
                Column("sector", "enum", True, enum=SECTORS, spellings="sector",
                       description_zh="所属领域", description_en="sector"),
                Column(
                    "located_in",
                    "ref",
                    refs=("streets", "grids", "residential_areas", "buildings", "companies"),
                    description_zh="所在地点编号（空=辖区外）",
                    description_en="id of the place it is in (blank = outside the area)",
                ),
                Column("parent_id", "ref", refs=("organizations",), description_zh="上级组织编号",
                       description_en="id of its parent organization"),
                *_provenance(),
            ),
            label="Organization",
            title_zh="组织",
            title_en="Organizations",
        ),
        Table(
            "people",
            (
                _id(),
                _name("姓名", "name"),
                Column("role", "str", True, description_zh="公开职务/角色",
                       description_en="public role"),
                Column("organization_id", "ref", refs=("organizations",),
                       description_zh="所属组织编号", description_en="id of their organization"),
                *_provenance(),
            ),
            required=False,
            label="Person",
            title_zh="人员",
            title_en="People",
        ),
        Table(
            "population",
            (
                Column("area_id", "ref", True, refs=("streets", "residential_areas"),
                       description_zh="街道或居民区编号", description_en="street or residential area id"),
                Column("ethnic_group", "str", True, description_zh="民族",
                       description_en="ethnic group"),
                Column("residents", "int", True, description_zh="人数", description_en="residents"),
                Column("registered", "int", description_zh="其中户籍人数",
                       description_en="of whom registered here"),
                *_provenance(),
            ),
            required=False,
            label="Population",
            keys=(("area_id", "ethnic_group"),),
            title_zh="人口（按民族统计）",
            title_en="Population by ethnic group",
        ),
        Table(
            "links",
            (
                Column("source_id", "ref", True, refs=("*",), description_zh="起点编号",
                       description_en="source entity id"),
                Column("type", "enum", True, enum=(), description_zh="关系类型",
                       description_en="link type"),
                Column("target_id", "ref", True, refs=("*",), description_zh="终点编号",
                       description_en="target entity id"),
                Column("since", "date", description_zh="开始日期", description_en="active from"),
                Column("until", "date", description_zh="结束日期", description_en="active until"),
                Column("note", description_zh="备注", description_en="note"),
                *_provenance(note=False),
            ),
            required=False,
            keys=(("source_id", "type", "target_id", "since"),),
            title_zh="关系",
            title_en="Links",
        ),
        Table(
            "visits",
            (
                Column("visitor_id", "ref", True, refs=("people", "organizations"),
                       description_zh="走访人或组织编号", description_en="visiting person or organization"),
                Column("target_id", "ref", True, refs=("buildings", "companies"),
                       description_zh="走访楼宇或企业编号", description_en="visited building or company"),
                Column("date", "date", True, description_zh="走访日期", description_en="visit date"),
                Column("purpose", description_zh="走访事由", description_en="purpose"),
                Column("status", "enum", enum=VISIT_STATUSES, spellings="visit_status",
                       default="done",
                       description_zh="状态：done 已走访（空=已走访）/ planned 计划（计划中的走访不计入）",
                       description_en="done (blank) or planned; a planned visit never counts"),
                *_provenance(),
            ),
            required=False,
            title_zh="走访",
            title_en="Visits",
        ),
        Table(
            "demands",
            (
                _id(),
                Column("company_id", "ref", True, refs=("companies",), description_zh="企业编号",
                       description_en="company id"),
                Column("raised_on", "date", True, description_zh="提出日期",
                       description_en="date raised"),
                Column("category", "str", True, description_zh="诉求类别",
                       description_en="category"),
                Column("status", "enum", True, enum=DEMAND_STATUSES, spellings="demand_status",
                       description_zh="状态 open 未处理 / in_progress 处理中 / resolved 已解决",
                       description_en="status"),
                Column("resolved_on", "date", description_zh="解决日期（已解决时必填）",
                       description_en="date resolved (required when resolved)"),
                Column("handled_by", "ref", refs=("organizations",), description_zh="承办组织编号",
                       description_en="handling organization"),
                *_provenance(),
            ),
            required=False,
            label="Demand",
            title_zh="企业诉求",
            title_en="Company demands",
        ),
        Table(
            "risk_assessments",
            (
                Column("company_id", "ref", True, refs=("companies",), description_zh="企业编号",
                       description_en="company id"),
                Column("assessed_on", "date", True, description_zh="评估日期",
                       description_en="assessment date"),
                Column("level", "level", True,
                       description_zh="五色等级：1-5 / 稳定…不稳定 / 绿蓝黄橙红",
                       description_en="five-colour level: 1-5, label or colour"),
                Column("reason", description_zh="判定理由", description_en="reason"),
                *_provenance(),
            ),
            required=False,
            label="RiskAssessment",
            keys=(("company_id", "assessed_on"),),
            title_zh="五色风险评估",
            title_en="Risk assessments (five colours)",
        ),
    )
}
"""The contract's tables in documented order."""

ENTITY_TABLES = ("streets", "residential_areas", "grids", "buildings", "companies",
                 "organizations", "people", "demands")
"""Tables whose rows carry an ``id`` in the shared id space."""

PLACE_TABLES = ("streets", "residential_areas", "grids", "buildings", "companies")
"""Place tables, outermost first: a street contains its residential areas and business
grids, an area its residential grids, a grid its buildings, a building its companies."""

PRIVACY_FORBIDDEN = re.compile(
    r"ethnic|民族|id_?number|身份证|phone|手机|mobile|电话", re.IGNORECASE
)
"""Column names that may not appear in ``people`` (ethnicity, ID card, phone)."""

# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------

ANY = ("streets", "grids", "residential_areas", "buildings", "companies", "organizations",
       "people", "demands")
ASSIGNABLE = ("residential_areas", "grids", "buildings", "companies")


@dataclass(frozen=True)
class LinkType:
    """A link type of the contract with its allowed endpoint tables."""

    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    title_zh: str
    description_en: str
    symmetric: bool = False


LINK_TYPES: dict[str, LinkType] = {
    t.name: t
    for t in (
        LinkType("COVERS", ("organizations",), ("streets", *ASSIGNABLE), "服务覆盖",
                 "service responsibility for that place and all it contains (a link to a "
                 "street is accepted and covers nothing)"),
        LinkType("LEADS", ("organizations",), ("organizations",), "党建引领",
                 "party leadership"),
        LinkType("PARTNERS_WITH", ("organizations", "companies"), ("organizations", "companies"),
                 "合作共建", "partnership, read in both directions", symmetric=True),
        LinkType("SUPPORTS", ("organizations", "companies", "people"), ANY, "资助支持",
                 "aid, donation, funding"),
        LinkType("MENTORS", ("organizations", "people"), ("organizations", "people"), "结对帮扶",
                 "pairing support (结对助学)"),
        LinkType("MEMBER_OF", ("organizations", "companies", "people"), ("organizations",),
                 "成员", "membership"),
        LinkType("ASSIGNED_TO", ("people",), ASSIGNABLE, "包干负责", "a worker's assigned beat"),
        LinkType("SERVES", ("organizations",), ANY, "服务", "other service relationship"),
    )
}

# ---------------------------------------------------------------------------
# Graph model (embedded networkx graph and Neo4j alike)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeLabel:
    """A node label of the graph model."""

    name: str
    table: str
    title_zh: str
    title_en: str
    colour: str
    caption: str = "name"


NODE_LABELS: dict[str, NodeLabel] = {
    n.name: n
    for n in (
        NodeLabel("Street", "streets", "街道", "Street", "#8e44ad"),
        NodeLabel("Grid", "grids", "网格", "Grid", "#16a085"),
        NodeLabel("ResidentialArea", "residential_areas", "居民区", "Residential area", "#27ae60"),
        NodeLabel("Building", "buildings", "楼宇", "Building", "#2c3e50"),
        NodeLabel("Company", "companies", "企业", "Company", "#7f8c8d"),
        NodeLabel("Organization", "organizations", "组织", "Organization", "#c0392b"),
        NodeLabel("Person", "people", "人员", "Person", "#d35400"),
        NodeLabel("Demand", "demands", "诉求", "Demand", "#f39c12", caption="category"),
        NodeLabel("RiskAssessment", "risk_assessments", "风险评估", "Risk assessment",
                  "#95a5a6", caption="label_zh"),
        NodeLabel("Population", "population", "民族人口", "Population group", "#1abc9c",
                  caption="ethnic_group"),
    )
}
"""Node labels. Every node also has the properties ``id`` and ``dataset``."""

LABEL_OF_TABLE: dict[str, str] = {n.table: n.name for n in NODE_LABELS.values()}


@dataclass(frozen=True)
class RelType:
    """A relationship type of the graph model (beyond the contract's link types)."""

    name: str
    start: str
    end: str
    origin: str
    title_zh: str
    description_en: str


STRUCTURAL_RELS: dict[str, RelType] = {
    r.name: r
    for r in (
        RelType("PART_OF", "ResidentialArea|Grid|Building|Company",
                "Street|ResidentialArea|Grid|Building",
                "residential_areas.street_id, grids.area_id (residential grids) or "
                "grids.street_id (business grids), buildings.grid_id, companies.building_id",
                "隶属", "place containment: child is part of parent (a tree)"),
        RelType("LOCATED_IN", "Organization", "Street|Grid|ResidentialArea|Building|Company",
                "organizations.located_in", "位于", "organization is located in a place"),
        RelType("CHILD_OF", "Organization", "Organization", "organizations.parent_id", "下属",
                "organization hierarchy: child organization of parent"),
        RelType("WORKS_FOR", "Person", "Organization", "people.organization_id", "就职",
                "person belongs to an organization"),
        RelType("VISITED", "Person|Organization", "Building|Company", "visits", "走访",
                "a visit on `date` with `purpose` and `status` (done or planned; one "
                "relationship per visit row)"),
        RelType("RAISED", "Company", "Demand", "demands.company_id", "提出诉求",
                "company raised a demand"),
        RelType("HANDLES", "Organization", "Demand", "demands.handled_by", "承办",
                "organization handles a demand"),
        RelType("ASSESSED", "Company", "RiskAssessment", "risk_assessments.company_id", "风险评估",
                "company was assessed on `assessed_on`"),
        RelType("HAS_POPULATION", "Street|ResidentialArea", "Population", "population.area_id",
                "民族人口", "area has residents of an ethnic group (counts only)"),
    )
}

CONTAINMENT_REL = "PART_OF"
LINK_REL_TYPES = tuple(LINK_TYPES)
ALL_REL_TYPES = tuple(STRUCTURAL_RELS) + LINK_REL_TYPES


def enum_values(column: Column) -> tuple[str, ...]:
    """Return the canonical values of an enum column (link types included)."""
    if column.name == "type" and not column.enum:
        return LINK_REL_TYPES
    return column.enum


@functools.cache
def enum_spellings(column: Column) -> dict[str, str]:
    """Every accepted spelling of an enum column, lower-cased, mapped to its canonical value.

    Examples
    --------
    >>> spellings = enum_spellings(TABLES["grids"].column("kind"))
    >>> spellings["building"], spellings["立体"], spellings["residential"]
    ('business', 'business', 'residential')
    """
    found = {value.lower(): value for value in enum_values(column)}
    for spelling, value in CHINESE_SPELLINGS.get(column.spellings, {}).items():
        found[spelling.lower()] = value
    return found


def canonical_enum(column: Column, value: str) -> str | None:
    """The canonical value of ``value`` in an enum column (any case), else None.

    Examples
    --------
    >>> canonical_enum(TABLES["organizations"].column("kind"), "党群服务站")
    'service_station'
    >>> canonical_enum(TABLES["companies"].column("ownership"), "Foreign")
    'foreign'
    >>> canonical_enum(TABLES["demands"].column("status"), "closed") is None
    True
    """
    return enum_spellings(column).get(value.strip().lower())


def population_node_id(area_id: str, ethnic_group: str) -> str:
    """Id of a population node: unique because (area_id, ethnic_group) is a key."""
    return f"{area_id}#pop#{ethnic_group}"


def assessment_node_id(company_id: str, assessed_on: str) -> str:
    """Id of a risk assessment node: unique because (company_id, assessed_on) is a key."""
    return f"{company_id}#risk#{assessed_on}"
