"""Procedures over the API: open, act through a kind end to end, bulk, conflict, scope."""

import pytest
from django.test import Client

from lantu.api.auth import issue_token
from lantu.procedures import config
from lantu.procedures.models import Notice
from tests.procedures.conftest import household, ruler_says
from tests.procedures.test_engine import CHECKS, VOTES

pytestmark = pytest.mark.django_db
DATA = {
    "votes": VOTES,
    "checklist": CHECKS,
    "consent": True,
    "comparison": "比对无异常",
    "monitoring_type": "sudden",
}


def api(user):
    c = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")

    def call(method, path, body=None):
        fn = getattr(c, method)
        if body is None:
            return fn(f"/api/procedures{path}")
        return fn(f"/api/procedures{path}", body, content_type="application/json")

    return call


def test_monitoring_end_to_end_through_the_api(world, now):
    u = world["users"]
    calls = {lv: api(u[lv]) for lv in ("village", "township", "county")}
    hh = household(world, status="exited")
    ruler_says([hh], 2021, monitor_unstable=False, monitor_marginal=True)
    r = calls["village"](
        "post",
        "/cases",
        {"kind": "monitoring", "year": 2021, "households": [hh.pk], "clue_date": "2021-02-27"},
    )
    assert r.status_code == 201, r.content
    case = r.json()[0]
    assert case["case_due"] == "2021-03-14"
    for step in config.kind("monitoring").steps:
        who = "village" if step.is_notice else step.level
        if step.is_notice:
            now.advance(step.days.days(2021)[0])
        body = {
            "action": "approve",
            "version": case["version"],
            "data": {k: DATA[k] for k in step.requires},
        }
        r = calls[who]("post", f"/cases/{case['id']}/act", body)
        assert r.status_code == 200, (step.name, r.content)
        case = r.json()
    assert case["state"] == "completed"
    hh.refresh_from_db()
    assert hh.status == "monitored" and hh.monitoring_type == "sudden"
    # 公示 ≥ 5 days, once, for monitoring (中农组发〔2021〕7号)
    notice = Notice.objects.get(step="publicity")
    assert notice.days == 5 and Notice.objects.filter(type="publicity").count() == 1


def test_api_conflict_scope_and_bulk(world, now):
    u = world["users"]
    village, outsider = api(u["village"]), api(u["outsider"])
    hhs = [household(world) for _ in range(3)]
    r = village(
        "post",
        "/cases",
        {"kind": "household_exit", "year": 2021, "households": [h.pk for h in hhs]},
    )
    cases = r.json()
    assert outsider("get", f"/cases/{cases[0]['id']}").status_code == 404
    assert (
        outsider(
            "post", "/cases", {"kind": "household_exit", "year": 2021, "households": [hhs[0].pk]}
        ).status_code
        == 400
    )
    body = {"action": "approve", "version": cases[0]["version"], "data": {"votes": VOTES}}
    assert village("post", f"/cases/{cases[0]['id']}/act", body).status_code == 200
    again = village("post", f"/cases/{cases[0]['id']}/act", body)
    assert again.status_code == 409 and again.json()["error"] == "Conflict"
    queue = village("get", "/queue").json()
    assert {c["id"] for c in queue} == {c["id"] for c in cases}
    bulk = village(
        "post",
        "/bulk",
        {
            "action": "return",
            "comment": "补充材料",
            "cases": [{"id": c["id"], "version": c["version"]} for c in cases[1:]],
        },
    )
    # the first step has nothing before it: "return" keeps the case on its step
    assert bulk.status_code == 200 and sorted(bulk.json()["done"]) == [c["id"] for c in cases[1:]]
    assert village("get", "/queue").status_code == 200
    assert Client().get("/api/procedures/queue").status_code == 401


@pytest.mark.parametrize(
    "slug", ["identification", "household_exit", "removal", "return", "risk_elimination"]
)
def test_every_other_kind_end_to_end_through_the_api(slug, world, now):
    from tests.procedures.test_pages import EFFECT, RULER, START

    u = world["users"]
    calls = {lv: api(u[lv]) for lv in ("village", "township", "county")}
    hh = household(world, status=START[slug])
    ruler_says([hh], 2021, **RULER[slug])
    case = calls["village"](
        "post", "/cases", {"kind": slug, "year": 2021, "households": [hh.pk]}
    ).json()[0]
    for step in config.kind(slug).steps:
        if step.is_notice:
            now.advance(step.days.days(2021)[0])
        body = {
            "action": "approve",
            "version": case["version"],
            "data": {k: DATA[k] for k in step.requires},
        }
        r = calls["village" if step.is_notice else step.level](
            "post", f"/cases/{case['id']}/act", body
        )
        assert r.status_code == 200, (step.name, r.content)
        case = r.json()
    hh.refresh_from_db()
    assert case["state"] == "completed" and hh.status == EFFECT[slug]
