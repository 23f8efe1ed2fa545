"""Anchoring the hash chain, so that it proves the whole log and not only its links.

A hash chain alone shows that no event in the middle was edited, but deleting the newest events,
truncating the table or recomputing every hash after an edit still leaves a valid chain. Two
anchors close those holes:

1. **The sealed head** (``Head``, one row) holds the event count, the last event's id and hash,
   and ``HMAC-SHA256(key, "count|last_id|hash")``. ``seal`` updates it in the transaction of every
   append (``lantu.ledger.services.record_many``). The key is not in the database: it comes from
   ``LANTU_LEDGER_KEY`` or the file ``var/ledger_key`` (created 0600 on first use), so someone who
   can write to the database but not read the server's files cannot forge a head.
2. **Exported anchors**: ``lantu ledger anchor`` (daily, from the systemd timer) appends the
   current sealed head as one JSON line to ``var/ledger/anchors.jsonl`` and prints it, to be kept
   elsewhere too (sent to the prefecture, printed, stored off-site). Each anchor must still hold:
   the event with its id has its hash and exactly ``count`` events are at or before it. Even
   someone holding the key cannot then rewrite history older than the last exported anchor.

``check`` returns the problems found: each in Chinese and English.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from lantu.core.files import private_dir
from lantu.ledger.models import Event, Head

HEAD_ID = 1


def _key() -> bytes:
    if key := os.environ.get("LANTU_LEDGER_KEY"):
        return key.encode()
    path = Path(settings.VAR_DIR) / "ledger_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def mac(count: int, last_id: int, head_hash: str) -> str:
    msg = f"{count}|{last_id}|{head_hash}".encode()
    return hmac.new(_key(), msg, hashlib.sha256).hexdigest()


def seal(appended: int, head_hash: str) -> None:
    """After ``appended`` events were inserted (the caller holds the append lock)."""
    last_id = int(Event.objects.aggregate(m=Max("id"))["m"] or 0)
    head = Head.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:  # a ledger from before anchoring: count it once
        head = Head(pk=HEAD_ID, count=Event.objects.count())
    else:
        head.count += appended
    head.last_id, head.hash = last_id, head_hash
    head.mac = mac(head.count, last_id, head_hash)
    head.save()


def anchors_path() -> Path:
    return Path(settings.VAR_DIR) / "ledger" / "anchors.jsonl"


def export_anchor(path: Path | None = None) -> dict[str, Any]:
    """Append the sealed head to the anchors file (and return it)."""
    head = Head.objects.filter(pk=HEAD_ID).first()
    count, last_id, head_hash = (head.count, head.last_id, head.hash) if head else (0, 0, "")
    line: dict[str, Any] = {
        "at": timezone.now().isoformat(),
        "count": count,
        "last_id": last_id,
        "hash": head_hash,
        "mac": mac(count, last_id, head_hash),
    }
    target = path or anchors_path()
    private_dir(target.parent)
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")
    os.chmod(target, 0o640)
    return line


def check(count: int, last_id: int, last_hash: str) -> list[str]:
    """Problems with the head and the exported anchors, given what walking the chain found."""
    return _check_head(count, last_id, last_hash) + _check_anchors()


def _check_head(count: int, last_id: int, last_hash: str) -> list[str]:
    head = Head.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if count:
            return ["台账链头缺失（已被删除？）/ the ledger's sealed head is missing (deleted?)"]
        return []
    problems = []
    if not hmac.compare_digest(head.mac, mac(head.count, head.last_id, head.hash)):
        problems.append("台账链头的签名无效（被改写）/ the sealed head's MAC is wrong (rewritten)")
    if head.count != count:
        problems.append(
            f"台账应有{head.count}条事件，现有{count}条（事件被删除或插入）/ the head seals "
            f"{head.count} events but {count} are there (events deleted or inserted)"
        )
    if (head.last_id, head.hash) != (last_id, last_hash):
        problems.append(
            f"最后一条事件与链头不符（#{last_id}）/ the last event #{last_id} is not the sealed "
            f"head #{head.last_id} (truncated, or the chain was recomputed)"
        )
    return problems


def _check_anchors() -> list[str]:
    path = anchors_path()
    if not path.exists():
        return []
    problems = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            a = json.loads(text)
            good = hmac.compare_digest(a["mac"], mac(a["count"], a["last_id"], a["hash"]))
        except (ValueError, KeyError, TypeError):
            good, a = False, {}
        if not good:
            problems.append(f"锚点第{n}行无效 / anchor line {n} is not valid (altered)")
            continue
        if not a["count"]:
            continue
        at = Event.objects.filter(pk=a["last_id"]).values_list("hash", flat=True).first()
        upto = Event.objects.filter(pk__lte=a["last_id"]).count()
        if at != a["hash"] or upto != a["count"]:
            problems.append(
                f"台账与{a['at']}导出的锚点不符（历史被改写或删除）/ the ledger disagrees with the "
                f"anchor exported at {a['at']} (history rewritten or deleted)"
            )
    return problems
