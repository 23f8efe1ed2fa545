"""Writing to the ledger. Call ``record`` (one event) or ``record_many`` (a bulk change) inside the
transaction that makes the change: the event and the change commit together or not at all.

The chain: ``hash = sha256(prev_hash || canonical JSON of the event)``. Appends are serialised by
locking the chain head (PostgreSQL ``SELECT … FOR UPDATE`` on a one-row table; SQLite serialises
writers already, transactions being IMMEDIATE)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from lantu.ledger.models import Event

GENESIS = "0" * 64


@dataclass
class Change:
    action: str
    object_type: str
    object_id: str
    region_path: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-native copy (dates, decimals → strings), identical before storing and after loading."""
    if value is None:
        return None
    plain: dict[str, Any] = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return plain


def _canonical(ev: Event) -> bytes:
    payload = {
        "at": ev.at.isoformat(),
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "role": ev.role,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "region_path": ev.region_path,
        "reason": ev.reason,
        "before": ev.before,
        "after": ev.after,
        "batch": ev.batch,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def event_hash(prev_hash: str, ev: Event) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(ev)).hexdigest()


def _head_hash() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # Transaction-scoped advisory lock: one appender at a time, released at commit.
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [0x1A7_0001])
    last = Event.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _actor_fields(actor: Any) -> tuple[Any, str, str]:
    if actor is None or not getattr(actor, "pk", None):
        return None, "system", ""
    roles = getattr(actor, "roles", []) or []
    return actor, actor.get_username(), str(roles[0]) if roles else ""


def record_many(
    changes: list[Change], *, actor: Any, batch: str = "", at: datetime | None = None
) -> list[Event]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger events must be written inside the change's transaction")
    user, name, role = _actor_fields(actor)
    when = at or timezone.now()
    prev = _head_hash()
    events: list[Event] = []
    for ch in changes:
        ev = Event(
            at=when,
            actor=user,
            actor_name=name,
            role=role,
            action=ch.action,
            object_type=ch.object_type,
            object_id=ch.object_id,
            region_path=ch.region_path,
            reason=ch.reason,
            before=_plain(ch.before),
            after=_plain(ch.after),
            batch=batch,
        )
        ev.prev_hash = prev
        ev.hash = prev = event_hash(prev, ev)
        events.append(ev)
    Event.objects.bulk_create(events, batch_size=5000)
    return events


def record(change: Change, *, actor: Any, batch: str = "") -> Event:
    return record_many([change], actor=actor, batch=batch)[0]


def verify() -> tuple[int, list[str]]:
    """Walk the chain; return (events checked, problems)."""
    problems: list[str] = []
    prev = GENESIS
    n = 0
    for ev in Event.objects.order_by("id").iterator(chunk_size=5000):
        n += 1
        if ev.prev_hash != prev:
            problems.append(f"event {ev.pk}: prev_hash does not match event before it")
        if event_hash(ev.prev_hash, ev) != ev.hash:
            problems.append(f"event {ev.pk}: content does not match its hash (altered)")
        prev = ev.hash
    return n, problems
