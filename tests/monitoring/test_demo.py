"""The demo's monitoring tickets: one left past its 10-day clock and raised to the county, one on
time in a department's queue."""

import pytest

from lantu.monitoring import demo, queries
from lantu.monitoring.models import Ticket
from tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_demo_makes_an_escalated_ticket_and_one_on_time(mworld):
    village = mworld["regions"]["530822100201"]
    for _ in range(3):
        make_household(village, size=10)
    u = mworld["users"]
    users = {"village": u["village"], "dept_medical_insurance": u["dept_medical_insurance"]}
    assert demo.make(users) == {"tickets": 2, "escalated": 1}
    left = Ticket.objects.get(escalated_level="county")
    assert left.state == "accepted" and left.due < mworld["clock"].day
    assert list(queries.queue(u["county"], "escalated")) == [left]
    on_time = Ticket.objects.exclude(pk=left.pk).get()
    assert on_time.channel == "proxy" and on_time.escalated_level == ""
    assert list(queries.queue(u["dept_civil_affairs"], "department")) == [left, on_time]
