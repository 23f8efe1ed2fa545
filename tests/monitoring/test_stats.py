"""The statistics room's provider of monitoring objects by discovery channel: households whose
identification opened from a ticket completed, at the case's village and year, under the channel
of the case's first ticket."""

import datetime

import pytest

from lantu.monitoring import intake, services, stats
from lantu.monitoring.models import Channel, Ticket
from lantu.procedures.models import Case, CaseState
from tests.factories import make_id
from tests.monitoring.conftest import report

pytestmark = pytest.mark.django_db


def test_by_channel_counts_completed_identifications_once_at_their_first_channel(mworld):
    u = mworld["users"]
    made = []
    for i, who in enumerate(("李四", "王五", "赵六")):
        r = report(id_number=make_id(datetime.date(1970 + i, 3, 1)), name=who)
        t = intake.submit(r, address="10.0.0.1").ticket
        services.identify(actor=u["village"], ticket_id=t.pk)
        made.append(Ticket.objects.get(pk=t.pk))
    self_t, proxy_t, open_t = made
    # A later department ticket on the same case does not count the household twice.
    Ticket.objects.filter(pk=proxy_t.pk).update(channel=Channel.PROXY)
    later = Ticket.objects.get(pk=self_t.pk)
    later.pk, later.receipt, later.channel = None, "R-LATER", Channel.DEPARTMENT
    later.received_on = self_t.received_on + datetime.timedelta(days=3)
    later.save()
    Case.objects.filter(pk__in=[self_t.case_id, proxy_t.case_id]).update(state=CaseState.COMPLETED)
    rows = stats.by_channel()
    assert rows is not None
    got = sorted(zip(*(rows[c].to_pylist() for c in ("key", "value")), strict=True))
    assert got == [("proxy", 1), ("self", 1)]
    case = Case.objects.get(pk=self_t.case_id)
    assert set(rows["region_path"].to_pylist()) == {case.region_path}
    assert set(rows["year"].to_pylist()) == {case.year}
    assert open_t.case_id is not None  # still open: not counted
