"""What a step must record before it can be approved, and how a form's fields become that record.

- ``checklist``: 五查五看, the five checks each confirmed (income and its stability; housing and
  its safety; property; family structure, labour and dependants; production and living
  conditions);
- ``votes``: the three appraisals (三评: internal, party members, villagers), votes for and against;
- ``consent``: the household's signed consent (to exit; for monitoring, to check its assets);
- ``comparison``: the county's data comparison, a note of what was compared and found;
- ``monitoring_type``: which kind of monitoring object (``lantu.registry.codes.MONITORING_TYPE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lantu.core.errors import ValidationFailed
from lantu.procedures.config import Step
from lantu.registry import codes

CHECKS = ("income", "housing", "property", "family", "conditions")
CHECK_LABELS = {
    "income": ("查收入看稳定", "income and its stability"),
    "housing": ("查住房看安全", "housing and its safety"),
    "property": ("查财产看家底", "property and wealth"),
    "family": ("查人口看劳力", "family, labour and dependants"),
    "conditions": ("查生产生活条件", "production and living conditions"),
}
BODIES = ("internal", "party", "villagers")
BODY_LABELS = {
    "internal": ("内部评议（村两委和工作队）", "internal (committee and work team)"),
    "party": ("党员评议", "party members"),
    "villagers": ("群众评议（村民代表）", "villagers' representatives"),
}


def _fail(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, en)


def _checklist(value: Any) -> dict[str, bool]:
    value = value or {}
    missing = [c for c in CHECKS if not value.get(c)]
    if missing:
        zh = "、".join(CHECK_LABELS[c][0] for c in missing)
        en = ", ".join(CHECK_LABELS[c][1] for c in missing)
        raise _fail(f"五查五看未完成：{zh}", f"home verification incomplete: {en}")
    return {c: True for c in CHECKS}


def _count(value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if n < 0:
        raise _fail("票数应为非负整数", "vote counts are whole numbers, zero or more")
    return n


def _votes(value: Any) -> dict[str, dict[str, int]]:
    value = value or {}
    out = {}
    for body in BODIES:
        v = value.get(body)
        if not v:
            raise _fail(
                f"缺少{BODY_LABELS[body][0]}的票数", f"votes of {BODY_LABELS[body][1]} missing"
            )
        out[body] = {"for": _count(v.get("for")), "against": _count(v.get("against"))}
    return out


def _consent(value: Any) -> bool:
    if value is not True:
        raise _fail("缺少农户签字同意（授权）", "the household's signed consent is missing")
    return True


def _comparison(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise _fail("请填写数据比对情况", "describe the data comparison")
    return text


def _monitoring_type(value: Any) -> str:
    if value not in {c.code for c in codes.MONITORING_TYPE}:
        raise _fail("请选择监测对象类别", "choose the kind of monitoring object")
    return str(value)


CHECKERS = {
    "checklist": _checklist,
    "votes": _votes,
    "consent": _consent,
    "comparison": _comparison,
    "monitoring_type": _monitoring_type,
}


def merge(step: Step, existing: Mapping[str, Any], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The case's records with this step's submitted ones, each required one checked."""
    out = dict(existing)
    for name in step.requires:
        out[name] = CHECKERS[name](submitted.get(name, existing.get(name)))
    return out


def from_form(step: Step, post: Mapping[str, Any]) -> dict[str, Any]:
    """A page's POST fields (``check_income``, ``votes_party_for``, …) as a step record."""
    data: dict[str, Any] = {}
    if "checklist" in step.requires:
        data["checklist"] = {c: post.get(f"check_{c}") == "on" for c in CHECKS}
    if "votes" in step.requires:
        data["votes"] = {
            b: {"for": post.get(f"votes_{b}_for"), "against": post.get(f"votes_{b}_against")}
            for b in BODIES
        }
    if "consent" in step.requires:
        data["consent"] = post.get("consent") == "on"
    if "comparison" in step.requires:
        data["comparison"] = post.get("comparison", "")
    if "monitoring_type" in step.requires:
        data["monitoring_type"] = post.get("monitoring_type", "")
    return data
