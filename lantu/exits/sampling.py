"""The assessment sample (评估抽样): a stratified two-stage cluster sample, drawn for many counties
at once over whole arrays (numpy), reproducible from a seed.

The frame is one row per household (``Frame``): its county, village, the village's stratum
(0 non-poor, 1 poor, 2 deep-poverty village), the household's stratum (``EXITED``, ``POOR``:
registered and still poor, ``OUTSIDE``: not in the registry) and its size. Households outside
the registry that the application has not listed are *roster positions* of the village's
household register (户籍): row ``k`` stands for the k-th household on that roster, which the
enumerator finds on site.

Stage 1, villages. The primary strata are county × village stratum. A county's
``villages_per_county`` are allocated over its strata in proportion to their households, at least
``min_villages_per_stratum`` each (when the stratum has that many). Within a stratum villages are
drawn with probability proportional to their number of households (PPS), systematically from a
random start over a random order; a village whose expected hits reach 1 is taken with certainty
(in up to three passes) and the rest drawn among the others. π_v = 1 or n'·M_v / M'.

Stage 2, households. In each drawn village ``households_per_village`` are split: a share
``registry_share`` inside the registry (exited and still poor, in proportion to their counts),
the rest outside; each part is a simple random sample without replacement (all of a part that
is smaller than its allocation). The weight is 1/π_v × N_vs / m_vs.

How: random keys, one ``lexsort`` by group and key, ranks within groups from group starts;
cumulative sizes per group for the systematic PPS; ``bincount`` for every per-group sum.
No Python loop runs over villages or households.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

if TYPE_CHECKING:
    from lantu.exits.estimation import Units

EXITED, POOR, OUTSIDE = 0, 1, 2
HH_STRATA = ("exited", "poor", "outside")
VILLAGE_STRATA = ("non_poor", "poor", "deep")
DESIGN_FILE = Path(__file__).with_name("design.yaml")


@dataclass(frozen=True)
class Design:
    villages_per_county: int = 29
    households_per_village: int = 54
    registry_share: float = 0.5
    min_villages_per_stratum: int = 2
    confidence: float = 0.95

    @classmethod
    def default(cls, **overrides: Any) -> Design:
        values = {k: v["value"] for k, v in _design_file().items()}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{f.name: values[f.name] for f in fields(cls)})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@cache
def _design_file() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DESIGN_FILE.read_text(encoding="utf-8"))
    return data


DEEP_FILE = Path(__file__).with_name("deep_poverty.yaml")


@cache
def deep_poverty() -> dict[str, Any]:
    """The deep-poverty counties (code → name and source) and the village rule."""
    data = yaml.safe_load(DEEP_FILE.read_text(encoding="utf-8"))
    c = data["counties"]
    counties = {r["code"]: {"name": r["name"], "source": c[r["source"]]} for r in c["list"]}
    return {"counties": counties,
            "registered_share_min": float(data["villages"]["registered_share_min"]["value"]),
            "ref": data["villages"]["registered_share_min"]["ref"]}  # fmt: skip


def deep_villages(poor: np.ndarray, registered: np.ndarray, roster: np.ndarray) -> np.ndarray:
    """Which villages are deep-poverty villages (bool per village): poor, with registered
    households at least ``registered_share_min`` of the register's households."""
    share = np.divide(registered, roster, out=np.zeros(len(roster)), where=roster > 0)
    return poor & (share >= deep_poverty()["registered_share_min"])


def references() -> dict[str, str]:
    """Each design value's source, for the dossier's provenance."""
    return {k: v["ref"] for k, v in _design_file().items()}


@dataclass
class Frame:
    """One row per household (or roster position) of the counties to assess."""

    county: np.ndarray  # int64 county code
    village: np.ndarray  # int64 village code
    village_stratum: np.ndarray  # int8: 0 non-poor, 1 poor, 2 deep
    stratum: np.ndarray  # int8: EXITED, POOR, OUTSIDE
    size: np.ndarray  # int people
    key: np.ndarray  # int64 household id (negative: a roster position)
    # What every draw from this frame recomputes otherwise (the village table, the digest): the
    # frame is not changed after it is built.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.key)

    def digest(self) -> str:
        if "digest" not in self.cache:
            self.cache["digest"] = self._digest()
        return str(self.cache["digest"])

    def _digest(self) -> str:
        h = hashlib.sha256()
        for a in (self.county, self.village, self.village_stratum, self.stratum, self.size,
                  self.key):  # fmt: skip
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()


