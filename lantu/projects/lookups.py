"""Set-wise lookups the importers join their rows to: projects by number, households by number,
regions by code, each as a polars frame, read in chunks of raw SQL (``select_in``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from lantu.core.bulksql import select_in


def scope_of(actor: Any) -> str:
    """The actor's subtree path ('' for the system: everything)."""
    if actor is None:
        return ""
    return actor.region.path if getattr(actor, "region_id", None) else "\x00none"


def projects(codes: list[str]) -> pl.DataFrame:
    rows = select_in(
        "SELECT code, id, region_path, county_id, stage FROM projects_project WHERE code IN ({})",
        codes,
    )
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "project_code": pl.String,
            "project_id": pl.Int64,
            "project_path": pl.String,
            "county_id": pl.Int64,
            "stage": pl.String,
        },
    )


def households(numbers: list[str]) -> pl.DataFrame:
    rows = select_in(
        "SELECT household_no, id, region_path, status FROM registry_household "
        "WHERE household_no IN ({})",
        numbers,
    )
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "household_no": pl.String,
            "household_id": pl.Int64,
            "household_path": pl.String,
            "status": pl.String,
        },
    )


def regions(codes: list[str]) -> pl.DataFrame:
    rows = select_in("SELECT code, id, path, level FROM regions_region WHERE code IN ({})", codes)
    return pl.DataFrame(
        rows,
        orient="row",
        schema={"code": pl.String, "region_id": pl.Int64, "path": pl.String, "level": pl.String},
    )


def under(col: str, scope: str) -> pl.Expr:
    return pl.col(col).str.starts_with(scope) if scope else pl.lit(True)
