"""Writing households' yearly facts set-wise: one row per (household, year).

Rows new to the registry are derived (income totals, per-capita income: ``lantu.registry.income``)
and inserted column-wise; rows already stored are compared with what is stored and only those that
differ are updated. A year's household size is the one given, or else the household's current
number of members.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lantu.core.bulksql import select_in
from lantu.registry import income
from lantu.registry.columns import YEAR_COLUMNS
from lantu.registry.models import HouseholdYear
from lantu.registry.rows import ChangeLog, fetch, insert_frame, with_defaults

CHUNK = 5000
FIELDS = [c.name for c in YEAR_COLUMNS if c.name not in ("year", "size", "total_income")]
STORED = ["size", *FIELDS, "total_income", "net_income", "per_capita_net_income"]
PLAIN = [f for f in FIELDS if f not in income.MONEY]


def write_years(rows: pl.DataFrame, ids: dict[str, int], log: ChangeLog, *, quiet: set[str]) -> int:
    """Apply ``rows`` (household_no, year and yearly columns, typed); returns rows written.
    Changes to households in ``quiet`` (created by this import) are not logged separately."""
    if "year" not in rows.columns:
        return 0
    rows = rows.filter(pl.col("year").is_not_null())
    if not rows.height:
        return 0
    id_map = pl.DataFrame({"household_no": list(ids), "household": list(ids.values())})
    current = select_in(
        "SELECT id, size FROM registry_household WHERE id IN ({})", list(ids.values())
    )
    sizes = pl.DataFrame(current, schema={"household": pl.Int64, "_size": pl.Int64}, orient="row")
    df = rows.join(id_map, on="household_no").join(sizes, on="household", how="left")
    given = pl.col("size").cast(pl.Int64) if "size" in df.columns else pl.lit(None, dtype=pl.Int64)
    df = df.with_columns(pl.coalesce(given, pl.col("_size"), pl.lit(0)).alias("size")).drop("_size")
    df = income.derive_frame(with_defaults(df, HouseholdYear, PLAIN))
    df = df.with_columns(pl.col("year").cast(pl.Int64))
    stored = fetch(
        HouseholdYear, "household_id", list(ids.values()), ["household_id", "year", *STORED]
    )
    keys = pl.DataFrame(
        [(r["household_id"], r["year"]) for r in stored],
        schema={"household": pl.Int64, "year": pl.Int64},
        orient="row",
    )
    new = df.join(keys, on=["household", "year"], how="anti")
    insert_frame(HouseholdYear, new, ["household", "year", *STORED])
    for no, year in (
        new.filter(~pl.col("household_no").is_in(list(quiet)))
        .select("household_no", "year")
        .iter_rows()
    ):
        log.diff(no, f"year {year}", {}, {"recorded": True})
    return new.height + _update(df.join(keys, on=["household", "year"], how="semi"), stored, log)


def _update(df: pl.DataFrame, stored: list[dict[str, Any]], log: ChangeLog) -> int:
    by_key = {(r["household_id"], r["year"]): r for r in stored}
    changed: list[HouseholdYear] = []
    for rec in df.select("household_no", "household", "year", *STORED).iter_rows(named=True):
        old = by_key[(rec["household"], rec["year"])]
        values = {n: rec[n] for n in STORED}
        if log.diff(rec["household_no"], f"year {rec['year']}", old, values):
            changed.append(
                HouseholdYear(
                    id=old["id"], household_id=rec["household"], year=rec["year"], **values
                )
            )
    if changed:
        HouseholdYear.objects.bulk_update(changed, STORED, batch_size=CHUNK)
    return len(changed)
