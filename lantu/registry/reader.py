"""Reading an uploaded registry file (XLSX, XLS, ODS or CSV in UTF-8 or GB18030) into a table of
strings with canonical column names, or refusing it with a message that says what is wrong.

Cells are kept as text here; parsing and checking every value is ``lantu.registry.validate``'s job,
so a bad value becomes a row error rather than a crash. Excel numbers that are whole (2019.0) are
written without the decimal part, and dates as ISO dates.
"""

from __future__ import annotations

import datetime
import difflib
import io
import zipfile
from typing import Any

import polars as pl
from python_calamine import CalamineWorkbook

from lantu.core.errors import ImportRejected
from lantu.registry.columns import BY_NAME, COLUMNS, Column, header_lookup

ROW = "_row"  # the spreadsheet row number of each data row, for error messages
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and every password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"
DATA_SHEET = "登记表"


def read_table(
    data: bytes,
    filename: str,
    *,
    columns: tuple[Column, ...] = COLUMNS,
    sheet: str = DATA_SHEET,
) -> pl.DataFrame:
    """A file as a table of strings named by ``columns`` (the registry's by default; another
    room's importer passes its own declaration and the name of its data sheet)."""
    if not data or not data.strip():
        raise ImportRejected("文件是空的", "the file is empty")
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")) or data[:4] == ZIP_MAGIC:
        rows = _spreadsheet_rows(data, filename, sheet)
    elif name.endswith((".csv", ".txt")):
        rows = None
    else:
        raise ImportRejected(
            f"不支持的文件类型：{filename}（请上传 .xlsx 或 .csv）",
            f"unsupported file type: {filename} (upload an .xlsx or .csv file)",
        )
    if rows is None:
        return _csv_table(data, columns)
    return _rows_to_table(rows, columns)


def _spreadsheet_rows(data: bytes, filename: str, sheet: str = DATA_SHEET) -> list[list[Any]]:
    if data[:8] == OLE2_MAGIC and filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRejected(
            "文件设有密码保护（已加密），请在 Excel/WPS 中取消密码后另存再上传",
            "the file is password-protected: remove the password, save it and upload again",
        )
    if data[:4] == ZIP_MAGIC:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                bad = zf.testzip()
        except zipfile.BadZipFile as exc:
            raise _truncated() from exc
        if bad is not None:
            raise _truncated()
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = sheet if sheet in book.sheet_names else book.sheet_names[0]
        rows: list[list[Any]] = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise ImportRejected(
            f"无法读取该表格文件（{type(exc).__name__}）：文件可能已损坏，或并非Excel文件",
            f"cannot read this spreadsheet ({type(exc).__name__}): it may be damaged or not Excel",
        ) from exc
    return rows


def _truncated() -> ImportRejected:
    return ImportRejected(
        "文件不完整（可能上传中断或已损坏），请重新保存后上传",
        "the file is incomplete (interrupted upload or damaged file): save it again and upload",
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _rows_to_table(rows: list[list[Any]], cols: tuple[Column, ...] = COLUMNS) -> pl.DataFrame:
    rows = list(rows)
    while rows and not any(_cell(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportRejected("表格中没有内容", "the sheet has no content")
    header = [_cell(v) for v in rows[0]]
    names = map_headers(header, cols)
    first_data = 1
    if len(rows) > 1 and _is_english_header(rows[1], cols):
        first_data = 2
    body = rows[first_data:]
    columns: dict[str, list[str]] = {n: [] for n in names if n}
    index = [(i, n) for i, n in enumerate(names) if n]
    for r in body:
        for i, n in index:
            columns[n].append(_cell(r[i]) if i < len(r) else "")
    table = pl.DataFrame(columns, schema={n: pl.String for n in columns})
    rownums = list(range(first_data + 1, first_data + 1 + len(body)))
    table = table.with_columns(pl.Series(ROW, rownums, dtype=pl.Int64))
    return _drop_blank_rows(table)


def _is_english_header(row: list[object], cols: tuple[Column, ...] = COLUMNS) -> bool:
    english = {c.en.lower() for c in cols} | {c.name for c in cols}
    cells = [_cell(v).lower() for v in row if _cell(v)]
    return bool(cells) and sum(c in english for c in cells) >= len(cells) / 2


def _csv_table(data: bytes, cols: tuple[Column, ...] = COLUMNS) -> pl.DataFrame:
    if b"\x00" in data[:4096]:
        raise ImportRejected(
            "这不是文本（CSV）文件，看起来是二进制文件",
            "this is not a text (CSV) file: it is binary",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise ImportRejected("无法识别文件编码", "cannot tell the file's encoding (use UTF-8)")
    try:
        raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise ImportRejected(
            f"CSV格式错误：{exc}".splitlines()[0], f"malformed CSV: {exc}".splitlines()[0]
        ) from exc
    names = map_headers([str(c) for c in raw.columns], cols)
    keep = {old: new for old, new in zip(raw.columns, names, strict=True) if new}
    table = raw.select(
        [pl.col(old).fill_null("").str.strip_chars().alias(new) for old, new in keep.items()]
    )
    start = 2
    if table.height and _is_english_header(list(table.row(0)), cols):
        table = table.slice(1)
        start = 3
    table = table.with_columns(pl.int_range(start, start + table.height, dtype=pl.Int64).alias(ROW))
    return _drop_blank_rows(table)


def _drop_blank_rows(table: pl.DataFrame) -> pl.DataFrame:
    data_cols = [c for c in table.columns if c != ROW]
    if not data_cols:
        return table
    return table.filter(pl.any_horizontal([pl.col(c) != "" for c in data_cols]))


def map_headers(header: list[str], cols: tuple[Column, ...] = COLUMNS) -> list[str | None]:
    """Canonical names for a header row; refuses unknown or duplicated headers, suggesting the
    nearest known one, and a header that lacks a required column."""
    lookup = header_lookup(cols)
    names: list[str | None] = []
    problems_zh: list[str] = []
    problems_en: list[str] = []
    for h in header:
        h = h.strip()
        if not h:
            names.append(None)
            continue
        name = lookup.get(h) or lookup.get(h.lower())
        if name is None:
            near = difflib.get_close_matches(h, list(lookup), n=1, cutoff=0.5)
            hint_zh = f"，是否应为“{near[0]}”？" if near else ""
            hint_en = f" Did you mean '{near[0]}'?" if near else ""
            problems_zh.append(f"未知的列“{h}”{hint_zh}")
            problems_en.append(f"unknown column '{h}'.{hint_en}")
        elif name in names:
            problems_zh.append(f"列“{h}”重复")
            problems_en.append(f"column '{h}' appears twice")
        names.append(name)
    missing = [c for c in cols if c.required and c.name not in names]
    for c in missing:
        problems_zh.append(f"缺少必填列“{c.zh}”")
        problems_en.append(f"required column '{c.zh}' ({c.en}) is missing")
    if problems_zh:
        raise ImportRejected("；".join(problems_zh), "; ".join(problems_en))
    return names


def header_label(name: str) -> str:
    return BY_NAME[name].zh if name in BY_NAME else name
