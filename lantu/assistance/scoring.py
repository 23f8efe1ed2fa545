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


def score(folder: Path, year: int | None = None, policy: str = "yunnan") -> pl.DataFrame:
    """One row per gap kind: planted, flagged, true positives, precision, recall."""
    truth = pl.read_parquet(Path(folder) / "truth" / "assistance_gaps.parquet")
    year = year or int(truth.select(pl.col("year").max()).item())
    registry = registry_as_of(folder, year)
    res = evaluate_assistance(
        registry,
        assistance_inputs(folder),
        year=year,
        as_of=datetime.date(year, 12, 31),
        policy=policy,
    )
    results = pl.from_arrow(res.households)
    assert isinstance(results, pl.DataFrame)
    results = results.with_columns(pl.col("household_no").cast(pl.String))
    rows = []
    for gap, rule in RULE_OF.items():
        flagged = set(results.filter(pl.col(rule) == False)["household_no"].to_list())  # noqa: E712
        planted = set(
            truth.filter((pl.col("gap") == gap) & (pl.col("year") == year))[
                "household_no"
            ].to_list()
        )
        present = set(results["household_no"].to_list())
        planted &= present  # a planted household absent from the year's registry cannot be found
        tp = len(flagged & planted)
        rows.append(
            {
                "gap": gap,
                "rule": rule,
                "planted": len(planted),
                "flagged": len(flagged),
                "true_positives": tp,
                "precision": tp / len(flagged) if flagged else 1.0,
                "recall": tp / len(planted) if planted else 1.0,
            }
        )
    return pl.DataFrame(rows)
