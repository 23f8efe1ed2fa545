"""The supervision faults the simulator plants (lantu.simulator.supervision): written with their
truth, present in the observed files, and the same for the same seed."""

from __future__ import annotations

import polars as pl


def test_faults_are_planted_with_their_truth(county_run):
    truth = pl.read_parquet(county_run / "truth" / "supervision" / "faults.parquet")
    kinds = set(truth["kind"])
    assert {"mismatched_manual", "ledger_bypass"} <= kinds
    manual = truth.filter(pl.col("kind") == "mismatched_manual")
    years = pl.read_parquet(county_run / "observed" / "registry" / "years.parquet")
    members = pl.read_parquet(county_run / "observed" / "registry" / "members.parquet")
    active = members.filter(pl.col("left_reason").is_null()).group_by("household_no").len()
    latest = years.filter(pl.col("year") == years["year"].max()).join(active, on="household_no")
    off = set(latest.filter(pl.col("size") != pl.col("len"))["household_no"])
    assert off == set(manual["household_no"])  # the only manuals that disagree are the planted
    edits = pl.read_parquet(county_run / "truth" / "supervision" / "direct_edits.parquet")
    assert set(edits["field"]) == {"status", "bank_account", "member"}
    if "double_payment" in kinds:
        pays = pl.read_parquet(county_run / "observed" / "projects" / "disbursements.parquet")
        again = truth.filter(pl.col("kind") == "double_payment")
        assert pays.filter(pl.col("voucher").str.ends_with("D")).height == again.height
