"""The simulation's truth (``SIM_DIR/truth``), read only by the precision report and its tests.

Nothing in the application imports this module. The definitions it reads are the simulator's
(docs/simulator.md, "True status"): ``true_poor`` (2014–2020: income under the year's line or a
guarantee failing), ``true_monitoring`` (2021+: unstable / marginal / sudden, 中农组发〔2021〕7号),
and a household is *wrongly included* when it was registered by favouritism or was not truly
poor in its registration year (the 回头看 question: should it have been registered at all).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl


def _truth(folder: Path) -> Path:
    t = Path(folder) / "truth"
    if not (t / "household_years").is_dir():
        from lantu.core.errors import ValidationFailed

        raise ValidationFailed(
            f"{folder} 不是含真值的模拟目录（缺少 truth/household_years）",
            f"{folder} is not a simulation folder with its truth (no truth/household_years)",
        )
    return t


def years(folder: Path) -> list[int]:
    return sorted(int(p.stem) for p in (_truth(folder) / "household_years").glob("*.parquet"))


def household_year(folder: Path, year: int) -> pl.DataFrame:
    """One row per true household alive in ``year``."""
    f = _truth(folder) / "household_years" / f"{year}.parquet"
    return pl.read_parquet(f).with_columns(
        pl.col("true_monitoring").cast(pl.String), pl.col("registry_status").cast(pl.String)
    )


def registry_links(folder: Path) -> pl.DataFrame:
    """household_no → household_id."""
    return pl.read_parquet(_truth(folder) / "links" / "registry_households.parquet").with_columns(
        pl.col("household_no").cast(pl.String)
    )


def wrongly_included(folder: Path, registered: pl.DataFrame) -> pl.DataFrame:
    """``registered`` (household_no, registration_year) with ``wrong``: favouritism, or not
    truly poor in the registration year (households registered after the campaign's last
    year of true poverty are monitoring objects and are left out)."""
    t = _truth(folder)
    poor = pl.read_parquet(
        t / "household_years" / "*.parquet", columns=["household_id", "year", "true_poor"]
    ).with_columns(pl.col("year").cast(pl.Int64))
    last = poor.filter(pl.col("true_poor"))["year"].max()
    favour = pl.read_parquet(t / "households.parquet").select("household_id", "favouritism")
    reg = (
        registered.with_columns(pl.col("registration_year").cast(pl.Int64))
        .filter(pl.col("registration_year") <= (last if last is not None else 2020))
        .join(registry_links(folder), on="household_no")
        .join(favour, on="household_id")
        .join(
            poor.rename({"year": "registration_year"}),
            on=["household_id", "registration_year"],
            how="left",
        )
    )
    return reg.with_columns(wrong=pl.col("favouritism") | ~pl.col("true_poor").fill_null(True))


def register_households(folder: Path, year: int) -> pl.DataFrame:
    """户号 (the observed register's ``hukou_no``) → the true household of its people in
    ``year`` (the most common one)."""
    t = _truth(folder)
    ps = pl.read_parquet(
        Path(folder) / "observed" / "departments" / "public_security.parquet",
        columns=["record_id", "hukou_no"],
    )
    links = pl.read_parquet(t / "links" / "public_security.parquet")
    py = pl.read_parquet(
        t / "person_years" / f"{year}.parquet", columns=["person_id", "household_id"]
    )
    return (
        ps.join(links, on="record_id")
        .join(py, on="person_id")
        .group_by("hukou_no")
        .agg(pl.col("household_id").mode().first())
    )


def never_registered(folder: Path, year: int) -> pl.DataFrame:
    """The year's true households that never were in the registry."""
    return household_year(folder, year).join(registry_links(folder), on="household_id", how="anti")


# The exclusion list's facts (地方错评剔除清单, DOMAIN.md §5) as the departments' true records
# hold them: (dataset, the record's year column, which records count).
LISTED = {
    "public_employees": ("start_year", None),
    "vehicles": ("registered_year", "vehicle"),
    "real_estate": ("registered_year", "property"),
    "business": ("registered_year", "company"),
}


def listed_at_registration(
    folder: Path, registered: pl.DataFrame, vehicle_threshold: float
) -> pl.DataFrame:
    """household_no of registered households one of whose true members *in the registration
    year* held what the exclusion list excludes, by that year: a public post, a vehicle of at
    least ``vehicle_threshold`` (the policy's value), a commercial house or shop in town, an
    operating company. The policy's definition of a wrong identification, read from the true
    records (every record, linked or not); the head's relatives outside the household are not
    counted."""
    t = _truth(folder)
    obs = Path(folder) / "observed" / "departments"
    reg = registered.with_columns(pl.col("registration_year").cast(pl.Int64)).join(
        registry_links(folder), on="household_no"
    )
    held = []
    for dataset, (year_col, what) in LISTED.items():
        if not (obs / f"{dataset}.parquet").exists():
            continue
        rec = pl.read_parquet(obs / f"{dataset}.parquet")
        if what == "vehicle":
            rec = rec.filter(pl.col("purchase_price").cast(pl.Float64) >= vehicle_threshold)
        if what == "property":
            rec = rec.filter(
                pl.col("property_type").is_in(["town_house", "commercial_house", "shop"])
            )
        if what == "company":
            rec = rec.filter(pl.col("status") == "operating")
        rec = rec.join(pl.read_parquet(t / "links" / f"{dataset}.parquet"), on="record_id")
        held.append(
            rec.select(
                "person_id",
                pl.col(year_col).cast(pl.Int64).alias("since"),
                pl.lit(dataset).alias("dataset"),
            )
        )
    if not held:
        return pl.DataFrame(schema={"household_no": pl.String, "dataset": pl.String})
    facts = pl.concat(held)
    out = []
    for year in sorted(reg["registration_year"].drop_nulls().unique().to_list()):
        f = t / "person_years" / f"{year}.parquet"
        if not f.exists():
            continue
        members = pl.read_parquet(f, columns=["person_id", "household_id"])
        part = (
            reg.filter(pl.col("registration_year") == year)
            .join(members, on="household_id")
            .join(facts.filter(pl.col("since") <= year), on="person_id")
            .select("household_no", "dataset")
        )
        out.append(part)
    return pl.concat(out).unique("household_no") if out else pl.DataFrame()
