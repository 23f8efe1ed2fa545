"""Dated shocks inside the year, 2021 onward, and the clues they leave (monitoring's three
channels). Runs after the yearly simulation, over its truth, all in arrays.

For every household-year with a shock (``truth/household_years``: death, illness, disability,
disaster, job loss; a share of illness onsets relabelled accident) a day of the year is drawn;
a disaster hits a whole village on one day. A household *falls* in a year when it is truly a
monitoring case that year and was not the year before; its shock date is its first shock's.

Clues (parameters and sources in ``shocks.yaml``):
- department records: each kind of shock is recorded by its department with a coverage and a
  log-normal reporting lag;
- self-report: a share of falling households report themselves after a lag;
- visits: each village has ``rounds_per_year`` visit days; a visit after the fall sees it with
  probability ``detect``.

Output: ``truth/shocks.parquet`` (household_id, year, kind, date, falls) and
``truth/clues.parquet`` (household_id, year, channel, kind, dataset, shock_date, clue_date). Both
are truth: the warning model's scoring command joins them to what the registry would see.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from lantu.simulator.params import stream

KINDS = ("death", "illness", "disability", "disaster", "job_loss")
PARAMS = Path(__file__).resolve().parent / "shocks.yaml"


def params() -> dict[str, Any]:
    with PARAMS.open(encoding="utf-8") as f:
        out: dict[str, Any] = yaml.safe_load(f)
    return out


def _v(node: Any) -> Any:
    return node["value"] if isinstance(node, dict) and "value" in node else node


def _days(year: int) -> int:
    return (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days


def _year_shocks(
    hy: pl.DataFrame, year: int, rng: np.random.Generator, p: dict[str, Any]
) -> pl.DataFrame:
    n_days, start = _days(year), datetime.date(year, 1, 1)
    villages = hy["village_code"].unique().sort()
    quake = dict(
        zip(villages.to_list(), rng.integers(0, n_days, villages.len()).tolist(), strict=True)
    )
    frames = []
    for kind in KINDS:
        rows = hy.filter(pl.col(f"shock_{kind}")).select("household_id", "village_code")
        if rows.is_empty():
            continue
        if kind == "disaster":
            day = rows["village_code"].replace_strict(quake, return_dtype=pl.Int64).to_numpy()
        else:
            day = rng.integers(0, n_days, rows.height)
        label = np.full(rows.height, kind, dtype=object)
        if kind == "illness":
            label[rng.random(rows.height) < float(_v(p["accident_share_of_illness"]))] = "accident"
        frames.append(
            pl.DataFrame(
                {"household_id": rows["household_id"], "kind": label.astype(str), "day": day}
            )
        )
    out = (
        pl.concat(frames)
        if frames
        else pl.DataFrame(schema={"household_id": pl.Int64, "kind": pl.String, "day": pl.Int64})
    )
    return out.with_columns(
        year=pl.lit(year), date=pl.lit(start) + pl.duration(days=pl.col("day"))
    ).drop("day")


def _lags(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return np.rint(median * np.exp(rng.normal(0.0, sigma, n))).astype(np.int64)


def _department_clues(
    sh: pl.DataFrame, rng: np.random.Generator, p: dict[str, Any]
) -> pl.DataFrame:
    frames = []
    for kind, d in p["departments"].items():
        rows = sh.filter(pl.col("kind") == kind)
        keep = rng.random(rows.height) < float(d["coverage"])
        rows = rows.filter(pl.Series(keep))
        lag = _lags(rng, rows.height, float(d["lag_median"]), float(d["lag_sigma"]))
        frames.append(
            rows.with_columns(
                channel=pl.lit("department"),
                dataset=pl.lit(d["dataset"]),
                clue_date=pl.col("date") + pl.duration(days=pl.lit(pl.Series(lag))),
            )
        )
    return pl.concat(frames)


def _self_reports(falls: pl.DataFrame, rng: np.random.Generator, p: dict[str, Any]) -> pl.DataFrame:
    s = p["self_report"]
    rows = falls.filter(pl.Series(rng.random(falls.height) < float(_v(s["share"]))))
    lag = _lags(rng, rows.height, float(_v(s["lag_median"])), float(_v(s["lag_sigma"])))
    return rows.with_columns(
        channel=pl.lit("self"),
        dataset=pl.lit(""),
        clue_date=pl.col("date") + pl.duration(days=pl.lit(pl.Series(lag))),
    )


def _visits(
    falls: pl.DataFrame, hy: pl.DataFrame, year: int, rng: np.random.Generator, p: dict[str, Any]
) -> pl.DataFrame:
    v = p["visits"]
    rounds, n_days = int(_v(v["rounds_per_year"])), _days(year)
    villages = hy["village_code"].unique().sort().to_list()
    width = n_days // rounds
    # Each village visits once in each of the year's rounds, on a day drawn inside the round.
    days = {
        vc: sorted(int(r * width + rng.integers(0, width)) for r in range(rounds))
        for vc in villages
    }
    where = dict(zip(hy["household_id"].to_list(), hy["village_code"].to_list(), strict=True))
    start = datetime.date(year, 1, 1)
    seen_day = []
    for hid, date in zip(falls["household_id"].to_list(), falls["date"].to_list(), strict=True):
        after = [d for d in days[where[hid]] if d >= (date - start).days]
        seen = [d for d in after if rng.random() < float(_v(v["detect"]))]
        seen_day.append(seen[0] if seen else None)
    out = falls.with_columns(seen=pl.Series(seen_day, dtype=pl.Int64)).filter(
        pl.col("seen").is_not_null()
    )
    return out.with_columns(
        channel=pl.lit("visit"),
        dataset=pl.lit(""),
        clue_date=pl.lit(start) + pl.duration(days=pl.col("seen")),
    ).drop("seen")


COLS = ["household_id", "year", "channel", "kind", "dataset", "date", "clue_date"]


def write(out: Path, seed: int, years: tuple[int, int]) -> None:
    p = params()
    first = max(int(_v(p["first_year"])), years[0] + 1)
    truth = Path(out) / "truth"
    shocks, clues = [], []
    for year in range(first, years[1] + 1):
        rng = stream(seed, f"shocks-{year}")
        hy = pl.read_parquet(truth / "household_years" / f"{year}.parquet")
        before = pl.read_parquet(
            truth / "household_years" / f"{year - 1}.parquet",
            columns=["household_id", "true_monitoring"],
        )
        sh = _year_shocks(hy, year, rng, p)
        was = set(before.filter(pl.col("true_monitoring").is_not_null())["household_id"].to_list())
        now = hy.filter(pl.col("true_monitoring").is_not_null())["household_id"]
        fallen = now.filter(~now.is_in(list(was)))
        first_shock = sh.sort("date").group_by("household_id", maintain_order=True).first()
        falls = first_shock.filter(pl.col("household_id").is_in(fallen.to_list()))
        sh = sh.with_columns(falls=pl.col("household_id").is_in(fallen.to_list()))
        shocks.append(sh)
        clues += [
            _department_clues(sh.drop("falls"), rng, p),
            _self_reports(falls, rng, p),
            _visits(falls, hy, year, rng, p),
        ]
    if not shocks:
        return
    pl.concat(shocks).sort("year", "household_id", "date", "kind").write_parquet(
        truth / "shocks.parquet"
    )
    all_clues = pl.concat([c.select(COLS) for c in clues]).rename({"date": "shock_date"})
    all_clues.sort("year", "household_id", "clue_date", "channel").write_parquet(
        truth / "clues.parquet"
    )
