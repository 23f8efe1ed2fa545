"""Reading and checking a department's file (CSV, XLSX or Parquet) against its declared schema.

The same behaviour as the registry import: every row is checked column-wise and every error
collected (row, column, value, reason in Chinese and English) before anything is written; a file
with any error is refused whole. ID numbers are only normalised here (``lantu.registry.ids``:
full-width digits, spaces, lower-case x; 15-digit numbers upgraded): a mistyped ID number is not
an error in a department's file but what the repair pass is for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.core.exceptions import FieldDoesNotExist

from lantu.core.errors import ImportRejected
from lantu.matching.models import DepartmentRecord
from lantu.matching.schemas import Dataset, Field
from lantu.registry import limits, sheetguard
from lantu.registry.ids import normalise, upgrade_15
from lantu.registry.reader import _cell, _spreadsheet_rows
from lantu.registry.validate import BOOL_WORDS, DATE_FORMATS, RowError

ROW = "_row"
SEX_WORDS = {"1": "1", "2": "2", "男": "1", "女": "2", "m": "1", "f": "2", "male": "1"}
SEX_WORDS |= {"female": "2"}
_DTYPES = {
    "str": pl.String,
    "int": pl.Int64,
    "money": pl.Float64,
    "date": pl.Date,
    "bool": pl.Boolean,
}


@dataclass
class Checked:
    dataset: Dataset
    frame: pl.DataFrame  # typed person columns + facts
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read(data: bytes, filename: str) -> pl.DataFrame:
    """A file as a table of strings (Parquet keeps its types: they are cast to strings). Damaged,
    hostile or oversized files are refused (ImportRejected, zh/en) before anything is parsed in
    full: spreadsheets pass the registry's sheet guard (declared and real extent, zip bombs),
    CSV the registry's binary and width checks."""
    name = filename.lower()
    if not data or not data.strip():
        raise ImportRejected("文件是空的", "the file is empty")
    if name.endswith(".parquet"):
        frame = _parquet(data)
    elif name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        frame = _sheet(_spreadsheet_rows(data, filename, sheet=""))
    elif name.endswith((".csv", ".txt")):
        frame = _csv(data)
    else:
        raise ImportRejected(
            f"不支持的文件类型：{filename}（请用 .csv、.xlsx 或 .parquet）",
            f"unsupported file type: {filename} (use .csv, .xlsx or .parquet)",
        )
    if frame.width > sheetguard.MAX_COLUMNS:
        raise sheetguard.too_large(frame.height, frame.width)
    try:
        return as_strings(frame)
    except pl.exceptions.PolarsError as exc:  # nested Parquet types (lists, structs)
        raise _unreadable("Parquet", exc) from exc


def _unreadable(kind: str, exc: BaseException) -> ImportRejected:
    return ImportRejected(
        f"无法读取该{kind}文件（{type(exc).__name__}）：文件可能已损坏，或格式不对",
        f"cannot read this {kind} file ({type(exc).__name__}): it may be damaged or not {kind}",
    )


def _parquet(data: bytes) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError, ValueError, pl.exceptions.PanicException) as exc:
        raise _unreadable("Parquet", exc) from exc


