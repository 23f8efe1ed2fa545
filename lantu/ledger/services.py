"""Writing to the ledger. Call ``record`` (one event) or ``record_many`` (a bulk change) inside the
transaction that makes the change: the event and the change commit together or not at all.

The chain: ``hash = sha256(prev_hash || canonical JSON of the event)``. Appends are serialised:
on PostgreSQL by a transaction-scoped advisory lock taken before reading the chain head; SQLite
serialises writers already (transactions are IMMEDIATE)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from lantu.core.bulksql import insert_rows
from lantu.ledger import anchor
from lantu.ledger.models import Event

GENESIS = "0" * 64
EVENT_FIELDS = [
    "at",
    "actor",
    "actor_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "region_path",
    "reason",
    "before",
    "after",
    "batch",
    "prev_hash",
    "hash",
]


@dataclass
class Change:
    action: str
    object_type: str
    object_id: str
    region_path: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""


# Everything but the chain itself is hashed.
HASHED = [f for f in EVENT_FIELDS if f not in ("prev_hash", "hash")]


SCALARS = [k for k in HASHED if k not in ("before", "after")]


def _json(value: Any) -> str | None:
    """Before/after as stored and as hashed: one encoding, the same after a round trip."""
    if value is None:
        return None
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def _canonical(row: dict[str, Any], before: str | None, after: str | None) -> bytes:
    scalars = {k: row[k] for k in SCALARS} | {"at": row["at"].isoformat()}
    head = json.dumps(scalars, ensure_ascii=False, sort_keys=True)
    return "\x1f".join((head, before or "null", after or "null")).encode()


def event_hash(prev_hash: str, row: dict[str, Any], before: str | None, after: str | None) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(row, before, after)).hexdigest()


def _scalar(value: Any) -> str:
    return _quote(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C, as json.dumps uses


def _fast_hasher(common: dict[str, Any]) -> Any:
    """``event_hash`` for many events sharing ``common`` (time, actor, role, batch): the canonical
    head written field by field in the sorted order ``json.dumps(sort_keys=True)`` gives, the
    common fields encoded once — the same bytes (``tests/ledger`` compares them), several times
    faster for a bulk import's hundreds of thousands of events."""
    assert sorted(SCALARS) == [*FAST_ORDER]
    enc = {k: _scalar(common["at"].isoformat() if k == "at" else common[k]) for k in COMMON}

    def hasher(prev: str, row: dict[str, Any], before: str | None, after: str | None) -> str:
        head = (
            f'{{"action": {_scalar(row["action"])}, "actor": {enc["actor"]}, '
            f'"actor_name": {enc["actor_name"]}, "at": {enc["at"]}, "batch": {enc["batch"]}, '
            f'"object_id": {_scalar(row["object_id"])}, '
            f'"object_type": {_scalar(row["object_type"])}, "reason": {_scalar(row["reason"])}, '
            f'"region_path": {_scalar(row["region_path"])}, "role": {enc["role"]}}}'
        )
        body = "\x1f".join((head, before or "null", after or "null"))
        return hashlib.sha256((prev + body).encode()).hexdigest()

    return hasher


COMMON = ("actor", "actor_name", "at", "batch", "role")
FAST_ORDER = ("action", "actor", "actor_name", "at", "batch", "object_id", "object_type",
              "reason", "region_path", "role")  # fmt: skip


