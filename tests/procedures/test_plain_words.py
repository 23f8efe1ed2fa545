"""No raw codes or two-language messages on screen: role names instead of role codes, one
language per page, a verdict named after its procedure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lantu.procedures import changes, config, ruler
from tests.procedures.conftest import household, ruler_says

pytestmark = pytest.mark.django_db


def test_bulk_messages_in_the_page_language_only(world, now, client_for):
    u = world["users"]
    hh = household(world)
    case = changes.request_change(actor=u["village"], household=hh, facts={"address": "新"},
                                  members={}, reason="x")  # fmt: skip
    c = client_for(u["township"])
    resp = c.post(reverse("procedures:bulk"), {"case": [f"{case.pk}:{case.version}",
                  f"{case.pk}:{case.version}"], "action": "approve"}, follow=True)  # fmt: skip
    body = resp.content.decode()
    assert "已办理 1 件" in body and " done" not in body
    assert "someone else acted" not in body and "该案件已被他人处理" in body


def test_household_file_names_roles_not_codes(world, now, client_for):
    u = world["users"]
    hh = household(world)  # created by the system (actor None)
    changes.request_change(actor=u["village"], household=hh, facts={"address": "新寨"},
                           members={}, reason="x")  # fmt: skip
    body = (
        client_for(u["county"])
        .get(reverse("registry:household_detail", args=[hh.pk]))
        .content.decode()
    )
    events = body[body.index("台账") :] if "台账" in body else body
    assert ">system<" not in events and "village_entry" not in events


def test_verdict_is_named_after_the_procedure(world, now):
    hh = household(world)
    ruler_says([hh], 2021, household_exit=True)
    v = ruler.verdict(config.kind("household_exit"), hh.pk, 2021)
    assert v.ok and v.zh == "符合贫困户脱贫退出的标准" and "household_exit" not in v.en


def test_department_facts_are_named_not_coded():
    from lantu.matching.presenting import fact_value

    assert fact_value("government") == ("机关", "government agency")
    assert fact_value(True) == ("是", "yes") and fact_value("false") == ("否", "no")
    assert fact_value("junior")[0] == "初中" and fact_value("car")[0] == "小型汽车"
    assert fact_value(125000) == ("125000", "125000")


def test_findings_are_named_as_what_was_found():
    from pathlib import Path

    import lantu

    for name in ("work_queue.html", "_household_findings.html"):
        path = Path(lantu.__file__).parent / "matching" / "templates" / "matching" / name
        text = path.read_text("utf-8")
        assert "不符合“{{ f.zh }}”" in text and "Fails “{{ f.en }}”" in text


def test_refusal_names_the_role_and_level(world, now):
    from lantu.core.errors import NotPermitted
    from lantu.procedures import engine

    u = world["users"]
    hh = household(world)
    case = changes.request_change(actor=u["village"], household=hh, facts={"address": "新"},
                                  members={}, reason="x")  # fmt: skip
    with pytest.raises(NotPermitted) as refused:
        engine.act(actor=u["county"], case_id=case.pk, version=case.version, action="approve")
    assert "须由乡镇的乡镇审核办理" in refused.value.zh
    assert "township_review" not in refused.value.zh + refused.value.en
    assert "township review" in refused.value.en.lower()
