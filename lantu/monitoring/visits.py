"""Cadre visit rounds (排查): a round per village and period lists every registered and monitored
household and the edge households (``catalogue.yaml``: ``visits``); a cadre records each visit
(what was seen, the risk found, needs, a photo). A visit that finds a risk raises a clue through
the same intake as every channel (channel ``visit``), so it enters the one loop. ``coverage``
counts who was visited and lists who was not.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from lantu.accounts.roles import Perm
from lantu.core.errors import Conflict, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.monitoring import catalogue, intake, photos
from lantu.monitoring.models import Channel, Round, Visit
from lantu.procedures import clock
from lantu.regions.models import Level, Region
from lantu.registry.models import Household


def _check(actor: Any, path: str) -> None:
    if actor is None:  # the system (a scheduled round)
        return
    scope = actor.region.path if actor is not None and actor.region_id else None
    if scope is None or not path.startswith(scope):
        raise OutOfScope()
    if not actor.can(Perm.EDIT):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")


@transaction.atomic
def open_round(
    *, actor: Any, village: Region, period: str, start: datetime.date, end: datetime.date
) -> Round:
    _check(actor, village.path)
    if village.level != Level.VILLAGE or not period.strip() or end < start:
        raise ValidationFailed(
            "请选择村、填写期次，结束日期不早于开始日期",
            "choose a village, name the period, end on or after the start",
        )
    try:
        with transaction.atomic():
            rnd = Round.objects.create(
                village=village,
                region_path=village.path,
                period=period.strip()[:20],
                start=start,
                end=end,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(
            f"{village.name}已有{period}的排查", f"{village.name} has a {period} round"
        ) from exc
    listed, edge = catalogue.visit_statuses()
    households = Household.objects.filter(
        region_path__startswith=village.path, status__in=listed + edge
    )
    Visit.objects.bulk_create(
        Visit(round=rnd, household_id=pk, region_path=path, reason="edge" if s in edge else s)
        for pk, path, s in households.values_list("pk", "region_path", "status").iterator()
    )
    record(
        Change(
            "monitoring.round",
            "monitoring.round",
            str(rnd.pk),
            village.path,
            None,
            {"period": rnd.period, "households": rnd.visits.count()},
        ),
        actor=actor,
    )
    return rnd


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    visit_id: int,
    seen: str,
    risk: str = "",
    needs: list[str] | None = None,
    visited_on: datetime.date | None = None,
    photo: Any = None,
) -> Visit:
    v = (
        Visit.objects.select_for_update()
        .select_related("household", "round")
        .filter(pk=visit_id)
        .first()
    )
    if v is None:
        raise OutOfScope()
    _check(actor, v.region_path)
    if risk and risk not in catalogue.events():
        raise ValidationFailed(f"未知的风险类别：{risk}", f"unknown risk {risk}")
    needs = catalogue.check_needs(needs or []) if risk else []
    if not seen.strip():
        raise ValidationFailed("请填写走访看到的情况", "write what was seen")
    v.visited_on, v.seen, v.risk, v.needs = (
        visited_on or clock.today(),
        seen.strip()[:500],
        risk,
        needs,
    )
    v.visitor = actor
    if (clean := photos.clean(photo)) is not None:
        v.photo.save(clean.name or "photo.jpg", clean, save=False)
    if risk:
        head = v.household.members.filter(active=True, relation="head").first()
        if head is not None:
            v.ticket = intake.open_ticket(
                channel=Channel.VISIT,
                name=head.name,
                id_number=head.id_number,
                phone=head.phone,
                place=v.household.region,
                event=risk,
                needs=needs,
                event_date=v.visited_on,
                description=v.seen,
                actor=actor,
            ).ticket
    v.save()
    record(
        Change(
            "monitoring.visit",
            "monitoring.visit",
            str(v.pk),
            v.region_path,
            None,
            {"round": v.round_id, "household": v.household_id, "risk": risk, "ticket": v.ticket_id},
        ),
        actor=actor,
    )
    return v


def coverage(rnd: Round) -> dict[str, Any]:
    """A round's coverage: its three counts in one pass over the village's visits."""
    n = rnd.visits.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(visited_on__isnull=False)),
        risks=Count("id", filter=~Q(risk="")),
    )
    total, done = n["total"], n["done"]
    missing = rnd.visits.filter(visited_on__isnull=True).select_related("household")
    return {
        "total": total,
        "visited": done,
        "share": done / total if total else None,
        "risks": n["risks"],
        "missing": missing.order_by("household__household_no"),
    }
