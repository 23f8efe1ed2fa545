"""Importing payments to households (到户补助) from a file: the county's payout list, up to
millions of rows, checked and applied column-wise.

Checks, all in one pass: the project exists in the user's region; the household exists, in the
user's region and the project's county; it is registered or monitored, or a beneficiary of the
project; a voucher number appears once per project in the file, and one already recorded must
come again with the same household, amount and date (that row is then skipped: importing a file
twice changes nothing); the payee's ID number, if given, is a valid GB 11643 number (checked
column-wise); and, per project, what is stored plus what the file adds stays within what is
allocated. Then the new rows go in with one INSERT per chunk. The ledger gets one event per
payment, as the one-payment service writes it, appended in bulk (``record_rows``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection

from lantu.accounts.roles import Perm
from lantu.core.bulksql import copy_frame, copy_out, indexes_deferred, insert_rows, select_in
from lantu.ledger.services import record_rows
from lantu.projects import columns, lookups
from lantu.projects.import_funds import _disbursed, _dups, _resolve_projects
from lantu.projects.imports import Table, register, row_errors
from lantu.projects.invariants import eligible_statuses
from lantu.projects.models import Disbursement
from lantu.registry.reader import ROW
from lantu.registry.validate import RowError

Z = {c.name: c.zh for c in columns.DISBURSEMENTS}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
BULK_LOAD_ROWS = 20_000
CACHE_KIB_MAX = 1_000_000  # SQLite page cache during a large payments import (KiB)
CHECK_CHARS = "10X98765432"
FIELDS = [
    "project",
    "household",
    "region_path",
    "voucher",
    "item",
    "payee_name",
    "payee_id_number",
    "bank_account",
    "amount",
    "date",
    "year",
]


def id_valid(col: str) -> pl.Expr:
    """GB 11643 check character, column-wise (``lantu.registry.ids`` checks one at a time)."""
    s = pl.col(col).str.to_uppercase()
    total = pl.sum_horizontal(
        [s.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(WEIGHTS)]
    )
    expected = (total % 11).replace_strict(
        {i: c for i, c in enumerate(CHECK_CHARS)}, default=None, return_dtype=pl.String
    )
    return s.str.contains(r"^[0-9]{17}[0-9X]$") & (s.str.slice(17, 1) == expected)


def _check(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    if connection.vendor == "postgresql":
        return _check_pg(df, actor)
    out, errors = _resolve_projects(df, actor)
    found = lookups.households(out["household_no"].unique().to_list())
    out = out.join(found, on="household_no", how="left")
    errors += _household_errors(out, lookups.scope_of(actor))
    errors += _frame_errors(out)
    out, stored_errors = _against_stored(out)
    return out, errors + stored_errors


def _household_errors(out: pl.DataFrame, scope: str) -> list[RowError]:
    """The payee household: known and in the user's region, in the project's county, and
    registered, monitored or a beneficiary of the project (``beneficiary``, where the frame has
    it, says which rows are; otherwise it is looked up)."""
    missing = pl.col("household_id").is_null() | ~lookups.under("household_path", scope)
    errors = row_errors(
        out,
        missing,
        Z["household_no"],
        "household_no",
        "户{household_no}不存在或不在您的辖区内",
        "household {household_no}: none in your region",
    )
    elsewhere = (
        ~missing
        & pl.col("project_id").is_not_null()
        & ~pl.col("household_path").str.starts_with(pl.col("project_path"))
    )
    errors += row_errors(
        out,
        elsewhere,
        Z["household_no"],
        "household_no",
        "户{household_no}不在项目{project_code}所在县",
        "household {household_no} is not in project {project_code}'s county",
    )
    return errors + _eligibility(out, missing | elsewhere)


def _frame_errors(out: pl.DataFrame) -> list[RowError]:
    """What the file alone shows: an amount not above 0, a bad payee ID number, a voucher twice
    in a project."""
    errors = row_errors(
        out, pl.col("amount") <= 0, Z["amount"], "amount", "金额应大于0", "a payment is more than 0"
    )
    given = pl.col("payee_id_number") != ""
    errors += row_errors(
        out,
        given & ~id_valid("payee_id_number").fill_null(False),
        Z["payee_id_number"],
        "payee_id_number",
        "收款人身份证号{payee_id_number}无效（应为18位且校验码正确）",
        "payee ID {payee_id_number} is not a valid 18-character number",
    )
    return errors + _dups(out, ["project_code", "voucher"], "voucher")


def _eligibility(out: pl.DataFrame, skip: pl.Expr) -> list[RowError]:
    """Not registered nor monitored: only a beneficiary of the project may be paid."""
    doubtful = out.filter(~skip & ~pl.col("status").is_in(eligible_statuses()).fill_null(True))
    if not doubtful.height:
        return []
    if "beneficiary" in doubtful.columns:
        bad = doubtful.filter(~pl.col("beneficiary").fill_null(False))
    else:
        known = select_in(
            "SELECT project_id, household_id FROM projects_beneficiary WHERE household_id IN ({})",
            doubtful["household_id"].unique().to_list(),
        )
        ben = pl.DataFrame(
            known, orient="row", schema={"project_id": pl.Int64, "household_id": pl.Int64}
        )
        bad = doubtful.join(ben, on=["project_id", "household_id"], how="anti")
    return row_errors(
        bad,
        pl.lit(True),
        Z["household_no"],
        "household_no",
        "户{household_no}既非建档立卡户或监测对象，也不是项目{project_code}的受益户",
        "household {household_no} is neither registered nor monitored, nor a "
        "beneficiary of project {project_code}",
    )


def _project_errors(out: pl.DataFrame, scope: str) -> list[RowError]:
    bad = pl.col("project_id").is_null() | ~lookups.under("project_path", scope)
    return row_errors(
        out,
        bad,
        Z["project_code"],
        "project_code",
        "项目{project_code}不存在或不在您的辖区内，请先导入项目库",
        "project {project_code}: none in your region (import the projects first)",
    )


def _stored_errors(out: pl.DataFrame) -> list[RowError]:
    differs = pl.col("s_amount").is_not_null() & (
        (pl.col("s_household") != pl.col("household_id"))
        | (pl.col("s_amount") != pl.col("amount"))
        | (pl.col("s_date") != pl.col("date"))
    )
    return row_errors(
        out,
        differs,
        Z["voucher"],
        "voucher",
        "凭证号{voucher}已登记，但户、金额或日期不同；已发放的记录不能由导入修改",
        "voucher {voucher} is recorded with another household, amount or date; "
        "a recorded payment is not changed by an import",
    )


def _total_errors(totals: pl.DataFrame) -> list[RowError]:
    """``totals``: one row per project the file would take past its allocation (the project's
    last row in the file, what is allocated, paid and added)."""
    return row_errors(
        totals,
        pl.lit(True),
        Z["amount"],
        "amount",
        "项目{project_code}安排{allocated}元，已发放{disbursed}元，本文件再发{adding}元将超出安排",
        "project {project_code}: {allocated} yuan allocated, {disbursed} paid, "
        "{adding} more in this file would exceed the allocation",
    )


# --- PostgreSQL: the file in a staging table, checked and applied in SQL ------------------------

STAGE = "lantu_payments_in"
STAGE_COLUMNS = {
    ROW: "bigint",
    "project_code": "text",
    "household_no": "text",
    "voucher": "text",
    "item": "text",
    "payee_name": "text",
    "payee_id_number": "text",
    "bank_account": "text",
    "amount": "bigint",
    "date": "date",
}
# Rows any database check could refuse: the few the checks then read back into Python.
SUSPECT = """
SELECT s.{row}, s.project_code, s.household_no, s.voucher, s.amount, s.date, s.project_id,
  s.project_path, s.household_id, s.household_path, s.status, s.s_household, s.s_amount,
  s.s_date, s.status = ANY(%(eligible)s) OR EXISTS (SELECT 1 FROM projects_beneficiary b
    WHERE b.project_id = s.project_id AND b.household_id = s.household_id) AS beneficiary
