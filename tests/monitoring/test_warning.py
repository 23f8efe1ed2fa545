"""The early warning's parts on small data: the dated shocks and clues the simulator writes, the
threshold for a precision goal, the rules baseline, a fitted model's scores and reasons."""

import datetime

import numpy as np
import polars as pl

from lantu.monitoring import warning
from lantu.simulator import shocks


def _truth(tmp_path, n=400):
    rng = np.random.default_rng(3)
    t = tmp_path / "truth" / "household_years"
    t.mkdir(parents=True)
    for year in (2020, 2021, 2022):
        cols = {"household_id": np.arange(n), "village_code": [f"V{i % 4}" for i in range(n)]}
        for k in shocks.KINDS:
            cols[f"shock_{k}"] = rng.random(n) < 0.1
        mon = ["marginal" if x < 0.1 else None for x in rng.random(n)]
        df = pl.DataFrame(cols).with_columns(true_monitoring=pl.Series(mon, dtype=pl.String))
        df.write_parquet(t / f"{year}.parquet")
    return tmp_path


def test_shocks_are_dated_inside_the_year_and_clues_follow_them(tmp_path):
    out = _truth(tmp_path)
    shocks.write(out, 1, (2014, 2022))
    s = pl.read_parquet(out / "truth" / "shocks.parquet")
    assert set(s["year"]) == {2021, 2022}
    assert (s["date"].dt.year() == s["year"]).all()
    quake = s.filter(pl.col("kind") == "disaster").join(
        pl.read_parquet(out / "truth" / "household_years" / "2021.parquet").select(
            "household_id", "village_code"
        ),
        on="household_id",
    )
    # A disaster hits a village on one day.
    per_village = (
        quake.filter(pl.col("year") == 2021).group_by("village_code").agg(pl.col("date").n_unique())
    )
    assert (per_village["date"] == 1).all()
    c = pl.read_parquet(out / "truth" / "clues.parquet")
    assert set(c["channel"]) <= {"department", "self", "visit"}
    assert (c["clue_date"] >= c["shock_date"]).all()
    again = tmp_path / "again"
    _truth(again)
    shocks.write(again, 1, (2014, 2022))
    assert pl.read_parquet(again / "truth" / "clues.parquet").equals(c)  # one seed, one result


def test_threshold_meets_the_precision_goal():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1])
    truth = np.array([1, 1, 0, 1, 0, 0])
    assert warning.threshold_for(scores, truth, 0.6) == 0.5  # 3 of 5 right; lower: 3 of 6
    assert warning.threshold_for(scores, truth, 0.5) == 0.1
    assert warning.threshold_for(scores, np.zeros(6), 0.5) == 1.0


def _frame(n, rng):
    cols = {f: rng.random(n) for f in warning.FEATURES}
    cols["n_medical_bills"] = (rng.random(n) < 0.2).astype(float)
    df = pl.DataFrame(cols)
    return df.with_columns(label=(pl.col("n_medical_bills") > 0) & (pl.col("ratio") < 0.5))


def test_model_scores_and_names_its_reasons():
    rng = np.random.default_rng(1)
    train = _frame(3000, rng)
    clf = warning.fit(train)
    test = _frame(1000, rng)
    s = warning.score(clf, test)
    truth = test["label"].to_numpy()
    assert s[truth].mean() > 0.5 > s[~truth].mean()
    model = warning.Model(clf, 0.5, warning.typical(train))
    flagged = test.filter(pl.Series(s >= 0.5))
    why = warning.reasons(model, flagged)
    assert len(why) == flagged.height
    assert sum("medical_bills" in w for w in why) > 0.8 * len(why)


def test_rules_baseline_alerts_on_any_record_or_low_income():
    df = pl.DataFrame({f: [0.0, 0.0, 0.0] for f in warning.FEATURES}).with_columns(
        ratio=pl.Series([2.0, 0.8, 2.0]), n_employment=pl.Series([0.0, 0.0, 1.0])
    )
    assert warning.baseline(df).tolist() == [False, True, True]
    assert datetime.date(2021, 1, 1)  # the module is dated from 2021 (shocks.yaml first_year)


def test_signals_count_only_once_received():
    """A department record counts from the day it reaches the platform, not the day it records."""
    from lantu.monitoring import warning_features as wf

    base = pl.DataFrame({"hukou_no": ["A", "B"], **{c: [1.0, 1.0] for c in wf.STATIC}})
    d = datetime.date
    sig = pl.DataFrame(
        {
            "hukou_no": ["A", "A"],
            "what": ["medical_bills", "self"],
            "event": [d(2023, 3, 1), d(2023, 3, 20)],
            "received": [d(2023, 3, 10), d(2023, 3, 20)],
        }
    )
    points = pl.DataFrame(
        {
            "hukou_no": ["A", "A", "A", "B"],
            "at": [d(2023, 3, 5), d(2023, 3, 10), d(2023, 4, 1), d(2023, 4, 1)],
        }
    )
    out = wf.at(base, sig, points).sort("hukou_no", "at")
    assert out["n_medical_bills"].to_list() == [0.0, 1.0, 1.0, 0.0]
    assert out["self_reports"].to_list() == [0.0, 0.0, 1.0, 0.0]
    assert out["days_since_event"].to_list() == [999.0, 9.0, 12.0, 999.0]
    assert set(wf.FEATURES) <= set(out.columns)