def _sheet(rows: list[list[object]]) -> pl.DataFrame:
    while rows and not any(_cell(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportRejected("表格中没有内容", "the sheet has no content")
    header = [_cell(h) for h in rows[0]]
    _unique_headers(header)
    body = [[_cell(v) for v in r] for r in rows[1:]]
    return pl.DataFrame(body, schema={h: pl.String for h in header}, orient="row")


def _csv(data: bytes) -> pl.DataFrame:
    if b"\x00" in data[:4096]:
        raise ImportRejected(
            "这不是文本（CSV）文件，看起来是二进制文件",
            "this is not a text (CSV) file: it is binary",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    line = text.split("\n", 1)[0]
    try:
        first = next(csv.reader(io.StringIO(line)), [])
    except csv.Error:  # a stray carriage return: polars reads such a file, or refuses it below
        first = line.split(",")
    if len(first) > sheetguard.MAX_COLUMNS:
        raise sheetguard.too_large(text.count("\n") + 1, len(first))
    _unique_headers([h.strip() for h in first])
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise ImportRejected(
            f"CSV格式错误：{exc}".splitlines()[0], f"malformed CSV: {exc}".splitlines()[0]
        ) from exc


def _unique_headers(header: list[str]) -> None:
    seen = [h for h in header if h]
    twice = sorted({h for h in seen if seen.count(h) > 1})
    if twice:
        raise ImportRejected(
            f"表头重复：{'、'.join(twice)}", f"headers appear twice: {', '.join(twice)}"
        )


def read_path(path: Path) -> pl.DataFrame:
    if path.suffix == ".parquet":
        return as_strings(pl.read_parquet(path))
    return read(path.read_bytes(), path.name)


def as_strings(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col(c).cast(pl.Date).cast(pl.String).fill_null("").alias(c)
        if frame.schema[c] in (pl.Datetime, pl.Datetime("ms"), pl.Datetime("us"))
        else pl.col(c).cast(pl.String).fill_null("").str.strip_chars().alias(c)
        for c in frame.columns
    )


def _rename(ds: Dataset, frame: pl.DataFrame) -> pl.DataFrame:
    lookup = ds.header_map()
    names = {c: lookup.get(c) or lookup.get(c.lower()) for c in frame.columns}
    unknown = [c for c, n in names.items() if n is None]
    missing = [f for f in ds.fields if f.required and f.name not in names.values()]
    if unknown or missing:
        zh = [f"未知的列“{c}”" for c in unknown] + [f"缺少必填列“{f.zh}”" for f in missing]
        en = [f"unknown column '{c}'" for c in unknown] + [
            f"required column '{f.name}' is missing" for f in missing
        ]
        raise ImportRejected("；".join(zh), "; ".join(en))
    targets = [n for n in names.values() if n]
    twice = sorted({n for n in targets if targets.count(n) > 1})
    if twice:
        raise ImportRejected(
            f"多个列对应同一字段：{'、'.join(twice)}",
            f"several columns name the same field: {', '.join(twice)}",
        )
    return frame.rename({c: n for c, n in names.items() if n})


# Bounds of the facts (the person columns are bounded by DepartmentRecord's own column lengths):
# what PostgreSQL would refuse (a NUL byte, text longer than its column) is refused on SQLite too,
# and no page or indicator meets inf, NaN or 1e20.
FACT_TEXT = 200  # characters of a text fact (stored in the record's JSON)
INT_RANGES = {"months": (0, 12), "grade": (1, 4), "household_size": (0, 99)}
INT_DEFAULT = (0, 2_147_483_647)


def _int_range(name: str) -> tuple[int, int]:
    if name == "year" or name.endswith("_year"):
        return limits.YEARS
    return INT_RANGES.get(name, INT_DEFAULT)


def _longest(f: Field) -> int:
    try:
        field = DepartmentRecord._meta.get_field(f.name)
    except FieldDoesNotExist:
        return FACT_TEXT
    return getattr(field, "max_length", None) or FACT_TEXT


def _typed(f: Field) -> tuple[pl.Expr, pl.Expr, tuple[str, str]]:
    s = pl.col(f.name)
    filled = s != ""
    if f.kind == "int":
        low, high = _int_range(f.name)
        parsed = s.str.replace(r"\.0$", "").cast(pl.Int64, strict=False)
        bad = filled & (parsed.is_null() | (parsed < low) | (parsed > high))
        return (
            parsed,
            bad,
            (f"应为{low}至{high}之间的整数", f"must be a whole number from {low} to {high}"),
        )
    if f.kind == "money":
        money_low, money_high = limits.MONEY
        parsed = s.str.replace_all(",", "").cast(pl.Float64, strict=False)
        out = parsed.is_null() | ~parsed.is_finite() | (parsed < money_low) | (parsed > money_high)
        return (
            parsed,
            filled & out,
            (
                f"应为{money_low:g}至{money_high:,.2f}之间的数字",
                f"must be a number from {money_low:g} to {money_high:,.2f}",
            ),
        )
    if f.kind == "bool":
        parsed = s.str.to_lowercase().replace_strict(
            BOOL_WORDS, default=None, return_dtype=pl.Boolean
        )
        return parsed, filled & parsed.is_null(), ("应填“是”或“否”", "must be 是 (yes) or 否 (no)")
    if f.kind == "date":
        parsed = pl.coalesce(
            [s.str.slice(0, 10).str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
        )
        year = parsed.dt.year()
        low, high = limits.YEARS
        return (
            parsed,
            filled & (parsed.is_null() | (year < low) | (year > high)),
            ("日期应为1900至2100年间，格式如 2001-09-30", "a date is 2001-09-30, 1900 to 2100"),
        )
    if f.name == "sex":
        parsed = s.str.to_lowercase().replace_strict(SEX_WORDS, default=None)
        return parsed, filled & parsed.is_null(), ("性别应为“男”或“女”", "sex is 男 (1) or 女 (2)")
    longest = _longest(f)
    bad = s.str.contains(limits.CONTROL_CHARS) | (s.str.len_chars() > longest)
    return (
        s,
        bad,
        (f"含有控制字符或超过{longest}个字符", f"has control characters or is over {longest} long"),
    )


def _normalise_ids(col: pl.Series) -> pl.Series:
    """``ids.normalise`` once per distinct value; 15-digit numbers upgraded to 18."""
    uniq = col.unique()
    clean = [normalise(v) for v in uniq.to_list()]
    clean = [upgrade_15(c) if len(c) == 15 and c.isdigit() else c for c in clean]
    table = dict(zip(uniq.to_list(), clean, strict=True))
    return col.replace_strict(table, return_dtype=pl.String)


def check(ds: Dataset, table: pl.DataFrame) -> Checked:
    """Every error of every row, and the typed frame (used only when there is none)."""
    if table.height == 0:
        raise ImportRejected("文件只有表头，没有数据行", "the file has headers but no data rows")
    frame = _rename(ds, table).with_columns(pl.int_range(2, table.height + 2).alias(ROW))
    present = [f for f in ds.fields if f.name in frame.columns]
    typed = {f.name: _typed(f) for f in present}
    errors: list[RowError] = []
    for f in present:
        _, bad, (zh, en) = typed[f.name]
        rows = frame.filter(bad).select(ROW, f.name)
        errors += [RowError(r, f.zh, v, f"“{v}”{zh}", f"'{v}' {en}") for r, v in rows.iter_rows()]
    for f in (f for f in present if f.required):
        blank = frame.filter(pl.col(f.name) == "")[ROW].to_list()
        errors += [RowError(r, f.zh, "", f"{f.zh}不能为空", f"{f.name} is required") for r in blank]
    dup = frame.filter(pl.col("record_id").is_duplicated() & (pl.col("record_id") != ""))
    for r, v in dup.select(ROW, "record_id").iter_rows():
        errors.append(
            RowError(r, "记录编号", v, f"记录编号{v}重复", f"record id {v} appears twice")
        )
    out = frame.select(
        pl.col(ROW), *[typed[f.name][0].alias(f.name) for f in present]
    ).with_columns(
        *[
            pl.lit(None, dtype=_DTYPES[f.kind]).alias(f.name)
            for f in ds.fields
            if f.name not in typed
        ]
    )
    out = out.with_columns(_normalise_ids(out["id_number"].fill_null("")).alias("id_number"))
    if ds.place and ds.place in out.columns:
        region = pl.col("region_code").fill_null("")
        out = out.with_columns(
            pl.when(region == "").then(pl.col(ds.place)).otherwise(region).alias("region_code")
        )
    return Checked(ds, out, sorted(errors, key=lambda e: (e.row, e.column)))
