"""The change-request page and the case page as people use them: every error inline with the
input kept; buttons only for whoever may act, and who acts next for the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lantu.procedures import changes
from lantu.registry.models import Member
from tests.procedures.conftest import household

pytestmark = pytest.mark.django_db


def _form_data(hh, **over):
    data = {"hh-address": hh.address, "hh-phone": hh.phone, "hh-bank_account": hh.bank_account,
            "hh-household_type": hh.household_type, "hh-planned_exit_year": "",
            "reason": "入户核实"}  # fmt: skip
    for m in Member.objects.filter(household=hh, active=True):
        for name in changes.editable("member"):
            value = getattr(m, name)
            if isinstance(value, bool):
                if value:
                    data[f"m{m.pk}-{name}"] = "on"
            else:
                data[f"m{m.pk}-{name}"] = "" if value is None else str(value)
    data.update(over)
    return data


def test_village_enters_a_change_and_sees_the_case(world, now, client_for):
    hh = household(world, address="老寨")
    c = client_for(world["users"]["village"])
    page = c.get(reverse("procedures:change_request", args=[hh.pk]))
    assert page.status_code == 200 and "老寨" in page.content.decode()
    resp = c.post(reverse("procedures:change_request", args=[hh.pk]),
                  _form_data(hh, **{"hh-address": "新寨"}))  # fmt: skip
    assert resp.status_code == 302
    case_page = c.get(resp["Location"]).content.decode()
    assert "老寨" in case_page and "新寨" in case_page
    assert "下一步由乡镇审核（乡镇）办理" in case_page  # the village cannot act on it now
    assert 'value="approve"' not in case_page


def test_every_error_inline_and_the_input_kept(world, now, client_for):
    hh = household(world)
    head = Member.objects.get(household=hh, relation="head")
    c = client_for(world["users"]["village"])
    data = _form_data(hh, **{"hh-address": "新寨甲", "hh-household_type": "bogus",
                             f"m{head.pk}-work_months": "abc", "reason": ""})  # fmt: skip
    resp = c.post(reverse("procedures:change_request", args=[hh.pk]), data)
    body = resp.content.decode()
    assert resp.status_code == 400
    assert body.count('class="field-error"') >= 3  # type, months and reason, all at once
    assert 'value="新寨甲"' in body and 'value="abc"' in body  # nothing typed is lost
    hh.refresh_from_db()
    assert hh.address != "新寨甲"


def test_county_and_others_see_buttons_only_where_they_act(world, now, client_for):
    hh = household(world)
    u = world["users"]
    case = changes.request_change(actor=u["village"], household=hh,
                                  facts={"bank_account": "6228480000000000099"}, members={},
                                  reason="换卡")  # fmt: skip
    url = reverse("procedures:case", args=[case.pk])
    county_page = client_for(u["county"]).get(url).content.decode()
    assert 'value="approve"' not in county_page and "乡镇审核（乡镇）" in county_page
    township_page = client_for(u["township"]).get(url).content.decode()
    assert 'value="approve"' in township_page
    assert "村级录入" in township_page and "village_entry" not in township_page


def test_a_refused_action_comes_back_inline_with_the_comment_kept(world, now, client_for):
    hh = household(world)
    u = world["users"]
    case = changes.request_change(actor=u["village"], household=hh,
                                  facts={"address": "新寨"}, members={}, reason="x")  # fmt: skip
    resp = client_for(u["township"]).post(
        reverse("procedures:case", args=[case.pk]),
        {"version": case.version, "action": "return", "comment": ""},
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert 'id="case-error"' in body and "退回须填写理由" in body


def test_only_the_village_may_open_the_change_page(world, now, client_for):
    hh = household(world)
    resp = client_for(world["users"]["county"]).get(
        reverse("procedures:change_request", args=[hh.pk])
    )
    assert resp.status_code == 403
    outsider = client_for(world["users"]["outsider"])
    assert outsider.get(reverse("procedures:change_request", args=[hh.pk])).status_code == 404


def test_county_queue_shows_what_waits_below_and_how_long(world, now, client_for):
    u = world["users"]
    for _ in range(2):
        hh = household(world)
        changes.request_change(actor=u["village"], household=hh, facts={"address": "新寨"},
                               members={}, reason="x")  # fmt: skip
    now.advance(12)
    body = client_for(u["county"]).get(reverse("procedures:queue")).content.decode()
    section = body[body.index('id="waiting"') :]
    assert "信息变更申请" in section and "乡镇审核（乡镇）" in section
    row = section[section.index("乡镇审核（乡镇）") :]
    assert '<td class="num">2</td><td class="num">2</td><td class="num">12</td>' in row
    assert "年度报告" in body  # the year report is in the navigation
    assert 'value="approve"' not in body  # nothing for the county to act on: no buttons


def test_pages_in_english(world, now, client_for):
    hh = household(world)
    u = world["users"]
    case = changes.request_change(actor=u["village"], household=hh, facts={"address": "新寨"},
                                  members={}, reason="x")  # fmt: skip
    c = client_for(u["county"])
    c.cookies["django_language"] = "en"
    body = c.get(reverse("procedures:case", args=[case.pk])).content.decode()
    assert "Facts to change" in body and "Next to act" in body
    assert "申请变更的信息" not in body and "（" not in body.split("Next to act")[1][:80]
    village = client_for(u["village"])
    village.cookies["django_language"] = "en"
    page = village.get(reverse("procedures:change_request", args=[hh.pk])).content.decode()
    assert "Submit the change request" in page


def test_open_button_only_for_the_village(world, now, client_for):
    u = world["users"]
    assert "发起程序" in client_for(u["village"]).get(reverse("procedures:queue")).content.decode()
    for who in ("township", "county"):
        body = client_for(u[who]).get(reverse("procedures:queue")).content.decode()
        assert "发起程序" not in body, who
