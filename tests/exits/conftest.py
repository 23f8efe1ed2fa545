"""A small county for the exit room: two villages with registered households, register counts,
a user per level of the exit procedures, a movable clock."""

from __future__ import annotations

import pytest

from lantu.accounts.roles import Role
from lantu.exits import services
from lantu.registry import services as registry
from tests.factories import COUNTY, make_household, make_user
from tests.procedures.conftest import TOWNSHIP, VILLAGE, VILLAGE2, Clock, small_tree


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def county_world():
    regions = small_tree()
    users = {
        "village": make_user("v1", regions[VILLAGE], Role.VILLAGE_ENTRY),
        "township": make_user("t1", regions[TOWNSHIP], Role.TOWNSHIP_REVIEW),
        "county": make_user("c1", regions[COUNTY], Role.COUNTY_APPROVAL),
        "prefecture": make_user("p1", regions["530800000000"], Role.PREFECTURE_REVIEW),
        "province": make_user("s1", regions["530000000000"], Role.PROVINCE_APPROVAL),
    }
    households = []
    for village, n_exited, n_poor in ((VILLAGE, 12, 0), (VILLAGE2, 10, 1)):
        for i in range(n_exited + n_poor):
            hh = make_household(regions[village], registration_year=2016, size=2 + i % 3)
            facts = {"wage_income": 30000, "main_cause": "1", "housing_grade": "A",
                     "water_litres_per_day": 60, "water_quality_ok": True, "water_piped": True,
                     "water_outage_days": 0}  # fmt: skip
            registry.record_year(actor=None, household=hh, year=2019, facts=facts)
            if i < n_exited:
                registry.change_status(actor=None, household=hh, to_status="exited", year=2019,
                                       reason="t")  # fmt: skip
            households.append(hh)
    services.set_rosters(actor=None, year=2019, counts={VILLAGE: 40, VILLAGE2: 30}, source="测试")
    return {"regions": regions, "users": users, "households": households}
