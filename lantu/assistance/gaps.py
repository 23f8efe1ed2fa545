"""The assistance rules run over everyone at once, and what they find stored for the pages.

``evaluate_assistance`` adds the assistance facts (``facts.compute``, DuckDB) to the registry
snapshot's households and runs the policy in force with this room's overlay
(``policies/assistance.yaml``) laid over it — the ruler's own engine; no rule is written here.
``rollup`` turns the household results into 六清 completeness per region at every level (village,
township, county, prefecture, province) in one GROUP BY over each household's ancestors.
``run`` does both from the database for a region's subtree and stores, in one transaction with
its ledger event, the failed assistance rules per household (``Gap``: the work queue) and the
roll-up (``Completeness``), replacing the region's earlier run of the same year.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
from django.db import transaction

from lantu.assistance import facts
from lantu.assistance import snapshot as asst_snapshot
from lantu.assistance.models import Completeness, Gap
from lantu.core.bulksql import insert_rows
from lantu.engine import snapshot
from lantu.engine.run import Results, evaluate
from lantu.ledger.services import Change, record
from lantu.regions.models import Region
from lantu.standards.policy import Policy, load

OVERLAY = Path(__file__).resolve().parent / "policies" / "assistance.yaml"
GAP_RULES = (
    "asst_cadre",
    "asst_plan",
    "asst_causes",
    "asst_safety_net",
    "asst_development",
    "asst_ceiling",
    "asst_visit",
)
LIUQING = (
    "lq_household",
    "lq_causes",
    "lq_measures",
    "lq_inputs",
    "lq_responsibility",
    "lq_timeline",
)


def policy_with_overlay(name: str) -> Policy:
    return load(name, overlays=[OVERLAY])


def assistance_only(policy: Policy) -> Policy:
    """The policy's assistance rules alone (what the work queue and 六清 need): the same rules,
    parameters and defines, compiled without the other rooms' rules."""
    rules = {k: r for k, r in policy.rules.items() if r.kind == "assistance"}
    return dataclasses.replace(
        policy, rules=rules, content_hash=policy.content_hash + ":assistance"
    )


def evaluate_assistance(
    registry: Mapping[str, Any],
    assistance: Mapping[str, Any],
    *,
    year: int,
    as_of: datetime.date,
    policy: str = "yunnan",
    only: bool = True,
) -> Results:
    found = facts.compute({**assistance, "years": registry["years"]}, year=year, as_of=as_of)
    households = facts.join_households(_arrow(registry["households"]), found)
    pol = assistance_only(policy_with_overlay(policy)) if only else policy_with_overlay(policy)
    return evaluate(pol, year, {**registry, "households": households})


def _arrow(src: Any) -> pa.Table:
    if isinstance(src, pa.Table):
        return src
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{src}')")
    assert rel is not None
    return rel.arrow().read_all()


ROLLUP_SQL = """
WITH h AS (
  SELECT substr(CAST(region_code AS VARCHAR), 1, 12) AS village, {cols} FROM results
  WHERE asst_plan IS NOT NULL
), up AS (
  SELECT unnest(string_split(trim(v.path, '/'), '/')) AS code, h.* EXCLUDE (village)
  FROM h JOIN villages v ON v.code = h.village
)
SELECT code, COUNT(*) AS households,
  COUNT(*) FILTER (WHERE asst_cadre) AS with_cadre,
  COUNT(*) FILTER (WHERE asst_plan) AS with_plan,
  {counts},
  COUNT(*) FILTER (WHERE {all_clear}) AS all_clear
FROM up GROUP BY code ORDER BY code
"""


def rollup(results: pa.Table, villages: pa.Table) -> pa.Table:
    """六清 per region: households to be assisted, with a cadre, with a plan, clear on each item and
    on all six (``villages``: code, path of every village)."""
    con = duckdb.connect()
    con.register("results", results)
    con.register("villages", villages)
    cols = ", ".join(("asst_cadre", "asst_plan", *LIUQING))
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {r}) AS {r}" for r in LIUQING)
    all_clear = " AND ".join(f"coalesce({r}, false)" for r in LIUQING)
    sql = ROLLUP_SQL.format(cols=cols, counts=counts, all_clear=all_clear)
    return con.sql(sql).arrow().read_all()


