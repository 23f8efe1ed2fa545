"""Reading runs: always through the scope filter, and only kinds the user's role may start (a run
of a kind you may not start is not yours to see: its result may hold data your role may not)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lantu.accounts.scope import get_scoped, scoped
from lantu.jobs import kinds
from lantu.jobs.models import Run


def _visible_kinds(user: Any) -> list[str]:
    return [k.name for k in kinds.KINDS.values() if user.can(k.perm)]


def runs(user: Any, *, kind: str = "", status: str = "") -> QuerySet[Run]:
    qs = scoped(Run.objects.select_related("started_by"), user)
    qs = qs.filter(kind__in=_visible_kinds(user))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def run(user: Any, pk: int) -> Run:
    return get_scoped(Run.objects.select_related("started_by"), user, pk=pk,
                      kind__in=_visible_kinds(user))  # fmt: skip


def latest(user: Any, kind: str) -> Run | None:
    return runs(user, kind=kind).first()
