"""The omission search (漏评排查): households of the household register none of whose people is
in the registry, tested with the monitoring rules on what the departments know of them.

``search(year=Y)``:

1. the current ``public_security`` load's records that no link joins to a registry member, with
   an ID number and a 户号 (``hukou_no``), grouped by 户号; a 户号 any of whose people *is*
   linked belongs to a registry household and is left out — unless that household was removed
   from the registry and the registry holds no record of the year (``removed``);
2. every other loaded department record carrying one of those ID numbers (exact ID number: the
   linkage's repaired and probabilistic passes only link to registry members), shaped as the
   comparison room's linked records, so ``lantu.matching.facts`` derives the same variables
   (deaths, disaster losses, lost jobs, new disability certificates, hospital costs, vehicles,
   property, companies, public employees), and the clues the platform received about those
   people this year (monitoring tickets by ID number: a cadre's visit that recorded a risk, a
   self-report, a department's push; ``clue_*``);
3. ruler inputs: one household per 户号 (status ``not_registered``, the village of its people),
   its living people as members, its recorded wages per year as income (the only income the
   departments hold, a lower bound), evaluated by the policy in force with
   ``policies/omissions.yaml`` laid over: rule ``omission_candidate``, ranked for the visits by
   how many sources recorded the risk (``omission_priority``: two or more, visited first;
   ``omission_recorded``: one; the rest only a department's silence).

Returns one row per candidate household: 户号, village code, people, head's name and ID number,
the failed/passed rule outcome. A village verifies them at the door (入户核查) and registers
those it confirms (``lantu.registry.services.create_household(..., status="not_registered")``)
before a monitoring or identification case opens.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
from django.db import connection

from lantu.engine.run import evaluate
from lantu.matching import facts
from lantu.matching.clues import clues
from lantu.standards.policy import load

OVERLAY = Path(__file__).resolve().parent / "policies" / "omissions.yaml"
# linked: 0 no registry member; 1 a member of a registry household; 2 a member of a household
# removed from the registry (错评清退) of which the registry holds no record of the year.
_PS = (
    "SELECT r.id, r.id_number, r.name, r.sex, r.birth_date, r.region_code, r.facts, "
    "CASE WHEN l.id IS NULL THEN 0 WHEN h.status = 'removed' AND NOT EXISTS (SELECT 1 FROM "
    "registry_householdyear y WHERE y.household_id = h.id AND y.year = %s) THEN 2 ELSE 1 END "
    "FROM matching_departmentrecord r JOIN matching_datasetload d ON d.id = r.load_id "
    "LEFT JOIN matching_link l ON l.record_id = r.id "
    "LEFT JOIN registry_member m ON m.id = l.member_id "
    "LEFT JOIN registry_household h ON h.id = m.household_id "
    "WHERE d.active AND d.dataset = 'public_security' AND r.id_number <> ''"
)


def _rows(sql: str, names: list[str], params: list[str | int] | None = None) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def register_people(region_code: str = "", year: int | None = None) -> pl.DataFrame:
    """Unregistered people of the register: record, id_number, name, sex, birth_date,
    village_code, hukou_no, alive, removed. With ``year``, the people of a household removed
    from the registry with no record of that year count as unregistered too (``removed``): a
    removed household is a general rural household again (中农组发〔2021〕7号 monitors the whole
    rural population), and until the village records its year the monitoring rules cannot
    reach it."""
    names = ["record", "id_number", "name", "sex", "birth_date", "region_code", "facts", "linked"]
    ps = _rows(_PS + " AND r.region_code LIKE %s", names, [year or 0, region_code + "%"])
    if not ps.height:
        return ps
    if year is None:
        ps = ps.with_columns(pl.col("linked").replace(2, 1))
    if ps.schema["facts"] != pl.String:
        ps = ps.with_columns(pl.col("facts").map_elements(facts._dumps, return_dtype=pl.String))
    dtype = pl.Struct({"hukou_status": pl.String, "hukou_no": pl.String})
    ps = ps.with_columns(pl.col("facts").str.json_decode(dtype)).unnest("facts")
    ps = ps.filter(pl.col("hukou_no").fill_null("") != "")
    in_registry = ps.filter(pl.col("linked") == 1).select("hukou_no").unique()
    return (
        ps.join(in_registry, on="hukou_no", how="anti")
        .filter(pl.col("hukou_status").fill_null("active") != "moved_out")
        .with_columns(
            village_code=pl.col("region_code").str.slice(0, 12),
            alive=pl.col("hukou_status").fill_null("active") != "deceased",
            household_no=pl.col("hukou_no"),
            removed=pl.col("linked") == 2,
        )
    )


def removed_without_record(year: int, region_path: str = "") -> pl.DataFrame:
    """household_no of the registry households removed (错评清退) of which the registry holds no
    record of ``year``: the ones the search reaches through the household register."""
    sql = (
        "SELECT h.household_no FROM registry_household h WHERE h.status = 'removed' "
        "AND h.region_path LIKE %s AND NOT EXISTS (SELECT 1 FROM registry_householdyear y "
        "WHERE y.household_id = h.id AND y.year = %s)"
    )
    out = _rows(sql, ["household_no"], [region_path + "%", year])
    return out if out.height else pl.DataFrame(schema={"household_no": pl.String})


def _records(people: pl.DataFrame) -> pl.DataFrame:
    """Department records of these ID numbers, shaped as ``facts.linked_records``."""
    sql = (
        "SELECT r.id, r.id_number, d.dataset, r.facts FROM matching_departmentrecord r "
        "JOIN matching_datasetload d ON d.id = r.load_id WHERE d.active AND r.id_number <> ''"
    )
    recs = _rows(sql, ["record", "id_number", "dataset", "facts"])
    if not recs.height:
        return recs
    if recs.schema["facts"] != pl.String:
        recs = recs.with_columns(pl.col("facts").map_elements(facts._dumps, return_dtype=pl.String))
    who = people.select(
        pl.col("record").alias("member"),
        "household_no",
        "id_number",
        pl.col("alive").alias("active"),
    )
    return recs.join(who, on="id_number").select(
        "member", "household_no", "id_number", "record", "dataset", "facts", "active"
    )


def _wages(records: pl.DataFrame, years: tuple[int, int]) -> pl.DataFrame:
    emp = records.filter(pl.col("dataset") == "employment")
    if not emp.height:
        return pl.DataFrame(schema={"household_no": pl.String, "year": pl.Int64,
                                    "wage_income": pl.Float64})  # fmt: skip
    dtype = pl.Struct({"year": pl.String, "months": pl.String, "monthly_wage": pl.String})
    e = emp.with_columns(pl.col("facts").str.json_decode(dtype)).unnest("facts")
    f = pl.Float64
    return (
        e.with_columns(pl.col("year").cast(pl.Int64, strict=False))
        .filter(pl.col("year").is_in(list(years)))
        .group_by("household_no", "year")
        .agg(
            (pl.col("months").cast(f, strict=False) * pl.col("monthly_wage").cast(f, strict=False))
            .sum()
            .alias("wage_income")
        )
    )


def inputs(people: pl.DataFrame, records: pl.DataFrame, year: int) -> dict[str, pa.Table]:
    living = people.filter(pl.col("alive"))
    oldest = living.sort("birth_date").unique("household_no", keep="first").select("record")
    members = living.with_columns(
        relation=pl.when(pl.col("record").is_in(oldest["record"].implode()))
        .then(pl.lit("head"))
        .otherwise(pl.lit("other"))
    ).select(
        "household_no",
        "id_number",
        "name",
        "sex",
        "birth_date",
        "relation",
        schooling=pl.lit(None, pl.String),
    )
    households = living.group_by("household_no").agg(
        pl.col("village_code").first().alias("region_code"), pl.len().alias("size")
    )
    wages = _wages(records, (year - 1, year))
    years = pl.concat(
        [
            households.select("household_no", "size").with_columns(year=pl.lit(y, pl.Int64))
            for y in (year - 1, year)
        ]
    ).join(wages, on=["household_no", "year"], how="left")
    years = years.with_columns(
        pl.col("wage_income").fill_null(0.0),
        business_income=pl.lit(0.0),
        property_income=pl.lit(0.0),
        transfer_income=pl.lit(0.0),
        medical_out_of_pocket=pl.lit(0.0),
    )
    hh = households.select(
        "household_no",
        "region_code",
        status=pl.lit("not_registered"),
        household_type=pl.lit("none"),
    )
    hits: dict[str, pl.DataFrame] = {}
    members = facts.member_columns(members, records, year)
    hh = facts.household_columns(hh, records, year, "household", hits)
    seen = clues(people, year)
    hh = hh.join(seen, on="household_no", how="left").with_columns(
        pl.col(c).fill_null(False) for c in seen.columns if c != "household_no"
    )
    years = facts.household_columns(years, records, year, "year", hits)
    return {"households": hh.to_arrow(), "members": members.to_arrow(), "years": years.to_arrow()}


def search(*, year: int, policy: str = "yunnan", region_code: str = "") -> pl.DataFrame:
    """Candidate households (household_no = 户号, priority, region_code, head_name, head_id,
    size, removed: the 户号's people were a household removed from the registry with no record
    of the year). Priority 1: two or more sources recorded the risk, or heavy hospital costs
    (rule ``omission_priority``); 2: one source did (a cadre's visit, a self-report, a
    department push, a death, a disaster: ``omission_recorded``); 3: only a department's
    silence (a lost job, a new disability certificate)."""
    people = register_people(region_code, year)
    if not people.height:
        return pl.DataFrame()
    records = _records(people)
    tables = inputs(people, records, year)
    res = evaluate(load(policy, overlays=[OVERLAY]), year, tables)
    out = pl.from_arrow(
        res.households.select(
            ["household_no", "omission_candidate", "omission_priority", "omission_recorded"]
        )
    )
    assert isinstance(out, pl.DataFrame)
    found = out.filter(pl.col("omission_candidate").fill_null(False)).select(
        "household_no",
        # 1: two or more sources recorded the risk (visit first); 2: one did; 3: only a
        # department's silence (a lost job, a new certificate).
        priority=pl.when(pl.col("omission_priority").fill_null(False))
        .then(1)
        .when(pl.col("omission_recorded").fill_null(False))
        .then(2)
        .otherwise(3),
    )
    members = pl.from_arrow(tables["members"])
    hh = pl.from_arrow(tables["households"])
    assert isinstance(hh, pl.DataFrame) and isinstance(members, pl.DataFrame)
    heads = members.filter(pl.col("relation") == "head")
    size = (
        people.filter(pl.col("alive"))
        .group_by("household_no")
        .agg(pl.len().alias("size"), pl.col("removed").any())
    )
    return (
        found.join(hh.select("household_no", "region_code"), on="household_no", how="left")
        .join(heads.select("household_no", pl.col("name").alias("head_name"),
                           pl.col("id_number").alias("head_id")), on="household_no", how="left")
        .join(size, on="household_no", how="left")
    )  # fmt: skip
