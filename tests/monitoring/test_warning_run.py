"""The scoring run's fast path (quiet scores kept for the year, only households with a clue
re-scored) gives every household exactly the score of the full path, on a small simulated county
with a small model of the real kind (gradient-boosted trees, isotonic calibration) fitted on the
county's own rows of the year before."""

import datetime
import io
import pickle

import numpy as np
import polars as pl
import pytest
from django.core.management import call_command
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator

from lantu.monitoring import warning, warning_eval, warning_run
from lantu.monitoring import warning_features as wf


@pytest.fixture(scope="module")
def county(tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("warning_run") / "sim"
    with django_db_blocker.unblock():
        call_command("simulate", preset="county", seed=1, people=5000, out=str(folder))
    return folder


def _fit(rows: pl.DataFrame, trees: int) -> CalibratedClassifierCV:
    y = rows["label"].to_numpy()
    trees_ = HistGradientBoostingClassifier(max_iter=trees, random_state=1)
    trees_.fit(warning.matrix(rows), y)
    cal = CalibratedClassifierCV(FrozenEstimator(trees_), method="isotonic")
    return cal.fit(warning.matrix(rows), y)


@pytest.fixture(scope="module")
def rows(county):
    return warning_eval.rows(county, 2024)[0]


@pytest.fixture(scope="module")
def model(rows):
    return _fit(rows, 40)


def test_fast_path_scores_every_household_as_the_full_path(county, model, tmp_path):
    obs, line = county / "observed", 8700.0
    sig = wf.signals(obs, 2025)
    assert sig.height > 0  # the county has clues this year: both kinds of households are tested
    for day in (datetime.date(2025, 1, 1), datetime.date(2025, 6, 1), datetime.date(2025, 12, 1)):
        fast = warning_run.on_day(model, obs, day, line, cache=tmp_path).sort("hukou_no")
        ref = warning_run.full(model, obs, day, line).sort("hukou_no")
        assert fast["hukou_no"].equals(ref["hukou_no"])
        assert np.array_equal(fast["score"].to_numpy(), ref["score"].to_numpy())
        with_clue = sig.filter(pl.col("received") <= day)["hukou_no"].n_unique()
        assert with_clue == 0 or day > datetime.date(2025, 1, 1)
    # The year's quiet scores were built once and read back for the later days.
    assert len(list(tmp_path.glob("warning-2025-*.parquet"))) == 1


def test_a_new_model_or_new_data_is_not_served_a_stale_year(county, model, rows):
    obs = county / "observed"
    first = warning_run.fingerprint(model, obs, 2025, 8700.0)
    assert warning_run.fingerprint(model, obs, 2025, 8700.0) == first
    assert warning_run.fingerprint(model, obs, 2025, 9000.0) != first
    assert warning_run.fingerprint(model, obs, 2024, 8700.0) != first
    other = _fit(rows, 41)
    assert warning_run.fingerprint(other, obs, 2025, 8700.0) != first


def test_grouped_scoring_equals_row_by_row(model, rows):
    """Rows the trees route alike are scored once; every row still gets its own score."""
    quiet = rows.with_columns(
        pl.lit(v, dtype=pl.Float64).alias(c) for c, v in warning_run.QUIET.items()
    )
    for df in (rows, quiet):
        assert np.array_equal(
            warning.score_distinct(model, df), warning.score(model, df, workers=1)
        )
    assert warning._cuts(model) is not None  # the trees were read, not the row-by-row fallback


def test_score_command_writes_every_households_score_and_alert(county, model, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    kept = tmp_path / "model.pkl"
    kept.write_bytes(pickle.dumps(warning.Model(model, 0.3, {})))
    out = tmp_path / "scores.parquet"
    call_command(
        "monitoring", "score", obs=county / "observed", model=kept, day=datetime.date(2025, 6, 1),
        out=out, stdout=io.StringIO(),
    )  # fmt: skip
    got = pl.read_parquet(out)
    ref = warning_run.full(model, county / "observed", datetime.date(2025, 6, 1), 8700.0)
    assert got.height == ref.height and set(got.columns) == {"hukou_no", "score", "alert"}
    assert got["alert"].to_list() == (got["score"] >= 0.3).to_list()
    assert list((tmp_path / "warning").glob("warning-2025-*.parquet"))  # the year kept for reuse


def test_yearly_features_are_the_same_on_every_run(county):
    obs = county / "observed"
    first = wf.static(obs, 2025, 8700.0).sort("hukou_no")
    for _ in range(3):
        assert wf.static(obs, 2025, 8700.0).sort("hukou_no").equals(first)
