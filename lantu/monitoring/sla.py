"""The SLA view: per township, county or department — tickets open, overdue, the median days to
the first response and to closing, and the reporters' satisfaction.

One indexed, scoped query fetches the few date columns of the tickets in the user's subtree (no
personal data), and polars groups them: medians are not portable SQL (SQLite has none), and a
province's tickets are a few hundred thousand narrow rows.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lantu.core.errors import ValidationFailed
from lantu.monitoring import catalogue, queries
from lantu.procedures import clock
from lantu.regions.models import Region

KEYS = {"township": "township_code", "county": "county_code", "department": "tasks__department"}
COLUMNS = ["state", "due", "received_on", "responded_on", "closed_on", "satisfied"]


def _frame(user: Any, by: str) -> pl.DataFrame:
    if by not in KEYS:
        raise ValidationFailed(f"未知的分组：{by}", f"unknown grouping {by}")
    rows = list(queries.visible(user).values_list(KEYS[by], *COLUMNS))
    schema = {
        "key": pl.String,
        "state": pl.String,
        "due": pl.Date,
        "received_on": pl.Date,
        "responded_on": pl.Date,
        "closed_on": pl.Date,
        "satisfied": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def table(user: Any, *, by: str = "township") -> list[dict[str, Any]]:
    df = _frame(user, by)
    if df.is_empty():
        return []
    today = clock.today()
    active = pl.col("state").is_in(["received", "accepted"])
    out = (
        df.group_by("key")
        .agg(
            tickets=pl.len(),
            open=pl.col("state").is_in(["received", "accepted", "resolved"]).sum(),
            overdue=(active & (pl.col("due") < today)).sum(),
            respond_days=(pl.col("responded_on") - pl.col("received_on")).dt.total_days().median(),
            close_days=(pl.col("closed_on") - pl.col("received_on")).dt.total_days().median(),
            signed=pl.col("satisfied").is_not_null().sum(),
            satisfied=pl.col("satisfied").fill_null(False).sum(),
        )
        .sort("key")
    )
    names = _names(by, [k for k in out["key"].to_list() if k])
    rows = out.to_dicts()
    for r in rows:
        r["name"] = names.get(r["key"], r["key"] or "")
        r["satisfaction"] = r["satisfied"] / r["signed"] if r["signed"] else None
    return rows


def _names(by: str, keys: list[str]) -> dict[str, str]:
    if by == "department":
        return {k: catalogue.label("department", k) for k in keys}
    return dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
