"""The base population of the first year: households placed in villages, their members with
relations, ages, sex, ethnicity, education, health and disability, and the household's land,
skill, housing and water.

How it works: household sizes are drawn from the size shares until the people count is reached;
each household gets ``size`` member rows and a member's relation follows from its slot (head,
spouse, parents, then children, or for older heads an adult child, a child-in-law and
grandchildren). Ages are set relative to the head's. Everything is arrays over all members at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from lantu.registry import codes
from lantu.simulator.geography import Geography
from lantu.simulator.params import Params, stream

REL = {c.code: i for i, c in enumerate(codes.RELATION)}
HEAD, SPOUSE, CHILD, CHILD_IN_LAW = REL["head"], REL["spouse"], REL["child"], REL["child_in_law"]
GRANDCHILD, PARENT = REL["grandchild"], REL["parent"]
EPOCH_YEAR = 1970
Arrays = dict[str, np.ndarray]


@dataclass
class World:
    """The simulated population: person arrays ``P`` and household arrays ``H`` (index = id)."""

    P: Arrays
    H: Arrays
    villages: pl.DataFrame
    extra: Arrays = field(default_factory=dict)
    series: dict[str, pl.Series] = field(default_factory=dict)  # names and ID numbers per person

    @property
    def n_people(self) -> int:
        return len(self.P["hh"])

    @property
    def n_households(self) -> int:
        return len(self.H["village"])


def append(arrays: Arrays, new: Arrays) -> None:
    for key, values in arrays.items():
        arrays[key] = np.concatenate([values, new[key].astype(values.dtype)])


def days_of(year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random day in each given year, as days since 1970-01-01."""
    since = (np.asarray(year, dtype=np.int64) - EPOCH_YEAR).astype("datetime64[Y]")
    first = since.astype("datetime64[D]").astype(np.int64)
    return (first + rng.integers(0, 365, len(first))).astype(np.int32)


def _sizes(p: Params, rng: np.random.Generator, people: int) -> np.ndarray:
    shares = np.array(p.get("households.size_shares"), dtype=float)
    mean = float((shares * np.arange(1, len(shares) + 1)).sum())
    sizes = rng.choice(
        np.arange(1, len(shares) + 1), size=int(people / mean * 1.05) + 10, p=shares / shares.sum()
    )
    cut = int(np.searchsorted(np.cumsum(sizes), people))
    sizes = sizes[: cut + 1]
    sizes[-1] -= int(sizes.sum()) - people
    return sizes[sizes > 0]


