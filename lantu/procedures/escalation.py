"""Deadlines and 督办: overdue cases are raised to the level above the one that must act.

A case is overdue when today is past its step's deadline or its whole-case deadline (e.g. the
15 days from clue to decision for monitoring). Once it has been overdue for
``escalate_after_days`` (``kinds/_common.yaml``), ``escalate`` raises it one level (village →
township → county → prefecture), records the 督办 as a step record and a ledger event, and the
case then shows in the escalated list of the users at that level. A case still overdue that long
after an escalation is raised again, one more level. ``conclude_notices`` confirms, as the system,
every notice step whose notice has ended without an open objection (for a nightly cron).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from lantu.core.errors import LantuError
from lantu.procedures import clock, config, engine, queries
from lantu.procedures.models import Case, CaseState, Notice
from lantu.regions.models import LEVEL_ORDER


def level_above(level: str) -> str:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[max(i - 1, 0)]


def _acting_level(case: Case) -> str:
    step = config.kind(case.kind).step(case.step)
    return "village" if step.is_notice else step.level


def due(case: Case) -> datetime.date | None:
    dates = [d for d in (case.step_due, case.case_due) if d is not None]
    return min(dates) if dates else None


@dataclass
class EscalationReport:
    escalated: list[tuple[int, str]] = field(default_factory=list)
    # Other rooms' overdue items raised by the same run: name → [(id, level)].
    others: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


# Other rooms whose items share this clock and 督办 (e.g. monitoring tickets): each function takes
# today and returns what it raised. Registered from the room's AppConfig.ready.
_HOOKS: dict[str, Callable[[datetime.date], list[tuple[int, str]]]] = {}


def register(name: str, hook: Callable[[datetime.date], list[tuple[int, str]]]) -> None:
    _HOOKS[name] = hook


def escalate(*, today: datetime.date | None = None) -> EscalationReport:
    today = today or clock.today()
    wait = datetime.timedelta(days=config.common()["escalate_after_days"])
    limit = today - wait
    candidates = Case.objects.filter(queries.overdue_q(limit + datetime.timedelta(days=1)))
    candidates = candidates.filter(state__in=[CaseState.OPEN, CaseState.HELD])
    candidates = candidates.filter(Q(escalated_at__isnull=True) | Q(escalated_at__lte=limit))
    out = EscalationReport()
    for case in candidates.order_by("id").iterator():
        base = case.escalated_level or _acting_level(case)
        target = level_above(base)
        if target == base:
            continue
        with transaction.atomic():
            before = {"escalated_level": case.escalated_level}
            n = Case.objects.filter(pk=case.pk, version=case.version).update(
                escalated_level=target, escalated_at=today, version=case.version + 1
            )
            if not n:
                continue  # acted on meanwhile: not overdue any more, or next run
            case.refresh_from_db()
            note = f"逾期督办至{target} / overdue, escalated to {target}"
            data = {"to": target, "due": str(due(case))}
            engine.log(case, "escalate", actor=None, data=data, before=before, comment=note)
        out.escalated.append((case.pk, target))
    for name, hook in _HOOKS.items():
        out.others[name] = hook(today)
    return out


def conclude_notices(*, today: datetime.date | None = None) -> list[int]:
    """Confirm, as the system, the notice steps whose notice ended with no open objection."""
    today = today or clock.today()
    ended = Notice.objects.filter(end__lt=today).values_list("kind", "step").distinct()
    done = []
    for kind, step in ended:
        qs = Case.objects.filter(kind=kind, step=step, state=CaseState.OPEN)
        qs = qs.filter(notices__step=step, notices__end__lt=today).distinct()
        for case in qs.iterator():
            try:
                engine.act(actor=None, case_id=case.pk, version=case.version, action="approve",
                           comment="公示期满无异议 / notice ended with no objection")  # fmt: skip
                done.append(case.pk)
            except LantuError:
                continue
    return done
