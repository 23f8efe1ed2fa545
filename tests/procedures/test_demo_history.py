"""The demo's ready-made history and the training clock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lantu.core.errors import NotPermitted
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.procedures import clock, config, demo_history, queries
from lantu.procedures.models import Case, CaseState, Notice
from tests.factories import COUNTY, make_user
from tests.procedures.conftest import household

pytestmark = pytest.mark.django_db


def test_history_has_every_step_concluded_notices_and_overdue_cases(world, now):
    for _ in range(34):
        household(world)
    u = world["users"]
    made = demo_history.make(users={"village": u["village"], "township": u["township"],
                                    "county": u["county"]}, year=2021)  # fmt: skip
    assert made["household_exit"] == made["monitoring"] == 16 and made["change_request"] == 2
    for slug in ("household_exit", "monitoring"):
        steps = set(Case.objects.filter(kind=slug, state="open").values_list("step", flat=True))
        assert steps == {s.name for s in config.kind(slug).steps}, slug
        assert Case.objects.filter(kind=slug, state=CaseState.COMPLETED).count() == 2
    assert Notice.objects.filter(end__lt=now.day).exists()  # concluded notices
    assert Notice.objects.filter(end__gte=now.day).exists()  # and running ones
    overdue = queries.with_overdue(Case.objects.filter(state="open"), now.day)
    assert overdue.filter(overdue=True).exists() and overdue.filter(overdue=False).exists()
    assert not verify()[1]


def test_training_clock_is_admin_only_ledgered_and_off_in_production(world, settings, client):
    admin = make_user("adm", world["regions"][COUNTY], "admin")
    with pytest.raises(NotPermitted):
        clock.set_offset(actor=admin, days=5)  # not a training install
    settings.LANTU_TRAINING = True
    with pytest.raises(NotPermitted):
        clock.set_offset(actor=world["users"]["county"], days=5)
    before = clock.today()
    client.force_login(admin)
    resp = client.post(reverse("procedures:training_clock"), {"days": "10", "reason": "培训"})
    assert resp.status_code == 302
    assert (clock.today() - before).days == 10
    assert Event.objects.filter(action="clock.set").count() == 1
    bad = client.post(reverse("procedures:training_clock"), {"days": "-3", "reason": "x"})
    assert bad.status_code == 400 and 'value="x"' in bad.content.decode()
    settings.LANTU_TRAINING = False
    assert clock.today() == before  # production ignores the setting
    assert client.get(reverse("procedures:training_clock")).status_code == 403
