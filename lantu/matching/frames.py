"""The two sides of a linkage as Arrow tables with one layout, whatever they come from (the
database, a department's file, the simulator's Parquet).

records: rec (int64), id_number, name, name_py, birth_date, sex, region_code
people:  member (int64), household (str), id_number, name, name_py, birth_date, sex,
         region_code, active
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from lantu.matching.names import pinyin

RECORD_COLUMNS = ("rec", "id_number", "name", "birth_date", "sex", "region_code")
PEOPLE_COLUMNS = (
    "member",
    "household",
    "id_number",
    "name",
    "birth_date",
    "sex",
    "region_code",
    "active",
)
_TYPES = {
    "rec": pl.Int64,
    "member": pl.Int64,
    "birth_date": pl.Date,
    "active": pl.Boolean,
}


def _shape(frame: pl.DataFrame, cols: tuple[str, ...]) -> pa.Table:
    exprs = []
    for c in cols:
        dtype = _TYPES.get(c, pl.String)
        if c in frame.columns:
            e = pl.col(c).cast(dtype)
            exprs.append(e.fill_null("") if dtype == pl.String else e)
        else:
            exprs.append(pl.lit("" if dtype == pl.String else None, dtype=dtype).alias(c))
    out = frame.select(exprs)
    return out.with_columns(pinyin(out["name"]).alias("name_py")).to_arrow()


def records(frame: pl.DataFrame) -> pa.Table:
    return _shape(frame, RECORD_COLUMNS)


def people(frame: pl.DataFrame) -> pa.Table:
    return _shape(frame, PEOPLE_COLUMNS)