FROM {stage} s
WHERE s.project_id IS NULL OR s.household_id IS NULL
  OR NOT starts_with(s.project_path, %(scope)s) OR NOT starts_with(s.household_path, %(scope)s)
  OR NOT starts_with(s.household_path, s.project_path)
  OR s.status IS NULL OR NOT s.status = ANY(%(eligible)s)
  OR (s.s_amount IS NOT NULL AND (s.s_household <> s.household_id OR s.s_amount <> s.amount
      OR s.s_date <> s.date))
"""
# Per project, what the file adds to what is paid, where that would pass what is allocated.
OVER = """
SELECT n.project_id, n.project_code, n.{row}, n.adding,
  COALESCE((SELECT SUM(d.amount) FROM projects_disbursement d
            WHERE d.project_id = n.project_id), 0) AS disbursed,
  COALESCE((SELECT SUM(a.amount) FROM projects_allocation a
            WHERE a.project_id = n.project_id), 0) AS allocated
FROM (SELECT project_id, MAX(project_code) AS project_code, MAX({row}) AS {row},
             SUM(amount) AS adding
      FROM {stage} WHERE s_amount IS NULL AND project_id IS NOT NULL GROUP BY project_id) n
"""


def _check_pg(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    """The file goes into a temporary table by ``COPY``, is resolved there (projects,
    households, what is already recorded) by one join, and checked in SQL; only the rows some
    check could refuse come back, and get the same messages as on SQLite."""
    scope = lookups.scope_of(actor)
    errors = _frame_errors(df)
    q = connection.ops.quote_name
    raw = f"{STAGE}_raw"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {raw}, {STAGE}")
        cols = ", ".join(f"{q(c)} {t}" for c, t in STAGE_COLUMNS.items())
        cur.execute(f"CREATE TEMP TABLE {raw} ({cols}) ON COMMIT DROP")
    copy_frame(raw, df.select(list(STAGE_COLUMNS)))
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT r.*, p.id AS project_id, "
            "p.region_path AS project_path, h.id AS household_id, "
            "h.region_path AS household_path, h.status, d.household_id AS s_household, "
            f"d.amount AS s_amount, d.date AS s_date FROM {raw} r "
            "LEFT JOIN projects_project p ON p.code = r.project_code "
            "LEFT JOIN registry_household h ON h.household_no = r.household_no "
            "LEFT JOIN projects_disbursement d ON d.project_id = p.id AND d.voucher = r.voucher"
        )
        cur.execute(f"DROP TABLE {raw}")
        # A user bound to no region ("\x00none") sees nothing; PostgreSQL text holds no NUL.
        params: dict[str, Any] = {
            "scope": scope.replace("\x00", "//"),
            "eligible": list(eligible_statuses()),
        }
        cur.execute(SUSPECT.format(row=q(ROW), stage=STAGE), params)
        names = [c.name for c in cur.description]
        suspect = pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
        cur.execute(
            f"SELECT * FROM ({OVER.format(row=q(ROW), stage=STAGE)}) o "
            "WHERE o.disbursed + o.adding > o.allocated"
        )
        names = [c.name for c in cur.description]
        over = pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
        cur.execute(f"SELECT DISTINCT project_code, project_id FROM {STAGE}")
        ids = pl.DataFrame(
            cur.fetchall(), schema={"project_code": pl.String, "project_id": pl.Int64},
            orient="row",
        )  # fmt: skip
    if suspect.height:
        suspect = suspect.with_columns(
            pl.col("project_id", "household_id", "s_household", "amount", "s_amount").cast(
                pl.Int64
            ),
            pl.col("project_path", "household_path", "status").cast(pl.String),
        )
        errors += _project_errors(suspect, scope)
        errors += _household_errors(suspect, scope)
        errors += _stored_errors(suspect)
    errors += _total_errors(over)
    # The resolved rows stay in the staging table for ``_apply_pg``.
    return df.join(ids, on="project_code", how="left"), errors


def _against_stored(out: pl.DataFrame) -> tuple[pl.DataFrame, list[RowError]]:
    ids = out["project_id"].drop_nulls().unique().to_list()
    schema = {"project_id": pl.Int64, "voucher": pl.String, "s_household": pl.Int64,
              "s_amount": pl.Int64, "s_date": pl.Date}  # fmt: skip
    stored = pl.DataFrame(
        select_in(
            "SELECT project_id, voucher, household_id, amount, date FROM "
            "projects_disbursement WHERE project_id IN ({})",
            ids,
        ),
        orient="row",
        schema=schema,
    )
    out = out.join(stored, on=["project_id", "voucher"], how="left")
    errors = _stored_errors(out)
    known = pl.col("s_amount").is_not_null()
    new = out.filter(~known & pl.col("project_id").is_not_null())
    allocated = pl.DataFrame(
        select_in(
            "SELECT project_id, SUM(amount) FROM projects_allocation WHERE project_id IN "
            "({}) GROUP BY project_id",
            ids,
        ),
        orient="row",
        schema={"project_id": pl.Int64, "allocated": pl.Int64},
    )
    totals = (
        new.group_by("project_id")
        .agg(pl.col("amount").sum().alias("adding"), pl.col(ROW).max())
        .join(_disbursed(ids), on="project_id", how="left")
        .join(allocated, on="project_id", how="left")
        .with_columns(pl.col("disbursed").fill_null(0), pl.col("allocated").fill_null(0))
        .filter(pl.col("disbursed") + pl.col("adding") > pl.col("allocated"))
        .join(out.select(ROW, "project_code"), on=ROW)
    )
    errors += _total_errors(totals)
    return out.with_columns(known.alias("_stored")), errors


def _apply(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    if connection.vendor == "postgresql":
        return _apply_pg(df, actor, source)
    new = df.filter(~pl.col("_stored")).sort("project_id", "voucher")
    cols = new.select(
        "project_id",
        "household_id",
        "household_path",
        "voucher",
        "item",
        "payee_name",
        pl.col("payee_id_number").str.to_uppercase(),
        "bank_account",
        "amount",
        # ISO text, as the database stores a date: no adapter call per row
        pl.col("date").dt.strftime("%Y-%m-%d"),
        pl.col("date").dt.year().alias("year"),
    )
    # A load larger than what is stored rebuilds the indexes once at the end (SQLite): several
    # times faster than keeping them up to date row by row.
    big = new.height >= BULK_LOAD_ROWS and new.height > Disbursement.objects.count()
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM projects_disbursement")
        before = cur.fetchone()[0]
    with _page_cache(new.height), indexes_deferred([Disbursement], when=big):
        insert_rows(
            Disbursement, FIELDS, [s.to_list() for s in cols.iter_columns()], prepared={"date"}
        )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, project_id, voucher FROM projects_disbursement WHERE id > %s", [before]
            )
            ids = pl.DataFrame(
                cur.fetchall(), orient="row",
                schema={"id": pl.Int64, "project_id": pl.Int64, "voucher": pl.String},
            )  # fmt: skip
        _ledger(new.join(ids, on=["project_id", "voucher"]), actor, source)
    return {"disbursements_written": new.height, "disbursements_skipped": df.height - new.height}


@contextmanager
def _page_cache(rows: int) -> Iterator[None]:
    """SQLite: a page cache sized to the load for its duration (about 1 KiB a payment, up to
    ``CACHE_KIB_MAX``), then the connection's own again. A million payments and their ledger
    events touch ~1 GB of table and index pages; with the default 64 MB cache the events'
    indexes (the hash above all, random keys) are read back page by page."""
    kib = min(rows, CACHE_KIB_MAX)
    if rows < BULK_LOAD_ROWS:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def _apply_pg(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    """The new rows of the staging table (``_check_pg``) go in by one ``INSERT … SELECT``; what
    it returns names each new payment's id and household for its ledger event."""
    sql = (
        "INSERT INTO projects_disbursement (project_id, household_id, region_path, voucher, "
        "item, payee_name, payee_id_number, bank_account, amount, date, year) SELECT project_id, "
        "household_id, household_path, voucher, item, payee_name, upper(payee_id_number), "
        "bank_account, amount, date, EXTRACT(YEAR FROM date)::int "
        f"FROM {STAGE} WHERE s_amount IS NULL ORDER BY project_id, voucher "
        "RETURNING id, project_id, voucher, household_id, region_path AS household_path"
    )
    schema = {"id": pl.Int64, "project_id": pl.Int64, "voucher": pl.String,
              "household_id": pl.Int64, "household_path": pl.String}  # fmt: skip
    written = copy_out(sql, schema)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {STAGE}")
    _ledger(df.join(written, on=["project_id", "voucher"]), actor, source)
    return {
        "disbursements_written": written.height,
        "disbursements_skipped": df.height - written.height,
    }


