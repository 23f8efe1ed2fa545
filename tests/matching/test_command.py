"""``lantu match run`` on a small simulation-shaped folder: load, link, findings, score."""

import io

import polars as pl
import pytest
from django.core.management import call_command

from lantu.matching.models import Finding, Link
from tests.factories import make_world
from tests.matching.test_services import _vehicles

pytestmark = pytest.mark.django_db


def _folder(tmp_path, world):
    table, head, child = _vehicles(world)
    obs = tmp_path / "observed" / "departments"
    links = tmp_path / "truth" / "links"
    years = tmp_path / "truth" / "household_years"
    for d in (obs, links, years):
        d.mkdir(parents=True)
    table.write_parquet(obs / "vehicles.parquet")
    members = [
        (m.household.household_no, m.id_number, m.pk)
        for hh in (world["inside"], world["outside"])
        for m in hh.members.all()
    ]
    pl.DataFrame(
        members, schema=["household_no", "id_number", "person_id"], orient="row"
    ).write_parquet(links / "registry_members.parquet")
    other = world["outside"].members.get(relation="head").pk
    # v1 → head, v2 → child (typo), v3 → outside head, v4 → someone not in the registry
    pl.DataFrame(
        {"record_id": [0, 1, 2, 3], "person_id": [head.pk, child.pk, other, -1]}
    ).with_columns(pl.Series("record_id", ["v1", "v2", "v3", "v4"])).write_parquet(
        links / "vehicles.parquet"
    )
    hh = pl.DataFrame(
        {
            "household_no": [world["inside"].household_no, world["outside"].household_no],
            "household_id": [1, 2],
        }
    )
    hh.write_parquet(links / "registry_households.parquet")
    pl.DataFrame({"household_id": [1, 2], "favouritism": [True, False]}).write_parquet(
        tmp_path / "truth" / "households.parquet"
    )
    pl.DataFrame(
        {"household_id": [1, 2], "year": [2016, 2016], "true_poor": [True, True]}
    ).write_parquet(years / "2016.parquet")
    return tmp_path


def test_match_run_loads_links_finds_and_scores(tmp_path):
    world = make_world()
    folder = _folder(tmp_path, world)
    out = io.StringIO()
    call_command("match", "run", str(folder), "--year", "2020", stdout=out)
    text = out.getvalue()
    assert Link.objects.count() == 3  # the system links across the whole province
    # v1 (2015) predates the inside household's registration (2016) and excludes; v3 (2019)
    # arose after the outside household's: the ruler's exception, no finding.
    assert Finding.objects.filter(rule="excl_vehicle").count() == 1
    assert "vehicles" in text and "exact" in text and "repaired" in text
    assert "wrongly_included_found: 1" in text and "share_found: 1.0000" in text
