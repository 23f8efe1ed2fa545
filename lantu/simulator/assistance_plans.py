"""The simulator's household plans (一户一策): a plan for each registered household's poverty years
and each assisted household's last year; measures answer each cause of the plan's year from the
catalogue (``lantu/assistance/catalogue.yaml``: a random measure among those answering it), with
低保 for a household without labour and industry support for the others, and the simulator's own
industry, relocation and renovation records; a share of the current plans loses every measure
answering the main cause (the planted gap ``cause_missed``). Column-wise, no loop over households.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from lantu.assistance import codes
from lantu.simulator.params import Params

ASSISTED = ("poor", "returned", "monitored")
CHUNK = 250_000  # households per block of counties


def _catalogue() -> tuple[pl.DataFrame, pl.DataFrame]:
    cat = codes.catalogue().values()
    answers = pl.DataFrame(
        [(m.code, c, m.group) for m in cat for c in m.answers],
        orient="row",
        schema={"measure": pl.String, "cause": pl.String, "grp": pl.String},
    )
    groups = pl.DataFrame({"measure": [m.code for m in cat], "grp": [m.group for m in cat]})
    return answers, groups


def write(
    path: Path,
    p: Params,
    rng: np.random.Generator,
    h: pl.DataFrame,
    reg: Path,
    obs: Path,
    pairings: pl.DataFrame,
    last: int,
    as_of: datetime.date,
    chunk: int = CHUNK,
) -> pl.Series:
    """Write the plans to ``path`` county by county (a block of counties of about ``chunk``
    households at a time: at province scale the causes × catalogue join of every plan at once
    held 20 GB) and return the households planted with ``cause_missed``."""
    years = pl.read_parquet(
        reg / "years.parquet",
        columns=["household_no", "year", "main_cause", "other_cause_1", "other_cause_2"],
    ).with_columns(pl.col("year").cast(pl.Int32))
    m = pl.read_parquet(reg / "members.parquet", columns=["household_no", "labour", "left_reason"])
    able = (
        m.filter(pl.col("left_reason").fill_null("") == "")
        .group_by("household_no")
        .agg(pl.col("labour").is_in(["skilled", "ordinary"]).sum().alias("able"))
    )
    del m
    old = pl.read_parquet(obs / "assistance" / "measures.parquet").select(
        "household_no",
        pl.col("year").cast(pl.Int32),
        pl.col("measure").replace({"renovation": "housing"}),
    )
    cur = h.filter(pl.col("status").is_in(ASSISTED))["household_no"]
    missed = cur.sample(fraction=p.f("gaps.cause_missed"), seed=int(rng.integers(2**31)))
    county = h.select(pl.col("region_code").str.slice(0, 6).alias("county"))["county"]
    sizes = county.value_counts().sort("county")
    block = (sizes["count"].cum_sum() - 1) // max(chunk, 1)
    block_of = dict(zip(sizes["county"].to_list(), block.to_list(), strict=True))
    h = h.with_columns(county.replace_strict(block_of, return_dtype=pl.Int64).alias("_block"))
    planted: list[pl.Series] = []
    writer: pq.ParquetWriter | None = None
    n_blocks = int(block[-1]) + 1 if len(block) else 1  # one (empty) block writes the schema
    try:
        for b in range(n_blocks):
            hb = h.filter(pl.col("_block") == b).drop("_block")
            nos = hb["household_no"].implode()
            part, miss = _plans(
                rng,
                hb,
                years.filter(pl.col("household_no").is_in(nos)),
                able.filter(pl.col("household_no").is_in(nos)),
                old.filter(pl.col("household_no").is_in(nos)),
                pairings.filter(pl.col("household_no").is_in(nos)),
                missed.filter(missed.is_in(nos)),
                last,
                as_of,
            )
            planted.append(miss)
            table = part.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
    return pl.concat(planted)


def _plans(
    rng: np.random.Generator,
    h: pl.DataFrame,
    years: pl.DataFrame,
    able: pl.DataFrame,
    old: pl.DataFrame,
    pairings: pl.DataFrame,
    missed: pl.Series,
    last: int,
    as_of: datetime.date,
) -> tuple[pl.DataFrame, pl.Series]:
    """Plans for each registered household's poverty years and each assisted household's last
    year; measures answer the year's causes; the current plans of ``missed`` miss the main cause."""
    hist = (
        h.filter(pl.col("registration_year").is_not_null() & ~pl.col("status").is_in(["removed"]))
        .select(
            "household_no",
            pl.int_ranges(
                pl.col("registration_year").clip(2014, last),
                pl.col("exit_year").fill_null(2020).clip(2014, 2020) + 1,
            ).alias("year"),
        )
        .explode("year")
        .drop_nulls("year")
    )
    current = h.filter(pl.col("status").is_in(ASSISTED)).select(
        "household_no", pl.lit(last).alias("year")
    )
    plans = (
        pl.concat(
            [
                hist.with_columns(pl.col("year").cast(pl.Int32)),
                current.with_columns(pl.col("year").cast(pl.Int32)),
            ]
        )
        .unique()
        .sort("household_no", "year")
    )
    causes = (
        plans.join(
            years,
            on=["household_no", "year"],
            how="left",
        )
        .unpivot(
            index=["household_no", "year"],
            on=["main_cause", "other_cause_1", "other_cause_2"],
            value_name="cause",
        )
        .filter(pl.col("cause").is_not_null() & (pl.col("cause") != ""))
        .select("household_no", "year", "cause")
        .unique()
        .sort("household_no", "year", "cause")  # random draws follow row order: fix it
    )
    answers, _ = _catalogue()
    pick = causes.join(answers.select("measure", "cause"), on="cause").sort(
        "household_no", "year", "cause", "measure"
    )
    pick = pick.with_columns(pl.Series("r", rng.random(pick.height)))
    chosen = pick.sort("r").group_by("household_no", "year", "cause").agg(pl.col("measure").first())
    labour = plans.join(able, on="household_no", how="left").select(
        "household_no",
        "year",
        pl.when(pl.col("able").fill_null(0) > 0)
        .then(pl.lit("industry"))
        .otherwise(pl.lit("dibao"))
        .alias("measure"),
    )
    old = old.join(plans, on=["household_no", "year"])
    ms = pl.concat([chosen.select("household_no", "year", "measure"), labour, old]).unique()
    # planted: a share of the current plans lose every measure answering the main cause
    main = years.filter(pl.col("year") == last).select(
        "household_no", pl.col("main_cause").alias("cause")
    )
    bad = main.filter(
        pl.col("household_no").is_in(missed.implode()) & pl.col("cause").is_not_null()
    )
    missed = bad["household_no"]
    hit = (
        ms.filter(pl.col("year") == last)
        .join(bad, on="household_no")
        .join(answers.select("measure", "cause"), on=["measure", "cause"], how="semi")
    )
    ms = ms.join(hit, on=["household_no", "year", "measure"], how="anti")
    filler = bad.select(
        "household_no",
        pl.lit(last, pl.Int32).alias("year"),
        pl.when(pl.col("cause") == "11")
        .then(pl.lit("infrastructure"))
        .otherwise(pl.lit("motivation"))
        .alias("measure"),
    )
    ms = pl.concat([ms, filler]).unique().sort("household_no", "year", "measure")
    cadre = pairings.select("household_no", "cadre_no")
    amount = pl.Series("planned_amount", (rng.integers(5, 100, ms.height) * 100).astype(float))
    done = pl.col("year") < last
    st = h.select("household_no", "status", "exit_year")
    out = (
        ms.with_columns(amount)
        .join(cadre, on="household_no", how="left")
        .join(st, on="household_no", how="left")
        .select(
            "household_no",
            "year",
            pl.when(pl.col("status").is_in(["poor", "returned"]) | (pl.col("year") <= 2020))
            .then(pl.coalesce("exit_year", pl.lit(2020)))
            .alias("planned_exit_year"),
            pl.when((pl.col("status") == "monitored") & (pl.col("year") == last))
            .then(pl.lit(as_of + datetime.timedelta(days=182)))
            .alias("planned_risk_elimination"),
            "measure",
            "cadre_no",
            "planned_amount",
            pl.when(done).then(pl.col("planned_amount")).alias("actual_amount"),
            (pl.col("year").cast(pl.String) + "-10-31").str.to_date().alias("planned_date"),
            pl.when(done)
            .then((pl.col("year").cast(pl.String) + "-11-30").str.to_date())
            .alias("actual_date"),
            pl.when(done).then(pl.lit("done")).otherwise(pl.lit("in_progress")).alias("status"),
        )
    )
    return out.sort("household_no", "year", "measure"), missed
