"""Reading and checking a department's file (CSV, XLSX or Parquet) against its declared schema.

The same behaviour as the registry import: every row is checked column-wise and every error
collected (row, column, value, reason in Chinese and English) before anything is written; a file
with any error is refused whole. ID numbers are only normalised here (``lantu.registry.ids``:
full-width digits, spaces, lower-case x; 15-digit numbers upgraded): a mistyped ID number is not
an error in a department's file but what the repair pass is for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from lantu.core.errors import ImportRejected
from lantu.matching.schemas import Dataset, Field
from lantu.registry.ids import normalise, upgrade_15
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
    """A file as a table of strings (Parquet keeps its types: they are cast to strings)."""
    name = filename.lower()
    if not data:
        raise ImportRejected("文件是空的", "the file is empty")
    if name.endswith(".parquet"):
        frame = pl.read_parquet(io.BytesIO(data))
    elif name.endswith((".xlsx", ".xls", ".ods")):
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header = [str(h).strip() for h in rows[0]]
        body = [[("" if v is None else str(v)) for v in r] for r in rows[1:]]
        frame = pl.DataFrame(body, schema=header, orient="row")
    elif name.endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    else:
        raise ImportRejected(
            f"不支持的文件类型：{filename}（请用 .csv、.xlsx 或 .parquet）",
            f"unsupported file type: {filename} (use .csv, .xlsx or .parquet)",
        )
    return as_strings(frame)


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
    return frame.rename({c: n for c, n in names.items() if n})


def _typed(f: Field) -> tuple[pl.Expr, pl.Expr, tuple[str, str]]:
    s = pl.col(f.name)
    filled = s != ""
    if f.kind == "int":
        parsed = s.str.replace(r"\.0$", "").cast(pl.Int64, strict=False)
        return parsed, filled & parsed.is_null(), ("应为整数", "must be a whole number")
    if f.kind == "money":
        parsed = s.str.replace_all(",", "").cast(pl.Float64, strict=False)
        bad = filled & (parsed.is_null() | (parsed < 0))
        return parsed, bad, ("应为不小于0的数字", "must be a number, 0 or more")
    if f.kind == "bool":
        parsed = s.str.to_lowercase().replace_strict(
            BOOL_WORDS, default=None, return_dtype=pl.Boolean
        )
        return parsed, filled & parsed.is_null(), ("应填“是”或“否”", "must be 是 (yes) or 否 (no)")
    if f.kind == "date":
        parsed = pl.coalesce(
            [s.str.slice(0, 10).str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
        )
        return (
            parsed,
            filled & parsed.is_null(),
            ("日期格式应为 2001-09-30", "a date is 2001-09-30"),
        )
    if f.name == "sex":
        parsed = s.str.to_lowercase().replace_strict(SEX_WORDS, default=None)
        return parsed, filled & parsed.is_null(), ("性别应为“男”或“女”", "sex is 男 (1) or 女 (2)")
    return s, filled & pl.lit(False), ("", "")


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
