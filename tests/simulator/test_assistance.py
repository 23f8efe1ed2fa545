"""The simulator's assistance people: the plans are written a block of counties at a time (the
province's plans at once held 20 GB) and the blocks change no plan and no gap; the planted gaps
are found."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lantu.assistance.scoring import score
from lantu.simulator import assistance, assistance_plans
from lantu.simulator.run import simulate


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    return simulate("yunnan", tmp_path_factory.mktemp("asst"), seed=3, people=20000, progress=False)


def _plans(run: Path) -> pl.DataFrame:
    return pl.read_parquet(run / "observed" / "assistance" / "plans.parquet")


def test_blocks_of_counties_write_the_same_plans(run, monkeypatch):
    whole = _plans(run)
    gaps = pl.read_parquet(run / "truth" / "assistance_gaps.parquet")
    counties = whole["household_no"].str.slice(0, 6).n_unique()
    assert counties > 3  # the test means something only with several blocks
    monkeypatch.setattr(assistance_plans.write, "__defaults__", (1,))  # one county per block
    assistance.write(run, 3)
    blocked = _plans(run)
    # the same plans and the same planted gaps (the measures drawn at random differ in order)
    keys = ["household_no", "year"]
    assert blocked.select(keys).unique().sort(keys).equals(whole.select(keys).unique().sort(keys))
    assert pl.read_parquet(run / "truth" / "assistance_gaps.parquet").equals(gaps)
    assert abs(blocked.height - whole.height) < 0.01 * whole.height


def test_the_rules_find_every_planted_gap(run):
    table = score(run)
    assert table["planted"].min() > 0
    assert table["precision"].to_list() == [1.0] * 3
    assert table["recall"].to_list() == [1.0] * 3
