"""红白榜: indicators and rules as data, computed per period, published without personal data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from lantu.core.errors import Conflict, ValidationFailed
from lantu.supervision import rankings, reconcile, services


def test_period_dates():
    assert rankings.period_dates("2025Q4") == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )
    assert rankings.period_dates("2025") == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    with pytest.raises(ValidationFailed):
        rankings.period_dates("2025Q5")


def test_a_county_with_discrepancies_and_overdue_tasks_is_on_the_white_list(world, now, client):
    hh = world["inside"]
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET status = 'poor' WHERE id = %s", [hh.pk])
    reconcile.run(actor=None, year=2020)
    county = world["regions"]["530822000000"]
    insp = services.create_inspection(
        actor=None, kind="inspection", title="督查", team="组", region=county, start=now.day
    )
    for _ in range(2):
        services.add_finding(
            actor=None,
            inspection=insp,
            subject_type="household",
            household=hh,
            problem="问题",
            owner="村",
            deadline=now.day,
        )
    now.advance(3)
    province = world["regions"]["530000000000"]
    r = rankings.save(actor=None, region=province, level="county", period=str(now.day.year))
    white = {e.unit_name: e.rule for e in r.entries.filter(board="white")}
    assert white.get(county.name) == "overdue_rectifications"
    row = next(x for x in r.rows if x["unit"] == county.path)
    assert row["discrepancy_rate"] == 1.0 and row["overdue_rectifications"] == 2.0
    assert client.get(f"/public/supervision/{province.code}/").status_code == 200
    rankings.publish(actor=None, ranking=r)
    with pytest.raises(Conflict):
        rankings.publish(actor=None, ranking=r)
    body = client.get(f"/public/supervision/{province.code}/").content.decode()
    assert county.name in body and "逾期未整改" in body
    assert hh.household_no not in body and "张三" not in body
