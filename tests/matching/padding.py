"""A registry padded to a county's size, so the tests' priors and scaled u values are a county's
(``linkage.yaml`` u_people): the padding lives in another county, with names and birth dates no
record shares."""

import polars as pl
import pyarrow as pa

COUNTY_PEOPLE = 36_700


def county_sized(table: pa.Table, n: int = COUNTY_PEOPLE) -> pa.Table:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    pad = pl.DataFrame(
        {
            "member": pl.int_range(900_000, 900_000 + n, dtype=pl.Int64, eager=True),
            "name": [f"填充{i}" for i in range(n)],
            "region_code": ["530699001001"] * n,
        }
    )
    missing = [c for c in frame.columns if c not in pad.columns]
    pad = pad.with_columns([pl.lit(None, dtype=frame.schema[c]).alias(c) for c in missing])
    pad = pad.select(frame.columns)
    if "active" in frame.columns:
        pad = pad.with_columns(pl.lit(True).alias("active"))
    padded = pl.concat([frame, pad.cast(dict(frame.schema))]).to_arrow()
    return padded.cast(table.schema)
