"""Checking every row of a registry file, column-wise, and collecting every error in one pass.

``parse`` turns the table of strings from ``lantu.registry.reader`` into typed columns (codes to
slugs, numbers, dates, booleans, normalised ID numbers with derived birth date and sex) plus a
list of ``RowError``: row, column, value and the reason in Chinese and English. ``households``
folds the member rows into one row per household and checks that household and yearly values
agree across a household's rows. Checks that need the database (regions, people already in other
households, heads) live in ``lantu.registry.imports``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lantu.registry import codes, income
from lantu.registry.columns import BY_NAME, COLUMNS, HOUSEHOLD_COLUMNS, YEAR_COLUMNS, Column
from lantu.registry.ids import check_id
from lantu.registry.reader import ROW

BOOL_WORDS = {
    "是": True,
    "否": False,
    "有": True,
    "无": False,
    "y": True,
    "n": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "√": True,
    "×": False,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
HOUSEHOLD_LEVEL = tuple(c.name for c in HOUSEHOLD_COLUMNS + YEAR_COLUMNS)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the Chinese header
    value: str
    zh: str
    en: str


def _options(col: Column) -> tuple[str, str]:
    assert col.codes is not None
    shown = col.codes[:10]
    more = "…" if len(col.codes) > 10 else ""
    return "、".join(c.zh for c in shown) + more, ", ".join(c.en for c in shown) + more


def _typed(col: Column) -> tuple[pl.Expr, pl.Expr, tuple[str, str]]:
    """(parsed expression, bad-value mask, reason) for one column."""
    s = pl.col(col.name)
    filled = s != ""
    if col.kind == "code":
        parsed = s.replace_strict(
            codes.lookup(col.codes or ()), default=None, return_dtype=pl.String
        )
        zh_opts, en_opts = _options(col)
        reason = (
            f"不是有效的{col.zh}，可选：{zh_opts}",
            f"not a valid {col.en}; one of: {en_opts}",
        )
        return parsed, filled & parsed.is_null(), reason
    if col.kind == "int":
        parsed = s.cast(pl.Int64, strict=False)
        return parsed, filled & parsed.is_null(), ("应为整数", "must be a whole number")
    if col.kind in ("money", "decimal"):
        parsed = s.str.replace_all(",", "").cast(pl.Float64, strict=False)
        bad = filled & (parsed.is_null() | (parsed < 0))
        return parsed, bad, ("应为不小于0的数字", "must be a number, 0 or more")
    if col.kind == "bool":
        parsed = s.str.to_lowercase().replace_strict(
            BOOL_WORDS, default=None, return_dtype=pl.Boolean
        )
        return parsed, filled & parsed.is_null(), ("应填“是”或“否”", "must be 是 (yes) or 否 (no)")
    if col.kind == "date":
        parsed = pl.coalesce([s.str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS])
        reason = ("日期格式应为 2001-09-30", "a date is written 2001-09-30")
        return parsed, filled & parsed.is_null(), reason
    return s, pl.lit(False), ("", "")


def parse(
    table: pl.DataFrame, columns: tuple[Column, ...] = COLUMNS
) -> tuple[pl.DataFrame, list[RowError]]:
    """Typed columns and every bad value; ``columns`` is the registry's layout unless another
    room's importer passes its own (its rows are then ``record`` level, each required)."""
    present = [c for c in columns if c.name in table.columns]
    typed = [_typed(c) for c in present]
    masks = table.select(
        pl.col(ROW), *[bad.alias(c.name) for c, (_, bad, _) in zip(present, typed, strict=True)]
    )
    errors: list[RowError] = []
    for col, (_, _, reason) in zip(present, typed, strict=True):
        bad_rows = masks.filter(pl.col(col.name))[ROW].to_list()
        if bad_rows:
            values = table.filter(pl.col(ROW).is_in(bad_rows))[col.name].to_list()
            errors += [
                RowError(r, col.zh, v, f"“{v}”{reason[0]}", f"'{v}' {reason[1]}")
                for r, v in zip(bad_rows, values, strict=True)
            ]
    parsed = table.select(
        pl.col(ROW),
        *[expr.alias(c.name) for c, (expr, _, _) in zip(present, typed, strict=True)],
    )
    if "id_number" in parsed.columns:
        parsed, id_errors = _check_ids(parsed, {c.name: c for c in columns})
        errors += id_errors
    errors += _required_member_values(table, columns)
    return parsed, errors


def _check_ids(
    parsed: pl.DataFrame, by_name: dict[str, Column] = BY_NAME
) -> tuple[pl.DataFrame, list[RowError]]:
    header = by_name["id_number"].zh
    numbers, births, sexes, legacy = [], [], [], []
    errors: list[RowError] = []
    for row, raw in zip(parsed[ROW].to_list(), parsed["id_number"].to_list(), strict=True):
        c = check_id(raw)
        numbers.append(c.number)
        births.append(c.birth_date)
        sexes.append(c.sex)
        legacy.append(c.legacy)
        if c.error and raw:
            errors.append(RowError(row, header, raw, c.error[0], c.error[1]))
    out = parsed.with_columns(
        pl.Series("id_number", numbers, dtype=pl.String),
        pl.Series("_id_birth", births, dtype=pl.Date),
        pl.Series("_id_sex", sexes, dtype=pl.String),
        pl.Series("legacy_id_number", legacy, dtype=pl.String),
    )
    for name, derived, zh, en in (
        ("birth_date", "_id_birth", "出生日期与身份证号不一致", "birth date disagrees with the ID"),
        ("sex", "_id_sex", "性别与身份证号第17位不一致", "sex disagrees with the ID's 17th digit"),
    ):
        if name in out.columns:
            clash = out.filter(
                pl.col(name).is_not_null()
                & pl.col(derived).is_not_null()
                & (pl.col(name) != pl.col(derived))
            )
            errors += [
                RowError(r, by_name[name].zh, str(v), f"{zh}（{v}≠{d}）", f"{en} ({v} ≠ {d})")
                for r, v, d in clash.select(ROW, name, derived).iter_rows()
            ]
    if "birth_date" not in by_name:  # a table without them (cadres): the ID alone is checked
        return out.drop("_id_birth", "_id_sex", "legacy_id_number"), errors
    out = out.with_columns(
        pl.coalesce(
            pl.col("_id_birth"), *([pl.col("birth_date")] if "birth_date" in out.columns else [])
        ).alias("birth_date"),
        pl.coalesce(pl.col("_id_sex"), *([pl.col("sex")] if "sex" in out.columns else [])).alias(
            "sex"
        ),
    ).drop("_id_birth", "_id_sex")
    return out, errors


