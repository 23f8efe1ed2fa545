"""Importing money: what each source makes available to a county in a year (``funds``), its
allocation to projects (``allocations``) and the payments to households (``disbursements``).

Each file is checked whole against the database, set-wise: keys resolve (projects, counties,
households in the user's region), no key twice in the file, and the fund invariants hold after
the file would be applied (allocated ≤ available per county, source and year; disbursed ≤
allocated per project; each payment to a registered or monitored household or a beneficiary).
A row identical to what is stored is skipped (re-importing changes nothing); a changed allocation
or availability is updated; a payment, once recorded, is never changed by a file.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from lantu.accounts.roles import Perm
from lantu.core.bulksql import insert_rows, select_in
from lantu.ledger.services import Change, record_many
from lantu.projects import columns, lookups
from lantu.projects.imports import Table, register, row_errors
from lantu.projects.models import Allocation, FundAvailability
from lantu.projects.money import yuan_of
from lantu.registry.validate import RowError

Z = {c.name: c.zh for c in (*columns.FUNDS, *columns.ALLOCATIONS, *columns.DISBURSEMENTS)}


def _dups(df: pl.DataFrame, keys: list[str], column: str) -> list[RowError]:
    return row_errors(
        df,
        pl.struct(keys).is_duplicated(),
        Z[column],
        column,
        "同一记录在文件中出现多次",
        "the same record appears more than once",
    )


def _resolve_projects(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    found = lookups.projects(df["project_code"].unique().to_list())
    out = df.join(found, on="project_code", how="left")
    scope = lookups.scope_of(actor)
    bad = pl.col("project_id").is_null() | ~lookups.under("project_path", scope)
    errors = row_errors(
        out,
        bad,
        Z["project_code"],
        "project_code",
        "项目{project_code}不存在或不在您的辖区内，请先导入项目库",
        "project {project_code}: none in your region (import the projects first)",
    )
    return out, errors


# --- funds available -------------------------------------------------------------------------


def _check_funds(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    found = lookups.regions(df["county_code"].unique().to_list()).rename({"code": "county_code"})
    out = df.join(found, on="county_code", how="left")
    scope = lookups.scope_of(actor)
    bad = (pl.col("level") != "county").fill_null(True) | ~lookups.under("path", scope).fill_null(
        False
    )
    errors = row_errors(
        out,
        bad,
        Z["county_code"],
        "county_code",
        "{county_code}不是您辖区内的县",
        "{county_code} is not a county in your region",
    )
    errors += _dups(out, ["county_code", "source", "year"], "county_code")
    used = _allocated_by(out.filter(~bad))
    low = out.join(used, on=["region_id", "source", "year"], how="left").filter(
        pl.col("amount") < pl.col("allocated").fill_null(0)
    )
    errors += row_errors(
        low,
        pl.lit(True),
        Z["amount"],
        "amount",
        "可用金额少于已安排的{allocated}元",
        "less than the {allocated} yuan already allocated",
    )
    return out, errors


def _allocated_by(df: pl.DataFrame) -> pl.DataFrame:
    rows = select_in(
        "SELECT p.county_id, a.source, a.year, SUM(a.amount) FROM projects_allocation a "
        "JOIN projects_project p ON p.id = a.project_id WHERE p.county_id IN ({}) "
        "GROUP BY p.county_id, a.source, a.year",
        df["region_id"].unique().to_list(),
    )
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "region_id": pl.Int64,
            "source": pl.String,
            "year": pl.Int64,
            "allocated": pl.Int64,
        },
    )


def _apply_funds(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    changes = []
    for rec in df.iter_rows(named=True):  # a county has a handful of sources a year
        row = FundAvailability.objects.filter(
            county_id=rec["region_id"], source=rec["source"], year=rec["year"]
        ).first()
        amount, document = yuan_of(rec["amount"]), rec["document"] or ""
        if row is not None and row.amount == amount and row.document == document:
            continue
        before = None if row is None else {"amount": str(row.amount), "document": row.document}
        if row is None:
            row = FundAvailability(
                county_id=rec["region_id"],
                region_path=rec["path"],
                source=rec["source"],
                year=rec["year"],
            )
        row.amount, row.document = amount, document
        row.save()
        after = {
            "amount": str(amount),
            "document": document,
            "source": rec["source"],
            "year": rec["year"],
        }
        changes.append(
            Change(
                "fund.availability",
                "projects.fundavailability",
                str(row.pk),
                rec["path"],
                before,
                after,
                source,
            )
        )
    record_many(changes, actor=actor, batch=source[-40:])
    return {"funds_written": len(changes)}


FUNDS = register(
    Table(
        "funds",
        "资金下达",
        "资金下达（可用额度）",
        "funds available",
        columns.FUNDS,
        ("amount",),
        (Perm.IMPORT, Perm.APPROVE),
        _check_funds,
        _apply_funds,
        {
            "county_code": "530822000000",
            "source": "统筹整合财政涉农资金",
            "year": "2021",
            "amount": "12000000.00",
            "document": "云财农〔2021〕1号",
        },
    )
)


# --- allocations -----------------------------------------------------------------------------


def _check_allocations(df: pl.DataFrame, actor: Any) -> tuple[pl.DataFrame, list[RowError]]:
    out, errors = _resolve_projects(df, actor)
    errors += _dups(out, ["project_code", "source", "year"], "project_code")
    errors += row_errors(
        out,
        pl.col("amount") <= 0,
        Z["amount"],
        "amount",
        "安排金额应大于0",
        "an allocation is more than 0",
    )
    ok = out.filter(pl.col("project_id").is_not_null())
    if not ok.height:
        return out, errors
    ids = ok["project_id"].unique().to_list()
    stored = pl.DataFrame(
        select_in(
            "SELECT a.project_id, a.source, a.year, a.amount, p.county_id FROM "
            "projects_allocation a JOIN projects_project p ON p.id = a.project_id WHERE "
            "p.county_id IN (SELECT county_id FROM projects_project WHERE id IN ({}))",
            ids,
        ),
        orient="row",
        schema={
            "project_id": pl.Int64,
            "source": pl.String,
            "year": pl.Int64,
            "stored": pl.Int64,
            "county_id": pl.Int64,
        },
    )
    keys = ["project_id", "source", "year"]
    new = ok.select(*keys, "county_id", pl.col("amount").alias("new"))
    merged = stored.join(new, on=keys, how="full", coalesce=True).with_columns(
        pl.coalesce("new", "stored").alias("final"),
        pl.coalesce("county_id", "county_id_right").alias("county_id"),
    )
    totals = merged.group_by("county_id", "source", "year").agg(pl.col("final").sum())
    avail = pl.DataFrame(
        select_in(
            "SELECT county_id, source, year, amount FROM projects_fundavailability "
            "WHERE county_id IN ({})",
            totals["county_id"].unique().to_list(),
        ),
        orient="row",
        schema={
            "county_id": pl.Int64,
            "source": pl.String,
            "year": pl.Int64,
            "available": pl.Int64,
        },
    )
    over = totals.join(avail, on=["county_id", "source", "year"], how="left").filter(
        pl.col("final") > pl.col("available").fill_null(0)
    )
    hit = ok.join(over, on=["county_id", "source", "year"])
    errors += row_errors(
        hit,
        pl.lit(True),
        Z["amount"],
        "amount",
        "导入后{year}年该来源安排合计{final}元，超过可用额度{available}元",
        "after this file, {final} yuan allocated in {year} exceeds the {available} yuan available",
    )
    disbursed = _disbursed(ids)
    per_project = (
        merged.filter(pl.col("project_id").is_in(ids))
        .group_by("project_id")
        .agg(pl.col("final").sum())
        .join(disbursed, on="project_id")
        .filter(pl.col("final") < pl.col("disbursed"))
    )
    errors += row_errors(
        ok.join(per_project, on="project_id"),
        pl.lit(True),
        Z["amount"],
        "amount",
        "项目{project_code}已发放{disbursed}元，安排不能少于此数",
        "project {project_code} has disbursed {disbursed} yuan already",
    )
    return out.join(stored.select(*keys, "stored"), on=keys, how="left"), errors


def _disbursed(ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        select_in(
            "SELECT project_id, SUM(amount) FROM projects_disbursement WHERE project_id "
            "IN ({}) GROUP BY project_id",
            ids,
        ),
        orient="row",
        schema={"project_id": pl.Int64, "disbursed": pl.Int64},
    )


def _apply_allocations(df: pl.DataFrame, actor: Any, source: str) -> dict[str, int]:
    changed = df.filter(pl.col("stored").is_null() | (pl.col("stored") != pl.col("amount")))
    new = changed.filter(pl.col("stored").is_null())
    insert_rows(
        Allocation,
        ["project", "region_path", "source", "year", "amount"],
        [
            new["project_id"].to_list(),
            new["project_path"].to_list(),
            new["source"].to_list(),
            new["year"].to_list(),
            new["amount"].to_list(),
        ],
    )
    upd = changed.filter(pl.col("stored").is_not_null())
    with connection.cursor() as cur:
        cur.executemany(
            "UPDATE projects_allocation SET amount = %s WHERE project_id = %s AND source = %s "
            "AND year = %s",
            upd.select("amount", "project_id", "source", "year").rows(),
        )
    changes = [
        Change(
            "fund.allocate",
            "projects.allocation",
            f"{r['project_code']}/{r['source']}/{r['year']}",
            r["project_path"],
            None if r["stored"] is None else {"amount_fen": r["stored"]},
            {"amount_fen": r["amount"]},
            source,
        )
        for r in changed.iter_rows(named=True)
    ]
    record_many(changes, actor=actor, batch=source[-40:])
    return {"allocations_written": changed.height}


ALLOCATIONS = register(
    Table(
        "allocations",
        "资金安排",
        "项目资金安排",
        "allocations",
        columns.ALLOCATIONS,
        ("amount",),
        (Perm.IMPORT, Perm.APPROVE),
        _check_allocations,
        _apply_allocations,
        {
            "project_code": "XM-2021-001",
            "source": "统筹整合财政涉农资金",
            "year": "2021",
            "amount": "500000.00",
        },
    )
)
