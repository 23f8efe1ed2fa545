"""What a ticket looks like to whom. Staff see it through the one masker (``masker_for``): a role
without personal-data rights sees the ID number and phone masked. The reporter's status page sees
``public_view``: the receipt, dates, state, departments and the progress lines, and of the person
only the family name — never an ID number, a phone, an address or anyone else's data.
"""

from __future__ import annotations

from typing import Any

from lantu.monitoring import catalogue
from lantu.monitoring.models import Ticket
from lantu.monitoring.queries import is_overdue
from lantu.registry.masking import Masker


def _lang_text(zh: str, en: str) -> str:
    from django.utils.translation import get_language

    return en if (get_language() or "").startswith("en") else zh


def masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _rows(t: Ticket, relation: str, *order: str) -> Any:
    """A ticket's related rows in ``order``: those ``queries.with_details`` prefetched (already in
    that order), else one query."""
    if relation in getattr(t, "_prefetched_objects_cache", {}):
        return getattr(t, relation).all()
    return getattr(t, relation).order_by(*order)


def tasks(t: Ticket) -> list[dict[str, Any]]:
    return [
        {
            "id": k.pk,
            "department": k.department,
            "department_label": catalogue.label("department", k.department),
            "state": k.state,
            "state_label": k.get_state_display(),
            "result": k.result,
            "done_on": k.done_on,
        }
        for k in _rows(t, "tasks", "id")
    ]


def progress(t: Ticket) -> list[dict[str, Any]]:
    return [
        {"on": p.on, "action": p.action, "text": _lang_text(p.zh, p.en)}
        for p in _rows(t, "progress", "at", "id")
    ]


def public_view(t: Ticket) -> dict[str, Any]:
    return {
        "receipt": t.receipt,
        "person": masked_name(t.name),
        "village": t.village.name,
        "event": catalogue.label("event", t.event),
        "needs": [catalogue.label("need", n) for n in t.needs],
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "received_on": t.received_on,
        "due": t.due,
        "closed_on": t.closed_on,
        "close_reason": t.close_reason,
        "satisfied": t.satisfied,
        "can_sign_off": t.state == "resolved",
        "tasks": [
            {k: v for k, v in row.items() if k in ("department_label", "state_label", "result")}
            for row in tasks(t)
        ],
        "progress": progress(t),
    }


def row_view(t: Ticket, masker: Masker) -> dict[str, Any]:
    """A ticket as a queue's row shows it: its own fields only (no query per row)."""
    return {
        "id": t.pk,
        "receipt": t.receipt,
        "channel": t.channel,
        "channel_label": str(t.get_channel_display()),
        "name": t.name,
        "id_number": masker.value("id_number", t.id_number),
        "phone": masker.value("phone", t.phone),
        "village": t.village.name,
        "village_code": t.village.code,
        "household_id": t.household_id,
        "event": t.event,
        "event_label": catalogue.label("event", t.event),
        "event_date": t.event_date,
        "description": t.description,
        "needs": t.needs,
        "need_labels": [catalogue.label("need", n) for n in t.needs],
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "received_on": t.received_on,
        "due": t.due,
        "overdue": is_overdue(t),
        "responded_on": t.responded_on,
        "resolved_on": t.resolved_on,
        "closed_on": t.closed_on,
        "escalated_level": t.escalated_level,
        "close_reason": t.close_reason,
        "satisfied": t.satisfied,
        "feedback": t.feedback,
        "track": t.track,
        "track_label": catalogue.label("track", t.track) if t.track else "",
        "case_id": t.case_id,
        "version": t.version,
        "has_photo": bool(t.photo),
    }


def staff_view(t: Ticket, masker: Masker) -> dict[str, Any]:
    """The whole ticket: its fields, departments' tasks, progress and reporters."""
    return row_view(t, masker) | {
        "tasks": tasks(t),
        "progress": progress(t),
        "reporters": [
            {"name": r.name, "phone": masker.value("phone", r.phone), "relation": r.relation}
            for r in _rows(t, "reporters", "id")
        ],
    }
