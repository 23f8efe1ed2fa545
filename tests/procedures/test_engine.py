"""The engine on its own: steps, roles and levels, requirements, the ruler gate, the effect."""

import pytest

from lantu.core.errors import Conflict, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.procedures import engine, escalation, notices
from lantu.procedures.models import Case, CaseState, Decision, Notice
from lantu.registry.models import StatusChange
from tests.procedures.conftest import household, ruler_says

pytestmark = pytest.mark.django_db

VOTES = {b: {"for": 9, "against": 1} for b in ("internal", "party", "villagers")}
CHECKS = {c: True for c in ("income", "housing", "property", "family", "conditions")}


def approve(user, case, **kw):
    case.refresh_from_db()
    return engine.act(actor=user, case_id=case.pk, version=case.version, action="approve", **kw)


def test_exit_runs_end_to_end_and_changes_the_registry(world, now):
    u = world["users"]
    hh = household(world)
    ruler_says([hh], 2021, household_exit=True)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    assert case.step == "appraisal"
    approve(u["village"], case, data={"votes": VOTES})
    approve(u["village"], case, data={"checklist": CHECKS})
    approve(u["village"], case, data={"consent": True})
    case.refresh_from_db()
    assert case.step == "publicity"
    notice = Notice.objects.get(kind="household_exit", step="publicity")
    assert (notice.end - notice.start).days == 6  # 7 days, the national default, inclusive
    with pytest.raises(ValidationFailed):  # not before the notice has run its course
        approve(u["village"], case)
    now.advance(7)
    approve(u["village"], case)
    approve(u["township"], case)
    approve(u["county"], case)
    case.refresh_from_db()
    assert case.step == "announcement"
    now.advance(7)
    case = approve(u["village"], case)
    hh.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    assert hh.status == "exited" and hh.exit_year == 2021
    assert StatusChange.objects.filter(household=hh, to_status="exited").exists()
    steps = list(Decision.objects.filter(case=case).values_list("step", flat=True))
    assert steps[0] == "appraisal" and steps[-1] == "announcement"
    assert (
        Event.objects.filter(object_type="procedures.case", object_id=str(case.pk)).count() == 8
    )  # open + 7 steps
    assert verify()[1] == []


