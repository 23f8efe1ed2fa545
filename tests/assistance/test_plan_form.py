"""The plan form (一户一策, /assistance/plan/<pk>/): a household's plan and measures added and
edited one at a time through ``services.save_plan``, scoped (a cadre: only their own households),
all or nothing with every problem in Chinese and English, and one ledger event per save."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.assistance.models import Cadre, Plan
from lantu.ledger.models import Event
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year


@pytest.fixture
def world():
    return make_world()


def _post(client, hh, rows, **head):
    data = {"year": YEAR, "planned_exit_year": "", "planned_risk_elimination": "", "note": ""}
    data |= head
    data |= {"m-TOTAL_FORMS": len(rows), "m-INITIAL_FORMS": 0, "m-MIN_NUM_FORMS": 0,
             "m-MAX_NUM_FORMS": 30}  # fmt: skip
    blank = {"measure": "", "cadre_no": "", "planned_amount": "", "actual_amount": "",
             "planned_date": "", "actual_date": "", "status": "planned"}  # fmt: skip
    for i, r in enumerate(rows):
        data |= {f"m-{i}-{k}": v for k, v in (blank | r).items()}
    return client.post(reverse("assistance:plan", args=[hh.pk]), data)


def test_cadre_adds_then_edits_a_plan(client, world):
    hh = world["inside"]
    client.force_login(world["users"][Role.CADRE])
    no = Cadre.objects.get(user=world["users"][Role.CADRE]).cadre_no
    page = client.get(reverse("assistance:plan", args=[hh.pk]))
    assert page.status_code == 200 and 'name="m-0-measure"' in page.content.decode()
    assert f'value="{no}"' in page.content.decode()  # a new plan's first row: the paired cadre
    resp = _post(client, hh, [
        {"measure": "industry", "cadre_no": no, "planned_amount": "3000"},
        {"measure": "medical", "planned_amount": "800", "status": "in_progress"},
        {},  # a blank row is left out
    ], planned_exit_year="2026", note="种植核桃")  # fmt: skip
    assert resp.status_code == 302, [x for x in resp.content.decode().splitlines() if "error" in x]
    plan = Plan.objects.get(household=hh, year=YEAR)
    got = {m.measure: m for m in plan.measures.all()}
    assert set(got) == {"industry", "medical"} and plan.planned_exit_year == 2026
    assert got["industry"].cadre.cadre_no == no and got["medical"].cadre is None
    created = Event.objects.get(action="plan.create", object_id=f"{hh.household_no}/{YEAR}")
    assert set(created.after["measures"]) == {"industry", "medical"}
    # edit: industry done with its actual amount and date, medical removed, education added
    resp = _post(client, hh, [
        {"measure": "industry", "cadre_no": no, "planned_amount": "3000",
         "actual_amount": "2800", "actual_date": datetime.date.today().isoformat(),
         "status": "done"},
        {"measure": "education_aid", "planned_amount": "500"},
    ], planned_exit_year="2026")  # fmt: skip
    assert resp.status_code == 302
    got = {m.measure: m for m in plan.measures.all()}
    assert set(got) == {"industry", "education_aid"}
    assert got["industry"].status == "done" and float(got["industry"].actual_amount) == 2800
    edit = Event.objects.get(action="plan.edit")
    assert "medical" in edit.before["measures"] and "medical" not in edit.after["measures"]
    assert edit.before["note"] == "种植核桃" and edit.after["note"] == ""
    # the household file links to the form and shows the plan
    body = client.get(reverse("registry:household_detail", args=[hh.pk])).content.decode()
    assert reverse("assistance:plan", args=[hh.pk]) in body


def test_every_problem_at_once_in_both_languages_and_nothing_written(client, world):
    hh = world["inside"]
    client.force_login(world["users"][Role.TOWNSHIP_REVIEW])
    assert _post(client, hh, [{"measure": "industry", "planned_amount": "100"}]).status_code == 302
    events = Event.objects.count()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    resp = _post(client, hh, [
        {"measure": "industry", "cadre_no": "NOSUCH"},
        {"measure": "industry"},
        {"measure": "dibao", "actual_date": tomorrow, "planned_amount": "99999999"},
        {"measure": "housing", "status": "done"},
    ])  # fmt: skip
    assert resp.status_code == 400
    body = resp.content.decode()
    for zh, en in [
        ("干部编号NOSUCH不存在", "cadre number NOSUCH does not exist"),
        ("重复", "given twice"),
        ("不能晚于今天", "cannot be in the future"),
        ("须在0至", "must be 0 to"),
        ("须填写实际完成日期", "needs its actual date"),
    ]:
        assert zh in body and en in body, (zh, en)  # fmt: skip
    assert 'value="NOSUCH"' in body  # what was typed is kept
    plan = Plan.objects.get(household=hh, year=YEAR)
    stored = [(m.measure, float(m.planned_amount)) for m in plan.measures.all()]
    assert stored == [("industry", 100)]
    assert Event.objects.count() == events


def test_scope_and_roles(client, world):
    other = make_household(world["regions"]["530822100201"])  # the cadre's village, not paired
    client.force_login(world["users"][Role.CADRE])
    assert client.get(reverse("assistance:plan", args=[other.pk])).status_code == 404
    assert _post(client, other, [{"measure": "industry"}]).status_code == 404
    assert _post(client, world["outside"], [{"measure": "industry"}]).status_code == 404
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    assert client.get(reverse("assistance:plan", args=[other.pk])).status_code == 200
    assert client.get(reverse("assistance:plan", args=[world["outside"].pk])).status_code == 404
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    assert _post(client, world["inside"], [{"measure": "industry"}]).status_code == 403
    assert not Plan.objects.exists()
