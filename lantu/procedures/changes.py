"""Change requests (变更申请): a village enters changed household or member facts, the township
reviews them, the county approves those that need it; the registry changes only on approval.

A request is a case of the ``change_request`` kind (``kinds/change_request.yaml``) run by the
one procedure engine: ``request_change`` opens the case on its ``entry`` step and submits it at
once (two step records, both in the ledger), with the changes in ``case.data``: each fact's value
when it was entered and the value asked for. The kind's ``fields`` give, per fact, the level
whose approval is final; the case's ``final_level`` is the highest of the facts it changes, and
the engine completes it there (``Kind.ends_at``), applying it through
``lantu.registry.changes.apply``. Facts not listed in ``fields`` (status among them) are refused.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from lantu.core.errors import ValidationFailed
from lantu.procedures import clock, config, engine
from lantu.procedures.models import Case
from lantu.regions.models import LEVEL_ORDER
from lantu.registry.changes import clean_value
from lantu.registry.models import Household, Member

KIND = "change_request"


def field_level(group: str, name: str) -> str:
    level = config.kind(KIND).fields.get(f"{group}.{name}")
    if level is None:
        raise ValidationFailed(
            f"{name}不能通过变更申请修改", f"{name} cannot be changed by a change request"
        )
    return level


def editable(group: str) -> list[str]:
    """The facts of ``group`` (``household`` or ``member``) a change request may change."""
    prefix = f"{group}."
    return [k[len(prefix) :] for k in config.kind(KIND).fields if k.startswith(prefix)]


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _diff(model: type[Any], obj: Any, group: str, wanted: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in wanted.items():
        field_level(group, name)
        new = clean_value(model, name, value, obj)
        old = model._meta.get_field(name).value_from_object(obj)
        if new != old:
            out[name] = {"from": _json(old), "to": _json(new)}
    return out


def changes_of(
    household: Household, facts: dict[str, Any], members: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """What would change: only the facts whose value differs from the registry's."""
    out: dict[str, Any] = {"household": _diff(Household, household, "household", facts)}
    out["members"] = {}
    for pk, wanted in members.items():
        member = Member.objects.filter(pk=pk, household=household, active=True).first()
        if member is None:
            raise ValidationFailed("成员不在该户", "the member is not in this household")
        diff = _diff(Member, member, "member", wanted)
        if diff:
            out["members"][str(pk)] = diff
    return out


def final_level(changes: dict[str, Any]) -> str:
    levels = [field_level("household", n) for n in changes["household"]]
    for facts in changes["members"].values():
        levels += [field_level("member", n) for n in facts]
    return min(levels, key=LEVEL_ORDER.index)  # the highest level: earliest in the order


@transaction.atomic
def request_change(
    *, actor: Any, household: Household, facts: dict[str, Any],
    members: dict[int, dict[str, Any]], reason: str,
) -> Case:  # fmt: skip
    """Enter and submit a change request (see the module docstring); nothing changes yet."""
    if not reason.strip():
        raise ValidationFailed(
            "请说明变更的依据（如入户了解到的情况）",
            "say why the facts change (e.g. what was learned at the visit)",
        )
    changes = changes_of(household, facts, members)
    if not changes["household"] and not changes["members"]:
        raise ValidationFailed("没有任何改动", "nothing was changed")
    data = {"changes": changes, "final_level": final_level(changes), "reason": reason.strip()}
    case = engine.open_case(actor=actor, kind=KIND, household=household,
                            year=clock.today().year, data=data, reason=reason)  # fmt: skip
    return engine.act(actor=actor, case_id=case.pk, version=case.version, action="approve",
                      comment=reason)  # fmt: skip
