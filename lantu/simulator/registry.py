"""What the registry sees and does: identification, the re-check, yearly updates, exits, returns,
monitoring, and the assistance that registration brings (which feeds back into the truth).

How it works, year by year:
- 2014 (first year): each village gets a quota of people (the province quota share, spread in
  proportion to the village's true poor, with noise, as quotas came down from sample estimates);
  households are ranked by what the process can see — reported income (true income with a
  persistent per-household misreporting error), visible housing and schooling problems, and
  favouritism — and taken until the quota is filled. Wrong inclusions and omissions follow.
- re-check years: a share of wrongly included households is removed, a share of missed poor added.
- later years until 2020: newly poor households are found with some probability; registered
  households exit when their reported income is above the line with a margin and the guarantees
  hold; exited households that fall back are recorded as returned; 2020 closes the campaign.
- 2021 on: at-risk households (exited or never registered) are found as monitoring objects with a
  yearly detection rate; their risk is eliminated when their reported income clears the line.
Registered households receive industry support, relocation or house renovation, welfare jobs.
"""

from __future__ import annotations

import numpy as np

from lantu.simulator.params import Params
from lantu.simulator.people import Arrays, World

NOT_REG, POOR, EXITED, MONITORED, ELIMINATED, REMOVED, RETURNED, DEREG = range(8)
T_GENERAL, T_DIBAO, T_TEKUN, T_DIBAO_POOR, T_NONE = range(5)


def init(w: World) -> None:
    n_h = w.n_households
    for key, dtype in (
        ("reg", np.int8),
        ("reg_year", np.int16),
        ("exit_year", np.int16),
        ("removed_year", np.int16),
        ("mon_type", np.int8),
        ("mon_year", np.int16),
        ("hh_type", np.int8),
        ("relocate_at", np.int16),
        ("renovate_at", np.int16),
        ("planned_exit", np.int16),
    ):
        w.H[key] = np.zeros(n_h, dtype=dtype)
    w.H["ever"] = np.zeros(n_h, dtype=bool)
    w.H["wrong"] = np.zeros(n_h, dtype=bool)  # not truly poor when registered (for the re-check)
    w.H["hh_type"][:] = T_NONE


def inherit_splits(w: World) -> None:
    """A household split off a registered one stays in the registry (with its own number)."""
    H = w.H
    new = w.extra.pop("reg_new", np.zeros(0, dtype=np.int64))
    parent = H["parent"][new]
    for key in ("reg", "ever", "reg_year", "exit_year", "hh_type", "planned_exit", "mon_type"):
        H[key][new] = H[key][parent]


def observe(w: World, p: Params, rng: np.random.Generator, inc: Arrays, g: Arrays) -> Arrays:
    """Reported income per person and the guarantee failures a visiting cadre notices."""
    noise = w.H["report"] + rng.normal(0, 0.15, w.n_households)
    obs_pc = inc["pc"] * np.exp(noise - 0.05)
    seen = {k: v & (rng.random(len(v)) < 0.95) for k, v in g.items()}
    fails = (
        seen["housing_fail"] | seen["education_fail"] | seen["medical_fail"] | seen["water_fail"]
    )
    return {"pc": obs_pc, "fails": fails}


def _register(
    w: World,
    p: Params,
    rng: np.random.Generator,
    who: np.ndarray,
    year: int,
    county_exit: np.ndarray,
    true_poor: np.ndarray,
) -> None:
    H = w.H
    H["wrong"][who] = ~true_poor[who]
    H["reg"][who] = POOR
    H["ever"][who] = True
    H["reg_year"][who] = year
    H["exit_year"][who] = 0
    ce = county_exit[H["village"][who]]
    H["planned_exit"][who] = np.where(ce > 0, np.maximum(ce, year + 1), np.minimum(year + 2, 2020))
    support = rng.random(len(who)) < p.f("registry.industry_share")
    H["industry"][who] = np.where(support, np.maximum(year + rng.integers(0, 3, len(who)), 2015), 0)
    danger = H["grade"][who] >= 2
    r0, r1 = p.get("housing.relocation_years")
    relocate = relocation_areas(w, p, rng, who) & (
        rng.random(len(who)) < p.f("housing.relocation_take_up")
    )
    H["relocate_at"][who] = _plan(rng, relocate, max(r0, year + 1), r1)
    n0, n1 = p.get("housing.renovation_years")
    H["renovate_at"][who] = _plan(rng, danger & (H["relocate_at"][who] == 0), max(n0, year + 1), n1)


