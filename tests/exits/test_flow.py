"""The assessment end to end in the store: draw → XLSForm → answers imported → 三率一度 → the
county rule reads them → village and county exit through the procedure engine."""

from __future__ import annotations

import csv
import io

import pytest

from lantu.core.errors import Conflict, OutOfScope, ValidationFailed
from lantu.exits import cases, fieldwork, sampling, services
from lantu.exits.models import Assessment, SampledHousehold
from lantu.ledger.models import Event
from lantu.procedures import engine
from lantu.procedures.models import Case, CaseState
from lantu.regions.models import PovertyStatus
from lantu.standards.models import EvaluationRun
from tests.factories import COUNTY
from tests.procedures.conftest import TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db

DESIGN = sampling.Design.default(villages_per_county=2, households_per_village=16)


def _draw(w) -> Assessment:
    return services.draw_assessment(actor=w["users"]["province"], county=w["regions"][COUNTY],
                                    year=2019, seed=5, design=DESIGN)  # fmt: skip


def _answers(a: Assessment, *, poor: set[str] = frozenset(), refused: set[str] = frozenset(),
             bad: dict[str, dict[str, str]] | None = None) -> bytes:  # fmt: skip
    names = ["start", "group/sample_code", "group/visit", "size", "income_pc",
             *[g[0] for g in fieldwork.GUARANTEES], "wrong_exit", "missed", "still_poor",
             "approval"]  # fmt: skip
    out = io.StringIO()
    wr = csv.writer(out)
    wr.writerow(names)
    for s in a.households.order_by("code"):
        row = {"start": "2019-10-01", "group/sample_code": s.code,
               "group/visit": "refused" if s.code in refused else "interviewed", "size": "3",
               "income_pc": "6000", "approval": "satisfied"}  # fmt: skip
        row |= {g[0]: "yes" for g in fieldwork.GUARANTEES}
        row |= dict.fromkeys(("wrong_exit", "missed", "still_poor"), "")
        verify = fieldwork.VERIFY[fieldwork.STRATA[s.stratum][0]][0]
        row[verify] = "yes" if s.code in poor else "no"
        row |= (bad or {}).get(s.code, {})
        wr.writerow([row[n] for n in names])
    return out.getvalue().encode()


def test_draw_is_stored_with_design_and_weights(county_world):
    a = _draw(county_world)
    rows = list(a.households.all())
    assert a.villages.count() == 2 and len(rows) == 32
    assert a.design["villages_per_county"] == 2 and "refs" in a.design
    # Registered households are listed; the ones outside are positions on the village roster.
    inside = [s for s in rows if s.household_id]
    outside = [s for s in rows if s.roster_position]
    assert len(inside) + len(outside) == 32 and outside and inside
    # Weights add up to the frame (both villages drawn with certainty).
    assert sum(s.weight for s in rows) == pytest.approx(a.frame_households)
    again = _draw(county_world)
    assert [s.household_id for s in again.households.all()] == [s.household_id for s in rows]
    assert Event.objects.filter(action="exits.draw").count() == 2


def test_draw_needs_rosters_and_scope(county_world):
    w = county_world
    with pytest.raises(OutOfScope):
        services.draw_assessment(actor=w["users"]["village"], county=w["regions"][COUNTY],
                                 year=2019, seed=1)  # fmt: skip
    with pytest.raises(ValidationFailed, match="register"):
        services.draw_assessment(actor=None, county=w["regions"][COUNTY], year=2018, seed=1)


def test_xlsform_converts_and_validates(county_world):
    a = _draw(county_world)
    xml = fieldwork.xform(a, validate=True)
    assert "sample_code" in xml and "below_standard" in xml and "approval" in xml
    # The income line of the year is in the form's calculation (2019: 3,218 yuan).
    assert "3218" in xml


def test_import_is_all_or_nothing_with_every_error(county_world):
    a = _draw(county_world)
    first = a.households.order_by("code").first()
    bad = {first.code: {"approval": "maybe", "food_ok": "?"}}
    data = _answers(a, bad=bad).replace(b"S00002", b"S99999")
    report = fieldwork.import_answers(actor=None, assessment=a, data=data, filename="k.csv")
    assert not report.ok
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "approval"),
        (2, "food_ok"),
        (3, "sample_code"),
    }
    assert report.error_workbook()[:2] == b"PK"
    assert not SampledHousehold.objects.filter(responded__isnull=False).exists()
    report = fieldwork.import_answers(actor=None, assessment=a, data=_answers(a), filename="k.csv")
    assert report.ok and report.summary == {"answers": 32}
    again = fieldwork.import_answers(actor=None, assessment=a, data=_answers(a), filename="k.csv")
    assert again.ok  # idempotent


def test_estimates_verdicts_and_the_county_rule(county_world):
    a = _draw(county_world)
    exited = [s.code for s in a.households.filter(stratum=sampling.EXITED)]
    data = _answers(a, poor={exited[0]}, refused={exited[1]})
    assert fieldwork.import_answers(actor=None, assessment=a, data=data, filename="k.csv").ok
    a = services.estimate_assessment(actor=county_world["users"]["province"], assessment_id=a.pk)
    e = a.estimates
    assert set(e) == {"wrong_exit_rate", "missed_rate", "incidence", "approval_rate"}
    assert 0 < e["wrong_exit_rate"]["value"] < 0.2
    assert (
        e["wrong_exit_rate"]["low"] <= e["wrong_exit_rate"]["value"] <= e["wrong_exit_rate"]["high"]
    )
    assert e["missed_rate"]["value"] == 0 and e["missed_rate"]["high"] > 0  # an honest bound
    assert e["approval_rate"]["value"] == 1.0
    assert e["wrong_exit_rate"]["verdict"] in ("fail", "inconclusive")
    assert a.verdict in ("fail", "inconclusive")
    run = EvaluationRun.objects.get(pk=a.evaluation_run_id)
    county_row = next(r for r in run.counties if r["county_code"] == COUNTY[:6])
    assert county_row["wrong_exit_rate"] == pytest.approx(e["wrong_exit_rate"]["value"])
    assert county_row["county_exit"] is False  # 1 wrongly exited in ~15 is far above 2%


