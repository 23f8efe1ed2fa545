"""The assistance room's coded values: unit and cadre levels, team roles, measure statuses, and the
measure catalogue (``catalogue.yaml``: data with codes, not code). The same lists drive the
database choices, the Excel templates' drop-downs, the importers and the simulator."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lantu.registry.codes import Code, CodeList

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue.yaml"

UNIT_LEVEL: CodeList = (
    Code("central", "中央单位", "central unit"),
    Code("province", "省级单位", "provincial unit"),
    Code("prefecture", "州市级单位", "prefecture unit"),
    Code("county", "县级单位", "county unit"),
)
PAIRING_KIND: CodeList = (
    Code("designated", "定点帮扶", "designated assistance"),
    Code("linked", "挂钩帮扶", "linked assistance"),
)
# The cadre's level decides the ceiling of households paired with them (a policy value).
CADRE_LEVEL: CodeList = (
    Code("province", "省级干部", "provincial cadre"),
    Code("prefecture", "州市级干部", "prefecture cadre"),
    Code("county", "县级干部", "county cadre"),
    Code("township", "乡镇干部", "township cadre"),
    Code("village", "村干部", "village cadre"),
)
TEAM_ROLE: CodeList = (
    Code("first_secretary", "第一书记", "first secretary"),
    Code("leader", "工作队长", "team leader"),
    Code("member", "队员", "team member"),
)
LEAVE_REASON: CodeList = (
    Code("rotation", "期满轮换", "rotation at the end of the term"),
    Code("replacement", "中途调整", "mid-term replacement"),
    Code("other", "其他", "other"),
)
MEASURE_STATUS: CodeList = (
    Code("planned", "计划", "planned"),
    Code("in_progress", "实施中", "in progress"),
    Code("done", "已完成", "done"),
    Code("cancelled", "已取消", "cancelled"),
)
ASSET: CodeList = (
    Code("vehicle", "车辆", "vehicle"),
    Code("property", "城镇住房", "town home"),
    Code("company", "企业", "company"),
)
VISIT_KIND: CodeList = (
    Code("home", "入户走访", "home visit"),
    Code("phone", "电话联系", "phone call"),
)


@dataclass(frozen=True)
class Measure:
    code: str
    zh: str
    en: str
    group: str  # development | safety_net | guarantee | support
    answers: tuple[str, ...]  # cause codes (lantu.registry.codes.CAUSE) this measure answers
    asset: str = ""  # a measure that names an asset (assisted_vehicle / property / company)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Measure]:
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {
        code: Measure(
            code,
            m["zh"],
            m["en"],
            m["group"],
            tuple(str(c) for c in m.get("answers", [])),
            m.get("asset", ""),
        )
        for code, m in data["measures"].items()
    }


def measure_codes() -> CodeList:
    return tuple(Code(m.code, m.zh, m.en) for m in catalogue().values())


@lru_cache(maxsize=1)
def industry_support() -> tuple[str, ...]:
    """The measure codes counted as industry support (产业扶持), from the catalogue."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(str(c) for c in data.get("industry_support", []))
