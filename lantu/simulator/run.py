"""The simulation loop: build the map and the people, then for each year run life, the economy,
the true status, the registry's process and assistance, and write that year's truth and observed
rows; at the end give everyone a name and an ID number and write the tables that need them.

Output layout under ``out``: ``truth/`` (never loaded into the application) and ``observed/``
(what the application loads). Files are written with fixed row order, so one seed gives
byte-identical files.
"""

from __future__ import annotations

import gc
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from tqdm import tqdm

from lantu.simulator import (
    assistance,
    departments,
    economy,
    final,
    geography,
    identity,
    kinship,
    lifecycle,
    living,
    registers,
    registry,
    shocks,
    tables,
)
from lantu.simulator import people as population
from lantu.simulator import projects as sim_projects
from lantu.simulator import supervision as sim_supervision
from lantu.simulator.params import Params, stream

PRESETS = ("county", "prefecture", "yunnan")


@dataclass
class Buffers:
    """Per-year facts kept for the end, when names and ID numbers exist."""

    sink: departments.Sink
    incidence: list[pl.DataFrame] = field(default_factory=list)


def simulate(
    preset: str,
    out: Path,
    seed: int = 1,
    people: int | None = None,
    years: tuple[int, int] = (2014, 2025),
    progress: bool = True,
) -> Path:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")
    p = Params.load()
    n_people = int(people or p.get(f"presets.{preset}")["people"])
    out = Path(out)
    for sub in ("truth", "observed"):
        shutil.rmtree(out / sub, ignore_errors=True)
        (out / sub).mkdir(parents=True)
    geo = geography.restrict(geography.build(p, seed), p, preset)
    w = population.build(p, geo, n_people, years[0], seed)
    registry.init(w)
    county6 = geo.villages["county"].str.slice(0, 6).cast(pl.Int32).to_numpy()
    exit_by_county = dict(zip(geo.counties["code"], geo.counties["exit_year"], strict=True))
    county_exit = geo.villages["county"].replace_strict(exit_by_county).to_numpy()
    # Written first: the projects and assistance modules read it (the run's scale).
    manifest = {
        "preset": preset,
        "people": n_people,
        "seed": seed,
        "years": list(years),
        "full_rural_people": int(p.get("scale.full_rural_people")),
        "full_villages": int(p.get("scale.villages")),
    }
    (out / "observed" / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    buf = Buffers(sink=departments.Sink(w, p, out, seed))
    span = range(years[0], years[1] + 1)
    bar = tqdm(span, desc=f"simulate {preset}", unit="year", disable=not progress)
    try:
        for year in bar:
            _year(w, p, seed, year, years[0], county6, county_exit, buf, out)
        final.write_final(w, p, geo, buf, out, seed, years)
        sim_projects.write(out, seed)
        kinship.write_all(w, p, out, seed)
    finally:
        tables.flush()
    # The modules below read the written files back: free the world first (at 10M people the
    # process held ~20 GB here and the assistance module's reads were killed for memory).
    del w, buf, geo
    gc.collect()
    assistance.write(out, seed)  # units, cadres, pairings, plans, visits (reads the files above)
    shocks.write(out, seed, years)  # dated shocks and monitoring clues, 2021+ (shocks.yaml)
    registers.write(out)
    sim_supervision.write(out, seed)  # faults for reconciliation to find (supervision.yaml)
    return out


def _year(
    w: population.World,
    p: Params,
    seed: int,
    year: int,
    first: int,
    county6: np.ndarray,
    county_exit: np.ndarray,
    buf: Buffers,
    out: Path,
) -> None:
    rng = stream(seed, f"year-{year}")
    ev: dict[str, np.ndarray] = {}
    if year > first:
        ev.update(lifecycle.demography(w, p, rng, year, county6))
        registry.inherit_splits(w)
        ev.update(lifecycle.health(w, p, rng, year))
    identity.assign(w, p, seed)
    registry.assist(w, rng, year)
    dis = living.disasters(w, p, rng)
    ev["disaster"] = dis["disaster"]
    poor_hh = np.isin(w.H["reg"], (registry.POOR, registry.RETURNED)) | (w.H["grade"] >= 2)
    school = lifecycle.schooling(w, p, rng, year, poor_hh)
    lab = lifecycle.labour(w, year, school)
    public = economy.public_employment(w, p, seed, year)
    wk = economy.work(w, p, rng, year, lab, public)
    ev["job_loss"] = wk["job_loss"]
    med = economy.medical(w, p, rng, year)
    inc = economy.incomes(w, p, rng, year, wk, dis["disaster"], public)
    inc["hh_oop"] = med["hh_oop"]
    shocks = ("death", "illness", "disability", "disaster", "job_loss")
    inc["shock"] = np.logical_or.reduce([ev[k] for k in shocks if k in ev] + [ev["disaster"]])
    if year == first:
        living.init(w, p, rng, year, inc["pc"], stream(seed, "water-quality"))
    else:
        living.update(w, p, rng, year, dis["disaster"])
    head = lifecycle.heads(w)
    w.extra["head_age"] = np.where(head >= 0, lifecycle.ages(w, year)[np.maximum(head, 0)], 0)
    g = economy.guarantees(w, p, year, school)
    prev = np.full(w.n_households, np.nan)
    last = w.extra.get("last_pc", prev[:0])
    prev[: len(last)] = last
    truth = economy.true_status(p, year, inc, g, med["hh_oop"], w.H["ever"], prev)
    w.extra["last_pc"] = np.where(inc["size"] > 0, inc["pc"], np.nan)
    obs = registry.observe(w, p, rng, inc, g)
    if year == first:
        registry.identify(w, p, rng, year, inc, obs, truth, county_exit)
    else:
        registry.update(w, p, rng, year, inc, obs, truth, county_exit)
    tables.write_year(w, p, rng, year, ev, inc, g, truth, school, lab, med, dis, buf, out)
