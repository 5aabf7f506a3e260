"""Synthetic datasets at street, district and city scale (for tests and benchmarks).

``graphmodel generate --tier street|district|city [--seed N] --out DIR`` writes one
CSV per table of the data contract, version 2 (UTF-8, contract columns only) plus
``generate.json``, a manifest with the tier, the seed, the row counts, the planted
gap rates and the number of findings each gap must report on :data:`AS_OF` with the
default parameters of the gap definitions (docs/gaps.md). The same tier and seed
always give byte-identical files.

The place hierarchy is the one of 静安寺街道 ("1 + 11 + 37"): each street holds its
residential areas and its business-district grids (``business``, 立体网格, over
clusters of office towers); each residential area holds its residential micro-grids
(``residential``, 平面网格, ``area_id`` set); buildings stand in grids of either kind,
companies in buildings. Proportions follow the shipped dataset (≈ 11 companies per
building with a long tail, ≈ 3 micro-grids per residential area, 2 visits, 1 risk
assessment and 0.2 demands per company); see :data:`TIERS`.

Accepted spellings are mixed in where the contract allows them: grid kinds
(``business``, ``building``, ``立体``, ``residential``, ``平面``), Chinese spellings of
ownership, organisation kind and sector, demand and visit status (民营, 党群服务站,
党建, 已解决, 已走访, 计划 ...), booleans, risk levels and ``YYYY/MM/DD`` dates. Some
visits are ``planned`` (never counted as visits), some ``COVERS`` links name a whole
residential area (covering its grids, buildings and companies) and a few name a
street (accepted; they cover nothing).

Everything is drawn with numpy in whole arrays (no Python loop per row), so the
city tier (≈ 1 M companies, 2 M visits, 1 M assessments) takes a few seconds
plus the time pandas needs to write the CSVs.

Planted gaps (rates of :data:`RATES`, each at least one finding per tier; every
other entity is built so that it is *not* a finding, so the number of findings
is known exactly and recorded in the manifest):

================================ ================================================
gap                              how it is planted
================================ ================================================
grid_without_party_org           ``bare_grid`` of the business grids have no
                                 station, no party branch and only an expired,
                                 future or non-party ``COVERS`` (and the street's
                                 party centre ``COVERS`` the street, which covers
                                 nothing)
area_without_liaison_group       ``area_without_group`` of the areas have no group,
                                 minority residents, and only an expired ``COVERS``
                                 from a group or an active one from a council
building_without_service_station every building with companies in a bare grid, plus
                                 ``dropped_cover`` of the buildings whose station
                                 covers them one by one (link missing, expired or
                                 future); residential buildings are covered through
                                 their grid or their whole area
company_unreached                the companies of the buildings above that are also
                                 in ``not_visited`` (no party org, no cover, no visit)
risk_without_followup            ``no_followup`` of the companies whose latest
                                 assessment is orange/red and overdue; the others
                                 get a follow-up visit or a resolved demand in time
                                 (visits in the span are dropped or only planned)
stale_demand                     ``stale_demand`` of the demands raised more than 30
                                 days before AS_OF are left open, plus those resolved
                                 only after AS_OF
liaison_group_isolated           ``isolated_group`` of the groups link only to ethnic
                                 organisations (or through expired/future links)
liaison_group_without_leadership ``leaderless_group`` of the groups: no active
                                 ``LEADS`` from a party org, parent blank or ethnic
key_building_without_worker      ``key_without_worker`` of the key buildings: no
                                 ``ASSIGNED_TO``, or an expired or future one
building_not_visited             ``not_visited`` of the buildings with companies
                                 (half of the unserved ones, a share of the others);
                                 their recent visits are moved back or only planned
grid_without_worker              ``grid_without_worker`` of the grids: no
                                 ``ASSIGNED_TO`` to the grid, an expired or future
                                 one, or only one to the grid's residential area
================================ ================================================

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     result = generate("street", seed=1, out=tmp)
...     result.counts["streets"], result.counts["residential_areas"], result.counts["grids"]
(1, 11, 37)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graphmodel import schema, settings

DEFAULT_SEED = 20250101
AS_OF = settings.DEMO_AS_OF
"""The date the planted gaps are designed for (the shipped dataset's date too)."""

PERIOD = ("2025-01-01", "2026-12-31")
"""Visits, demands and assessments are dated in this span (some after AS_OF)."""

# Gaps are planted for the default gap parameters (graphmodel.settings).
VISIT_WINDOW_DAYS = settings.GAP_DEFAULTS.visit_window_days
FOLLOWUP_DAYS = settings.GAP_DEFAULTS.followup_days
DEMAND_MAX_DAYS = settings.GAP_DEFAULTS.demand_max_days
KEY_BUILDING_MIN_COMPANIES = settings.GAP_DEFAULTS.key_building_min_companies


@dataclass(frozen=True)
class Tier:
    """Target sizes of one tier."""

    name: str
    streets: int
    residential_areas: int
    residential_grids: int
    business_grids: int
    buildings: int
    companies: int
    visits: int
    assessments: int
    demands: int


TIERS: dict[str, Tier] = {
    t.name: t
    for t in (
        # 静安寺街道 itself: "1 + 11 + 37", 11 residential areas holding 32 micro-grids
        # and 5 business-district grids; ~45 buildings, ~500 companies.
        Tier("street", 1, 11, 32, 5, 45, 500, 1_000, 500, 100),
        # 静安区: 14 streets (13 streets + 1 town), ~270 residential areas, ~1,500 grids.
        Tier("district", 14, 270, 780, 730, 9_000, 100_000, 200_000, 100_000, 20_000),
        # 上海市: ~215 streets, 6,000+ residential areas, ~19,500 grids, ~1 M companies.
        Tier("city", 215, 6_200, 12_500, 7_000, 90_000, 1_000_000, 2_000_000, 1_000_000,
             200_000),
    )
}

RATES: dict[str, float] = {
    "bare_grid": 0.03,             # of business grids: no party org, no station
    "building_cover_mode": 0.40,   # of served business grids: station COVERS each building
    "area_cover_mode": 0.50,       # of areas: the centre COVERS the area, not each micro-grid
    "dropped_cover": 0.06,         # of buildings covered one by one: cover missing/expired/future
    "not_visited": 0.03,           # of other buildings with companies: no recent visit
    "not_visited_unserved": 0.50,  # of unserved buildings with companies: no recent visit
    "area_no_group": 0.15,         # of residential areas: no liaison group of their own
    "area_without_group": 0.50,    # of those: minority residents and no group covering them
    "area_minorities": 0.90,       # of areas with a group: minority residents
    "isolated_group": 0.08,        # of liaison groups
    "leaderless_group": 0.08,      # of liaison groups
    "key_flag": 0.06,              # of buildings flagged key_building
    "key_without_worker": 0.08,    # of key buildings
    "no_followup": 0.10,           # of companies whose latest assessment is overdue orange/red
    "stale_demand": 0.04,          # of demands raised > 30 days before AS_OF
    "grid_without_worker": 0.08,   # of grids: no active ASSIGNED_TO to the grid itself
    "grid_party_branch": 0.30,     # of residential grids: a party branch located in the grid
    "planned_visits": 0.03,        # of background visits up to AS_OF: only planned
    "slash_dates": 0.05,           # of dates written YYYY/MM/DD
    "chinese_enums": 0.10,         # of enum cells (ownership, kind, sector, status): in Chinese
}
"""Planted rates (each rounded to a whole number of entities, at least one)."""

LEVEL_WEIGHTS = (0.30, 0.27, 0.30, 0.09, 0.04)
LEVEL_SPELLINGS: tuple[tuple[str, ...], ...] = tuple(
    (str(r.level), r.label_zh, r.label_en, r.label_en.replace(" ", "_"), r.colour_zh,
     r.colour_zh + "色", r.colour_en, r.colour_en.capitalize(), r.colour_en.upper())
    for r in schema.RISK_LEVELS
)
"""Accepted spellings written for each risk level (digits, labels, colours)."""

# ---------------------------------------------------------------------------
# Word lists (synthetic names)
# ---------------------------------------------------------------------------

TOKENS = np.array(list("恒信华安嘉瑞博远成泰鼎盛睿启明达辰宏卓越锦海欣融致衡润和昊谦朗峰澄拓源聚"
                       "丰裕祥康宁兴隆福顺德"), dtype=object)
PINYIN = np.array(
    ["Heng", "Xin", "Hua", "An", "Jia", "Rui", "Bo", "Yuan", "Cheng", "Tai", "Ding", "Sheng",
     "Rui", "Qi", "Ming", "Da", "Chen", "Hong", "Zhuo", "Yue", "Jin", "Hai", "Xin", "Rong", "Zhi",
     "Heng", "Run", "He", "Hao", "Qian", "Lang", "Feng", "Cheng", "Tuo", "Yuan", "Ju", "Feng", "Yu",
     "Xiang", "Kang", "Ning", "Xing", "Long", "Fu", "Shun", "De"], dtype=object)
DISTRICTS = np.array(["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
                      "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"],
                     dtype=object)
DISTRICT_WEIGHTS = np.array([10, 13, 10, 14, 10, 8, 12, 14, 14, 12, 36, 11, 17, 11, 11, 18], float)
ROADS = np.array(["南京西路", "愚园路", "华山路", "常德路", "延安中路", "万航渡路", "镇宁路", "北京西路",
                  "武定路", "江宁路", "威海路", "新闸路", "长乐路", "陕西北路", "胶州路", "康定路"],
                 dtype=object)
BUILDING_SUFFIX = np.array(["大厦", "广场", "中心", "商务楼", "国际大厦", "科技园"], dtype=object)
INDUSTRIES = np.array(["信息技术", "商务咨询", "金融投资", "文化传媒", "医药健康", "贸易", "人力资源",
                       "广告营销", "建筑设计", "教育培训", "法律服务", "餐饮", "零售", "物业管理"],
                      dtype=object)
INDUSTRY_SUFFIX = np.array(["信息科技", "商务咨询", "投资管理", "文化传媒", "医药科技", "贸易",
                            "人力资源", "广告", "建筑设计", "教育科技", "法律咨询", "餐饮管理", "商业",
                            "物业管理"], dtype=object)
INDUSTRY_WEIGHTS = np.array([16, 14, 10, 8, 6, 10, 7, 6, 4, 4, 4, 4, 4, 3], float)
OWNERSHIPS = np.array(list(schema.OWNERSHIPS), dtype=object)
OWNERSHIP_WEIGHTS = np.array([60, 22, 8, 6, 4], float)
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙朱胡沈陆顾钱马郭何高林罗郑梁谢宋唐许韩冯邓曹"),
                    dtype=object)
