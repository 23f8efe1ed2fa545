import polars as pl
import pytest
from django.core.management import call_command

from lantu.simulator.calibration import FIGURES, check
from lantu.simulator.run import simulate


@pytest.mark.django_db
def test_check_prints_every_seed_figure_and_village_figures_hold_at_any_scale(tmp_path, capsys):
    out = simulate("yunnan", tmp_path / "y", seed=2, people=20000, progress=False)
    table = check(out)
    assert table.height == len(FIGURES)
    assert table["simulated"].is_finite().all()
    by_key = dict(zip([f.key for f in FIGURES], table.iter_rows(named=True), strict=True))
    # Village-based figures do not depend on the number of people simulated.
    for key in ("poor_villages", "first_secretaries", "work_team_members"):
        assert by_key[key]["within_5pct"], key
    assert by_key["poor_villages"]["raw"] == 8502
    call_command("simulate-check", str(out))
    printed = capsys.readouterr().out
    assert "8,502" in printed and "within 5%" in printed


def test_check_reads_only_observed(tmp_path):
    out = simulate("county", tmp_path / "c", seed=2, people=1500, progress=False)
    for f in (out / "truth").rglob("*.parquet"):
        f.unlink()
    assert check(out).height == len(FIGURES)
    assert pl.read_parquet(out / "observed" / "regions.parquet").height > 0


@pytest.mark.slow
def test_yunnan_reproduces_every_seed_figure_within_five_percent(tmp_path):
    # One million people (scaled to the province): about half a minute on two idle cores.
    out = simulate("yunnan", tmp_path / "y", seed=1, people=1_000_000, progress=False)
    table = check(out)
    assert table["within_5pct"].all(), table
