"""The monitoring rows of the access matrix (tests/test_access_matrix.py): each staff page and
API route × every role × a ticket in the user's county and one outside it; the public pages and
API answered to anyone, showing nobody's ID number or phone, and the reporter's own ticket only
with its receipt and phone."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.cache import cache
from django.urls import reverse

from lantu.accounts.roles import DEPARTMENT_ROLES, GRANTS, Perm, Role
from lantu.monitoring import catalogue, intake, visits
from lantu.monitoring.models import Ticket
from tests.factories import make_id

# One need of each department: the ticket inside is routed to all seven.
ALL_NEEDS = [d.needs[0].code for d in catalogue.departments().values()]
PHONE = {"inside": "13911110001", "outside": "13911110002"}


def _endpoint(name: str, api: bool, perm: Perm, url: Any, scoped: bool = True) -> Any:
    from tests.test_access_matrix import Endpoint

    return Endpoint(name, api, perm, url, scoped)


def _ticket(w: dict[str, Any], target: str) -> Ticket:
    return w["tickets"][target]


def _round(w: dict[str, Any], target: str) -> Any:
    return w["rounds"][target]


def _endpoints() -> list[Any]:
    t = Perm.TICKETS
    return [
        _endpoint("mon.queue", False, t, lambda w, hh: reverse("monitoring:queue"), False),
        _endpoint(
            "mon.queue.open",
            False,
            t,
            lambda w, hh: reverse("monitoring:queue") + "?section=open",
            False,
        ),
        _endpoint(
            "mon.ticket",
            False,
            t,
            lambda w, hh: reverse("monitoring:ticket", args=[w["tk"](hh).pk]),
        ),
        _endpoint("mon.sla", False, t, lambda w, hh: reverse("monitoring:sla"), False),
        _endpoint(
            "mon.sla.dept",
            False,
            t,
            lambda w, hh: reverse("monitoring:sla") + "?by=department",
            False,
        ),
        _endpoint(
            "mon.rounds", False, Perm.VIEW, lambda w, hh: reverse("monitoring:rounds"), False
        ),
        _endpoint(
            "mon.round",
            False,
            Perm.VIEW,
            lambda w, hh: reverse("monitoring:round", args=[w["rd"](hh).pk]),
        ),
        _endpoint(
            "mon.round.import",
            False,
            Perm.IMPORT,
            lambda w, hh: reverse("monitoring:round_import", args=[w["rd"](hh).pk]),
        ),
        _endpoint(
            "mon.visit",
            False,
            Perm.VIEW,
            lambda w, hh: reverse("monitoring:visit", args=[w["rd"](hh).visits.first().pk]),
        ),
        _endpoint(
            "api.mon.tickets", True, t, lambda w, hh: "/api/monitoring/tickets?section=open", False
        ),
        _endpoint(
            "api.mon.ticket", True, t, lambda w, hh: f"/api/monitoring/tickets/{w['tk'](hh).pk}"
        ),
        _endpoint("api.mon.sla", True, t, lambda w, hh: "/api/monitoring/sla?by=county", False),
    ]


MONITORING_ENDPOINTS = _endpoints()


def build_monitoring(world: dict[str, Any]) -> None:
    if "tickets" in world:
        return
    cache.clear()
    tickets, rounds = {}, {}
    for target, village in (("inside", "530822100201"), ("outside", "530823100201")):
        hh = world[target]
        report = intake.Report(
            name=f"当事人{target}",
            id_number=make_id(datetime.date(1979, 1, 1)),
            phone=PHONE[target],
            village=village,
            event="illness",
            needs=ALL_NEEDS,
        )
        tickets[target] = intake.submit(report, address=target).ticket
        tickets[target].household = hh
        rounds[target] = visits.open_round(
            actor=None,
            village=hh.region,
            period="2026Q4",
            start=datetime.date(2026, 10, 1),
            end=datetime.date(2026, 12, 31),
        )
    world["tickets"], world["rounds"] = tickets, rounds
    by_hh = {world[t].pk: t for t in ("inside", "outside")}
    world["tk"] = lambda hh: tickets[by_hh[hh.pk]]
    world["rd"] = lambda hh: rounds[by_hh[hh.pk]]


def _secrets(t: Ticket) -> list[str]:
    return [t.id_number, t.phone, t.receipt, t.name]


def _text(resp: Any) -> str:
    if resp.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from tests.test_access_matrix import _text as workbook_text

        return workbook_text(resp)
    body = resp.content.decode()
    if resp.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body


def check_monitoring_access(client, world, ep, who, target, expected_of, anon, unbound) -> None:
    if who != anon:
        client.force_login(world["users"][who])
    hh = world[target]
    resp = client.get(ep.url(world, hh))
    expected = expected_of(ep, who, target)
    assert resp.status_code == expected, (ep.name, who, target, resp.content[:200])
    if expected != 200:
        return
    text = _text(resp)
    for secret in _secrets(world["tickets"]["outside"]):
        assert secret not in text, f"out-of-scope {secret} leaked to {who} on {ep.name}"
    inside = world["tickets"]["inside"]
    if who != unbound and Perm.PERSONAL_DATA not in GRANTS[Role(who)]:
        assert inside.id_number not in text and inside.phone not in text
    if ep.name in ("mon.ticket", "api.mon.ticket") and who in {r.value for r in DEPARTMENT_ROLES}:
        assert inside.id_number in text  # a department sees whom it acts for


def check_public_pages(client, world) -> None:
    t_in, t_out = world["tickets"]["inside"], world["tickets"]["outside"]
    everyone = _secrets(t_in) + _secrets(t_out)
    for url in (
        "/monitoring/report/",
        "/monitoring/status/",
        "/api/monitoring/public/catalogue",
        "/api/monitoring/public/regions/530822100000/children",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert not [s for s in everyone if s in _text(resp)], url
    own = client.post("/monitoring/status/", {"receipt": t_in.receipt, "phone": PHONE["inside"]})
    text = _text(own)
    assert own.status_code == 200 and t_in.receipt in text
    assert not [s for s in [t_in.id_number, t_in.phone, t_in.name, *_secrets(t_out)] if s in text]
    api = client.post(
        "/api/monitoring/public/status",
        {"receipt": t_in.receipt, "phone": PHONE["inside"]},
        content_type="application/json",
    )
    assert api.status_code == 200
    assert not [
        s for s in [t_in.id_number, t_in.phone, t_in.name, *_secrets(t_out)] if s in _text(api)
    ]
    # The SMS code: anyone may ask for one; the answer says nothing of anybody.
    code = client.post("/monitoring/report/code/", {"for_other": "0", "phone": "13955550000"})
    assert code.status_code == 200 and not [s for s in everyone if s in _text(code)]
    code = client.post(
        "/api/monitoring/public/phone-code",
        {"phone": "13955550001"},
        content_type="application/json",
    )
    assert code.status_code == 202 and not [s for s in everyone if s in _text(code)]
    # Someone else's receipt with one's own phone: nothing.
    cross = client.post("/monitoring/status/", {"receipt": t_out.receipt, "phone": PHONE["inside"]})
    assert cross.status_code == 404 and t_out.name[:1] + "*" not in _text(cross)


PUBLIC_PAGES = {"public_report", "public_send_code", "public_status", "public_sign_off"}
ACTION_PAGES = {"act", "photo"}  # POST actions and photos: tests/monitoring/test_pages.py
API_COVERED = {
    "/api/monitoring/tickets",
    "/api/monitoring/tickets/{pk}",
    "/api/monitoring/sla",
}
API_ELSEWHERE = {  # public, POST or department-token routes: tests/monitoring/test_pages.py
    "/api/monitoring/public/regions/{code}/children",
    "/api/monitoring/public/catalogue",
    "/api/monitoring/public/reports",
    "/api/monitoring/public/status",
    "/api/monitoring/public/sign-off",
    "/api/monitoring/public/phone-code",
    "/api/monitoring/tickets/{pk}/act",
    "/api/monitoring/tasks/{pk}",
    "/api/monitoring/alerts",
}


def monitoring_routes_covered() -> None:
    from lantu.api.app import api
    from lantu.monitoring import urls

    pages = {"queue", "ticket", "sla", "rounds", "round", "round_import", "visit"}
    assert {p.name for p in urls.urlpatterns} == pages | PUBLIC_PAGES | ACTION_PAGES
    paths = {p for p in api.get_openapi_schema()["paths"] if p.startswith("/api/monitoring")}
    assert paths == API_COVERED | API_ELSEWHERE
