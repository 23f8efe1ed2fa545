"""Household facts other rooms feed to the ruler's *linked* variables (``lantu.standards.schema``),
joined onto the registry snapshot (``lantu.engine.snapshot.from_db``).

A room registers a feed: ``feed(year, region_path) -> Arrow table`` keyed by ``household_no``,
with one column per linked household variable it knows (the year may be None: every year). Several
rooms may feed the same variable (the project room's household assets and the assistance room's
measures both say a vehicle came as assistance): the feeds are a *union* — booleans are OR-ed,
counts added — so no room's facts hide another's. A household no feed mentions keeps NULL.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pyarrow as pa

Feed = Callable[[int | None, str | None], pa.Table]
FEEDS: dict[str, Feed] = {}


def register(name: str, feed: Feed) -> None:
    FEEDS[name] = feed


def _union(have: pl.Series, more: pl.Series) -> pl.Series:
    if have.dtype == pl.Boolean or more.dtype == pl.Boolean:
        both = pl.DataFrame({"a": have.cast(pl.Boolean), "b": more.cast(pl.Boolean)})
        return both.select(
            pl.when(pl.col("a").is_null() & pl.col("b").is_null())
            .then(None)
            .otherwise(pl.col("a").fill_null(False) | pl.col("b").fill_null(False))
        ).to_series()
    both = pl.DataFrame({"a": have, "b": more})
    return both.select(
        pl.when(pl.col("a").is_null() & pl.col("b").is_null())
        .then(None)
        .otherwise(pl.col("a").fill_null(0) + pl.col("b").fill_null(0))
    ).to_series()


def joined(
    tables: dict[str, pa.Table], *, year: int | None, region_path: str | None
) -> dict[str, pa.Table]:
    """``tables`` with every registered feed's columns joined onto ``households``."""
    if not FEEDS or "households" not in tables:
        return tables
    hh = pl.DataFrame(pl.from_arrow(tables["households"]))
    key = hh["household_no"].cast(pl.String)
    hh = hh.with_columns(key.alias("household_no"))
    for feed in FEEDS.values():
        part = pl.DataFrame(pl.from_arrow(feed(year, region_path)))
        if not part.height:
            continue
        part = part.with_columns(pl.col("household_no").cast(pl.String))
        cols = [c for c in part.columns if c != "household_no"]
        merged = hh.join(part.rename({c: f"__{c}" for c in cols}), on="household_no", how="left")
        for c in cols:
            fed = merged[f"__{c}"]
            merged = merged.with_columns(
                (_union(merged[c], fed) if c in hh.columns else fed).alias(c)
            ).drop(f"__{c}")
        hh = merged
    return tables | {"households": hh.to_arrow()}
