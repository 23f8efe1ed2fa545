"""A year's economy of every household: who works away and where, public-welfare jobs, income by
component, hospital stays and out-of-pocket costs, housing and water, and the TRUE poverty and
monitoring status under the year's standards (params.yaml, never literals here).

Incomes are built from the members (wages by destination and months, day labour, welfare-job pay),
the land and the village's poverty index (farm business income, with weather and disasters),
pensions, subsidies and the minimum living allowance. One factor, fixed in the first year, scales
market incomes so the first year's mean per-capita net income is the published Yunnan figure.
"""

from __future__ import annotations

import numpy as np

from lantu.simulator import lifecycle as lc
from lantu.simulator.params import Params, stream
from lantu.simulator.people import Arrays, World

# Metres walked and climbed per minute of a water trip: the registry's distances (tables.py).
WATER_METRES_PER_MINUTE = 35
WATER_CLIMB_PER_MINUTE = 3

REGISTERED = (1, 2, 3, 4, 6)  # STATUS indexes of a household in the registry (poor … returned)


def in_registry(w: World) -> np.ndarray:
    return np.isin(w.H["reg"], REGISTERED) & w.H["ever"]


def public_employment(w: World, p: Params, seed: int, year: int) -> np.ndarray:
    """Who is a public employee (财政供养人员) this year. Each person draws, once, a propensity and
    an entry age (``departments.public_employee``); on reaching that age (or, in the first year,
    having passed it) a person present in a household enters public employment with the rate of
    that household (much higher with connections: favouritism) and stays until the retirement
    age. The start year is kept in ``w.extra["pub_start"]`` (0: never), for the department's
    roster and the truth."""
    P = w.P
    n = w.n_people
    spec = p.get("departments.public_employee")
    lo, hi = (int(a) for a in spec["entry_age"])
    have = len(w.extra.get("pub_u", ()))
    first = have == 0
    if have < n:
        rng = stream(seed, f"public-employees-{year}")
        k = n - have
        w.extra["pub_u"] = np.concatenate([w.extra.get("pub_u", np.zeros(0)), rng.random(k)])
        w.extra["pub_age"] = np.concatenate(
            [w.extra.get("pub_age", np.zeros(0, dtype=np.int16)), rng.integers(lo, hi + 1, k)]
        ).astype(np.int16)
        w.extra["pub_start"] = np.concatenate(
            [w.extra.get("pub_start", np.zeros(0, dtype=np.int16)), np.zeros(k, dtype=np.int16)]
        )
        sigma = float(p.get("income.public_salary")["sigma"])
        w.extra["pub_grade"] = np.concatenate(
            [w.extra.get("pub_grade", np.zeros(0)), rng.lognormal(-sigma * sigma / 2, sigma, k)]
        )
    age = lc.ages(w, year)
    entry, start = w.extra["pub_age"], w.extra["pub_start"]
    rate = np.where(w.H["favour"][P["hh"]], spec["favour_rate"], spec["rate"])
    due = (age >= entry) if first else (age == entry)
    enter = P["present"] & due & (start == 0) & (w.extra["pub_u"] < rate)
    retire = int(spec["retire_age"])
    since = (year - (age - entry)) if first else np.full(len(age), year)
    start[enter] = since[enter]
    return P["present"] & (start > 0) & (age < retire)


def public_start(w: World) -> np.ndarray:
    """The year each person entered public employment (0: never), for every person."""
    out = np.zeros(w.n_people, dtype=np.int16)
    known = w.extra.get("pub_start", out[:0])
    out[: len(known)] = known
    return out


def public_salary(p: Params, year: int) -> float:
    """A public employee's yearly salary in ``year`` (``income.public_salary``)."""
    s = p.get("income.public_salary")
    return float(s["2020"]) * (1 + float(s["growth"])) ** (year - 2020)