@dataclass
class Sample:
    """The draw: sampled households (indices into the frame) and sampled villages."""

    rows: np.ndarray  # frame row of each sampled household
    weight: np.ndarray  # design weight of each sampled household
    cell_size: np.ndarray  # N_vs of its village and stratum (households in the frame)
    cell_drawn: np.ndarray  # m_vs
    psu: np.ndarray  # index into ``villages`` of each sampled household
    villages: dict[str, np.ndarray] = field(default_factory=dict)
    design: Design = field(default_factory=Design)
    seed: int = 0
    frame_digest: str = ""


def group_starts(sorted_groups: np.ndarray) -> np.ndarray:
    n = len(sorted_groups)
    if n == 0:
        return np.zeros(0, np.int64)
    return np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]


def ranks_within(groups: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, rank): ``order`` sorts by group then key; ``rank`` is each sorted row's place in
    its group (0, 1, …)."""
    order = np.lexsort((keys, groups))
    g = groups[order]
    starts = group_starts(g)
    lengths = np.diff(np.r_[starts, len(g)])
    rank = np.arange(len(g)) - np.repeat(starts, lengths)
    return order, rank


def _villages(frame: Frame) -> dict[str, np.ndarray]:
    if "villages" not in frame.cache:
        frame.cache["villages"] = _village_table(frame)
    return dict(frame.cache["villages"])


def _village_table(frame: Frame) -> dict[str, np.ndarray]:
    codes, first, inv = np.unique(frame.village, return_index=True, return_inverse=True)
    counts = np.zeros((len(codes), 3), np.int64)
    np.add.at(counts, (inv, frame.stratum.astype(np.int64)), 1)
    return {
        "village": codes,
        "county": frame.county[first],
        "vstratum": frame.village_stratum[first].astype(np.int64),
        "households": counts.sum(axis=1),
        "n_exited": counts[:, EXITED],
        "n_poor": counts[:, POOR],
        "n_outside": counts[:, OUTSIDE],
        "inverse": inv,
    }


def _allocate_villages(v: dict[str, np.ndarray], design: Design) -> tuple[np.ndarray, np.ndarray]:
    """(stratum id per village, villages to draw per stratum id)."""
    county_ids, county_of = np.unique(v["county"], return_inverse=True)
    strat = county_of * 3 + v["vstratum"]
    n_strata = len(county_ids) * 3
    m_h = np.bincount(strat, weights=v["households"], minlength=n_strata)
    v_h = np.bincount(strat, minlength=n_strata)
    m_c = np.bincount(county_of, weights=v["households"], minlength=len(county_ids))
    share = np.divide(m_h, np.repeat(m_c, 3), out=np.zeros(n_strata), where=np.repeat(m_c, 3) > 0)
    n_h = np.rint(design.villages_per_county * share).astype(np.int64)
    n_h = np.maximum(n_h, np.minimum(design.min_villages_per_stratum, v_h))
    return strat, np.minimum(n_h, v_h)


def _pps(v: dict[str, np.ndarray], strat: np.ndarray, n_h: np.ndarray,
         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(selected, π) per village: certainty villages, then systematic PPS among the rest."""
    size = v["households"].astype(np.float64)
    certain = np.zeros(len(size), bool)
    for _ in range(4):
        left = n_h - np.bincount(strat, weights=certain, minlength=len(n_h)).astype(np.int64)
        total = np.bincount(strat, weights=np.where(certain, 0.0, size), minlength=len(n_h))
        expect = np.where(total[strat] > 0, left[strat] * size / np.maximum(total[strat], 1), 0)
        new = ~certain & (expect >= 1) & (left[strat] > 0)
        if not new.any():
            break
        certain |= new  # the last pass only adds what the next draw would take anyway
    pi = np.where(certain, 1.0, np.minimum(expect, 1.0))
    # Systematic PPS over a random order within each stratum.
    order, _rank = ranks_within(strat, rng.random(len(size)))
    s = strat[order]
    m = np.where(certain[order], 0.0, size[order])
    cum = np.cumsum(m)
    starts = group_starts(s)
    offset = np.repeat(cum[starts] - m[starts], np.diff(np.r_[starts, len(s)]))
    c = cum - offset
    k = np.where(left > 0, total / np.maximum(left, 1), np.inf)
    u = rng.random(len(n_h)) * np.where(np.isfinite(k), k, 0)
    ks, us = k[s], u[s]
    hits = np.floor((c - us) / ks) - np.floor((c - m - us) / ks)
    picked = np.zeros(len(size), bool)
    picked[order] = (hits > 0) & np.isfinite(ks)
    return picked | certain, pi


