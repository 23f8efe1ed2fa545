"""One year of life: deaths, births, marriages out and in, household splits (分户), illness and
disability, schooling, labour capacity and work away from home.

Every event is a vectorised draw over the people it can happen to. People who leave keep their row
(``present`` false, with the year and reason); people who join are appended; a split moves a married
son with his wife and children into a new household appended to the household arrays. The events of
the year are returned per household, for the truth files and the incomes.
"""

from __future__ import annotations

import numpy as np

from lantu.simulator.params import Params
from lantu.simulator.people import (
    CHILD,
    CHILD_IN_LAW,
    GRANDCHILD,
    HEAD,
    SPOUSE,
    Arrays,
    World,
    append,
    days_of,
)

DEATH, MARRIAGE, SPLIT = 1, 2, 3
LEFT_REASONS = {DEATH: "death", MARRIAGE: "marriage", SPLIT: "split"}
# Index positions in the code lists of lantu.registry.codes.
W_NONE, W_TOWNSHIP, W_COUNTY, W_PROVINCE, W_OUTSIDE, W_WELFARE = range(6)
L_SKILLED, L_ORDINARY, L_WEAK, L_LOST, L_NONE = range(5)
S_NOT, S_PRE, S_PRIMARY, S_JUNIOR, S_SENIOR, S_VOC, S_HIGHER, S_HOME, S_DROPOUT = range(9)


def ages(w: World, year: int) -> np.ndarray:
    return (year - w.P["byear"]).astype(np.int16)


def heads(w: World) -> np.ndarray:
    """Person index of each household's present head (-1 where none)."""
    head = np.full(w.n_households, -1, dtype=np.int64)
    idx = np.flatnonzero(w.P["present"] & (w.P["rel"] == HEAD))
    head[w.P["hh"][idx]] = idx
    return head


def _leave(w: World, who: np.ndarray, year: int, reason: int) -> None:
    w.P["present"][who] = False
    w.P["left_year"][who] = year
    w.P["left_reason"][who] = reason


def _new_people(
    w: World,
    rng: np.random.Generator,
    hh: np.ndarray,
    rel: np.ndarray,
    sex: np.ndarray,
    birth_year: np.ndarray,
    year: int,
    surname: np.ndarray,
    eth: np.ndarray,
    birthplace: np.ndarray,
) -> None:
    k = len(hh)
    new: Arrays = {key: np.zeros(k, dtype=v.dtype) for key, v in w.P.items()}
    new.update(
        hh=hh,
        rel=rel,
        sex=sex,
        birth=days_of(birth_year, rng),
        byear=birth_year,
        eth=eth,
        birthplace=birthplace,
        surname=surname,
        present=np.ones(k, dtype=bool),
        married=rel == CHILD_IN_LAW,
        insured=rng.random(k) < 0.97,
        joined=np.full(k, year),
        edu=np.where(rel == CHILD_IN_LAW, 2, 0),
        u_mig=rng.random(k),
        u_dest=rng.random(k),
        u_welf=rng.random(k),
    )
    append(w.P, new)


