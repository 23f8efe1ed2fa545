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
