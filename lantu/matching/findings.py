"""Findings: the ruler's rules run over the registry with the linked department data added.

``detect`` takes the registry snapshot (``lantu.engine.snapshot``), adds the linked variables
(``lantu.matching.facts``) and evaluates the policy in force — laid over with this room's own
rules (``policies/matching.yaml``, in the ruler's format) — twice: with and without the
department data. A finding is a rule of ``facts.yaml``'s ``findings`` list whose outcome the
department data changes: an exclusion rule that now fails, a monitoring rule that now passes. Its
evidence is the department record behind the variable (the largest value in the household).
``store`` writes them; a finding already referred or dismissed is kept as it is.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from django.db import transaction

from lantu.core.bulksql import insert_rows
from lantu.engine import snapshot
from lantu.engine.run import Results, evaluate
from lantu.ledger.services import Change, record
from lantu.matching import facts
from lantu.matching.models import Finding
from lantu.procedures import config as procedure_config
from lantu.standards.policy import Policy, load

OVERLAY = Path(__file__).resolve().parent / "policies" / "matching.yaml"


def policy_with_overlay(name: str) -> Policy:
    """The policy ``name`` with this room's rules and parameters laid over it: the ruler's loader
    takes ``matching.yaml`` as one more layer of the chain, checks its names and records what it
    adds or changes (shown by ``lantu standards show NAME --overlay PATH``)."""
    return load(name, overlays=[OVERLAY])


def _outcomes(res: Results, rules: list[str]) -> pl.DataFrame:
    table = res.households
    have = [r for r in rules if r in table.column_names]
    return pl.from_arrow(table.select(["household_no", *have]))  # type: ignore[return-value]


def with_department_data(
    inputs: dict[str, pa.Table], *, year: int, region_path: str
) -> tuple[dict[str, pa.Table] | None, pl.DataFrame, dict[str, pl.DataFrame]]:
    """The registry snapshot ``inputs`` with every linked variable of ``facts.yaml`` added
    (None when no department record is linked), the linked records and the relatives' hits.
    The evaluation every decision on department data reads: findings, the precision report,
    and the annual evaluation the procedures check."""
    spec = facts.config()
    variables = sorted(spec["variables"])
    linked = facts.linked_records(facts.datasets_of(variables), region_path)
    if not linked.height:
        return None, linked, {}
    enriched = {
        "households": pl.from_arrow(inputs["households"]),
        "members": pl.from_arrow(inputs["members"]),
        "years": pl.from_arrow(inputs["years"]),
    }
    hits = facts.relative_hits(enriched["members"], linked)  # type: ignore[arg-type]
    enriched["members"] = facts.member_columns(enriched["members"], linked, year)  # type: ignore[arg-type]
    for level, table in (("household", "households"), ("year", "years")):
        enriched[table] = facts.household_columns(enriched[table], linked, year, level, hits)  # type: ignore[arg-type]
    out = {k: v.to_arrow() for k, v in enriched.items()}  # type: ignore[union-attr]
    out.update({k: v for k, v in inputs.items() if k not in out})
    return out, linked, hits


def detect(
    *, year: int, policy: str, region_path: str, inputs: dict[str, pa.Table] | None = None
) -> tuple[pl.DataFrame, Policy]:
    """Findings as rows: household_no, rule, kind, zh, en, dataset, record."""
    inputs = inputs or snapshot.from_db(years=(year - 1, year), region_path=region_path)
    spec = facts.config()
    wanted = list(spec["findings"])
    pol = policy_with_overlay(policy)
    base = _outcomes(evaluate(pol, year, inputs), wanted)
    enriched, linked, hits = with_department_data(inputs, year=year, region_path=region_path)
    if enriched is None:
        return pl.DataFrame(), pol
    with_data = _outcomes(evaluate(pol, year, enriched), wanted)
    status = pl.DataFrame(enriched["households"]).select(
        pl.col("household_no").cast(pl.String), "status"
    )
    rows = []
    for rule_name, f in spec["findings"].items():
        rule = pol.rules.get(rule_name)
        if rule is None or rule_name not in with_data.columns:
            continue
        flip = rule.kind != "monitoring"  # exclusion: failing is the finding
        joined = with_data.select("household_no", pl.col(rule_name).alias("now")).join(
            base.select("household_no", pl.col(rule_name).alias("before")), on="household_no"
        )
        target = not flip
        hit = joined.filter(
            (pl.col("now") == target) & (pl.col("before").is_null() | (pl.col("before") != target))
        )
        # Only households the procedure can start from (a removed household is not removed
        # again; one already monitored is not referred to monitoring).
        allowed = list(procedure_config.kind(f["procedure"]).from_status)
        hit = hit.join(
            status.filter(pl.col("status").is_in(allowed)), on="household_no", how="semi"
        )
        if not hit.height:
            continue
        evidence = _evidence(f["variables"], linked, year, hits)
        rows.append(
            hit.select("household_no")
            .join(evidence, on="household_no", how="left")
            .with_columns(
                rule=pl.lit(rule_name),
                kind=pl.lit(rule.kind),
                zh=pl.lit(rule.zh),
                en=pl.lit(rule.en),
                procedure=pl.lit(f["procedure"]),
            )
        )
    return (pl.concat(rows, how="diagonal_relaxed") if rows else pl.DataFrame()), pol


def _evidence(
    variables: list[str], linked: pl.DataFrame, year: int, hits: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """The household's strongest record for the rule's variables (household_no, record, dataset,
    detail). A relative's record names the relative and the relation in ``detail`` (JSON) and
    ranks after a member's own record of the same rule."""
    parts = []
    spec = facts.config()["variables"]
    for name in variables:
        dataset = pl.lit(spec[name]["dataset"]).alias("dataset")
        if spec[name]["agg"] == "relative":
            if name in hits:
                detail = pl.struct("relative_name", "relation", "source", "source_record")
                parts.append(
                    hits[name].select(
                        "household_no",
                        "record",
                        pl.lit(0.5).alias("v"),
                        dataset,
                        detail.struct.json_encode().alias("detail"),
                    )
                )
            continue
        # A member's own record is evidence while the member is present (one who left counts
        # only as a relative).
        own = (
            linked.filter(pl.col("active").cast(pl.Boolean))
            if spec[name]["level"] == "member"
            else linked
        )
        v = facts.variable(name, own, year)
        value = pl.col(name).cast(pl.Float64)
        parts.append(
            v.filter(value > 0).select(
                "household_no",
                "record",
                value.alias("v"),
                dataset,
                pl.lit(None, pl.String).alias("detail"),
            )
        )
    both = pl.concat(parts)
    return (
        both.sort("v", descending=True, maintain_order=True)
        .unique("household_no", keep="first", maintain_order=True)
        .drop("v")
    )


