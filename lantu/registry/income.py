"""Household income arithmetic (DOMAIN.md §4), written once, over columns:

    工资性 + 家庭经营性 + 财产性 + 转移性 = 家庭总收入
    家庭总收入 − 生产经营费用支出 = 家庭纯收入
    家庭纯收入 ÷ 家庭人口 = 年人均纯收入

``derive_frame`` applies it to a whole table (imports); ``derive`` to one household's facts
(services), through the same expressions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from lantu.registry.columns import YEAR_COLUMNS

COMPONENTS = ("wage_income", "business_income", "property_income", "transfer_income")
MONEY = tuple(c.name for c in YEAR_COLUMNS if c.kind == "money" and c.name != "total_income")
DERIVED = ("total_income", "net_income", "per_capita_net_income")
CENT = Decimal("0.01")


def _component_sum() -> pl.Expr:
    return pl.sum_horizontal([pl.col(c).fill_null(0).round(2) for c in COMPONENTS]).round(2)


def stated_total_mismatch(df: pl.DataFrame) -> pl.Expr:
    """True where a total income was given and is not the sum of its components."""
    if "total_income" not in df.columns:
        return pl.lit(False)
    stated = pl.col("total_income").cast(pl.Float64)
    return stated.is_not_null() & ((stated.round(2) - _component_sum()).abs() > 0.005)


def derive_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Money columns rounded to the cent and missing ones 0; totals derived. Needs ``size``."""
    present = [c for c in MONEY if c in df.columns]
    missing = [c for c in MONEY if c not in df.columns]
    out = df.with_columns(
        *[pl.col(c).cast(pl.Float64).fill_null(0).round(2) for c in present],
        *[pl.lit(0.0).alias(c) for c in missing],
    )
    out = out.with_columns(_component_sum().alias("total_income"))
    out = out.with_columns(
        (pl.col("total_income") - pl.col("production_cost")).round(2).alias("net_income")
    )
    return out.with_columns(
        pl.when(pl.col("size") > 0)
        .then((pl.col("net_income") / pl.col("size")).round(2))
        .otherwise(0.0)
        .alias("per_capita_net_income")
    )


def derive(facts: dict[str, Any], size: int) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """One household's facts with totals derived, or the error when a stated total disagrees."""
    row = {
        c: (None if facts.get(c) in (None, "") else float(facts[c]))
        for c in (*MONEY, "total_income")
    }
    frame = pl.DataFrame(
        [row | {"size": size}], schema={**dict.fromkeys(row, pl.Float64), "size": pl.Int64}
    )
    error = None
    if frame.select(stated_total_mismatch(frame)).item():
        total = frame.select(_component_sum()).item()
        error = (
            f"家庭总收入{facts['total_income']}不等于四项收入之和{total:.2f}",
            f"total income {facts['total_income']} is not the sum of its components, {total:.2f}",
        )
    derived = derive_frame(frame.drop("total_income")).row(0, named=True)
    out = dict(facts) | {"size": size}
    for c in (*MONEY, *DERIVED):
        out[c] = Decimal(str(derived[c])).quantize(CENT)
    return out, error
