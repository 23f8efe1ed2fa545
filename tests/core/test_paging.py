"""The one paging of list pages: rows plus one, a count that stops at the cap, and no count at all
on a last page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantu.accounts.models import User
from lantu.core import paging

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven() -> list[User]:
    return User.objects.bulk_create([User(username=f"p{i}") for i in range(7)])


def _qs():
    return User.objects.filter(username__startswith="p").order_by("id")


def test_a_middle_page_counts_once_and_bounded(seven):
    with CaptureQueriesContext(connection) as q:
        pg = paging.page(_qs(), 2, per_page=2)
    assert [u.username for u in pg] == ["p2", "p3"]
    assert pg.has_next and pg.has_previous and pg.has_other_pages
    assert (pg.previous_page_number, pg.next_page_number, pg.start_index) == (1, 3, 3)
    assert pg.count == 7 and not pg.capped
    assert len(q.captured_queries) == 2
    assert "LIMIT" in q.captured_queries[1]["sql"].upper()  # the count is bounded


def test_the_last_page_knows_its_count_without_counting(seven):
    with CaptureQueriesContext(connection) as q:
        pg = paging.page(_qs(), 4, per_page=2)
    assert [u.username for u in pg.rows] == ["p6"] and not pg.has_next
    assert pg.count == 7 and len(q.captured_queries) == 1
    with CaptureQueriesContext(connection) as q:
        short = paging.page(_qs(), 1)
    assert short.count == 7 and not short.has_other_pages and len(q.captured_queries) == 1


def test_past_the_end_counts_and_shows_nothing(seven):
    pg = paging.page(_qs(), 9, per_page=2)
    assert pg.rows == [] and not pg.has_next and pg.count == 7 and pg.start_index == 0


def test_the_count_stops_at_the_cap(seven, monkeypatch):
    assert paging.bounded_count(_qs(), cap=3) == 4  # cap + 1: "more than the cap"
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    pg = paging.page(_qs(), 1, per_page=2)
    assert pg.capped and pg.count == 5


def test_paging_without_a_count(seven):
    with CaptureQueriesContext(connection) as q:
        pg = paging.page(_qs(), 1, per_page=2, count=False)
    assert pg.count is None and pg.has_next and len(q.captured_queries) == 1


@pytest.mark.parametrize(
    ("value", "number"),
    [(None, 1), ("", 1), ("3", 3), (" 2 ", 2), ("x", 1), ("-4", 1), ("0", 1), ("9" * 30, 100_000)],
)
def test_page_numbers(value, number):
    assert paging.page_number(value) == number
