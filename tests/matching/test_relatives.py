"""A public employee among the head's parents, spouse or children outside the household: found
through the registry's own relations and through the police kinship records."""

import datetime

import polars as pl
import pytest

from lantu.accounts.roles import Role
from lantu.matching import findings, presenting, services
from lantu.matching.models import Finding
from lantu.registry.masking import masker_for
from lantu.registry.models import Member
from tests.factories import make_id, make_world

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2020, 12, 31)


@pytest.fixture
def world():
    return make_world()


def _load(actor, dataset, rows):
    rep = services.load_dataset(actor=actor, dataset=dataset, table=pl.DataFrame(rows), as_of=AS_OF)
    assert rep.ok, rep.errors
    services.link_load(actor=actor, load_id=rep.load_id)


def _employees(actor, people):
    _load(
        actor,
        "public_employees",
        {
            "record_id": [f"e{i}" for i in range(len(people))],
            "id_number": [p[0] for p in people],
            "name": [p[1] for p in people],
            "employer_type": ["government"] * len(people),
        },
    )


def _leave(member, reason):
    Member.objects.filter(pk=member.pk).update(active=False, left_reason=reason, left_year=2019)


def _detect(actor):
    found, pol = findings.detect(year=2020, policy="yunnan", region_path=actor.region.path)
    findings.store(found, pol, actor=actor, year=2020, region_path=actor.region.path)
    return found


def test_a_child_who_left_the_household_and_is_a_public_employee(world):
    actor = world["users"][Role.COUNTY_APPROVAL]
    child = world["inside"].members.exclude(relation="head").first()
    _leave(child, "marriage")
    _employees(actor, [(child.id_number, child.name)])
    found = _detect(actor)
    assert found.select("household_no", "rule").rows() == [
        (world["inside"].household_no, "excl_public_employee")
    ]
    f = Finding.objects.get()
    assert f.detail["relation"] == "child" and f.detail["source"] == "registry"
    assert f.detail["relative_name"] == child.name and f.record.record_id == "e0"
    shown = presenting.finding(f, masker_for(actor))["evidence"]
    assert shown["relative"]["relation"] == "子女" and shown["relative"]["name"] == child.name


def test_a_member_who_died_is_no_relative(world):
    actor = world["users"][Role.COUNTY_APPROVAL]
    child = world["inside"].members.exclude(relation="head").first()
    _leave(child, "death")
    _employees(actor, [(child.id_number, child.name)])
    assert _detect(actor).height == 0


def test_a_relative_known_from_the_police_kinship_records(world):
    actor = world["users"][Role.COUNTY_APPROVAL]
    head = world["inside"].members.get(relation="head")
    outsider = make_id(datetime.date(1975, 2, 3))  # the head's son, in no registered household
    other = make_id(datetime.date(1976, 2, 3))  # a sibling: not a relation the rule names
    _load(
        actor,
        "kinship",
        {
            "record_id": ["k1", "k2"],
            "id_number": [head.id_number, head.id_number],
            "name": [head.name, head.name],
            "relative_id_number": [outsider, other],
            "relative_name": ["张老师", "张兄"],
            "relation": ["儿子", "兄弟"],
        },
    )
    _employees(actor, [(outsider, "张老师"), (other, "张兄")])
    _detect(actor)
    f = Finding.objects.get()
    assert f.household == world["inside"] and f.rule == "excl_public_employee"
    assert f.detail["relation"] == "child" and f.detail["source"] == "kinship"
    assert f.record.name == "张老师"


def test_a_household_with_no_relative_in_the_dataset_has_no_finding(world):
    actor = world["users"][Role.COUNTY_APPROVAL]
    _employees(actor, [(make_id(datetime.date(1980, 1, 1)), "李四")])
    assert _detect(actor).height == 0
