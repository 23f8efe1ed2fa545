"""The batch checks of projects and funds, over whole tables in the batch engine (DuckDB), and the
work queue they fill (``Finding``).

Household checks are rules of the ruler (``policies/projects.yaml`` laid over the policy in force,
reading the facts ``lantu.projects.feeds`` gives it): a payment made twice, a payment to a payee
outside the household. Project and fund checks are SQL over the room's tables, one pure function
each, with their parameters from the same policy file: allocated > available (per county, source,
year), disbursed > allocated (per project), a payment to a household neither registered nor a
beneficiary, a project implemented without its notice, a project completed and not accepted in
time. ``run`` stores what it finds: new findings open, those found before stay as they are, open
ones no longer found are cleared; one ledger event per run.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from lantu.engine import snapshot
from lantu.engine.run import evaluate
from lantu.projects.invariants import ELIGIBLE_STATUSES
from lantu.standards.policy import Policy, load

OVERLAY = Path(__file__).resolve().parent / "policies" / "projects.yaml"
HOUSEHOLD_RULES = {
    "p_paid_once": "household_paid_twice",
    "p_payee_in_household": "payee_not_registered",
}
LABELS = {
    "household_paid_twice": ("同一补助事项重复发放", "a payment made twice"),
    "payee_not_registered": ("补助发给了非本户在册人员", "paid to a person outside the household"),
    "project_without_notice": ("项目未经公示即实施", "project implemented without its notice"),
    "completed_without_acceptance": ("项目完工未验收", "project completed, not accepted"),
    "over_allocated": ("安排资金超过可用额度", "allocated more than available"),
    "over_disbursed": ("发放超过项目安排资金", "paid more than allocated"),
    "ineligible_payment": ("补助发给了非建档立卡户且非受益户", "paid to a household not eligible"),
}
IMPLEMENTED = ("implementing", "completed", "accepted", "assets")


def policy(name: str) -> Policy:
    return load(name, overlays=[OVERLAY])


def _like(path: str) -> str:
    return "'" + path.replace("'", "''") + "%'"


def tables(region_path: str) -> dict[str, pa.Table]:
    """The room's tables of a subtree as Arrow (amounts in fen)."""
    p = _like(region_path)
    return snapshot.read_queries(
        {
            "projects": "SELECT id, code, region_path, county_id, stage, notice_date, "
            "completed_date, accepted_date, year FROM projects_project "
            f"WHERE region_path LIKE {p}",
            "allocations": "SELECT a.project_id, p.county_id, a.source, a.year, a.amount FROM "
            "projects_allocation a JOIN projects_project p ON p.id = a.project_id "
            f"WHERE a.region_path LIKE {p}",
            "available": "SELECT county_id, source, year, amount FROM projects_fundavailability "
            f"WHERE region_path LIKE {p}",
            "payments": "SELECT d.project_id, d.household_id, d.amount, d.year, h.status, "
            "h.household_no, h.region_path FROM projects_disbursement d JOIN "
            f"registry_household h ON h.id = d.household_id WHERE d.region_path LIKE {p}",
            "beneficiaries": "SELECT project_id, household_id FROM projects_beneficiary "
            f"WHERE region_path LIKE {p}",
        }
    )


def sql_over_allocated() -> str:
    return (
        "SELECT 'over_allocated' AS check, a.county_id || '/' || a.source || '/' || a.year AS key, "
        "NULL::BIGINT AS project_id, NULL::BIGINT AS household_id, a.year, "
        "sum(a.amount) AS amount, max(coalesce(f.amount, 0)) AS limit_ FROM allocations a "
        "LEFT JOIN available f USING (county_id, source, year) GROUP BY a.county_id, a.source, "
        "a.year HAVING sum(a.amount) > max(coalesce(f.amount, 0))"
    )


def sql_over_disbursed() -> str:
    return (
        "SELECT 'over_disbursed' AS check, CAST(d.project_id AS VARCHAR) AS key, d.project_id, "
        "NULL::BIGINT AS household_id, max(d.year) AS year, sum(d.amount) AS amount, "
        "coalesce(max(a.total), 0) AS limit_ FROM payments d LEFT JOIN (SELECT project_id, "
        "sum(amount) AS total FROM allocations GROUP BY project_id) a USING (project_id) "
        "GROUP BY d.project_id HAVING sum(d.amount) > coalesce(max(a.total), 0)"
    )


def sql_ineligible() -> str:
    statuses = ", ".join(f"'{s}'" for s in ELIGIBLE_STATUSES)
    return (
        "SELECT 'ineligible_payment' AS check, d.project_id || '/' || d.household_id AS key, "
        "d.project_id, d.household_id, max(d.year) AS year, sum(d.amount) AS amount, "
        "NULL::BIGINT AS limit_ FROM payments d LEFT JOIN beneficiaries b USING (project_id, "
        f"household_id) WHERE d.status NOT IN ({statuses}) AND b.project_id IS NULL "
        "GROUP BY d.project_id, d.household_id"
    )


def sql_without_notice() -> str:
    stages = ", ".join(f"'{s}'" for s in IMPLEMENTED)
    return (
        "SELECT 'project_without_notice' AS check, CAST(id AS VARCHAR) AS key, id AS project_id, "
        "NULL::BIGINT AS household_id, year, NULL::BIGINT AS amount, NULL::BIGINT AS limit_ "
        f"FROM projects WHERE stage IN ({stages}) AND notice_date IS NULL"
    )


def sql_unaccepted(as_of: datetime.date, days: int) -> str:
    return (
        "SELECT 'completed_without_acceptance' AS check, CAST(id AS VARCHAR) AS key, "
        "id AS project_id, NULL::BIGINT AS household_id, year, NULL::BIGINT AS amount, "
        "NULL::BIGINT AS limit_ FROM projects WHERE accepted_date IS NULL AND "
        "(stage IN ('accepted', 'assets') OR (completed_date IS NOT NULL AND "
        f"CAST(completed_date AS DATE) + INTERVAL {int(days)} DAY < DATE '{as_of.isoformat()}'))"
    )


def project_findings(
    data: dict[str, pa.Table], *, as_of: datetime.date, acceptance_days: int
) -> pl.DataFrame:
    """Every project and fund check over the tables, as one frame (check, key, ids, year)."""
    con = duckdb.connect()
    for name, table in data.items():
        con.register(name, table)
    steps = [
        sql_over_allocated(),
        sql_over_disbursed(),
        sql_ineligible(),
        sql_without_notice(),
        sql_unaccepted(as_of, acceptance_days),
    ]
    out = con.sql(" UNION ALL ".join(f"({s})" for s in steps)).pl()
    con.close()
    return out


def household_findings(name: str, year: int, region_path: str) -> pl.DataFrame:
    """The ruler's household rules of this room, failed, as findings."""
    inputs = snapshot.from_db(years=(year - 1, year), region_path=region_path)
    res = evaluate(policy(name), year, inputs)
    hh = pl.DataFrame(pl.from_arrow(res.households.select(["household_no", *HOUSEHOLD_RULES])))
    frames = [
        hh.filter(pl.col(rule) == False).select(  # noqa: E712
            pl.lit(check).alias("check"), pl.col("household_no")
        )
        for rule, check in HOUSEHOLD_RULES.items()
    ]
    return pl.concat(frames)


def parameter(pol: Policy, name: str, year: int) -> Any:
    value = pol.parameters[name].at(year)
    return value.value if value is not None else None
