"""Clues the platform received (monitoring tickets) as the ruler's ``clue_*`` variables: read by
the omission search and, through ``with_register_data``, by the annual evaluation."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from lantu.engine import snapshot
from lantu.matching.clues import clues
from lantu.monitoring.models import Ticket
from lantu.standards.inputs import with_register_data
from tests.factories import make_household, make_id, make_tree

pytestmark = pytest.mark.django_db


def _ticket(village, id_number: str, channel: str, on: datetime.date, n: int) -> Ticket:
    path = village.path.strip("/").split("/")
    return Ticket.objects.create(
        receipt=f"T{n:012d}",
        channel=channel,
        village=village,
        region_path=village.path,
        township_code=path[3],
        county_code=path[2],
        name="某",
        id_number=id_number,
        event="other",
        received_on=on,
        due=on + datetime.timedelta(days=10),
    )


def test_clues_by_channel_and_year():
    tree = make_tree()
    village = tree["530822100201"]
    a, b, c = (make_id(datetime.date(1970, 1, 1 + i)) for i in range(3))
    _ticket(village, a, "visit", datetime.date(2025, 3, 1), 1)
    _ticket(village, a, "department", datetime.date(2025, 12, 31), 2)
    _ticket(village, b, "proxy", datetime.date(2025, 1, 1), 3)  # someone reported for them
    _ticket(village, c, "visit", datetime.date(2024, 12, 31), 4)  # last year's
    _ticket(village, c, "comparison", datetime.date(2025, 6, 1), 5)  # our own finding
    people = pl.DataFrame({"household_no": ["X1", "X2", "X3"], "id_number": [a, b, c]})
    got = {r["household_no"]: r for r in clues(people, 2025).iter_rows(named=True)}
    assert got["X1"] == {"household_no": "X1", "clue_department": True, "clue_self": False,
                         "clue_visit": True}  # fmt: skip
    assert got["X2"]["clue_self"] and not got["X2"]["clue_visit"]
    assert "X3" not in got  # a clue of 2024 and a comparison ticket are not this year's clues


def test_no_tickets_gives_an_empty_frame():
    people = pl.DataFrame({"household_no": ["X1"], "id_number": ["530822197001010011"]})
    out = clues(people, 2025)
    assert out.height == 0
    assert set(out.columns) == {"household_no", "clue_visit", "clue_self", "clue_department"}


def test_the_annual_evaluation_sees_the_clues_of_members():
    tree = make_tree()
    village = tree["530822100201"]
    hh = make_household(village, status="exited", registration_year=2014, exit_year=2019)
    other = make_household(village, status="exited", registration_year=2014, exit_year=2019)
    head = hh.members.get(relation="head")
    _ticket(village, head.id_number, "self", datetime.date(2025, 5, 1), 1)
    inputs = snapshot.from_db(years=(2024, 2025))
    out = pl.from_arrow(with_register_data(inputs, year=2025, region_path="")["households"])
    assert isinstance(out, pl.DataFrame)
    row = {r["household_no"]: r for r in out.iter_rows(named=True)}
    assert row[hh.household_no]["clue_self"] is True
    assert row[hh.household_no]["clue_visit"] is False
    assert row[other.household_no]["clue_self"] is False
