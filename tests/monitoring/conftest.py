"""Fixtures for the monitoring tests: the procedures' small tree and clock, office users and a
department user per department, and a report as a villager would fill it in."""

import datetime

import pytest
from django.core.cache import cache

from lantu.accounts.roles import DEPARTMENT_ROLES, Role
from lantu.monitoring import intake
from tests.factories import COUNTY, make_id, make_user
from tests.procedures.conftest import (  # noqa: F401  (fixtures)
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    Clock,
    client_for,
    household,
    now,
    small_tree,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def mworld(now):  # noqa: F811
    regions = small_tree()
    users = {
        "village": make_user("v1", regions[VILLAGE], Role.VILLAGE_ENTRY),
        "township": make_user("t1", regions[TOWNSHIP], Role.TOWNSHIP_REVIEW),
        "county": make_user("c1", regions[COUNTY], Role.COUNTY_APPROVAL),
        "outsider": make_user("o1", regions[OTHER_VILLAGE], Role.VILLAGE_ENTRY),
        "prefecture": make_user("p1", regions["530800000000"], Role.SUPERVISOR_VIEW),
    }
    for r in DEPARTMENT_ROLES:
        users[r.value] = make_user(r.value, regions[COUNTY], r)
    users["other_health"] = make_user("oh", regions["530823000000"], Role.DEPT_HEALTH)
    return {"regions": regions, "users": users, "clock": now}


def report(**over) -> intake.Report:
    fields = dict(
        name="李四",
        id_number=make_id(datetime.date(1980, 6, 1)),
        phone="13912345678",
        village=VILLAGE,
        event="illness",
        needs=["medical_bills", "dibao"],
        description="住院花了很多钱",
    )
    fields.update(over)
    return intake.Report(**fields)
