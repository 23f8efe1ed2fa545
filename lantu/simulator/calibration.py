"""The calibration check: each seed figure of DOMAIN.md section 10 that a registry can show, beside
the same figure computed from a simulation's ``observed/`` folder.

Independent of the generator: this module reads only ``observed/`` (the registry tables, the
assistance tables, the regions and the run's manifest) and never imports the simulator's code or
parameters. People- and household-based figures are scaled to the full province by
``full_rural_people / people`` from the manifest; village-based ones by the share of the
province's villages in the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

WORKING_AWAY = ["township", "county", "province", "outside"]
TOLERANCE = 0.05


@dataclass(frozen=True)
class Figure:
    key: str
    zh: str
    en: str
    seed: float
    scale: str  # "people" or "villages" or "share"


FIGURES = (
    Figure(
        "relocated_people",
        "易地搬迁建档立卡贫困人口",
        "relocated registered poor people",
        996_000,
        "people",
    ),
    Figure(
        "industry_households",
        "产业帮扶覆盖建档立卡户",
        "registered households with industry support",
        1_685_300,
        "people",
    ),
    Figure(
        "migrants_2015",
        "建档立卡劳动力外出务工（2015）",
        "registered poor labourers working away, 2015",
        611_000,
        "people",
    ),
    Figure(
        "migrants_2020",
        "建档立卡劳动力外出务工（2020）",
        "registered poor labourers working away, 2020",
        3_181_900,
        "people",
    ),
    Figure(
        "welfare_jobs",
        "公益性岗位安置贫困劳动力",
        "poor labourers in public-welfare jobs",
        443_100,
        "people",
    ),
    Figure(
        "renovated_houses",
        "危房改造建档立卡户",
        "registered households whose dangerous houses were renovated",
        986_600,
        "people",
    ),
    Figure("water_centralised", "农村集中供水率", "rural centralised water supply", 0.96, "share"),
    Figure("water_tap", "自来水普及率", "tap water coverage", 0.94, "share"),
    Figure("poor_villages", "贫困村", "poor villages", 8_502, "villages"),
    Figure("first_secretaries", "第一书记", "first secretaries", 48_500, "villages"),
    Figure("work_team_members", "驻村工作队员", "work-team members", 216_100, "villages"),
    Figure("paired_cadres", "结对帮扶干部", "cadres paired with households", 750_000, "people"),
    Figure(
        "provincial_units", "省级和驻滇帮扶单位", "provincial and stationed units", 293, "villages"
    ),
    Figure("local_units", "州市县帮扶单位", "prefecture and county units", 15_000, "people"),
)


def measure(folder: Path) -> dict[str, float]:
    """Each figure as computed from ``observed/`` (before scaling)."""
    obs = Path(folder) / "observed"
    reg = obs / "registry"
    h = pl.read_parquet(reg / "households.parquet")
    m = pl.read_parquet(reg / "members.parquet")
    y = pl.read_parquet(reg / "years.parquet")
    measures = pl.read_parquet(obs / "assistance" / "measures.parquet")
    teams = pl.read_parquet(obs / "assistance" / "work_teams.parquet").filter(
        pl.col("start_year") <= 2020
    )
    status = pl.read_parquet(obs / "poverty_status.parquet")
    relocated = h.filter("relocated")["household_no"].implode()
    lived = pl.col("left_reason").is_null() | (pl.col("left_reason") == "death")
    dangerous = (
        y.filter(pl.col("housing_grade").is_in(["C", "D"]))
        .group_by("household_no")
        .agg(pl.col("year").min().alias("first_bad"))
    )
    renovated = y.join(dangerous, on="household_no").filter(
        (pl.col("year") > pl.col("first_bad"))
        & pl.col("housing_grade").is_in(["A", "B"])
        & ~pl.col("relocation_keys")
    )
    y2020 = y.filter(pl.col("year") == 2020)
    return {
        "relocated_people": m.filter(pl.col("household_no").is_in(relocated) & lived).height,
        "industry_households": measures.filter(
            (pl.col("measure") == "industry") & (pl.col("year") <= 2020)
        )["household_no"].n_unique(),
        "migrants_2015": _working(reg, 2015, WORKING_AWAY),
        "migrants_2020": _working(reg, 2020, WORKING_AWAY),
        "welfare_jobs": _working(reg, 2020, ["welfare_job"]),
        "renovated_houses": renovated["household_no"].n_unique(),
        "water_centralised": _share(y2020, pl.col("water_source") == "piped"),
        "water_tap": _share(y2020, pl.col("water_piped")),
        "poor_villages": status.filter(
            (pl.col("level") == "village") & (pl.col("year") == 2014) & pl.col("is_poor")
        ).height,
        "first_secretaries": teams.filter(pl.col("role") == "first_secretary").height,
        "work_team_members": teams.height,
        **_assistance_people(obs / "assistance"),
    }


def _assistance_people(d: Path) -> dict[str, float]:
    """Paired cadres and units, from the importers' files (zero for an older simulation)."""
    if not (d / "pairings.parquet").exists():
        return {"paired_cadres": 0, "provincial_units": 0, "local_units": 0}
    units = pl.read_parquet(d / "units.parquet")
    provincial = units.filter(pl.col("unit_level").is_in(["central", "province"])).height
    return {
        "paired_cadres": pl.read_parquet(d / "pairings.parquet")["cadre_no"].n_unique(),
        "provincial_units": provincial,
        "local_units": units.height - provincial,
    }


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    value = frame.select(condition.cast(pl.Float64).mean()).item()
    return float(value) if value is not None else 0.0


