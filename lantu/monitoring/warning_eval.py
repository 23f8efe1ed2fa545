"""Training and measuring the early warning on a simulated province (a scoring command: it reads
the simulator's ``truth/`` for the label and the judge only; ``lantu monitoring warning``).

Features come from ``observed/`` alone (``warning_features``): the rows are the register's
households (``hukou_no``) on the 1st of every month (monthly scoring) and on every day a clue about
them reaches the platform (a department record, a self-report, a visit finding a risk). The truth
enters in two places: the label (the household falls this year: truly a monitoring case and not
the year before) with the population (households not a monitoring case the year before), and the
judge below, which maps ``hukou_no`` to the simulator's household through its members' ID numbers.

Measured per test year: of the households that truly fall after a dated shock, the share alerted
on or before 15 days after the shock (an alert earlier in the year counts); the alerts' precision
(alerted households truly a monitoring case that year); the same for the rules-only baseline; per
channel (department, self-report, visit) the days from the shock to the first clue; and the
ceiling: the share of falls that any clue reaches within 15 days, and the share caught before
their shock (only a prediction from last year's record can do that).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lantu.monitoring import policy, warning
from lantu.monitoring import warning_features as wf

WINDOW = 15


def _line(year: int) -> float:
    """The ruler's monitoring line of ``year`` (the policy in force)."""
    return float(policy.policy().parameters["monitoring_line"].at(year).value)  # type: ignore[union-attr]


def judge(sim: Path, year: int) -> pl.DataFrame:
    """The truth about each household of the year: hukou_no, household_id, was (a monitoring case
    the year before), monitoring (this year), shock (the falling household's first shock)."""
    t = sim / "truth"
    py = pl.read_parquet(
        t / "person_years" / f"{year}.parquet", columns=["person_id", "household_id"]
    )
    ids = pl.read_parquet(t / "persons.parquet", columns=["person_id", "id_number"])
    ps = pl.read_parquet(
        sim / "observed" / "departments" / "public_security.parquet",
        columns=["id_number", "hukou_no"],
    )
    hukou = (
        py.join(ids, on="person_id")
        .join(ps, on="id_number")
        .group_by("hukou_no")
        .agg(pl.col("household_id").mode().first())
    )
    hy = t / "household_years"
    now = pl.read_parquet(hy / f"{year}.parquet", columns=["household_id", "true_monitoring"])
    before = pl.read_parquet(
        hy / f"{year - 1}.parquet", columns=["household_id", "true_monitoring"]
    )
    shocks = pl.read_parquet(t / "shocks.parquet").filter(
        (pl.col("year") == year) & pl.col("falls")
    )
    falls = shocks.group_by("household_id").agg(shock=pl.col("date").min())
    return (
        hukou.join(now, on="household_id")
        .join(before.rename({"true_monitoring": "before"}), on="household_id", how="left")
        .join(falls, on="household_id", how="left")
        .select(
            "hukou_no",
            "household_id",
            was=pl.col("before").is_not_null(),
            monitoring=pl.col("true_monitoring").is_not_null(),
            shock="shock",
        )
    )