def demography(
    w: World, p: Params, rng: np.random.Generator, year: int, county6: np.ndarray
) -> Arrays:
    P = w.P
    age = ages(w, year)
    n_h = w.n_households
    ev = {k: np.zeros(n_h, dtype=bool) for k in ("death", "birth", "marriage", "split")}
    m = p.get("demography.mortality")
    q = (
        float(m["a"]) * np.exp(float(m["b"]) * age)
        + P["serious"] * p.get("health.serious")["death"]
    )
    dead = np.flatnonzero(P["present"] & (rng.random(len(age)) < q))
    _leave(w, dead, year, DEATH)
    ev["death"][P["hh"][dead]] = True
    head = heads(w)
    # Births to married women 20-44 living with the household.
    fr = p.get("demography.fertility")
    mother_ok = (
        P["present"]
        & (P["sex"] == 2)
        & P["married"]
        & np.isin(P["rel"], (HEAD, SPOUSE, CHILD_IN_LAW))
    )
    rate = np.where(
        (age >= 20) & (age < 35),
        fr["rate_20_34"],
        np.where((age >= 35) & (age < 45), fr["rate_35_44"], 0.0),
    )
    mothers = np.flatnonzero(mother_ok & (rng.random(len(age)) < rate))
    b_hh = P["hh"][mothers]
    ev["birth"][b_hh] = True
    surname_src = np.where(head[b_hh] >= 0, head[b_hh], mothers)
    _new_people(
        w,
        rng,
        b_hh,
        np.where(P["rel"][mothers] == CHILD_IN_LAW, GRANDCHILD, CHILD).astype(np.int8),
        rng.integers(1, 3, len(mothers)).astype(np.int8),
        np.full(len(mothers), year),
        year,
        P["surname"][surname_src],
        P["eth"][surname_src],
        county6[w.H["village"][b_hh]],
    )
    # Daughters marry out; sons bring a wife in.
    age = ages(w, year)
    single = w.P["present"] & ~w.P["married"] & (w.P["rel"] == CHILD)
    out = np.flatnonzero(
        single
        & (w.P["sex"] == 2)
        & (age >= 20)
        & (age <= 30)
        & (rng.random(len(age)) < p.f("demography.marriage_out"))
    )
    _leave(w, out, year, MARRIAGE)
    w.P["married"][out] = True
    ev["marriage"][w.P["hh"][out]] = True
    sons = np.flatnonzero(
        single
        & (w.P["sex"] == 1)
        & (age >= 22)
        & (age <= 32)
        & (rng.random(len(age)) < p.f("demography.marriage_in"))
    )
    sons = sons[np.unique(w.P["hh"][sons], return_index=True)[1]]  # one wedding per household
    w.P["married"][sons] = True
    s_hh = w.P["hh"][sons]
    ev["marriage"][s_hh] = True
    k = len(sons)
    _new_people(
        w,
        rng,
        s_hh,
        np.full(k, CHILD_IN_LAW, dtype=np.int8),
        np.full(k, 2, dtype=np.int8),
        year - age[sons] + rng.integers(0, 5, k),
        year,
        rng.integers(0, 56, k).astype(np.int16),
        np.where(rng.random(k) < 0.8, w.P["eth"][sons], 1),
        county6[rng.integers(0, len(county6), k)] if len(county6) else np.zeros(k),
    )
    _split(w, p, rng, year, ev)
    _close_households(w, year)
    return ev


def _split(w: World, p: Params, rng: np.random.Generator, year: int, ev: Arrays) -> None:
    P, H = w.P, w.H
    has_cil = np.zeros(w.n_households, dtype=bool)
    has_cil[P["hh"][P["present"] & (P["rel"] == CHILD_IN_LAW)]] = True
    cand = np.flatnonzero(
        P["present"] & P["married"] & (P["rel"] == CHILD) & (P["sex"] == 1) & has_cil[P["hh"]]
    )
    cand = cand[np.unique(P["hh"][cand], return_index=True)[1]]
    movers_son = cand[rng.random(len(cand)) < p.f("demography.split")]
    old = P["hh"][movers_son]
    if not len(old):
        return
    new_id = np.full(w.n_households, -1, dtype=np.int64)
    new_id[old] = w.n_households + np.arange(len(old))
    moving = P["present"] & (new_id[P["hh"]] >= 0) & np.isin(P["rel"], (CHILD_IN_LAW, GRANDCHILD))
    moving[movers_son] = True
    idx = np.flatnonzero(moving)
    w.extra.setdefault("moves", np.zeros((0, 5), dtype=np.int64))
    w.extra["moves"] = np.concatenate(
        [
            w.extra["moves"],
            np.stack(
                [idx, P["hh"][idx], new_id[P["hh"][idx]], np.full(len(idx), year), P["rel"][idx]], 1
            ),
        ]
    )
    rel = P["rel"][idx]
    P["rel"][idx] = np.where(rel == CHILD_IN_LAW, SPOUSE, np.where(rel == GRANDCHILD, CHILD, HEAD))
    P["hh"][idx] = new_id[P["hh"][idx]]
    k = len(old)
    new = {key: v[old].copy() for key, v in H.items()}
    H["land"][old] *= 0.6
    new.update(
        land=new["land"] * 0.4,
        grade=rng.integers(0, 2, k),
        built=np.full(k, year),
        created=np.full(k, year),
        parent=old,
        dissolved=np.zeros(k),
        relocated=np.zeros(k),
        renovated=np.zeros(k),
        industry=np.zeros(k),
        favour=np.zeros(k, dtype=bool),
        **{key: np.zeros(k) for key in ("hh_seq", "relocate_at", "renovate_at") if key in H},
        skill=new["skill"] * rng.lognormal(0.1, 0.2, k),
    )
    append(H, new)
    for key in ev:
        ev[key] = np.concatenate([ev[key], np.zeros(k, dtype=bool)])
    ev["split"][old] = True
    ev["split"][new_id[old]] = True
    w.extra["reg_new"] = np.concatenate(
        [w.extra.get("reg_new", np.zeros(0, dtype=np.int64)), new_id[old]]
    )


