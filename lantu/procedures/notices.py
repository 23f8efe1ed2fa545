"""Notices (公示, 公告) and objections.

A case entering a notice step joins its village's notice for that kind, step and day (a village
that submits forty households at once posts one notice listing forty). The notice runs from its
start for the step's days (a ruler parameter, e.g. ``notice_days``), ends on ``end`` inclusive,
and the step can be confirmed from the next day on, if no objection is open.

Anyone may object to a case on a running 公示, anonymously if they wish; objections from one
address are limited per window (``_common.yaml``), counted in the database so the limit holds
across processes. An objection holds the case (state ``held``) until an officer resolves it:
upheld sends the case back to its verification step; dismissed needs a recorded reason.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lantu.core.errors import Conflict, LantuError, ValidationFailed
from lantu.procedures import clock, config
from lantu.procedures.config import Step
from lantu.procedures.models import (
    Case,
    CaseState,
    Notice,
    NoticeType,
    Objection,
    ObjectionState,
)

# Who confirms that a notice ran its course: the village that posted it, unless the step names
# its role and level (a region's notice, posted by the township or the province).
NOTICE_ACTOR = ("village_entry", "village")


def actor_of(step: Step) -> tuple[str, str]:
    if not step.is_notice or step.role:
        return step.role, step.level
    return NOTICE_ACTOR


class RateLimited(LantuError):
    status = 429


def attach(case: Case, step: Step, *, today: datetime.date) -> Notice:
    days, ref = step.days.days(case.year)
    notice, _created = Notice.objects.get_or_create(
        village=case.village,
        kind=case.kind,
        step=step.name,
        start=today,
        defaults={
            "region_path": case.village.path,
            "type": step.notice,
            "year": case.year,
            "end": today + datetime.timedelta(days=max(days, 1) - 1),
            "days": days,
            "ref": ref[:200],
        },
    )
    if case.pk is None:
        # Bulk opening saves cases afterwards; the entry is added by ``link_pending``.
        case._pending_notice = notice  # type: ignore[attr-defined]
    else:
        notice.cases.add(case)
    return notice


def current(case: Case) -> Notice | None:
    return case.notices.filter(step=case.step).order_by("-start", "-id").first()


def check_concluded(case: Case, *, today: datetime.date) -> None:
    notice = current(case)
    if notice is None:
        raise Conflict("该案件不在公示中", "this case is not on a notice")
    if today <= notice.end:
        raise ValidationFailed(
            f"{notice.get_type_display()}期至{notice.end:%Y-%m-%d}，期满后方可确认",
            f"the notice runs until {notice.end:%Y-%m-%d}; confirm it after that",
        )


def is_open(notice: Notice, today: datetime.date) -> bool:
    return notice.start <= today <= notice.end


def source_of(address: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _check_rate(source: str) -> None:
    c = config.common()
    since = timezone.now() - datetime.timedelta(minutes=c["objection_window_minutes"])
    if Objection.objects.filter(source=source, at__gte=since).count() >= c["objection_limit"]:
        raise RateLimited(
            "提交过于频繁，请稍后再试", "too many objections from this address: try again later"
        )


def lodge(
    *, notice: Notice, case_id: int, text: str, address: str, name: str = "", contact: str = ""
) -> Objection:
    """A member of the public objects to a case on a running 公示."""
    from lantu.procedures.engine import log

    if not text.strip():
        raise ValidationFailed("请填写异议内容", "write what the objection is")
    today = clock.today()
    if notice.type != NoticeType.PUBLICITY or not is_open(notice, today):
        raise ValidationFailed("该公示不在公示期内", "this notice is not open for objections")
    source = source_of(address)
    _check_rate(source)
    with transaction.atomic():
        case = notice.cases.select_for_update().filter(pk=case_id).first()
        if (
            case is None
            or case.step != notice.step
            or case.state
            not in (
                CaseState.OPEN,
                CaseState.HELD,
            )
        ):
            raise ValidationFailed("公示中没有该户", "that household is not on this notice")
        obj = Objection.objects.create(
            notice=notice, case=case, text=text.strip()[:2000], name=name.strip()[:50],
            contact=contact.strip()[:50], source=source,
        )  # fmt: skip
        before = {"state": case.state}
        Case.objects.filter(pk=case.pk).update(state=CaseState.HELD, version=case.version + 1)
        case.refresh_from_db()
        # The ledger keeps that an objection came, not who made it or what it says.
        log(case, "objection", actor=None, data={"objection": obj.pk}, before=before)
    return obj


def resolve(*, actor: Any, objection_id: int, upheld: bool, reason: str) -> Objection:
    """Upheld: the case goes back to verification. Dismissed: the case resumes."""
    from lantu.procedures.engine import authorise, enter, log

    if not reason.strip():
        raise ValidationFailed("请填写处理意见", "give the reason for the resolution")
    today = clock.today()
    with transaction.atomic():
        obj = Objection.objects.select_for_update().select_related("case").get(pk=objection_id)
        if obj.state != ObjectionState.OPEN:
            raise Conflict("该异议已处理", "this objection is already resolved")
        case = Case.objects.select_for_update().get(pk=obj.case_id)
        authorise(actor, config.kind(case.kind).step(case.step), case)
        obj.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
        obj.resolution, obj.resolved_at = reason.strip()[:500], timezone.now()
        obj.resolved_by = actor if getattr(actor, "pk", None) else None
        obj.save()
        before = {"step": case.step, "state": case.state}
        step = case.step
        if upheld:
            case.state = CaseState.OPEN
            enter(case, config.kind(case.kind).verification_step, today=today)
        elif not case.objections.filter(state=ObjectionState.OPEN).exists():
            case.state = CaseState.OPEN
        case.version += 1
        case.save()
        action = "objection_upheld" if upheld else "objection_dismissed"
        log(case, action, actor=actor, comment=reason, data={"objection": obj.pk}, before=before,
            step=step)  # fmt: skip
    return obj


def public_notices(village_path: str, *, today: datetime.date) -> list[Notice]:
    """The village's notices running today or ended within the last month (public page)."""
    since = today - datetime.timedelta(days=30)
    return list(
        Notice.objects.filter(region_path=village_path, end__gte=since, start__lte=today)
        .prefetch_related("cases__household")
        .order_by("-start", "id")
    )