def _villages(region_path: str | None) -> pa.Table:
    qs = Region.objects.filter(level="village")
    if region_path:
        qs = qs.filter(path__startswith=region_path)
    rows = list(qs.values_list("code", "path"))
    return pa.table({"code": [r[0] for r in rows], "path": [r[1] for r in rows]})


def gap_rows(res: Results, households: pa.Table) -> pl.DataFrame:
    """(household_id, rule) for every failed assistance rule and missing 六清 item."""
    table = pl.from_arrow(res.households)
    assert isinstance(table, pl.DataFrame)
    # the six clears' missing items too: the list of what each household lacks
    have = [r for r in (*GAP_RULES, *LIUQING) if r in table.columns]
    ids = pl.from_arrow(households.select(["household_no", "household_id"]))
    assert isinstance(ids, pl.DataFrame)
    long = table.select(pl.col("household_no").cast(pl.String), *have).unpivot(
        index="household_no", variable_name="rule", value_name="passed"
    )
    return (
        long.filter(pl.col("passed").not_())
        .join(ids.with_columns(pl.col("household_no").cast(pl.String)), on="household_no")
        .select("household_id", "household_no", "rule")
    )


def run(
    *,
    actor: Any,
    year: int,
    policy: str = "yunnan",
    region_path: str | None = None,
    as_of: datetime.date | None = None,
) -> dict[str, int]:
    """Evaluate the region's subtree; store its gaps and 六清 roll-up (replacing the last run)."""
    as_of = as_of or facts.as_of_for(year)
    registry = snapshot.from_db(years=(year - 1, year), region_path=region_path, linked=False)
    res = evaluate_assistance(
        registry, asst_snapshot.from_db(region_path), year=year, as_of=as_of, policy=policy
    )
    gaps = gap_rows(res, registry["households"])
    rolled = pl.from_arrow(rollup(res.households, _villages(region_path)))
    assert isinstance(rolled, pl.DataFrame)
    regions = {
        c: (pk, path)
        for c, pk, path in Region.objects.filter(code__in=rolled["code"].to_list()).values_list(
            "code", "id", "path"
        )
    }
    rolled = rolled.filter(
        pl.col("code").is_in(
            [
                c
                for c, (_, path) in regions.items()
                if not region_path or path.startswith(region_path)
            ]
        )
    )
    rules = res.policy.rules
    paths = dict(
        zip(
            registry["households"]["household_id"].to_pylist(),
            _paths(registry["households"]),
            strict=True,
        )
    )
    with transaction.atomic():
        scope = region_path or "/"
        Gap.objects.filter(year=year, region_path__startswith=scope).delete()
        Completeness.objects.filter(year=year, region_path__startswith=scope).delete()
        g = gaps.to_dict(as_series=False)
        insert_rows(
            Gap,
            ["household", "region_path", "year", "rule", "zh", "en"],
            [
                g["household_id"],
                [paths[h] for h in g["household_id"]],
                [year] * gaps.height,
                g["rule"],
                [rules[r].zh for r in g["rule"]],
                [rules[r].en for r in g["rule"]],
            ],
        )
        insert_rows(
            Completeness,
            [
                "region",
                "region_path",
                "year",
                "households",
                "with_cadre",
                "with_plan",
                "clear",
                "all_clear",
            ],
            [
                [regions[c][0] for c in rolled["code"]],
                [regions[c][1] for c in rolled["code"]],
                [year] * rolled.height,
                rolled["households"].to_list(),
                rolled["with_cadre"].to_list(),
                rolled["with_plan"].to_list(),
                [{r: row[r] for r in LIUQING} for row in rolled.iter_rows(named=True)],
                rolled["all_clear"].to_list(),
            ],
        )
        summary = {
            "households": res.households.num_rows,
            "gaps": gaps.height,
            "regions": rolled.height,
        }
        record(
            Change(
                "assistance.evaluate",
                "assistance",
                str(year),
                region_path or "",
                after={
                    **summary,
                    "policy": res.policy.name,
                    "hash": res.policy.content_hash,
                    "as_of": as_of.isoformat(),
                },
                reason="帮扶规则与六清评估 / assistance rules and six clears",
            ),
            actor=actor,
        )
    return summary


def _paths(households: pa.Table) -> list[str]:
    if "region_path" in households.column_names:
        return [str(p) for p in households["region_path"].to_pylist()]
    codes = households["region_code"].to_pylist()
    found = dict(Region.objects.filter(code__in=set(codes)).values_list("code", "path"))
    return [found[c] for c in codes]
