"""The household register's village counts (户籍户数), written to ``observed/``: for each
village and year, how many households and people the household register (公安户籍) holds —
every household of the village, inside the poverty registry or not. The exit assessment
(``lantu.exits``) needs it as the frame of the households outside the registry; a county office
gets it from the public-security bureau's statistics. Read from the truth's yearly households
(the register is an official count, observed without error here), one GROUP BY per year.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl


def write(out: Path) -> Path:
    src = sorted((out / "truth" / "household_years").glob("*.parquet"))
    frames = [
        pl.scan_parquet(f).filter(pl.col("size") > 0)
        .group_by("village_code", "year")
        .agg(pl.len().alias("households"), pl.col("size").sum().alias("people"))
        for f in src
    ]  # fmt: skip
    target = out / "observed" / "registers" / "village_households.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pl.concat([f.collect() for f in frames]) if frames else pl.DataFrame()
    if frames:
        table = table.sort("year", "village_code")
    table.write_parquet(target, statistics=False)
    return target
