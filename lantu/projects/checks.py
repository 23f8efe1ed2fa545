"""The checks of projects and funds: rules of the ruler (``policies/projects.yaml``, laid over the
policy in force), run in one evaluation with the registry snapshot, and the work queue they fill
(``Finding``, see ``lantu.projects.findings``).

- Project, payment and fund rules run on the ruler's record chains (``schema.RECORDS``) over the
  tables ``tables`` reads from the room (money in whole fen): 六定 complete once approved, the
  notice before implementation, acceptance in time, disbursed ≤ allocated per project, a payment to
  a registered or monitored household or a beneficiary, a payment not made twice (the same
  household, project, item, amount and year), a payee who is a member of the household,
  allocated ≤ available per county, source and year. The database and the services keep
  disbursed ≤ allocated, the eligible payee and allocated ≤ available on every write
  (``lantu.projects.invariants``); the rules find what got past them (a file store, a load
  without those checks, a direct edit).

``RULES`` maps each failed rule to the check (the finding's kind) it reports.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from lantu.engine import snapshot
from lantu.engine.run import Results, evaluate
from lantu.standards.policy import Policy, load

OVERLAY = Path(__file__).resolve().parent / "policies" / "projects.yaml"
# rule → (level, check)
RULES: dict[str, tuple[str, str]] = {
    "p_six_fixed": ("project", "six_fixed_incomplete"),
    "p_noticed": ("project", "project_without_notice"),
    "p_accepted_in_time": ("project", "completed_without_acceptance"),
    "p_within_allocation": ("project", "over_disbursed"),
    "d_to_eligible": ("disbursement", "ineligible_payment"),
    "d_paid_once": ("disbursement", "household_paid_twice"),
    "d_payee_in_household": ("disbursement", "payee_not_registered"),
    "f_within_available": ("fund", "over_allocated"),
}
LABELS = {
    "household_paid_twice": ("同一补助事项重复发放", "a payment made twice"),
    "payee_not_registered": ("补助发给了非本户在册人员", "paid to a person outside the household"),
    "six_fixed_incomplete": ("已批复项目六定不全", "approved project without all six 六定"),
    "project_without_notice": ("项目未经公示即实施", "project implemented without its notice"),
    "completed_without_acceptance": ("项目完工未验收", "project completed, not accepted"),
    "over_allocated": ("安排资金超过可用额度", "allocated more than available"),
    "over_disbursed": ("发放超过项目安排资金", "paid more than allocated"),
    "ineligible_payment": ("补助发给了非建档立卡户且非受益户", "paid to a household not eligible"),
}


def policy(name: str) -> Policy:
    return load(name, overlays=[OVERLAY])


def _like(path: str) -> str:
    return "'" + path.replace("'", "''") + "%'"


def tables(region_path: str, as_of: datetime.date) -> dict[str, pa.Table]:
    """The ruler's record inputs for a subtree (``schema.RECORDS``; amounts in fen), each with
    the row ids the findings need (``project_id``, ``household_id``, ``county_id``,
    ``region_path``) and the payee household's village code (``region_code``, for roll-ups); the
    ruler reads only its declared columns."""
    p = _like(region_path)
    six = "funds_plan, plan, approval_doc, notice_plan, responsible_unit, responsible_person, "
    return snapshot.read_queries(
        {
            "projects": f"SELECT p.code AS project_code, r.code AS county_code, p.category, "
            f"p.stage, p.year, p.notice_date, p.completed_date, p.accepted_date, {six}"
            f"p.supervision, CAST('{as_of.isoformat()}' AS VARCHAR(10)) AS as_of, "
            "a.total AS allocated_fen, "
            "p.id AS project_id, p.region_path, p.county_id FROM projects_project p "
            "JOIN regions_region r ON r.id = p.county_id LEFT JOIN (SELECT project_id, "
            "SUM(amount) AS total FROM projects_allocation GROUP BY project_id) a "
            f"ON a.project_id = p.id WHERE p.region_path LIKE {p}",
            "disbursements": "SELECT p.code AS project_code, d.voucher, h.household_no, d.item, "
            "d.payee_id_number, d.amount AS amount_fen, d.year, d.date, "
            "h.status AS household_status, b.id IS NOT NULL AS beneficiary, "
            "CASE WHEN d.payee_id_number = '' THEN NULL ELSE EXISTS (SELECT 1 FROM "
            "registry_member m WHERE m.household_id = d.household_id AND m.id_number = "
            "d.payee_id_number AND m.active) END AS payee_is_member, "
            "d.project_id, d.household_id, h.region_path, hr.code AS region_code "
            "FROM projects_disbursement d JOIN projects_project p ON p.id = d.project_id "
            "JOIN registry_household h ON h.id = d.household_id "
            "JOIN regions_region hr ON hr.id = h.region_id "
            "LEFT JOIN projects_beneficiary b ON b.project_id = d.project_id "
            f"AND b.household_id = d.household_id WHERE d.region_path LIKE {p}",
            "funds": "SELECT r.code AS county_code, f.source, f.year, f.amount AS available_fen, "
            "f.county_id, f.region_path FROM projects_fundavailability f "
            f"JOIN regions_region r ON r.id = f.county_id WHERE f.region_path LIKE {p}",
            "allocations": "SELECT p.code AS project_code, r.code AS county_code, a.source, "
            "a.year, a.amount AS amount_fen, p.county_id, p.region_path "
            "FROM projects_allocation a JOIN projects_project p ON p.id = a.project_id "
            f"JOIN regions_region r ON r.id = p.county_id WHERE a.region_path LIKE {p}",
        }
    )


def run_rules(
    name: str, year: int, region_path: str, as_of: datetime.date
) -> tuple[Results, dict[str, pa.Table]]:
    """One evaluation of the policy with this room's overlay: the registry snapshot of the year
    (and the year before) with the room's record tables."""
    inputs = snapshot.from_db(years=(year - 1, year), region_path=region_path)
    records = tables(region_path, as_of)
    return evaluate(policy(name), year, {**inputs, **records}), records


