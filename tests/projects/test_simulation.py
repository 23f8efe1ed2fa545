"""A county simulation's projects load through the importers and the checks find what was
planted (slow: simulates a county)."""

from pathlib import Path

import pytest

from lantu.projects import findings, scoring, simload
from lantu.regions.models import Region
from lantu.simulator.loading import load
from lantu.simulator.run import simulate


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_planted_faults_are_found(tmp_path: Path):
    out = simulate("county", tmp_path / "sim", seed=3, people=20_000, progress=False)
    assert load(out).ok
    summary = simload.load_projects(out)
    assert summary["disbursements_written"] > 0
    county = Region.objects.get(level="county")
    found = [findings.detect(region_path=county.path, year=y) for y in range(2016, 2021)]
    import polars as pl

    table = scoring.score(out, pl.concat(found).unique())
    assert table["recall"].drop_nulls().min() >= 0.9
    assert table["precision"].drop_nulls().min() >= 0.9
