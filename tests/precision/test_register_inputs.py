"""The annual evaluation includes the departments' data: a removal referred by a data-comparison
finding meets the exclusion rule at the county step; incidence is divided by the household
register's rural population; monitoring months come from the status history."""

import polars as pl
import pytest

from lantu.accounts.roles import Role
from lantu.matching import population, services
from lantu.standards.inputs import monitoring_months
from lantu.standards.models import HouseholdResult
from lantu.standards.services import run_evaluation
from tests.factories import make_world
from tests.matching.test_services import AS_OF, _vehicles

pytestmark = pytest.mark.django_db


def _outcome(run, household, rule):
    rules = [r["name"] for r in run.rules if r["level"] == "household"]
    res = HouseholdResult.objects.get(run=run, household=household)
    return res.outcome[rules.index(rule)]


def test_the_stored_evaluation_sees_a_linked_vehicle():
    world = make_world()
    actor = world["users"][Role.COUNTY_APPROVAL]
    hh = world["inside"]  # registered in 2016
    year = hh.years.order_by("-year").first().year
    before = run_evaluation(actor=actor, year=year)
    assert _outcome(before, hh, "excl_vehicle") == "1"
    table, _, _ = _vehicles(world)
    rep = services.load_dataset(actor=actor, dataset="vehicles", table=table, as_of=AS_OF)
    services.link_load(actor=actor, load_id=rep.load_id)
    after = run_evaluation(actor=actor, year=year)
    assert _outcome(after, hh, "excl_vehicle") == "0"  # an 80,000 car of 2015, held at registration


def test_rural_population_counts_active_register_people_by_village():
    world = make_world()
    actor = world["users"][Role.COUNTY_APPROVAL]
    village = world["inside"].region.code
    people = pl.DataFrame(
        {
            "record_id": ["p1", "p2", "p3"],
            "id_number": [m.id_number for m in world["inside"].members.all()[:1]] + ["", ""],
            "name": ["甲", "乙", "丙"],
            "hukou_region_code": [village, village, village],
            "hukou_status": ["active", "active", "deceased"],
        }
    )
    rep = services.load_dataset(actor=actor, dataset="public_security", table=people, as_of=AS_OF)
    assert rep.ok, rep.errors
    table = population.rural_population()
    assert table is not None
    assert dict(zip(*[table[c].to_pylist() for c in ("village_code", "rural_population")],
                    strict=True)) == {village: 2}  # fmt: skip


def test_monitoring_months_from_the_status_history():
    from lantu.registry import services as registry

    world = make_world()
    hh = world["inside"]
    registry.change_status(
        actor=None, household=hh, to_status="monitored", year=2023, reason="测试"
    )
    assert monitoring_months(2025)[hh.household_no] == 24