def _fen(col: str) -> str:
    """A yuan amount written as text (the importer's files) as whole fen, exactly."""
    return f"CAST(ROUND(TRY_CAST(NULLIF({col}, '') AS DECIMAL(18, 2)) * 100) AS BIGINT)"


def file_tables(folder: Path, con: duckdb.DuckDBPyConnection) -> dict[str, pa.Table]:
    """The ruler's record inputs from a file store: a simulation's ``observed/projects`` (the
    importer's tables, amounts as yuan text) with the registry's households for each payee's
    status, read and joined in DuckDB. Only the columns the rules read are kept (a province has
    ~10⁷ payments)."""
    src = Path(folder) / "observed"

    def pq(name: str) -> str:
        return "read_parquet('" + str(src / name).replace("'", "''") + "')"

    con.execute(
        f"CREATE OR REPLACE TEMP VIEW f_projects AS SELECT * FROM {pq('projects/projects.parquet')}"
    )
    six = "funds_plan, plan, approval_doc, notice_plan, responsible_unit, responsible_person"
    sqls = {
        "projects": "SELECT p.code AS project_code, p.county_code, p.category, p.stage, "
        "TRY_CAST(p.year AS BIGINT) AS year, "
        f"p.notice_date, p.completed_date, p.accepted_date, {six}, p.supervision, "
        f"a.fen AS allocated_fen FROM f_projects p LEFT JOIN (SELECT project_code, "
        f"SUM({_fen('amount')}) AS fen FROM {pq('projects/allocations.parquet')} "
        "GROUP BY project_code) a ON a.project_code = p.code",
        "disbursements": f"SELECT d.project_code, d.voucher, d.household_no, d.item, "
        f"{_fen('d.amount')} AS amount_fen, TRY_CAST(SUBSTRING(d.date, 1, 4) AS BIGINT) AS year, "
        "TRY_CAST(d.date AS DATE) AS date, "
        "h.status AS household_status, b.project_code IS NOT NULL AS beneficiary, "
        "CASE WHEN COALESCE(d.payee_id_number, '') = '' THEN NULL "
        "ELSE m.id_number IS NOT NULL END AS payee_is_member, h.region_code "
        f"FROM {pq('projects/disbursements.parquet')} d "
        f"LEFT JOIN {pq('registry/households.parquet')} h USING (household_no) "
        f"LEFT JOIN (SELECT DISTINCT project_code, household_no FROM "
        f"{pq('projects/beneficiaries.parquet')}) b USING (project_code, household_no) "
        # a member still in the household (the registry file's members who left have a reason)
        f"LEFT JOIN (SELECT DISTINCT household_no, id_number FROM "
        f"{pq('registry/members.parquet')} WHERE COALESCE(left_reason, '') = '') m "
        "ON m.household_no = d.household_no AND m.id_number = d.payee_id_number",
        "funds": f"SELECT county_code, source, TRY_CAST(year AS BIGINT) AS year, "
        f"{_fen('amount')} AS available_fen FROM {pq('projects/funds.parquet')}",
        "allocations": f"SELECT a.project_code, p.county_code, a.source, "
        f"TRY_CAST(a.year AS BIGINT) AS year, {_fen('a.amount')} AS amount_fen "
        f"FROM {pq('projects/allocations.parquet')} a JOIN f_projects p ON p.code = a.project_code",
    }
    return {name: con.sql(sql).arrow().read_all() for name, sql in sqls.items()}


def run_records(name: str, year: int, records: dict[str, Any]) -> Results:
    """The project, payment and fund rules alone over record tables (Arrow tables or Parquet
    paths; a simulation's or a benchmark's), with an empty registry."""
    empty = pa.table({"household_no": pa.array([], pa.string())})
    inputs = {"households": empty, "members": empty, "years": empty, **records}
    return evaluate(policy(name), year, inputs)


