"""What a page or the API shows of a finding, a record or a review pair, masked for the user.

A department record is shown with its dataset, its record number, the name, and the ID number and
every fact through ``lantu.registry.masking`` (a fact named as a personal column, such as
``phone``, is masked as that column); medical bills' facts are health details, hidden from a role
without the personal-data permission.
"""

from __future__ import annotations

from typing import Any

from lantu.matching.models import DepartmentRecord, Finding, ReviewPair
from lantu.matching.schemas import DATASETS
from lantu.registry import codes
from lantu.registry.masking import Masker

HEALTH_DATASETS = ("medical_bills", "disability_certificates")


def record(r: DepartmentRecord | None, m: Masker, dataset: str = "") -> dict[str, Any]:
    if r is None:
        return {}
    ds = DATASETS.get(dataset or r.load.dataset)
    hidden = ds is not None and ds.slug in HEALTH_DATASETS and m.masks("health")
    labels = {f.name: (f.zh, f.en or f.zh) for f in ds.facts} if ds else {}
    return {
        "dataset": ds.zh if ds else dataset,
        "dataset_en": ds.en if ds else dataset,
        "record_id": r.record_id,
        "name": r.name,
        "id_number": m.value("id_number", r.id_number),
        # (Chinese label, English label, Chinese value, English value) of each fact given; every
        # value through the one masker (a contact phone is a phone, whoever's dataset it came in)
        "facts": []
        if hidden
        else [
            (*labels.get(k, (k, k)), *fact_value(m.value(k, v))) for k, v in r.facts.items() if v
        ],
    }


# The departments' coded values as a person reads them (Chinese, English); other values (numbers,
# names, dates) are shown as given.
VALUE_LABELS = {
    "government": ("机关", "government agency"),
    "institution": ("事业单位", "public institution"),
    "operating": ("存续", "operating"),
    "cancelled": ("注销", "deregistered"),
    "active": ("在册", "registered"),
    "moved_out": ("已迁出", "moved out"),
    "car": ("小型汽车", "car"),
    "town_house": ("城镇住房", "town house"),
    "home_teaching": ("送教上门", "home teaching"),
    "higher": ("高等教育", "higher education"),
    "dropout": ("辍学", "dropped out"),
}


def fact_value(value: Any) -> tuple[str, str]:
    """A department fact's value in Chinese and English (codes and yes/no named, not raw)."""
    if isinstance(value, bool) or value in ("true", "false"):
        yes = value is True or value == "true"
        return ("是", "yes") if yes else ("否", "no")
    text = str(value)
    if text in VALUE_LABELS:
        return VALUE_LABELS[text]
    for code_list in (codes.SCHOOLING, codes.EDUCATION):
        if any(c.code == text for c in code_list):
            return codes.label(code_list, text), codes.label(code_list, text, "en")
    return text, text


SOURCES = {"registry": ("建档立卡", "registry"), "kinship": ("户籍亲属关系", "kinship records")}


def relative(detail: dict[str, Any]) -> dict[str, Any]:
    """The relative a finding's record is about (``Finding.detail``), or {} for a member's own."""
    if not detail.get("relation"):
        return {}
    code = str(detail["relation"])
    source = SOURCES.get(detail.get("source", ""), (detail.get("source", ""),) * 2)
    return {
        "name": detail.get("relative_name", ""),
        "relation": codes.label(codes.RELATION, code),
        "relation_en": codes.label(codes.RELATION, code, "en"),
        "source": source[0],
        "source_en": source[1],
    }


def finding(f: Finding, m: Masker) -> dict[str, Any]:
    return {
        "pk": f.pk,
        "year": f.year,
        "rule": f.rule,
        "zh": f.rule_zh,
        "en": f.rule_en,
        "kind": f.kind,
        "status": f.status,
        "status_label": f.get_status_display(),
        "found_on": f.found_on,
        "household_id": f.household_id,
        "household_no": f.household.household_no,
        "head_name": f.household.head_name,
        "policy": f"{f.policy} {f.policy_version}",
        "evidence": record(f.record, m, f.dataset) | {"relative": relative(f.detail or {})},
    }


def review(p: ReviewPair, m: Masker) -> dict[str, Any]:
    member = p.member
    return {
        "pk": p.pk,
        "probability": p.probability,
        "record": record(p.record, m),
        "member": {
            "name": member.name,
            "id_number": m.value("id_number", member.id_number),
            "birth_date": m.value("birth_date", member.birth_date),
            "household_no": member.household.household_no,
            "household_id": member.household_id,
        },
    }
