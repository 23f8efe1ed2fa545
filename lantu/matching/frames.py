"""The two sides of a linkage as Arrow tables with one layout, whatever they come from (the
database, a department's file, the simulator's Parquet).

records: rec (int64), id_number, name, name_py, birth_date, sex, region_code,
         household_size (int64, household-level records only), role ('head' for a record about
         a household's head, else ''), phone (digits; the record's contact phone, else '')
people:  member (int64), household (str), id_number, name, name_py, birth_date, sex,
         region_code, active, household_size (the household's active members), role ('head'
         for the household head, else 'member'), phone (digits: the member's own, else the
         household's)
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from lantu.matching.names import pinyin

RECORD_COLUMNS = (
    "rec",
    "id_number",
    "name",
    "birth_date",
    "sex",
    "region_code",
    "household_size",
    "role",
    "phone",
)
PEOPLE_COLUMNS = (
    "member",
    "household",
    "id_number",
    "name",
    "birth_date",
    "sex",
    "region_code",
    "active",
    "household_size",
    "role",
    "phone",
)
_TYPES = {
    "rec": pl.Int64,
    "member": pl.Int64,
    "birth_date": pl.Date,
    "active": pl.Boolean,
    "household_size": pl.Int64,
}


def _fact(facts: pl.Series, name: str) -> pl.Series:
    """A fact of each record as text (facts: JSON text, or mappings from PostgreSQL)."""
    if facts.dtype == pl.String:
        return facts.str.json_path_match(f"$.{name}").alias(name)
    if isinstance(facts.dtype, pl.Struct) and name in facts.struct.fields:
        return facts.struct.field(name).cast(pl.String).alias(name)
    return pl.Series(name, [None] * len(facts), pl.String)


def _household_size(facts: pl.Series) -> pl.Series:
    """``household_size`` from each record's facts."""
    raw = _fact(facts, "household_size")
    return raw.cast(pl.Float64, strict=False).cast(pl.Int64).alias("household_size")


def phone_digits(phone: pl.Expr) -> pl.Expr:
    """A phone number as its digits (spaces, hyphens, '+86' and a '.0' of a spreadsheet's number
    dropped); '' when it has fewer than 7 (not a number anyone can be called on)."""
    digits = (
        phone.cast(pl.String)
        .str.replace(r"\.0$", "")
        .str.replace_all(r"[^0-9]", "")
        .str.replace(r"^(?:0086|86)(1\d{10})$", "$1")
    )
    return pl.when(digits.str.len_chars() >= 7).then(digits).otherwise(pl.lit(""))


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
    if "phone" in cols:
        out = out.with_columns(phone_digits(pl.col("phone")).fill_null(""))
    return out.with_columns(pinyin(out["name"]).alias("name_py")).to_arrow()


def records(frame: pl.DataFrame, *, head: bool = False) -> pa.Table:
    """Department records; ``head``: each record is about a household, through its head (a
    disaster report), and may carry the household's size among its facts."""
    if "facts" in frame.columns and "household_size" not in frame.columns:
        frame = frame.with_columns(_household_size(frame["facts"]))
    if "facts" in frame.columns and "phone" not in frame.columns:
        frame = frame.with_columns(_fact(frame["facts"], "phone"))
    if head:
        frame = frame.with_columns(role=pl.lit("head"))
    return _shape(frame, RECORD_COLUMNS)


def people(frame: pl.DataFrame) -> pa.Table:
    """Registry members; with ``relation``, each knows whether it heads its household, and
    every member its household's size (its active members)."""
    if "household_size" not in frame.columns and {"active", "household"} <= set(frame.columns):
        size = pl.col("active").cast(pl.Int64).sum().over("household")
        frame = frame.with_columns(household_size=size)
    if "relation" in frame.columns and "role" not in frame.columns:
        head = pl.col("relation") == "head"
        frame = frame.with_columns(
            role=pl.when(head).then(pl.lit("head")).otherwise(pl.lit("member"))
        )
    return _shape(frame, PEOPLE_COLUMNS)
