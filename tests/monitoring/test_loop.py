"""The closed loop through the services: a self-report reaches the village and the departments,
is taken, handled, escalated when left, and closed by the reporter's sign-off; every step is a
ledger event and a line the reporter can read."""

import datetime

import pytest

from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.monitoring import intake, queries, services
from lantu.monitoring.models import Ticket
from lantu.procedures.escalation import escalate
from lantu.procedures.models import Case
from lantu.registry.models import Household
from tests.factories import make_id
from tests.monitoring.conftest import report

pytestmark = pytest.mark.django_db


def submit(**over):
    return intake.submit(report(**over), address="10.0.0.1").ticket


def test_report_routes_to_village_and_departments(mworld):
    t = submit()
    assert t.village.code == "530822100201" and t.state == "received"
    assert sorted(t.tasks.values_list("department", flat=True)) == [
        "civil_affairs",
        "medical_insurance",
    ]
    assert t.due == mworld["clock"].day + __import__("datetime").timedelta(days=10)
    u = mworld["users"]
    assert list(queries.queue(u["village"], "village")) == [t]
    assert list(queries.queue(u["dept_civil_affairs"], "department")) == [t]
    assert list(queries.queue(u["dept_health"], "department")) == []
    assert not queries.visible(u["dept_health"]).exists()  # not routed to health
    assert not queries.visible(u["outsider"]).exists()
    assert not queries.visible(u["other_health"]).exists()
    assert Event.objects.filter(action="monitoring.receive").count() == 1


def test_the_whole_loop_with_escalation_and_sign_off(mworld):
    u, clock = mworld["users"], mworld["clock"]
    t = submit()
    clock.advance(11)
    escalate()  # the procedures' 督办 cron raises the overdue ticket
    t.refresh_from_db()
    assert t.escalated_level == "county"
    assert list(queries.queue(u["county"], "escalated")) == [t]
    services.supervise(actor=u["county"], ticket_id=t.pk, instruction="三日内办结")
    services.accept(actor=u["village"], ticket_id=t.pk)
    tasks = {k.department: k for k in t.tasks.all()}
    services.handle(
        actor=u["dept_medical_insurance"],
        task_id=tasks["medical_insurance"].pk,
        result="已按医疗救助政策报销",
    )
    with pytest.raises(NotPermitted):
        services.handle(actor=u["dept_health"], task_id=tasks["civil_affairs"].pk, result="x")
    services.handle(
        actor=u["dept_civil_affairs"], task_id=tasks["civil_affairs"].pk, result="已纳入低保"
    )
    t.refresh_from_db()
    assert t.state == "resolved" and t.responded_on == clock.day
    found = queries.for_reporter(t.receipt, "13912345678", source="s")
    with pytest.raises(ValidationFailed):
        services.sign_off(ticket=found, satisfied=False)  # needs a reason
    services.sign_off(ticket=found, satisfied=True, reason="")
    t.refresh_from_db()
    assert t.state == "closed" and t.satisfied is True
    actions = list(t.progress.values_list("action", flat=True))
    assert actions == ["receive", "escalate", "supervise", "accept", "handle", "handle", "sign_off"]
    assert verify()[1] == []


def test_not_satisfied_goes_back_under_county_supervision(mworld):
    u = mworld["users"]
    t = submit(needs=["job"])
    task = t.tasks.get()
    services.handle(actor=u["dept_human_resources"], task_id=task.pk, result="推荐了岗位")
    services.sign_off(ticket=Ticket.objects.get(pk=t.pk), satisfied=False, reason="岗位太远")
    t.refresh_from_db()
    assert t.state == "accepted" and t.escalated_level == "county" and t.satisfied is False
    assert t.tasks.get().state == "open"


def test_close_with_a_reason_the_reporter_sees(mworld):
    u = mworld["users"]
    t = submit()
    with pytest.raises(NotPermitted):
        services.close(actor=u["village"], ticket_id=t.pk, reason="重复")
    services.close(actor=u["township"], ticket_id=t.pk, reason="经核实已享受低保，无需重复办理")
    from lantu.monitoring.presenting import public_view

    view = public_view(Ticket.objects.get(pk=t.pk))
    assert view["state"] == "closed" and "无需重复办理" in view["close_reason"]


def test_identification_opens_the_monitoring_procedure_from_the_clue(mworld):
    u, clock = mworld["users"], mworld["clock"]
    t = submit()  # a person not in the registry
    clock.advance(2)
    services.identify(actor=u["village"], ticket_id=t.pk)
    t.refresh_from_db()
    case = Case.objects.get(pk=t.case_id)
    assert case.kind == "monitoring" and case.clue_date == t.received_on
    assert case.case_due == t.received_on + __import__("datetime").timedelta(days=15)
    hh = Household.objects.get(pk=t.household_id)
    assert hh.status == "not_registered" and hh.head_name == "李四"
    services.plan_assistance(actor=u["village"], ticket_id=t.pk)
    t.refresh_from_db()
    assert t.track == "development"  # the head has ordinary labour by default


def test_safety_net_for_a_household_without_labour(mworld):
    from tests.monitoring.conftest import household

    hh = household(mworld, status="exited")
    hh.members.update(labour="lost")
    head = hh.members.get(relation="head")
    t = submit(name=head.name, id_number=head.id_number)
    assert t.household_id == hh.pk
    services.plan_assistance(actor=mworld["users"]["village"], ticket_id=t.pk)
    assert Ticket.objects.get(pk=t.pk).track == "safety_net"


def test_out_of_scope_and_wrong_role(mworld):
    u = mworld["users"]
    t = submit()
    with pytest.raises(OutOfScope):
        services.accept(actor=u["outsider"], ticket_id=t.pk)
    with pytest.raises(NotPermitted):
        services.accept(actor=u["prefecture"], ticket_id=t.pk)
    with pytest.raises(OutOfScope):
        queries.for_reporter(t.receipt, "13900000000", source="s")


def test_the_department_queue_holds_only_tickets_with_an_open_task_of_the_department(mworld):
    """One semi-join (an open task of theirs), not two; a handled task leaves the queue while the
    ticket stays visible to the department."""
    u = mworld["users"]
    t, other = submit(), submit(id_number=make_id(datetime.date(1975, 3, 1)), phone="13912340000")
    services.accept(actor=u["village"], ticket_id=t.pk)
    task = t.tasks.get(department="civil_affairs")
    services.handle(actor=u["dept_civil_affairs"], task_id=task.pk, result="已纳入低保")
    dept = u["dept_civil_affairs"]
    assert list(queries.queue(dept, "department")) == [other]
    assert set(queries.visible(dept)) == {t, other}
    sql = str(queries.queue(dept, "department").query)
    assert sql.count('"monitoring_task"') == 1