def _walk(case: Case, users: dict, now, *, override: str = "") -> Case:
    """Approve every step with the step's user, advancing the clock past notices."""
    from lantu.procedures.config import kind

    k = kind(case.kind)
    by_level = {"village": "village", "township": "township", "county": "county",
                "prefecture": "prefecture", "province": "province"}  # fmt: skip
    while case.state == CaseState.OPEN:
        step = k.step(case.step)
        if step.is_notice:
            now.advance(10)
        data = {"votes": {b: {"for": 9, "against": 0} for b in ("internal", "party", "villagers")}}
        case = engine.act(actor=users[by_level[step.level]], case_id=case.pk,
                          version=case.version, action="approve",
                          data=data if "votes" in step.requires else {},
                          override_reason=override if step.decision else "")  # fmt: skip
    return case


def test_village_and_county_exit_through_the_engine(county_world, now):
    w = county_world
    users = w["users"]
    a = _draw(w)
    assert fieldwork.import_answers(actor=None, assessment=a, data=_answers(a), filename="k.csv").ok
    services.estimate_assessment(actor=users["province"], assessment_id=a.pk)
    village = w["regions"][VILLAGE]
    [vc] = cases.open(actor=users["village"], kind="village_exit", regions=[village], year=2019)
    assert vc.subject == f"village:{VILLAGE}" and vc.household is None
    assert vc.village == village and vc.region_path == village.path
    with pytest.raises(Conflict, match=r"already|已在"):
        cases.open(actor=users["village"], kind="village_exit", regions=[village], year=2019)
    vc = _walk(vc, users, now)
    assert vc.state == CaseState.COMPLETED and vc.data["ruler"]["ok"] is True
    assert PovertyStatus.objects.get(region=village, year=2019).is_poor is False
    [cc] = cases.open(actor=users["county"], kind="county_exit", regions=[w["regions"][COUNTY]],
                      year=2019)  # fmt: skip
    assert cc.subject == f"county:{COUNTY}" and cc.subject_name == w["regions"][COUNTY].name
    with pytest.raises(ValidationFailed):
        _walk(cc, users, now)  # the county rule fails (Yunnan: every household reached…)
    cc.refresh_from_db()
    cc = _walk(cc, users, now, override="国家抽查已通过，县级整改到位（测试）")
    assert cc.state == CaseState.COMPLETED and cc.override_reason
    assert PovertyStatus.objects.get(region=w["regions"][COUNTY], year=2019).exited_year == 2019
    assert Event.objects.filter(action="region.exit").count() == 2


def test_household_kinds_refuse_regions(county_world):
    w = county_world
    with pytest.raises(ValidationFailed):
        cases.open(actor=None, kind="household_exit", regions=[w["regions"][VILLAGE]], year=2019)
    with pytest.raises(ValidationFailed):
        cases.open(actor=None, kind="county_exit", regions=[w["regions"][VILLAGE]], year=2019)
    with pytest.raises(ValidationFailed):  # a township is no case's subject
        cases.open(actor=None, kind="village_exit", regions=[w["regions"][TOWNSHIP]], year=2019)
    with pytest.raises(ValidationFailed):  # nor is a village a household
        engine.open_case(actor=None, kind="village_exit", household=w["households"][0], year=2019)


def _with_recheck(data: bytes, checks: dict[str, tuple[str, str]]) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode())))
    out = io.StringIO()
    wr = csv.writer(out)
    wr.writerow([*rows[0], "check_poor", "check_approval"])
    for r in rows[1:]:
        wr.writerow([*r, *checks.get(r[1], ("", ""))])
    return out.getvalue().encode()


def test_the_recheck_columns_correct_the_estimates(county_world):
    a = _draw(county_world)
    codes = [s.code for s in a.households.filter(stratum=sampling.OUTSIDE).order_by("code")]
    # The first visit found nobody poor outside the registry; the check team found 2 of the 5
    # households it re-checked poor: the missed rate is corrected upwards.
    checks = {c: ("yes" if i < 2 else "no", "satisfied") for i, c in enumerate(codes[:5])}
    bad = _with_recheck(_answers(a), {codes[0]: ("maybe", "satisfied")})
    assert not fieldwork.import_answers(actor=None, assessment=a, data=bad, filename="k.csv").ok
    data = _with_recheck(_answers(a), checks)
    assert fieldwork.import_answers(actor=None, assessment=a, data=data, filename="k.csv").ok
    est = services.estimate_assessment(actor=None, assessment_id=a.pk).estimates
    assert est["missed_rate"]["value"] > 0
    plain = _with_recheck(_answers(a), {})
    fieldwork.import_answers(actor=None, assessment=a, data=plain, filename="k.csv")
    assert services.estimate_assessment(actor=None, assessment_id=a.pk).estimates[
        "missed_rate"]["value"] == 0  # fmt: skip
