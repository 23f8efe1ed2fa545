from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.assistance import gaps
from lantu.assistance.models import Visit
from lantu.ledger.models import Event
from lantu.registry import services as registry_services
from tests.assistance.helpers import csv, setup_assistance
from tests.factories import make_household, make_world


@pytest.fixture
def world(db):
    w = make_world()
    poor = make_household(w["regions"]["530822100202"], registration_year=2016)
    registry_services.record_year(
        actor=None, household=poor, year=2020, facts={"wage_income": 2000, "main_cause": "7"}
    )
    gaps.run(actor=None, year=2020)
    return w


def _cadre(client, w):
    client.force_login(w["users"][Role.CADRE])
    return w["users"][Role.CADRE]


def test_overview_and_export_show_the_county(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    body = client.get(reverse("assistance:overview") + "?year=2020").content.decode()
    assert "墨江" in body and "六清" in body
    resp = client.get(reverse("assistance:export", args=["coverage"]) + "?year=2020")
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("区划代码", "区划", "应帮扶户") and rows[1][0] == "530822000000"


def test_gap_queue_lists_the_households(client, world):
    client.force_login(world["users"][Role.TOWNSHIP_REVIEW])
    body = client.get(reverse("assistance:gaps") + "?year=2020").content.decode()
    assert world["inside"].household_no in body
    assert world["outside"].household_no not in body


def test_cadre_sees_and_visits_only_their_households(client, world):
    user = _cadre(client, world)
    body = client.get(reverse("assistance:mine")).content.decode()
    assert world["inside"].household_no in body and 'name="viewport"' in body
    other = make_household(world["regions"]["530822100201"])
    today = datetime.date.today().isoformat()
    resp = client.post(
        reverse("assistance:mine"),
        {"household": world["inside"].pk, "date": today, "kind": "home", "notes": "查看务工"},
    )
    assert resp.status_code == 302
    visit = Visit.objects.get(household=world["inside"])
    assert visit.cadre.user == user and visit.notes == "查看务工"
    assert Event.objects.filter(action="visit.record", object_id=str(visit.pk)).exists()
    resp = client.post(
        reverse("assistance:mine"), {"household": other.pk, "date": today, "kind": "home"}
    )
    assert resp.status_code == 404
    assert client.get(reverse("registry:household_detail", args=[other.pk])).status_code == 404
    detail = client.get(reverse("registry:household_detail", args=[world["inside"].pk]))
    assert "李帮扶" in detail.content.decode() and "查看务工" in detail.content.decode()


def test_a_future_visit_is_refused_with_a_reason(client, world):
    _cadre(client, world)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    resp = client.post(
        reverse("assistance:mine"),
        {"household": world["inside"].pk, "date": tomorrow, "kind": "home"},
    )
    assert resp.status_code == 400
    assert "a visit cannot be in the future" in resp.content.decode()


def test_api_records_a_visit_for_a_cadre_only(client, world):
    _cadre(client, world)
    data = {"household_id": world["inside"].pk, "date": datetime.date.today().isoformat()}
    resp = client.post("/api/assistance/visits", data, content_type="application/json")
    assert resp.status_code == 201, resp.content
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    resp = client.post("/api/assistance/visits", data, content_type="application/json")
    assert resp.status_code == 403
    got = client.get(f"/api/assistance/households/{world['inside'].pk}").json()
    assert got["pairings"][0]["name"] == "李帮扶" and len(got["visits"]) == 1


def test_household_file_masks_the_cadre_phone_for_supervisors(client, world):
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    body = client.get(reverse("registry:household_detail", args=[world["inside"].pk])).content
    assert "李帮扶" in body.decode() and "13711112222" not in body.decode()


def test_import_page_reports_every_error_and_offers_the_list(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    bad = csv([{"户编号": "NOPE", "干部编号": "C-u_cadre", "结对日期": "2024-13-01"}])
    upload = io.BytesIO(bad)
    upload.name = "p.csv"
    resp = client.post(reverse("assistance:import"), {"kind": "pairings", "file": upload})
    assert resp.status_code == 400
    text = resp.content.decode()
    assert "NOPE" in text and "2024-13-01" in text and "/registry/import/errors/" in text
    template = client.get(reverse("assistance:import_template", args=["plans"]))
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book["一户一策"][1]][:3] == ["户编号", "年度", "计划脱贫年度"]


def test_teams_and_cadres_pages(client, world):
    setup_assistance(world)
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    teams = client.get(reverse("assistance:teams")).content.decode()
    assert "第一书记" in teams and "干部GB2" in teams
    cadres = client.get(reverse("assistance:cadres")).content.decode()
    assert "干部GB1" in cadres and "13912345678" in cadres