def test_wrong_role_or_level_or_region_cannot_act(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    with pytest.raises(NotPermitted):
        approve(u["township"], case, data={"votes": VOTES})
    with pytest.raises(OutOfScope):
        approve(u["outsider"], case, data={"votes": VOTES})
    with pytest.raises(OutOfScope):
        approve(u["village2"], case, data={"votes": VOTES})


def test_a_step_needs_its_records(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    with pytest.raises(ValidationFailed) as e:
        approve(u["village"], case, data={"votes": {"internal": {"for": 3, "against": 0}}})
    assert "党员" in e.value.zh


def _to_decision(world, now, hh, kind="household_exit"):
    u = world["users"]
    case = engine.open_case(actor=u["village"], kind=kind, household=hh, year=2021)
    approve(u["village"], case, data={"votes": VOTES})
    approve(u["village"], case, data={"checklist": CHECKS})
    approve(u["village"], case, data={"consent": True})
    now.advance(7)
    approve(u["village"], case)
    approve(u["township"], case)
    return case


def test_county_cannot_decide_against_the_ruler_without_a_reason(world, now):
    u = world["users"]
    hh = household(world)
    ruler_says([hh], 2021, household_exit=False)
    case = _to_decision(world, now, hh)
    with pytest.raises(ValidationFailed) as e:
        approve(u["county"], case)
    assert "贫困户脱贫退出" in e.value.zh  # named after the procedure, not the rule code
    case = approve(u["county"], case, override_reason="收入核实后已稳定超过标准，系统数据滞后")
    assert case.step == "announcement" and case.override_reason
    assert case.data["ruler"]["ok"] is False


def test_no_ruler_result_blocks_the_decision(world, now):
    hh = household(world)
    case = _to_decision(world, now, hh)
    with pytest.raises(ValidationFailed) as e:
        approve(world["users"]["county"], case)
    assert "lantu evaluate" in e.value.zh


def test_two_reviewers_at_once_one_wins(world, now):
    u = world["users"]
    hh = household(world)
    ruler_says([hh], 2021, household_exit=True)
    case = _to_decision(world, now, hh)  # at county decision; go back to township for the test
    case.refresh_from_db()
    engine.act(
        actor=u["county"],
        case_id=case.pk,
        version=case.version,
        action="return",
        comment="请乡镇复核",
    )
    case.refresh_from_db()
    assert case.step == "township_review"
    seen = case.version  # both reviewers loaded the page with this version
    engine.act(actor=u["township"], case_id=case.pk, version=seen, action="approve")
    with pytest.raises(Conflict):
        engine.act(
            actor=u["township_b"], case_id=case.pk, version=seen, action="reject", comment="不同意"
        )
    case.refresh_from_db()
    assert case.step == "county_decision" and case.state == CaseState.OPEN


def test_bulk_open_puts_a_village_batch_on_one_notice(world, now):
    u = world["users"]
    hhs = [household(world) for _ in range(5)]
    cases = engine.open_cases(actor=u["village"], kind="monitoring", households=hhs, year=2021)
    assert len(cases) == 5 and all(c.case_due for c in cases)
    with pytest.raises(Conflict):  # one running case of a kind per household
        engine.open_cases(actor=u["village"], kind="monitoring", households=hhs[:1], year=2021)


def test_opening_checks_the_household_status(world, now):
    hh = household(world, status="exited")
    with pytest.raises(ValidationFailed):
        engine.open_case(
            actor=world["users"]["village"], kind="risk_elimination", household=hh, year=2021
        )


def test_a_removed_household_may_be_monitored_but_not_a_deregistered_one(world, now):
    """错评清退 makes a household a general rural household again (中农组发〔2021〕7号 monitors the
    whole rural population); a deregistered household no longer exists."""
    removed = household(world, status="removed")
    case = engine.open_case(
        actor=world["users"]["village"], kind="monitoring", household=removed, year=2021
    )
    assert case.kind == "monitoring"
    gone = household(world, status="deregistered")
    with pytest.raises(ValidationFailed):
        engine.open_case(actor=world["users"]["village"], kind="monitoring", household=gone,
                         year=2021)  # fmt: skip


def test_objection_holds_the_case_and_upheld_goes_back(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    approve(u["village"], case, data={"votes": VOTES})
    approve(u["village"], case, data={"checklist": CHECKS})
    approve(u["village"], case, data={"consent": True})
    notice = Notice.objects.get()
    obj = notices.lodge(notice=notice, case_id=case.pk, text="该户家中有车", address="1.2.3.4")
    case.refresh_from_db()
    assert case.state == CaseState.HELD
    now.advance(7)
    with pytest.raises(Conflict):
        approve(u["village"], case)
    with pytest.raises(NotPermitted):  # the village proposed the case: it does not rule on it
        notices.resolve(actor=u["village"], objection_id=obj.pk, upheld=True, reason="核实")
    with pytest.raises(ValidationFailed):
        notices.resolve(actor=u["township"], objection_id=obj.pk, upheld=True, reason="")
    notices.resolve(actor=u["township"], objection_id=obj.pk, upheld=True, reason="核实确有车辆")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN and case.step == "verification"


def test_dismissed_objection_resumes_the_notice(world, now):
    u = world["users"]
    hh = household(world)
    case = _to_publicity(world, hh)
    notice = Notice.objects.get()
    obj = notices.lodge(notice=notice, case_id=case.pk, text="有异议", address="1.2.3.4")
    notices.resolve(actor=u["township"], objection_id=obj.pk, upheld=False, reason="经核实不属实")
    case.refresh_from_db()
    assert case.state == CaseState.OPEN and case.step == "publicity"
    obj.refresh_from_db()
    assert obj.resolution == "经核实不属实"


def _to_publicity(world, hh):
    u = world["users"]
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    approve(u["village"], case, data={"votes": VOTES})
    approve(u["village"], case, data={"checklist": CHECKS})
    return approve(u["village"], case, data={"consent": True})


def test_objections_are_rate_limited_per_address(world, now):
    hh = household(world)
    case = _to_publicity(world, hh)
    notice = Notice.objects.get()
    for _ in range(5):
        notices.lodge(notice=notice, case_id=case.pk, text="x", address="9.9.9.9")
    with pytest.raises(notices.RateLimited):
        notices.lodge(notice=notice, case_id=case.pk, text="x", address="9.9.9.9")
    notices.lodge(notice=notice, case_id=case.pk, text="x", address="8.8.8.8")


def test_overdue_cases_are_escalated_one_level_at_a_time(world, now):
    u = world["users"]
    hh = household(world)
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    now.advance(15)  # the step allows 10 days; escalation after 10 more
    assert escalation.escalate(today=now.day).escalated == []
    now.advance(6)
    report = escalation.escalate(today=now.day)
    assert report.escalated == [(case.pk, "township")]
    assert escalation.escalate(today=now.day).escalated == []  # not twice the same day
    now.advance(10)
    assert escalation.escalate(today=now.day).escalated == [(case.pk, "county")]
    case.refresh_from_db()
    assert Decision.objects.filter(case=case, action="escalate").count() == 2


def test_monitoring_deadline_is_fifteen_days_from_the_clue(world, now):
    import datetime

    hh = household(world, status="exited")
    clue = now.day - datetime.timedelta(days=3)
    case = engine.open_case(
        actor=world["users"]["village"], kind="monitoring", household=hh, year=2021, clue_date=clue
    )
    assert (case.case_due - clue).days == 15


def test_concluding_notices_as_the_system(world, now):
    hh = household(world)
    case = _to_publicity(world, hh)
    now.advance(7)
    assert escalation.conclude_notices(today=now.day) == [case.pk]
    case.refresh_from_db()
    assert case.step == "township_review"
    assert Case.objects.count() == 1


FACTS = {
    "wage_income": 30000,
    "housing_area": 80,
    "housing_structure": "brick",
    "housing_built_year": 2000,
    "housing_grade": "A",
    "water_source": "piped",
    "water_litres_per_day": 60,
    "water_quality_ok": True,
    "water_piped": True,
    "water_trip_minutes": 0,
    "water_distance_m": 0,
    "water_vertical_m": 0,
    "water_outage_days": 5,
    "main_cause": "7",
}


def test_the_decision_reads_the_real_rulers_verdict(world, now):
    """With the annual evaluation of the yunnan policy, not a stored fixture."""
    from lantu.procedures import ruler
    from lantu.registry import services
    from lantu.registry.models import Member
    from lantu.standards.services import run_evaluation

    # One member (no school-age child); the chronically ill head has medical assistance.
    good, bad = household(world, size=1), household(world, size=1)
    Member.objects.filter(household__in=[good, bad]).update(medical_assistance=True)
    for year in (2019, 2020):
        services.record_year(actor=None, household=good, year=year, facts=FACTS)
        services.record_year(
            actor=None, household=bad, year=year, facts=FACTS | {"wage_income": 1000}
        )
    run_evaluation(actor=None, year=2020, policy="yunnan")
    from lantu.procedures.config import kind

    exit_kind = kind("household_exit")
    assert not ruler.verdict(exit_kind, bad.pk, 2020).ok
    good_verdict = ruler.verdict(exit_kind, good.pk, 2020)
    from lantu.standards.models import HouseholdResult

    failed = HouseholdResult.objects.get(household=good).failed
    assert good_verdict.ok, failed
