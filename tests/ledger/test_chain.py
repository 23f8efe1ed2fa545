import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from lantu.ledger.models import Event
from lantu.ledger.services import GENESIS, Change, record, record_many, verify

pytestmark = pytest.mark.django_db


def change(i, **kw):
    return Change("test.change", "thing", str(i), "/530000000000/", **kw)


def test_chain_links_every_event_to_the_one_before():
    with transaction.atomic():
        record_many([change(i) for i in range(3)], actor=None, batch="b1")
        record(change(9, before={"a": 1}, after={"a": 2}), actor=None)
    events = list(Event.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))
    assert verify() == (4, [])


def test_values_survive_the_round_trip():
    with transaction.atomic():
        record(change(1, after={"money": Decimal("12.50"), "day": datetime.date(2020, 1, 2),
                                "nested": {"z": 1, "a": [1, 2]}}), actor=None)  # fmt: skip
    ev = Event.objects.get()
    assert ev.after == {"money": "12.50", "day": "2020-01-02", "nested": {"z": 1, "a": [1, 2]}}
    assert verify()[1] == []


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_tampering_is_detected(tamper):
    with transaction.atomic():
        record_many([change(i, after={"v": i}) for i in range(4)], actor=None)
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    if tamper == "edit":
        Event.objects.filter(id=ids[1]).update(after={"v": 99})
    elif tamper == "delete":
        Event.objects.filter(id=ids[2]).delete()
    else:
        Event.objects.filter(id=ids[1]).update(object_id="3")
    assert verify()[1]
    with pytest.raises(CommandError):
        call_command("ledger", "verify")


@pytest.mark.django_db(transaction=True)
def test_events_only_inside_a_transaction():
    with pytest.raises(RuntimeError):
        record(change(1), actor=None)


def test_verify_command_reports_intact(capsys):
    with transaction.atomic():
        record(change(1), actor=None)
    call_command("ledger", "verify")
    assert "1 events" in capsys.readouterr().out


def test_bulk_hashing_gives_the_same_hash_as_one_event_at_a_time():
    """record_many's fast path writes the canonical head field by field: the same bytes as
    ``event_hash`` for awkward values (quotes, control characters, Chinese, numbers, None)."""
    from django.utils import timezone

    from lantu.ledger.services import _fast_hasher, _json, event_hash

    common = {"at": timezone.now(), "actor": 7, "actor_name": 'a"b\\c', "role": "村\n级",
              "batch": "f.csv sha256:1"}  # fmt: skip
    hasher = _fast_hasher(common)
    for i, (oid, reason) in enumerate([("1", ""), ("户/2025", 'x"\x01\u2028'), (3, "理由")]):
        row = common | {"action": "plan.import.create", "object_type": "plan", "object_id": oid,
                        "region_path": "/53/5301/", "reason": reason}  # fmt: skip
        before, after = _json(None), _json({"year": 2025, "名": "值", "n": i})
        assert hasher("ab" * 32, row, before, after) == event_hash("ab" * 32, row, before, after)
    with transaction.atomic():
        record_many([change(i, after={"i": i}) for i in range(5)], actor=None, batch="b")
    assert verify() == (5, [])


def test_bulk_rows_hash_as_one_event_at_a_time():
    """record_rows builds the hashed bodies column-wise; ``verify`` recomputes every hash the
    canonical way (``event_hash``), so a chain that verifies was hashed byte for byte as one
    event at a time would be, awkward ids and paths (quotes, backslashes, control characters,
    Chinese) included."""
    from lantu.ledger.services import json_of, record_rows

    ids = ["1", 'a"b', "c\\d", "e\x01f", "户7"]
    paths = ["/53/", "/53/\n/", "/53/5301/", '/"/', "/53/"]
    afters = [json_of({"n": i, "名": "值"}) for i in range(5)]
    with transaction.atomic():
        record_rows("x.bulk", "t.row", ids, paths, afters, actor=None, reason="r", batch="b")
    assert verify() == (5, [])
    got = list(Event.objects.order_by("id").values_list("object_id", "region_path", "after"))
    pairs = enumerate(zip(ids, paths, strict=True))
    assert got == [(o, p, {"n": i, "名": "值"}) for i, (o, p) in pairs]
