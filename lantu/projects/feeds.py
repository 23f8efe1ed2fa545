"""What the project room tells the ruler about each household, joined onto the registry snapshot
(``lantu.engine.snapshot.register_linked``), as of a year, set-wise in SQL:

- ``project_reach``: approved projects that list it as a beneficiary, and projects that paid it,
  up to the year (the county exit clause "every registered household reached by at least one
  project or fund" reads it through ``unreached_households``);
- ``assisted_vehicle`` / ``assisted_property`` / ``assisted_company``: a household asset of that
  type registered for it by a project (the exclusions' "came as assistance" exceptions).

Payments made twice and payments to a payee outside the household are rules of the payment level
(``d_paid_once``, ``d_payee_in_household``: ``lantu.projects.checks``), not household facts.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow as pa
from django.db import connection

from lantu.projects.models import APPROVED_STAGES

STAGES = ", ".join(f"'{s}'" for s in APPROVED_STAGES)


def _rows(sql: str, params: list[Any], names: list[str]) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    schema = {n: (pl.String if n == "household_no" else pl.Int64) for n in names}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _where(
    year: int | None, region_path: str | None, *, exact_year: bool, alias: str
) -> tuple[str, list[Any]]:
    parts: list[str] = ["h.region_path LIKE %s"]
    params: list[Any] = [f"{region_path or ''}%"]
    if year is not None:
        parts.append(f"{alias}.year {'=' if exact_year else '<='} %s")
        params.append(year)
    return " AND ".join(parts), params


def household_facts(year: int | None, region_path: str | None) -> pa.Table:
    w, p = _where(year, region_path, exact_year=False, alias="x")
    reach = _rows(
        "SELECT h.household_no, COUNT(DISTINCT x.project_id) FROM ("
        "SELECT b.household_id, b.project_id, pr.year FROM projects_beneficiary b "
        f"JOIN projects_project pr ON pr.id = b.project_id WHERE pr.stage IN ({STAGES}) "
        "UNION SELECT d.household_id, d.project_id, d.year FROM projects_disbursement d) x "
        f"JOIN registry_household h ON h.id = x.household_id WHERE {w} GROUP BY h.household_no",
        p,
        ["household_no", "project_reach"],
    )
    w, p = _where(year, region_path, exact_year=False, alias="a")
    assets = _rows(
        "SELECT h.household_no, "
        "SUM(CASE WHEN a.household_asset = 'vehicle' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.household_asset = 'property' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.household_asset = 'company' THEN 1 ELSE 0 END) FROM projects_asset a "
        f"JOIN registry_household h ON h.id = a.household_id WHERE {w} GROUP BY h.household_no",
        p,
        ["household_no", "assisted_vehicle", "assisted_property", "assisted_company"],
    ).with_columns(
        pl.col(c).cast(pl.Int64) > 0
        for c in ("assisted_vehicle", "assisted_property", "assisted_company")
    )
    out = reach.with_columns(pl.col("project_reach").cast(pl.Int64))
    return out.join(assets, on="household_no", how="full", coalesce=True).to_arrow()


def _union(have: pl.Expr, fed: pl.Expr, boolean: bool) -> pl.Expr:
    """Several rooms may feed one variable (assisted_* from assistance measures and from project
    assets): booleans are OR-ed, counts added; NULL only where no room says anything."""
    zero = pl.lit(False) if boolean else pl.lit(0)
    both = (
        have.fill_null(zero) | fed.fill_null(zero)
        if boolean
        else have.fill_null(0) + fed.fill_null(0)
    )
    return pl.when(have.is_null() & fed.is_null()).then(None).otherwise(both)


def add_to_snapshot(
    tables: dict[str, pa.Table], years: tuple[int, ...], region_path: str | None
) -> dict[str, pa.Table]:
    """The registry snapshot's households with this room's facts joined on, as of the last year
    (``lantu.engine.snapshot.register_linked``), in union with what other rooms added."""
    if "households" not in tables:
        return tables
    facts = pl.DataFrame(pl.from_arrow(household_facts(max(years) if years else None, region_path)))
    hh = pl.DataFrame(pl.from_arrow(tables["households"]))
    hh = hh.with_columns(pl.col("household_no").cast(pl.String))
    cols = [c for c in facts.columns if c != "household_no"]
    merged = hh.join(facts.rename({c: f"__{c}" for c in cols}), on="household_no", how="left")
    for c in cols:
        fed = pl.col(f"__{c}")
        boolean = facts.schema[c] == pl.Boolean
        merged = merged.with_columns(
            (
                _union(pl.col(c).cast(facts.schema[c]), fed, boolean) if c in hh.columns else fed
            ).alias(c)
        ).drop(f"__{c}")
    return tables | {"households": merged.to_arrow()}
