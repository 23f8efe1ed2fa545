"""Each kind end to end through the web pages: open in bulk, act step by step (with the step's
records as form fields), notices, objections from the public page, the effect on the registry."""

import pytest

from lantu.procedures import config
from lantu.procedures.models import Case, CaseState, Notice, Objection
from tests.procedures.conftest import household, ruler_says

pytestmark = pytest.mark.django_db

FORM = {
    "checklist": {
        f"check_{c}": "on" for c in ("income", "housing", "property", "family", "conditions")
    },
    "votes": {
        f"votes_{b}_{w}": "7"
        for b in ("internal", "party", "villagers")
        for w in ("for", "against")
    },
    "consent": {"consent": "on"},
    "comparison": {"comparison": "民政、人社、车辆、不动产比对无异常"},
    "monitoring_type": {"monitoring_type": "unstable"},
}
START = {
    "identification": "not_registered",
    "household_exit": "poor",
    "removal": "poor",
    "return": "exited",
    "monitoring": "exited",
    "risk_elimination": "monitored",
}
RULER = {
    "identification": {"identification": True},
    "household_exit": {"household_exit": True},
    "removal": {"exclusions_clear": False},
    "return": {"return_to_poverty": True},
    "monitoring": {"monitor_unstable": True},
    "risk_elimination": {"risk_elimination": True},
}
EFFECT = {
    "identification": "poor",
    "household_exit": "exited",
    "removal": "removed",
    "return": "returned",
    "monitoring": "monitored",
    "risk_elimination": "risk_eliminated",
}
ACTOR = {"village": "village", "township": "township", "county": "county"}


def post_step(client, case, step, **extra):
    data = {"version": case.version, "action": "approve", "comment": "同意"}
    for req in step.requires:
        data |= FORM[req]
    return client.post(f"/procedures/cases/{case.pk}/", data | extra)


@pytest.mark.parametrize("slug", list(START))
def test_each_kind_end_to_end_through_the_pages(slug, world, now, client_for):
    u = world["users"]
    clients = {k: client_for(u[v]) for k, v in ACTOR.items()}
    hhs = [household(world, status=START[slug]) for _ in range(3)]
    ruler_says(hhs, 2021, **RULER[slug])
    r = clients["village"].post(
        "/procedures/open/",
        {"kind": slug, "year": "2021", "household": [h.pk for h in hhs]},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    cases = list(Case.objects.filter(kind=slug).order_by("id"))
    assert len(cases) == 3
    kind = config.kind(slug)
    objected = False
    for step in kind.steps:
        for case in cases:
            case.refresh_from_db()
            assert case.step == step.name
        if step.is_notice:
            notice = Notice.objects.get(kind=slug, step=step.name)
            assert notice.cases.count() == 3
            page = client_for(u["outsider"]).get(f"/procedures/public/{notice.village.code}/")
            assert page.status_code == 200
            if step.notice == "publicity" and not objected:
                objected = True
                _object_and_dismiss(world, clients["village"], notice, cases[0])
            days, _ = step.days.days(2021)
            now.advance(days)
            who = "village"
        else:
            who = step.level
        # A township approves its batch at once through the queue's bulk form.
        if who == "township":
            queue = clients["township"].get("/procedures/")
            for case in cases:
                assert f'value="{case.pk}:{case.version}"' in queue.content.decode()
            r = clients["township"].post(
                "/procedures/bulk/",
                {"case": [f"{c.pk}:{c.version}" for c in cases], "action": "approve"},
            )
            assert r.status_code == 302
            continue
        for case in cases:
            r = post_step(clients[who], case, step)
            assert r.status_code == 302, r.content.decode()[:800]
    for case, hh in zip(cases, hhs, strict=True):
        case.refresh_from_db()
        hh.refresh_from_db()
        assert case.state == CaseState.COMPLETED
        assert hh.status == EFFECT[slug]
    if slug == "monitoring":
        assert hhs[0].monitoring_type == "unstable"
    if slug == "identification":
        assert hhs[0].registration_year == 2021
        assert [f["task"] for f in cases[0].data["followups"]] == ["pairing", "plan"]
    page = clients["village"].get(f"/procedures/cases/{cases[0].pk}/")
    assert page.status_code == 200 and "异议不成立" in page.content.decode()


def _object_and_dismiss(world, village_client, notice, case):
    anon = village_client.__class__()
    r = anon.post(
        f"/procedures/public/notices/{notice.pk}/object/",
        {"case": case.pk, "text": "收入情况不实"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.HELD
    obj = Objection.objects.get(case=case, state="open")
    url = f"/procedures/cases/{case.pk}/objections/{obj.pk}/"
    refused = village_client.post(url, {"upheld": "0", "reason": "经核实不属实"})
    assert refused.status_code == 403  # the proposing village does not rule on objections
    township = village_client.__class__()
    township.force_login(world["users"]["township"])
    r = township.post(url, {"upheld": "0", "reason": "经核实不属实"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_upheld_objection_sends_the_case_back_through_the_pages(world, now, client_for):
    u = world["users"]
    village = client_for(u["village"])
    hh = household(world)
    village.post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [hh.pk]}
    )
    case = Case.objects.get()
    for step in config.kind("household_exit").steps[:3]:
        case.refresh_from_db()
        assert post_step(village, case, step).status_code == 302
    notice = Notice.objects.get()
    anon = village.__class__()
    anon.post(f"/procedures/public/notices/{notice.pk}/object/", {"case": case.pk, "text": "有车"})
    obj = Objection.objects.get()
    client_for(u["township"]).post(
        f"/procedures/cases/{case.pk}/objections/{obj.pk}/", {"upheld": "1", "reason": "核实有车"}
    )
    case.refresh_from_db()
    assert case.step == "verification" and case.state == CaseState.OPEN


def test_the_case_page_is_scoped_and_errors_have_their_status(world, now, client_for):
    u = world["users"]
    hh = household(world)
    village = client_for(u["village"])
    village.post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [hh.pk]}
    )
    case = Case.objects.get()
    assert client_for(u["outsider"]).get(f"/procedures/cases/{case.pk}/").status_code == 404
    stale = {"version": case.version + 5, "action": "approve"}
    assert village.post(f"/procedures/cases/{case.pk}/", stale).status_code == 409
    assert (
        client_for(u["township"])
        .post(f"/procedures/cases/{case.pk}/", {"version": case.version, "action": "approve"})
        .status_code
        == 403
    )


def test_queue_shows_overdue_first(world, now, client_for):
    u = world["users"]
    village = client_for(u["village"])
    old, new = household(world), household(world)
    village.post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [old.pk]}
    )
    now.advance(11)
    village.post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [new.pk]}
    )
    body = village.get("/procedures/").content.decode()
    old_case, new_case = Case.objects.order_by("id")
    link = '<a href="/procedures/cases/{}/">'
    assert body.count('<tr class="overdue">') == 1
    assert body.index('<tr class="overdue">') < body.index(link.format(old_case.pk))
    assert body.index(link.format(old_case.pk)) < body.index(link.format(new_case.pk))


