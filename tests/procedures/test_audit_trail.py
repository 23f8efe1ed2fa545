"""The case page shows what was decided: the five checks, the three vote counts, the consent,
the comparison note, each step's record in the history; evidence files open for the roles that
may see personal data; objections are ruled on by the township, not the proposing village."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lantu.procedures import engine, notices
from lantu.procedures.models import Notice
from tests.factories import COUNTY, make_user
from tests.procedures.conftest import household
from tests.procedures.test_engine import CHECKS, approve

pytestmark = pytest.mark.django_db

VOTES = {"internal": {"for": 7, "against": 1}, "party": {"for": 12, "against": 0},
         "villagers": {"for": 31, "against": 2}}  # fmt: skip


def _exit_on_notice(world):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    case = approve(u["village"], case, data={"votes": VOTES})
    case = approve(u["village"], case, data={"checklist": CHECKS})
    return approve(u["village"], case, data={"consent": True})


def test_records_and_votes_are_shown(world, now, client_for):
    case = _exit_on_notice(world)
    body = (
        client_for(world["users"]["county"])
        .get(reverse("procedures:case", args=[case.pk]))
        .content.decode()
    )
    records = body[body.index('id="records"') :]
    assert "查收入看稳定 ✓" in records and "查住房看安全 ✓" in records
    for text in ("赞成 7，反对 1", "赞成 12，反对 0", "赞成 31，反对 2", "已签字同意"):
        assert text in records, text
    history = body[body.index("办理记录") :]
    assert "三评票数" in history and "五查五看" in history


def test_evidence_opens_for_personal_data_roles_only(world, now, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _exit_on_notice(world)
    village = client_for(world["users"]["village"])
    f = SimpleUploadedFile("visit.txt", b"home visit notes", content_type="text/plain")
    village.post(reverse("procedures:evidence", args=[case.pk]), {"file": f})
    ev = case.evidence.get()
    url = reverse("procedures:evidence_file", args=[case.pk, ev.pk])
    page = village.get(reverse("procedures:case", args=[case.pk])).content.decode()
    assert url in page
    resp = village.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == b"home visit notes"
    supervisor = make_user("sup", world["regions"][COUNTY], "supervisor_view")
    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(world["users"]["outsider"]).get(url).status_code == 404


def test_objection_form_only_for_the_township(world, now, client_for):
    case = _exit_on_notice(world)
    notices.lodge(notice=Notice.objects.get(), case_id=case.pk, text="有车", address="1.1.1.1")
    url = reverse("procedures:case", args=[case.pk])
    village_page = client_for(world["users"]["village"]).get(url).content.decode()
    assert "异议成立（退回核查）" not in village_page and "待乡镇核实处理" in village_page
    township_page = client_for(world["users"]["township"]).get(url).content.decode()
    assert "异议成立（退回核查）" in township_page


def test_no_records_shown_that_the_kind_never_asks_for(world, now, client_for):
    from lantu.procedures import changes

    u = world["users"]
    case = changes.request_change(actor=u["village"], household=household(world),
                                  facts={"address": "新"}, members={}, reason="x")  # fmt: skip
    body = client_for(u["township"]).get(reverse("procedures:case", args=[case.pk])).content
    assert "未签字" not in body.decode() and 'id="records"' not in body.decode()