def rows(sim: Path, year: int, horizon: int | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(scoring rows with features, label and the judge's columns; the year's households).
    The label is "falls this year", or with ``horizon`` "has fallen or falls within ``horizon``
    days of the row's day" (a sharper target for a monthly score)."""
    obs = sim / "observed"
    base = wf.static(obs, year, _line(year))
    sig = wf.signals(obs, year)
    truth = judge(sim, year).filter(~pl.col("was"))
    base = base.join(truth.select("hukou_no"), on="hukou_no", how="semi")
    points = pl.concat(
        [
            wf.monthly_points(base["hukou_no"], year),
            sig.select("hukou_no", at="received").join(base.select("hukou_no"), on="hukou_no"),
        ]
    ).unique()
    out = wf.at(base, sig, points).join(
        truth.select("hukou_no", "monitoring", "shock"), on="hukou_no"
    )
    label = pl.col("shock").is_not_null()
    if horizon is not None:
        label = label & (pl.col("shock") <= pl.col("at") + datetime.timedelta(days=horizon))
    out = out.with_columns(label=label.fill_null(False), year=pl.lit(year))
    return out, truth


def measure(scored: pl.DataFrame, alert: np.ndarray, truth: pl.DataFrame) -> dict[str, Any]:
    df = scored.with_columns(alert=pl.Series(alert)).filter("alert")
    first = df.group_by("hukou_no").agg(
        first=pl.col("at").min(), monitoring=pl.col("monitoring").first()
    )
    falls = truth.filter(pl.col("shock").is_not_null())
    joined = falls.join(first.drop("monitoring"), on="hukou_no", how="left")
    window = joined["shock"] + datetime.timedelta(days=WINDOW)
    caught = (joined["first"].is_not_null() & (joined["first"] <= window)).sum()
    before = (joined["first"].is_not_null() & (joined["first"] < joined["shock"])).sum()
    return {
        "falls": falls.height,
        "caught_15d": int(caught),
        "recall_15d": caught / falls.height if falls.height else None,
        "before_shock": int(before),
        "alerted": first.height,
        "precision": first["monitoring"].cast(pl.Float64).sum() / first.height
        if first.height
        else None,
    }


def channel_delays(sim: Path, years: list[int]) -> pl.DataFrame:
    """Days from the shock to each channel's first clue over the falls of ``years``; ``within_15d``
    is the share of all falls, so the row ``any`` is the ceiling of alerting on clues."""
    clues = pl.read_parquet(sim / "truth" / "clues.parquet").filter(
        pl.col("year").is_in(years) & pl.col("shock_date").is_not_null()
    )
    shocks = pl.read_parquet(sim / "truth" / "shocks.parquet").filter(
        pl.col("year").is_in(years) & pl.col("falls")
    )
    falling = shocks.select("household_id", "year").unique()
    c = clues.join(falling, on=["household_id", "year"]).with_columns(
        days=(pl.col("clue_date") - pl.col("shock_date")).dt.total_days()
    )
    first = c.group_by("household_id", "year", "channel").agg(pl.col("days").min())
    any_first = (
        c.group_by("household_id", "year")
        .agg(pl.col("days").min())
        .with_columns(channel=pl.lit("any"))
    )
    both = pl.concat([first, any_first.select(first.columns)])
    n = falling.height
    return (
        both.group_by("channel")
        .agg(
            households=pl.len(),
            share=pl.len() / n,
            median_days=pl.col("days").median(),
            p90_days=pl.col("days").quantile(0.9),
            within_15d=(pl.col("days") <= WINDOW).sum() / n,
        )
        .sort("channel")
    )


def _household_threshold(scored: pl.DataFrame, s: np.ndarray, precision: float) -> float:
    """The lowest threshold whose alerted *households* (any row over it) are ``precision`` right."""
    per = (
        scored.select("hukou_no", "monitoring")
        .with_columns(s=pl.Series(s))
        .group_by("hukou_no")
        .agg(pl.col("s").max(), pl.col("monitoring").first())
    )
    return warning.threshold_for(per["s"].to_numpy(), per["monitoring"].to_numpy(), precision)


def run(
    sim: Path,
    train: list[int],
    test: list[int],
    precision: float = 0.5,
    horizon: int | None = None,
) -> dict[str, Any]:
    """Fit on ``train`` but its last year, calibrate and set the threshold on the last, measure
    on ``test``."""
    frames = {y: rows(sim, y, horizon) for y in sorted({*train, *test})}
    fit_years, valid_year = train[:-1] or train, train[-1]
    fit_rows = pl.concat([frames[y][0] for y in fit_years])
    valid = frames[valid_year][0]
    clf = warning.fit(fit_rows, calibrate=valid if len(train) > 1 else None)
    threshold = _household_threshold(valid, warning.score(clf, valid), precision)
    model = warning.Model(clf, threshold, warning.typical(fit_rows))
    results = []
    for y in test:
        scored, truth = frames[y]
        s = warning.score(model, scored)
        results.append(
            {
                "year": y,
                "model": measure(scored, s >= threshold, truth),
                "baseline": measure(scored, warning.baseline(scored), truth),
            }
        )
    last, _ = frames[test[-1]]
    flagged = last.filter(pl.Series(warning.score(model, last) >= threshold)).head(200)
    return {
        "threshold": threshold,
        "model": model,
        "results": results,
        "channels": channel_delays(sim, test),
        "examples": list(
            zip(
                flagged["hukou_no"].to_list()[:5],
                warning.reasons(model, flagged)[:5],
                strict=False,
            )
        ),
    }
