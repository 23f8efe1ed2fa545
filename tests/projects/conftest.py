"""Fixtures for the project room: the small tree of the procedure tests, a county user per role,
registered households, and a clock that can move."""

import pytest

from lantu.accounts.roles import Role
from lantu.regions.models import Region
from tests.factories import COUNTY, make_household, make_user
from tests.procedures.conftest import Clock, small_tree

VILLAGE = "530822100201"
OTHER_VILLAGE = "530823100201"


@pytest.fixture
def now(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def world(db):
    small_tree()
    regions = {r.code: r for r in Region.objects.all()}
    county = regions[COUNTY]
    users = {r.value: make_user(f"p_{r.value}", county, r.value) for r in Role}
    users["village"] = make_user("p_village", regions[VILLAGE], Role.VILLAGE_ENTRY)
    poor = make_household(regions[VILLAGE], status="poor", bank_account="6228480000000000011")
    outsider = make_household(regions[VILLAGE], status="not_registered")
    far = make_household(regions[OTHER_VILLAGE], status="poor")
    return {
        "regions": regions,
        "county": county,
        "users": users,
        "poor": poor,
        "outsider": outsider,
        "far": far,
        "village": regions[VILLAGE],
    }
