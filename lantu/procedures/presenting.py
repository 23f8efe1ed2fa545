"""How a case reads on its page: who may act now and who acts next, the step records with role
names instead of codes, and a change request's facts (before → after, masked for the viewer).
Pure reads over what ``queries`` fetched; no writes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lantu.accounts.roles import ROLE_LABELS
from lantu.core.errors import LantuError
from lantu.procedures import engine
from lantu.procedures.config import Step
from lantu.procedures.models import ACTIVE_STATES, Case
from lantu.procedures.notices import NOTICE_ACTOR
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
