"""What Lantu proposes for a year, computed exactly as the application computes it, and nothing
from the simulator's truth.

``household_decisions(year=Y)`` snapshots the registry (``lantu.engine.snapshot``), adds the
linked department data (``lantu.matching.findings.with_department_data``) and runs the policy in
force with the comparison room's overlay: one row per registry household with its status, its
monitoring type and a boolean column per household rule. ``registry_as_of`` does the same for a
year of the campaign (2014–2020) from a simulation's *observed* registry, since the database holds
only the latest status. The precision report (``lantu.precision.score``) reads these rows and
the truth; the application's pages and procedures read the same rules through the ruler.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from lantu.engine import observed, snapshot
from lantu.engine.run import evaluate
from lantu.matching.findings import policy_with_overlay
from lantu.standards.inputs import with_register_data


def _frame(res_households: pa.Table, inputs: dict[str, pa.Table]) -> pl.DataFrame:
    out = pl.from_arrow(res_households)
    assert isinstance(out, pl.DataFrame)
    hh = pl.from_arrow(inputs["households"])
    assert isinstance(hh, pl.DataFrame)
    keep = [c for c in ("household_no", "status", "monitoring_type", "registration_year",
                        "exit_year", "region_code") if c in hh.columns]  # fmt: skip
    info = hh.select(keep).with_columns(pl.col("household_no").cast(pl.String))
    out = out.with_columns(pl.col("household_no").cast(pl.String))
    return out.drop([c for c in keep if c != "household_no" and c in out.columns]).join(
        info, on="household_no", how="left"
    )


def household_decisions(
    *, year: int, policy: str = "yunnan", region_path: str = ""
) -> tuple[pl.DataFrame, list[str], pl.DataFrame]:
    """(one row per registry household with every rule's outcome, the rule names by kind, the
    village results)."""
    inputs = snapshot.from_db(years=(year - 1, year), region_path=region_path or None)
    enriched = with_register_data(inputs, year=year, region_path=region_path)
    pol = policy_with_overlay(policy)
    res = evaluate(pol, year, enriched)
    kinds = [f"{r.kind}:{r.name}" for r in res.compiled.levels["household"].rules]  # type: ignore[index]
    villages = pl.from_arrow(res.villages) if res.villages is not None else pl.DataFrame()
    assert isinstance(villages, pl.DataFrame)
    return _frame(res.households, inputs), kinds, villages


def observed_decisions(
    folder: Path, *, year: int, policy: str = "yunnan"
) -> tuple[pl.DataFrame, list[str], pl.DataFrame]:
    """The same for a campaign year, from the simulation's observed registry as it stood then
    (no department data: the departments' files describe the last year)."""
    inputs = observed.registry_as_of(folder, year)
    pop = register_population(folder, year)
    if pop is not None:
        inputs["villages"] = pop
    pol = policy_with_overlay(policy)
    res = evaluate(pol, year, inputs)
    kinds = [f"{r.kind}:{r.name}" for r in res.compiled.levels["household"].rules]  # type: ignore[index]
    villages = pl.from_arrow(res.villages) if res.villages is not None else pl.DataFrame()
    assert isinstance(villages, pl.DataFrame)
    return _frame(res.households, inputs), kinds, villages


def register_population(folder: Path, year: int) -> pa.Table | None:
    """The villages' rural population in ``year`` from the simulation's observed household
    register (``observed/departments/public_security.parquet``): people born by the year and
    not dead before it, by the village of registration (those who moved out, whose date the
    register does not give, are left out)."""
    f = Path(folder) / "observed" / "departments" / "public_security.parquet"
    if not f.exists():
        return None
    ps = pl.read_parquet(f, columns=["birth_date", "hukou_region_code", "hukou_status",
                                     "death_date"])  # fmt: skip
    alive = (
        ps.filter(
            (pl.col("birth_date").dt.year() <= year)
            & (pl.col("hukou_status") != "moved_out")
            & (pl.col("death_date").is_null() | (pl.col("death_date").dt.year() >= year))
        )
        .group_by(pl.col("hukou_region_code").str.slice(0, 12).alias("village_code"))
        .agg(pl.len().cast(pl.Int64).alias("rural_population"))
    )
    return alive.to_arrow()


def rules_of(kinds: list[str], kind: str) -> list[str]:
    return [k.split(":", 1)[1] for k in kinds if k.split(":", 1)[0] == kind]
