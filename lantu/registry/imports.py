"""Importing the registry from a file (``import_file``) or from tables (``apply_tables``, used by
``lantu load`` for the simulator's output).

All or nothing: every row is checked first and every error collected (row, column, value, reason
in Chinese and English); if there is any, nothing is written and the report carries them, with a
workbook of the bad rows to download. Otherwise the whole file is applied in one transaction by
``lantu.registry.bulk``. Re-importing the same file changes nothing; a file that changes existing
households updates them, and each change is a ledger event with its before and after.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import xlsxwriter
from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.core.bulksql import select_in
from lantu.core.errors import ImportRejected, NotPermitted
from lantu.ledger.services import record_many
from lantu.regions.models import Region
from lantu.registry import bulk, validate
from lantu.registry.columns import BY_NAME, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS
from lantu.registry.reader import ROW, read_table
from lantu.registry.rows import ChangeLog
from lantu.registry.services import HOUSEHOLD_REGION_LEVELS
from lantu.registry.validate import RowError
from lantu.registry.yearly import write_years

CHUNK = 5000


@dataclass
class ImportReport:
    source: str
    errors: list[RowError] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    bad_rows: pl.DataFrame | None = None
    # Chinese header of each column of ``bad_rows`` (the registry's unless another room's table).
    headers: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_workbook(self) -> bytes:
        """The rows that failed, as they were given, with the reasons beside them (XLSX)."""
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True})
        sheet = book.add_worksheet("错误清单")
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
        bad = book.add_format({"bg_color": "#FFC7CE"})
        for j, title in enumerate(("行号 row", "列 column", "值 value", "原因", "reason")):
            sheet.write(0, j, title, head)
        for i, e in enumerate(sorted(self.errors, key=lambda e: (e.row, e.column)), start=1):
            sheet.write_row(i, 0, [e.row, e.column, e.value, e.zh, e.en])
        sheet.set_column(0, 2, 14)
        sheet.set_column(3, 4, 60)
        if self.bad_rows is not None and self.bad_rows.height:
            rows = book.add_worksheet("出错的行")
            cols = [c for c in self.bad_rows.columns if c != ROW]
            zh = self.headers or {c: BY_NAME[c].zh for c in cols}
            rows.write_row(0, 0, ["行号 row", *[zh.get(c, c) for c in cols]], head)
            marked = {(e.row, e.column) for e in self.errors}
            for i, rec in enumerate(self.bad_rows.iter_rows(named=True), start=1):
                rows.write(i, 0, rec[ROW])
                for j, c in enumerate(cols, start=1):
                    fmt = bad if (rec[ROW], zh.get(c, c)) in marked else None
                    rows.write(i, j, rec[c], fmt)
        book.close()
        return buf.getvalue()


def import_file(data: bytes, filename: str, *, actor: Any, dry_run: bool = False) -> ImportReport:
    """Check and apply a registry file. Raises ImportRejected for a file that cannot be read at all;
    row problems come back in the report."""
    if actor is not None and not actor.can(Perm.IMPORT):
        raise NotPermitted("您的角色无权导入数据", "your role may not import data")
    table = read_table(data, filename)
    if table.height == 0:
        raise ImportRejected("表格只有表头，没有数据行", "the sheet has headers but no data rows")
    source = f"{filename} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    report = ImportReport(source=source)
    parsed, errors = validate.parse(table)
    folded, fold_errors = validate.households(parsed)
    folded = _fill_from_database(folded)
    errors += fold_errors + validate.required_household_values(folded)
    regions, region_errors = _regions(folded, actor)
    errors += region_errors
    errors += _file_invariants(parsed)
    errors += _database_invariants(parsed)
    if errors:
        report.errors = errors
        report.bad_rows = table.filter(pl.col(ROW).is_in({e.row for e in errors}))
        return report
    if not dry_run:
        report.summary = bulk.apply(folded, parsed, regions, actor=actor, source=source)
    return report


def apply_tables(
    households: pl.DataFrame,
    members: pl.DataFrame,
    years: pl.DataFrame,
    *,
    actor: Any,
    source: str,
) -> ImportReport:
    """The same import from three tables (households; members and years keyed by household_no),
    as the simulator writes them: households with their members in one pass, then every year's
    facts in one more, in one transaction: all of it or none."""
    with transaction.atomic():
        flat = members.join(households, on="household_no", how="left")
        buf = io.BytesIO()
        _as_strings(flat).write_csv(buf)
        report = import_file(buf.getvalue(), f"{source}.csv", actor=actor)
        if not report.ok or not years.height:
            return report
        yearly = import_years(years, actor=actor, source=source)
        if not yearly.ok:
            transaction.set_rollback(True)
            return yearly
        report.summary["years_written"] += yearly.summary["years_written"]
    return report


def import_years(years: pl.DataFrame, *, actor: Any, source: str) -> ImportReport:
    """Yearly facts of registered households, any number of years at once (household_no, year and
    the yearly columns). Every row is checked first; then all are applied or none."""
    if actor is not None and not actor.can(Perm.IMPORT):
        raise NotPermitted("您的角色无权导入数据", "your role may not import data")
    report = ImportReport(source=source)
    cols = ["household_no", *(c.name for c in YEAR_COLUMNS if c.name in years.columns)]
    table = _as_strings(years.select(cols))
    table = table.with_columns(pl.int_range(2, table.height + 2, dtype=pl.Int64).alias(ROW))
    parsed, errors = validate.parse(table)
    errors += validate.yearly_rows(parsed)
    known = select_in(
        "SELECT household_no, id, region_path FROM registry_household WHERE household_no IN ({})",
        parsed["household_no"].unique().to_list(),
    )
    ids = {no: pk for no, pk, _ in known}
    paths = {no: path for no, _, path in known}
    scope = actor.region.path if actor is not None and actor.region_id else ""
    header = BY_NAME["household_no"].zh
    for row, no in parsed.select(ROW, "household_no").iter_rows():
        if no not in ids or (actor is not None and not (scope and paths[no].startswith(scope))):
            zh = f"户{no}不存在或不在您的辖区内"
            errors.append(RowError(row, header, no, zh, f"household {no}: none in your region"))
    if errors:
        report.errors, report.bad_rows = (
            errors,
            table.filter(pl.col(ROW).is_in({e.row for e in errors})),
        )
        return report
    with transaction.atomic():
        log = ChangeLog()
        report.summary = {"years_written": write_years(parsed, ids, log, quiet=set())}
        record_many(log.changes(ids, paths, source), actor=actor, batch=source[-40:])
    return report


def _as_strings(df: pl.DataFrame) -> pl.DataFrame:
    known = [c.name for c in (*HOUSEHOLD_COLUMNS, *MEMBER_COLUMNS, *YEAR_COLUMNS)]
    cols = [c for c in known if c in df.columns]
    out = []
    for c in cols:
        dtype = df.schema[c]
        if dtype == pl.Boolean:
            out.append(
                pl.col(c)
                .replace_strict({True: "是", False: "否"}, default="", return_dtype=pl.String)
                .alias(c)
            )
        else:
            out.append(pl.col(c).cast(pl.String).fill_null("").alias(c))
    return df.select(out)


def _fill_from_database(folded: pl.DataFrame) -> pl.DataFrame:
    """A file may list only some members of a household already registered: its region, type and
    status then come from the database."""
    known = select_in(
        "SELECT h.household_no, r.code, h.household_type, h.status FROM registry_household h "
        "JOIN regions_region r ON r.id = h.region_id WHERE h.household_no IN ({})",
        folded["household_no"].to_list(),
    )
    if not known:
        return folded
    stored = pl.DataFrame(
        known,
        orient="row",
        schema={
            "household_no": pl.String,
            "_region": pl.String,
            "_type": pl.String,
            "_status": pl.String,
        },
    )
    return (
        folded.join(stored, on="household_no", how="left")
        .with_columns(
            pl.coalesce("region_code", "_region").alias("region_code"),
            pl.coalesce("household_type", "_type").alias("household_type"),
            pl.coalesce("status", "_status").alias("status"),
        )
        .drop("_region", "_type", "_status")
    )


def _regions(folded: pl.DataFrame, actor: Any) -> tuple[dict[str, Region], list[RowError]]:
    codes = folded["region_code"].drop_nulls().unique().to_list()
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    scope = (
        actor.region.path
        if actor is not None and actor.region_id
        else ("" if actor is None else None)
    )
    header = BY_NAME["region_code"].zh
    errors: list[RowError] = []
    for row, code in folded.select(ROW, "region_code").iter_rows():
        if code is None:
            continue  # reported as a missing required value
        region = found.get(code)
        if region is None:
            errors.append(
                RowError(
                    row,
                    header,
                    code,
                    f"区划代码{code}不存在（请先导入乡镇、村名单）",
                    f"region code {code} does not exist (import townships and villages first)",
                )
            )
        elif region.level not in HOUSEHOLD_REGION_LEVELS:
            errors.append(
                RowError(
                    row,
                    header,
                    code,
                    f"{region.name}不是行政村或村民小组",
                    f"{region.name} is not a village or villager group",
                )
            )
        elif scope is None or not region.path.startswith(scope):
            errors.append(
                RowError(
                    row,
                    header,
                    code,
                    f"{region.name}不在您的辖区内",
                    f"{region.name} is outside your region",
                )
            )
    return found, errors


def _active(parsed: pl.DataFrame) -> pl.Expr:
    return (
        pl.col("left_reason").fill_null("") == ""
        if "left_reason" in parsed.columns
        else pl.lit(True)
    )


def _file_invariants(parsed: pl.DataFrame) -> list[RowError]:
    errors: list[RowError] = []
    header = BY_NAME["id_number"].zh
    active = parsed.filter(_active(parsed) & (pl.col("id_number") != ""))
    dup = active.filter(pl.col("id_number").is_duplicated())
    for row, number, hh in dup.select(ROW, "id_number", "household_no").iter_rows():
        errors.append(
            RowError(
                row,
                header,
                number,
                f"身份证号{number}在文件中出现多次（户{hh}）",
                f"ID {number} appears more than once in the file (household {hh})",
            )
        )
    return errors


def _database_invariants(parsed: pl.DataFrame) -> list[RowError]:
    """People the file puts in a household who are active in another one in the database, unless
    the file also records them leaving it; and exactly one head per household after the import."""
    active_members = (
        "SELECT m.id_number, h.household_no, m.relation FROM registry_member m "
        "JOIN registry_household h ON h.id = m.household_id WHERE m.active AND "
    )
    db_rows = select_in(
        active_members + "m.id_number IN ({})", parsed["id_number"].unique().to_list()
    )
    hh_nos = parsed["household_no"].unique().to_list()
    db_rows += select_in(active_members + "h.household_no IN ({})", hh_nos)
    db = pl.DataFrame(
        db_rows,
        schema={"id_number": pl.String, "db_household": pl.String, "db_relation": pl.String},
        orient="row",
    ).unique()
    errors: list[RowError] = []
    file_rows = parsed.select(
        ROW, "id_number", "household_no", _active(parsed).alias("active"), pl.col("relation")
    )
    left_pairs = file_rows.filter(~pl.col("active")).select(
        "id_number", pl.col("household_no").alias("db_household")
    )
    moved = (
        file_rows.filter(pl.col("active"))
        .join(db, on="id_number")
        .filter(pl.col("db_household") != pl.col("household_no"))
        .join(left_pairs, on=["id_number", "db_household"], how="anti")
    )
    header = BY_NAME["id_number"].zh
    for row, number, other in moved.select(ROW, "id_number", "db_household").iter_rows():
        errors.append(
            RowError(
                row,
                header,
                number,
                f"身份证号{number}已是户{other}的在户成员；同一人只能在一个户中，请在原户填写减员原因",
                f"ID {number} is an active member of household {other}; a person is in "
                "one household only: record them leaving it first",
            )
        )
    # Final membership: database members of these households, overridden by the file's rows.
    db_here = (
        db.filter(pl.col("db_household").is_in(hh_nos))
        .rename({"db_household": "household_no", "db_relation": "relation"})
        .with_columns(pl.lit(True).alias("active"))
    )
    final = pl.concat(
        [
            file_rows.drop(ROW),
            db_here.join(file_rows, on=["id_number", "household_no"], how="anti"),
        ],
        how="diagonal_relaxed",
    )
    heads = (
        final.group_by("household_no")
        .agg(((pl.col("relation") == "head") & pl.col("active")).sum().alias("heads"))
        .filter(pl.col("heads") != 1)
    )
    first_row = parsed.group_by("household_no").agg(pl.col(ROW).min())
    rel = BY_NAME["relation"].zh
    for hh, n, row in (
        heads.join(first_row, on="household_no").select("household_no", "heads", ROW).iter_rows()
    ):
        errors.append(
            RowError(
                row,
                rel,
                str(n),
                f"户{hh}应有且只有一名户主，现有{n}名",
                f"household {hh} must have exactly one head; it has {n}",
            )
        )
    return errors
