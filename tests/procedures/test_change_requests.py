"""Change requests through the procedure engine: village enters, township reviews, the county
approves the facts the kind's ``fields`` send to it; the registry changes only on approval, all or
nothing, each step in the ledger; status is never editable this way."""

from __future__ import annotations

import pytest

from lantu.core.errors import Conflict, NotPermitted, ValidationFailed
from lantu.ledger.models import Event
from lantu.procedures import changes, config, engine
from lantu.procedures.models import CaseState
from lantu.registry.models import Member
from tests.procedures.conftest import household

pytestmark = pytest.mark.django_db


def _approve(case, user):
    return engine.act(actor=user, case_id=case.pk, version=case.version, action="approve")


def test_kind_is_configured_per_field():
    kind = config.kind("change_request")
    assert kind.fields["household.address"] == "township"
    assert kind.fields["household.bank_account"] == "county"
    assert "household.status" not in kind.fields
    assert [s.level for s in kind.steps] == ["village", "township", "county"]


def test_township_level_change_ends_at_the_township(world, now):
    hh = household(world, address="老寨")
    u = world["users"]
    case = changes.request_change(
        actor=u["village"], household=hh, facts={"address": "新寨"}, members={},
        reason="入户核实：已搬至新寨",
    )  # fmt: skip
    assert (case.step, case.data["final_level"]) == ("township_review", "township")
    hh.refresh_from_db()
    assert hh.address == "老寨"  # nothing changes before approval
    case = _approve(case, u["township"])
    hh.refresh_from_db()
    assert case.state == CaseState.COMPLETED and hh.address == "新寨"
    actions = list(
        Event.objects.filter(object_type="procedures.case", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["procedure.open", "procedure.approve", "procedure.approve"]
    update = Event.objects.get(action="household.update", object_id=str(hh.pk))
    assert update.before["address"] == "老寨" and update.after["address"] == "新寨"
    assert update.actor == u["township"]


def test_county_field_goes_to_the_county(world, now):
    hh = household(world, bank_account="6228480000000000011")
    head = Member.objects.get(household=hh, relation="head")
    u = world["users"]
    case = changes.request_change(
        actor=u["village"], household=hh, facts={"bank_account": "6228480000000000099"},
        members={head.pk: {"education": "junior"}}, reason="换卡；学历核实",
    )  # fmt: skip
    assert case.data["final_level"] == "county"
    case = _approve(case, u["township"])
    assert case.step == "county_approval"
    hh.refresh_from_db()
    assert hh.bank_account.endswith("11")
    with pytest.raises(NotPermitted):  # the township cannot act on the county's step
        _approve(case, u["township"])
    case = _approve(case, u["county"])
    hh.refresh_from_db()
    head.refresh_from_db()
    assert hh.bank_account.endswith("99") and head.education == "junior"
    assert Event.objects.filter(action="member.update", object_id=str(head.pk)).exists()


def test_status_and_identity_are_refused(world, now):
    hh = household(world)
    head = Member.objects.get(household=hh, relation="head")
    for facts, members in (
        ({"status": "exited"}, {}),
        ({}, {head.pk: {"id_number": "110105194912310021"}}),
    ):
        with pytest.raises(ValidationFailed):
            changes.request_change(
                actor=world["users"]["village"], household=hh, facts=facts, members=members,
                reason="x",
            )  # fmt: skip
    hh.refresh_from_db()
    assert hh.status == "poor"


def test_bad_values_and_empty_requests_are_refused_with_reasons(world, now):
    hh = household(world)
    v = world["users"]["village"]
    with pytest.raises(ValidationFailed) as bad:
        changes.request_change(actor=v, household=hh, facts={"household_type": "nonsense"},
                               members={}, reason="x")  # fmt: skip
    assert "贫困户属性" in bad.value.zh
    with pytest.raises(ValidationFailed, match="没有任何改动"):
        changes.request_change(actor=v, household=hh, facts={"address": hh.address}, members={},
                               reason="x")  # fmt: skip
    with pytest.raises(ValidationFailed, match="依据"):
        changes.request_change(actor=v, household=hh, facts={"address": "新"}, members={},
                               reason=" ")  # fmt: skip


def test_only_the_village_enters(world, now):
    hh = household(world)
    with pytest.raises(NotPermitted):
        changes.request_change(actor=world["users"]["township"], household=hh,
                               facts={"address": "新"}, members={}, reason="x")  # fmt: skip


def test_a_fact_changed_meanwhile_stops_the_approval_and_loses_nothing(world, now):
    from lantu.registry import services

    hh = household(world, address="老寨", phone="13800000000")
    u = world["users"]
    case = changes.request_change(actor=u["village"], household=hh,
                                  facts={"address": "新寨", "phone": "13900000000"}, members={},
                                  reason="x")  # fmt: skip
    services.update_household(actor=None, household=hh, changes={"phone": "13700000000"})
    with pytest.raises(Conflict, match="联系电话"):
        _approve(case, u["township"])
    hh.refresh_from_db()
    assert (hh.address, hh.phone) == ("老寨", "13700000000")  # all or nothing
    case.refresh_from_db()
    assert case.step == "township_review"  # the case waits; it can be returned to the village
    case = engine.act(actor=u["township"], case_id=case.pk, version=case.version,
                      action="return", comment="电话已另行更新，请核实")  # fmt: skip
    assert case.step == "entry"
