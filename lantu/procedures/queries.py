"""Reads of cases, always through the scope filter (``lantu.accounts.scope``).

``waiting(user)``: every running case below the user, counted by kind and step.
``queue(user)``: the cases waiting for the user's roles at the user's level, in the user's
subtree, overdue first, then oldest. ``escalated(user)``: the overdue cases raised (督办) to the
user's level. ``case(user, pk)``: one case, or ``OutOfScope`` (404) outside the subtree.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import BooleanField, Count, Min, Q, QuerySet, Value, When
from django.db.models import Case as When_

from lantu.accounts.roles import Role
from lantu.accounts.scope import get_scoped, scoped
from lantu.procedures import clock, config, subjects
from lantu.procedures.models import ACTIVE_STATES, Case, Notice
from lantu.procedures.notices import actor_of


def _steps_for(user: Any) -> Q | None:
    roles = set(user.roles or [])
    level = user.region.level if user.region_id else ""
    admin = Role.ADMIN.value in roles
    cond = Q()
    any_step = False
    for k in config.kinds().values():
        for s in k.steps:
            role, lvl = actor_of(s)
            if admin or (role in roles and lvl == level):
                cond |= Q(kind=k.slug, step=s.name)
                any_step = True
    return cond if any_step else None


def overdue_q(today: datetime.date) -> Q:
    return Q(step_due__lt=today) | Q(case_due__lt=today)


def with_overdue(qs: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    flag = When_(
        When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(overdue=flag)


def _base(user: Any) -> QuerySet[Case]:
    # Cases about some subjects (projects, findings) are worked in their own room's pages;
    # households' and the listed subjects' (village and county exit) here.
    qs = Case.objects.filter(subjects.listed(), state__in=ACTIVE_STATES)
    qs = qs.select_related("household", "village")
    return scoped(qs, user)


def queue(user: Any, *, kind: str = "", step: str = "") -> QuerySet[Case]:
    cond = _steps_for(user)
    if cond is None:
        return Case.objects.none()
    qs = _base(user).filter(cond)
    if kind:
        qs = qs.filter(kind=kind)
    if step:
        qs = qs.filter(step=step)
    today = clock.today()
    order = ("-overdue", "step_started", "opened_at", "id")
    return with_overdue(qs, today).order_by(*order)


def escalated(user: Any) -> QuerySet[Case]:
    level = user.region.level if getattr(user, "region_id", None) else None
    if level is None:
        return Case.objects.none()
    qs = _base(user).filter(escalated_level=level)
    return with_overdue(qs, clock.today()).order_by("escalated_at", "id")


def case(user: Any, pk: int) -> Case:
    qs = Case.objects.filter(subjects.listed())
    qs = qs.select_related("household", "village", "opened_by")
    return get_scoped(qs, user, pk=pk)


def cases(user: Any, *, kind: str = "", state: str = "") -> QuerySet[Case]:
    qs = Case.objects.filter(subjects.listed()).select_related("household", "village")
    qs = scoped(qs, user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-opened_at", "-id")


def notice(user: Any, pk: int) -> Notice:
    return get_scoped(Notice.objects.select_related("village"), user, pk=pk)


def waiting(user: Any) -> list[dict[str, Any]]:
    """Every running case in the user's subtree by kind and step (what waits below the user,
    not only at their own level): how many, how many overdue, since when the oldest waits.
    One grouped query over the running cases, answered from the (region_path, state, step)
    index."""
    today = clock.today()
    rows = (
        _base(user)
        .values("kind", "step")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(today)),
                  oldest=Min("step_started"))
        .order_by("kind", "step")
    )  # fmt: skip
    return [dict(r) | {"days": (today - r["oldest"]).days if r["oldest"] else 0} for r in rows]