def work(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    lab: np.ndarray,
    public: np.ndarray | None = None,
) -> Arrays:
    """Who works away, in a welfare job or locally; a public employee (``public``) does none
    of these: the post is the work."""
    P = w.P
    age = lc.ages(w, year)
    reg = in_registry(w)[P["hh"]]
    if public is None:
        public = np.zeros(len(age), dtype=bool)
    able = (
        ~public
        & P["present"]
        & (age >= 16)
        & (age < 65)
        & np.isin(lab, (lc.L_SKILLED, lc.L_ORDINARY, lc.L_WEAK))
    )
    # Weak labour migrates at half the rate (seasonal, nearer work).
    half = np.where(lab == lc.L_WEAK, 0.5, 1.0)
    mp = p.get("work.migrant_prob")
    general = np.interp(year, [2014, 2025], [mp["general"][2014], mp["general"][2025]])
    regp = np.interp(year, [2015, 2020], [mp["registered"][2015], mp["registered"][2020]])
    migrant = able & (P["u_mig"] < np.where(reg, max(regp, general), general) * half)
    shares = p.get("work.destination_shares")
    cdf = np.cumsum([shares[k] for k in ("township", "county", "province", "outside")])
    dest = (lc.W_TOWNSHIP + (P["u_dest"][:, None] > cdf[None, :-1]).sum(axis=1)).astype(np.int8)
    lost = migrant & (rng.random(len(age)) < p.f("shocks.job_loss"))
    wj = p.get("work.welfare_job")
    ramp = np.clip((year - wj["start"] + 1) / (2020 - wj["start"] + 1), 0, 1) * wj["share_2020"]
    welfare = (
        reg
        & P["present"]
        & (age >= 18)
        & (age < 65)
        & ~migrant
        & np.isin(lab, (lc.L_SKILLED, lc.L_ORDINARY, lc.L_WEAK))
        & (P["u_welf"] < ramp)
    )
    P["work"] = np.where(migrant & ~lost, dest, np.where(welfare, lc.W_WELFARE, lc.W_NONE)).astype(
        np.int8
    )
    P["months"] = np.where(
        migrant & ~lost,
        rng.integers(6, 13, len(age)),
        np.where(lost, rng.integers(1, 6, len(age)), np.where(welfare, 12, 0)),
    ).astype(np.int8)
    job_loss = np.zeros(w.n_households, dtype=bool)
    job_loss[P["hh"][lost]] = True
    return {"job_loss": job_loss, "local": able & ~migrant & ~welfare}


def _sum(w: World, values: np.ndarray) -> np.ndarray:
    return np.bincount(w.P["hh"], weights=values, minlength=w.n_households)


def medical(w: World, p: Params, rng: np.random.Generator, year: int) -> Arrays:
    """Hospital stays of the year per person (for the medical-insurance bills) and household OOP."""
    P = w.P
    age = lc.ages(w, year)
    rate = p.f("health.inpatient_rate") * (0.5 + age / 60.0)
    stay = P["present"] & (P["serious"] | (rng.random(len(age)) < rate))
    who = np.flatnonzero(stay)
    hc, rb = p.get("health.hospital_cost"), p.get("health.reimbursement")
    median = np.where(P["serious"][who], float(hc["serious"]), float(hc["other"]))
    cost = rng.lognormal(np.log(median), float(hc["sigma"]))
    reg = in_registry(w)[P["hh"][who]]
    # Reimbursement: basic + serious-illness insurance; registered poor get top-ups to ~90% (2017+).
    base = min(rb["base_2014"] + rb["per_year"] * (year - 2014), rb["cap"])
    ratio = np.where(P["insured"][who], base, 0.0)
    ratio = np.where(reg & (year >= 2017) & P["insured"][who], rb["registered_from_2017"], ratio)
    ratio = np.clip(ratio + rng.normal(0, 0.03, len(who)), 0, 0.97)
    oop = cost * (1 - ratio)
    hh_oop = np.bincount(P["hh"][who], weights=oop, minlength=w.n_households)
    return {"who": who, "cost": cost, "reimbursed": cost * ratio, "oop": oop, "hh_oop": hh_oop}


def wage_growth(p: Params, year: int) -> float:
    """Wages in ``year`` relative to 2014: ``work.monthly_wage.growth`` a year to 2019, then the
    published migrant-worker monthly income relative to 2019 (``work.monthly_wage_after_2019``,
    国家统计局《农民工监测调查报告》), then its ``growth_after`` a year."""
    g = float(p.get("work.monthly_wage")["growth"])
    if year <= 2019:
        return (1 + g) ** (year - 2014)
    idx = p.get("work.monthly_wage_after_2019")
    known = sorted(int(k) for k in idx if str(k).isdigit())
    last = max(y for y in known if y <= year)
    ratio = float(idx[last]) / float(idx[2019]) * (1 + float(idx["growth_after"])) ** (year - last)
    return float((1 + g) ** 5 * ratio)


