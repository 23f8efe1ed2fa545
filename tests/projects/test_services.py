"""The project room's writes: 六定, the fund invariants (each refused whole, with zh/en), the
lifecycle through the procedure engine, the ledger, and money exact as Decimal."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lantu.core.errors import InvariantViolated, NotPermitted, ValidationFailed
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.procedures import engine, evidence, notices
from lantu.procedures.models import Case
from lantu.projects import services
from lantu.projects.models import Allocation, Disbursement, Project
from lantu.projects.money import to_yuan

SIX = {
    "funds_plan": "统筹整合资金50万元",
    "plan": "硬化道路3公里，2021年完工",
    "approval_doc": "墨扶发〔2021〕12号",
    "notice_plan": "村、乡两级公示",
    "responsible_unit": "县交通运输局",
    "responsible_person": "李四",
    "supervision": "县扶贫办季度检查，验收合格率100%",
}


def _project(w, code="XM-001", **fields):
    return services.create_project(
        actor=w["users"]["county_approval"],
        code=code,
        name="某村道路硬化",
        category="road",
        county=w["county"],
        year=2021,
        areas=[w["village"]],
        planned_amount="500000.00",
        **fields,
    )


def _act(case_id, actor, action="approve", **kw):
    case = Case.objects.get(pk=case_id)
    return engine.act(actor=actor, case_id=case.pk, version=case.version, action=action, **kw)


def test_money_is_exact_decimal(world):
    county = world["users"]["county_approval"]
    services.set_availability(
        actor=county, county=world["county"], source="integrated", year=2021, amount="1000000.00"
    )
    p = _project(world)
    for i in range(10):
        services.allocate(
            actor=county, project=p, source="integrated", year=2021 + 0 * i, amount="0.10"
        )
    a = Allocation.objects.get(project=p)
    assert a.amount == Decimal("0.10") and isinstance(a.amount, Decimal)
    with pytest.raises(TypeError):
        to_yuan(0.1)
    with pytest.raises(ValidationFailed):
        to_yuan("1.005")


def test_allocation_never_exceeds_availability(world):
    county = world["users"]["county_approval"]
    services.set_availability(
        actor=county, county=world["county"], source="central", year=2021, amount="100.00"
    )
    p = _project(world)
    services.allocate(actor=county, project=p, source="central", year=2021, amount="60.00")
    q = _project(world, code="XM-002")
    before = Event.objects.count()
    with pytest.raises(InvariantViolated) as exc:
        services.allocate(actor=county, project=q, source="central", year=2021, amount="40.01")
    assert "超出可用额度" in exc.value.zh and "exceed" in exc.value.en
    assert Event.objects.count() == before and not Allocation.objects.filter(project=q).exists()
    services.allocate(actor=county, project=q, source="central", year=2021, amount="40.00")
    with pytest.raises(ValidationFailed):  # availability cannot fall below what is allocated
        services.set_availability(
            actor=county, county=world["county"], source="central", year=2021, amount="99.99"
        )


def test_disbursement_invariants(world):
    county = world["users"]["county_approval"]
    services.set_availability(
        actor=county, county=world["county"], source="central", year=2021, amount="1000.00"
    )
    p = _project(world)
    services.allocate(actor=county, project=p, source="central", year=2021, amount="300.00")
    day = datetime.date(2021, 6, 1)
    services.disburse(
        actor=county,
        project=p,
        household=world["poor"],
        amount="200.00",
        date=day,
        voucher="V1",
        bank_account="6228480000000000011",
    )
    with pytest.raises(InvariantViolated) as exc:
        services.disburse(
            actor=county,
            project=p,
            household=world["poor"],
            amount="100.01",
            date=day,
            voucher="V2",
        )
    assert "超出安排金额" in exc.value.zh
    with pytest.raises(InvariantViolated) as exc:
        services.disburse(
            actor=county,
            project=p,
            household=world["outsider"],
            amount="1.00",
            date=day,
            voucher="V3",
        )
    assert "受益户" in exc.value.zh and "beneficiary" in exc.value.en
    services.add_beneficiary(
        actor=county, project=p, household=world["outsider"], mechanism="wages"
    )
    services.disburse(
        actor=county, project=p, household=world["outsider"], amount="1.00", date=day, voucher="V3"
    )
    assert Disbursement.objects.count() == 2
    with pytest.raises(NotPermitted):
        services.allocate(
            actor=world["users"]["auditor"], project=p, source="central", year=2021, amount="1.00"
        )
    assert verify()[1] == []


def test_lifecycle_through_the_engine(world, now):
    county = world["users"]["county_approval"]
    p = _project(world)
    assert p.stage == "proposed" and p.case_id
    _act(p.case_id, county)  # 入库
    p.refresh_from_db()
    assert p.stage == "library"
    with pytest.raises(ValidationFailed) as exc:
        _act(p.case_id, county)  # 批复 without the six
    assert "六定未齐" in exc.value.zh and "定审批" in exc.value.zh
    services.update_project(actor=county, project=p, changes=SIX)
    _act(p.case_id, county)
    p.refresh_from_db()
    assert p.stage == "approved" and p.notice_date == now.day
    case = Case.objects.get(pk=p.case_id)
    notice = notices.current(case)
    assert notice is not None and notice.village == world["village"]
    obj = notices.lodge(notice=notice, case_id=case.pk, text="道路线路不合理", address="1.2.3.4")
    notices.resolve(
        actor=world["users"]["village"], objection_id=obj.pk, upheld=False, reason="经核实线路合理"
    )
    now.advance(11)
    _act(p.case_id, world["users"]["village"])  # notice concluded, confirmed by the village
    p.refresh_from_db()
    assert p.stage == "implementing"
    _act(p.case_id, county)  # 完工
    with pytest.raises(ValidationFailed) as exc:
        _act(p.case_id, county)  # 验收 without evidence
    assert "验收材料" in exc.value.zh
    case = Case.objects.get(pk=p.case_id)
    evidence.attach(
        actor=county, case=case, upload=SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 report")
    )
    _act(p.case_id, county)
    with pytest.raises(ValidationFailed):
        _act(p.case_id, county)  # no asset yet
    services.register_asset(
        actor=county,
        project=p,
        name="村道3公里",
        kind="public",
        region=world["village"],
        owner="某村委会",
        custodian="某村委会",
        year=2021,
        value="500000",
    )
    _act(p.case_id, county)
    p.refresh_from_db()
    assert p.stage == "assets" and p.accepted_date is not None
    assert Case.objects.get(pk=p.case_id).state == "completed"
    with pytest.raises(ValidationFailed):
        services.update_project(actor=county, project=p, changes={"approval_doc": ""})
    assert Project.objects.get(pk=p.pk).approval_doc
    assert verify()[1] == []
