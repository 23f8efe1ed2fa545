"""Housing and drinking water over the years.

Dangerous houses (grade C/D) are drawn in the first year with a probability that depends on whether
the household's income is near the line, so they concentrate among the poor as surveys found.
Centralised water reaches villages in the order of a per-village draw, so the share of villages
served follows the yearly coverage curve; within them, households get taps to the same curve.
A dispersed source's water quality fails for a fixed share of households (``quality_bad``),
until central supply reaches them.
Relocated households move into grade-A flats with tap water. Renovation of registered households'
dangerous houses is decided by the registry's assistance (registry.py); others rebuild slowly.
"""

from __future__ import annotations

import numpy as np

from lantu.simulator.params import Params
from lantu.simulator.people import Arrays, World


def init(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    pc: np.ndarray,
    quality: np.random.Generator | None = None,
) -> None:
    """``quality``: the stream of the water-quality draw (its own, so that adding it moved no
    other draw)."""
    H = w.H
    n_h = w.n_households
    share = p.get("housing.dangerous_share")
    near_line = pc < p.yearly("standards.income_line", year)
    danger = rng.random(n_h) < np.where(near_line, float(share["poor"]), float(share["other"]))
    H["grade"] = np.where(danger, rng.integers(2, 4, n_h), rng.integers(0, 2, n_h)).astype(np.int8)
    H["structure"] = np.minimum(H["grade"] + rng.integers(0, 2, n_h), 4).astype(np.int8)
    H["outage_base"] = np.clip(rng.lognormal(np.log(12), 0.8, n_h), 0, 200).astype(np.int16)
    H["u_water"] = rng.random(n_h).astype(np.float32)
    # A dispersed source's true quality (T/CHES 18-2018 水质), drawn once; a household split off
    # keeps its parent's source (lifecycle copies the draw).
    q = quality or np.random.default_rng(0)
    H["u_quality"] = q.random(n_h).astype(np.float32)
    # How the village's sensory test reads that source (tables.py): the same well reads the same
    # way every year, so a misreading is drawn once too.
    H["u_quality_read"] = q.random(n_h).astype(np.float32)
    w.extra["u_village_water"] = rng.random(w.villages.height)
    update(w, p, rng, year, np.zeros(n_h, dtype=bool))


def update(w: World, p: Params, rng: np.random.Generator, year: int, disaster: np.ndarray) -> None:
    H = w.H
    n_h = w.n_households
    central_share = p.yearly("water.centralised_share", year)
    piped_share = p.yearly("water.piped_share", year)
    central = w.extra["u_village_water"][H["village"]] < central_share
    moved = H["relocated"] > 0
    H["central"] = central | moved
    H["piped"] = (central & (H["u_water"] < piped_share / central_share)) | moved
    H["outage"] = np.where(H["central"], H["outage_base"] // 4, H["outage_base"]).astype(np.int16)
    H["quality_bad"] = ~H["central"] & (H["u_quality"] < p.f("water.dispersed_quality_fail_share"))
    rebuild = (H["grade"] >= 2) & (rng.random(n_h) < 0.04) & (H["renovated"] == 0)
    H["grade"][rebuild] = 1
    H["built"][rebuild] = year
    damaged = disaster & (rng.random(n_h) < 0.08) & ~moved
    H["grade"][damaged] = 2
    H["grade"][moved] = 0
    H["structure"][moved] = 0


def disasters(w: World, p: Params, rng: np.random.Generator) -> Arrays:
    hit_v = rng.random(w.villages.height) < float(p.get("shocks.disaster")["village_rate"])
    hit = hit_v[w.H["village"]] & (rng.random(w.n_households) < 0.6)
    kinds = rng.integers(0, 4, w.villages.height)  # flood, drought, landslide, hail
    return {"disaster": hit, "kind": kinds[w.H["village"]]}
