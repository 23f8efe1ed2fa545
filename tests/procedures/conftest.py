"""Fixtures for the procedure tests: one county with a township and two villages, a user per
acting level, households, a movable clock, and stored ruler results."""

import datetime

import pytest
from django.test import Client

from lantu.accounts.roles import Role
from lantu.procedures import clock
from lantu.regions.models import Region
from lantu.regions.services import load_regions
from lantu.registry import services
from lantu.standards.models import EvaluationRun, HouseholdResult
from tests.factories import COUNTY, OTHER_COUNTY, make_household, make_user

VILLAGE = "530822100201"
VILLAGE2 = "530822100202"
TOWNSHIP = "530822100000"
OTHER_VILLAGE = "530823100201"

# The household rules of a run, in outcome order (a subset of the policy's, enough for the kinds).
RULES = [
    ("identification", "identification"),
    ("household_exit", "household_exit"),
    ("return_to_poverty", "return"),
    ("exclusions_clear", "exclusion"),
    ("monitor_unstable", "monitoring"),
    ("monitor_marginal", "monitoring"),
    ("risk_elimination", "risk_elimination"),
]


class Clock:
    def __init__(self, monkeypatch):
        self.day = datetime.date(2021, 3, 1)
        monkeypatch.setattr(clock, "today", lambda: self.day)

    def advance(self, days):
        self.day += datetime.timedelta(days=days)


@pytest.fixture
def now(monkeypatch):
    return Clock(monkeypatch)


def small_tree():
    """Province → prefecture → two counties → a township each → villages (fast: no full tree)."""
    rows = [
        {"code": "530000000000", "name": "云南省", "level": "province"},
        {
            "code": "530800000000",
            "name": "普洱市",
            "level": "prefecture",
            "parent_code": "530000000000",
        },
        {"code": COUNTY, "name": "墨江县", "level": "county", "parent_code": "530800000000"},
        {"code": OTHER_COUNTY, "name": "景东县", "level": "county", "parent_code": "530800000000"},
        {"code": TOWNSHIP, "name": "联珠镇", "level": "township", "parent_code": COUNTY},
        {
            "code": "530823100000",
            "name": "锦屏镇",
            "level": "township",
            "parent_code": OTHER_COUNTY,
        },
        {"code": VILLAGE, "name": "碧溪村", "level": "village", "parent_code": TOWNSHIP},
        {"code": VILLAGE2, "name": "癸能村", "level": "village", "parent_code": TOWNSHIP},
        {
            "code": OTHER_VILLAGE,
            "name": "文井村",
            "level": "village",
            "parent_code": "530823100000",
        },
    ]
    load_regions(rows)
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    regions = small_tree()
    users = {
        "village": make_user("v1", regions[VILLAGE], Role.VILLAGE_ENTRY),
        "village2": make_user("v2", regions[VILLAGE2], Role.VILLAGE_ENTRY),
        "township": make_user("t1", regions[TOWNSHIP], Role.TOWNSHIP_REVIEW),
        "township_b": make_user("t2", regions[TOWNSHIP], Role.TOWNSHIP_REVIEW),
        "county": make_user("c1", regions[COUNTY], Role.COUNTY_APPROVAL),
        "outsider": make_user("o1", regions[OTHER_VILLAGE], Role.VILLAGE_ENTRY),
    }
    return {"regions": regions, "users": users}


def household(world, status="poor", village=VILLAGE, **fields):
    hh = make_household(world["regions"][village], registration_year=2016, **fields)
    if status != "poor":
        services.change_status(actor=None, household=hh, to_status=status, year=2020, reason="t")
        hh.refresh_from_db()
    return hh


def ruler_says(households, year, **passed):
    """Store a ruler run for ``year`` where each named rule passed (True) or failed (False)."""
    # One run a year (as the annual evaluation makes): later calls add households to it.
    run, _ = EvaluationRun.objects.get_or_create(
        year=year,
        policy="test",
        defaults={
            "policy_version": "1",
            "policy_hash": "0" * 64,
            "rules": [
                {"name": n, "kind": k, "level": "household", "zh": n, "en": n, "ref": ""}
                for n, k in RULES
            ],
        },
    )
    outcome = "".join(
        "-" if passed.get(n) is None else ("1" if passed[n] else "0") for n, _ in RULES
    )
    for hh in households:
        HouseholdResult.objects.create(run=run, household=hh, year=year, outcome=outcome)
    return run


@pytest.fixture
def client_for():
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
