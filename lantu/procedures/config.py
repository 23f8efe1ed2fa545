"""Kinds of procedure as configuration: one YAML file per kind in ``kinds/``, read into ``Kind``.

A kind declares its steps in order. Each step is either an *action* (a role at a region level
acts: approve, return, reject) or a *notice* (公示 ``publicity``, which takes objections, or 公告
``announcement``), with its length or deadline. Durations are policy values with a reference:
``{value: 10, ref: …}`` here, or ``{param: notice_days}``, read from the ruler's policy
(``lantu.standards.policy``) in force for the case's year, so notice lengths have one source.
A kind also names the ruler rule a household must pass (or fail) before the county decides, and
its effect on the registry when the case completes. ``_common.yaml`` holds shared settings.

A kind's ``subject`` is what its cases are about: ``household`` (the default) or the type of
another subject (``project``, ``finding``, ``village``, ``county``: ``lantu.procedures.subjects``,
whose hooks give such a case's place, name, link and effect). A village's or county's case
(``is_regional``) is judged by that level's ruler rule. A notice step may name the ``role`` and
``level`` that confirm it (default: the village that posted it), so a township or the province
can post a region's notice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from lantu.core.errors import ValidationFailed
from lantu.regions.models import LEVEL_ORDER
from lantu.standards import policy as ruler_policy

KINDS_DIR = Path(__file__).parent / "kinds"
STEP_TYPES = ("action", "notice")
NOTICE_TYPES = ("publicity", "announcement")
REQUIREMENTS = ("checklist", "votes", "consent", "comparison", "monitoring_type")
REGION_LEVELS = ("village", "county")  # the region levels a case can be about


@dataclass(frozen=True)
class Duration:
    """Days, either a literal with its reference or the name of a ruler parameter."""

    value: int | None = None
    param: str = ""
    ref: str = ""

    def days(self, year: int, policy: str | None = None) -> tuple[int, str]:
        if not self.param:
            return int(self.value or 0), self.ref
        p = ruler_policy.load(policy or default_policy()).parameters[self.param]
        v = p.at(year)
        if v is None:
            raise ValidationFailed(
                f"政策参数{self.param}在{year}年无取值", f"{self.param} has no value in {year}"
            )
        return int(v.value), v.ref


@dataclass(frozen=True)
class Step:
    name: str
    zh: str
    en: str
    type: str = "action"
    role: str = ""
    level: str = ""
    notice: str = ""
    requires: tuple[str, ...] = ()
    verification: bool = False
    decision: bool = False
    days: Duration = field(default_factory=Duration)

    @property
    def is_notice(self) -> bool:
        return self.type == "notice"


@dataclass(frozen=True)
class Kind:
    slug: str
    zh: str
    en: str
    ref: str
    from_status: tuple[str, ...]
    rule: dict[str, str]
    effect: dict[str, Any]
    steps: tuple[Step, ...]
    case_days: Duration | None = None
    # Change requests: for each editable fact (``household.address``, ``member.education``),
    # the level whose approval makes the change (``lantu.procedures.changes``).
    fields: dict[str, str] = field(default_factory=dict)
    subject: str = "household"

    @property
    def is_regional(self) -> bool:
        """About a village or a county (judged by that level's ruler rule)."""
        return self.subject in REGION_LEVELS

    @property
    def ruled(self) -> bool:
        """Its decision step asks the ruler (a household's or a region's result); another room's
        subject has its own checks (``lantu.procedures.subjects``)."""
        return self.subject == "household" or self.is_regional

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def index(self, name: str) -> int:
        return [s.name for s in self.steps].index(name)

    def after(self, name: str) -> Step | None:
        i = self.index(name) + 1
        return self.steps[i] if i < len(self.steps) else None

    def before(self, name: str) -> Step | None:
        """The action step before ``name`` (where a returned case goes back to)."""
        for s in reversed(self.steps[: self.index(name)]):
            if not s.is_notice:
                return s
        return None

    def ends_at(self, step: Step, data: dict[str, Any]) -> bool:
        """A case whose records name a ``final_level`` is done once that level has approved."""
        return bool(data.get("final_level")) and step.level == data["final_level"]

    @property
    def verification_step(self) -> Step:
        return next((s for s in self.steps if s.verification), self.steps[0])


def default_policy() -> str:
    return str(getattr(settings, "LANTU_POLICY", "yunnan"))


def _duration(raw: Any) -> Duration:
    if raw is None:
        return Duration()
    return Duration(value=raw.get("value"), param=raw.get("param", ""), ref=raw.get("ref", ""))


def _step(kind: str, raw: dict[str, Any]) -> Step:
    s = Step(
        name=raw["name"],
        zh=raw["zh"],
        en=raw["en"],
        type=raw.get("type", "action"),
        role=raw.get("role", ""),
        level=raw.get("level", ""),
        notice=raw.get("notice", ""),
        requires=tuple(raw.get("requires", ())),
        verification=bool(raw.get("verification", False)),
        decision=bool(raw.get("decision", False)),
        days=_duration(raw.get("days")),
    )
    problems = []
    if s.type not in STEP_TYPES:
        problems.append(f"type {s.type}")
    if s.is_notice and s.notice not in NOTICE_TYPES:
        problems.append(f"notice {s.notice}")
    if not s.is_notice and (not s.role or s.level not in LEVEL_ORDER):
        problems.append("role/level")
    problems += [f"requires {r}" for r in s.requires if r not in REQUIREMENTS]
    if problems:
        raise ValidationFailed(
            f"程序配置{kind}的步骤{s.name}有误：{', '.join(problems)}",
            f"kind {kind}, step {s.name} is invalid: {', '.join(problems)}",
        )
    return s


def _kind(raw: dict[str, Any]) -> Kind:
    return Kind(
        slug=raw["kind"],
        zh=raw["zh"],
        en=raw["en"],
        ref=raw.get("ref", ""),
        from_status=tuple(raw.get("from_status", ())),
        rule=dict(raw.get("rule") or {}),
        effect=dict(raw.get("effect") or {}),
        steps=tuple(_step(raw["kind"], s) for s in raw["steps"]),
        case_days=_duration(raw["case_days"]) if raw.get("case_days") else None,
        fields=_fields(raw),
        subject=raw.get("subject", "household"),
    )


def _fields(raw: dict[str, Any]) -> dict[str, str]:
    out = {}
    for group, names in (raw.get("fields") or {}).items():
        for name, level in names.items():
            if level not in LEVEL_ORDER:
                raise ValidationFailed(
                    f"程序配置{raw['kind']}的字段{group}.{name}的层级{level}有误",
                    f"kind {raw['kind']}: field {group}.{name} has an unknown level {level}",
                )
            out[f"{group}.{name}"] = level
    return out


@functools.cache
def kinds() -> dict[str, Kind]:
    out = {}
    for path in sorted(KINDS_DIR.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        k = _kind(yaml.safe_load(path.read_text(encoding="utf-8")))
        out[k.slug] = k
    return out


def kind(slug: str) -> Kind:
    try:
        return kinds()[slug]
    except KeyError:
        raise ValidationFailed(
            f"没有名为{slug}的程序类型（可选：{', '.join(kinds())}）",
            f"no procedure kind '{slug}' (choose from: {', '.join(kinds())})",
        ) from None


@functools.cache
def common() -> dict[str, int]:
    raw = yaml.safe_load((KINDS_DIR / "_common.yaml").read_text(encoding="utf-8"))
    return {k: int(v["value"]) for k, v in raw.items()}