def _json_text(df: pl.DataFrame, col: str) -> pl.Series:
    """A text column as JSON (``json.dumps(ensure_ascii=False)``; a null as ``null``): quoted,
    and through ``json.dumps`` only if some value holds a quote, a backslash or a control
    character."""
    values = df[col]
    if values.str.contains(r'["\\\x00-\x1f]').any():
        return pl.Series([json.dumps(v, ensure_ascii=False) for v in values], dtype=pl.String)
    return df.select(
        pl.when(pl.col(col).is_null())
        .then(pl.lit("null"))
        .otherwise(pl.lit('"') + pl.col(col) + pl.lit('"'))
    ).to_series()


def _ledger(rows: pl.DataFrame, actor: Any, source: str) -> None:
    """One ledger event per payment (``fund.disburse``, as the one-payment service writes it:
    the row's state as ``model_to_dict`` gives it), built column-wise and appended in bulk.
    ``rows``: the new payments with their ids."""
    rows = rows.sort("id")
    fen = pl.col("amount")
    after = pl.concat_str(
        pl.lit('{"amount": "'),
        (fen // 100).cast(pl.String),
        pl.lit("."),
        (fen % 100).cast(pl.String).str.zfill(2),
        pl.lit('", "bank_account": '),
        pl.col("_j_bank_account"),
        pl.lit(', "date": "'),
        pl.col("date").dt.strftime("%Y-%m-%d"),
        pl.lit('", "household": '),
        pl.col("household_id").cast(pl.String),
        pl.lit(', "item": '),
        pl.col("_j_item"),
        pl.lit(', "payee_id_number": '),
        pl.col("_j_payee_id_number"),
        pl.lit(', "payee_name": '),
        pl.col("_j_payee_name"),
        pl.lit(', "project": '),
        pl.col("project_id").cast(pl.String),
        pl.lit(', "region_path": '),
        pl.col("_j_household_path"),
        pl.lit(', "voucher": '),
        pl.col("_j_voucher"),
        pl.lit(', "year": '),
        pl.col("date").dt.year().cast(pl.String),
        pl.lit("}"),
    )
    rows = rows.with_columns(
        pl.col("payee_id_number").str.to_uppercase(), pl.col("id").cast(pl.String)
    )
    text = ("bank_account", "item", "payee_id_number", "payee_name", "household_path", "voucher")
    rows = rows.with_columns(*[_json_text(rows, c).alias(f"_j_{c}") for c in text])
    rows = rows.with_columns(after.alias("_after"))
    record_rows(
        "fund.disburse",
        "projects.disbursement",
        rows["id"].to_list(),
        rows["household_path"].to_list(),
        rows["_after"].to_list(),
        actor=actor,
        reason=source,
        batch=source[-40:],
    )


DISBURSEMENTS = register(
    Table(
        "disbursements",
        "到户补助",
        "到户补助发放",
        "payments to households",
        columns.DISBURSEMENTS,
        ("amount",),
        (Perm.IMPORT, Perm.EDIT),
        _check,
        _apply,
        {
            "project_code": "XM-2021-001",
            "household_no": "示例-0001",
            "voucher": "PZ-0001",
            "item": "产业奖补",
            "payee_name": "示例户主",
            "bank_account": "6228480000000000000",
            "amount": "2000.00",
            "date": "2021-06-30",
        },
    )
)
