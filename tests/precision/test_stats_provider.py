"""The statistics room's rural-population provider (``lantu.precision.stats:rural_population``):
village rows per year from the application's household register (the loaded ``public_security``
dataset), people born by the year's end and not dead by it; moved-out people left out."""

import datetime

import polars as pl
import pytest

from lantu.accounts.roles import Role
from lantu.matching import services
from lantu.precision.stats import rural_population
from lantu.stats.services import refresh
from tests.factories import make_world

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2021, 12, 31)


def test_no_register_no_rows():
    make_world()
    assert rural_population() is None


def test_rural_population_by_village_and_year_from_the_register():
    world = make_world()
    actor = world["users"][Role.COUNTY_APPROVAL]
    village = world["inside"].region
    people = pl.DataFrame(
        {
            "record_id": ["p1", "p2", "p3", "p4", "p5"],
            "id_number": ["", "", "", "", ""],
            "name": ["甲", "乙", "丙", "丁", "戊"],
            "birth_date": ["1970-01-01", "2019-06-01", "1940-01-01", "1980-01-01", "1950-01-01"],
            "hukou_region_code": [village.code] * 5,
            "hukou_status": ["active", "active", "deceased", "moved_out", "deceased"],
            "death_date": [None, None, "2016-03-01", None, None],
        }
    )
    rep = services.load_dataset(actor=actor, dataset="public_security", table=people, as_of=AS_OF)
    assert rep.ok, rep.errors
    table = rural_population()
    assert table is not None
    rows = pl.from_arrow(table)
    assert isinstance(rows, pl.DataFrame)
    assert set(rows["region_path"]) == {village.path}
    by_year = dict(zip(rows["year"].to_list(), rows["value"].to_list(), strict=True))
    # p1 every year; p3 until his death in 2016 (not at the end of 2016); p2 from 2019; p4
    # moved out (no date: never counted); p5 deceased with no date (never counted).
    assert by_year[2014] == by_year[2015] == 2
    assert by_year[2016] == by_year[2018] == 1
    assert by_year[2019] == by_year[2021] == 2
    assert max(by_year) == 2021
    done = refresh(actor=None)
    assert "rural_population" not in done.missing
