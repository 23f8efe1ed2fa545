"""The room's pages: what a county supervisor does from them (POSTs the matrix does not try), the
回头看 and the accountability chain."""

from __future__ import annotations

import datetime

from django.db import connection

from lantu.supervision import campaign, chain, reconcile
from lantu.supervision.models import Discrepancy, Finding, Inspection


def _edit(hh):
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET status = 'poor' WHERE id = %s", [hh.pk])


def test_a_supervisor_confirms_a_discrepancy_others_may_not(world, client):
    _edit(world["inside"])
    reconcile.run(actor=None, year=2020)
    d = Discrepancy.objects.get()
    client.force_login(world["users"]["village_entry"])
    assert (
        client.post(f"/supervision/discrepancies/{d.pk}/", {"state": "confirmed"}).status_code
        == 403
    )
    client.force_login(world["users"]["county_approval"])
    resp = client.post(f"/supervision/discrepancies/{d.pk}/", {"state": "confirmed"})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.state == "confirmed"
    page = client.get("/supervision/").content.decode()
    assert "户信息与台账最新记录不符" in page


def test_an_inspection_and_a_finding_from_the_pages(world, client, now):
    client.force_login(world["users"]["county_approval"])
    resp = client.post(
        "/supervision/inspections/",
        {"kind": "patrol", "title": "春季巡查", "team": "县巡查组", "start": "2026-03-01"},
    )
    insp = Inspection.objects.get()
    assert resp.status_code == 302 and resp["Location"].endswith(f"/{insp.pk}/")
    bad = client.post(
        f"/supervision/inspections/{insp.pk}/",
        {
            "subject_type": "household",
            "ref": world["inside"].household_no,
            "problem": "",
            "owner": "村委会",
            "deadline": "2026-04-01",
        },
        follow=True,
    )
    assert "请填写问题" in bad.content.decode() and not Finding.objects.exists()
    client.post(
        f"/supervision/inspections/{insp.pk}/",
        {
            "subject_type": "household",
            "ref": world["inside"].household_no,
            "problem": "漏登成员",
            "owner": "村委会",
            "deadline": "2026-04-01",
        },
    )
    f = Finding.objects.get()
    assert f.household == world["inside"] and f.case_id
    page = client.get(f"/supervision/inspections/{insp.pk}/").content.decode()
    assert "漏登成员" in page and "rectify" in page
    # outside the inspector's county: refused, nothing written
    client.post(
        f"/supervision/inspections/{insp.pk}/",
        {
            "subject_type": "household",
            "ref": world["outside"].household_no,
            "problem": "x",
            "owner": "y",
            "deadline": "2026-04-01",
        },
    )
    assert Finding.objects.count() == 1


def test_the_campaign_runs_everything_and_opens_tasks_in_bulk(world, now):
    _edit(world["inside"])
    county = world["regions"]["530822000000"]
    insp = campaign.run(actor=world["users"]["county_approval"], region=county, year=2020)
    report = insp.report
    assert report["before"]["discrepancies"] == 0
    assert report["after"]["discrepancies"] == 1 and report["opened"] == 1
    assert report["ruler"]["households"] >= 1
    assert Finding.objects.get().inspection == insp
    again = campaign.run(actor=None, region=county, year=2020)
    assert again.report["opened"] == 0  # already being rectified


def test_the_chain_names_who_entered_and_approved(world, client):
    links = chain.for_household(world["inside"].pk)
    assert {link.action for link in links} >= {"household.create", "status.change"} or links
    client.force_login(world["users"]["county_approval"])
    assert client.get(f"/supervision/chain/household/{world['inside'].pk}/").status_code == 200
    assert client.get(f"/supervision/chain/household/{world['outside'].pk}/").status_code == 404


def test_a_job_is_started_from_the_page(world, client):
    client.force_login(world["users"]["county_approval"])
    resp = client.post("/supervision/run/reconcile/", {"year": "2020"})
    assert resp.status_code == 302 and "/jobs/" in resp["Location"]
    client.force_login(world["users"]["township_review"])
    assert client.post("/supervision/run/reconcile/", {"year": "2020"}).status_code == 403
    assert datetime.date.today()  # the job itself runs in the worker (tests/jobs)


def test_the_pages_speak_english(world, client):
    client.force_login(world["users"]["county_approval"])
    client.cookies["django_language"] = "en"
    body = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "supervision and reconciliation" in body
    assert "a household&#x27;s row differs from the ledger" in body or "ledger" in body


def test_the_overview_names_the_run_that_covered_the_region(world, client):
    reconcile.run(actor=None, year=2020, region_path=world["outside"].region_path)
    client.force_login(world["users"]["county_approval"])
    assert "最近一次核对" not in client.get("/supervision/").content.decode()
    reconcile.run(actor=None, year=2020)
    assert "最近一次核对" in client.get("/supervision/").content.decode()
