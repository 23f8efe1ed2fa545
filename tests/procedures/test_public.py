"""The public notice page, its API and the printable PDF show no personal data; objections are
anonymous and rate-limited; a missing CJK font gives a clear error."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from lantu.procedures import engine, pdf
from lantu.procedures.models import Notice, Objection
from tests.procedures.conftest import VILLAGE, household
from tests.procedures.test_engine import CHECKS, VOTES, approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_notice(world, now):
    u = world["users"]
    hhs = [household(world, bank_account="6228480000000000011") for _ in range(3)]
    cases = engine.open_cases(actor=u["village"], kind="household_exit", households=hhs, year=2021)
    for c in cases:
        approve(u["village"], c, data={"votes": VOTES})
        approve(u["village"], c, data={"checklist": CHECKS})
        approve(u["village"], c, data={"consent": True})
    return {"households": hhs, "cases": cases, "notice": Notice.objects.get()}


def personal_values(households):
    out = set()
    for hh in households:
        out |= {hh.phone, hh.bank_account}
        for m in hh.members.all():
            out |= {m.id_number, m.phone, m.id_number[6:14]}
    return {v for v in out if v}


def test_public_page_lists_households_without_personal_data(on_notice):
    r = Client().get(f"/procedures/public/{VILLAGE}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count(on_notice["households"][0].head_name) >= 3  # the names are there
    for value in personal_values(on_notice["households"]):
        assert value not in body
    assert "慢性病" not in body and "chronic" not in body  # the heads' health detail
    assert "提交异议" in body  # the objection form, while the notice runs


def test_public_api_shows_the_same_masked_entries(on_notice):
    r = Client().get(f"/api/procedures/public/{VILLAGE}")
    assert r.status_code == 200
    data = r.json()
    assert len(data) == 1 and len(data[0]["entries"]) == 3 and data[0]["open_for_objections"]
    text = r.content.decode()
    for value in personal_values(on_notice["households"]):
        assert value not in text


def test_pdf_is_chinese_and_has_no_personal_data(on_notice):
    notice = on_notice["notice"]
    r = Client().get(f"/procedures/public/notices/{notice.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "公示" in text and on_notice["households"][0].head_name in text
    compact = text.replace(" ", "").replace("\n", "")
    for value in personal_values(on_notice["households"]):
        assert value not in compact


def test_pdf_without_a_cjk_font_says_what_to_install(on_notice, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font", lambda: None)
    r = Client().get(f"/procedures/public/notices/{on_notice['notice'].pk}.pdf")
    assert r.status_code == 503
    assert "fonts-noto-cjk" in r.content.decode()


def test_anonymous_objection_through_the_api_and_rate_limit(on_notice):
    c = Client()
    notice, case = on_notice["notice"], on_notice["cases"][1]
    body = {"notice": notice.pk, "case": case.pk, "text": "该户有稳定工资收入"}
    for _ in range(5):
        r = c.post(
            "/api/procedures/objections",
            body,
            content_type="application/json",
            REMOTE_ADDR="203.0.113.9",
        )
        assert r.status_code == 201
    r = c.post(
        "/api/procedures/objections",
        body,
        content_type="application/json",
        REMOTE_ADDR="203.0.113.9",
    )
    assert r.status_code == 429 and r.json()["zh"]
    page = c.post(
        f"/procedures/public/notices/{notice.pk}/object/",
        {"case": case.pk, "text": "再次"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert page.status_code == 429
    assert Objection.objects.filter(name="").count() == 5
    assert "203.0.113.9" not in set(Objection.objects.values_list("source", flat=True))


def test_no_objection_after_the_notice_ends(on_notice, now):
    now.advance(7)
    notice, case = on_notice["notice"], on_notice["cases"][0]
    r = Client().post(
        f"/procedures/public/notices/{notice.pk}/object/", {"case": case.pk, "text": "晚了"}
    )
    assert r.status_code == 400
    assert "提交异议" not in Client().get(f"/procedures/public/{VILLAGE}/").content.decode()
