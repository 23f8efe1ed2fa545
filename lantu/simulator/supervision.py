"""Faults for the supervision room's reconciliation to find, planted in the observed data, with
their truth (``truth/supervision/faults.parquet``: kind, household_no, project_code, year, item).

- ``mismatched_manual``: the latest year's household size (the manual, 明白卡) is one more or one
  less than the household's members;
- ``unpaid_measure``: an industry subsidy beneficiary's payments are all missing;
- ``double_payment``: a payment entered again under a new voucher;
- ``ledger_bypass``: edits to apply to the database *after* loading, behind the services' back
  (``truth/supervision/direct_edits.parquet``: a household's status or bank account changed, a
  member moved to another household). They are not in the observed files because the bypass is of
  the application; ``lantu supervision score`` applies them (a scoring command may read the truth)
  and then reconciles.

The projects room plants its own double payments (``truth/projects/faults.parquet``,
``household_paid_twice``); scoring counts those too. Shares are in ``supervision.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from lantu.simulator.params import stream

PARAMS = Path(__file__).resolve().parent / "supervision.yaml"


def _params() -> dict[str, float]:
    raw = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    return {k: float(v["value"]) for k, v in raw["faults"].items()}


def _pick(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return np.asarray(rng.random(n) < share)


def write(out: Path, seed: int) -> dict[str, int]:
    obs, truth = Path(out) / "observed", Path(out) / "truth" / "supervision"
    years_f = obs / "registry" / "years.parquet"
    pays_f = obs / "projects" / "disbursements.parquet"
    if not years_f.exists():
        return {}
    truth.mkdir(parents=True, exist_ok=True)
    p = _params()
    rng = stream(seed, "supervision-faults")
    faults: list[pl.DataFrame] = []

    years = pl.read_parquet(years_f)
    latest = int(years["year"].max())  # type: ignore[arg-type]
    is_latest = (years["year"] == latest).to_numpy()
    manual = _pick(rng, years.height, p["mismatched_manual"]) & is_latest
    delta = np.where(rng.random(years.height) < 0.5, 1, -1)
    size = years["size"].to_numpy()
    delta = np.where(size + delta < 1, 1, delta)
    years = years.with_columns(
        pl.Series("size", np.where(manual, size + delta, size)).cast(years["size"].dtype)
    )
    years.write_parquet(years_f)
    faults.append(
        years.filter(pl.Series(manual)).select(
            pl.lit("mismatched_manual").alias("kind"),
            "household_no",
            pl.lit("").alias("project_code"),
            pl.col("year").cast(pl.Int32),
            pl.lit("").alias("item"),
        )
    )

    if pays_f.exists():
        pays = pl.read_parquet(pays_f)
        bens = pl.read_parquet(obs / "projects" / "beneficiaries.parquet")
        proj = pl.read_parquet(obs / "projects" / "projects.parquet")
        projects_truth = Path(out) / "truth" / "projects" / "faults.parquet"
        planted = (
            pl.read_parquet(projects_truth)["key"].to_list() if projects_truth.exists() else []
        )
        industry = proj.filter(pl.col("category") == "industry")["code"]
        paid_pairs = pays.select("project_code", "household_no").unique()
        cand = (
            bens.filter((pl.col("mechanism") == "subsidy") & pl.col("project_code").is_in(industry))
            .join(paid_pairs, on=["project_code", "household_no"], how="semi")
            .filter(~pl.col("household_no").is_in(planted))
            .sort("project_code", "household_no")
        )
        unpaid = cand.filter(pl.Series(_pick(rng, cand.height, p["unpaid_measure"])))
        pays = pays.join(unpaid, on=["project_code", "household_no"], how="anti")
        faults.append(
            unpaid.select(
                pl.lit("unpaid_measure").alias("kind"),
                "household_no",
                "project_code",
                pl.lit(None, dtype=pl.Int32).alias("year"),
                pl.lit("").alias("item"),
            )
        )
        again = pays.filter(pl.Series(_pick(rng, pays.height, p["double_payment"])))
        again = again.filter(~pl.col("household_no").is_in(planted))
        again = again.with_columns((pl.col("voucher") + "D").alias("voucher"))
        pays = pl.concat([pays, again])
        pays.write_parquet(pays_f)
        faults.append(
            again.select(
                pl.lit("double_payment").alias("kind"),
                "household_no",
                "project_code",
                pl.lit(None, dtype=pl.Int32).alias("year"),
                "item",
            )
        )

    edits = _direct_edits(obs, rng, int(p["ledger_bypass_households"]))
    edits.write_parquet(truth / "direct_edits.parquet")
    faults.append(
        edits.select(
            pl.lit("ledger_bypass").alias("kind"),
            "household_no",
            pl.lit("").alias("project_code"),
            pl.lit(None, dtype=pl.Int32).alias("year"),
            pl.col("field").alias("item"),
        )
    )
    table = pl.concat(faults).sort("kind", "household_no", "project_code", "item")
    table.write_parquet(truth / "faults.parquet")
    counts = table.group_by("kind").len().sort("kind")
    (truth / "counts.json").write_text(json.dumps(dict(counts.iter_rows()), sort_keys=True))
    return dict(counts.iter_rows())


def _direct_edits(obs: Path, rng: np.random.Generator, n: int) -> pl.DataFrame:
    """``n`` households to edit behind the ledger: a third get another status, a third another
    bank account, a third receive a member moved in from the next household in the list."""
    hh = pl.read_parquet(obs / "registry" / "households.parquet").sort("household_no")
    members = pl.read_parquet(obs / "registry" / "members.parquet")
    active = members.filter(pl.col("left_reason").is_null() & (pl.col("relation") != "head"))
    movable = hh.join(active.select("household_no").unique(), on="household_no", how="semi")
    if movable.height < 2 or n <= 0:
        return pl.DataFrame(
            schema={
                "household_no": pl.String,
                "field": pl.String,
                "value": pl.String,
                "other": pl.String,
            }
        )
    idx = np.sort(rng.choice(movable.height - 1, size=min(n, movable.height - 1), replace=False))
    rows = []
    statuses = ("poor", "exited", "monitored", "removed")
    for j, i in enumerate(idx.tolist()):
        rec = movable.row(i, named=True)
        kind = ("status", "bank_account", "member")[j % 3]
        if kind == "status":
            value = next(s for s in statuses if s != rec["status"])
            rows.append((rec["household_no"], kind, value, ""))
        elif kind == "bank_account":
            rows.append((rec["household_no"], kind, f"6222{rng.integers(10**11, 10**12)}", ""))
        else:
            donor = movable.row(i + 1, named=True)["household_no"]
            who = active.filter(pl.col("household_no") == donor)["id_number"][0]
            rows.append((rec["household_no"], kind, who, donor))
    return pl.DataFrame(rows, schema=["household_no", "field", "value", "other"], orient="row")
