"""The refresh over a small registry whose answers are known by hand, at every level."""

from __future__ import annotations

import json

import pytest

from lantu.accounts.roles import Role
from lantu.ledger.models import Event
from lantu.regions.models import Region
from lantu.stats import queries
from lantu.stats.models import Aggregate
from tests.factories import make_user

COUNTY = "530822000000"


def _vals(code: str, year: int) -> dict:
    row = Aggregate.objects.get(path__endswith=f"/{code}/", year=year)
    return json.loads(row.vals)


def test_counts_at_village_and_rolled_up(stats_world):
    v = _vals("530822100201", 2020)
    # inside (registered 2016, exited 2020) and poor (registered 2018, still poor)
    assert v["households_registered"] == {"": 2.0}
    assert v["exits"] == {"": 1.0}
    assert v["poor_households"] == {"": 1.0}
    assert v["poor_people"] == {"": 4.0}
    assert v["houses_renovated"] == {"": 1.0}  # C in 2019, A in 2020
    assert v["tap_water"] == {"": 1.0} and v["facts_households"] == {"": 2.0}
    assert v["causes"] == {"1": 1.0, "2": 1.0}
    township = _vals("530822100000", 2020)
    assert township["households_registered"] == {"": 3.0}  # + the marginal household (2020)
    county = _vals(COUNTY, 2020)
    province = _vals("530000000000", 2020)
    assert county["households_registered"] == {"": 3.0}
    assert province["households_registered"] == {"": 4.0}  # + the other county's household
    assert province["exits"] == {"": 2.0}
    assert Aggregate.objects.filter(path__endswith=f"/{COUNTY}/", year=2017).exists()


def test_current_state_counts_sit_under_the_latest_year(stats_world):
    last = stats_world["refresh"].years[-1]
    v = _vals(COUNTY, last)
    assert v["households_by_status"] == {"exited": 1.0, "poor": 1.0, "monitored": 1.0}
    assert v["relocated_people"] == {"": 4.0}
    assert "households_by_status" not in _vals(COUNTY, 2018)


def test_ratios_missing_sources_and_the_ledger(stats_world):
    user = make_user("c", Region.objects.get(code=COUNTY), Role.COUNTY_APPROVAL)
    figs = queries.figures(user, Region.objects.get(code="530822100201"), 2020)
    assert figs.total("tap_water_rate") == pytest.approx(50.0)
    assert figs.total("incidence") is None  # the rural population comes from another room
    assert figs.total("paired_cadres") == 0.0  # the assistance room counts: nobody paired here
    assert figs.total("dropouts") == 0.0  # counted: none
    assert "rural_population" in stats_world["refresh"].missing  # no household register loaded
    assert "paired_cadres" not in stats_world["refresh"].missing
    assert Event.objects.filter(action="stats.refresh").count() == 1


def test_reads_stay_in_scope(stats_world):
    user = make_user("c", Region.objects.get(code=COUNTY), Role.COUNTY_APPROVAL)
    from lantu.core.errors import OutOfScope

    with pytest.raises(OutOfScope):
        queries.region(user, "530823000000")
    province = Region.objects.get(code="530000000000")
    assert queries.figures(user, province, 2020).vals == {}  # above the scope: nothing
    counties = queries.at_depth(user, 3, 2020)
    assert set(counties) == {COUNTY}


def test_counting_over_the_reduced_sources_equals_counting_over_the_sources(stats_world):
    from lantu.stats.compute import compute

    reduced, plain = compute(), compute(reduce=False)
    assert reduced.table.num_rows > 0

    def rows(table):  # the JSON objects' key order is not part of the result
        return [
            (r["path"], r["depth"], r["year"], json.loads(r["vals"])) for r in table.to_pylist()
        ]

    assert rows(reduced.table) == rows(plain.table)
