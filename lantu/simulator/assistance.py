"""The simulator's assistance people: units, cadres, work-team members, cadre↔household pairings,
yearly plans with measures, and visits, written after the registry (they depend on each
household's final status) as ``observed/assistance/{units,cadres,teams,pairings,plans,
visits}.parquet`` in the importers' shapes (``lantu.assistance.columns``), with planted gaps in
``truth/assistance_gaps.parquet``.

Calibration (``assistance_params.yaml``): units and paired cadres are the seed's province figures
scaled by the run's share of the rural population; the work teams are the simulator's existing
``work_teams.parquet`` (first secretaries and members, rotations and replacements) given cadre
numbers. Households are paired with the cadres of their county in balanced blocks (no cadre above
the lowest ceiling), so that the only gaps are the planted ones: households that need a cadre and
have none, current plans whose measures miss the main cause, and last visits that are overdue.
Measures answer each cause of the plan's year from the catalogue (``lantu/assistance/
catalogue.yaml``), with a safety-net measure for households without labour and a development one
for the others; everything column-wise, no loop over households.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np
import polars as pl

from lantu.engine.synthetic import id_numbers
from lantu.simulator import assistance_plans, identity
from lantu.simulator.params import Params, stream

PARAMS = Path(__file__).resolve().parent / "assistance_params.yaml"
NEEDS_CADRE = ("poor", "returned", "monitored", "exited")
ASSISTED = ("poor", "returned", "monitored")
PAIRED = (*NEEDS_CADRE, "risk_eliminated")


def write(out: Path, seed: int) -> None:
    obs, truth = Path(out) / "observed", Path(out) / "truth"
    p = Params.load(PARAMS)
    rng = stream(seed, "assistance-people")
    manifest = json.loads((obs / "manifest.json").read_text())
    last = int(manifest["years"][1])
    as_of = datetime.date(last, 12, 31)
    scale = manifest["people"] / manifest["full_rural_people"]
    reg = obs / "registry"
    h = pl.read_parquet(reg / "households.parquet")
    regions = pl.read_parquet(obs / "regions.parquet")
    units = _units(p, rng, regions, scale)
    pair_h = h.filter(pl.col("status").is_in(PAIRED))
    no_cadre = pair_h.filter(pl.col("status").is_in(NEEDS_CADRE)).sample(
        fraction=p.f("gaps.no_cadre"), seed=int(rng.integers(2**31))
    )["household_no"]
    cadres, pairings = _pairings(
        p,
        rng,
        pair_h.filter(~pl.col("household_no").is_in(no_cadre.implode())),
        units,
        scale,
        as_of,
    )
    team_cadres, teams = _teams(rng, obs, units, as_of)
    d = obs / "assistance"
    d.mkdir(parents=True, exist_ok=True)
    # the plans draw from a stream of their own: how they are split into blocks must not move
    # the visits' draws
    plan_rng = stream(seed, "assistance-plans")
    missed = assistance_plans.write(
        d / "plans.parquet", p, plan_rng, h, reg, obs, pairings, last, as_of
    )
    visits, overdue = _visits(p, rng, h, pairings, as_of)
    units.write_parquet(d / "units.parquet")
    pl.concat([cadres, team_cadres]).write_parquet(d / "cadres.parquet")
    teams.write_parquet(d / "teams.parquet")
    pairings.write_parquet(d / "pairings.parquet")
    visits.write_parquet(d / "visits.parquet")
    schema = {"household_no": pl.String, "gap": pl.String}
    gaps = pl.concat(
        [
            pl.DataFrame({"household_no": nos.to_list(), "gap": [gap] * len(nos)}, schema=schema)
            for nos, gap in (
                (no_cadre, "no_cadre"),
                (missed, "cause_missed"),
                (overdue, "visit_overdue"),
            )
        ]
    ).with_columns(pl.lit(last).alias("year"))
    gaps.sort("gap", "household_no").write_parquet(truth / "assistance_gaps.parquet")


def _units(
    p: Params, rng: np.random.Generator, regions: pl.DataFrame, scale: float
) -> pl.DataFrame:
    """Provincial units pair with counties (定点帮扶), local units with villages (挂钩帮扶)."""
    counties = regions.filter(pl.col("level") == "county")["code"]
    villages = regions.filter(pl.col("level") == "village")["code"]
    n_prov = max(
        1, round(p.f("units.provincial") * len(villages) / 14_678)
    )  # the province's villages
    n_local = max(1, round(p.f("units.local") * scale))
    n = n_prov + n_local
    level = np.where(
        np.arange(n) < n_prov, "province", np.where(rng.random(n) < 0.3, "prefecture", "county")
    )
    target = np.where(
        level == "province",
        counties.gather(rng.integers(0, len(counties), n)),
        villages.gather(rng.integers(0, len(villages), n)),
    )
    return pl.DataFrame(
        {
            "unit_code": [f"DW{i:06d}" for i in range(n)],
            "unit_name": [
                f"{'省直' if lv == 'province' else '州县'}帮扶单位{i:05d}"
                for i, lv in enumerate(level)
            ],
            "unit_level": level,
            "region_code": target,
            "kind": np.where(level == "province", "designated", "linked"),
            "start_date": datetime.date(2015, 1, 1),
            "end_date": None,
        },
        schema_overrides={"end_date": pl.Date},
    )


def _people(rng: np.random.Generator, n: int, region6: np.ndarray, offset: int) -> pl.DataFrame:
    """Names, valid and distinct ID numbers and phones for ``n`` cadres (paired cadres take the
    sequence numbers 0–249 of a region, birth date and sex; team members, offset > 0, 250–499)."""
    sex = np.where(rng.random(n) < 0.7, "1", "2")
    birth = np.datetime64("1965-01-01") + rng.integers(0, 365 * 30, n).astype("timedelta64[D]")
    key = pl.DataFrame({"r": region6, "b": birth.astype(str), "s": sex})
    seq = key.select(pl.int_range(pl.len()).over("r", "b", "s"))["literal"].to_numpy() % 250
    seq = seq + (250 if offset else 0)
    ids = id_numbers(region6, birth, seq, sex)
    name = identity.names(rng, identity.draw_surnames(rng, n), np.where(sex == "1", 1, 2))
    return pl.DataFrame(
        {
            "name": name,
            "id_number": ids,
            "phone": [f"139{(offset + i) % 10**8:08d}" for i in range(n)],
        }
    )


def _pairings(
    p: Params,
    rng: np.random.Generator,
    hh: pl.DataFrame,
    units: pl.DataFrame,
    scale: float,
    as_of: datetime.date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cadres for each county in proportion to its households; households in village order dealt
    to them in balanced blocks (loads differ by at most one)."""
    most = int(p.get("cadres.most_households"))
    hh = hh.with_columns(pl.col("region_code").str.slice(0, 6).alias("county")).sort(
        "region_code", "household_no"
    )
    per_county = hh.group_by("county", maintain_order=True).agg(
        pl.len().alias("n"), pl.col("region_code").first()
    )
    share = per_county["n"] / max(hh.height, 1)
    total = max(round(p.f("cadres.paired") * scale), -(-hh.height // most))
    n_c = np.maximum(
        np.ceil(per_county["n"].to_numpy() / most), np.round(share.to_numpy() * total)
    ).astype(int)
    n_c = np.minimum(n_c, per_county["n"].to_numpy())
    county_of = np.repeat(per_county["county"].to_numpy(), n_c)
    n = int(n_c.sum())
    levels = p.get("cadres.levels")
    level = rng.choice(
        list(levels), size=n, p=np.array(list(levels.values())) / sum(levels.values())
    )
    people = _people(rng, n, county_of, 0)
    # household k of a county (of m households and c cadres) goes to cadre floor(k * c / m)
    hh = hh.with_columns(
        pl.int_range(pl.len()).over("county").alias("k"), pl.len().over("county").alias("m")
    )
    first = np.concatenate([[0], np.cumsum(n_c)[:-1]])
    start_of = dict(zip(per_county["county"].to_list(), first.tolist(), strict=True))
    count_of = dict(zip(per_county["county"].to_list(), n_c.tolist(), strict=True))
    hh = hh.with_columns(
        (
            pl.col("county").replace_strict(start_of, return_dtype=pl.Int64)
            + pl.col("k")
            * pl.col("county").replace_strict(count_of, return_dtype=pl.Int64)
            // pl.col("m")
        ).alias("cadre")
    )
    served = hh.group_by("cadre").agg(pl.col("region_code").first()).sort("cadre")
    local = units.filter(pl.col("unit_level") != "province")["unit_code"]
    cadres = pl.DataFrame(
        {
            "cadre_no": [f"GB{i:07d}" for i in range(n)],
            "name": people["name"],
            "id_number": people["id_number"],
            "unit_code": local.gather(rng.integers(0, len(local), n)),
            "post": "帮扶责任人",
            "level": level,
            "phone": people["phone"],
            "region_code": served["region_code"],
            "active": True,
        }
    )
    start = (
        pl.col("registration_year").fill_null(as_of.year).clip(2015, as_of.year).cast(pl.String)
        + "-03-01"
    ).str.to_date()
    pairings = hh.select(
        "household_no",
        pl.format("GB{}", pl.col("cadre").cast(pl.String).str.zfill(7)).alias("cadre_no"),
        start.alias("start_date"),
        pl.lit(None, pl.Date).alias("end_date"),
    )
    return cadres, pairings


def _teams(
    rng: np.random.Generator, obs: Path, units: pl.DataFrame, as_of: datetime.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The existing work teams in the importer's shape; each member a cadre of their own."""
    wt = pl.read_parquet(obs / "assistance" / "work_teams.parquet")
    rot = sorted(set(wt.filter(pl.col("role") == "member")["start_year"].to_list())) or [2015]
    replacement = ~pl.col("start_year").is_in(rot)
    wt = wt.with_columns(
        pl.when(replacement)
        .then(pl.col("start_year") - 1)
        .otherwise(pl.col("start_year"))
        .alias("term"),
        replacement.alias("replacement"),
    )
    n = wt.height
    people = _people(rng, n, wt["village_code"].str.slice(0, 6).to_numpy(), 5 * 10**7)
    term_start = (pl.col("term").cast(pl.String) + "-05-01").str.to_date()
    term_end = ((pl.col("term") + 2).cast(pl.String) + "-04-30").str.to_date()
    joined = (
        pl.when(pl.col("replacement"))
        .then((pl.col("start_year").cast(pl.String) + "-05-01").str.to_date())
        .otherwise(term_start)
    )
    # the first secretary a replacement took over from left the day before
    replaced = (
        wt.filter("replacement")
        .select("village_code", "term")
        .unique()
        .with_columns(pl.lit(True).alias("was_replaced"))
    )
    wt = wt.join(replaced, on=["village_code", "term"], how="left", maintain_order="left")
    wt = wt.with_columns(pl.col("was_replaced").fill_null(False))
    leaves_early = (
        (pl.col("role") == "first_secretary") & ~pl.col("replacement") & pl.col("was_replaced")
    )
    end = (
        pl.when(leaves_early)
        .then(((pl.col("term") + 1).cast(pl.String) + "-04-30").str.to_date())
        .otherwise(term_end)
    )
    end = pl.when(end <= pl.lit(as_of)).then(end)
    reason = (
        pl.when(leaves_early)
        .then(pl.lit("replacement"))
        .when(end.is_not_null())
        .then(pl.lit("rotation"))
    )
    local = units["unit_code"]
    teams = wt.select(
        pl.col("village_code"),
        term_start.alias("term_start"),
        term_end.alias("term_end"),
        pl.format("WT{}", pl.col("cadre_no").cast(pl.String).str.zfill(7)).alias("cadre_no"),
        "role",
        joined.alias("start_date"),
        end.alias("end_date"),
        reason.alias("end_reason"),
    )
    cadres = pl.DataFrame(
        {
            "cadre_no": teams["cadre_no"],
            "name": people["name"],
            "id_number": people["id_number"],
            "unit_code": local.gather(rng.integers(0, len(local), n)),
            "post": pl.Series(wt["role"]).replace_strict(
                {"first_secretary": "第一书记", "member": "驻村队员"}
            ),
            "level": np.where(rng.random(n) < 0.3, "province", "county"),
            "phone": people["phone"],
            "region_code": wt["village_code"],
            "active": True,
        }
    )
    return cadres, teams


def _visits(
    p: Params,
    rng: np.random.Generator,
    h: pl.DataFrame,
    pairings: pl.DataFrame,
    as_of: datetime.date,
) -> tuple[pl.DataFrame, pl.Series]:
    """The last two visits of each paired household; a share of the last ones overdue."""
    interval = p.get("visits.interval_days")
    v = (
        pairings.join(h.select("household_no", "status"), on="household_no")
        .filter(pl.col("status").is_in(NEEDS_CADRE))
        .sort("household_no")  # random draws follow row order: fix it
    )
    days = v["status"].replace_strict(interval, return_dtype=pl.Int64).to_numpy()
    late = rng.random(v.height) < p.f("gaps.overdue")
    ago = np.where(
        late, days + rng.integers(1, 120, v.height), rng.integers(0, np.maximum(days, 1))
    )
    last = np.datetime64(as_of) - ago.astype("timedelta64[D]")
    before = last - (days // 2 + 1).astype("timedelta64[D]")
    base = v.select("household_no", "cadre_no")
    visits = pl.concat(
        [base.with_columns(pl.Series("date", last)), base.with_columns(pl.Series("date", before))]
    ).with_columns(
        pl.lit("home").alias("kind"), pl.lit("入户走访，了解收入与三保障情况").alias("notes")
    )
    return visits.sort("household_no", "date"), v.filter(pl.Series(late))["household_no"]