GIVEN = np.array(["敏", "静", "丽", "强", "磊", "洁", "婷", "伟", "芳", "军", "勇", "艳", "佳怡", "志明",
                  "晓燕", "海燕", "建华", "文杰", "雪梅", "国庆", "卫东", "秀英", "慧", "颖", "子涵",
                  "思远", "一鸣", "欣怡"], dtype=object)
MINORITIES = np.array(["回族", "满族", "蒙古族", "朝鲜族", "壮族", "土家族", "苗族", "藏族", "维吾尔族",
                       "白族", "布依族", "彝族", "侗族", "瑶族", "畲族", "哈萨克族", "锡伯族", "傣族",
                       "黎族", "纳西族", "达斡尔族", "羌族", "仡佬族", "土族", "哈尼族", "东乡族",
                       "水族", "鄂温克族", "傈僳族", "高山族", "拉祜族", "佤族", "景颇族", "柯尔克孜族",
                       "撒拉族", "毛南族", "仫佬族", "布朗族", "普米族", "阿昌族", "塔吉克族", "怒族",
                       "乌孜别克族", "俄罗斯族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
                       "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"], dtype=object)
HAN = np.array(["汉族"] * 17 + ["汉", "Han", "han"], dtype=object)
VISIT_PURPOSES = np.array(["跑楼走访", "企业需求了解", "党建指导", "政策宣传", "稳商留商回访",
                           "白领活动对接"], dtype=object)
DEMAND_CATEGORIES = np.array(["办公选址", "租金与租约", "人才招聘", "人才落户", "政策咨询", "工商注册变更",
                              "税务服务", "融资对接", "党建指导", "员工子女入学", "停车与交通",
                              "物业协调"], dtype=object)
RISK_REASONS = np.array([["经营正常", "租约稳定，经营正常"], ["经营基本稳定", "人员小幅流动"],
                         ["营收有所下滑", "租约一年内到期"], ["租约到期且有外迁意向", "营收明显下滑"],
                         ["拖欠租金且有外迁迹象", "经营异常"]], dtype=object)
TRUE_SPELLINGS = np.array(["true"] * 6 + ["是", "1", "yes", "TRUE"], dtype=object)
FALSE_SPELLINGS = np.array(["false"] * 6 + ["否", "0", "no", "FALSE"], dtype=object)

# ---------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------

EPOCH = np.datetime64("1970-01-01", "D")


def day_number(text: str) -> int:
    """Days since 1970-01-01 of an ISO date.

    Examples
    --------
    >>> day_number("1970-01-02")
    1
    """
    return int((np.datetime64(text, "D") - EPOCH).astype(np.int64))


D_START, D_END, D_AS_OF = day_number(PERIOD[0]), day_number(PERIOD[1]), day_number(AS_OF)
D_PAST = day_number("2019-01-01")  # links start between this day and PERIOD[0]


def ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` followed by 1..n zero-padded to ``width`` digits.

    Examples
    --------
    >>> ids("C-", 3, 4).tolist()
    ['C-0001', 'C-0002', 'C-0003']
    """
    numbers = np.strings.zfill(np.arange(1, n + 1).astype(np.str_), width)
    return np.strings.add(prefix, numbers).astype(object)


def date_text(days: np.ndarray, rng: np.random.Generator | None = None,
              slash_rate: float = 0.0) -> np.ndarray:
    """ISO date strings for day numbers; negative day numbers become blanks.

    Examples
    --------
    >>> date_text(np.array([0, -1, 20819])).tolist()
    ['1970-01-01', '', '2027-01-01']
    """
    days = np.asarray(days, dtype=np.int64)
    missing = days < 0
    text = np.datetime_as_string((EPOCH + np.where(missing, 0, days)).astype("datetime64[D]"),
                                 unit="D")
    if rng is not None and slash_rate:
        slash = (rng.random(len(days)) < slash_rate) & ~missing
        if slash.any():
            text[slash] = np.strings.replace(text[slash], "-", "/")
    text = text.astype(object)
    text[missing] = ""
    return text


def pick(rng: np.random.Generator, candidates: np.ndarray, rate: float,
         minimum: int = 1) -> np.ndarray:
    """A sorted random subset of ``candidates``: ``round(rate * n)`` of them, at least ``minimum``."""
    candidates = np.asarray(candidates)
    k = min(len(candidates), max(minimum, round(rate * len(candidates))))
    return np.sort(rng.choice(candidates, size=k, replace=False)) if k else candidates[:0]


def choose(rng: np.random.Generator, values: np.ndarray, n: int,
           weights: np.ndarray | None = None) -> np.ndarray:
    """``n`` values drawn with replacement (optionally weighted)."""
    p = None if weights is None else weights / weights.sum()
    return values[rng.choice(len(values), size=n, p=p)]


def mask_of(n: int, indices: np.ndarray) -> np.ndarray:
    """Boolean mask of length ``n`` that is True at ``indices``."""
    mask = np.zeros(n, dtype=bool)
    mask[indices] = True
    return mask


def first_of_group(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group 0..n_groups-1, the first index i with ``groups[i] == group`` (-1 if none)."""
    first = np.full(n_groups, -1, dtype=np.int64)
    present, index = np.unique(groups, return_index=True)
    first[present] = index
    return first


def rank_in_group(groups: np.ndarray) -> np.ndarray:
    """1-based rank of each element within its group (groups sorted ascending)."""
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    lengths = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, lengths) + 1


def bool_text(rng: np.random.Generator, values: np.ndarray, blank_rate: float = 0.0) -> np.ndarray:
    """Booleans in mixed accepted spellings (true/false, 是/否, 1/0, yes/no), some blank."""
    n = len(values)
    text = np.where(values, choose(rng, TRUE_SPELLINGS, n), choose(rng, FALSE_SPELLINGS, n))
    text = text.astype(object)
    text[rng.random(n) < blank_rate] = ""
    return text


def int_text(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers as text, blanks where ``missing``."""
    text = np.asarray(values, dtype=np.int64).astype(np.str_).astype(object)
    if missing is not None:
        text[missing] = ""
    return text


def chinese_spelling(rng: np.random.Generator, values: np.ndarray, enum: str,
                     rate: float | None = None) -> np.ndarray:
    """Canonical enum values with about ``rate`` of them written in a Chinese spelling.

    ``enum`` is a key of :data:`graphmodel.schema.CHINESE_SPELLINGS`; values without a
    Chinese spelling (and blanks) stay as they are.

    Examples
    --------
    >>> out = chinese_spelling(np.random.default_rng(0), np.array(["resolved"] * 4, object),
    ...                        "demand_status", rate=1.0)
    >>> out.tolist()
    ['已解决', '已解决', '已解决', '已解决']
    """
    rate = RATES["chinese_enums"] if rate is None else rate
    spellings = schema.CHINESE_SPELLINGS[enum]
    out = np.asarray(values, dtype=object).copy()
    chosen = rng.random(len(out)) < rate
    which = rng.random(len(out))
    for value in sorted(set(out[chosen].tolist())):  # a loop over a few enum values only
        words = np.array(sorted(k for k, v in spellings.items() if v == value), dtype=object)
        if len(words):
            sel = chosen & (out == value)
            out[sel] = words[(which[sel] * len(words)).astype(np.int64)]
    return out


def two_token_names(rng: np.random.Generator, n: int, distinct: bool = False
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Two-character synthetic name stems and their pinyin (distinct when asked and possible)."""
    k = len(TOKENS)
    if distinct and n <= k * (k - 1):
        combos = rng.permutation(k * k)
        combos = combos[combos // k != combos % k][:n]
    else:
        combos = rng.integers(0, k * k, n)
    a, b = combos // k, combos % k
    return TOKENS[a] + TOKENS[b], PINYIN[a] + np.strings.lower(PINYIN[b].astype(np.str_)).astype(
        object)


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


@dataclass
class GenerateResult:
    """What :func:`generate` wrote."""

    tier: str
    seed: int
    out: Path
    counts: dict[str, int]
    expected: dict[str, int]
    seconds: float
    write_seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)


class _Links:
    """Collects link rows as arrays (day numbers, -1 = blank)."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, source: np.ndarray, type_: str, target: np.ndarray, since: Any = -1,
            until: Any = -1, note: str = "") -> None:
        n = len(source)
        if not n:
            return
        self.parts.append({
            "source_id": np.asarray(source, dtype=object),
            "type": np.full(n, type_, dtype=object),
            "target_id": np.asarray(target, dtype=object),
            "since": np.broadcast_to(np.asarray(since, dtype=np.int64), (n,)).copy(),
            "until": np.broadcast_to(np.asarray(until, dtype=np.int64), (n,)).copy(),
            "note": np.full(n, note, dtype=object),
        })

    def frame(self, rng: np.random.Generator) -> pd.DataFrame:
        cols = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        frame = pd.DataFrame(cols)
        frame = frame.drop_duplicates(["source_id", "type", "target_id", "since"], keep="first")
        frame["since"] = date_text(frame["since"].to_numpy(), rng, RATES["slash_dates"])
        frame["until"] = date_text(frame["until"].to_numpy(), rng, RATES["slash_dates"])
        return frame.reset_index(drop=True)


def _past(rng: np.random.Generator, n: int, blank_rate: float = 0.4) -> np.ndarray:
    """Start days of long-standing links: between 2019 and PERIOD start, some blank."""
    days = rng.integers(D_PAST, D_START, n)
    days[rng.random(n) < blank_rate] = -1
    return days


def _expired(rng: np.random.Generator, n: int) -> np.ndarray:
    """End days before AS_OF (the link is no longer active)."""
    return rng.integers(D_START, D_AS_OF - 30, n)


def _future(rng: np.random.Generator, n: int) -> np.ndarray:
    """Start days after AS_OF (the link is not active yet)."""
    return rng.integers(D_AS_OF + 1, D_END + 1, n)


def generate(tier: str, seed: int = DEFAULT_SEED, out: str | Path = "generated",
             force: bool = False) -> GenerateResult:
    """Write a synthetic dataset of ``tier`` to ``out`` and return what was written.

    Never destroys data: a directory that holds files is refused
    (:class:`~graphmodel.errors.TargetNotEmptyError`) unless ``force``; a symbolic link
    at ``out`` is always refused. The files are written to a temporary sibling directory
    and renamed into place, so a full or read-only disk leaves nothing half-written
    (:class:`~graphmodel.errors.WriteError`).

    Parameters
    ----------
    tier : {"street", "district", "city"}
        Size, see :data:`TIERS`.
    seed : int
        Random seed; the same seed gives byte-identical files.
    out : str or pathlib.Path
        Directory to write (created; it must be empty unless ``force``).
    force : bool
        Replace the tables and ``generate.json`` already in ``out`` (other files stay).

    Returns
    -------
    GenerateResult
        Row counts, expected findings per gap on :data:`AS_OF`, timings.
    """
    from graphmodel.errors import UsageError
    from graphmodel.io import output_path, write_directory_atomically

    if tier not in TIERS:
        raise UsageError(f"unknown tier {tier!r}; known: {', '.join(TIERS)}")
    out = output_path(out)
    started = time.perf_counter()
    t = TIERS[tier]
    rng = np.random.default_rng([seed, list(TIERS).index(tier)])
    tables, expected, planted = _build(t, rng)
    built = time.perf_counter()
    counts = {name: len(frame) for name, frame in tables.items()}
    manifest = {
        "generator": "graphmodel.generate",
        "tier": tier,
        "seed": seed,
        "as_of": AS_OF,
        "period": list(PERIOD),
        "params": dict(settings.DEFAULT_PARAMS),
        "rates": RATES,
        "planted": planted,
        "counts": counts,
        "expected_findings": expected,
    }

    def write(directory: Path) -> None:
        for name, frame in tables.items():
            frame.to_csv(directory / f"{name}.csv", index=False, lineterminator="\n",
                         encoding="utf-8")
        (directory / "generate.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    write_directory_atomically(out, write, force=force,
                               names=[f"{name}.csv" for name in tables] + ["generate.json"])
    finished = time.perf_counter()
    return GenerateResult(tier, seed, out, counts, expected, finished - started,
                          finished - built, manifest)


def _build(t: Tier, rng: np.random.Generator
           ) -> tuple[dict[str, pd.DataFrame], dict[str, int], dict[str, int]]:
    # The big tables are drawn first, each from its own child generator, so that
    # the number of draws made for small tables never shifts them.
    r = rng.spawn(8)
    places = _places(t, r[0])
    orgs = _organizations(t, r[1], places)
    people = _people(t, r[2], places, orgs)
    links = _links(t, r[3], places, orgs, people)
    risks = _assessments(t, r[4], places)
    demands = _demands(t, r[5], places, orgs, risks)
    visits = _visits(t, r[6], places, orgs, people, risks, demands)
    population = _population(t, r[7], places, orgs)
    tables = {
        "streets": places["streets"],
        "grids": places["grids"],
        "residential_areas": places["areas"],
        "buildings": places["buildings"],
        "companies": places["companies"],
        "organizations": orgs["frame"],
        "people": people["frame"],
        "population": population,
        "links": links,
        "visits": visits,
        "demands": demands["frame"],
        "risk_assessments": risks["frame"],
    }
    # contract columns in documented order (the optional source/source_ref/note are left out)
    tables = {name: tables[name][[c for c in schema.TABLES[name].column_names
                                  if c in tables[name].columns]] for name in schema.TABLES}
    p = places
    unserved = p["unserved"] & (p["company_count"] > 0)
    expected = {
        "grid_without_party_org": int(p["bare_grid"].sum()),
        "area_without_liaison_group": int(orgs["area_gap"].sum()),
        "building_without_service_station": int(unserved.sum()),
        "company_unreached": int(p["company_count"][unserved & p["not_visited"]].sum()),
        "risk_without_followup": len(risks["planted"]["company"]),
        "stale_demand": demands["stale"],
        "liaison_group_isolated": int(orgs["isolated"].sum()),
        "liaison_group_without_leadership": int(orgs["leaderless"].sum()),
        "key_building_without_worker": int(people["key_gap"].sum()),
        "building_not_visited": int(p["not_visited"].sum()),
        "grid_without_worker": int(people["grid_gap"].sum()),
    }
    planted = {
        "residential_grids": int((~p["grid_kind"]).sum()),
        "business_grids": int(p["grid_kind"].sum()),
        "areas_covered_whole": int(p["area_cover"].sum()),
        "grids_without_worker": int(people["grid_gap"].sum()),
        "planned_visits": int(visits["status"].isin(["planned", "计划"]).sum()),
        "bare_grids": int(p["bare_grid"].sum()),
        "dropped_covers": int(p["dropped_cover"].sum()),
        "unserved_buildings_with_companies": int(unserved.sum()),
        "not_visited_buildings": int(p["not_visited"].sum()),
        "areas_without_group": int((~orgs["has_group"]).sum()),
        "liaison_groups": len(orgs["group_area"]),
        "key_buildings": int(p["key"].sum()),
        "overdue_high_risk_latest": int(risks["overdue_high"]),
        "buildings_with_20_plus_companies": int((p["company_count"] >= 20).sum()),
        "max_companies_in_a_building": int(p["company_count"].max()),
    }
    return tables, expected, planted


# ---------------------------------------------------------------------------
# Places: streets, grids, residential areas, buildings, companies
# ---------------------------------------------------------------------------


def hierarchy(t: Tier, rng: np.random.Generator) -> dict[str, Any]:
    """Streets, residential areas and grids of tier ``t`` (the first draws of the places).

    Every street holds at least one residential area and one business grid, every
    area at least one residential micro-grid (``area_id`` set, in the area's street);
    business grids have no area.

    Examples
    --------
    >>> h = hierarchy(TIERS["street"], np.random.default_rng(0))
    >>> len(h["streets"]), len(h["areas"]), h["grids"]["kind"].isin(["residential", "平面"]).sum()
    (1, 11, np.int64(32))
    """
    n_s, n_a = t.streets, t.residential_areas
    n_rg, n_bg = t.residential_grids, t.business_grids
    # streets ---------------------------------------------------------------
    stem, stem_en = two_token_names(rng, n_s, distinct=True)
    street_ids = ids("S-", n_s, 4)
    if t.name == "city":
        district = choose(rng, DISTRICTS, n_s, DISTRICT_WEIGHTS)
    else:
        district = np.full(n_s, "静安区", dtype=object)
    streets = pd.DataFrame({
        "id": street_ids, "name": stem + "路街道",
        "name_en": stem_en + " Road Subdistrict", "district": district,
        "city": np.full(n_s, "上海市", dtype=object),
    })
    street_size = rng.lognormal(0.0, 0.5, n_s)
    street_business = street_size * rng.lognormal(0.0, 0.6, n_s)

    def spread(n: int, n_groups: int, weights: np.ndarray) -> np.ndarray:
        """Group of each of n items, every group at least one, sorted."""
        rest = rng.choice(n_groups, size=n - n_groups, p=weights / weights.sum())
        return np.sort(np.concatenate([np.arange(n_groups), rest]))

    # residential areas: every street has at least one ----------------------
    area_street = spread(n_a, n_s, street_size)
    a_stem, _ = two_token_names(rng, n_a)
    area_ids = ids("RA-", n_a, 5)
    area_names = a_stem + "居民区"
    households = rng.integers(600, 3200, n_a)
    areas = pd.DataFrame({
        "id": area_ids, "name": area_names, "street_id": street_ids[area_street],
        "households": int_text(households, rng.random(n_a) < 0.05),
    })

    # grids: micro-grids inside every area, business grids in every street ----
    rg_area = spread(n_rg, n_a, rng.lognormal(0.0, 0.4, n_a))
    bg_street = spread(n_bg, n_s, street_business)
    grid_street = np.r_[area_street[rg_area], bg_street]
    grid_area = np.r_[rg_area, np.full(n_bg, -1, np.int64)]
    grid_kind = np.r_[np.zeros(n_rg, bool), np.ones(n_bg, bool)]  # True = business grid
    order = np.lexsort((grid_kind, grid_street))  # by street: micro-grids, then business
    grid_street, grid_area, grid_kind = grid_street[order], grid_area[order], grid_kind[order]
    n_g = n_rg + n_bg
    grid_ids = ids("G-", n_g, 6)
    rgs, bgs = np.flatnonzero(~grid_kind), np.flatnonzero(grid_kind)
    rank = np.zeros(n_g, dtype=np.int64)
    rank[rgs] = rank_in_group(grid_area[rgs])
    rank[bgs] = rank_in_group(grid_street[bgs])
    rank_text = rank.astype(np.str_).astype(object)
    kind_text = np.where(
        grid_kind,
        choose(rng, np.array(["business", "building", "立体"], dtype=object), n_g,
               np.array([0.75, 0.1, 0.15])),
        choose(rng, np.array(["residential", "平面"], dtype=object), n_g, np.array([0.8, 0.2])),
    ).astype(object)
    grid_names = np.where(
        grid_kind, streets["name"].to_numpy()[grid_street] + "商务区第" + rank_text + "网格",
        area_names[np.maximum(grid_area, 0)] + "第" + rank_text + "微网格").astype(object)
    grids = pd.DataFrame({
        "id": grid_ids, "name": grid_names, "kind": kind_text,
        "street_id": street_ids[grid_street],
        "area_id": np.where(grid_kind, "", area_ids[np.maximum(grid_area, 0)]).astype(object),
    })
    return {"streets": streets, "areas": areas, "grids": grids, "street_ids": street_ids,
            "area_ids": area_ids, "area_names": area_names, "area_street": area_street,
            "grid_ids": grid_ids, "grid_street": grid_street, "grid_area": grid_area,
            "grid_kind": grid_kind}


def _places(t: Tier, rng: np.random.Generator) -> dict[str, Any]:
    h = hierarchy(t, rng)
    streets, areas, grids = h["streets"], h["areas"], h["grids"]
    street_ids, area_ids, area_street = h["street_ids"], h["area_ids"], h["area_street"]
    grid_ids, grid_street, grid_area, grid_kind = (h["grid_ids"], h["grid_street"],
                                                   h["grid_area"], h["grid_kind"])
    n_a, n_g = t.residential_areas, len(grid_ids)
    rgs, bgs = np.flatnonzero(~grid_kind), np.flatnonzero(grid_kind)

    # buildings: every business grid has at least one; ~12 % stand in micro-grids
    n_b = t.buildings
    extra = n_b - len(bgs)
    in_rg = rng.random(extra) < 0.12
    grid_weight = rng.lognormal(0.0, 0.6, n_g)
    extra_grid = np.where(in_rg, rng.choice(rgs, size=extra),
                          rng.choice(bgs, size=extra, p=grid_weight[bgs] / grid_weight[bgs].sum()))
    building_grid = np.sort(np.concatenate([bgs, extra_grid]))
    b_rg = ~grid_kind[building_grid]
    b_stem, _ = two_token_names(rng, n_b)
    building_ids = ids("B-", n_b, 6)
    floors = np.where(b_rg, rng.integers(3, 13, n_b), rng.integers(6, 46, n_b))

    # companies: a long tail per building (lognormal weights, some empty buildings)
    weight = rng.lognormal(0.0, 0.9, n_b) * np.where(b_rg, 0.25, 1.0)
    weight[rng.random(n_b) < 0.03] = 0.0
    company_count = rng.multinomial(t.companies, weight / weight.sum())
    company_building = np.repeat(np.arange(n_b), company_count)
    n_c = t.companies

    key_flag = ~b_rg & (rng.random(n_b) < RATES["key_flag"])
    key = key_flag | (company_count >= KEY_BUILDING_MIN_COMPANIES)
    buildings = pd.DataFrame({
        "id": building_ids,
        "name": b_stem + choose(rng, BUILDING_SUFFIX, n_b),
        "grid_id": grid_ids[building_grid],
        "address": choose(rng, ROADS, n_b) + rng.integers(1, 1800, n_b).astype(np.str_).astype(
            object) + "号",
        "floors": int_text(floors, rng.random(n_b) < 0.1),
        "key_building": bool_text(rng, key_flag, blank_rate=0.3),
    })
    buildings.loc[key_flag, "key_building"] = bool_text(rng, np.ones(key_flag.sum(), bool))

    industry = rng.choice(len(INDUSTRIES), size=n_c, p=INDUSTRY_WEIGHTS / INDUSTRY_WEIGHTS.sum())
    c_stem, _ = two_token_names(rng, n_c)
    lease = rng.integers(D_START, day_number("2030-12-31"), n_c)
    lease[rng.random(n_c) < 0.3] = -1
    companies = pd.DataFrame({
        "id": ids("C-", n_c, 7),
        "name": "上海" + c_stem + INDUSTRY_SUFFIX[industry] + "有限公司",
        "building_id": building_ids[company_building],
        "industry": INDUSTRIES[industry],
        "ownership": chinese_spelling(rng, choose(rng, OWNERSHIPS, n_c, OWNERSHIP_WEIGHTS),
                                      "ownership"),
        "employees": int_text(np.minimum(rng.lognormal(3.0, 1.2, n_c), 20000) + 1,
                              rng.random(n_c) < 0.15),
        "lease_expires": date_text(lease, rng, RATES["slash_dates"]),
        "relocation_intent": bool_text(rng, rng.random(n_c) < 0.05, blank_rate=0.6),
    })

    # coverage design ---------------------------------------------------------
    has_companies_bg = np.zeros(n_g, bool)
    np.logical_or.at(has_companies_bg, building_grid, company_count > 0)
    bare_grid = mask_of(n_g, pick(rng, bgs[has_companies_bg[bgs]], RATES["bare_grid"]))
    served_bg = grid_kind & ~bare_grid
    hub = first_of_group(building_grid, n_g)  # each grid's first building hosts its station
    is_hub = np.zeros(n_b, bool)
    is_hub[hub[grid_kind]] = True
    cover_each = served_bg & (rng.random(n_g) < RATES["building_cover_mode"])
    candidates = np.flatnonzero(cover_each[building_grid] & ~is_hub & (company_count > 0))
    dropped_cover = mask_of(n_b, pick(rng, candidates, RATES["dropped_cover"]))
    unserved = bare_grid[building_grid] | dropped_cover
    with_companies = company_count > 0
    not_visited = mask_of(n_b, np.concatenate([
        pick(rng, np.flatnonzero(unserved & with_companies), RATES["not_visited_unserved"]),
        pick(rng, np.flatnonzero(~unserved & with_companies), RATES["not_visited"]),
    ]))
    # the centre's COVERS of residential places: the whole area, or each of its micro-grids
    area_cover = rng.random(n_a) < RATES["area_cover_mode"]
    return {
        "streets": streets, "grids": grids, "areas": areas, "buildings": buildings,
        "companies": companies,
        "street_ids": street_ids, "grid_ids": grid_ids, "area_ids": area_ids,
        "building_ids": building_ids, "company_ids": companies["id"].to_numpy(),
        "street_names": streets["name"].to_numpy(), "area_names": areas["name"].to_numpy(),
        "building_names": buildings["name"].to_numpy(),
        "grid_street": grid_street, "grid_kind": grid_kind, "grid_area": grid_area,
        "area_street": area_street, "area_cover": area_cover,
        "building_grid": building_grid, "company_building": company_building,
        "company_count": company_count, "key": key, "is_hub": is_hub, "hub": hub,
        "bare_grid": bare_grid, "cover_each": cover_each, "dropped_cover": dropped_cover,
        "unserved": unserved, "not_visited": not_visited,
    }


# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------

STREET_ORGS = (  # key, name suffix, kind, sector, located ("street", "area", "")
    ("committee", "党工委", "party_committee", "party", "street"),
    ("party_office", "党建办", "government_office", "party", "street"),
    ("office", "办事处", "government_office", "government", "street"),
    ("center", "党群服务中心", "service_center", "party", "street"),
    ("ethnic", "民族联分会", "association", "ethnic", "street"),
    ("chamber", "商会", "association", "business", "street"),
    ("board", "区域化党建理事分会", "council", "community", "street"),
    ("school", "第一小学", "school", "education", "area"),
    ("venue", "社区文化活动中心", "public_venue", "culture", "street"),
    ("media", "微信公众号", "media_channel", "community", ""),
    ("charity", "慈善超市", "charity", "charity", "street"),
    ("social", "社会组织服务中心", "social_organization", "community", "street"),
    ("partner", "共建高校", "partner_institution", "education", ""),
    ("temple", "清真寺", "religious_site", "religious", "area"),
)


def _organizations(t: Tier, rng: np.random.Generator, p: dict[str, Any]) -> dict[str, Any]:
    n_s, n_a = t.streets, t.residential_areas
    n_g, n_b, n_c = len(p["grid_ids"]), len(p["building_ids"]), len(p["company_ids"])
    parts: list[dict[str, np.ndarray]] = []
    offset = 0

    def add(name: np.ndarray, kind: str, sector: str, located: np.ndarray,
            parent: np.ndarray | None = None) -> np.ndarray:
        """Append organisations; return their row numbers (ids are assigned at the end)."""
        nonlocal offset
        n = len(name)
        parts.append({"name": np.asarray(name, dtype=object),
                      "kind": np.full(n, kind, dtype=object),
                      "sector": np.full(n, sector, dtype=object),
                      "located_in": np.asarray(located, dtype=object),
                      "parent": np.full(n, -1, np.int64) if parent is None else parent})
        rows = np.arange(offset, offset + n)
        offset += n
        return rows

    street_names, street_ids = p["street_names"], p["street_ids"]
    area_street = p["area_street"]
    first_area = first_of_group(area_street, n_s)  # every street has a residential area
    temple_street = np.flatnonzero((rng.random(n_s) < 0.4) | (np.arange(n_s) == 0))
    street_org: dict[str, np.ndarray] = {}
    for key, suffix, kind, sector, located in STREET_ORGS:
        streets = temple_street if key == "temple" else np.arange(n_s)
        where = {"street": street_ids[streets], "area": p["area_ids"][first_area[streets]],
                 "": np.full(len(streets), "", dtype=object)}[located]
        parent = None
        if key in ("party_office", "center"):
            parent = street_org["committee"][streets]
        rows = add(street_names[streets] + suffix, kind, sector, where, parent)
        full = np.full(n_s, -1, np.int64)
        full[streets] = rows
        street_org[key] = full

    # per residential area: party general branch, residents' council ---------
    area_names = p["area_names"]
    branch = add(area_names + "党总支", "party_general_branch", "party", p["area_ids"],
                 street_org["committee"][area_street])
    council = add(area_names + "居民议事会", "council", "community", p["area_ids"], branch)

    # liaison groups (most areas have one) ----------------------------------
    no_group = mask_of(n_a, pick(rng, np.arange(n_a), RATES["area_no_group"], minimum=2))
    no_group_idx = np.flatnonzero(no_group)
    area_gap = mask_of(n_a, pick(rng, no_group_idx, RATES["area_without_group"]))
    rest = no_group_idx[~area_gap[no_group_idx]]
    covered_area = mask_of(n_a, rest[: (len(rest) + 1) // 2])
    minorities = (~no_group & (rng.random(n_a) < RATES["area_minorities"])) | area_gap | covered_area
    group_area = np.flatnonzero(~no_group)
    n_lg = len(group_area)
    isolated = mask_of(n_lg, pick(rng, np.arange(n_lg), RATES["isolated_group"]))
    leaderless = mask_of(n_lg, pick(rng, np.arange(n_lg), RATES["leaderless_group"]))
    variant = rng.integers(0, 3, n_lg)
    # parent: party branch, ethnic association or blank (planted: ethnic or blank only)
    parent_kind = np.where(leaderless, np.where(variant == 0, 1, 2),
                           choose(rng, np.array([0, 1, 2]), n_lg, np.array([0.5, 0.4, 0.1])))
    lg_street = area_street[group_area]
    lg_parent = np.select([parent_kind == 0, parent_kind == 1],
                          [branch[group_area], street_org["ethnic"][lg_street]], -1)
    groups = add(area_names[group_area] + "民族工作联络组", "liaison_group", "ethnic",
                 p["area_ids"][group_area], lg_parent)

    # stations: one per served building grid, in its first building ----------
    served = np.flatnonzero(p["grid_kind"] & ~p["bare_grid"])
    station = add(p["building_names"][p["hub"][served]] + "楼宇党群服务站", "service_station",
                  "party", p["building_ids"][p["hub"][served]],
                  street_org["committee"][p["grid_street"][served]])
    grid_station = np.full(n_g, -1, np.int64)
    grid_station[served] = station

    # party branches in served buildings and in a few companies --------------
    building_grid, counts = p["building_grid"], p["company_count"]
    eligible = np.flatnonzero(~p["unserved"] & (counts >= 3))
    with_branch = pick(rng, eligible, 0.5)
    parent = grid_station[building_grid[with_branch]]
    parent = np.where(parent >= 0, parent,
                      street_org["committee"][p["grid_street"][building_grid[with_branch]]])
    add(p["building_names"][with_branch] + "联合党支部", "party_branch", "party",
        p["building_ids"][with_branch], parent)
    # party branches of a few micro-grids (under the area's general branch) -----
    rgs = np.flatnonzero(~p["grid_kind"])
    grid_branch = pick(rng, rgs, RATES["grid_party_branch"])
    add(p["grids"]["name"].to_numpy()[grid_branch] + "党支部", "party_branch", "party",
        p["grid_ids"][grid_branch], branch[p["grid_area"][grid_branch]])
    company_ok = np.flatnonzero(~p["unserved"][p["company_building"]])
    company_branch = pick(rng, company_ok, 0.01)
    add(p["companies"]["name"].to_numpy()[company_branch] + "党支部", "party_branch", "party",
        p["company_ids"][company_branch],
        street_org["committee"][p["grid_street"][building_grid[
            p["company_building"][company_branch]]]])

    cols = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    org_ids = ids("O-", offset, 6)
    parent_ids = np.where(cols["parent"] >= 0, org_ids[np.maximum(cols["parent"], 0)], "")
    frame = pd.DataFrame({"id": org_ids, "name": cols["name"],
                          "kind": chinese_spelling(rng, cols["kind"], "organization_kind"),
                          "sector": chinese_spelling(rng, cols["sector"], "sector"),
                          "located_in": cols["located_in"],
                          "parent_id": parent_ids.astype(object)})
    return {
        "frame": frame, "ids": org_ids,
        "street": {k: np.where(v >= 0, org_ids[np.maximum(v, 0)], "") for k, v in
                   street_org.items()},
        "branch": org_ids[branch], "council": org_ids[council], "group": org_ids[groups],
        "group_area": group_area, "has_group": ~no_group, "area_gap": area_gap,
        "covered_area": covered_area, "minorities": minorities,
        "isolated": isolated, "leaderless": leaderless, "variant": variant,
        "parent_kind": parent_kind,
        "grid_station": np.where(grid_station >= 0, org_ids[np.maximum(grid_station, 0)], ""),
        "station": org_ids[station], "station_grid": served,
        "n_b": n_b, "n_c": n_c,
    }


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


def _people(t: Tier, rng: np.random.Generator, p: dict[str, Any], o: dict[str, Any]
            ) -> dict[str, Any]:
    n_s = t.streets
    bgs = np.flatnonzero(p["grid_kind"])
    rgs = np.flatnonzero(~p["grid_kind"])
    area_street = p["area_street"]
    blocks = [  # role, organisation ids
        ("楼宇党群工作者", np.where(o["grid_station"][bgs] != "", o["grid_station"][bgs],
                             o["street"]["party_office"][p["grid_street"][bgs]])),
        ("网格员", o["council"][p["grid_area"][rgs]]),
        ("居民区社工", o["council"]),
        ("站长", o["station"]),
        ("街道党工委书记", o["street"]["committee"]),
        ("社区志愿者", np.full(2 * n_s, "", dtype=object)),
    ]
    n = sum(len(b[1]) for b in blocks)
    person_ids = ids("P-", n, 6)
    names = choose(rng, SURNAMES, n) + choose(rng, GIVEN, n)
    frame = pd.DataFrame({
        "id": person_ids, "name": names,
        "role": np.concatenate([np.full(len(b[1]), b[0], dtype=object) for b in blocks]),
        "organization_id": np.concatenate([np.asarray(b[1], dtype=object) for b in blocks]),
    })
    starts = np.cumsum([0] + [len(b[1]) for b in blocks])
    grid_worker = np.full(len(p["grid_ids"]), "", dtype=object)
    grid_worker[bgs] = person_ids[starts[0]:starts[1]]
    grid_worker[rgs] = person_ids[starts[1]:starts[2]]
    area_worker = person_ids[starts[2]:starts[3]]
    # grids whose own worker has no active ASSIGNED_TO link to the grid
    grid_gap = mask_of(len(p["grid_ids"]), pick(rng, np.arange(len(p["grid_ids"])),
                                                RATES["grid_without_worker"]))
    key_idx = np.flatnonzero(p["key"])
    key_gap = mask_of(len(p["key"]), pick(rng, key_idx, RATES["key_without_worker"]))
    return {"frame": frame, "ids": person_ids, "grid_worker": grid_worker,
            "area_worker": area_worker, "grid_gap": grid_gap,
            "volunteer": person_ids[starts[5]:starts[6]].reshape(2, n_s)
            if n_s else person_ids[:0], "key_gap": key_gap, "area_street": area_street}


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


def _links(t: Tier, rng: np.random.Generator, p: dict[str, Any], o: dict[str, Any],
           people: dict[str, Any]) -> pd.DataFrame:
    L = _Links()
    so = o["street"]
    grid_ids, building_ids, area_ids = p["grid_ids"], p["building_ids"], p["area_ids"]
    grid_street, building_grid = p["grid_street"], p["building_grid"]
    n_b, n_a, n_s = len(building_ids), len(area_ids), t.streets
    area_street = people["area_street"]

    # COVERS -------------------------------------------------------------------
    served = o["station_grid"]
    grid_mode = ~p["cover_each"][served]
    st = o["station"]
    L.add(st[grid_mode], "COVERS", grid_ids[served[grid_mode]], _past(rng, grid_mode.sum()))
    history = rng.random(len(served)) < 0.05  # an older, ended cover before the current one
    L.add(st[history], "COVERS", grid_ids[served[history]], rng.integers(D_PAST - 1500, D_PAST,
                                                                         history.sum()),
          rng.integers(D_PAST, D_START, history.sum()), "原覆盖关系（已结束）")
    each = np.flatnonzero(p["cover_each"][building_grid] & ~p["is_hub"])
    station_of_grid = o["grid_station"]
    keep = each[~p["dropped_cover"][each]]
    L.add(station_of_grid[building_grid[keep]], "COVERS", building_ids[keep],
          _past(rng, len(keep)))
    dropped = np.flatnonzero(p["dropped_cover"])
    how = rng.integers(0, 3, len(dropped))  # 0 none, 1 expired, 2 future
    for variant, since, until in ((1, _past(rng, len(dropped), 0.0), _expired(rng, len(dropped))),
                                  (2, _future(rng, len(dropped)), np.full(len(dropped), -1))):
        sel = how == variant
        L.add(station_of_grid[building_grid[dropped[sel]]], "COVERS", building_ids[dropped[sel]],
              since[sel], until[sel])
    bare = np.flatnonzero(p["bare_grid"])
    how = rng.integers(0, 3, len(bare))  # 0 party cover expired, 1 future, 2 non-party cover
    L.add(so["center"][grid_street[bare[how == 0]]], "COVERS", grid_ids[bare[how == 0]],
          _past(rng, (how == 0).sum(), 0.0), _expired(rng, (how == 0).sum()))
    L.add(so["center"][grid_street[bare[how == 1]]], "COVERS", grid_ids[bare[how == 1]],
          _future(rng, (how == 1).sum()))
    L.add(so["social"][grid_street[bare[how == 2]]], "COVERS", grid_ids[bare[how == 2]],
          _past(rng, (how == 2).sum()))
    # residential places: the centre covers the whole area (its micro-grids, their
    # buildings and companies) or each micro-grid; the area's general branch its area
    rgs = np.flatnonzero(~p["grid_kind"])
    area_cover = p["area_cover"]
    by_grid = rgs[~area_cover[p["grid_area"][rgs]]]
    L.add(so["center"][grid_street[by_grid]], "COVERS", grid_ids[by_grid],
          _past(rng, len(by_grid)))
    L.add(so["center"][area_street[area_cover]], "COVERS", area_ids[area_cover],
          _past(rng, int(area_cover.sum())))
    L.add(o["branch"], "COVERS", area_ids, _past(rng, n_a))
    # street-wide covers are accepted and cover nothing (coverage is named place by place)
    L.add(so["center"], "COVERS", p["street_ids"], _past(rng, n_s), note="全街道")
    # areas without their own group: covered by a group of the street, or planted
    group_area = o["group_area"]
    street_group = first_of_group(area_street[group_area], n_s)
    fallback = 0
    covered = np.flatnonzero(o["covered_area"])
    src = street_group[area_street[covered]]
    src = np.where(src >= 0, src, fallback)
    L.add(o["group"][src], "COVERS", area_ids[covered], _past(rng, len(covered)))
    gap = np.flatnonzero(o["area_gap"])
    how = rng.integers(0, 2, len(gap))  # 0 a group's cover expired, 1 a council covers it
    src = street_group[area_street[gap]]
    src = np.where(src >= 0, src, fallback)
    L.add(o["group"][src[how == 0]], "COVERS", area_ids[gap[how == 0]],
          _past(rng, (how == 0).sum(), 0.0), _expired(rng, (how == 0).sum()))
    L.add(o["council"][gap[how == 1]], "COVERS", area_ids[gap[how == 1]], _past(rng, (how == 1).sum()))
    has_group = street_group >= 0
    L.add(o["group"][street_group[has_group]], "COVERS", p["street_ids"][has_group],
          _past(rng, int(has_group.sum())), note="全街道")

    # LEADS --------------------------------------------------------------------
    area_street_branch = area_street
    L.add(so["committee"][area_street_branch], "LEADS", o["branch"], _past(rng, n_a))
    L.add(so["committee"][grid_street[served]], "LEADS", st, _past(rng, len(st)))
    groups, leaderless, variant = o["group"], o["leaderless"], o["variant"]
    lg_branch = o["branch"][group_area]
    lg_council = o["council"][group_area]
    n_lg = len(groups)
    has_party_parent = o["parent_kind"] == 0
    lead = ~leaderless & ~(has_party_parent & (rng.random(n_lg) < 0.3))
    L.add(lg_branch[lead], "LEADS", groups[lead], _past(rng, lead.sum()))
    sel = leaderless & (variant == 1)  # LEADS ended
    L.add(lg_branch[sel], "LEADS", groups[sel], _past(rng, sel.sum(), 0.0), _expired(rng, sel.sum()))
    sel = leaderless & (variant == 2)  # led by the (non-party) council; party LEADS only later
    L.add(lg_council[sel], "LEADS", groups[sel], _past(rng, sel.sum()))
    L.add(lg_branch[sel], "LEADS", groups[sel], _future(rng, sel.sum()))

    # liaison groups' ties: ethnic association for all; one non-ethnic tie unless isolated
    lg_street = area_street[group_area]
    L.add(groups, "MEMBER_OF", so["ethnic"][lg_street], _past(rng, n_lg))
    isolated = o["isolated"]
    tie = rng.integers(0, 3, n_lg)
    n_c = len(p["company_ids"])
    sel = ~isolated & (tie == 0)
    L.add(groups[sel], "MEMBER_OF", so["board"][lg_street[sel]], _past(rng, sel.sum()))
    sel = ~isolated & (tie == 1)
    flip = rng.random(n_lg) < 0.5
    L.add(groups[sel & ~flip], "PARTNERS_WITH", so["school"][lg_street[sel & ~flip]],
          _past(rng, (sel & ~flip).sum()), note="结对共建")
    L.add(so["school"][lg_street[sel & flip]], "PARTNERS_WITH", groups[sel & flip],
          _past(rng, (sel & flip).sum()), note="结对共建")
    sel = ~isolated & (tie == 2)
    L.add(p["company_ids"][rng.integers(0, n_c, sel.sum())], "SUPPORTS", groups[sel],
          _past(rng, sel.sum()), note="资助民族团结活动")
    sel = isolated & (tie == 0)  # membership of the council ended
    L.add(groups[sel], "MEMBER_OF", so["board"][lg_street[sel]], _past(rng, sel.sum(), 0.0),
          _expired(rng, sel.sum()))
    sel = isolated & (tie == 1)  # partnership with the school starts after AS_OF
    L.add(groups[sel], "PARTNERS_WITH", so["school"][lg_street[sel]], _future(rng, sel.sum()))
    sel = isolated & (tie == 2)  # partners only another (ethnic) liaison group
    L.add(groups[sel], "PARTNERS_WITH", groups[(np.flatnonzero(sel) + 1) % n_lg],
          _past(rng, sel.sum()))

    # ASSIGNED_TO ------------------------------------------------------------------
    grid_worker, grid_gap = people["grid_worker"], people["grid_gap"]
    staffed_grid = np.flatnonzero(~grid_gap)
    L.add(grid_worker[staffed_grid], "ASSIGNED_TO", grid_ids[staffed_grid],
          _past(rng, len(staffed_grid)))
    gap_g = np.flatnonzero(grid_gap)
    # 0 none, 1 worker left, 2 successor not started, 3 assigned to the area only
    how = rng.integers(0, 4, len(gap_g))
    how[(how == 3) & p["grid_kind"][gap_g]] = 1  # a business grid has no area
    sel = gap_g[how == 1]
    L.add(grid_worker[sel], "ASSIGNED_TO", grid_ids[sel], _past(rng, len(sel), 0.0),
          _expired(rng, len(sel)))
    sel = gap_g[how == 2]
    L.add(grid_worker[sel], "ASSIGNED_TO", grid_ids[sel], _future(rng, len(sel)))
    sel = gap_g[how == 3]
    L.add(grid_worker[sel], "ASSIGNED_TO", area_ids[p["grid_area"][sel]], _past(rng, len(sel)))
    L.add(people["area_worker"], "ASSIGNED_TO", area_ids, _past(rng, n_a))
    worker = people["grid_worker"][building_grid]
    key, key_gap = p["key"], people["key_gap"]
    staffed = np.flatnonzero((key & ~key_gap) | (~key & (rng.random(n_b) < 0.3)))
    L.add(worker[staffed], "ASSIGNED_TO", building_ids[staffed], _past(rng, len(staffed)))
    gap_b = np.flatnonzero(key_gap)
    how = rng.integers(0, 3, len(gap_b))  # 0 none, 1 worker left, 2 successor not started
    L.add(worker[gap_b[how == 1]], "ASSIGNED_TO", building_ids[gap_b[how == 1]],
          _past(rng, (how == 1).sum(), 0.0), _expired(rng, (how == 1).sum()))
    L.add(worker[gap_b[how == 2]], "ASSIGNED_TO", building_ids[gap_b[how == 2]],
          _future(rng, (how == 2).sum()))
    big = np.flatnonzero(rng.random(n_c) < 0.01)
    L.add(worker[p["company_building"][big]], "ASSIGNED_TO", p["company_ids"][big],
          _past(rng, len(big)))

    # background ties that no gap depends on (some ended, some future) -----------
    members = np.flatnonzero(rng.random(n_c) < 0.10)
    m_street = grid_street[building_grid[p["company_building"][members]]]
    since = _past(rng, len(members))
    until = np.full(len(members), -1)
    ended = rng.random(len(members)) < 0.10
    until[ended] = _expired(rng, ended.sum())
    since[ended] = np.minimum(np.where(since[ended] < 0, D_PAST, since[ended]), until[ended] - 1)
    future = ~ended & (rng.random(len(members)) < 0.03)
    since[future] = _future(rng, future.sum())
    L.add(p["company_ids"][members], "MEMBER_OF", so["chamber"][m_street], since, until)
    pairs = rng.integers(0, n_c, (max(1, n_c // 200), 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    L.add(p["company_ids"][pairs[:, 0]], "PARTNERS_WITH", p["company_ids"][pairs[:, 1]],
          _past(rng, len(pairs)), note="业务合作")
    donors = np.flatnonzero(rng.random(n_c) < 0.005)
    d_street = grid_street[building_grid[p["company_building"][donors]]]
    L.add(p["company_ids"][donors], "SUPPORTS", so["charity"][d_street], _past(rng, len(donors)),
          rng.choice([-1, D_AS_OF + 400], len(donors)), note="公益捐赠")
    L.add(so["charity"][area_street], "SUPPORTS", area_ids, _past(rng, n_a), note="困难帮扶")
    L.add(so["center"][area_street], "SERVES", area_ids, _past(rng, n_a))
    L.add(so["venue"][area_street], "SERVES", area_ids, _past(rng, n_a, 0.0),
          np.where(rng.random(n_a) < 0.1, _expired(rng, n_a), -1))
    streets = np.arange(n_s)
    L.add(so["partner"], "MENTORS", so["school"], _past(rng, n_s), note="结对助学")
    L.add(so["partner"], "PARTNERS_WITH", so["committee"], _past(rng, n_s))
    L.add(so["media"], "SERVES", p["street_ids"], _past(rng, n_s))
    L.add(so["office"], "MEMBER_OF", so["board"], _past(rng, n_s))
    L.add(so["chamber"], "MEMBER_OF", so["board"], _past(rng, n_s))
    L.add(so["committee"], "LEADS", so["board"], _past(rng, n_s))
    L.add(so["center"], "SERVES", so["social"], _past(rng, n_s))
    temples = so["temple"] != ""
    L.add(so["temple"][temples], "PARTNERS_WITH", so["ethnic"][temples], _past(rng, temples.sum()))
    vol = people["volunteer"]
    if len(vol):
        L.add(vol[0], "SUPPORTS", so["charity"], _past(rng, n_s), note="志愿服务")
        L.add(vol[1], "MENTORS", people["area_worker"][first_of_group(area_street, n_s)[streets]],
              _past(rng, n_s), note="结对帮扶")
        L.add(vol[1], "MEMBER_OF", so["social"], _past(rng, n_s),
              np.where(rng.random(n_s) < 0.2, _expired(rng, n_s), -1))
    return L.frame(rng)


# ---------------------------------------------------------------------------
# Risk assessments, demands, visits
# ---------------------------------------------------------------------------


def _level_text(rng: np.random.Generator, level: np.ndarray) -> np.ndarray:
    spellings = np.array(LEVEL_SPELLINGS, dtype=object)  # (5, k)
    weights = np.array([4, 3, 2, 1, 3, 1, 2, 1, 1], float)
    which = rng.choice(spellings.shape[1], size=len(level), p=weights / weights.sum())
    return spellings[level - 1, which]


def _assessments(t: Tier, rng: np.random.Generator, p: dict[str, Any]) -> dict[str, Any]:
    n_c = len(p["company_ids"])
    company = rng.integers(0, n_c, t.assessments)
    day = rng.integers(D_START, D_END + 1, t.assessments)
    key = np.unique(company.astype(np.int64) * 100_000 + (day - D_START))  # sorted, unique
    company, day = key // 100_000, key % 100_000 + D_START
    n = len(key)
    level = rng.choice(np.arange(1, 6), size=n, p=np.array(LEVEL_WEIGHTS) / sum(LEVEL_WEIGHTS))
    # each company's latest assessment on or before AS_OF (rows are sorted by company, day)
    upto = np.flatnonzero(day <= D_AS_OF)
    last = upto[np.r_[company[upto][1:] != company[upto][:-1], True]] if len(upto) else upto
    allowed = np.where(level[last] == 5, FOLLOWUP_DAYS[5], FOLLOWUP_DAYS[4])
    overdue = last[(level[last] >= 4) & (day[last] + allowed < D_AS_OF)]
    planted = pick(rng, overdue, RATES["no_followup"])
    followed = np.setdiff1d(overdue, planted)
    frame = pd.DataFrame({
        "company_id": p["company_ids"][company],
        "assessed_on": date_text(day, rng, RATES["slash_dates"]),
        "level": _level_text(rng, level),
        "reason": RISK_REASONS[level - 1, rng.integers(0, 2, n)],
    })

    def spans(rows: np.ndarray) -> dict[str, np.ndarray]:
        end = day[rows] + np.where(level[rows] == 5, FOLLOWUP_DAYS[5], FOLLOWUP_DAYS[4])
        return {"company": company[rows], "start": day[rows], "end": end}

    return {"frame": frame, "planted": spans(planted), "followed": spans(followed),
            "overdue_high": len(overdue)}


def _demands(t: Tier, rng: np.random.Generator, p: dict[str, Any], o: dict[str, Any],
             risks: dict[str, Any]) -> dict[str, Any]:
    n_c = len(p["company_ids"])
    n = t.demands
    company = rng.integers(0, n_c, n)
    raised = rng.integers(D_START, D_END + 1, n)
    resolved = raised + np.clip(np.round(rng.lognormal(np.log(12), 0.8, n)), 1, 240).astype(
        np.int64)
    open_ = resolved > D_END  # not resolved when the table was exported
    old = np.flatnonzero(~open_ & (raised < D_AS_OF - DEMAND_MAX_DAYS))
    stale = pick(rng, old, RATES["stale_demand"])
    open_[stale] = True
    resolved[open_] = -1
    # follow-ups of overdue high-risk companies in never-visited buildings: a resolved demand
    f = risks["followed"]
    in_nv = p["not_visited"][p["company_building"][f["company"]]]
    fc, fs, fe = f["company"][in_nv], f["start"][in_nv], f["end"][in_nv]
    f_raised = fs + (rng.random(len(fc)) * (fe - fs + 1)).astype(np.int64)
    f_resolved = f_raised + (rng.random(len(fc)) * (fe - f_raised + 1)).astype(np.int64)
    company = np.r_[company, fc]
    raised = np.r_[raised, f_raised]
    resolved = np.r_[resolved, f_resolved]
    category = np.r_[choose(rng, DEMAND_CATEGORIES, n), np.full(len(fc), "风险化解", dtype=object)]
    # the planted no-follow-up companies: no demand resolved within their span
    pl = risks["planted"]
    span_of = pd.Series(np.arange(len(pl["company"])), index=pl["company"])
    hit = np.flatnonzero(np.isin(company, pl["company"]) & (resolved >= 0))
    k = span_of.reindex(company[hit]).to_numpy()
    inside = (resolved[hit] >= pl["start"][k]) & (resolved[hit] <= pl["end"][k])
    resolved[hit[inside]] = pl["end"][k[inside]] + 1
    order = np.lexsort((company, raised))
    company, raised, resolved, category = company[order], raised[order], resolved[order], category[
        order]
    m = len(company)
    status = np.where(resolved >= 0, "resolved",
                      np.where(rng.random(m) < 0.5, "open", "in_progress")).astype(object)
    grid = p["building_grid"][p["company_building"][company]]
    status = chinese_spelling(rng, status, "demand_status")
    handler = o["grid_station"][grid]
    handler = np.where(handler != "", handler, o["street"]["center"][p["grid_street"][grid]])
    handler = handler.astype(object)
    handler[rng.random(m) < 0.1] = ""
    frame = pd.DataFrame({
        "id": ids("D-", m, 7), "company_id": p["company_ids"][company],
        "raised_on": date_text(raised, rng, RATES["slash_dates"]), "category": category,
        "status": status, "resolved_on": date_text(resolved, rng, RATES["slash_dates"]),
        "handled_by": handler,
    })
    unresolved = (resolved < 0) | (resolved > D_AS_OF)
    n_stale = int(((raised <= D_AS_OF) & unresolved & (D_AS_OF - raised > DEMAND_MAX_DAYS)).sum())
    return {"frame": frame, "stale": n_stale}


def _visits(t: Tier, rng: np.random.Generator, p: dict[str, Any], o: dict[str, Any],
            people: dict[str, Any], risks: dict[str, Any], demands: dict[str, Any]
            ) -> pd.DataFrame:
    n_b, n_c = len(p["building_ids"]), len(p["company_ids"])
    counts, not_visited = p["company_count"], p["not_visited"]
    company_building = p["company_building"]
    window_start = D_AS_OF - VISIT_WINDOW_DAYS + 1  # first day of the recent-visit window
    # guaranteed: one recent visit to each building with companies that must count as visited
    guaranteed = np.flatnonzero((counts > 0) & ~not_visited)
    g_day = rng.integers(window_start, D_AS_OF + 1, len(guaranteed))
    # follow-ups of overdue high-risk companies (those in never-visited buildings got a demand)
    f = risks["followed"]
    ok = ~not_visited[company_building[f["company"]]]
    fc, fs, fe = f["company"][ok], f["start"][ok], f["end"][ok]
    f_day = fs + (rng.random(len(fc)) * (fe - fs + 1)).astype(np.int64)
    # background visits: 40 % to buildings (busy ones more often), 60 % to companies
    n_bg = max(0, t.visits - len(guaranteed) - len(fc))
    to_building = rng.random(n_bg) < 0.4
    weights = counts + 1.0
    target = np.where(to_building, rng.choice(n_b, size=n_bg, p=weights / weights.sum()),
                      rng.integers(0, n_c, n_bg))
    b_day = rng.integers(D_START, D_END + 1, n_bg)
    b_building = np.where(to_building, target, company_building[np.minimum(target, n_c - 1)])
    # never-visited buildings: their recent visits are only planned, or move a year back
    shift = not_visited[b_building] & (b_day >= window_start) & (b_day <= D_AS_OF)
    planned = shift & (rng.random(n_bg) < 0.5)
    shift &= ~planned
    b_day[shift] -= 365
    # planted no-follow-up companies: no visit to them or their building within their span
    pl = risks["planted"]
    drop = np.zeros(n_bg, bool)
    span = pd.DataFrame({"company": pl["company"], "building": company_building[pl["company"]],
                         "start": pl["start"], "end": pl["end"]})
    bg = pd.DataFrame({"row": np.arange(n_bg), "target": target, "building": to_building,
                       "day": b_day})
    for is_building, key in ((False, "company"), (True, "building")):
        sub = bg[bg["building"] == is_building]
        joined = sub.merge(span, left_on="target", right_on=key)
        inside = joined[(joined["day"] >= joined["start"]) & (joined["day"] <= joined["end"])]
        drop[inside["row"].to_numpy()] = True
    drop &= ~planned
    # half of the visits in the way of a planted finding stay, only planned
    stay = drop & (rng.random(n_bg) < 0.5)
    planned |= stay
    drop &= ~stay
    # a few other visits only planned; half of those after AS_OF too
    planned |= rng.random(n_bg) < RATES["planned_visits"]
    planned |= (b_day > D_AS_OF) & (rng.random(n_bg) < 0.5)
    g_frame = pd.DataFrame({"row": np.arange(len(guaranteed)), "target": guaranteed, "day": g_day})
    joined = g_frame.merge(span, left_on="target", right_on="building")
    inside = joined[(joined["day"] >= joined["start"]) & (joined["day"] <= joined["end"])]
    g_day[inside["row"].to_numpy()] = D_AS_OF
    keep = ~drop
    # assemble: target ids, days, purposes, visitors (the grid's worker or station)
    t_building = np.r_[np.ones(len(guaranteed), bool), np.zeros(len(fc), bool),
                       to_building[keep]]
    t_index = np.r_[guaranteed, fc, target[keep]]
    day = np.r_[g_day, f_day, b_day[keep]]
    purpose = np.r_[np.full(len(guaranteed), "跑楼走访", dtype=object),
                    np.full(len(fc), "风险预警跟进", dtype=object),
                    choose(rng, VISIT_PURPOSES, int(keep.sum()))]
    building = np.where(t_building, t_index, company_building[np.minimum(t_index, n_c - 1)])
    grid = p["building_grid"][building]
    person = people["grid_worker"][grid]
    org = o["grid_station"][grid]
    org = np.where(org != "", org, o["street"]["center"][p["grid_street"][grid]])
    visitor = np.where(rng.random(len(day)) < 0.75, person, org).astype(object)
    target_id = np.where(t_building, p["building_ids"][np.minimum(t_index, n_b - 1)],
                         p["company_ids"][np.minimum(t_index, n_c - 1)]).astype(object)
    is_planned = np.r_[np.zeros(len(guaranteed) + len(fc), bool), planned[keep]]
    status = np.where(
        is_planned,
        choose(rng, np.array(["planned", "计划"], dtype=object), len(day), np.array([0.7, 0.3])),
        choose(rng, np.array(["", "done", "已走访"], dtype=object), len(day),
               np.array([0.7, 0.2, 0.1]))).astype(object)
    order = np.argsort(day, kind="stable")
    return pd.DataFrame({
        "visitor_id": visitor[order], "target_id": target_id[order],
        "date": date_text(day[order], rng, RATES["slash_dates"]), "purpose": purpose[order],
        "status": status[order],
    })


# ---------------------------------------------------------------------------
# Population (counts per residential area and ethnic group)
# ---------------------------------------------------------------------------


def _population(t: Tier, rng: np.random.Generator, p: dict[str, Any], o: dict[str, Any]
                ) -> pd.DataFrame:
    n_a = len(p["area_ids"])
    residents = rng.integers(1500, 8000, n_a)
    han = pd.DataFrame({"area": np.arange(n_a), "group": choose(rng, HAN, n_a),
                        "residents": residents})
    with_minorities = np.flatnonzero(o["minorities"])
    k = rng.integers(1, 16, len(with_minorities))
    # distinct groups per area: the first k columns of a random permutation per row
    order = np.argsort(rng.random((len(with_minorities), len(MINORITIES))), axis=1)
    take = np.arange(len(MINORITIES))[None, :] < k[:, None]
    rows, cols = np.nonzero(take)
    minority = pd.DataFrame({
        "area": with_minorities[rows], "group": MINORITIES[order[rows, cols]],
        "residents": np.maximum(1, np.round(rng.lognormal(2.3, 1.0, len(rows)))).astype(np.int64),
    })
    frame = pd.concat([han, minority], ignore_index=True)
    frame = frame.sort_values("area", kind="stable").reset_index(drop=True)
    n = len(frame)
    registered = np.floor(frame["residents"].to_numpy() * rng.uniform(0.4, 1.0, n)).astype(np.int64)
    return pd.DataFrame({
        "area_id": p["area_ids"][frame["area"].to_numpy()],
        "ethnic_group": frame["group"].to_numpy(),
        "residents": int_text(frame["residents"].to_numpy()),
        "registered": int_text(registered, rng.random(n) < 0.2),
    })
