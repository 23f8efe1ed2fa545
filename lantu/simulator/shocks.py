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


def _self_reports(
    falls: pl.DataFrame, hy: pl.DataFrame, rng: np.random.Generator, p: dict[str, Any]
) -> pl.DataFrame:
    """A share of falling households report after a lag; a share of the others ask for help too
    (a report is not a fall: these are the channel's false alarms), on a uniform day."""
    s = p["self_report"]
    rows = falls.filter(pl.Series(rng.random(falls.height) < float(_v(s["share"]))))
    lag = _lags(rng, rows.height, float(_v(s["lag_median"])), float(_v(s["lag_sigma"])))
    true = rows.with_columns(
        channel=pl.lit("self"),
        dataset=pl.lit(""),
        clue_date=pl.col("date") + pl.duration(days=pl.lit(pl.Series(lag))),
    )
    others = hy.filter(~pl.col("household_id").is_in(falls["household_id"].implode()))
    others = others.filter(pl.Series(rng.random(others.height) < float(_v(s["false_share"]))))
    return pl.concat([true, _false_clues(others, "self", rng)], how="diagonal_relaxed")


def _false_clues(rows: pl.DataFrame, channel: str, rng: np.random.Generator) -> pl.DataFrame:
    year = int(rows["year"][0]) if rows.height else 2021
    day = rng.integers(0, _days(year), rows.height)
    at = pl.lit(datetime.date(year, 1, 1)) + pl.duration(days=pl.lit(pl.Series(day)))
    return rows.select(
        "household_id",
        year=pl.lit(year, pl.Int32),
        kind=pl.lit(""),
        date=pl.lit(None, pl.Date),
        channel=pl.lit(channel),
        dataset=pl.lit(""),
        clue_date=at,
    )


def _visit_days(
    villages: pl.Series, rounds: int, width: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Each village visits once in each of the year's rounds, on a day drawn inside the round."""
    n = villages.len()
    day = np.arange(rounds)[None, :] * width + rng.integers(0, width, (n, rounds))
    return pl.DataFrame(
        {
            "village_code": np.repeat(villages.to_numpy(), rounds),
            "round": np.tile(np.arange(rounds), n),
            "visit": day.ravel().astype(np.int64),
        }
    )


def _visits(
    falls: pl.DataFrame, hy: pl.DataFrame, year: int, rng: np.random.Generator, p: dict[str, Any]
) -> pl.DataFrame:
    """Visits over whole columns: every fall meets its village's later visit days; each sees it
    with probability ``detect`` and the first that does is the clue. A visit to a household that
    has not fallen records a risk with probability ``false_alarm`` (the channel's false alarms)."""
    v = p["visits"]
    rounds, n_days = int(_v(v["rounds_per_year"])), _days(year)
    villages = hy["village_code"].unique().sort()
    days = _visit_days(villages, rounds, n_days // rounds, rng)
    start = datetime.date(year, 1, 1)
    where = hy.select("household_id", "village_code")
    pairs = (
        falls.with_row_index("_i")
        .join(where, on="household_id")
        .with_columns(_day=(pl.col("date") - pl.lit(start)).dt.total_days())
        .join(days, on="village_code")
        .filter(pl.col("visit") >= pl.col("_day"))
        .sort("_i", "visit")
    )
    pairs = pairs.filter(pl.Series(rng.random(pairs.height) < float(_v(v["detect"]))))
    seen = pairs.group_by("_i", maintain_order=True).first()
    out = seen.with_columns(
        channel=pl.lit("visit"),
        dataset=pl.lit(""),
        clue_date=pl.lit(start) + pl.duration(days=pl.col("visit")),
    ).drop("_i", "_day", "village_code", "round", "visit")
    others = hy.filter(~pl.col("household_id").is_in(falls["household_id"].implode()))
    visited = others.select("household_id", "village_code").join(days, on="village_code")
    alarm = visited.filter(pl.Series(rng.random(visited.height) < float(_v(v["false_alarm"]))))
    alarm = (
        alarm.sort("household_id", "visit").group_by("household_id", maintain_order=True).first()
    )
    false = alarm.select(
        "household_id",
        year=pl.lit(year, pl.Int32),
        kind=pl.lit(""),
        date=pl.lit(None, pl.Date),
        channel=pl.lit("visit"),
        dataset=pl.lit(""),
        clue_date=pl.lit(start) + pl.duration(days=pl.col("visit")),
    )
    return pl.concat([out, false], how="diagonal_relaxed")


COLS = ["household_id", "year", "channel", "kind", "dataset", "date", "clue_date"]


def _observed(out: Path, clues: pl.DataFrame) -> None:
    """What the platform receives of the clues (``observed/monitoring/``), keyed as the real
    sources key them: a member's ID number (the household's first member that year), never the
    simulator's household id. Department records carry the event's date and the day the record
    reached the platform; self-reports and visits finding a risk carry their day."""
    truth = out / "truth"
    py = truth / "person_years"
    if not py.exists():
        return
    ids = pl.read_parquet(truth / "persons.parquet", columns=["person_id", "id_number"])
    heads = []
    for year in clues["year"].unique().to_list():
        f = py / f"{year}.parquet"
        if f.exists():
            members = pl.read_parquet(f, columns=["person_id", "household_id"])
            heads.append(
                members.group_by("household_id")
                .agg(pl.col("person_id").min())
                .with_columns(year=pl.lit(year, pl.Int32))
            )
    if not heads:
        return
    who = pl.concat(heads).join(ids, on="person_id").select("household_id", "year", "id_number")
    c = clues.join(who, on=["household_id", "year"]).sort("clue_date", "id_number")
    dest = out / "observed" / "monitoring"
    dest.mkdir(parents=True, exist_ok=True)
    c.filter(pl.col("channel") == "department").select(
        record_id=pl.int_range(pl.len(), dtype=pl.Int64),
        dataset="dataset",
        id_number="id_number",
        event_date="shock_date",
        received_date="clue_date",
    ).write_parquet(dest / "department_signals.parquet")
    c.filter(pl.col("channel") == "self").select("id_number", date="clue_date").write_parquet(
        dest / "self_reports.parquet"
    )
    c.filter(pl.col("channel") == "visit").select("id_number", date="clue_date").write_parquet(
        dest / "visit_risks.parquet"
    )


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
        was = before.filter(pl.col("true_monitoring").is_not_null())["household_id"]
        now = hy.filter(pl.col("true_monitoring").is_not_null())["household_id"]
        fallen = now.filter(~now.is_in(was.implode())).implode()
        first_shock = sh.sort("date").group_by("household_id", maintain_order=True).first()
        falls = first_shock.filter(pl.col("household_id").is_in(fallen))
        sh = sh.with_columns(falls=pl.col("household_id").is_in(fallen))
        shocks.append(sh)
        clues += [
            _department_clues(sh.drop("falls"), rng, p),
            _self_reports(falls, hy.with_columns(year=pl.lit(year, pl.Int32)), rng, p),
            _visits(falls, hy, year, rng, p),
        ]
    if not shocks:
        return
    pl.concat(shocks).sort("year", "household_id", "date", "kind").write_parquet(
        truth / "shocks.parquet"
    )
    all_clues = pl.concat([c.select(COLS) for c in clues]).rename({"date": "shock_date"})
    all_clues = all_clues.sort("year", "household_id", "clue_date", "channel")
    all_clues.write_parquet(truth / "clues.parquet")
    _observed(Path(out), all_clues)
