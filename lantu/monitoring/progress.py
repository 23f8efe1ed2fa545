"""One step of a ticket, written twice in the same transaction: the ledger event (who, role, what
changed; no personal data in it) and the ``Progress`` row the reporter reads on the status page.
"""

from __future__ import annotations

from typing import Any

from lantu.ledger.services import Change, record
from lantu.monitoring.models import Progress, Ticket
from lantu.procedures import clock


def step(
    ticket: Ticket,
    action: str,
    zh: str,
    en: str,
    *,
    actor: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> Progress:
    state = {"state": ticket.state, "receipt": ticket.receipt, "channel": ticket.channel}
    event = record(
        Change(
            f"monitoring.{action}",
            "monitoring.ticket",
            str(ticket.pk),
            ticket.region_path,
            before,
            state | (after or {}),
            reason,
        ),
        actor=actor,
    )
    return Progress.objects.create(
        ticket=ticket, on=clock.today(), action=action, zh=zh[:600], en=en[:600], event_id=event.pk
    )