def _required_member_values(
    table: pl.DataFrame, columns: tuple[Column, ...] = COLUMNS
) -> list[RowError]:
    errors: list[RowError] = []
    for col in columns:
        if col.required and col.level in ("member", "record") and col.name in table.columns:
            for row in table.filter(pl.col(col.name) == "")[ROW].to_list():
                errors.append(
                    RowError(row, col.zh, "", f"“{col.zh}”必须填写", f"'{col.en}' is required")
                )
    return errors


def _given(c: str) -> pl.Expr:
    return pl.col(c).filter(pl.col(c).is_not_null() & (pl.col(c).cast(pl.String) != ""))


def households(parsed: pl.DataFrame) -> tuple[pl.DataFrame, list[RowError]]:
    """One row per household_no with its household and yearly values; values given on several of
    a household's rows must agree (required values are checked once the database filled in what
    it knows: ``required_household_values``)."""
    cols = [c for c in HOUSEHOLD_LEVEL if c in parsed.columns and c != "household_no"]
    grouped = parsed.group_by("household_no", maintain_order=True).agg(
        pl.col(ROW).min().alias(ROW),
        *[_given(c).unique(maintain_order=True).alias(c) for c in cols],
    )
    errors: list[RowError] = []
    for c in cols:
        col = BY_NAME[c]
        clash = grouped.filter(pl.col(c).list.len() > 1)
        for hh, row, values in clash.select("household_no", ROW, c).iter_rows():
            shown = "、".join(str(v) for v in values)
            errors.append(
                RowError(
                    row,
                    col.zh,
                    shown,
                    f"户{hh}各行的“{col.zh}”不一致：{shown}",
                    f"household {hh}: rows disagree on '{col.en}': {shown}",
                )
            )
    folded = grouped.with_columns([pl.col(c).list.first().alias(c) for c in cols])
    return folded, errors + total_mismatches(folded)


def total_mismatches(df: pl.DataFrame) -> list[RowError]:
    """Rows whose stated total income is not the sum of its four components."""
    if "total_income" not in df.columns:
        return []
    col = BY_NAME["total_income"]
    bad = df.filter(income.stated_total_mismatch(df)).select("household_no", ROW, col.name)
    return [
        RowError(row, col.zh, str(total), f"户{hh}的家庭总收入{total}不等于四项收入之和",
                 f"household {hh}: total income {total} is not the sum of its four components")
        for hh, row, total in bad.iter_rows()
    ]  # fmt: skip


def required_household_values(folded: pl.DataFrame) -> list[RowError]:
    errors: list[RowError] = []
    yearly = [c.name for c in YEAR_COLUMNS if c.name != "year" and c.name in folded.columns]
    if yearly:
        year = "year" in folded.columns
        undated = folded.filter(
            pl.any_horizontal([pl.col(c).is_not_null() for c in yearly])
            & (pl.col("year").is_null() if year else pl.lit(True))
        ).select("household_no", ROW)
        errors += [
            RowError(row, BY_NAME["year"].zh, "", f"户{hh}填写了年度信息但缺少“年度”",
                     f"household {hh}: yearly values are given without their year")
            for hh, row in undated.iter_rows()
        ]  # fmt: skip
    for col in HOUSEHOLD_COLUMNS + YEAR_COLUMNS:
        if col.required and col.name in folded.columns and col.name != "year":
            missing = folded.filter(pl.col(col.name).is_null()).select("household_no", ROW)
            errors += [
                RowError(
                    row,
                    col.zh,
                    "",
                    f"户{hh}缺少“{col.zh}”",
                    f"household {hh}: '{col.en}' is missing",
                )
                for hh, row in missing.iter_rows()
            ]
    return errors


def yearly_rows(parsed: pl.DataFrame) -> list[RowError]:
    """A table of yearly facts: every row has its year, each household once a year, and totals
    that add up."""
    year = BY_NAME["year"]
    missing = parsed.filter(pl.col("year").is_null()).select(ROW, "household_no")
    errors = [
        RowError(row, year.zh, "", f"户{no}缺少年度", f"household {no}: the year is missing")
        for row, no in missing.iter_rows()
    ]
    twice = pl.struct("household_no", "year").is_duplicated() & pl.col("year").is_not_null()
    errors += [
        RowError(row, year.zh, str(y), f"户{no}的{y}年度出现多次",
                 f"household {no}: year {y} appears more than once")
        for row, no, y in parsed.filter(twice).select(ROW, "household_no", "year").iter_rows()
    ]  # fmt: skip
    return errors + total_mismatches(parsed)
