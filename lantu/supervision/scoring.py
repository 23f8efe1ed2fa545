"""How well reconciliation finds the faults the simulator planted (``lantu supervision score``).

Scoring only: this module reads the simulation's ``truth/`` (the application never does). It
first applies the planted ledger-bypassing edits to the database with plain SQL, behind the
services' back, as someone with database access would (``truth/supervision/direct_edits.parquet``;
applying them twice changes nothing), then reconciles and compares.

Recall per planted kind: the planted faults the kind's checks found. Precision per check: the
discrepancies it found that trace to a planted fault of any kind (a member moved behind the
ledger also makes two households' sizes disagree with their manuals: that is a true finding of
``manual_size_mismatch`` though planted as ``ledger_bypass``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction

from lantu.supervision import reconcile

# Which checks answer which planted fault.
CHECKS_FOR = {
    "mismatched_manual": ("manual_size_mismatch",),
    "unpaid_measure": ("measure_unpaid",),
    "double_payment": ("double_payment",),
    "ledger_bypass": ("ledger_household_field", "member_without_event"),
}


@dataclass
class Score:
    kind: str
    planted: int
    found: int
    recall: float
    unloaded: int = 0  # planted in households the registry did not load (not counted)


@dataclass
class CheckScore:
    check: str
    found: int
    true: int
    precision: float


def apply_direct_edits(sim: Path) -> int:
    """The planted edits, straight into the tables (no service, no ledger event)."""
    path = Path(sim) / "truth" / "supervision" / "direct_edits.parquet"
    if not path.exists():
        return 0
    edits = pl.read_parquet(path)
    hh, _ = _ids()
    n = 0
    with transaction.atomic(), connection.cursor() as cur:
        for rec in edits.iter_rows(named=True):
            if rec["household_no"] not in hh or (rec["other"] and rec["other"] not in hh):
                continue  # not registered (the simulation's files hold others too)
            if rec["field"] in ("status", "bank_account"):
                cur.execute(
                    f"UPDATE registry_household SET {rec['field']} = %s WHERE household_no = %s",
                    [rec["value"], rec["household_no"]],
                )
            else:
                cur.execute(
                    "UPDATE registry_member SET household_id = %s WHERE id_number = %s AND "
                    "active = %s AND household_id = %s",
                    [hh[rec["household_no"]], rec["value"], True, hh[rec["other"]]],
                )
            n += cur.rowcount
    return n


def _ids() -> tuple[dict[str, int], dict[str, int]]:
    with connection.cursor() as cur:
        cur.execute("SELECT household_no, id FROM registry_household")
        hh = dict(cur.fetchall())
        cur.execute("SELECT code, id FROM projects_project")
        proj = dict(cur.fetchall())
    return hh, proj


def truth(sim: Path) -> pl.DataFrame:
    base = Path(sim) / "truth"
    mine = pl.read_parquet(base / "supervision" / "faults.parquet")
    theirs_f = base / "projects" / "faults.parquet"
    if theirs_f.exists():  # the projects room's planted double payments (household only)
        theirs = pl.read_parquet(theirs_f).filter(pl.col("check") == "household_paid_twice")
        mine = pl.concat(
            [
                mine,
                theirs.select(
                    pl.lit("double_payment").alias("kind"),
                    pl.col("key").alias("household_no"),
                    pl.lit("").alias("project_code"),
                    pl.lit(None, dtype=pl.Int32).alias("year"),
                    pl.lit("").alias("item"),
                ),
            ]
        )
    return mine


def score(sim: Path, found: list[dict[str, Any]]) -> tuple[list[Score], list[CheckScore]]:
    t = truth(sim)
    hh, proj = _ids()
    t = t.with_columns(
        pl.col("household_no").replace_strict(hh, default=None, return_dtype=pl.Int64).alias("hid"),
        pl.col("project_code")
        .replace_strict(proj, default=None, return_dtype=pl.Int64)
        .alias("pid"),
    )
    # Households touched by any planted fault (a moved member touches the donor too).
    touched = set(t["hid"].drop_nulls().to_list())
    edits_f = Path(sim) / "truth" / "supervision" / "direct_edits.parquet"
    if edits_f.exists():
        donors = pl.read_parquet(edits_f).filter(pl.col("field") == "member")["other"].to_list()
        touched |= {hh[d] for d in donors if d in hh}
    kinds = []
    for kind, check_ids in CHECKS_FOR.items():
        all_planted = t.filter(pl.col("kind") == kind)
        planted = all_planted.filter(pl.col("hid").is_not_null())
        hits = {(d["household_id"], d["project_id"]) for d in found if d["check_id"] in check_ids}
        hit_hh = {h for h, _ in hits}
        n_found = 0
        for rec in planted.iter_rows(named=True):
            if rec["pid"] is not None and kind in ("unpaid_measure", "double_payment"):
                ok = (rec["hid"], rec["pid"]) in hits
            else:
                ok = rec["hid"] in hit_hh
            n_found += ok
        recall = n_found / planted.height if planted.height else 0.0
        kinds.append(
            Score(kind, planted.height, n_found, recall, all_planted.height - planted.height)
        )
    by_check: dict[str, list[bool]] = {}
    for d in found:
        by_check.setdefault(d["check_id"], []).append(d["household_id"] in touched)
    checks = [CheckScore(c, len(v), sum(v), sum(v) / len(v)) for c, v in sorted(by_check.items())]
    return kinds, checks


def run(sim: Path, *, year: int | None = None) -> tuple[int, list[Score], list[CheckScore], float]:
    edited = apply_direct_edits(sim)
    out = reconcile.run(actor=None, year=year)
    kinds, checks = score(sim, out.found.to_pylist())
    return edited, kinds, checks, out.run.seconds