def incomes(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    wk: Arrays,
    disaster: np.ndarray,
    public: np.ndarray | None = None,
) -> Arrays:
    """Household incomes by component. A public employee's salary is wage income
    (工资性收入, DOMAIN.md section 4) of the household the employee belongs to; it is a published
    figure (``income.public_salary``), so the first-year scaling of market incomes leaves it out
    like the transfers."""
    P, H = w.P, w.H
    age = lc.ages(w, year)
    t = year - 2014
    mw = p.get("work.monthly_wage")
    wage_rate = np.array([0, mw["township"], mw["county"], mw["province"], mw["outside"], 0.0])
    growth = wage_growth(p, year)
    skill = H["skill"][P["hh"]]
    wage_p = wage_rate[P["work"]] * P["months"] * growth * np.sqrt(skill)
    wage_p += wk["local"] * p.f("work.local_work_income") * growth * skill
    wage_p += (P["work"] == lc.W_WELFARE) * float(p.get("work.welfare_job")["annual_pay"])
    wage = _sum(w, wage_p * P["present"])
    if public is None:
        public = np.zeros(len(age), dtype=bool)
    # A person's pay grade is persistent (one draw per person, mean 1).
    grade = w.extra.get("pub_grade", np.ones(len(age)))
    salary = _sum(w, public * public_salary(p, year) * grade)
    size = np.bincount(P["hh"][P["present"]], minlength=w.n_households).astype(float)
    fm = p.get("income.farm_net_per_mu")
    v_index = w.villages["index"].to_numpy()[H["village"]]
    weather = rng.lognormal(0, float(fm["weather_sigma"]), w.n_households)
    business = (
        H["land"]
        * float(fm["base"])
        * np.exp(-float(fm["poverty_effect"]) * v_index)
        * (1 + float(fm["growth"])) ** t
        * weather
        * H["skill"]
        * (1 + p.f("income.industry_boost") * (H["industry"] > 0))
        * (1 - float(p.get("shocks.disaster")["loss_share"]) * disaster)
    )
    business = (business + p.f("income.subsistence_per_person") * size) * (size > 0)
    transfer = transfer_sum(w, p, year, age, size)
    prop = (
        p.f("income.property_per_person")
        * size
        * H["skill"]
        * rng.lognormal(-0.5, 1.0, w.n_households)
    )
    cost_share = p.f("income.cost_share")
    if "scale" not in w.extra:
        # Fixed once, in the first simulated year: market incomes scaled to the published mean.
        people = max(size.sum(), 1)
        market_pc = (wage + business * (1 - cost_share) + prop).sum() / people
        transfer_pc = (transfer.sum() + salary.sum()) / people
        target = p.f("income.target_mean_2014") - transfer_pc
        w.extra["scale"] = np.array([max(target / max(market_pc, 1.0), 0.1)])
    scale = w.extra["scale"]
    wage, business, prop = wage * scale[0] + salary, business * scale[0], prop * scale[0]
    standard = p.yearly("income.dibao_standard", year)
    pre_pc = (wage + business * (1 - cost_share) + prop + transfer) / np.maximum(size, 1)
    dibao_hh = (
        (pre_pc < standard) & (size > 0) & (rng.random(w.n_households) < p.f("income.dibao_uptake"))
    )
    transfer = transfer + dibao_hh * np.maximum(standard - pre_pc, 0) * size
    out = {
        "wage": wage,
        "business": business,
        "property": prop,
        "transfer": transfer,
        "cost": business * cost_share,
        "size": size,
        "dibao": dibao_hh,
    }
    out["total"] = wage + business + prop + transfer
    out["net"] = out["total"] - out["cost"]
    out["pc"] = out["net"] / np.maximum(size, 1)
    return {k: np.round(v, 0) if v.dtype.kind == "f" else v for k, v in out.items()}


