"""Honest comparisons: which report to compare with, what changed between two reports, and
the warnings when they are not comparable.

A report records in ``meta.json`` what its numbers depend on (:func:`fingerprint`): the gap
parameters, the analysts' rules (names and a SHA-256 of their definitions) and the dataset
(name, path and rows per table). Comparing two reports (:func:`compare`, ``report
--compare-to``) lists the new, resolved and unchanged findings, and warns when any of
these differ (:func:`changes`): "+10 new" after a change of the visit window is not ten
new problems.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graphmodel.errors import UsageError
from graphmodel.gaps import GAP_COLUMNS
from graphmodel.report.publish import (
    SavedReport,
    diff_findings,
    saved_reports,
)

__all__ = ["Comparison", "changes", "compare", "find_report", "fingerprint", "load_report",
           "rules_digest"]


def rules_digest(rules: Sequence[Any] = (), source: Any = None) -> str:
    """SHA-256 of the analysts' rules: the file's bytes when ``source`` is a path, else the
    rules' names, parameters and definitions ("" without rules)."""
    if isinstance(source, str | Path) and Path(source).is_file():
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    if not rules:
        return ""
    text = json.dumps([[q.name, q.title_zh, q.title_en, q.definition_en, q.definition_zh,
                        list(q.params)] for q in rules], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(ds: Any, params: Mapping[str, int], rules: Sequence[Any] = (),
                rules_source: Any = None) -> dict[str, Any]:
    """What a report's numbers depend on, as recorded in ``meta.json``.

    Returns
    -------
    dict
        ``params`` (gap parameters), ``rules`` (``names``, ``sha256``) and ``dataset_rows``
        (rows per table); the dataset's name and path are recorded beside them.
    """
    return {"params": dict(params),
            "rules_sha256": rules_digest(rules, rules_source),
            "rule_names": [q.name for q in rules],
            "dataset_rows": {k: int(v) for k, v in ds.counts().items()}}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Warnings (Chinese, then English) for what differs between two reports' ``meta.json``.

    Examples
    --------
    >>> changes({"params": {"visit_window_days": 180}}, {"params": {"visit_window_days": 90}})
    ['参数已变更 parameters changed: visit_window_days 180 → 90']
    >>> changes({"dataset": "a"}, {"dataset": "a"})
    []
    """
    warnings = []
    old, new = dict(before.get("params") or {}), dict(after.get("params") or {})
    if old != new:
        diff = [f"{k} {old.get(k, '–')} → {new.get(k, '–')}"
                for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        warnings.append("参数已变更 parameters changed: " + "; ".join(diff))
    old_rules = [r.get("name") if isinstance(r, Mapping) else r
                 for r in before.get("rules") or []]
    new_rules = [r.get("name") if isinstance(r, Mapping) else r
                 for r in after.get("rules") or []]
    if (old_rules != new_rules
            or before.get("rules_sha256", "") != after.get("rules_sha256", "")):
        warnings.append("规则已变更 rules changed: "
                        f"{'、'.join(map(str, old_rules)) or '无 none'} → "
                        f"{'、'.join(map(str, new_rules)) or '无 none'}"
                        + ("（定义不同 definitions differ）"
                           if old_rules == new_rules else ""))
    for key, zh in (("dataset", "数据集名称"), ("dataset_path", "数据集路径")):
        if before.get(key) and after.get(key) and before.get(key) != after.get(key):
            warnings.append(f"{zh}已变更 {key} changed: {before.get(key)} → {after.get(key)}")
    old_rows = dict(before.get("dataset_rows") or {})
    new_rows = dict(after.get("dataset_rows") or {})
    if old_rows and new_rows and old_rows != new_rows:
        diff = [f"{t} {old_rows.get(t, 0)} → {new_rows.get(t, 0)}"
                for t in sorted(set(old_rows) | set(new_rows))
                if old_rows.get(t, 0) != new_rows.get(t, 0)]
        warnings.append("数据已变更 dataset rows changed: " + "; ".join(diff))
    return warnings


def find_report(out_dir: str | Path, ref: str, dataset: str | None = None) -> SavedReport:
    """The earlier report ``ref`` names: a date (the latest report as of that date, i.e.
    with the greatest evaluation date on or before it, the last generated of that day),
    a report folder's name in ``out_dir``, or a report folder's path.

    Raises
    ------
    UsageError
        When nothing matches (the message lists what exists; exit 2 on the command line).
    """
    out_dir = Path(out_dir)
    ref = str(ref).strip()
    try:
        day = dt.date.fromisoformat(ref)
    except ValueError:
        day = None
    if day is not None:
        reports = [r for r in saved_reports(out_dir, dataset) if r.as_of <= day.isoformat()]
        if not reports:
            raise UsageError(f"没有评估日期在 {day} 或之前的报告 / no report as of {day} or "
                              f"earlier in {out_dir}")
        return max(reports, key=lambda r: (r.as_of, r.generated_at, r.name))
    path = Path(ref)
    if not path.is_absolute() and not path.exists():
        path = out_dir / ref
    try:
        return load_report(path)
    except UsageError:
        names = [r.name for r in saved_reports(out_dir, dataset)]
        raise UsageError(f"找不到报告 / no report {ref!r}; a date YYYY-MM-DD or one of: "
                          + (", ".join(names[-5:]) or "none yet")) from None


def load_report(path: str | Path) -> SavedReport:
    """A complete report folder (with ``meta.json`` and ``gaps.json``)."""
    path = Path(path)
    if path.is_symlink() and path.name in ("latest",):
        path = path.resolve()
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        findings = json.loads((path / "gaps.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"不是完整的报告文件夹 / not a complete report folder: {path}") from None
    return SavedReport(path.name, path, meta, findings)


@dataclass
class Comparison:
    """Two reports compared: findings by ``(gap, id)`` and the warnings."""

    before: str
    after: str
    new: pd.DataFrame
    resolved: pd.DataFrame
    unchanged: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        """True when parameters, rules and dataset are the same."""
        return not self.warnings


def _as_report(value: Any) -> SavedReport:
    if isinstance(value, SavedReport):
        return value
    path = getattr(value, "path", value)  # a ReportResult
    if not isinstance(path, str | Path):
        raise TypeError(f"a report folder or report result expected, not {type(value)}")
    return load_report(path)


def compare(a: Any, b: Any) -> Comparison:
    """Compare report ``a`` (earlier) with report ``b`` (later).

    Parameters
    ----------
    a, b : str, pathlib.Path, ReportResult or SavedReport
        Report folders (or what :func:`graphmodel.report.build_report` returned).

    Returns
    -------
    Comparison
        ``new`` (in ``b`` only), ``resolved`` (in ``a`` only), ``unchanged`` (in both), with
        the gap columns; ``warnings`` when parameters, rules or dataset differ
        (:func:`changes`).
    """
    before, after = _as_report(a), _as_report(b)
    now = pd.DataFrame(list(after.findings), columns=GAP_COLUMNS)
    new, resolved = diff_findings(before.findings, now)
    new_keys = set(zip(new["gap"], new["id"], strict=True))
    unchanged = now.loc[[k not in new_keys for k in zip(now["gap"], now["id"], strict=True)]
                        if len(now) else now.index[:0]]
    return Comparison(before.name, after.name, new, resolved,
                      unchanged.sort_values(["gap", "id"]).reset_index(drop=True),
                      changes(before.meta, after.meta))