def _close_households(w: World, year: int) -> None:
    P, H = w.P, w.H
    alive = np.zeros(w.n_households, dtype=bool)
    alive[P["hh"][P["present"]]] = True
    H["dissolved"][~alive & (H["dissolved"] == 0)] = year
    head = heads(w)
    orphan = np.flatnonzero(alive & (head < 0))
    if len(orphan):
        # The spouse takes over, else the oldest present member (the earliest birth).
        cand = np.flatnonzero(P["present"] & np.isin(P["hh"], orphan))
        score = P["birth"][cand].astype(np.int64) - np.where(P["rel"][cand] == SPOUSE, 10**7, 0)
        order = np.lexsort((score, P["hh"][cand]))
        first = cand[order][np.unique(P["hh"][cand][order], return_index=True)[1]]
        P["rel"][first] = HEAD


def health(w: World, p: Params, rng: np.random.Generator, year: int) -> Arrays:
    P = w.P
    age = ages(w, year)
    n = len(age)
    c, s, d = p.get("health.chronic"), p.get("health.serious"), p.get("health.disability")
    prev = float(c["base"]) + float(c["per_year_over_40"]) * np.clip(age - 40, 0, None)
    onset = prev * float(c["recover"]) / (1 - prev)
    P["chronic"] = np.where(
        P["chronic"], rng.random(n) > float(c["recover"]), rng.random(n) < onset
    )
    new_serious = ~P["serious"] & (
        rng.random(n) < np.where(age >= 60, s["onset_over_60"], s["onset"])
    )
    P["serious"] = np.where(P["serious"], rng.random(n) > float(s["recover"]), new_serious)
    new_dis = (P["disab"] == 0) & (rng.random(n) < float(d["onset_per_year"]) * (1 + age / 40))
    P["disab"][new_dis] = rng.integers(1, 5, int(new_dis.sum()))
    ev = {
        "illness": np.zeros(w.n_households, dtype=bool),
        "disability": np.zeros(w.n_households, dtype=bool),
    }
    ev["illness"][P["hh"][new_serious & P["present"]]] = True
    ev["disability"][P["hh"][new_dis & P["present"]]] = True
    return ev


def schooling(
    w: World, p: Params, rng: np.random.Generator, year: int, poor_hh: np.ndarray
) -> np.ndarray:
    age = ages(w, year)
    lo, hi = p.get("standards.school_age")
    s = np.full(len(age), S_NOT, dtype=np.int8)
    s[(age >= 3) & (age < 6)] = S_PRE
    s[(age >= 6) & (age < 12)] = S_PRIMARY
    s[(age >= 12) & (age < 15)] = S_JUNIOR
    u = rng.random(len(age))
    upper = (age >= 15) & (age < 18)
    s[upper & (u < 0.45)] = S_SENIOR
    s[upper & (u >= 0.45) & (u < 0.75)] = S_VOC
    s[(age >= 18) & (age < 22) & (u < 0.3)] = S_HIGHER
    compulsory = (age >= lo) & (age <= hi)
    drop = p.yearly("education.dropout", year) * (1 + poor_hh[w.P["hh"]])
    s[compulsory & (rng.random(len(age)) < drop)] = S_DROPOUT
    s[compulsory & (w.P["disab"] == 1)] = S_HOME
    return s


def labour(w: World, year: int, school: np.ndarray) -> np.ndarray:
    P = w.P
    age = ages(w, year)
    lab = np.where(P["edu"] >= 3, L_SKILLED, L_ORDINARY).astype(np.int8)
    lab[(age >= 60) | P["chronic"] | (P["disab"] >= 3)] = L_WEAK
    lab[(age >= 75) | P["serious"] | ((P["disab"] >= 1) & (P["disab"] <= 2))] = L_LOST
    lab[(age < 16) | (school != S_NOT)] = L_NONE
    return lab
