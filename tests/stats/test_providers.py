"""Another room's rows through a provider: the projects room's fund allocations, by source and by
use, in 10,000 yuan, rolled up from the county to the province."""

from __future__ import annotations

import json

import pytest

from lantu.projects.models import Allocation, Project
from lantu.regions.models import Region
from lantu.stats.models import Aggregate
from lantu.stats.services import refresh

pytestmark = pytest.mark.django_db


def test_funds_by_source_and_use(stats_world):
    county = Region.objects.get(code="530822000000")
    project = Project.objects.create(code="P1", name="道路", category="road", county=county,
                                     region_path=county.path, year=2020)  # fmt: skip
    for source, amount in (("central", 300_000), ("county", 50_000)):
        Allocation.objects.create(project=project, region_path=county.path, source=source,
                                  year=2020, amount=amount)  # fmt: skip
    done = refresh(actor=None)
    assert "funds_by_source" not in done.missing
    row = Aggregate.objects.get(path="/530000000000/", year=2020)
    vals = json.loads(row.vals)
    assert vals["funds_by_source"] == {"central": 30.0, "county": 5.0}
    assert vals["funds_by_use"] == {"road": 35.0}


def test_resettlement_sites_and_village_infrastructure_are_stocks(stats_world):
    """A completed relocation project counts as a site from its completion year; a poor village
    counts once it has a completed road, power, broadband and service-station project (not
    before the last of the four, and never with three)."""
    from lantu.projects.models import SIX_FIELDS, ProjectArea
    from lantu.regions.models import PovertyStatus

    county = Region.objects.get(code="530822000000")
    village = Region.objects.get(code="530822100201")
    other = Region.objects.get(code="530822100202")
    for v in (village, other):
        PovertyStatus.objects.update_or_create(region=v, year=2014, defaults={"is_poor": True})

    def project(code: str, category: str, year: int, area: Region) -> None:
        p = Project.objects.create(code=code, name=code, category=category, county=county,
                                   region_path=county.path, year=year, stage="completed",
                                   completed_date=f"{year}-10-30",
                                   **dict.fromkeys(SIX_FIELDS, "定"))  # fmt: skip
        ProjectArea.objects.create(project=p, region=area, region_path=area.path)

    project("BQ1", "relocation", 2017, village)
    for i, kind in enumerate(("road", "power", "broadband", "public_services")):
        project(f"JC{i}", kind, 2016 + i, village)  # the last in 2019
    for i, kind in enumerate(("road", "power", "broadband")):
        project(f"JD{i}", kind, 2016, other)  # three of four: not counted
    done = refresh(actor=None)
    assert "resettlement_sites" not in done.missing
    assert "village_infrastructure" not in done.missing

    def total(year: int, name: str) -> float | None:
        row = Aggregate.objects.filter(path=county.path, year=year).first()
        return json.loads(row.vals).get(name, {}).get("") if row else None

    assert total(2016, "resettlement_sites") is None
    assert total(2017, "resettlement_sites") == 1.0
    assert total(2020, "resettlement_sites") == 1.0
    assert total(2018, "village_infrastructure") is None
    assert total(2019, "village_infrastructure") == 1.0
    assert total(2020, "village_infrastructure") == 1.0
