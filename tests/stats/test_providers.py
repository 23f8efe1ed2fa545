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