def _row_of(ev: Event) -> dict[str, Any]:
    return {k: getattr(ev, "actor_id" if k == "actor" else k) for k in HASHED}


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
) -> list[dict[str, Any]]:
    """Append events for ``changes``; returns the rows written (with their hashes)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger events must be written inside the change's transaction")
    user, name, role = _actor_fields(actor)
    common: dict[str, Any] = {
        "at": at or timezone.now(),
        "actor": user.pk if user else None,
        "actor_name": name,
        "role": role,
        "batch": batch,
    }
    prev = _head_hash()
    hasher = _fast_hasher(common) if len(changes) > 1 else event_hash
    rows: list[dict[str, Any]] = []
    for ch in changes:
        row = common | {
            "action": ch.action,
            "object_type": ch.object_type,
            "object_id": ch.object_id,
            "region_path": ch.region_path,
            "reason": ch.reason,
            "before": _json(ch.before),
            "after": _json(ch.after),
            "prev_hash": prev,
        }
        row["hash"] = prev = hasher(prev, row, row["before"], row["after"])
        rows.append(row)
    columns = [[r[f] for r in rows] for f in EVENT_FIELDS]
    insert_rows(Event, EVENT_FIELDS, columns, prepared={"before", "after"})
    if rows:
        anchor.seal(len(rows), prev)
    return rows


_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')


def _jstr(value: str) -> str:
    """A string as ``json.dumps(ensure_ascii=False)`` writes it (fast for the common case)."""
    return f'"{value}"' if _PLAIN.fullmatch(value) else json.dumps(value, ensure_ascii=False)


def _jstr_column(values: Sequence[str]) -> pl.Series:
    """``_jstr`` of every value, column-wise: quoted as they are, and through ``json.dumps``
    only those holding a quote, a backslash or a control character."""
    col = pl.Series(values, dtype=pl.String)
    odd = col.str.contains(r'["\\\x00-\x1f]')
    quoted = pl.lit('"') + pl.lit(col) + pl.lit('"')
    out = pl.select(quoted).to_series()
    if odd.any():
        fixed = [json.dumps(v, ensure_ascii=False) for v in col.filter(odd).to_list()]
        out = out.scatter(odd.arg_true(), fixed)
    return out


def record_rows(
    action: str,
    object_type: str,
    object_ids: Sequence[str],
    region_paths: Sequence[str],
    afters: Sequence[str],
    *,
    actor: Any,
    reason: str = "",
    batch: str = "",
) -> int:
    """The bulk append: one event per row of a bulk change (a million payments), the same action
    and reason for all, built column-wise. ``afters`` are each row's state as ``_json`` writes it
    (use ``json_of`` to check a builder against it); the events are those ``record_many`` would
    write for the same changes, byte for byte, and ``verify`` checks them the same way."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger events must be written inside the change's transaction")
    n = len(object_ids)
    if not n:
        return 0
    user, name, role = _actor_fields(actor)
    at = timezone.now()
    scalars = {
        "action": action,
        "actor": user.pk if user else None,
        "actor_name": name,
        "at": at.isoformat(),
        "batch": batch,
        "object_id": "\0",
        "object_type": object_type,
        "reason": reason,
        "region_path": "\1",
        "role": role,
    }
    template = json.dumps(scalars, ensure_ascii=False, sort_keys=True)
    a, rest = template.split('"\\u0000"')
    b, c = rest.split('"\\u0001"')
    if not len(object_ids) == len(region_paths) == len(afters):
        raise ValueError("record_rows: object_ids, region_paths and afters differ in length")
    # Each event's hashed body, built column-wise (polars) as UTF-8 bytes; only the chain itself,
    # each hash over the one before, is a Python loop.
    bodies = pl.concat_str(
        pl.lit(a),
        _jstr_column(object_ids),
        pl.lit(b),
        _jstr_column(region_paths),
        pl.lit(c + "\x1fnull\x1f"),
        pl.Series(afters, dtype=pl.String),
    ).cast(pl.Binary)
    prev = _head_hash()
    prevs: list[str] = []
    hashes: list[str] = []
    sha = hashlib.sha256
    push_prev, push_hash = prevs.append, hashes.append
    for body in pl.select(bodies).to_series().to_list():
        push_prev(prev)
        prev = sha(prev.encode() + body).hexdigest()
        push_hash(prev)
    constant = {"at": at, "actor": user.pk if user else None, "actor_name": name, "role": role,
                "action": action, "object_type": object_type, "reason": reason, "batch": batch,
                "before": None}  # fmt: skip
    varying = {"object_id": object_ids, "region_path": region_paths, "after": afters,
               "prev_hash": prevs, "hash": hashes}  # fmt: skip
    columns = [varying[f] if f in varying else [constant[f]] * n for f in EVENT_FIELDS]
    insert_rows(Event, EVENT_FIELDS, columns, prepared={"before", "after"})
    anchor.seal(n, prev)
    return n


def json_of(value: Any) -> str | None:
    """How the ledger writes a before/after state (for builders of ``record_rows``' afters)."""
    return _json(value)


def record(change: Change, *, actor: Any, batch: str = "") -> Event:
    """One event, read back with its primary key."""
    row = record_many([change], actor=actor, batch=batch)[0]
    return Event.objects.get(hash=row["hash"])


def verify(*, tables: bool = True) -> tuple[int, list[str]]:
    """Walk the chain, check it against its sealed head and exported anchors, and (``tables``)
    check that the registry's tables agree with the ledger's latest state; return (events
    checked, problems)."""
    problems: list[str] = []
    prev = GENESIS
    n = last_id = 0
    state = None
    if tables:
        from lantu.registry.agreement import LedgerState

        state = LedgerState()
    for ev in Event.objects.order_by("id").iterator(chunk_size=5000):
        n += 1
        last_id = ev.pk
        if state is not None:
            state.fold(ev)
        if ev.prev_hash != prev:
            problems.append(
                f"事件#{ev.pk}与前一条不衔接（有事件被删除或插入）/ "
                f"event {ev.pk}: prev_hash does not match event before it"
            )
        if event_hash(ev.prev_hash, _row_of(ev), _json(ev.before), _json(ev.after)) != ev.hash:
            problems.append(
                f"事件#{ev.pk}的内容与其哈希不符（被改动）/ "
                f"event {ev.pk}: content does not match its hash (altered)"
            )
        prev = ev.hash
    problems += anchor.check(n, last_id, prev if n else "")
    if state is not None:
        problems += state.disagreements()
    return n, problems