def _allocate_households(v: dict[str, np.ndarray], design: Design) -> np.ndarray:
    """Households to draw per village and household stratum (columns EXITED, POOR, OUTSIDE)."""
    m = design.households_per_village
    inside = np.rint(m * design.registry_share)
    reg = v["n_exited"] + v["n_poor"]
    ex = np.rint(np.divide(inside * v["n_exited"], reg, out=np.zeros(len(reg)), where=reg > 0))
    alloc = np.stack([ex, np.where(reg > 0, inside - ex, 0), np.full(len(reg), m - inside)], 1)
    have = np.stack([v["n_exited"], v["n_poor"], v["n_outside"]], 1)
    return np.minimum(alloc, have).astype(np.int64)


def draw(frame: Frame, design: Design | None = None, *, seed: int) -> Sample:
    """Draw the sample for every county in the frame (see the module docstring)."""
    design = design or Design.default()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 15]))
    v = _villages(frame)
    strat, n_h = _allocate_villages(v, design)
    picked, pi = _pps(v, strat, n_h, rng)
    alloc = _allocate_households(v, design)
    inv = v["inverse"]
    # Stage 2 among the drawn villages' households only (a quarter of the frame or less).
    inside = np.flatnonzero(picked[inv])
    cell_in = inv[inside] * 3 + frame.stratum[inside].astype(np.int64)
    order, rank = ranks_within(cell_in, rng.random(len(inside)))
    take_sorted = rank < alloc.reshape(-1)[cell_in[order]]
    rows = inside[np.sort(order[take_sorted])]
    cell = inv[rows] * 3 + frame.stratum[rows].astype(np.int64)
    have = np.stack([v["n_exited"], v["n_poor"], v["n_outside"]], 1).reshape(-1)
    n_cell, m_cell = have[cell], alloc.reshape(-1)[cell]
    chosen = np.flatnonzero(picked)
    psu_index = np.full(len(picked), -1)
    psu_index[chosen] = np.arange(len(chosen))
    villages = {k: a[chosen] for k, a in v.items() if k != "inverse"}
    villages |= {"pi": pi[chosen], "stratum": strat[chosen], "drawn": alloc[chosen].sum(axis=1)}
    return Sample(
        rows=rows,
        weight=n_cell / m_cell / pi[inv[rows]],
        cell_size=n_cell,
        cell_drawn=m_cell,
        psu=psu_index[inv[rows]],
        villages=villages,
        design=design,
        seed=seed,
        frame_digest=frame.digest(),
    )


def units(sample: Sample, frame: Frame) -> tuple[Units, np.ndarray]:
    """The sample as the estimator reads it, and the county codes its county indices stand for."""
    from lantu.exits.estimation import Units

    counties, county_idx = np.unique(frame.county[sample.rows], return_inverse=True)
    _h, psu_stratum = np.unique(sample.villages["stratum"], return_inverse=True)
    stratum = frame.stratum[sample.rows].astype(np.int64)
    u = Units(
        county=county_idx,
        psu=sample.psu,
        psu_stratum=psu_stratum,
        cell=sample.psu * 3 + stratum,
        stratum=stratum,
        size=frame.size[sample.rows],
        weight=sample.weight,
        n_counties=len(counties),
        pi=sample.villages["pi"],
        cell_size=sample.cell_size,
    )
    return u, counties
