"""How a case reads on its page: who may act now and who acts next, the step records with role
names instead of codes, and a change request's facts (before → after, masked for the viewer).
Pure reads over what ``queries`` fetched; no writes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lantu.accounts.roles import ROLE_LABELS
from lantu.core.errors import LantuError
from lantu.procedures import engine, requirements
from lantu.procedures.config import Step
from lantu.procedures.models import ACTIVE_STATES, Case
from lantu.procedures.notices import NOTICE_ACTOR, OBJECTION_RESOLVER
from lantu.regions.models import Level
from lantu.registry.forms import display, field_label
from lantu.registry.masking import Masker
from lantu.registry.models import Household, Member

SYSTEM = "system"


def role_label(role: str) -> str:
    labels = {r.value: str(label) for r, label in ROLE_LABELS.items()}
    if role == SYSTEM or not role:
        return _("系统")
    return labels.get(role, role)


def actor_name(user: Any) -> str:
    if user is None:
        return _("系统")
    return str(user.get_full_name() or user.username)


def may_act(user: Any, step: Step, case: Case) -> bool:
    if case.state not in ACTIVE_STATES:
        return False
    try:
        engine.authorise(user, step, case)
    except LantuError:
        return False
    return True


def may_resolve(user: Any, case: Case) -> bool:
    """May ``user`` rule on this case's objections (the township, not the proposing village)?"""
    role, level = OBJECTION_RESOLVER
    probe = Step(name="objection", zh="", en="", role=role, level=level)
    try:
        engine.authorise(user, probe, case)
    except LantuError:
        return False
    return True


def who_acts(step: Step) -> str:
    """'乡镇审核（乡镇）': the role and level that act on ``step``."""
    role, level = NOTICE_ACTOR if step.is_notice else (step.role, step.level)
    if (get_language() or "").startswith("en"):
        return f"{role_label(role)} ({Level(level).label})"
    return f"{role_label(role)}（{Level(level).label}）"


def _row(
    model: type[Any], subject: str, name: str, change: dict[str, Any], m: Masker
) -> dict[str, str]:
    return {
        "subject": subject,
        "field": field_label(model, name),
        "from": display(name, m.value(name, change["from"])),
        "to": display(name, m.value(name, change["to"])),
    }


def change_rows(case: Case, m: Masker) -> list[dict[str, str]]:
    """A change request's facts as rows: whose, which fact, from, to."""
    changes = (case.data or {}).get("changes")
    if not changes:
        return []
    rows = [_row(Household, _("户"), n, c, m) for n, c in changes["household"].items()]
    names = dict(
        Member.objects.filter(pk__in=[int(k) for k in changes["members"]]).values_list("pk", "name")
    )
    for pk, facts in changes["members"].items():
        subject = names.get(int(pk), pk)
        rows += [_row(Member, str(subject), n, c, m) for n, c in facts.items()]
    return rows


def _pick(pair: tuple[str, str]) -> str:
    return pair[1] if (get_language() or "").startswith("en") else pair[0]


def _describe(name: str, value: Any) -> str | None:
    """One step record as a person reads it (None: not a record to show)."""
    if name == "checklist" and isinstance(value, dict):
        return "；".join(
            f"{_pick(requirements.CHECK_LABELS[c])} {'✓' if value.get(c) else '✗'}"
            for c in requirements.CHECKS
        )
    if name == "votes" and isinstance(value, dict):
        return "；".join(
            _("%(body)s：赞成 %(f)s，反对 %(a)s")
            % {"body": _pick(requirements.BODY_LABELS[b]), "f": v.get("for"), "a": v.get("against")}
            for b, v in value.items()
            if b in requirements.BODY_LABELS and isinstance(v, dict)
        )
    if name == "consent":
        return _("已签字同意") if value else _("未签字")
    if name in ("comparison", "reason") and value:
        return str(value)
    if name == "monitoring_type" and value:
        return display("monitoring_type", value)
    if name == "ruler" and isinstance(value, dict):
        return str(value.get("zh", "")) if value.get("ok") else _("不符合标准，已说明理由批准")
    return None


RECORD_LABELS = {
    "checklist": ("五查五看", "five checks"),
    "votes": ("三评票数", "appraisal votes"),
    "consent": ("农户签字", "household consent"),
    "comparison": ("数据比对情况", "data comparison"),
    "monitoring_type": ("监测对象类别", "monitoring category"),
    "ruler": ("标准核验", "standard check"),
}


def records(case: Case) -> list[tuple[str, str]]:
    """What the case's steps recorded (the five checks, the vote counts, the consent, the
    comparison note, the ruler's check), labelled, in the page's language."""
    out = []
    data = case.data or {}
    for name, label in RECORD_LABELS.items():
        if name not in data:
            continue  # a record this kind never asks for
        text = _describe(name, data[name])
        if text:
            out.append((_pick(label), text))
    if case.override_reason:
        out.append((_pick(("不符合标准仍批准的理由", "reason to approve anyway")),
                    case.override_reason))  # fmt: skip
    return out


def summary(data: dict[str, Any] | None) -> str:
    """A step record's data in one line (for the case's history)."""
    parts = []
    for name, value in (data or {}).items():
        text = _describe(name, value)
        if text and name in RECORD_LABELS:
            parts.append(f"{_pick(RECORD_LABELS[name])}：{text}")
    return "；".join(parts)
