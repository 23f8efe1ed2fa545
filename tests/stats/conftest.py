"""A small registry with known answers, and the aggregates refreshed from it."""

from __future__ import annotations

import pytest

from lantu.registry import services
from lantu.stats.services import refresh
from tests.factories import make_household, make_world

VILLAGE = "530822100201"
OTHER_VILLAGE = "530822100202"


def _world():
    w = make_world()  # inside (village 530822100201) and outside: registered 2016, exited 2020
    r = w["regions"]
    for hh in (w["inside"], w["outside"]):
        services.update_household(actor=None, household=hh, changes={"exit_year": 2020})
    poor = make_household(r[VILLAGE], size=4, registration_year=2018, relocated=True)
    for year, grade in ((2019, "C"), (2020, "A")):
        facts = {"wage_income": 1000, "main_cause": "2", "housing_grade": grade,
                 "water_piped": year == 2020}  # fmt: skip
        services.record_year(actor=None, household=poor, year=year, facts=facts)
    marginal = make_household(r[OTHER_VILLAGE], size=2, registration_year=2020)
    services.change_status(actor=None, household=marginal, to_status="monitored", year=2020,
                           reason="边缘易致贫")  # fmt: skip
    w["poor"], w["marginal"] = poor, marginal
    return w


@pytest.fixture
def stats_world(db):
    w = _world()
    w["refresh"] = refresh(actor=None)
    return w


@pytest.fixture(autouse=True)
def _quiet_heartbeat(settings):
    settings.LANTU_JOBS_HEARTBEAT = 3600


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):
    """See tests/jobs/conftest.py."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
