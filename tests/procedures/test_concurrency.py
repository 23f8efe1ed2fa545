"""Two reviewers acting on the same case at the same moment, in two real database connections:
one wins, the other gets Conflict (PostgreSQL: row lock + version check). On SQLite the
version check alone decides (see test_engine.test_two_reviewers_at_once_one_wins)."""

import threading

import pytest
from django.db import connection

from lantu.core.errors import Conflict
from lantu.procedures import engine
from lantu.procedures.models import Case, Decision
from tests.procedures.conftest import household

# Not marked ``postgres``: that marker adds a plain django_db mark, and this test needs real
# commits (transaction=True) so that the second connection sees the case.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL row locks"),
]

VOTES = {b: {"for": 9, "against": 1} for b in ("internal", "party", "villagers")}


def test_two_threads_one_wins(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    barrier = threading.Barrier(2)
    outcomes = []

    def reviewer(action, comment):
        try:
            barrier.wait(timeout=10)
            engine.act(
                actor=u["village"],
                case_id=case.pk,
                version=case.version,
                action=action,
                comment=comment,
                data={"votes": VOTES},
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=reviewer, args=a)
        for a in (("approve", "同意"), ("reject", "不同意"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    case.refresh_from_db()
    assert case.version == 2
    assert Decision.objects.filter(case=case).exclude(action="open").count() == 1
    assert Case.objects.count() == 1