def _ethnic_table(p: Params, geo: Geography) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per village: probability of a minority head and the minority group weights (named groups
    of the county's or prefecture's official name are boosted)."""
    groups = p.get("households.minority_groups")
    group_codes = np.array([int(g) for g in groups])
    base = np.array([float(w) for w in groups.values()])
    labels = {c.code: c.zh.removesuffix("族") for c in codes.ETHNICITY}
    names = dict(zip(geo.regions["code"].to_list(), geo.regions["name"].to_list(), strict=True))
    share = p.get("households.minority_share")
    v_county = geo.villages["county"].to_numpy()
    v_pref = geo.villages["prefecture"].to_numpy()
    minority = np.full(len(v_county), float(share["province"]))
    weights = np.tile(base, (len(v_county), 1))
    for level, codes_ in (("named_prefecture", v_pref), ("named_county", v_county)):
        for code in np.unique(codes_):
            named = [i for i, g in enumerate(groups) if labels[g] in names.get(code, "")]
            if named:
                rows = codes_ == code
                minority[rows] = max(float(share[level]), 0.0)
                weights[np.ix_(rows, named)] *= 12.0
    return minority, weights / weights.sum(axis=1, keepdims=True), group_codes


def build(p: Params, geo: Geography, people: int, year: int, seed: int) -> World:
    rng = stream(seed, "people")
    vil = geo.villages
    w = vil["weight"].to_numpy()
    sizes = _sizes(p, rng, people)
    n_h = len(sizes)
    # Households to villages in proportion to weight, sorted so a village's households are together.
    village = np.sort(rng.choice(len(w), size=n_h, p=w / w.sum())).astype(np.int32)
    hh = np.repeat(np.arange(n_h, dtype=np.int64), sizes)
    slot = np.arange(len(hh)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    ha = p.get("households.head_age")
    head_age = np.clip(rng.normal(ha["mean"], ha["sd"], n_h), ha["min"], ha["max"]).astype(int)
    spouse = (sizes >= 2) & (rng.random(n_h) < p.f("households.spouse_share"))
    young = head_age < 55
    n_par = np.where(
        young & (sizes >= 4) & (rng.random(n_h) < p.f("households.parent_share")),
        np.where((sizes >= 5) & (rng.random(n_h) < 0.5), 2, 1),
        0,
    )
    rest_start = 1 + spouse.astype(int) + n_par
    rest = sizes - rest_start
    rel = np.full(len(hh), CHILD, dtype=np.int8)
    s_h = spouse[hh]
    rel[slot == 0] = HEAD
    rel[(slot == 1) & s_h] = SPOUSE
    is_par = (slot >= 1 + s_h) & (slot < rest_start[hh])
    rel[is_par] = PARENT
    k = slot - rest_start[hh]  # position among the younger generation
    old = (~young[hh]) & (rest[hh] >= 3)
    rel[old & (k == 1)] = CHILD_IN_LAW
    rel[old & (k >= 2)] = GRANDCHILD
    h_age = head_age[hh]
    n = len(hh)
    age = h_age.copy()
    age = np.where(rel == SPOUSE, h_age + np.round(rng.normal(-2, 3, n)), age)
    age = np.where(rel == PARENT, h_age + rng.integers(22, 33, n), age)
    age = np.where(rel == CHILD, h_age - rng.integers(20, 37, n), age)
    age = np.where(rel == CHILD_IN_LAW, h_age - rng.integers(22, 34, n), age)
    age = np.where(rel == GRANDCHILD, h_age - rng.integers(44, 62, n), age)
    age = np.clip(age, 0, 99).astype(np.int16)
    head_male = rng.random(n_h) < 0.86
    sex = np.where(rng.random(n) < 0.5, 1, 2).astype(np.int8)
    sex[rel == HEAD] = np.where(head_male, 1, 2)
    sex[rel == SPOUSE] = np.where(head_male[hh][rel == SPOUSE], 2, 1)
    sex[rel == CHILD_IN_LAW] = 2
    county_code = vil["county"].str.slice(0, 6).cast(pl.Int32).to_numpy()
    minority, gweights, gcodes = _ethnic_table(p, geo)
    h_eth = np.ones(n_h, dtype=np.int16)
    is_min = rng.random(n_h) < minority[village]
    # Draw each minority household's group from its village's weights (inverse CDF, vectorised).
    cdf = np.cumsum(gweights[village[is_min]], axis=1)
    pick = (cdf < rng.random(int(is_min.sum()))[:, None]).sum(axis=1)
    h_eth[is_min] = gcodes[np.minimum(pick, len(gcodes) - 1)]
    eth = h_eth[hh].copy()
    married_in = np.isin(rel, (SPOUSE, CHILD_IN_LAW)) & (rng.random(n) < 0.2)
    eth[married_in] = 1
    birthplace = county_code[village][hh].copy()
    moved = rng.random(n) < np.where(married_in, 0.5, 0.04)
    all_counties = geo.villages["county"].unique(maintain_order=True).str.slice(0, 6).cast(pl.Int32)
    birthplace[moved] = all_counties.to_numpy()[
        rng.integers(0, len(all_counties), int(moved.sum()))
    ]
    birth_year = year - age
    P: Arrays = {
        "hh": hh,
        "rel": rel,
        "sex": sex,
        "birth": days_of(birth_year, rng),
        "byear": birth_year.astype(np.int16),
        "eth": eth,
        "birthplace": birthplace.astype(np.int32),
        "surname": np.zeros(n, dtype=np.int16),
        "edu": _education(p, rng, birth_year),
        "disab": _disability(p, rng, age),
        "chronic": rng.random(n) < _chronic_p(p, age),
        "serious": rng.random(n) < p.get("health.serious")["onset"] * (1 + (age >= 60)),
        "present": np.ones(n, dtype=bool),
        "married": np.isin(rel, (HEAD, SPOUSE, CHILD_IN_LAW, PARENT)) | (age >= 30),
        "left_year": np.zeros(n, dtype=np.int16),
        "left_reason": np.zeros(n, dtype=np.int8),
        "work": np.zeros(n, dtype=np.int8),
        "months": np.zeros(n, dtype=np.int8),
        "insured": (rng.random(n_h) < p.f("health.insured_share"))[hh],
        "pension": (age >= 16) & (rng.random(n) < p.f("health.pension_share")),
        "joined": np.full(n, year, dtype=np.int16),
        # Persistent propensities: who migrates, where to, who takes a public-welfare job.
        "u_mig": rng.random(n).astype(np.float32),
        "u_dest": rng.random(n).astype(np.float32),
        "u_welf": rng.random(n).astype(np.float32),
    }
    from lantu.simulator.identity import draw_surnames

    h_surname = draw_surnames(rng, n_h)
    P["surname"] = h_surname[hh]
    other = np.isin(rel, (SPOUSE, CHILD_IN_LAW)) | (rel == PARENT) & (sex == 2)
    P["surname"][other] = draw_surnames(rng, int(other.sum()))
    H = _households(p, rng, geo, village, year)
    return World(P=P, H=H, villages=vil)


def _education(p: Params, rng: np.random.Generator, birth_year: np.ndarray) -> np.ndarray:
    table = p.get("education.adult_by_birth_decade")
    decades = sorted(int(d) for d in table)
    idx = np.searchsorted(decades, birth_year, side="right") - 1
    probs = np.array([table[str(d)] for d in decades])[np.clip(idx, 0, len(decades) - 1)]
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (cdf < rng.random(len(birth_year))[:, None]).sum(axis=1).clip(0, 5).astype(np.int8)


def _chronic_p(p: Params, age: np.ndarray) -> np.ndarray:
    c = p.get("health.chronic")
    return float(c["base"]) + float(c["per_year_over_40"]) * np.clip(age - 40, 0, None)


def _disability(p: Params, rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    d = p.get("health.disability")
    weight = 0.3 + age / 40.0
    prob = float(d["prevalence"]) * weight / weight.mean()
    has = rng.random(len(age)) < prob
    severe = rng.random(len(age)) < float(d["severe_share"])
    grade = np.where(severe, rng.integers(1, 3, len(age)), rng.integers(3, 5, len(age)))
    return np.where(has, grade, 0).astype(np.int8)


def _households(
    p: Params, rng: np.random.Generator, geo: Geography, village: np.ndarray, year: int
) -> Arrays:
    n_h = len(village)
    v_index = geo.villages["index"].to_numpy()[village]
    f = p.get("income.farm_mu")
    skill = rng.lognormal(-0.25 * v_index, p.f("income.household_skill_sigma"))
    area = np.clip(rng.normal(95, 35, n_h), 20, 300)
    return {
        "village": village,
        "skill": skill.astype(np.float32),
        "land": rng.lognormal(np.log(float(f["mean"])) - 0.18, float(f["sigma"]), n_h).astype(
            np.float32
        ),
        "grade": np.zeros(n_h, dtype=np.int8),  # set with incomes (dangerous houses follow poverty)
        "structure": np.zeros(n_h, dtype=np.int8),
        "area": area.astype(np.float32),
        "built": (year - rng.integers(1, 40, n_h)).astype(np.int16),
        "piped": np.zeros(n_h, dtype=bool),
        "central": np.zeros(n_h, dtype=bool),
        "scarce": (rng.random(n_h) < 0.25 + 0.1 * v_index).astype(bool),
        "trip": np.clip(rng.lognormal(np.log(5) + 0.3 * v_index, 0.7), 1, 120).astype(np.int16),
        "relocated": np.zeros(n_h, dtype=np.int16),
        "renovated": np.zeros(n_h, dtype=np.int16),
        "industry": np.zeros(n_h, dtype=np.int16),
        "created": np.full(n_h, year, dtype=np.int16),
        "parent": np.full(n_h, -1, dtype=np.int64),
        "dissolved": np.zeros(n_h, dtype=np.int16),
        "favour": rng.random(n_h) < p.f("registry.favouritism"),
        "report": rng.normal(0.0, p.f("registry.report_sigma"), n_h).astype(np.float32),
    }