def test_evidence_upload_is_hashed_and_logged(world, now, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lantu.ledger.models import Event

    settings.MEDIA_ROOT = tmp_path
    u = world["users"]
    village = client_for(u["village"])
    hh = household(world)
    village.post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [hh.pk]}
    )
    case = Case.objects.get()
    f = SimpleUploadedFile("visit.jpg", b"\xff\xd8photo", content_type="image/jpeg")
    assert village.post(f"/procedures/cases/{case.pk}/evidence/", {"file": f}).status_code == 302
    ev = case.evidence.get()
    assert len(ev.sha256) == 64 and (tmp_path / ev.file.name).exists()
    assert Event.objects.filter(action="procedure.evidence", object_id=str(case.pk)).exists()


def test_escalated_cases_show_in_the_queue_of_the_level_above(world, now, client_for):
    from django.core.management import call_command

    u = world["users"]
    hh = household(world)
    client_for(u["village"]).post(
        "/procedures/open/", {"kind": "household_exit", "year": "2021", "household": [hh.pk]}
    )
    case = Case.objects.get()
    township = client_for(u["township"])
    assert "督办" not in township.get("/procedures/").content.decode()
    now.advance(21)  # 10 days for the step, then 10 more overdue before 督办
    call_command("procedures", "escalate")
    body = township.get("/procedures/").content.decode()
    assert "督办" in body and f"/procedures/cases/{case.pk}/" in body
    assert "督办" not in client_for(u["county"]).get("/procedures/").content.decode()


def test_the_case_page_shows_the_steps_form(world, now, client_for):
    u = world["users"]
    hh = household(world, status="exited")
    village = client_for(u["village"])
    village.post("/procedures/open/", {"kind": "monitoring", "year": "2021", "household": [hh.pk]})
    case = Case.objects.get()
    body = village.get(f"/procedures/cases/{case.pk}/").content.decode()
    for field in ("check_income", 'name="consent"', 'name="monitoring_type"', "version"):
        assert field in body
    assert "votes_party_for" not in body  # the appraisal is a later step
    # The open page lists the ruler's candidates of the year in scope.
    ruler_says([household(world, status="exited")], 2021, monitor_unstable=True)
    page = village.get("/procedures/open/?kind=monitoring&year=2021").content.decode()
    assert page.count('name="household"') == 1
