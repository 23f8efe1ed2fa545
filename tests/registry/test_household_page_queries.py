"""The household file's query count is bounded and does not grow with what the household holds:
members, years, status changes, cadres, plans and their measures, visits. The page reads the
household once in scope with its members, years and status changes; the other rooms' sections
take that household (``lantu.accounts.scope.in_scope``) instead of fetching it again. Counts, never
timings."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.assistance import services as assistance
from lantu.registry import services
from tests.factories import make_id, make_world

pytestmark = pytest.mark.django_db

# session, user with their region and cadre link (one query: lantu.accounts.backends), household,
# members, years, status changes, breadcrumb, ledger events; projects 3, ruler 1, findings 1,
# assistance 7. Was 28, then 22.
BOUND = 20


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def _grow(hh, cadre, years: range, members: int) -> None:
    """More of everything the page shows."""
    for i in range(members):
        services.add_member(
            actor=None,
            household=hh,
            name=f"李{years.start}{i}",
            id_number=make_id(datetime.date(years.start - 30 + i, 2, 1)),
            relation="child",
        )
    for year in years:
        services.record_year(actor=None, household=hh, year=year, facts={"wage_income": 4000})
        to = "poor" if year % 2 else "exited"
        services.change_status(actor=None, household=hh, to_status=to, year=year, reason="核实")
        plan = assistance.create_plan(actor=None, household=hh, year=year)
        for m in ("education_aid", "disability_aid"):
            assistance.add_measure(actor=None, plan=plan, measure=m, cadre=cadre)
        assistance.record_visit(
            actor=None, household=hh, cadre=cadre, date=datetime.date(year, 3, 1)
        )


@pytest.mark.parametrize("role", [Role.COUNTY_APPROVAL, Role.SUPERVISOR_VIEW, Role.CADRE])
def test_the_household_page_reads_a_bounded_number_of_times(role):
    world = make_world()
    hh = world["inside"]
    cadre = world["users"][Role.CADRE].cadre
    client = Client()
    client.force_login(world["users"][role])
    url = reverse("registry:household_detail", args=[hh.pk])
    _grow(hh, cadre, range(2021, 2022), members=1)  # one of each: every section reads
    _queries(client, url)  # warm: the first request also fills caches
    before = _queries(client, url)
    _grow(hh, cadre, range(2022, 2026), members=4)
    after = _queries(client, url)
    assert after == before <= BOUND
    body = client.get(url).content.decode()
    assert "李20223" in body and "2025" in body  # what was added is shown
