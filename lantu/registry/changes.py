"""Applying an approved change request (变更申请) to the registry, all or nothing.

``changes`` is what the request recorded when the village entered it::

    {"household": {"address": {"from": "老寨", "to": "新寨"}},
     "members": {"17": {"education": {"from": "primary", "to": "junior"}}}}

Each value is checked again by its model field (type, choices, validators) and each ``from`` is
compared with what the registry holds now: if a fact changed since the request was entered (an
import, another request), nothing is applied and the approver is told which fact to re-check.
Household facts go through ``services.update_household`` (its ``household.update`` event);
each member's through ``member.update``, in the caller's transaction. Status never changes here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from lantu.accounts.roles import Perm
from lantu.core.errors import Conflict, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.registry import services
from lantu.registry.models import Household, Member

# Facts that change only through their own procedure or the importer, never by a change request.
NEVER = frozenset(
    {"status", "monitoring_type", "registration_year", "exit_year", "household_no", "region",
     "region_path", "size", "head_name", "id_number", "legacy_id_number", "birth_date", "sex",
     "active", "left_reason", "left_year", "household"}
)  # fmt: skip


def clean_value(model: type[Any], name: str, value: Any, obj: Any) -> Any:
    """``value`` as the field stores it, or ``ValidationFailed`` naming the field."""
    if name in NEVER:
        raise ValidationFailed(
            f"{name}不能通过变更申请修改（须走相应程序）",
            f"{name} cannot be changed by a change request (it has its own procedure)",
        )
    field = model._meta.get_field(name)
    try:
        return field.clean(value, obj)
    except ValidationError as exc:
        with translation.override("zh-hans"):
            zh = f"{field.verbose_name}：{'；'.join(exc.messages)}"
        with translation.override("en"):
            en = f"{field.verbose_name}: {'; '.join(exc.messages)}"
        raise ValidationFailed(zh, en) from None


def _check_unchanged(obj: Any, name: str, was: Any) -> None:
    field = obj._meta.get_field(name)
    now = field.value_from_object(obj)
    if field.to_python(was) != now:
        with translation.override("zh-hans"):
            label = str(field.verbose_name)
        raise Conflict(
            f"{label}在申请后已被修改（现为{now}），请退回村级核实后重新申请",
            f"{name} changed after the request was entered (now {now}): return it to the "
            "village to check and enter again",
        )


def _apply_member(actor: Any, member: Member, facts: dict[str, Any], reason: str) -> None:
    before = services._snapshot(member)
    for name, change in facts.items():
        _check_unchanged(member, name, change["from"])
        setattr(member, name, clean_value(Member, name, change["to"], member))
    member.save()
    record(
        Change("member.update", "member", str(member.pk), member.household.region_path, before,
               services._snapshot(member), reason),
        actor=actor,
    )  # fmt: skip


@transaction.atomic
def apply(*, actor: Any, household: Household, changes: dict[str, Any], reason: str) -> None:
    """Apply every recorded change or none (see the module docstring)."""
    services._authorise(actor, Perm.EDIT, household.region_path)
    hh = Household.objects.select_for_update().get(pk=household.pk)
    facts = changes.get("household") or {}
    updates = {}
    for name, change in facts.items():
        _check_unchanged(hh, name, change["from"])
        updates[name] = clean_value(Household, name, change["to"], hh)
    if updates:
        services.update_household(actor=actor, household=hh, changes=updates, reason=reason)
    for pk, member_facts in (changes.get("members") or {}).items():
        member = Member.objects.select_for_update().filter(pk=int(pk), household=hh).first()
        if member is None or not member.active:
            raise Conflict(
                "该成员已不在户，请退回村级核实", "the member has left the household: return it"
            )
        _apply_member(actor, member, member_facts, reason)
    if any("relation" in f or "name" in f for f in (changes.get("members") or {}).values()):
        services.check_one_head(hh)
        services._refresh_household_summary(hh)
    household.refresh_from_db()
