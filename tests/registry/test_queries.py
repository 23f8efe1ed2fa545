"""Registry reads: scope, search parsing, bounded counts, breadcrumbs, events."""

import pytest

from lantu.accounts.roles import Role
from lantu.core import paging
from lantu.core.errors import OutOfScope
from lantu.registry import queries, services
from lantu.registry.models import Member
from lantu.registry.queries import HouseholdFilter, parse_search
from tests.factories import make_household, make_user, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    return make_world()


def test_parse_search_recognises_id_numbers():
    s = parse_search(" 11010519491231002x ")
    assert (s.kind, s.value, s.warning) == ("id", "11010519491231002X", None)
    legacy = parse_search("110105491231002")
    assert legacy.kind == "number_or_id"  # a household number's head first, then the ID
    assert parse_search("11010519491231002").kind == "id"  # 17 digits: an ID with an error
    assert parse_search("11010519491231002").warning is not None
    assert parse_search("王").kind == "name"
    assert parse_search("").kind == ""


def test_household_raises_out_of_scope_for_other_county_and_garbage(world):
    user = world["users"][Role.VILLAGE_ENTRY]
    assert queries.household(user, world["inside"].pk) == world["inside"]
    for key in (world["outside"].pk, 10**9, "x", None):
        with pytest.raises(OutOfScope):
            queries.household(user, key)


def test_user_without_region_sees_nothing(world):
    user = make_user("floating", world["regions"]["530822000000"], Role.ADMIN)
    user.region = None
    assert not queries.households(user).exists()
    assert not queries.regions(user).exists()
    assert queries.breadcrumb(user, None) == []


def test_village_user_sees_only_their_village(world):
    other_village = make_household(world["regions"]["530822100202"])
    user = make_user("v1", world["regions"]["530822100201"], Role.VILLAGE_ENTRY)
    assert list(queries.households(user)) == [world["inside"]]
    with pytest.raises(OutOfScope):
        queries.household(user, other_village.pk)
    with pytest.raises(OutOfScope):
        queries.region(user, "530822100202")


def test_name_search_stays_in_scope(world):
    user = world["users"][Role.COUNTY_APPROVAL]
    found = queries.households(user, HouseholdFilter(q="张三"))
    assert list(found) == [world["inside"]]


def test_bounded_count_stops_at_the_cap(world):
    for _ in range(3):
        make_household(world["regions"]["530822100202"], size=1)
    qs = queries.households(world["users"][Role.COUNTY_APPROVAL])
    assert paging.bounded_count(qs, cap=10) == 4
    assert paging.bounded_count(qs, cap=2) == 3  # cap + 1: "more than the cap"
    page = paging.page(qs, 1, per_page=2)
    assert page.count == 4 and not page.capped


def test_breadcrumb_starts_at_the_users_node(world):
    user = world["users"][Role.TOWNSHIP_REVIEW]  # bound to the county
    village = world["regions"]["530822100201"]
    assert [r.code for r in queries.breadcrumb(user, village)] == [
        "530822000000",
        "530822100000",
        "530822100201",
    ]
    assert [r.code for r in queries.region_children(user, "530822100000")] == [
        "530822100201",
        "530822100202",
    ]


def test_events_cover_household_members_and_years(world):
    hh = world["inside"]
    user = world["users"][Role.AUDITOR]
    head = Member.objects.get(household=hh, relation="head")
    services.update_household(actor=None, household=hh, changes={"address": "新村"}, reason="r")
    actions = {e.action for e in queries.events(user, hh)}
    assert {"household.create", "year.record", "household.status", "household.update"} <= actions
    services.remove_member(
        actor=None,
        member=Member.objects.filter(household=hh).exclude(pk=head.pk).first(),
        left_reason="婚出",
    )
    assert "member.remove" in {e.action for e in queries.events(user, hh)}
    outsider = make_user("o", world["regions"]["530823000000"], Role.AUDITOR)
    assert queries.events(outsider, hh) == []
