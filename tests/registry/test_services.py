import datetime

import pytest

from lantu.core.errors import InvariantViolated, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.registry import services
from lantu.registry.models import HouseholdYear
from tests.factories import COUNTY, OTHER_COUNTY, make_household, make_id, make_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree()


def village(tree, county=COUNTY):
    return tree[county[:6] + "100201"]


def test_create_household_records_event_and_summary(tree):
    hh = make_household(village(tree), size=4)
    assert hh.size == 4 and hh.head_name == "张三"
    assert hh.region_path.endswith(f"/{village(tree).code}/")
    ev = Event.objects.get(action="household.create")
    assert ev.object_id == str(hh.pk)
    assert verify() == (1, [])


def test_person_in_one_active_household(tree):
    hh = make_household(village(tree))
    taken = hh.members.filter(relation="child").first().id_number
    other = make_household(village(tree))
    with pytest.raises(InvariantViolated) as err:
        services.add_member(
            actor=None, household=other, name="李四", id_number=taken, relation="child"
        )
    assert hh.household_no in err.value.zh and "one household" in err.value.en


def test_exactly_one_head(tree):
    v = village(tree)
    members = [
        {"name": "甲", "id_number": make_id(datetime.date(1960, 1, 1)), "relation": "head"},
        {"name": "乙", "id_number": make_id(datetime.date(1961, 1, 1)), "relation": "head"},
    ]
    with pytest.raises(InvariantViolated):
        services.create_household(actor=None, household_no="X1", region=v, members=members)
    no_head = [
        {"name": "丙", "id_number": make_id(datetime.date(1960, 1, 1)), "relation": "spouse"}
    ]
    with pytest.raises(InvariantViolated) as err:
        services.create_household(actor=None, household_no="X2", region=v, members=no_head)
    assert "exactly one head" in err.value.en


def test_birth_date_and_sex_checked_against_id(tree):
    hh = make_household(village(tree))
    with pytest.raises(ValidationFailed) as err:
        services.add_member(
            actor=None,
            household=hh,
            name="王五",
            relation="child",
            id_number=make_id(datetime.date(2001, 2, 3)),
            birth_date=datetime.date(2001, 2, 4),
        )
    assert "2001-02-03" in err.value.en
    with pytest.raises(ValidationFailed):
        services.add_member(
            actor=None,
            household=hh,
            name="王六",
            relation="child",
            id_number=make_id(datetime.date(2001, 2, 3), male=True),
            sex="2",
        )


def test_income_derived_and_must_sum(tree):
    hh = make_household(village(tree), size=2)
    row = services.record_year(
        actor=None,
        household=hh,
        year=2019,
        facts={
            "wage_income": 3000,
            "business_income": 2000,
            "transfer_income": 500,
            "production_cost": 1000,
        },
    )
    assert row.total_income == 5500 and row.net_income == 4500
    assert row.per_capita_net_income == 2250
    with pytest.raises(ValidationFailed):
        services.record_year(
            actor=None, household=hh, year=2020, facts={"wage_income": 100, "total_income": 99}
        )
    assert not HouseholdYear.objects.filter(year=2020).exists()


def test_scope_and_permission_on_writes(tree):
    hh = make_household(village(tree))
    outsider = make_user("o", tree[OTHER_COUNTY], "county_approval")
    viewer = make_user("v", tree[COUNTY], "supervisor_view")
    with pytest.raises(OutOfScope):
        services.change_status(
            actor=outsider, household=hh, to_status="exited", year=2019, reason="x"
        )
    with pytest.raises(NotPermitted):
        services.change_status(
            actor=viewer, household=hh, to_status="exited", year=2019, reason="x"
        )
    clerk = make_user("c", tree[COUNTY], "county_approval")
    change = services.change_status(
        actor=clerk, household=hh, to_status="exited", year=2019, reason="稳定脱贫"
    )
    hh.refresh_from_db()
    assert hh.status == "exited" and change.from_status == "poor"
    assert Event.objects.get(pk=change.event_id).actor_name == "c"


def test_tampering_is_detected(tree):
    make_household(village(tree))
    make_household(village(tree))
    Event.objects.filter(pk=Event.objects.first().pk).update(reason="altered")
    n, problems = verify()
    assert n == 2 and problems and "altered" in problems[0]
