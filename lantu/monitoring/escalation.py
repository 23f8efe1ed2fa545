"""县级督单: tickets not resolved by their due date are raised to the county; still unresolved
``ticket_response_days`` after that, one level further (``level_above``, as for procedure cases).

Run by ``lantu procedures escalate`` (the one 督办 cron, through its hook), on the procedures'
clock. A ticket waiting for the reporter's sign-off is not overdue: the offices have done their
part. Each raise is a ledger event and a line on the reporter's status page.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q

from lantu.monitoring import policy, progress
from lantu.monitoring.models import Ticket, TicketState
from lantu.procedures.escalation import level_above

ACTIVE = (TicketState.RECEIVED, TicketState.ACCEPTED)


def escalate_tickets(today: datetime.date) -> list[tuple[int, str]]:
    wait = datetime.timedelta(days=policy.days("ticket_response_days", today.year))
    overdue = Ticket.objects.filter(state__in=ACTIVE, due__lt=today).filter(
        Q(escalated_level="") | Q(escalated_at__lte=today - wait)
    )
    raised = []
    for pk in overdue.order_by("id").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            t = Ticket.objects.select_for_update().get(pk=pk)
            target = "county" if not t.escalated_level else level_above(t.escalated_level)
            if target == t.escalated_level:
                continue
            before = {"escalated_level": t.escalated_level}
            t.escalated_level, t.escalated_at, t.version = target, today, t.version + 1
            t.save(update_fields=["escalated_level", "escalated_at", "version"])
            progress.step(
                t,
                "escalate",
                f"超过办结期限（{t.due}）未办结，已提请上级督办",
                f"not resolved by {t.due}: raised for supervision ({target})",
                actor=None,
                before=before,
                after={"escalated_level": target},
            )
        raised.append((pk, target))
    return raised
