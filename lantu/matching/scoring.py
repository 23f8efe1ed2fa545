"""Scoring linkage and findings against a simulation's truth (``DIR/truth``), never read by the
application itself.

A stored link (department record → registry member) is right when the record's true person
(``truth/links/<dataset>.parquet``) is the member's true person (``truth/links/
registry_members.parquet``, matched on household number and ID number). Recall's denominator is
every record of a loaded dataset whose true person is a member in the database. Precision and
recall are given per dataset and per pass (method); a pass's recall is its share of the linkable
records. Wrongly included households: registered households whose truth says not poor in the
evaluation year, against the households with an exclusion finding. ``recall_with_id`` is recall
among the linkable records that carry an ID number at all (the rest have only a name).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from django.db import connection


def _query(sql: str, names: list[str]) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    if not rows:  # no row to infer types from: text columns, so joins on them still work
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def _members(truth: Path) -> pl.DataFrame:
    db = _query(
        "SELECT m.id, h.household_no, m.id_number FROM registry_member m "
        "JOIN registry_household h ON h.id = m.household_id",
        ["member", "household_no", "id_number"],
    )
    links = pl.read_parquet(truth / "links" / "registry_members.parquet")
    return db.join(links, on=["household_no", "id_number"]).select("member", "person_id")


def linkage_table(folder: Path) -> pl.DataFrame:
    truth = Path(folder) / "truth"
    members = _members(truth)
    stored = _query(
        "SELECT d.dataset, r.record_id, l.method, l.member_id FROM matching_link l "
        "JOIN matching_departmentrecord r ON r.id = l.record_id "
        "JOIN matching_datasetload d ON d.id = r.load_id WHERE d.active",
        ["dataset", "record_id", "method", "member"],
    )
    loaded = _query("SELECT dataset FROM matching_datasetload WHERE active", ["dataset"])
    with_id = _query(
        "SELECT d.dataset, r.record_id FROM matching_departmentrecord r "
        "JOIN matching_datasetload d ON d.id = r.load_id WHERE d.active AND r.id_number <> ''",
        ["dataset", "record_id"],
    )
    rows = []
    for dataset in sorted(loaded["dataset"].to_list()):
        true = pl.read_parquet(truth / "links" / f"{dataset}.parquet").with_columns(
            pl.col("record_id").cast(pl.String)
        )
        linkable = true.join(members, on="person_id").select("record_id").unique()
        ided = linkable.join(with_id.filter(pl.col("dataset") == dataset), on="record_id")
        got = (
            stored.filter(pl.col("dataset") == dataset)
            .join(members, on="member", how="left")
            .join(true.rename({"person_id": "true_person"}), on="record_id", how="left")
            .with_columns(right=pl.col("person_id") == pl.col("true_person"))
        )
        for method, part in [("all", got), *sorted(got.group_by("method"), key=str)]:
            name = method if isinstance(method, str) else str(method[0])
            right = int(part["right"].fill_null(False).sum())
            right_ided = int(part.join(ided, on="record_id")["right"].fill_null(False).sum())
            rows.append(
                {
                    "dataset": dataset,
                    "pass": name,
                    "links": part.height,
                    "right": right,
                    "linkable": linkable.height,
                    "precision": right / part.height if part.height else None,
                    "recall": right / linkable.height if linkable.height else None,
                    # Among linkable records that carry an ID number at all.
                    "recall_with_id": right_ided / ided.height if ided.height else None,
                }
            )
    return pl.DataFrame(rows)


def wrong_inclusions(folder: Path, year: int) -> dict[str, float | int]:
    """Poor households in the registry that were wrongly included — not truly poor in their
    registration year, or registered by favouritism — against those with an exclusion finding
    of ``year``. Households registered after identification ended (monitoring objects) are left
    out: the truth has no poverty for them to be wrong about."""
    truth = Path(folder) / "truth"
    hh_links = pl.read_parquet(truth / "links" / "registry_households.parquet")
    db = _query(
        "SELECT household_no, registration_year FROM registry_household "
        "WHERE registration_year IS NOT NULL",
        ["household_no", "registration_year"],
    )
    found = _query(
        "SELECT DISTINCT h.household_no FROM matching_finding f "
        "JOIN registry_household h ON h.id = f.household_id WHERE f.kind = 'exclusion' "
        f"AND f.year = {int(year)}",
        ["household_no"],
    )
    poor = pl.read_parquet(
        truth / "household_years" / "*.parquet", columns=["household_id", "year", "true_poor"]
    ).with_columns(pl.col("year").cast(pl.Int64))
    favour = pl.read_parquet(truth / "households.parquet").select("household_id", "favouritism")
    # Poor households were identified up to the last year the truth has poor households (2020);
    # households registered later are monitoring objects, not poor-household registrations.
    last = poor.filter(pl.col("true_poor"))["year"].max()
    reg = (
        db.filter(pl.col("registration_year") <= (last if last is not None else year))
        .join(hh_links, on="household_no")
        .join(favour, on="household_id")
        .join(
            poor.rename({"year": "registration_year"}),
            on=["household_id", "registration_year"],
            how="left",
        )
    )
    wrong = reg.filter(pl.col("favouritism") | ~pl.col("true_poor").fill_null(True))
    hit = wrong.join(found, on="household_no")
    early = _early_findings(year)
    early_hit = wrong.join(early, on="household_no")
    return {
        "registered": reg.height,
        "wrongly_included": wrong.height,
        "households_with_exclusion_findings": found.height,
        "wrongly_included_found": hit.height,
        "share_found": hit.height / wrong.height if wrong.height else 0.0,
        "findings_precision": hit.height / found.height if found.height else 0.0,
        "households_with_evidence_by_registration": early.height,
        "their_precision": early_hit.height / early.height if early.height else 0.0,
    }


def _early_findings(year: int) -> pl.DataFrame:
    """Households with an exclusion finding whose evidence is dated no later than the
    household's registration year (an asset or a post held when it was registered)."""
    rows = _query(
        "SELECT h.household_no, h.registration_year, r.facts FROM matching_finding f "
        "JOIN registry_household h ON h.id = f.household_id "
        "JOIN matching_departmentrecord r ON r.id = f.record_id "
        f"WHERE f.kind = 'exclusion' AND f.year = {int(year)}",
        ["household_no", "registration_year", "facts"],
    )
    if not rows.height:
        return rows.select("household_no")
    dated = rows.with_columns(
        pl.col("facts").map_elements(_evidence_year, return_dtype=pl.Int64).alias("evidence_year")
    )
    early = dated.filter(pl.col("evidence_year") <= pl.col("registration_year"))
    return early.select("household_no").unique()


def _evidence_year(facts: object) -> int | None:
    data = json.loads(facts) if isinstance(facts, str) else facts
    if not isinstance(data, dict):
        return None
    for key in ("registered_year", "start_year", "issue_year", "year"):
        value = data.get(key)
        if value not in (None, ""):
            return int(float(value))
    return None