def store(found: pl.DataFrame, pol: Policy, *, actor: Any, year: int, region_path: str) -> int:
    """Replace the region's open findings of ``year`` with ``found``; referred and dismissed
    findings stay, and are not found again."""
    from lantu.registry.models import Household

    with transaction.atomic():
        Finding.objects.filter(
            year=year, status="open", region_path__startswith=region_path
        ).delete()
        if not found.height:
            return 0
        hh = pl.DataFrame(
            list(
                Household.objects.filter(
                    household_no__in=found["household_no"].unique().to_list()
                ).values_list("household_no", "id", "region_path")
            ),
            schema=["household_no", "household", "region_path"],
            orient="row",
        )
        kept = pl.DataFrame(
            list(
                Finding.objects.filter(year=year, region_path__startswith=region_path).values_list(
                    "household_id", "rule"
                )
            ),
            schema={"household": pl.Int64, "rule": pl.String},
            orient="row",
        )
        rows = found.join(hh, on="household_no").join(kept, on=["household", "rule"], how="anti")
        today = datetime.date.today()
        n = rows.height
        insert_rows(
            Finding,
            ["household", "region_path", "year", "rule", "kind", "rule_zh", "rule_en", "policy",
             "policy_version", "record", "dataset", "detail", "found_on", "status"],
            [
                rows["household"].to_list(), rows["region_path"].to_list(), [year] * n,
                rows["rule"].to_list(), rows["kind"].to_list(), rows["zh"].to_list(),
                rows["en"].to_list(), [pol.name] * n, [pol.version] * n,
                rows["record"].to_list(), rows["dataset"].fill_null("").to_list(),
                _details(rows), [today] * n,
                ["open"] * n,
            ],
        )  # fmt: skip
        record(
            Change(
                action="matching.findings",
                object_type="matching.Finding",
                object_id=f"{year}",
                region_path=region_path,
                after={"year": year, "policy": pol.name, "findings": n},
                reason="部门数据比对发现 / department data findings",
            ),
            actor=actor,
        )
    return n


def _details(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """The ``detail`` of each finding: what the evidence record alone does not say."""
    if "detail" not in rows.columns:
        return [{} for _ in range(rows.height)]
    return [json.loads(d) if d else {} for d in rows["detail"].to_list()]
