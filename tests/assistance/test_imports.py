from __future__ import annotations

import datetime

import pytest

from lantu.assistance.imports import import_file
from lantu.assistance.models import Cadre, Pairing, Plan, PlanMeasure, TeamMember, Visit
from lantu.ledger.models import Event
from tests.assistance.helpers import cadre_row, csv, load, setup_assistance
from tests.factories import make_household, make_world


@pytest.fixture
def world(db):
    return setup_assistance(make_world())


def test_everything_loads_and_is_recorded(world):
    assert Cadre.objects.filter(cadre_no__startswith="GB").count() == 2
    assert TeamMember.objects.filter(role="first_secretary").count() == 1
    assert Pairing.objects.get(cadre__cadre_no="GB1").household == world["inside"]
    plan = Plan.objects.get()
    assert {m.measure for m in plan.measures.all()} == {"industry", "medical"}
    assert Visit.objects.count() == 1
    actions = set(Event.objects.values_list("action", flat=True))
    assert {
        "cadre.import.create",
        "plan.import.create",
        "pairing.import.create",
        "visit.import.create",
    } <= actions
    created = Event.objects.get(action="plan.import.create")
    assert set(created.after["measures"]) == {"industry", "medical"}


def test_reimport_writes_nothing(world):
    n = Event.objects.count()
    rows = [cadre_row("GB9", "530822100201")]
    load("cadres", rows)
    assert Event.objects.count() == n + 1
    rep = load("cadres", rows)
    assert rep.summary["cadres_created"] == 0 and rep.summary["cadres_updated"] == 0
    assert Event.objects.count() == n + 1
    rep = load("cadres", [rows[0] | {"职务": "科长"}])
    assert rep.summary["cadres_updated"] == 1
    assert Event.objects.filter(action="cadre.import.update").count() == 1


def test_every_error_in_one_pass_and_nothing_written(world):
    before = Cadre.objects.count()
    rows = [
        cadre_row("GB7", "530822100201", 身份证号="530822198001010011"),  # bad check digit
        cadre_row("GB8", "999999999999"),  # unknown region
        cadre_row("GB9", "530823100201", 干部层级="部长"),  # outside the county; bad level
        cadre_row("GB10", "530822100201"),
    ]
    actor = world["users"]["county_approval"]
    rep = import_file("cadres", csv(rows), "c.csv", actor=actor)
    assert not rep.ok
    got = {(e.row, e.column) for e in rep.errors}
    assert got == {(2, "身份证号"), (3, "帮扶区域代码"), (4, "帮扶区域代码"), (4, "干部层级")}
    assert all(e.zh and e.en for e in rep.errors)
    assert Cadre.objects.count() == before
    book = rep.error_workbook()
    assert book[:2] == b"PK"


def test_reassignment_ends_the_old_pairing(world):
    hh = world["inside"]
    load("pairings", [{"户编号": hh.household_no, "干部编号": "GB2", "结对日期": "2024-01-01"}])
    *_, old, new = Pairing.objects.filter(household=hh).order_by("start_date")
    assert old.end_date == datetime.date(2023, 12, 31) and new.end_date is None
    assert new.cadre.cadre_no == "GB2"


def test_two_open_pairings_in_one_file_are_refused(world):
    hh = make_household(world["regions"]["530822100201"])
    rows = [
        {"户编号": hh.household_no, "干部编号": c, "结对日期": "2024-01-01"} for c in ("GB1", "GB2")
    ]
    rep = import_file("pairings", csv(rows), "p.csv", actor=None)
    assert not rep.ok and {e.row for e in rep.errors} == {2, 3}


def test_plan_measure_asset_from_catalogue(world):
    hh = world["inside"]
    load("plans", [{"户编号": hh.household_no, "年度": "2024", "帮扶措施": "industry_vehicle"}])
    assert PlanMeasure.objects.get(plan__year=2024).asset == "vehicle"


def test_a_measure_added_to_a_stored_plan_is_one_event(world):
    hh = world["inside"]
    n = Event.objects.count()
    load(
        "plans",
        [
            {
                "户编号": hh.household_no,
                "年度": str(datetime.date.today().year),
                "帮扶措施": "skills_training",
            }
        ],
    )
    ev = Event.objects.get(id__gt=Event.objects.order_by("id")[n - 1].id)
    assert ev.action == "plan.import.measures" and list(ev.after["measures"]) == ["skills_training"]


def test_team_without_first_secretary_is_refused(world):
    rows = [
        {
            "驻村代码": "530822100202",
            "任期开始": "2023-05-01",
            "干部编号": "GB1",
            "队内职务": "队员",
        }
    ]
    rep = import_file("teams", csv(rows), "t.csv", actor=None)
    assert [e.en for e in rep.errors] == ["the team has no first secretary"]
