"""Every read of tickets, through the user's region scope (``lantu.accounts.scope``).

A user holding only department roles sees only the tickets with a task of their department
(部门办单); office roles see every ticket of their subtree. Queues are indexed, ordered by due
date and paged with a bounded count (``lantu.core.paging``). ``for_reporter`` is the public
look-up: receipt and a reporter's phone must both match, and a failed look-up counts against the
address's limit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lantu.accounts.roles import DEPARTMENT_ROLES, Perm
from lantu.accounts.scope import scoped
from lantu.core.errors import OutOfScope
from lantu.monitoring import catalogue, policy
from lantu.monitoring.models import OPEN_STATES, Progress, Reporter, Task, Ticket, TicketState
from lantu.procedures import clock
from lantu.procedures.notices import RateLimited

SECTIONS = ("village", "department", "escalated", "overdue", "open", "closed")


def departments_of(user: Any) -> list[str]:
    return catalogue.department_of_role(list(getattr(user, "roles", None) or []))


def only_department(user: Any) -> bool:
    roles = set(getattr(user, "roles", None) or [])
    return bool(roles) and roles <= {r.value for r in DEPARTMENT_ROLES}


def visible(user: Any, *, task_state: str = "") -> QuerySet[Ticket]:
    """The tickets the user may see; a department user's only those with a task of their
    department (``task_state``: only a task in that state, one semi-join instead of two)."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.TICKETS):
        return Ticket.objects.none()
    qs = scoped(Ticket.objects.all(), user)
    if only_department(user):
        qs = qs.filter(_has_task(user, **({"state": task_state} if task_state else {})))
    return qs


def _has_task(user: Any, **more: Any) -> Q:
    """A task of one of the user's departments in the user's subtree on the ticket: a semi-join
    (``id IN (…)``) driven from the tasks' index (department, state, region_path), so no
    ``DISTINCT`` over the whole queue and no probe per ticket."""
    tasks = scoped(Task.objects.all(), user).filter(department__in=departments_of(user), **more)
    return Q(pk__in=tasks.values("ticket_id"))


def queue(user: Any, section: str) -> QuerySet[Ticket]:
    if section == "department" and only_department(user):
        # an open task of theirs implies a task of theirs: visible()'s semi-join, narrowed
        qs = visible(user, task_state="open").filter(state__in=OPEN_STATES)
        return qs.select_related("village").order_by("due", "id")
    qs = visible(user)
    today = clock.today()
    level = user.region.level if getattr(user, "region", None) else ""
    if section == "village":
        qs = qs.filter(state=TicketState.RECEIVED)
    elif section == "department":
        qs = qs.filter(_has_task(user, state="open"), state__in=OPEN_STATES)
    elif section == "escalated":
        qs = qs.filter(escalated_level=level, state__in=OPEN_STATES)
    elif section == "overdue":
        qs = qs.filter(state__in=[TicketState.RECEIVED, TicketState.ACCEPTED], due__lt=today)
    elif section == "closed":
        qs = qs.filter(state=TicketState.CLOSED)
    else:
        qs = qs.filter(state__in=OPEN_STATES)
    return qs.select_related("village").order_by("due", "id")


def with_details(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Tickets with their tasks, progress and reporters prefetched in the order
    ``presenting.staff_view`` shows them: three queries for a page, not three per ticket."""
    return qs.prefetch_related(
        Prefetch("tasks", Task.objects.order_by("id")),
        Prefetch("progress", Progress.objects.order_by("at", "id")),
        Prefetch("reporters", Reporter.objects.order_by("id")),
    )


def default_section(user: Any) -> str:
    if only_department(user):
        return "department"
    level = user.region.level if getattr(user, "region", None) else ""
    return {"village": "village", "county": "escalated"}.get(level, "open")


def ticket(user: Any, pk: int) -> Ticket:
    t = visible(user).filter(pk=pk).select_related("village", "household", "case").first()
    if t is None:
        raise OutOfScope()
    return t


def _failures_q(source: str) -> Q:
    return Q(source=source)


def for_reporter(receipt: str, phone: str, *, source: str) -> Ticket:
    """The reporter's own ticket, or OutOfScope (the same answer for a wrong receipt or phone)."""
    from django.core.cache import cache

    key = f"monitoring.lookup.{source}"
    failures = int(cache.get(key, 0))
    if failures >= int(policy.value("status_lookup_failures_per_address")):
        raise RateLimited(
            "查询失败次数过多，请一小时后再试", "too many failed look-ups: wait an hour"
        )
    phone = "".join(ch for ch in (phone or "") if ch.isdigit())
    hit = Reporter.objects.filter(ticket__receipt=(receipt or "").strip(), phone=phone)
    found = hit.select_related("ticket__village").first()
    if found is None:
        cache.set(key, failures + 1, timeout=3600)
        raise OutOfScope("受理编号或手机号不对", "no ticket with that receipt and phone")
    return found.ticket


def is_overdue(t: Ticket, today: datetime.date | None = None) -> bool:
    today = today or clock.today()
    return t.state in (TicketState.RECEIVED, TicketState.ACCEPTED) and t.due < today


def since(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)