def transfer_sum(w: World, p: Params, year: int, age: np.ndarray, size: np.ndarray) -> np.ndarray:
    pension = _sum(
        w, (w.P["present"] & (age >= 60)) * p.yearly("income.pension_monthly", year) * 12
    )
    return pension + size * p.f("income.subsidy_per_person")


def guarantees(w: World, p: Params, year: int, school: np.ndarray) -> Arrays:
    """Which of 两不愁三保障 and water each household fails in truth this year."""
    P, H = w.P, w.H
    n_h = w.n_households
    dropout = np.zeros(n_h, dtype=bool)
    dropout[P["hh"][P["present"] & (school == lc.S_DROPOUT)]] = True
    uninsured = np.zeros(n_h, dtype=bool)
    uninsured[P["hh"][P["present"] & ~P["insured"]]] = True
    housing = (H["grade"] >= 2) & (H["relocated"] == 0)
    # Convenience (水农〔2004〕547号; T/CHES 18-2018; DOMAIN.md section 5): piped, or one trip
    # within the time, OR within the horizontal OR the vertical distance; it fails only when
    # all three are exceeded. The registry's distances follow from the trip (tables.py).
    trip = H["trip"]
    far = (
        (trip > p.f("standards.water_trip_minutes_max"))
        & (trip * WATER_METRES_PER_MINUTE > p.f("standards.water_distance_max_m"))
        & (trip * WATER_CLIMB_PER_MINUTE > p.f("standards.water_vertical_max_m"))
    )
    # Quality (T/CHES 18-2018 水质): a dispersed source that fails it (living.update).
    bad = H["quality_bad"] if "quality_bad" in H else np.zeros(n_h, dtype=bool)
    water = (~H["piped"] & far) | (H["outage"] > p.f("standards.water_outage_days_max")) | bad
    return {
        "housing_fail": housing,
        "education_fail": dropout,
        "medical_fail": uninsured,
        "water_fail": water,
    }


def true_status(
    p: Params,
    year: int,
    inc: Arrays,
    g: Arrays,
    hh_oop: np.ndarray,
    ever_registered: np.ndarray,
    prev_pc: np.ndarray | None = None,
) -> Arrays:
    """The TRUE poverty (≤ 2020) and monitoring (≥ 2021) status of every household.
    ``prev_pc``: last year's true per-capita net income (NaN for a household new this year)."""
    fails = g["housing_fail"] | g["education_fail"] | g["medical_fail"] | g["water_fail"]
    line = p.yearly("standards.income_line", year)
    poor = (inc["size"] > 0) & ((inc["pc"] < line) | fails) & (year <= 2020)
    mon = np.zeros(len(poor), dtype=np.int8)  # 0 none, 1 unstable, 2 marginal, 3 sudden
    if year >= 2021:
        mline = p.yearly("standards.monitoring_line", year)
        # At risk: below the monitoring line with a risk factor (a shock this year, a guarantee
        # not met, a large rigid expense or a collapse of income: 中农组发〔2021〕7号 names
        # 因病因残因灾因意外事故等刚性支出较大或收入大幅缩减); sudden hardship: a large rigid
        # expense at or above the line (one household, one type; a collapse that leaves the
        # income above the line is not taken as severe hardship — assumption).
        heavy = hh_oop > p.f("standards.sudden_expense_share") * np.maximum(inc["net"], 1)
        # 收入大幅缩减 (the same sentence of 中农组发〔2021〕7号): per-capita income down by more
        # than the set share since last year.
        if prev_pc is None:
            prev_pc = np.full(len(inc["pc"]), np.nan)
        with np.errstate(invalid="ignore"):
            collapsed = inc["pc"] < (1 - p.f("standards.income_drop_share")) * prev_pc
        risk = inc["shock"] | fails | heavy | collapsed
        low = (inc["size"] > 0) & (inc["pc"] < mline) & risk
        sudden = (inc["size"] > 0) & ~low & heavy
        mon = np.where(low, np.where(ever_registered, 1, 2), np.where(sudden, 3, 0)).astype(np.int8)
    return {"true_poor": poor, "true_monitoring": mon, "guarantees_ok": ~fails}
