"""The household search: household numbers whole, by head and by tail; ID numbers only for roles
that see them (no oracle for masked roles); the per-user search limit, on the page and the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.registry import queries
from lantu.registry.models import Member
from lantu.registry.queries import HouseholdFilter, parse_search
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    village = w["regions"]["530822100201"]
    w["numbered"] = make_household(village, household_no="5308221002010007")
    w["neighbour"] = make_household(village, household_no="5308221002010123")
    return w


def _found(user, q):
    return set(
        queries.households(user, HouseholdFilter(q=q)).values_list("household_no", flat=True)
    )


def test_sixteen_digits_are_a_household_number_not_an_id():
    assert parse_search("5308221002010007") == queries.Search("number", "5308221002010007")
    assert parse_search("５３０８２２１００２０１０００７").kind == "number"  # full-width digits
    assert parse_search("11010519491231002X").kind == "id"
    assert parse_search("110105491231002").kind == "number_or_id"  # a first-generation ID
    assert parse_search("110105491231002", personal=False).kind == "number"
    assert parse_search("11010519491231002X", personal=False).kind == "refused"
    assert parse_search("11010519491231002").kind == "id"  # 17: an ID with a digit missing


def test_whole_partial_and_tail_household_numbers_are_found(world):
    user = world["users"][Role.COUNTY_APPROVAL]
    assert _found(user, "5308221002010007") == {"5308221002010007"}
    assert _found(user, "530822100201012") == {"5308221002010123"}  # head
    assert _found(user, "53082210020100") == {"5308221002010007"}
    # a tail read off a paper file (the factory's own numbers may end in the same digits,
    # depending on how many households the run has made before)
    for tail, wanted in (("0123", "5308221002010123"), ("7", "5308221002010007")):
        found = _found(user, tail)
        assert wanted in found and all(no.endswith(tail) for no in found), (tail, found)
    assert _found(user, "5308231002010007") == set()  # the other county's village: nothing


def test_tail_search_stays_in_scope(world):
    other = make_household(world["regions"]["530823100201"], household_no="5308231002010123")
    user = world["users"][Role.COUNTY_APPROVAL]
    assert "5308221002010123" in _found(user, "0123")
    assert other.household_no not in _found(user, "123")


def test_full_id_search_answers_roles_that_see_ids(world):
    head = Member.objects.get(household=world["inside"], relation="head")
    for role in (Role.VILLAGE_ENTRY, Role.AUDITOR, Role.COUNTY_APPROVAL):
        assert _found(world["users"][role], head.id_number) == {world["inside"].household_no}


def test_full_id_search_is_no_oracle_for_masked_roles(world, client):
    """A supervisor sees IDs masked: a right guess and a wrong one get the same answer."""
    head = Member.objects.get(household=world["inside"], relation="head")
    user = world["users"][Role.SUPERVISOR_VIEW]
    assert _found(user, head.id_number) == set()
    client.force_login(user)
    url = reverse("registry:household_list")
    right = client.get(url, {"q": head.id_number}).content.decode()
    wrong_id = head.id_number[:-4] + "0000"
    wrong = client.get(url, {"q": wrong_id}).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", right.replace(head.id_number, "Q")) == token.sub(
        "", wrong.replace(wrong_id, "Q")
    )
    assert "不能按身份证号查询" in right
    api = client.get("/api/households", {"q": head.id_number}).json()
    assert api["items"] == []
    # the same role still finds the household by number and by name
    assert _found(user, world["inside"].household_no) == {world["inside"].household_no}
    assert world["inside"].household_no in _found(user, "张三")


def test_search_limit_per_user_on_page_and_api(world, client, settings):
    settings.LANTU_SEARCH_LIMIT = 3
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    url = reverse("registry:household_list")
    for _ in range(3):
        assert client.get(url, {"q": "张"}).status_code == 200
    assert client.get(url).status_code == 200  # browsing without a search is not counted
    limited = client.get(url, {"q": "张"})
    assert limited.status_code == 429
    assert "查询过于频繁" in limited.content.decode()
    assert 'value="张"' in limited.content.decode()  # the typed search is kept
    api = client.get("/api/households", {"q": "张"})
    assert api.status_code == 429 and "too many searches" in api.json()["en"]
    # another user has their own allowance
    client.force_login(world["users"][Role.AUDITOR])
    assert client.get(url, {"q": "张"}).status_code == 200


def test_search_limit_message_in_english(world, client, settings):
    settings.LANTU_SEARCH_LIMIT = 0
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    body = client.get(
        reverse("registry:household_list"), {"q": "张"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "too many searches" in body


def test_fifteen_digits_find_a_household_number_head_or_a_legacy_id(world):
    user = world["users"][Role.COUNTY_APPROVAL]
    assert _found(user, "530822100201012") == {"5308221002010123"}
    head = Member.objects.get(household=world["inside"], relation="head")
    legacy = head.id_number[:6] + head.id_number[8:17]
    assert _found(user, legacy) == {world["inside"].household_no}
    assert _found(world["users"][Role.SUPERVISOR_VIEW], legacy) == set()
