"""The ledger-tampering scenarios: each is done as someone with write access to the database
would do it (SQL through the ORM, bypassing the services), and each must be detected by
``lantu ledger verify``. The untampered ledger must pass, so that the checks can fail."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from lantu.ledger import anchor
from lantu.ledger.models import Event, Head
from lantu.ledger.services import _json, _row_of, event_hash, verify
from lantu.registry import services
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange
from tests.factories import make_household, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the key file and the exported anchors
    tree = make_tree()
    village = tree["530822100201"]
    homes = [make_household(village, size=2) for _ in range(3)]
    with transaction.atomic():
        services.change_status(
            actor=None, household=homes[0], to_status="exited", year=2020, reason="达标"
        )
    anchor.export_anchor()
    more = make_household(village, size=2)  # events after the exported anchor
    assert verify() == (Event.objects.count(), [])
    return {"homes": [*homes, more], "village": village}


def _recompute_chain() -> None:
    prev = "0" * 64
    for ev in Event.objects.order_by("id"):
        h = event_hash(prev, _row_of(ev), _json(ev.before), _json(ev.after))
        Event.objects.filter(pk=ev.pk).update(prev_hash=prev, hash=h)
        prev = h


def _last_ids(n: int) -> list[int]:
    return list(Event.objects.order_by("-id").values_list("id", flat=True)[:n])


def edit_event(w):
    ev = Event.objects.filter(action="household.status").get()
    Event.objects.filter(pk=ev.pk).update(after={"status": "removed", "year": 2020})


def delete_middle_event(w):
    ids = list(Event.objects.order_by("id").values_list("id", flat=True))
    Event.objects.filter(pk=ids[len(ids) // 2]).delete()


def reorder_objects(w):
    first, second = Event.objects.order_by("id")[:2]
    Event.objects.filter(pk=first.pk).update(object_id=second.object_id)


def delete_last_event(w):
    Event.objects.filter(pk__in=_last_ids(1)).delete()


def delete_last_three(w):
    Event.objects.filter(pk__in=_last_ids(3)).delete()


def delete_all_events(w):
    Event.objects.all().delete()


def delete_all_events_and_head(w):
    Event.objects.all().delete()
    Head.objects.all().delete()


def edit_and_recompute_chain(w):
    edit_event(w)
    _recompute_chain()


def truncate_and_forge_head(w):
    Event.objects.filter(pk__in=_last_ids(2)).delete()
    last = Event.objects.order_by("-id").first()
    assert last is not None
    Head.objects.update(count=Event.objects.count(), last_id=last.pk, hash=last.hash, mac="0" * 64)


def delete_head(w):
    Head.objects.all().delete()


def rewrite_history_with_the_key(w):
    """Even with the key (an insider on the server), history before an exported anchor holds."""
    edit_event(w)
    _recompute_chain()
    last = Event.objects.order_by("-id").first()
    assert last is not None
    count = Event.objects.count()
    Head.objects.update(
        count=count, last_id=last.pk, hash=last.hash, mac=anchor.mac(count, last.pk, last.hash)
    )


def append_forged_event(w):
    last = Event.objects.order_by("-id").first()
    assert last is not None
    forged = Event(
        at=last.at, actor_name="system", action="household.update", object_type="household",
        object_id=last.object_id, reason="", before=None, after={"address": "x"}, batch="",
        prev_hash=last.hash, hash="",
    )  # fmt: skip
    forged.hash = event_hash(last.hash, _row_of(forged), None, _json(forged.after))
    forged.save()


def update_household_status(w):
    Household.objects.filter(pk=w["homes"][1].pk).update(status="removed")


def update_household_bank_account(w):
    Household.objects.filter(pk=w["homes"][2].pk).update(bank_account="6222000000000000999")


def insert_household_without_event(w):
    Household.objects.create(household_no="GHOST1", region=w["village"], status="poor")


def delete_household_behind_the_ledger(w):
    hh = w["homes"][3]
    StatusChange.objects.filter(household=hh).delete()
    HouseholdYear.objects.filter(household=hh).delete()
    Member.objects.filter(household=hh).delete()
    Household.objects.filter(pk=hh.pk).delete()


def alter_exported_anchor(w):
    path = anchor.anchors_path()
    line = json.loads(path.read_text())
    line["count"] = 1
    path.write_text(json.dumps(line) + "\n")


SCENARIOS = [
    edit_event, delete_middle_event, reorder_objects, delete_last_event, delete_last_three,
    delete_all_events, delete_all_events_and_head, edit_and_recompute_chain,
    truncate_and_forge_head, delete_head, rewrite_history_with_the_key, append_forged_event,
    update_household_status, update_household_bank_account, insert_household_without_event,
    delete_household_behind_the_ledger, alter_exported_anchor,
]  # fmt: skip


@pytest.mark.parametrize("tamper", SCENARIOS, ids=lambda f: f.__name__)
def test_tampering_is_detected(ledger, tamper):
    tamper(ledger)
    _, problems = verify()
    assert problems, f"{tamper.__name__} went unnoticed"
    assert all(re.search("[\u4e00-\u9fff]", p) and re.search("[a-z]{4}", p) for p in problems)
    with pytest.raises(CommandError):
        call_command("ledger", "verify")


def test_anchor_command_appends_a_line(ledger, capsys):
    before = len(anchor.anchors_path().read_text().splitlines())
    call_command("ledger", "anchor")
    lines = anchor.anchors_path().read_text().splitlines()
    assert len(lines) == before + 1
    assert json.loads(lines[-1])["count"] == Event.objects.count()
    assert verify()[1] == []