def relocation_areas(w: World, p: Params, rng: np.random.Generator, who: np.ndarray) -> np.ndarray:
    """Whether each of ``who`` lives in a 迁出区, an area "where the land cannot support its
    people": 易地扶贫搬迁 moves the registered poor of such areas, whatever their house's grade
    (the 13th five-year relocation plan, docs/simulator.md). Areas are hamlets (自然村,
    ``housing.hamlets_per_village`` per village, a household's hamlet fixed by its number). The
    simulator knows no terrain, so a hamlet's harshness is its village's poverty index plus a
    hamlet draw; the highest ``housing.relocation_area_share`` of the simulated hamlets qualify."""
    k = int(p.get("housing.hamlets_per_village"))
    if "hamlet_index" not in w.extra:
        index = w.villages["index"].to_numpy()
        w.extra["hamlet_index"] = index[:, None] + rng.normal(0.0, 0.5, (len(index), k))
    harsh = w.extra["hamlet_index"]
    cut = np.quantile(harsh, 1.0 - p.f("housing.relocation_area_share"))
    return np.asarray(harsh[w.H["village"][who], who % k] >= cut)


def _plan(rng: np.random.Generator, chosen: np.ndarray, first: int, last: int) -> np.ndarray:
    """A year in [first, last] for the chosen households (0 for the others or if none is left)."""
    if first > last:
        return np.zeros(len(chosen), dtype=np.int16)
    return np.where(chosen, rng.integers(first, last + 1, len(chosen)), 0).astype(np.int16)


def identify(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    inc: Arrays,
    obs: Arrays,
    truth: Arrays,
    county_exit: np.ndarray,
) -> None:
    """The first year's identification by village quotas."""
    H = w.H
    size = inc["size"]
    v = H["village"]
    n_v = w.villages.height
    true_people = np.bincount(v, weights=size * truth["true_poor"], minlength=n_v)
    total = max(true_people.sum(), 1.0)
    quota_total = p.f("registry.quota_share_2014") * size.sum()
    quota = true_people / total * quota_total * rng.lognormal(0, 0.15, n_v)
    line = p.yearly("standards.income_line", year)
    score = np.log(np.maximum(obs["pc"], 1) / line) - 2.0 * obs["fails"] - 3.0 * H["favour"]
    score[size == 0] = np.inf
    order = np.lexsort((score, v))
    cum = np.cumsum(size[order])
    start = np.concatenate([[0], np.cumsum(np.bincount(v, weights=size, minlength=n_v))[:-1]])
    within = cum - start[v[order]]
    before = within - size[order]
    room = (quota[v[order]] - before) / np.maximum(size[order], 1)
    # The household that crosses the quota gets in with the probability of the room left.
    take = order[(rng.random(len(order)) < room) & np.isfinite(score[order])]
    _register(w, p, rng, take, year, county_exit, truth["true_poor"])


