"""What a notice says, read as a villager reads it: the steps already done in a sentence (not a
step name pasted in), 公告 called 公告, a one-day announcement given one date, the supervision
lines (12317 and the county's, configurable), the online objection address with a QR code, and
the group as well as the village."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from lantu.procedures import engine, public, supervision
from lantu.procedures.models import Notice
from lantu.regions.services import load_regions
from tests.procedures.conftest import VILLAGE, household
from tests.procedures.test_engine import CHECKS, VOTES, approve

pytestmark = pytest.mark.django_db


def _pdf_text(notice):
    r = Client().get(f"/procedures/public/notices/{notice.pk}.pdf")
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    return text.replace(" ", "").replace("\n", "")


@pytest.fixture
def exit_case(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    case = approve(u["village"], case, data={"votes": VOTES})
    case = approve(u["village"], case, data={"checklist": CHECKS})
    return approve(u["village"], case, data={"consent": True})


def test_publicity_sentence_names_the_steps_done(exit_case, monkeypatch):
    monkeypatch.setattr(supervision, "_config", lambda: {
        "national": {"phone": "12317", "zh": "全国监督举报电话", "en": "national line"},
        "counties": {"530822": "0879-1234567"},
    })  # fmt: skip
    text = _pdf_text(Notice.objects.get())
    assert "经民主评议、村两委和驻村工作队核实、贫困户认可，现将以下农户予以公示" in text
    assert "经村级公示程序" not in text
    assert "12317" in text and "0879-1234567" in text
    assert f"/procedures/public/{VILLAGE}/" in text
    html = public.describe(Notice.objects.get(), public_url="http://x/p/")
    assert html["qr"].startswith("<svg")


def test_one_day_announcement_says_one_date_and_calls_itself_announcement(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="monitoring", household=hh, year=2021)
    from lantu.procedures import config
    from lantu.procedures.demo_history import _advance

    kind = config.kind("monitoring")
    day = now.day
    while case.step != "announcement":
        day += datetime.timedelta(days=1)
        case = _advance(case, kind, {"village": u["village"], "township": u["township"],
                                     "county": u["county"]}, day)  # fmt: skip
    notice = Notice.objects.get(step="announcement")
    assert notice.start == notice.end
    now.day = day
    text = _pdf_text(notice)
    assert f"公告日期：{notice.start.year}年{notice.start.month}月{notice.start.day}日" in text
    assert (
        "本公告不含身份证号" in text
        and "本公示" not in text
        and "至" not in text.split("公告日期")[1][:20]
    )
    body = Client().get(f"/procedures/public/{VILLAGE}/").content.decode()
    assert "监测对象纳入 · 公告" in body and "（公告）" not in body


def test_place_names_the_group(world):
    load_regions([{"code": "530822100201001", "name": "一组", "level": "group",
                   "type": "村民小组", "parent_code": VILLAGE}])  # fmt: skip
    from lantu.regions.models import Region

    group = Region.objects.get(code="530822100201001")
    assert public.place(group) == "碧溪村一组"
    assert public.place(world["regions"][VILLAGE]) == "碧溪村"
