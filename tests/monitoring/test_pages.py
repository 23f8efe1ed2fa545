"""The public pages as a villager uses them (Django's client), the staff pages, and the API:
report → receipt → status by receipt + phone → sign-off; nobody else's data on a public answer."""

import datetime

import pytest
from django.test import Client

from lantu.matching.tokens import issue
from lantu.monitoring import services
from lantu.monitoring.models import Ticket
from tests.factories import make_id

pytestmark = pytest.mark.django_db

FORM = {
    "for_other": "0",
    "name": "李四",
    "phone": "13912345678",
    "village": "530822100201",
    "event": "illness",
    "needs": ["medical_bills", "dibao"],
}


def test_report_page_renders_the_catalogue(mworld):
    body = Client().get("/monitoring/report/").content.decode()
    assert "申请低保" in body and "医保部门" in body and "530000000000" in body


def test_report_status_sign_off_on_the_public_pages(mworld):
    c = Client()
    pid = make_id(datetime.date(1980, 6, 1))
    r = c.post("/monitoring/report/", FORM | {"id_number": pid})
    assert r.status_code == 200
    t = Ticket.objects.get()
    assert t.receipt in r.content.decode() and pid not in r.content.decode()
    wrong = c.post("/monitoring/status/", {"receipt": t.receipt, "phone": "13900000000"})
    assert wrong.status_code == 404 and "李" not in wrong.content.decode()
    ok = c.post("/monitoring/status/", {"receipt": t.receipt, "phone": "13912345678"})
    body = ok.content.decode()
    assert ok.status_code == 200 and "李*" in body and pid not in body and "李四" not in body
    u = mworld["users"]
    for k in t.tasks.all():
        dep = "dept_" + k.department
        services.handle(actor=u[dep], task_id=k.pk, result="已办")
    signed = c.post(
        "/monitoring/status/sign-off/",
        {"receipt": t.receipt, "phone": "13912345678", "satisfied": "1"},
    )
    assert signed.status_code == 200 and Ticket.objects.get().state == "closed"


def test_bad_report_keeps_what_was_typed_and_says_what_to_fix(mworld):
    r = Client().post("/monitoring/report/", FORM | {"id_number": "123"})
    body = r.content.decode()
    assert r.status_code == 400 and "身份证号" in body and 'value="李四"' in body
    assert not Ticket.objects.exists()


def test_status_lookups_are_limited_per_address(mworld):
    c = Client()
    for _ in range(20):
        c.post("/monitoring/status/", {"receipt": "1", "phone": "2"})
    assert c.post("/monitoring/status/", {"receipt": "1", "phone": "2"}).status_code == 429


def test_api_report_status_and_sign_off(mworld):
    c = Client()
    pid = make_id(datetime.date(1981, 6, 1))
    r = c.post("/api/monitoring/public/reports", FORM | {"id_number": pid})
    assert r.status_code == 201, r.content
    receipt = r.json()["receipt"]
    bad = c.post("/api/monitoring/public/reports", FORM | {"id_number": "1"})
    assert bad.status_code == 400 and "id_number" in bad.json()["fields"]
    s = c.post(
        "/api/monitoring/public/status",
        {"receipt": receipt, "phone": "13912345678"},
        content_type="application/json",
    )
    assert s.status_code == 200 and s.json()["state"] == "received"
    assert pid not in s.content.decode() and "13912345678" not in s.content.decode()
    kids = c.get("/api/monitoring/public/regions/530822100000/children").json()
    assert [k["code"] for k in kids] == ["530822100201", "530822100202"]
    assert c.get("/api/monitoring/public/catalogue").status_code == 200


def test_staff_pages_and_api_walk_the_loop(mworld, client_for):
    u = mworld["users"]
    Client().post("/monitoring/report/", FORM | {"id_number": make_id(datetime.date(1982, 1, 1))})
    t = Ticket.objects.get()
    village = client_for(u["village"])
    assert t.receipt in village.get("/monitoring/").content.decode()
    village.post(f"/monitoring/tickets/{t.pk}/act/", {"action": "accept", "version": t.version})
    assert Ticket.objects.get().state == "accepted"
    dept = client_for(u["dept_civil_affairs"])
    assert t.receipt in dept.get("/monitoring/").content.decode()
    task = t.tasks.get(department="civil_affairs")
    r = dept.post(
        f"/api/monitoring/tasks/{task.pk}",
        {"result": "已纳入低保"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    health = client_for(u["dept_health"])
    assert health.get(f"/monitoring/tickets/{t.pk}/").status_code == 404
    assert health.get(f"/api/monitoring/tickets/{t.pk}").status_code == 404
    county = client_for(u["county"])
    sla = county.get("/api/monitoring/sla?by=department").json()["rows"]
    assert {r["key"] for r in sla} == {"civil_affairs", "medical_insurance"}
    assert "联珠镇" in county.get("/monitoring/sla/").content.decode()


def test_department_push_api(mworld):
    key = issue(actor=None, department="卫健局", datasets=["medical_bills"])
    c = Client()
    pid = make_id(datetime.date(1970, 1, 1))
    body = {
        "alerts": [
            {
                "id_number": pid,
                "name": "赵六",
                "village": "530822100201",
                "event": "illness",
                "needs": ["serious_illness"],
            },
            {"id_number": "1", "name": "x", "event": "?", "needs": []},
        ]
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    r = c.post("/api/monitoring/alerts", body, content_type="application/json", **auth)
    assert r.status_code == 400 and len(r.json()["errors"]) >= 3 and not Ticket.objects.exists()
    body["alerts"].pop()
    r = c.post("/api/monitoring/alerts", body, content_type="application/json", **auth)
    assert r.status_code == 201 and Ticket.objects.get().channel == "department"
    assert (
        c.post("/api/monitoring/alerts", body, content_type="application/json").status_code == 401
    )


def test_a_department_user_lands_on_their_queue_after_login(mworld):
    c = Client()
    r = c.post("/login/", {"username": "dept_health", "password": "pw-dept_health"})
    assert r.status_code == 302 and r["Location"] == "/monitoring/?section=department"
    assert c.get(r["Location"]).status_code == 200
    village = Client()
    r = village.post("/login/", {"username": "v1", "password": "pw-v1"})
    assert r.status_code == 302 and r["Location"] == "/"
