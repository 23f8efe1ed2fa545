"""Visit rounds: the list covers registered, monitored and edge households; a visit finding a risk
raises a ticket in the one loop; coverage lists who was not visited; the spreadsheet import is all
or nothing, reports every error and is idempotent."""

import datetime
import io

import openpyxl
import pytest

from lantu.core.errors import Conflict
from lantu.ledger.models import Event
from lantu.monitoring import visit_import, visits
from lantu.monitoring.models import Ticket, Visit
from tests.monitoring.conftest import VILLAGE, household

pytestmark = pytest.mark.django_db
START, END = datetime.date(2021, 1, 1), datetime.date(2021, 3, 31)


@pytest.fixture
def rnd(mworld):
    hhs = [household(mworld, status=s) for s in ("poor", "exited", "monitored", "not_registered")]
    household(mworld, status="removed")  # not listed
    r = visits.open_round(
        actor=mworld["users"]["village"],
        village=mworld["regions"][VILLAGE],
        period="2021Q1",
        start=START,
        end=END,
    )
    return r, hhs


def test_round_lists_registered_monitored_and_edge_households(mworld, rnd):
    r, _hhs = rnd
    assert r.visits.count() == 4
    assert set(r.visits.values_list("reason", flat=True)) == {"poor", "exited", "monitored", "edge"}
    with pytest.raises(Conflict):
        visits.open_round(
            actor=mworld["users"]["village"],
            village=mworld["regions"][VILLAGE],
            period="2021Q1",
            start=START,
            end=END,
        )


def test_visit_with_a_risk_raises_a_ticket_and_coverage(mworld, rnd):
    r, hhs = rnd
    v = r.visits.get(household=hhs[1])
    visits.record_visit(
        actor=mworld["users"]["village"],
        visit_id=v.pk,
        seen="户主住院",
        risk="illness",
        needs=["medical_bills"],
    )
    t = Ticket.objects.get()
    assert t.channel == "visit" and t.household_id == hhs[1].pk
    cover = visits.coverage(r)
    assert (cover["total"], cover["visited"], cover["risks"]) == (4, 1, 1)
    assert len(cover["missing"]) == 3
    assert Event.objects.filter(action="monitoring.visit").count() == 1


def _book(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(visit_import.HEADERS))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_all_or_nothing_every_error_and_idempotent(mworld, rnd):
    r, hhs = rnd
    u = mworld["users"]["village"]
    assert visit_import.template(r)[:2] == b"PK"
    nos = [h.household_no for h in hhs]
    bad = _book([[nos[0], "2021-02-01", "正常", "无", ""], ["H999", "2021/02/01", "", "地震", "x"]])
    rep = visit_import.import_visits(bad, "v.xlsx", actor=u, rnd=r)
    assert {e.column for e in rep.errors} == {
        "户编号",
        "走访日期",
        "见到的情况",
        "发现的风险",
        "需要的帮助",
    }
    assert not Visit.objects.filter(visited_on__isnull=False).exists()
    assert rep.error_workbook()[:2] == b"PK"
    good = _book(
        [
            [nos[0], "2021-02-01", "正常", "无", ""],
            [nos[1], "2021-02-02", "失业在家", "失业、务工收入减少", "找工作、务工就业"],
        ]
    )
    rep = visit_import.import_visits(good, "v.xlsx", actor=u, rnd=r)
    assert rep.ok and rep.summary == {"recorded": 2, "unchanged": 0}
    assert Ticket.objects.get().event == "job_loss"
    again = visit_import.import_visits(good, "v.xlsx", actor=u, rnd=r)
    assert again.summary == {"recorded": 0, "unchanged": 2} and Ticket.objects.count() == 1


def test_import_page_gives_the_template_and_the_error_workbook(mworld, rnd, client_for):
    r, _hhs = rnd
    c = client_for(mworld["users"]["village"])
    got = c.get(f"/monitoring/rounds/{r.pk}/import/")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    bad = io.BytesIO(_book([["H999", "x", "", "", ""]]))
    bad.name = "v.xlsx"
    r2 = c.post(f"/monitoring/rounds/{r.pk}/import/", {"file": bad})
    assert r2.status_code == 400 and r2.content[:2] == b"PK"
