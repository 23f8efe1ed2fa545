"""Inspections, findings and their rectification cases: the procedure engine keeps the owner's
steps, the evidence, the review and the 督办 of an overdue task."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.procedures import engine, escalation, evidence
from lantu.procedures.models import Case
from lantu.supervision import services
from lantu.supervision.models import Finding, FindingState
from tests.factories import make_user


def _inspection(world, actor):
    county = world["regions"]["530822000000"]
    return services.create_inspection(
        actor=actor,
        kind="unannounced",
        title="暗访",
        team="县督查组",
        region=county,
        start=datetime.date(2026, 3, 1),
    )


def _users(world):
    u = world["users"]
    village = world["inside"].region
    return {
        "county": u["county_approval"],
        "township": make_user("t1", village.parent, "township_review"),
        "village": make_user("v1", village, "village_entry"),
    }


def test_a_finding_is_rectified_reviewed_and_closed(world, now):
    users = _users(world)
    insp = _inspection(world, users["county"])
    f = services.add_finding(
        actor=users["county"],
        inspection=insp,
        subject_type="household",
        household=world["inside"],
        problem="帮扶手册人口与系统不符",
        owner="村委会",
        deadline=now.day + datetime.timedelta(days=20),
    )
    case = Case.objects.get(pk=int(f.case_id or 0))
    assert case.kind == "rectification" and case.subject == f"finding:{f.pk}"
    assert case.case_due == f.deadline and case.step == "rectify"
    with pytest.raises(ValidationFailed, match="evidence"):
        engine.act(actor=users["village"], case_id=case.pk, version=case.version, action="approve")
    evidence.attach(
        actor=users["village"], case=case, upload=SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4")
    )
    case.refresh_from_db()
    case = engine.act(
        actor=users["village"], case_id=case.pk, version=case.version, action="approve"
    )
    assert case.step == "review"
    f.refresh_from_db()
    assert f.state == FindingState.RECTIFYING
    case = engine.act(
        actor=users["township"], case_id=case.pk, version=case.version, action="approve"
    )
    case = engine.act(
        actor=users["county"], case_id=case.pk, version=case.version, action="approve"
    )
    f.refresh_from_db()
    assert case.state == "completed" and f.state == FindingState.CLOSED


def test_an_overdue_rectification_is_escalated(world, now):
    users = _users(world)
    insp = _inspection(world, users["county"])
    f = services.add_finding(
        actor=users["county"],
        inspection=insp,
        subject_type="village",
        village=world["inside"].region,
        problem="公示栏未更新",
        owner="村委会",
        deadline=now.day + datetime.timedelta(days=5),
    )
    now.advance(5 + 11)  # past the deadline by more than escalate_after_days (10)
    out = escalation.escalate()
    assert (f.case_id, "township") in out.escalated
    assert Case.objects.get(pk=int(f.case_id or 0)).escalated_level == "township"


def test_who_may_record_and_where(world, now):
    users = _users(world)
    with pytest.raises(NotPermitted):
        _inspection(world, users["village"])  # no SUPERVISE
    insp = _inspection(world, users["county"])
    with pytest.raises(ValidationFailed, match="outside"):
        services.add_finding(
            actor=users["county"],
            inspection=insp,
            subject_type="household",
            household=world["outside"],
            problem="x",
            owner="y",
            deadline=now.day,
        )
    other = make_user("c2", world["regions"]["530823000000"], "county_approval")
    with pytest.raises(OutOfScope):
        _inspection(world, other)
    with pytest.raises(ValidationFailed, match="past"):
        services.add_finding(
            actor=users["county"],
            inspection=insp,
            subject_type="household",
            household=world["inside"],
            problem="x",
            owner="y",
            deadline=now.day - datetime.timedelta(days=1),
        )
    assert not Finding.objects.exists()  # nothing half-written


def test_the_case_page_and_the_queue_show_the_rectification(world, now, client):
    users = _users(world)
    insp = _inspection(world, users["county"])
    f = services.add_finding(
        actor=users["county"], inspection=insp, subject_type="household",
        household=world["inside"], problem="补助未到账", owner="村委会",
        deadline=now.day + datetime.timedelta(days=20),
    )  # fmt: skip
    client.force_login(users["village"])
    page = client.get(f"/supervision/findings/{f.pk}/")
    assert page.status_code == 200 and "整改落实" in page.content.decode()
    resp = client.post(f"/supervision/findings/{f.pk}/act/", {"action": "approve", "version": 1},
                       follow=True)  # fmt: skip
    assert "evidence" in resp.content.decode() or "整改材料" in resp.content.decode()
    upload = SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff photo")
    client.post(f"/supervision/findings/{f.pk}/act/", {"evidence": upload})
    case = Case.objects.get(pk=int(f.case_id or 0))
    client.post(f"/supervision/findings/{f.pk}/act/", {"action": "approve",
                                                       "version": case.version})  # fmt: skip
    case.refresh_from_db()
    assert case.step == "review"
    other = make_user("v2", world["outside"].region, "village_entry")
    client.force_login(other)
    assert client.get(f"/supervision/findings/{f.pk}/").status_code == 404
