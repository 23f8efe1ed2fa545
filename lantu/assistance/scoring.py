"""Scoring the assistance rules against the simulator's planted gaps (``truth/assistance_gaps``):
for each kind of gap, the rule that must find it, and the precision and recall of the rule's
failures over the households it applies to. The rules run on the simulation's observed files
(``lantu.engine.observed.registry_as_of`` and ``observed/assistance``), as the application would
see them; only this module reads ``truth/``, never the application.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from lantu.assistance.gaps import evaluate_assistance
from lantu.engine.observed import registry_as_of

# planted gap → the rule that must find it
RULE_OF = {"no_cadre": "asst_cadre", "cause_missed": "asst_causes", "visit_overdue": "asst_visit"}


def assistance_inputs(folder: Path) -> dict[str, Any]:
    d = Path(folder) / "observed" / "assistance"
    plans = pl.read_parquet(d / "plans.parquet")
    cadres = pl.read_parquet(d / "cadres.parquet", columns=["cadre_no", "level"])
    return {
        "pairings": pl.read_parquet(d / "pairings.parquet").to_arrow(),
        "cadres": cadres.to_arrow(),
        "plans": plans.select(
            "household_no", "year", "planned_exit_year", "planned_risk_elimination"
        )
        .unique(["household_no", "year"])
        .to_arrow(),
        "measures": plans.select(
            "household_no",
            "year",
            "measure",
            "cadre_no",
            "planned_amount",
            "actual_amount",
            "status",
            pl.lit(None, pl.String).alias("asset"),
        ).to_arrow(),
        "visits": pl.read_parquet(
            d / "visits.parquet", columns=["household_no", "date"]
        ).to_arrow(),
    }


def score(
    folder: Path,
    year: int | None = None,
    policy: str = "yunnan",
    results: pa.Table | None = None,
) -> pl.DataFrame:
    """One row per gap kind: planted, flagged, true positives, precision, recall. ``results``
    are the assistance rules' household results when the caller has them already (at province
    scale, reading the registry a second time costs minutes and gigabytes)."""
    truth = pl.read_parquet(Path(folder) / "truth" / "assistance_gaps.parquet")
    year = year or int(truth.select(pl.col("year").max()).item())
    if results is None:
        results = evaluate_assistance(
            registry_as_of(folder, year),
            assistance_inputs(folder),
            year=year,
            as_of=datetime.date(year, 12, 31),
            policy=policy,
        ).households
    found = pl.from_arrow(results.select(["household_no", *RULE_OF.values()]))
    assert isinstance(found, pl.DataFrame)
    found = found.with_columns(pl.col("household_no").cast(pl.String))
    rows = []
    for gap, rule in RULE_OF.items():
        flagged = found.filter(pl.col(rule) == False).select("household_no")  # noqa: E712
        # a planted household absent from the year's registry cannot be found
        planted = truth.filter((pl.col("gap") == gap) & (pl.col("year") == year)).join(
            found.select("household_no"), on="household_no", how="semi"
        )
        tp = flagged.join(planted, on="household_no", how="semi").height
        rows.append(
            {
                "gap": gap,
                "rule": rule,
                "planted": planted.height,
                "flagged": flagged.height,
                "true_positives": tp,
                "precision": tp / flagged.height if flagged.height else 1.0,
                "recall": tp / planted.height if planted.height else 1.0,
            }
        )
    return pl.DataFrame(rows)
