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
from typing import Any

import polars as pl
from django.db import connection

from lantu.accounts.roles import Perm
from lantu.core.bulksql import indexes_deferred, insert_rows, select_in
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
    out, errors = _resolve_projects(df, actor)
    found = lookups.households(out["household_no"].unique().to_list())
    out = out.join(found, on="household_no", how="left")
    scope = lookups.scope_of(actor)
    missing = pl.col("household_id").is_null() | ~lookups.under("household_path", scope)
    errors += row_errors(
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
    errors += _eligibility(out, missing | elsewhere)
    errors += row_errors(
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
    errors += _dups(out, ["project_code", "voucher"], "voucher")
    out, stored_errors = _against_stored(out)
    return out, errors + stored_errors


def _eligibility(out: pl.DataFrame, skip: pl.Expr) -> list[RowError]:
    """Not registered nor monitored: only a beneficiary of the project may be paid."""
    doubtful = out.filter(~skip & ~pl.col("status").is_in(eligible_statuses()).fill_null(True))
    if not doubtful.height:
        return []
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


def _against_stored(out: pl.DataFrame) -> tuple[pl.DataFrame, list[RowError]]:
    ids = out["project_id"].drop_nulls().unique().to_list()
    stored = (
        pl.DataFrame(
            select_in(
                "SELECT project_id, voucher, household_id, amount, date FROM "
                "projects_disbursement WHERE project_id IN ({})",
                ids,
            ),
            orient="row",
            schema={
                "project_id": pl.Int64,
                "voucher": pl.String,
                "s_household": pl.Int64,
                "s_amount": pl.Int64,
                "s_date": pl.Date,
            },
        )
        if ids
        else pl.DataFrame(
            schema={
                "project_id": pl.Int64,
                "voucher": pl.String,
                "s_household": pl.Int64,
                "s_amount": pl.Int64,
                "s_date": pl.Date,
            }
        )
    )
    out = out.join(stored, on=["project_id", "voucher"], how="left")
    known = pl.col("s_amount").is_not_null()
    differs = known & (
        (pl.col("s_household") != pl.col("household_id"))
        | (pl.col("s_amount") != pl.col("amount"))
        | (pl.col("s_date") != pl.col("date"))
    )
    errors = row_errors(
        out,
        differs,
        Z["voucher"],
        "voucher",
        "凭证号{voucher}已登记，但户、金额或日期不同；已发放的记录不能由导入修改",
        "voucher {voucher} is recorded with another household, amount or date; "
        "a recorded payment is not changed by an import",
    )
    new = out.filter(~known & pl.col("project_id").is_not_null())
    allocated = (
        pl.DataFrame(
            select_in(
                "SELECT project_id, SUM(amount) FROM projects_allocation WHERE project_id IN "
                "({}) GROUP BY project_id",
                ids,
            ),
            orient="row",
            schema={"project_id": pl.Int64, "allocated": pl.Int64},
        )
        if ids
        else pl.DataFrame(schema={"project_id": pl.Int64, "allocated": pl.Int64})
    )
    totals = (
        new.group_by("project_id")
        .agg(pl.col("amount").sum().alias("adding"), pl.col(ROW).max())
        .join(
            _disbursed(ids)
            if ids
            else pl.DataFrame(schema={"project_id": pl.Int64, "disbursed": pl.Int64}),
            on="project_id",
            how="left",
        )
        .join(allocated, on="project_id", how="left")
        .with_columns(pl.col("disbursed").fill_null(0), pl.col("allocated").fill_null(0))
        .filter(pl.col("disbursed") + pl.col("adding") > pl.col("allocated"))
        .join(out.select(ROW, "project_code"), on=ROW)
    )
    errors += row_errors(
        totals,
        pl.lit(True),
        Z["amount"],
        "amount",
        "项目{project_code}安排{allocated}元，已发放{disbursed}元，本文件再发{adding}元将超出安排",
        "project {project_code}: {allocated} yuan allocated, {disbursed} paid, "
        "{adding} more in this file would exceed the allocation",
    )
    return out.with_columns(known.alias("_stored")), errors


def _apply(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
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
    with indexes_deferred([Disbursement], when=big):
        insert_rows(
            Disbursement, FIELDS, [s.to_list() for s in cols.iter_columns()], prepared={"date"}
        )
    _ledger(new, before, actor, source)
    return {"disbursements_written": new.height, "disbursements_skipped": df.height - new.height}


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


def _ledger(new: pl.DataFrame, before: int, actor: Any, source: str) -> None:
    """One ledger event per payment (``fund.disburse``, as the one-payment service writes it:
    the row's state as ``model_to_dict`` gives it), built column-wise and appended in bulk."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, project_id, voucher FROM projects_disbursement WHERE id > %s", [before]
        )
        ids = pl.DataFrame(
            cur.fetchall(), schema={"id": pl.Int64, "project_id": pl.Int64, "voucher": pl.String},
            orient="row",
        )  # fmt: skip
    rows = new.join(ids, on=["project_id", "voucher"]).sort("id")
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
