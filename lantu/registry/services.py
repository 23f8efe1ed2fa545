"""Every write to the registry goes through these functions. Each takes the acting user (``None``
is the system, e.g. a command run by the county's administrator on the server), checks the
user's permission and region scope, keeps the registry's invariants with a message that says
what to fix, and records a ledger event in the same transaction as the change.

Bulk imports use ``lantu.registry.imports``, which keeps the same invariants set-wise.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from lantu.accounts.roles import Perm
from lantu.core.errors import InvariantViolated, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.regions.models import Level, Region
from lantu.registry import income
from lantu.registry.ids import check_id
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange

HOUSEHOLD_REGION_LEVELS = (Level.VILLAGE, Level.GROUP)


def _authorise(actor: Any, perm: Perm, region_path: str) -> None:
    if actor is None:
        return
    if not actor.can(perm):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")
    scope = actor.region.path if actor.region_id else None
    if scope is None or not region_path.startswith(scope):
        raise OutOfScope()


def _snapshot(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if k not in exclude}


def check_person_free(id_number: str, *, household: Household | None = None) -> None:
    """A person (ID number) is in at most one active household."""
    other = Member.objects.filter(id_number=id_number, active=True).select_related("household")
    if household is not None and household.pk:
        other = other.exclude(household=household)
    found = other.first()
    if found is not None:
        raise InvariantViolated(
            f"身份证号{id_number}已是户{found.household.household_no}的在户成员，"
            "同一人只能在一个户中；请先从原户减员",
            f"ID {id_number} is already an active member of household "
            f"{found.household.household_no}: a person is in one household only; "
            "remove them from it first",
        )


def check_one_head(household: Household) -> None:
    heads = household.members.filter(active=True, relation="head").count()
    if heads != 1:
        raise InvariantViolated(
            f"户{household.household_no}应有且只有一名户主，现有{heads}名",
            f"household {household.household_no} must have exactly one head; it has {heads}",
        )


def _validated_member(fields: dict[str, Any]) -> dict[str, Any]:
    checked = check_id(fields.get("id_number"))
    if not checked.ok:
        zh, en = checked.error or ("", "")
        raise ValidationFailed(zh, en)
    out = dict(fields)
    out["id_number"] = checked.number
    out["legacy_id_number"] = checked.legacy
    stated_birth = out.get("birth_date")
    if stated_birth and stated_birth != checked.birth_date:
        raise ValidationFailed(
            f"出生日期{stated_birth}与身份证号中的{checked.birth_date}不一致",
            f"birth date {stated_birth} disagrees with {checked.birth_date} in the ID number",
        )
    out["birth_date"] = checked.birth_date
    if out.get("sex") and out["sex"] != checked.sex:
        raise ValidationFailed(
            "性别与身份证号第17位不一致", "sex disagrees with the 17th digit of the ID number"
        )
    out["sex"] = checked.sex
    return out


def _refresh_household_summary(household: Household) -> None:
    active = household.members.filter(active=True)
    household.size = active.count()
    head = active.filter(relation="head").first()
    household.head_name = head.name if head else ""
    household.save(update_fields=["size", "head_name", "updated_at"])


@transaction.atomic
def create_household(
    *,
    actor: Any,
    household_no: str,
    region: Region,
    members: list[dict[str, Any]],
    reason: str = "",
    **fields: Any,
) -> Household:
    """A new household with its members (exactly one of them the head)."""
    _authorise(actor, Perm.EDIT, region.path)
    if region.level not in HOUSEHOLD_REGION_LEVELS:
        raise ValidationFailed(
            f"户应属于行政村或村民小组，{region.name}是{region.get_level_display()}",
            f"a household belongs to a village or group; {region.name} is a {region.level}",
        )
    if Household.objects.filter(household_no=household_no).exists():
        raise InvariantViolated(
            f"户编号{household_no}已存在", f"household number {household_no} already exists"
        )
    household = Household(household_no=household_no, region=region, **fields)
    household.save()
    for m in members:
        _add_member(household, m)
    check_one_head(household)
    _refresh_household_summary(household)
    record(
        Change(
            "household.create",
            "household",
            str(household.pk),
            household.region_path,
            after=_snapshot(household) | {"members": [m["id_number"] for m in members]},
            reason=reason,
        ),
        actor=actor,
    )
    return household


def _add_member(household: Household, fields: dict[str, Any]) -> Member:
    data = _validated_member(fields)
    check_person_free(data["id_number"], household=household)
    try:
        with transaction.atomic():
            return Member.objects.create(household=household, **data)
    except IntegrityError as exc:  # a concurrent writer got there first
        raise InvariantViolated(
            "成员与其他在户记录冲突（同一身份证号或第二名户主）",
            "the member conflicts with another active record (same ID or a second head)",
        ) from exc


@transaction.atomic
def add_member(*, actor: Any, household: Household, reason: str = "", **fields: Any) -> Member:
    _authorise(actor, Perm.EDIT, household.region_path)
    member = _add_member(household, fields)
    check_one_head(household)
    _refresh_household_summary(household)
    record(
        Change(
            "member.add",
            "member",
            str(member.pk),
            household.region_path,
            after=_snapshot(member),
            reason=reason,
        ),
        actor=actor,
    )
    return member


@transaction.atomic
def remove_member(
    *, actor: Any, member: Member, left_reason: str, year: int | None = None
) -> Member:
    """The member leaves the household (death, marriage, move); the record is kept."""
    household = member.household
    _authorise(actor, Perm.EDIT, household.region_path)
    if not left_reason:
        raise ValidationFailed("请填写减员原因", "give the reason the member left")
    before = _snapshot(member)
    member.active = False
    member.left_reason = left_reason
    member.left_year = year or timezone.localdate().year
    member.save(update_fields=["active", "left_reason", "left_year"])
    if member.relation == "head" and household.members.filter(active=True).exists():
        raise InvariantViolated(
            "户主减员前请先指定新户主", "name a new head before the head leaves the household"
        )
    _refresh_household_summary(household)
    record(
        Change(
            "member.remove",
            "member",
            str(member.pk),
            household.region_path,
            before,
            _snapshot(member),
            left_reason,
        ),
        actor=actor,
    )
    return member


@transaction.atomic
def update_household(
    *, actor: Any, household: Household, changes: dict[str, Any], reason: str = ""
) -> Household:
    _authorise(actor, Perm.EDIT, household.region_path)
    if "status" in changes:
        raise ValidationFailed(
            "状态变更须通过 change_status 记录", "status changes go through change_status"
        )
    before = _snapshot(household)
    for key, value in changes.items():
        setattr(household, key, value)
    household.save()
    record(
        Change(
            "household.update",
            "household",
            str(household.pk),
            household.region_path,
            before,
            _snapshot(household),
            reason,
        ),
        actor=actor,
    )
    return household


@transaction.atomic
def record_year(
    *, actor: Any, household: Household, year: int, facts: dict[str, Any], reason: str = ""
) -> HouseholdYear:
    """Create or replace the household's facts for a year; income totals are derived."""
    _authorise(actor, Perm.EDIT, household.region_path)
    derived, error = income.derive(facts, household.size)
    if error:
        raise ValidationFailed(*error)
    existing = HouseholdYear.objects.filter(household=household, year=year).first()
    before = _snapshot(existing) if existing else None
    row, _ = HouseholdYear.objects.update_or_create(
        household=household, year=year, defaults=derived
    )
    record(
        Change(
            "year.record",
            "household_year",
            str(row.pk),
            household.region_path,
            before,
            _snapshot(row),
            reason,
        ),
        actor=actor,
    )
    return row


@transaction.atomic
def change_status(
    *,
    actor: Any,
    household: Household,
    to_status: str,
    year: int,
    reason: str,
    date: datetime.date | None = None,
) -> StatusChange:
    """Move a household to a new status; the history row and the ledger event go together."""
    _authorise(actor, Perm.EDIT, household.region_path)
    from_status = household.status
    household.status = to_status
    household.save(update_fields=["status", "updated_at"])
    event = record(
        Change(
            "household.status",
            "household",
            str(household.pk),
            household.region_path,
            {"status": from_status},
            {"status": to_status, "year": year},
            reason,
        ),
        actor=actor,
    )
    return StatusChange.objects.create(
        household=household,
        year=year,
        date=date or timezone.localdate(),  # the office's day (Asia/Shanghai), not UTC's
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        event_id=event.pk,
    )
