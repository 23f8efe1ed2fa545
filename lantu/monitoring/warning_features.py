"""The early warning's features, from observed data only, over whole columns (polars, Arrow).

The unit is the household as the public-security household register knows it (``hukou_no``):
every rural person has one, registered or not. Everything here is what the platform would hold
on the day it scores, laid out as the simulator's ``observed/`` tree lays it out:

- the household register (``departments/public_security``): who lives in the household on the
  1st of January (born before, not dead before) — size, children, elderly;
- the registry (``registry/``), for households registered before the year: last year's per-capita
  net income against this year's monitoring line and its change over the year before, medical
  out-of-pocket share, transfer share, housing grade C/D, whether it exited poverty, last year's
  members' health and labour;
- the departments' yearly rosters of last year: migrant work (months, wages per person against
  the line), hospital bills out of pocket, disability certificates held, disaster losses;
- this year's dated signals received up to the scoring day (``monitoring/``): each department's
  records (counted by the day they *reached* the platform, with the days since the event they
  record), self-reports and visits that found a risk.

``static`` builds the yearly part once; ``at`` adds the signals for any set of scoring days.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

DATASETS = ("public_security", "medical_bills", "disability_certificates", "disaster_reports",
            "employment")  # fmt: skip
STATIC = (
    "size", "children", "elderly", "in_registry", "ratio", "ratio_change", "oop_share",
    "transfer_share", "housing_bad", "exited", "sick", "disabled", "labour", "work_ratio",
    "work_months", "med_oop_ratio", "inpatient", "certificates", "disaster_loss",
)  # fmt: skip
DYNAMIC = (
    *(f"n_{d}" for d in DATASETS), "days_since_event", "self_reports", "visit_risks",
)  # fmt: skip
FEATURES = (*STATIC, *DYNAMIC)
HEALTH_SCHEMA = {"household_no": pl.String, "sick": pl.Float64, "disabled": pl.Float64,
                 "labour": pl.Float64}  # fmt: skip


def people(obs: Path, year: int) -> pl.LazyFrame:
    """id_number → hukou_no of everyone on the register on the 1st of January of ``year``."""
    jan1 = datetime.date(year, 1, 1)
    ps = pl.scan_parquet(obs / "departments" / "public_security.parquet")
    return ps.filter(
        (pl.col("birth_date") < jan1)
        & (pl.col("death_date").is_null() | (pl.col("death_date") >= jan1))
    ).select("id_number", "hukou_no", "birth_date")


def static(obs: Path, year: int, line: float) -> pl.DataFrame:
    """One row per household (``hukou_no``): the yearly features for scoring inside ``year``.

    The register is read once and joined once: every person-level fact (registry membership,
    last year's work, hospital bills, certificates held, disaster losses of a household head) is
    stacked into one frame keyed by ID number, joined to the register, and summed per household
    in one group-by (at province scale the register has ~37M people: one hash of it, not six)."""
    last, jan1 = year - 1, datetime.date(year, 1, 1)
    who = people(obs, year).collect()
    age = (pl.lit(jan1) - pl.col("birth_date")).dt.total_days() / 365.25
    base = (
        who.lazy()
        .group_by("hukou_no")
        .agg(
            size=pl.len().cast(pl.Float64),
            children=(age < 16).sum().cast(pl.Float64),
            elderly=(age >= 65).sum().cast(pl.Float64),
        )
    )
    reg, dep = obs / "registry", obs / "departments"
    hh = pl.scan_parquet(reg / "households.parquet").filter(pl.col("registration_year") <= last)
    f64 = pl.Float64

    def cents(x: pl.Expr) -> pl.Expr:
        # Money summed in whole fen: the same total in any order (a parallel join and group-by
        # keep none), so a year's features are the same on every run, to the last bit.
        return (x * 100).round().cast(pl.Int64)

    facts = pl.concat(
        [
            pl.scan_parquet(reg / "members.parquet")
            .select("household_no", "id_number")
            .join(hh.select("household_no"), on="household_no", how="semi"),
            pl.scan_parquet(dep / "employment.parquet")
            .filter(pl.col("year") == last)
            .select(
                "id_number",
                wages=cents(pl.col("months") * pl.col("monthly_wage")),
                work_months=pl.col("months").cast(f64),
            ),
            pl.scan_parquet(dep / "medical_bills.parquet")
            .filter(pl.col("year") == last)
            .select("id_number", med_oop=cents(pl.col("out_of_pocket")), inpatient="inpatient"),
            pl.scan_parquet(dep / "disability_certificates.parquet")
            .filter(pl.col("issue_year") <= last)
            .select("id_number", certificates=pl.lit(1.0)),
            pl.scan_parquet(dep / "disaster_reports.parquet")
            .filter(pl.col("year") == last)
            .select(id_number="head_id_number", loss=cents(pl.col("loss_yuan"))),
        ],
        how="diagonal_relaxed",
    )
    joined = facts.join(who.lazy().select("id_number", "hukou_no"), on="id_number").collect()
    per = (
        joined.lazy()
        .group_by("hukou_no")
        .agg(
            wages=pl.col("wages").sum() / 100,
            work_months=pl.col("work_months").sum().cast(f64),
            med_oop=pl.col("med_oop").sum() / 100,
            inpatient=pl.col("inpatient").sum().cast(f64),
            certificates=pl.col("certificates").sum().cast(f64),
            disaster_loss=pl.col("loss").sum() / 100 / line,
        )
    )
    # The registry household holding most of the household's members (ties: the lowest number).
    link = (
        joined.lazy()
        .filter(pl.col("household_no").is_not_null())
        .group_by("hukou_no", "household_no")
        .agg(n=pl.len())
        .sort("n", "household_no", descending=[True, False])
        .unique("hukou_no", keep="first")
        .select("hukou_no", "household_no")
    )
    years = pl.scan_parquet(reg / "years.parquet")
    net = (pl.col("total_income") - pl.col("production_cost")).cast(f64)
    pc = net / pl.max_horizontal(pl.col("size"), 1)
    y1 = years.filter(pl.col("year") == last).select(
        "household_no",
        ratio=pc / line,
        oop_share=pl.col("medical_out_of_pocket") / pl.max_horizontal(net, 1.0),
        transfer_share=pl.col("transfer_income") / pl.max_horizontal(pl.col("total_income"), 1.0),
        housing_bad=pl.col("housing_grade").is_in(["C", "D"]).cast(f64),
    )
    y2 = years.filter(pl.col("year") == last - 1).select("household_no", pc2=pc / line)
    my = reg / "member_years" / f"{last}.parquet"
    health = (
        pl.scan_parquet(my)
        .group_by("household_no")
        .agg(
            sick=pl.col("health").is_in(["serious", "chronic"]).sum().cast(f64),
            disabled=(pl.col("health") == "disabled").sum().cast(f64),
            labour=pl.col("labour").is_in(["skilled", "ordinary"]).sum().cast(f64),
        )
        if my.exists()
        else pl.LazyFrame(schema=HEALTH_SCHEMA)
    )
    exited = hh.select(
        "household_no", exited=(pl.col("exit_year") <= last).fill_null(False).cast(f64)
    )
    joined_all = (
        base.join(per, on="hukou_no", how="left")
        .join(link, on="hukou_no", how="left")
        .join(y1, on="household_no", how="left")
        .join(y2, on="household_no", how="left")
        .join(health, on="household_no", how="left")
        .join(exited, on="household_no", how="left")
        .collect()
    )
    return (
        joined_all.with_columns(
            in_registry=pl.col("household_no").is_not_null().cast(f64),
            ratio_change=pl.col("ratio") - pl.col("pc2"),
            work_ratio=pl.col("wages") / pl.col("size") / line,
            med_oop_ratio=pl.col("med_oop") / pl.col("size") / line,
        )
        .select("hukou_no", *STATIC)
        .with_columns(
            pl.col(c).fill_null(0.0)
            for c in STATIC
            if c not in ("ratio", "ratio_change", "oop_share", "transfer_share")
        )
    )


def signals(obs: Path, year: int) -> pl.DataFrame:
    """This year's dated clues as the platform receives them: hukou_no, what, event, received."""
    who = people(obs, year).select("id_number", "hukou_no")
    mon, frames = obs / "monitoring", []
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if (mon / "department_signals.parquet").exists():
        frames.append(
            pl.scan_parquet(mon / "department_signals.parquet").select(
                "id_number", what="dataset", event="event_date", received="received_date"
            )
        )
    for name, what in (("self_reports", "self"), ("visit_risks", "visit")):
        if (mon / f"{name}.parquet").exists():
            frames.append(
                pl.scan_parquet(mon / f"{name}.parquet").select(
                    "id_number", what=pl.lit(what), event="date", received="date"
                )
            )
    if not frames:
        return pl.DataFrame(schema={"hukou_no": pl.String, "what": pl.String,
                                    "event": pl.Date, "received": pl.Date})  # fmt: skip
    return (
        pl.concat(frames)
        .filter(pl.col("received").is_between(start, end))
        .join(who, on="id_number")
        .select("hukou_no", "what", "event", "received")
        .collect()
    )


def at(base: pl.DataFrame, sig: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """Features of ``points`` (hukou_no, at): ``base``'s yearly columns and the signals received
    on or before each row's day. Households without signals take zeros without a join blow-up."""
    names = {**{d: f"n_{d}" for d in DATASETS}, "self": "self_reports", "visit": "visit_risks"}
    hit = points.join(sig, on="hukou_no", how="inner").filter(pl.col("received") <= pl.col("at"))
    counts = hit.group_by("hukou_no", "at").agg(
        *[(pl.col("what") == k).sum().cast(pl.Float64).alias(v) for k, v in names.items()],
        days_since_event=(pl.col("at").first() - pl.col("event").max())
        .dt.total_days()
        .cast(pl.Float64),
    )
    out = points.join(base, on="hukou_no", how="inner").join(
        counts, on=["hukou_no", "at"], how="left"
    )
    return out.with_columns(
        *[pl.col(v).fill_null(0.0) for v in names.values()],
        pl.col("days_since_event").fill_null(999.0),
    )


def monthly_points(households: pl.Series, year: int, month: int | None = None) -> pl.DataFrame:
    """The 1st of each month (or of one ``month``) for every household."""
    months = [month] if month else list(range(1, 13))
    days = pl.DataFrame({"at": [datetime.date(year, m, 1) for m in months]})
    return households.to_frame("hukou_no").join(days, how="cross")
