"""The annual evaluation inside the app: registry → snapshot → ruler → stored results → page."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from lantu.accounts.roles import Role
from lantu.core.errors import OutOfScope
from lantu.engine import snapshot
from lantu.ledger.models import Event
from lantu.standards.models import EvaluationRun, HouseholdResult
from lantu.standards.queries import results_for_household
from lantu.standards.services import run_evaluation
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_snapshot_has_the_canonical_columns(world):
    data = snapshot.from_db(years=(2019, 2020))
    assert data["households"].num_rows == 2
    assert {"household_no", "region_code", "status", "household_id"} <= set(
        data["households"].column_names
    )
    assert {"member_phone", "left_reason", "id_number"} <= set(data["members"].column_names)
    assert "phone" not in data["members"].column_names
    assert data["years"].column_names[:2] == ["household_no", "year"]
    assert "wage_income" in data["years"].column_names


def test_snapshot_is_limited_to_a_region(world):
    county = world["inside"].region_path[:-1]
    data = snapshot.from_db(region_path=world["inside"].region_path)
    assert data["households"]["household_no"].to_pylist() == [world["inside"].household_no]
    assert county


def test_run_stores_one_compact_row_per_household_and_a_ledger_event(world):
    run = run_evaluation(actor=None, year=2020, policy="yunnan")
    assert run.households == 2 and run.finished_at is not None
    rows = list(HouseholdResult.objects.filter(run=run))
    household_rules = [r for r in run.rules if r["level"] == "household"]
    assert len(rows) == 2
    assert all(len(r.outcome) == len(household_rules) for r in rows)
    assert set("".join(r.outcome for r in rows)) <= {"0", "1", "-"}
    # 3,000 yuan wage income for 3 people is far under the line: not exited stably.
    summary = run.summary["identification"]
    assert summary["passed"] + summary["failed"] + summary["not_applicable"] == 2
    assert run.policy_hash and len(run.policy_hash) == 64
    assert any(p["name"] == "income_line" for p in run.provenance)
    assert Event.objects.filter(action="standards.evaluate", object_id=str(run.pk)).exists()


def test_results_for_household_explains_and_respects_scope(world):
    run_evaluation(actor=None, year=2020, policy="yunnan")
    user = world["users"][Role.VILLAGE_ENTRY]
    [ev] = results_for_household(user, world["inside"])
    assert ev.year == 2020 and ev.policy == "yunnan"
    ident = next(r for r in ev.rules if r.name == "identification")
    assert ident.passed is True  # 1,000 yuan a person in 2020 is below 4,000
    exit_rule = next(r for r in ev.rules if r.name == "household_exit")
    assert exit_rule.passed is None  # the household is 'exited': exit does not apply
    reasons = [x for r in ev.rules for x in r.reasons]
    assert any("未满足" in x.zh and "not met" in x.en for x in reasons)
    with pytest.raises(OutOfScope):
        results_for_household(user, world["outside"])


def test_newer_run_replaces_the_older_on_the_page(world):
    first = run_evaluation(actor=None, year=2020, policy="national")
    second = run_evaluation(actor=None, year=2020, policy="yunnan")
    assert EvaluationRun.objects.count() == 2 and first.pk != second.pk
    user = world["users"][Role.COUNTY_APPROVAL]
    [ev] = results_for_household(user, world["inside"])
    assert ev.policy == "yunnan"


def test_snippet_shows_reasons(world):
    run_evaluation(actor=None, year=2020, policy="yunnan")
    request = RequestFactory().get("/")
    request.user = world["users"][Role.VILLAGE_ENTRY]
    html = render_to_string(
        "standards/_household_results.html", {"household": world["inside"]}, request=request
    )
    assert "yunnan" in html and "贫困户识别标准" in html
    request.user = world["users"][Role.VILLAGE_ENTRY]
    empty = render_to_string(
        "standards/_household_results.html", {"household": world["outside"]}, request=request
    )
    assert "贫困户识别标准" not in empty
