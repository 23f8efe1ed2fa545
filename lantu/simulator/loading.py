"""``lantu load DIR``: put a simulated ``observed/`` folder into the application.

Regions go through ``regions.services.load_regions`` and their yearly poverty status into
``PovertyStatus``; the registry goes through the registry's own bulk importer
(``registry.imports.apply_tables``), which checks every row as it would an uploaded file. The
observed registry deliberately carries data-entry errors (mistyped ID numbers, wrong birth dates);
the importer rejects a household with such a row, as it would in a county office, so they are
screened first: those households are held back and listed in ``DIR/load_held_back.parquet`` with
the reason, and the rest are loaded. ``truth/`` is never read here. Department datasets are loaded
by the matching module (``lantu match load``).

A province is loaded in slices of whole townships (``chunk_members`` members at most, unless one
township alone is larger), each slice all-or-nothing in its own transaction, so memory stays
bounded (the whole of a 10M-people province at once took over 17 GB). Loading is idempotent: a
re-run after a failed slice writes nothing for the slices already in and resumes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from tqdm import tqdm

from lantu.core.bulksql import analyze
from lantu.core.errors import ValidationFailed
from lantu.ledger.models import Event
from lantu.regions.models import PovertyStatus, Region
from lantu.regions.services import load_regions
from lantu.registry.imports import apply_tables
from lantu.registry.loadmode import initial_load
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange
from lantu.simulator.identity import check_char_ok


@dataclass
class LoadReport:
    regions: int = 0
    poverty_statuses: int = 0
    held_back: int = 0
    registry: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


CHUNK_MEMBERS = 250_000  # a memory bound, not a policy value


def load(
    folder: Path,
    *,
    actor: Any = None,
    years: tuple[int, int] | None = None,
    chunk_members: int = CHUNK_MEMBERS,
    progress: bool = False,
) -> LoadReport:
    obs = Path(folder) / "observed"
    if not (obs / "registry" / "households.parquet").exists():
        raise ValidationFailed(
            f"{obs} 中没有模拟数据（先运行 lantu simulate）",
            f"no simulated data in {obs} (run lantu simulate first)",
        )
    report = LoadReport()
    report.regions = load_regions(pl.read_parquet(obs / "regions.parquet").to_dicts(), actor=actor)
    report.poverty_statuses = _poverty(pl.read_parquet(obs / "poverty_status.parquet"))
    households = pl.read_parquet(obs / "registry" / "households.parquet")
    members = pl.read_parquet(obs / "registry" / "members.parquet")
    year_rows = pl.read_parquet(obs / "registry" / "years.parquet")
    if years is not None:
        year_rows = year_rows.filter(pl.col("year").is_between(*years))
    held = held_back(members)
    report.held_back = held.select("household_no").n_unique()
    held.write_parquet(Path(folder) / "load_held_back.parquet")
    keep = ~pl.col("household_no").is_in(held["household_no"].unique().implode())
    households, members, year_rows = (t.filter(keep) for t in (households, members, year_rows))
    slices = list(_slices(households, members, chunk_members))
    source = f"simulator:{Path(folder).name}"
    bar = tqdm(total=members.height, desc="load", unit="member", disable=not progress)
    with initial_load(actor=actor, reason=f"lantu load {source}"):
        _load_slices(report, slices, households, members, year_rows, actor, source, bar)
    bar.close()
    analyze([Household, Member, HouseholdYear, StatusChange, Event])
    return report


def _load_slices(
    report: LoadReport,
    slices: list[pl.Series],
    households: pl.DataFrame,
    members: pl.DataFrame,
    year_rows: pl.DataFrame,
    actor: Any,
    source: str,
    bar: Any,
) -> None:
    for nos in slices:
        part = pl.col("household_no").is_in(nos.implode())
        m = members.filter(part)
        result = apply_tables(
            households.filter(part), m, year_rows.filter(part), actor=actor, source=source
        )
        for key, value in result.summary.items():
            report.registry[key] = report.registry.get(key, 0) + value
        if result.errors:
            report.errors = [f"{e.row}: {e.zh} / {e.en}" for e in result.errors[:50]]
            break
        bar.update(m.height)


def _slices(households: pl.DataFrame, members: pl.DataFrame, limit: int) -> Iterator[pl.Series]:
    """Household numbers in slices of whole townships, each up to ``limit`` members (a township
    larger than that is a slice of its own)."""
    town = households.select("household_no", pl.col("region_code").str.slice(0, 9).alias("town"))
    sizes = (
        members.group_by("household_no")
        .len()
        .join(town, on="household_no")
        .group_by("town")
        .agg(pl.col("len").sum())
        .sort("town")
    )
    batch: list[str] = []
    count = 0
    for code, n in sizes.iter_rows():
        if batch and count + n > limit:
            yield town.filter(pl.col("town").is_in(batch))["household_no"]
            batch, count = [], 0
        batch.append(code)
        count += n
    if batch:
        yield town.filter(pl.col("town").is_in(batch))["household_no"]


def held_back(members: pl.DataFrame) -> pl.DataFrame:
    """Member rows the importer would reject: a wrong check character, or a birth date or sex
    that disagrees with the ID number (one bad row holds its whole household back); and
    households without exactly one active head."""
    ids = members["id_number"]
    ok_check = pl.Series(check_char_ok(ids)) if len(ids) else pl.Series([], dtype=pl.Boolean)
    id_birth = ids.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    id_sex = (ids.str.slice(16, 1).cast(pl.Int32, strict=False) % 2).replace_strict(
        {1: "1", 0: "2"}, default=None, return_dtype=pl.String
    )
    frame = members.select("household_no", "id_number").with_columns(
        reason=pl.when(~ok_check)
        .then(pl.lit("身份证号校验位错误 / wrong check character"))
        .when(id_birth.is_null() | (id_birth != members["birth_date"]))
        .then(pl.lit("出生日期与身份证号不一致 / birth date disagrees with the ID"))
        .when(id_sex != members["sex"])
        .then(pl.lit("性别与身份证号不一致 / sex disagrees with the ID"))
        .otherwise(None)
    )
    bad = frame.filter(pl.col("reason").is_not_null())
    # A dissolved household (every member died or left) has no head, which the importer requires.
    heads = members.group_by("household_no").agg(
        ((pl.col("relation") == "head") & pl.col("left_reason").is_null()).sum().alias("heads")
    )
    headless = heads.filter(pl.col("heads") != 1).select(
        "household_no",
        pl.lit(None, dtype=pl.String).alias("id_number"),
        pl.lit("户内无在户户主（已销户） / no active head (household dissolved)").alias("reason"),
    )
    return pl.concat([bad, headless]).sort("household_no", "id_number", nulls_last=True)


@transaction.atomic
def _poverty(status: pl.DataFrame) -> int:
    codes = status["code"].unique().to_list()
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "id"))
    rows = [
        PovertyStatus(region_id=regions[code], year=year, is_poor=is_poor, exited_year=exited)
        for code, year, is_poor, exited in status.select(
            "code", "year", "is_poor", "exited_year"
        ).iter_rows()
    ]
    PovertyStatus.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["region", "year"],
        update_fields=["is_poor", "exited_year"],
    )
    return len(rows)


# The platform's clue channels in ``observed/monitoring`` (lantu/simulator/shocks.py) and the
# ticket channel each arrives by (中农组发〔2021〕7号: 农户自主申报、基层干部排查、部门筛查预警).
CLUE_FILES = {
    "self_reports": ("self", "date"),
    "visit_risks": ("visit", "date"),
    "department_signals": ("department", "received_date"),
}


def load_clues(folder: Path, *, since: int = 2021) -> int:
    """The clues the platform received (``observed/monitoring``: self-reports, cadre visits that
    recorded a risk, department pushes) as monitoring tickets (``monitoring.Ticket``), one per
    person, channel and year, received on the first day of that year's clue. Each is routed to
    the village of the person's household-register record (公安户籍) and to the registry household
    when an active member carries the ID number, as intake routes a clue. A bench and scoring
    load (bulk insert, no ledger, no department tasks): the omission search and the monitoring
    rules read clues from tickets. Idempotent: a re-run adds nothing. Returns how many were
    added."""
    from lantu.monitoring import policy as mon_policy
    from lantu.monitoring.models import Ticket
    from lantu.registry.models import Member

    obs = Path(folder) / "observed"
    mon = obs / "monitoring"
    frames = []
    for name, (channel, day) in CLUE_FILES.items():
        f = mon / f"{name}.parquet"
        if not f.exists():
            continue
        t = pl.read_parquet(f)
        event = (
            t["dataset"].replace_strict(_DATASET_EVENT, default="other")
            if "dataset" in t.columns
            else pl.Series(["other"] * t.height, dtype=pl.String)
        )
        frames.append(
            t.select("id_number", pl.col(day).alias("received_on")).with_columns(
                channel=pl.lit(channel), event=event
            )
        )
    if not frames:
        return 0
    ps = (
        pl.read_parquet(
            obs / "departments" / "public_security.parquet",
            columns=["id_number", "name", "hukou_region_code"],
        )
        .filter(pl.col("id_number").fill_null("") != "")
        .unique("id_number", keep="first")
    )
    clues = (
        pl.concat(frames)
        .filter(pl.col("received_on").dt.year() >= since)
        .sort("received_on")
        .with_columns(_year=pl.col("received_on").dt.year())
        .unique(["id_number", "_year", "channel"], keep="first")
        .drop("_year")
        .join(ps, on="id_number")
        .with_columns(village_code=pl.col("hukou_region_code").str.slice(0, 12))
        .sort("received_on", "id_number", "channel")
    )
    if Ticket.objects.filter(receipt__startswith="C").exists():
        return 0
    villages = {
        r.code: r for r in Region.objects.filter(code__in=clues["village_code"].unique().to_list())
    }
    clues = clues.filter(pl.col("village_code").is_in(list(villages)))
    response = datetime.timedelta(days=mon_policy.days("ticket_response_days"))
    added = 0
    for start in range(0, clues.height, 20_000):
        part = clues.slice(start, 20_000)
        ids = part["id_number"].unique().to_list()
        homes = dict(
            Member.objects.filter(id_number__in=ids, active=True).values_list(
                "id_number", "household_id"
            )
        )
        rows = []
        for i, r in enumerate(part.iter_rows(named=True)):
            v = villages[r["village_code"]]
            path = v.path.strip("/").split("/")
            rows.append(
                Ticket(
                    receipt=f"C{start + i:012d}",
                    channel=r["channel"],
                    village=v,
                    region_path=v.path,
                    township_code=path[3] if len(path) > 3 else path[-1],
                    county_code=path[2] if len(path) > 2 else path[-1],
                    household_id=homes.get(r["id_number"]),
                    name=r["name"] or "",
                    id_number=r["id_number"],
                    event=r["event"],
                    event_date=r["received_on"],
                    received_on=r["received_on"],
                    due=r["received_on"] + response,
                )
            )
        added += len(Ticket.objects.bulk_create(rows, batch_size=5000))
    analyze([Ticket])
    return added


# A department push's dataset → the ticket's event (monitoring/catalogue.yaml ``events``).
_DATASET_EVENT = {
    "medical_bills": "illness",
    "disability_certificates": "disability",
    "disaster_reports": "disaster",
    "employment": "job_loss",
    "public_security": "death",
}
