"""Scoring the checks against a simulation's planted faults (``truth/projects/faults.parquet``):
precision and recall per check. Only this scoring reads ``truth/``; the application never does.

A truth fault names a household (household checks) or a project by its number (project checks);
findings are matched on the same key: a payment finding (``project_id/household_id``) of a
household check by its household's number. The supervision room's simulator plants double
payments of its own in the same payments file (``truth/supervision/faults.parquet``,
``double_payment``): they are payments made twice as much as this room's, so they count as
``household_paid_twice`` truth.
Faults about households the load held back are not in the data and are left out of recall.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lantu.core.bulksql import select_in
from lantu.projects.simload import _held_back

HOUSEHOLD_CHECKS = ("household_paid_twice", "payee_not_registered")


def score(folder: Path, found: pl.DataFrame) -> pl.DataFrame:
    """found: check, key, project_id (as ``findings.detect`` returns). One row per check."""
    truth = pl.read_parquet(Path(folder) / "truth" / "projects" / "faults.parquet")
    other = Path(folder) / "truth" / "supervision" / "faults.parquet"
    if other.exists():
        doubles = pl.read_parquet(other).filter(pl.col("kind") == "double_payment")
        truth = pl.concat(
            [
                truth.select("check", "key"),
                doubles.select(
                    pl.lit("household_paid_twice").alias("check"),
                    pl.col("household_no").cast(pl.String).alias("key"),
                ),
            ]
        ).unique()
    held = _held_back(Path(folder))
    truth = truth.filter(~(pl.col("check").is_in(HOUSEHOLD_CHECKS) & pl.col("key").is_in(held)))
    ids = found["project_id"].drop_nulls().unique().to_list()
    codes = dict(select_in("SELECT id, code FROM projects_project WHERE id IN ({})", ids))
    hids = found["household_id"].drop_nulls().unique().to_list()
    numbers = dict(
        select_in("SELECT id, household_no FROM registry_household WHERE id IN ({})", hids)
    )
    found = (
        found.with_columns(
            pl.when(pl.col("check").is_in(HOUSEHOLD_CHECKS))
            .then(
                pl.col("household_id").replace_strict(numbers, default=None, return_dtype=pl.String)
            )
            .otherwise(
                pl.col("project_id").replace_strict(codes, default=None, return_dtype=pl.String)
            )
            .alias("key")
        )
        .select("check", "key")
        .unique()
    )
    rows = []
    for check in sorted(set(truth["check"]) | set(found["check"])):
        t = truth.filter(pl.col("check") == check)
        f = found.filter(pl.col("check") == check)
        tp = f.join(t, on=["check", "key"], how="semi").height
        rows.append(
            {
                "check": check,
                "planted": t.height,
                "found": f.height,
                "true_positives": tp,
                "precision": tp / f.height if f.height else None,
                "recall": tp / t.height if t.height else None,
            }
        )
    return pl.DataFrame(rows)
