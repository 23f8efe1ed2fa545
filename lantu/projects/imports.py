"""Importing the project room's files on the registry importer's contract: Chinese headers (English
accepted), drop-downs in the template, every error of every row found in one pass and returned as
an XLSX beside the rows, all or nothing, idempotent, a ledger event per row changed.

One ``Table`` per file kind (``projects``, ``beneficiaries``, ``funds``, ``allocations``,
``disbursements``): its columns (``lantu.projects.columns``), its sheet, who may import it, the
set-wise checks against the database (``check``: returns the rows resolved to ids and the errors)
and the writer (``apply``). Reading and typing the cells is the registry's (``read_table`` and
``validate.parse`` given these columns); amounts are read here into whole fen, exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.core.errors import ImportRejected, NotPermitted
from lantu.registry import validate
from lantu.registry.columns import Column
from lantu.registry.imports import ImportReport
from lantu.registry.reader import ROW, read_table
from lantu.registry.template import write_template
from lantu.registry.validate import RowError

Check = Callable[[pl.DataFrame, Any], tuple[pl.DataFrame, list[RowError]]]
Apply = Callable[[pl.DataFrame, Any, str], dict[str, int]]
YUAN = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"


@dataclass(frozen=True)
class Table:
    slug: str
    sheet: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    money: tuple[str, ...]
    perms: tuple[Perm, ...]
    check: Check
    apply: Apply
    example: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return {c.name: c.zh for c in self.columns}

    def col(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {}


def register(table: Table) -> Table:
    TABLES[table.slug] = table
    return table


def yuan_column(df: pl.DataFrame, name: str, zh: str) -> tuple[pl.DataFrame, list[RowError]]:
    """``name`` (text) → whole fen (Int64), column-wise; a bad amount is a row error."""
    s = pl.col(name).str.replace_all(",", "").str.strip_chars()
    ok = s.str.contains(YUAN)
    whole = s.str.extract(r"^([0-9]+)", 1).cast(pl.Int64, strict=False)
    frac = s.str.extract(r"\.([0-9]{1,2})$", 1).str.pad_end(2, "0").cast(pl.Int64, strict=False)
    fen = pl.when(ok).then(whole * 100 + frac.fill_null(0)).otherwise(None)
    out = df.with_columns(fen.alias(name), (~ok & (s != "")).alias("_bad"))
    errors = [
        RowError(
            r,
            zh,
            v,
            f"“{v}”不是有效金额（元，最多两位小数，不能为负）",
            f"'{v}' is not an amount (yuan, at most two decimals, not negative)",
        )
        for r, v in df.filter(out["_bad"]).select(ROW, name).iter_rows()
    ]
    return out.drop("_bad"), errors


def row_errors(
    df: pl.DataFrame, mask: pl.Expr, column: str, value: str, zh: str, en: str
) -> list[RowError]:
    """One error per row where ``mask`` holds; ``zh``/``en`` may name any column as {col}."""
    hits = df.filter(mask)
    out = []
    for rec in hits.iter_rows(named=True):
        shown = {k: _yuan(v) if k in TOTALS and isinstance(v, int) else v for k, v in rec.items()}
        value_shown = str(rec.get(value) or "")
        out.append(RowError(rec[ROW], column, value_shown, zh.format(**shown), en.format(**shown)))
    return out


# Totals the checks name in their messages, in fen: shown in yuan.
TOTALS = {"allocated", "disbursed", "adding", "final", "available"}


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _authorise(table: Table, actor: Any) -> None:
    if actor is None:
        return
    for perm in table.perms:
        if not actor.can(perm):
            raise NotPermitted(
                f"您的角色无权导入{table.zh}", f"your role may not import {table.en}"
            )


def import_file(
    slug: str, data: bytes, filename: str, *, actor: Any, dry_run: bool = False
) -> ImportReport:
    """Check every row of a ``slug`` file; if none is wrong, apply them all in one transaction."""
    table = TABLES[slug]
    _authorise(table, actor)
    raw = read_table(data, filename, columns=table.columns, sheet=table.sheet)
    if raw.height == 0:
        raise ImportRejected("表格只有表头，没有数据行", "the sheet has headers but no data rows")
    source = f"{filename} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    return import_frame(table, raw, actor=actor, source=source, dry_run=dry_run)


def import_frame(
    table: Table, raw: pl.DataFrame, *, actor: Any, source: str, dry_run: bool = False
) -> ImportReport:
    """The same from a table of strings (the simulator's loader and the benchmarks use it)."""
    _authorise(table, actor)
    report = ImportReport(source=source, headers=table.headers)
    for c in table.columns:
        if c.name not in raw.columns:
            raw = raw.with_columns(pl.lit("").alias(c.name))
    parsed, errors = validate.parse(raw, table.columns)
    for name in table.money:
        parsed = parsed.with_columns(raw[name].alias(name))
        parsed, money_errors = yuan_column(parsed, name, table.col(name).zh)
        errors += money_errors
    with transaction.atomic():
        resolved, db_errors = table.check(parsed, actor)
        errors += db_errors
        if errors:
            report.errors = errors
            report.bad_rows = raw.filter(pl.col(ROW).is_in({e.row for e in errors}))
            return report
        if not dry_run:
            report.summary = table.apply(resolved, actor, source)
    return report


def template(slug: str) -> bytes:
    t = TABLES[slug]
    notes = [
        (f"{t.zh}导入模板", f"{t.en} import template"),
        ("1. 每行一条记录；红色表头为必填列。", "One record a row; red headers are required."),
        ("2. 有下拉列表的列请从列表中选择。", "Choose coded values from the drop-down lists."),
        ("3. 金额以元为单位，最多两位小数。", "Amounts in yuan, at most two decimals."),
        (
            "4. 任一行有错时整个文件不会导入，系统会给出全部错误清单。",
            "If any row is wrong nothing is imported, and you get the list of every error.",
        ),
        ("5. 重复导入同一文件不会重复记录。", "Importing the same file again changes nothing."),
    ]
    return write_template(columns=t.columns, sheet=t.sheet, example_row=t.example, notes=notes)
