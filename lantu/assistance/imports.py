"""Importing the assistance tables (units, cadres, work teams, pairings, plans, visits) with the
registry importer's contract and machinery: the registry's reader (``read_table`` with this room's
column declaration), its column-wise checks (``validate.parse``: codes, numbers, dates, ID
numbers), its ``RowError`` and ``ImportReport`` (the error workbook). Every row is checked and every
error collected first — references to regions, households, cadres and units that do not exist or
lie outside the actor's region included —; any error, and nothing is written. Otherwise
``lantu.assistance.writers`` applies the whole file in one transaction, set-wise, writing only
what differs from what is stored (so a second import of the same file writes nothing), with the
ledger events of what it created or changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl
from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.assistance import checks, writers
from lantu.assistance.columns import TABLES, Table
from lantu.core.bulksql import select_in
from lantu.core.errors import ImportRejected, NotPermitted
from lantu.registry import validate
from lantu.registry.imports import ImportReport
from lantu.registry.reader import ROW, read_table
from lantu.registry.validate import RowError

KINDS = tuple(TABLES)
# (kind's column holding a reference, the query resolving it to (key, id, region_path), what)
REFERENCES: dict[str, tuple[str, str, str]] = {
    "region_code": (
        "SELECT code, id, path, level FROM regions_region WHERE code IN ({})",
        "区划代码",
        "region code",
    ),
    "village_code": (
        "SELECT code, id, path, level FROM regions_region WHERE code IN ({})",
        "村代码",
        "village code",
    ),
    "household_no": (
        "SELECT household_no, id, region_path, status FROM registry_household "
        "WHERE household_no IN ({})",
        "户编号",
        "household number",
    ),
    "cadre_no": (
        "SELECT cadre_no, id, region_path, level FROM assistance_cadre WHERE cadre_no IN ({})",
        "干部编号",
        "cadre number",
    ),
    "unit_code": (
        "SELECT code, id, '', level FROM assistance_unit WHERE code IN ({})",
        "单位编码",
        "unit code",
    ),
}
# References that may also be defined by the same file (a unit's file defines its units).
DEFINED_HERE = {"units": "unit_code", "cadres": "cadre_no"}
# References that must lie inside the actor's region.
SCOPED = {"region_code", "village_code", "household_no"}


def table_of(kind: str) -> Table:
    if kind not in TABLES:
        raise ImportRejected(
            f"未知的导入类别“{kind}”，可选：{'、'.join(KINDS)}",
            f"unknown import kind '{kind}': one of {', '.join(KINDS)}",
        )
    return TABLES[kind]


def import_file(
    kind: str, data: bytes, filename: str, *, actor: Any, dry_run: bool = False
) -> ImportReport:
    """Check and apply one assistance file (XLSX, ODS or CSV). Raises ImportRejected for a file
    that cannot be read at all; row problems come back in the report."""
    t = table_of(kind)
    if actor is not None and not actor.can(Perm.IMPORT):
        raise NotPermitted("您的角色无权导入数据", "your role may not import data")
    table = read_table(data, filename, columns=t.columns, sheet=t.sheet)
    if table.height == 0:
        raise ImportRejected("表格只有表头，没有数据行", "the sheet has headers but no data rows")
    source = f"{filename} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    return import_table(kind, table, actor=actor, source=source, dry_run=dry_run)


def import_table(
    kind: str, table: pl.DataFrame, *, actor: Any, source: str, dry_run: bool = False
) -> ImportReport:
    """The same from a table of strings with canonical column names and ``_row`` (the simulator's
    files go through here)."""
    t = table_of(kind)
    if ROW not in table.columns:
        table = table.with_columns(pl.int_range(2, table.height + 2, dtype=pl.Int64).alias(ROW))
    report = ImportReport(source=source, headers={c.name: c.zh for c in t.columns})
    parsed, errors = validate.parse(table, t.columns)
    refs, ref_errors = resolve(kind, parsed, actor)
    errors += ref_errors + checks.file_checks(kind, parsed, refs)
    if errors:
        report.errors = errors
        report.bad_rows = table.filter(pl.col(ROW).is_in({e.row for e in errors}))
        return report
    if not dry_run:
        with transaction.atomic():
            report.summary = writers.apply(kind, parsed, refs, actor=actor, source=source)
    return report


def resolve(
    kind: str, parsed: pl.DataFrame, actor: Any
) -> tuple[dict[str, dict[str, tuple[Any, ...]]], list[RowError]]:
    """Every reference column's values → (id, region_path, extra) from the database; an error for
    each value that is unknown, outside the actor's region or of the wrong level."""
    scope = actor.region.path if actor is not None and actor.region_id else None
    refs: dict[str, dict[str, tuple[Any, ...]]] = {}
    errors: list[RowError] = []
    by_name = {c.name: c for c in TABLES[kind].columns}
    for col, (sql, zh, en) in REFERENCES.items():
        if col not in parsed.columns:
            continue
        values = [v for v in parsed[col].unique().to_list() if v]
        rows = select_in(sql, values)
        refs[col] = {r[0]: tuple(r[1:]) for r in rows}
        found = pl.DataFrame(
            [(str(r[0]), str(r[2] or ""), str(r[3] or "")) for r in rows],
            schema={col: pl.String, "_path": pl.String, "_extra": pl.String},
            orient="row",
        )
        given = parsed.select(ROW, col).filter(pl.col(col).is_not_null() & (pl.col(col) != ""))
        if DEFINED_HERE.get(kind) == col:  # defined by this very file
            given = given.filter(pl.lit(False))
        hit = given.join(found, on=col, how="left")
        header = by_name[col].zh
        for row, value in hit.filter(pl.col("_path").is_null()).select(ROW, col).iter_rows():
            errors.append(
                RowError(
                    row,
                    header,
                    value,
                    f"{zh}{value}不存在，请先导入或核对",
                    f"{en} {value} does not exist: import it first or check it",
                )
            )
        hit = hit.filter(pl.col("_path").is_not_null())
        if col in SCOPED and actor is not None:
            outside = hit.filter(~pl.col("_path").str.starts_with(scope or "\0"))
            for row, value in outside.select(ROW, col).iter_rows():
                errors.append(
                    RowError(
                        row,
                        header,
                        value,
                        f"{zh}{value}不在您的辖区内",
                        f"{en} {value} is outside your region",
                    )
                )
        if col == "village_code":
            for row, value in (
                hit.filter(pl.col("_extra") != "village").select(ROW, col).iter_rows()
            ):
                errors.append(
                    RowError(row, header, value, f"{value}不是行政村", f"{value} is not a village")
                )
    return refs, errors