def registered_people(folder: Path) -> int:
    """People ever in the registry as poor (households not removed, monitoring-only excluded;
    members who split off are counted once, in their new household)."""
    reg = Path(folder) / "observed" / "registry"
    h = pl.read_parquet(reg / "households.parquet").filter(
        ~pl.col("status").is_in(["removed"]) & pl.col("registration_year").le(2020)
    )
    m = pl.read_parquet(reg / "members.parquet").filter(
        pl.col("left_reason").fill_null("") != "split"  # a mover is counted in the new household
    )
    return m.filter(pl.col("household_no").is_in(h["household_no"].implode())).height


def _working(reg: Path, year: int, kinds: list[str]) -> int:
    path = reg / "member_years" / f"{year}.parquet"
    if not path.exists():
        return 0
    return pl.read_parquet(path).filter(pl.col("work").is_in(kinds)).height


def check(folder: Path) -> pl.DataFrame:
    """One row per figure: seed value, simulated value scaled to the province, ratio, within 5%."""
    obs = Path(folder) / "observed"
    manifest = json.loads((obs / "manifest.json").read_text())
    villages = pl.read_parquet(obs / "regions.parquet").filter(pl.col("level") == "village").height
    factor = {
        "people": manifest["full_rural_people"] / manifest["people"],
        "villages": manifest["full_villages"] / max(villages, 1),
        "share": 1.0,
    }
    raw = measure(folder)
    rows = []
    for f in FIGURES:
        scaled = raw[f.key] * factor[f.scale]
        ratio = scaled / f.seed
        rows.append(
            {
                "figure": f"{f.zh} / {f.en}",
                "seed": f.seed,
                "simulated": scaled,
                "raw": float(raw[f.key]),
                "ratio": ratio,
                "within_5pct": abs(ratio - 1) <= TOLERANCE,
            }
        )
    return pl.DataFrame(rows)


def render(table: pl.DataFrame) -> str:
    lines = [f"{'figure':<70} {'seed':>12} {'simulated':>12} {'ratio':>7}  ok"]
    for r in table.iter_rows(named=True):
        fmt = "{:>12.3f}" if r["seed"] < 1 else "{:>12,.0f}"
        lines.append(
            f"{r['figure'][:70]:<70} {fmt.format(r['seed'])} {fmt.format(r['simulated'])} "
            f"{r['ratio']:>7.3f}  {'✓' if r['within_5pct'] else '✗'}"
        )
    return "\n".join(lines)