def _failed(res: Results, level: str) -> pl.DataFrame:
    """The rows of a record level with at least one of this room's rules failed, long: one row
    per (row, rule), with the level's keys."""
    table = res.records.get(level)
    rules = [r for r, (lv, _) in RULES.items() if lv == level]
    if table is None:
        return pl.DataFrame(schema={"rule": pl.String})
    frame = pl.DataFrame(pl.from_arrow(table))
    rules = [r for r in rules if r in frame.columns]
    keys = [c for c in frame.columns if c not in rules and not c.startswith("failed_")]
    if not rules:
        return pl.DataFrame(schema={"rule": pl.String})
    # Rows with a failed rule first (few), then long: a province has ~10⁷ payments.
    frame = frame.filter(pl.any_horizontal(pl.col(rules) == False))  # noqa: E712
    return (
        frame.unpivot(index=keys, on=rules, variable_name="rule", value_name="passed")
        .filter(pl.col("passed") == False)  # noqa: E712
        .drop("passed")
    )


def _details(res: Results, frame: pl.DataFrame) -> pl.DataFrame:
    """``zh``/``en``: which clauses failed, spelled out, for rules that must meet every one of
    several clauses (the six 六定: which are missing); empty otherwise."""
    text = res.compiled.clause_text
    several = {r.name for lv in res.compiled.levels.values() for r in lv.rules
               if r.match == "all" and len(r.clauses) > 1}  # fmt: skip
    zh, en = [], []
    for rule, failed in zip(frame["rule"], frame["failed"], strict=True):
        ids = [i for i in (failed or "").split(",") if i.startswith(f"{rule}.")]
        ids = ids if rule in several else []
        zh.append("、".join(text[i][2] or i for i in ids if i in text))
        en.append(", ".join(text[i][3] or i for i in ids if i in text))
    return frame.with_columns(pl.Series("zh", zh, pl.String), pl.Series("en", en, pl.String))


def record_findings(res: Results, records: dict[str, pa.Table]) -> pl.DataFrame:
    """Every failed project, payment and fund rule as a finding: check, key, project_id,
    household_id, year, region_path, and ``zh``/``en``, the failed clauses where they say more than
    the check's label (keys as the work queue has always named them: a project by
    its id, a payment by project and household ids, a fund by county id, source and year)."""
    out = []
    projects = pl.DataFrame(pl.from_arrow(records["projects"]))
    p = _failed(res, "project")
    if p.height:
        out.append(
            _details(res, p)
            .join(
                projects.select("project_code", "project_id", "year", "region_path"),
                on="project_code",
            )
            .select(
                pl.col("rule"),
                pl.col("project_id").cast(pl.String).alias("key"),
                pl.col("project_id").cast(pl.Int64),
                pl.lit(None, pl.Int64).alias("household_id"),
                pl.col("year").cast(pl.Int64),
                "region_path",
                "zh",
                "en",
            )
        )
    d = _failed(res, "disbursement")
    if d.height:
        pay = pl.DataFrame(pl.from_arrow(records["disbursements"])).select(
            "project_code", "voucher", "project_id", "household_id", "year"
        )
        paths = projects.select("project_id", "region_path")
        out.append(
            d.join(pay, on=["project_code", "voucher"])
            .group_by("rule", "project_id", "household_id")
            .agg(pl.col("year").max())
            .join(paths, on="project_id", how="left")
            .select(
                "rule",
                (pl.format("{}/{}", "project_id", "household_id")).alias("key"),
                pl.col("project_id").cast(pl.Int64),
                pl.col("household_id").cast(pl.Int64),
                pl.col("year").cast(pl.Int64),
                "region_path",
            )
        )
    f = _failed(res, "fund")
    if f.height:
        funds = pl.DataFrame(pl.from_arrow(records["funds"]))
        allocs = pl.DataFrame(pl.from_arrow(records["allocations"]))
        ids = pl.concat(
            [
                t.select("county_code", "county_id", "region_path")
                for t in (funds, allocs)
                if t.height
            ]
        ).unique("county_code")
        out.append(
            f.with_columns(pl.col("year").cast(pl.Int64))
            .join(ids, on="county_code", how="left")
            .select(
                "rule",
                pl.format("{}/{}/{}", "county_id", "source", "year").alias("key"),
                pl.lit(None, pl.Int64).alias("project_id"),
                pl.lit(None, pl.Int64).alias("household_id"),
                "year",
                "region_path",
            )
        )
    schema = {"rule": pl.String, "key": pl.String, "project_id": pl.Int64,
              "household_id": pl.Int64, "year": pl.Int64, "region_path": pl.String,
              "zh": pl.String, "en": pl.String}  # fmt: skip
    if not out:
        return pl.DataFrame(schema=schema).rename({"rule": "check"})
    frame = pl.concat(out, how="diagonal_relaxed")
    frame = frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in schema.items()
    ).with_columns(pl.col("zh", "en").fill_null(""))
    return frame.with_columns(
        pl.col("rule").replace_strict({r: c for r, (_, c) in RULES.items()})
    ).rename({"rule": "check"})


def parameter(pol: Policy, name: str, year: int) -> Any:
    value = pol.parameters[name].at(year)
    return value.value if value is not None else None