def update(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    inc: Arrays,
    obs: Arrays,
    truth: Arrays,
    county_exit: np.ndarray,
) -> None:
    H = w.H
    n_h = w.n_households
    alive = inc["size"] > 0
    line = p.yearly("standards.income_line", year)
    rc = p.get("registry.recheck_detect")
    unreg = alive & (H["reg"] == NOT_REG)
    active = np.isin(H["reg"], (POOR, RETURNED))
    if year in rc["years"]:
        # The re-check removes households that were not poor when identified (not those whose
        # income has risen since: they exit through the exit procedure).
        share = rc["removal"] / len(rc["years"])
        wrong = active & H["wrong"] & ~truth["true_poor"] & (rng.random(n_h) < share)
        H["reg"][wrong], H["removed_year"][wrong], H["ever"][wrong] = REMOVED, year, False
        found = unreg & truth["true_poor"] & (rng.random(n_h) < rc["addition"] / len(rc["years"]))
        _register(w, p, rng, np.flatnonzero(found), year, county_exit, truth["true_poor"])
    elif year <= 2019:
        newly = (
            unreg
            & truth["true_poor"]
            & (obs["pc"] < line)
            & (rng.random(n_h) < p.f("registry.yearly_addition"))
        )
        _register(w, p, rng, np.flatnonzero(newly), year, county_exit, truth["true_poor"])
    if year <= 2020:
        ok = (obs["pc"] > line * p.f("registry.exit_margin")) & ~obs["fails"]
        due = (H["planned_exit"] <= year) | (rng.random(n_h) < 0.35)
        leave = np.isin(H["reg"], (POOR, RETURNED)) & ok & due & (H["reg_year"] < year)
        if year == 2020:
            leave = np.isin(H["reg"], (POOR, RETURNED))
        H["reg"][leave], H["exit_year"][leave] = EXITED, year
        back = (
            (H["reg"] == EXITED)
            & (H["exit_year"] < year)
            & (obs["pc"] < line)
            & (rng.random(n_h) < 0.5)
        )
        if year < 2020:
            H["reg"][back] = RETURNED
    else:
        _monitor(w, p, rng, year, inc, obs)
    H["reg"][(H["reg"] != NOT_REG) & (H["reg"] != REMOVED) & ~alive] = DEREG
    _household_type(w, inc)


def _monitor(
    w: World, p: Params, rng: np.random.Generator, year: int, inc: Arrays, obs: Arrays
) -> None:
    H = w.H
    n_h = w.n_households
    mline = p.yearly("standards.monitoring_line", year)
    sudden = inc["hh_oop"] > p.f("standards.sudden_expense_share") * np.maximum(inc["net"], 1)
    risky = ((obs["pc"] < mline) & (inc["shock"] | obs["fails"])) | sudden
    can = (inc["size"] > 0) & np.isin(H["reg"], (NOT_REG, EXITED, ELIMINATED))
    found = can & risky & (rng.random(n_h) < p.f("registry.monitoring_detect"))
    kind = np.where(H["ever"], 1, np.where(obs["pc"] < mline, 2, 3))
    H["mon_type"][found] = kind[found]
    H["mon_year"][found] = year
    H["reg"][found] = MONITORED
    H["reg_year"][found & (H["reg_year"] == 0)] = year
    # Risk eliminated: monitored at least a year, the risk gone (income above the line or no
    # current shock, the guarantees met).
    calm = ((obs["pc"] > mline) | ~inc["shock"]) & ~obs["fails"] & ~sudden
    clear = (H["reg"] == MONITORED) & (H["mon_year"] < year) & calm
    H["reg"][clear] = ELIMINATED


def _household_type(w: World, inc: Arrays) -> None:
    H = w.H
    in_reg = H["ever"]  # registered as poor (monitoring-only households keep "none"/"dibao")
    single_old = (inc["size"] == 1) & (w.extra["head_age"] >= 60)
    t = np.where(
        single_old & inc["dibao"], T_TEKUN, np.where(inc["dibao"], T_DIBAO_POOR, T_GENERAL)
    )
    H["hh_type"] = np.where(in_reg, t, np.where(inc["dibao"], T_DIBAO, T_NONE)).astype(np.int8)


def assist(w: World, rng: np.random.Generator, year: int) -> None:
    """Carry out the relocations and renovations planned for this year."""
    H = w.H
    moving = H["relocate_at"] == year
    H["relocated"][moving] = year
    fix = (H["renovate_at"] == year) & (H["relocated"] == 0)
    H["renovated"][fix] = year
    H["grade"][fix] = rng.integers(0, 2, int(fix.sum()))
    H["built"][fix] = year
    # Registered people get their medical insurance premiums paid (a 三保障 measure).
    reg = np.isin(H["reg"], (POOR, RETURNED))[w.P["hh"]]
    w.P["insured"] |= reg & (year >= 2016)
