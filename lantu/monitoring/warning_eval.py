"""Training and measuring the early warning on a simulated province (a scoring command: it reads
the simulator's ``truth/``, which the application never does; ``lantu monitoring warning``).

Rows: each household not already monitored, on the 1st of every month of the year (monthly
scoring) and on the day of every department record about it (rescoring as the data-sharing centre
pushes records). Household features come from the year before (the registry's record of it; the
simulator's truth stands in for it, so the income the model sees is noise-free — an
overstatement the figures carry); department counts from the dated records of
``truth/clues.parquet`` up to the row's day. Label: the household falls this year.

Measured per test year: of the households that truly fall after a dated shock, the share alerted
on or before 15 days after the shock (an alert earlier in the year counts); the alerts' precision
(alerted households truly a monitoring case that year); the same for the rules-only baseline; and
per channel (department, self-report, visit) the days from the shock to the first clue.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lantu.monitoring import policy, warning

WINDOW = 15


def _line(year: int) -> float:
    """The ruler's monitoring line of ``year`` (the policy in force)."""
    return float(policy.policy().parameters["monitoring_line"].at(year).value)  # type: ignore[union-attr]


def households(sim: Path, year: int) -> pl.DataFrame:
    t = sim / "truth" / "household_years"
    prev = pl.read_parquet(t / f"{year - 1}.parquet")
    prev2 = pl.read_parquet(t / f"{year - 2}.parquet", columns=["household_id", "pc"])
    now = pl.read_parquet(t / f"{year}.parquet", columns=["household_id", "true_monitoring"])
    line = _line(year)
    df = prev.join(prev2.rename({"pc": "pc2"}), on="household_id", how="left").join(
        now, on="household_id", how="inner"
    )
    df = df.filter(pl.col("registry_status") != "monitored")
    return df.select(
        "household_id",
        ratio=pl.col("pc") / line,
        ratio_change=(pl.col("pc") - pl.col("pc2").fill_null(pl.col("pc"))) / line,
        size=pl.col("size"),
        dibao=pl.col("dibao").cast(pl.Float64),
        oop_share=pl.col("medical_out_of_pocket") / pl.max_horizontal(pl.col("net"), 1.0),
        housing_bad=pl.col("housing_grade").cast(pl.String).is_in(["C", "D"]).cast(pl.Float64),
        registered=pl.col("registry_status")
        .cast(pl.String)
        .is_in(["exited", "risk_eliminated"])
        .cast(pl.Float64),
        monitoring=pl.col("true_monitoring").is_not_null(),
    )


def rows(sim: Path, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(scoring rows with features and label, the year's falls with their shock dates)."""
    hh = households(sim, year)
    shocks = pl.read_parquet(sim / "truth" / "shocks.parquet").filter(pl.col("year") == year)
    falls = shocks.filter("falls").group_by("household_id").agg(shock=pl.col("date").min())
    clues = pl.read_parquet(sim / "truth" / "clues.parquet").filter(pl.col("year") == year)
    dept = clues.filter(pl.col("channel") == "department").select(
        "household_id", "dataset", "clue_date"
    )
    months = pl.DataFrame({"at": [datetime.date(year, m, 1) for m in range(1, 13)]})
    monthly = hh.select("household_id").join(months, how="cross")
    events = dept.filter(pl.col("clue_date").dt.year() == year).select(
        "household_id", at="clue_date"
    )
    points = (
        pl.concat([monthly, events]).unique().join(hh.select("household_id"), on="household_id")
    )
    counted = points.join(dept, on="household_id", how="left").with_columns(
        hit=(pl.col("clue_date") <= pl.col("at")).fill_null(False)
    )
    counts = counted.group_by("household_id", "at").agg(
        [((pl.col("dataset") == d) & pl.col("hit")).sum().alias(f"n_{d}") for d in warning.DATASETS]
    )
    out = counts.join(hh, on="household_id").join(falls, on="household_id", how="left")
    out = out.with_columns(label=pl.col("shock").is_not_null(), year=pl.lit(year))
    return out, falls


def measure(scored: pl.DataFrame, alert: np.ndarray, falls: pl.DataFrame) -> dict[str, Any]:
    df = scored.with_columns(alert=pl.Series(alert)).filter("alert")
    first = df.group_by("household_id").agg(
        first=pl.col("at").min(), monitoring=pl.col("monitoring").first()
    )
    joined = falls.join(first, on="household_id", how="left")
    window = joined["shock"] + datetime.timedelta(days=WINDOW)
    caught = (joined["first"].is_not_null() & (joined["first"] <= window)).sum()
    return {
        "falls": falls.height,
        "caught_15d": int(caught),
        "recall_15d": caught / falls.height if falls.height else None,
        "alerted": first.height,
        "precision": first["monitoring"].cast(pl.Float64).sum() / first.height
        if first.height
        else None,
    }


def channel_delays(sim: Path, years: list[int]) -> pl.DataFrame:
    clues = pl.read_parquet(sim / "truth" / "clues.parquet").filter(pl.col("year").is_in(years))
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


def run(sim: Path, train: list[int], test: list[int], precision: float = 0.5) -> dict[str, Any]:
    frames = {y: rows(sim, y) for y in sorted({*train, *test})}
    fit_years, valid_year = train[:-1] or train, train[-1]
    fit_rows = pl.concat([frames[y][0] for y in fit_years])
    clf = warning.fit(fit_rows)
    valid = frames[valid_year][0]
    threshold = warning.threshold_for(
        warning.score(clf, valid), valid["monitoring"].to_numpy(), precision
    )
    model = warning.Model(clf, threshold, warning.typical(fit_rows))
    results = []
    for y in test:
        scored, falls = frames[y]
        s = warning.score(model, scored)
        results.append(
            {
                "year": y,
                "model": measure(scored, s >= threshold, falls),
                "baseline": measure(scored, warning.baseline(scored), falls),
            }
        )
    last, _ = frames[test[-1]]
    flagged = last.filter(pl.Series(warning.score(model, last) >= threshold)).head(200)
    return {
        "threshold": threshold,
        "results": results,
        "channels": channel_delays(sim, test),
        "examples": list(
            zip(
                flagged["household_id"].to_list()[:5],
                warning.reasons(model, flagged)[:5],
                strict=False,
            )
        ),
    }
