"""Generated registry snapshots of the simulator's shape, for tests and benchmarks.

``generate(households=N, years=(2019, 2020), seed=S)`` returns the three input tables
(``households``, ``members``, ``years``) with the canonical column names and code slugs, built
with numpy in whole columns (10M people in well under a minute). Values are plausible rather than
realistic: this is load and shape, not the province simulator (``lantu.simulator``), whose
``observed/registry/*.parquet`` files replace it wherever they exist. A small share of records
carries typical entry errors (a wrong check digit, a birth date that disagrees with the ID, a
total income that does not add up, a missing head) so that the data-quality rules have work.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa

from lantu.registry import codes

_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))
_DIVISIONS = Path(__file__).resolve().parents[1] / "regions" / "data" / "yunnan_divisions.csv"


def _counties() -> np.ndarray:
    """The 6-digit codes of Yunnan's 129 counties (the shipped divisions file)."""
    with _DIVISIONS.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return np.array([r["code"][:6] for r in rows if r["level"] == "county"])


def _choice(rng: np.random.Generator, n: int, values: list[str], p: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def id_numbers(
    region6: np.ndarray, birth: np.ndarray, seq: np.ndarray, sex: np.ndarray
) -> np.ndarray:
    """18-character ID numbers with correct check characters (GB 11643), built column-wise."""
    ymd = birth.astype("datetime64[D]").astype(str)
    ymd = np.char.replace(ymd, "-", "")
    seq3 = (seq % 500) * 2 + (sex == "2")  # odd 17th digit for men: adjust below
    seq3 = np.where(sex == "1", (seq % 500) * 2 + 1, (seq % 500) * 2)
    body = np.char.add(np.char.add(region6.astype(str), ymd), np.char.zfill(seq3.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(-1, 17) - 48
    check = _CHECK[(digits * _W).sum(axis=1) % 11]
    return np.char.add(body, check)


def generate(
    *,
    households: int,
    years: tuple[int, ...] = (2019, 2020),
    seed: int = 0,
    errors: float = 0.02,
    mean_size: float = 3.85,
    offset: int = 0,
) -> dict[str, pa.Table]:
    """``mean_size`` 3.85: 10M people in 2.6M households, the issue's province."""
    rng = np.random.default_rng(seed)
    n = households
    hh_no = np.char.add("H", np.char.zfill(np.arange(offset, offset + n).astype(str), 9))
    counties = _counties()
    county = counties[rng.integers(0, len(counties), n)]
    village = rng.integers(0, 400, n)
    region = np.char.add(
        np.char.add(county, "1"), np.char.zfill((village + 100).astype(str), 5)
    )  # 6 + 1 + 5 = 12 digits: county, township digit, village
    status = _choice(
        rng, n, ["poor", "exited", "monitored", "not_registered", "returned"],
        [0.25, 0.55, 0.08, 0.1, 0.02],
    )  # fmt: skip
    htype = np.where(status == "not_registered", "none", _choice(
        rng, n, ["general", "dibao", "tekun", "dibao_poor"], [0.7, 0.15, 0.05, 0.1]))  # fmt: skip
    size = np.clip(rng.poisson(mean_size - 0.15, n) + (rng.random(n) < 0.15), 1, 12)
    hh = pa.table({
        "household_no": hh_no,
        "region_code": region,
        "household_type": htype,
        "registration_year": pa.array(np.full(n, 2014), mask=status == "not_registered"),
        "status": status,
        "monitoring_type": pa.array(np.full(n, "unstable"), mask=status != "monitored"),
        "exit_year": pa.array(rng.integers(2016, 2021, n), mask=status != "exited"),
        "planned_exit_year": np.full(n, 2019),
        "relocated": rng.random(n) < 0.1,
        "address": np.char.add("村", hh_no),
        "phone": np.char.add("13", np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9)),
        "bank_account": np.full(n, ""),
    })  # fmt: skip
    members = _members(rng, hh_no, county, size, status, max(years), errors)
    facts = _years(rng, hh_no, size, years, errors)
    return {"households": hh, "members": members, "years": facts}


def _members(rng, hh_no, county, size, status, year, errors):  # type: ignore[no-untyped-def]
    m = int(size.sum())
    hidx = np.repeat(np.arange(len(hh_no)), size)
    first = np.zeros(m, bool)
    first[np.cumsum(size) - size] = True
    age = np.where(first, rng.integers(22, 80, m), rng.integers(0, 85, m))
    birth = (
        np.datetime64(f"{year}-01-01") - (age * 365.25).astype("timedelta64[D]")
        - rng.integers(0, 364, m).astype("timedelta64[D]")
    )  # fmt: skip
    sex = np.where(rng.random(m) < 0.51, "1", "2")
    ids = id_numbers(county[hidx], birth, np.arange(m), sex)
    others = ["spouse", "child", "parent", "grandchild", "other"]
    relation = np.where(first, "head", _choice(rng, m, others, [0.3, 0.45, 0.1, 0.1, 0.05]))
    if errors:
        bad = rng.random(m) < errors / 4
        relation = np.where(first & bad, "spouse", relation)  # household without a head
        flip = rng.random(m) < errors / 4
        ids = np.where(flip, np.char.add(np.char.ljust(ids, 17).astype("<U17"), "0"), ids)
    school_age = (age >= 6) & (age <= 15)
    schooling = np.where(school_age, np.where(age <= 11, "primary", "junior"), "not_student")
    schooling = np.where(school_age & (rng.random(m) < 0.01), "dropout", schooling)
    health = _choice(rng, m, ["healthy", "chronic", "serious", "disabled"], [0.8, 0.1, 0.04, 0.06])
    labour = np.where((age >= 16) & (age < 65), _choice(
        rng, m, ["skilled", "ordinary", "weak"], [0.1, 0.8, 0.1]), "none")  # fmt: skip
    working = (labour != "none") & (rng.random(m) < 0.4)
    work = np.where(
        working, _choice(rng, m, ["county", "province", "outside"], [0.3, 0.3, 0.4]), "none"
    )
    return pa.table({
        "household_no": hh_no[hidx],
        "name": np.char.add("成员", np.arange(m).astype(str)),
        "id_number": ids,
        "sex": sex,
        "birth_date": pa.array(birth.astype("datetime64[D]")),
        "relation": relation,
        "ethnicity": _choice(rng, m, ["01", "07", "16", "14"], [0.6, 0.2, 0.1, 0.1]),
        "education": _choice(rng, m, ["primary", "junior", "illiterate"], [0.5, 0.3, 0.2]),
        "schooling": schooling,
        "health": health,
        "disability_grade": pa.array(rng.integers(1, 5, m), mask=health != "disabled"),
        "labour": labour,
        "work": work,
        "work_months": np.where(working, rng.integers(3, 13, m), 0),
        "dibao": rng.random(m) < 0.1,
        "tekun": np.zeros(m, bool),
        "medical_insurance": rng.random(m) < 0.995,
        "serious_illness_insurance": rng.random(m) < 0.99,
        "medical_assistance": health != "healthy",
        "pension_insurance": age >= 16,
        "member_phone": np.full(m, ""),
        "left_reason": np.where(rng.random(m) < 0.01, "迁出", ""),
    })  # fmt: skip


def _years(rng, hh_no, size, years, errors):  # type: ignore[no-untyped-def]
    n = len(hh_no)
    parts = []
    for y in years:
        wage = np.round(rng.lognormal(8.6, 0.8, n) * size * 0.5, 2)
        business = np.round(rng.lognormal(7.5, 0.9, n), 2)
        prop = np.round(rng.exponential(100, n), 2)
        transfer = np.round(rng.exponential(1500, n), 2)
        total = wage + business + prop + transfer
        if errors:
            total = np.where(rng.random(n) < errors / 2, total + 100, total)
        parts.append(pa.table({
            "household_no": hh_no,
            "year": np.full(n, y),
            "wage_income": wage, "business_income": business, "property_income": prop,
            "transfer_income": transfer, "total_income": total,
            "production_cost": np.round(business * 0.3, 2),
            "medical_out_of_pocket": np.round(rng.exponential(800, n), 2),
            "education_expense": np.round(rng.exponential(500, n), 2),
            "housing_area": np.round(rng.uniform(40, 200, n), 1),
            "housing_structure": _choice(rng, n, [c.code for c in codes.HOUSING_STRUCTURE],
                                         [0.2, 0.4, 0.2, 0.15, 0.05]),
            "housing_built_year": rng.integers(1970, y + 1, n),
            "housing_grade": _choice(rng, n, ["A", "B", "C", "D"], [0.5, 0.45, 0.04, 0.01]),
            "relocation_keys": np.zeros(n, bool),
            "water_source": np.full(n, "piped"),
            "water_litres_per_day": np.round(rng.uniform(15, 120, n), 1),
            "water_scarce_area": rng.random(n) < 0.2,
            "water_quality_ok": rng.random(n) < 0.97,
            "water_piped": rng.random(n) < 0.9,
            "water_trip_minutes": rng.integers(0, 40, n),
            "water_distance_m": rng.integers(0, 1500, n),
            "water_vertical_m": rng.integers(0, 120, n),
            "water_outage_days": rng.integers(0, 45, n),
            "electricity": rng.random(n) < 0.99,
            "fuel": np.full(n, "firewood"),
            "market_distance_km": np.round(rng.uniform(0.5, 30, n), 1),
            "road_hardened": rng.random(n) < 0.97,
            "main_cause": _choice(rng, n, ["1", "2", "5", "7", "8", "9"],
                                  [0.2, 0.1, 0.1, 0.3, 0.1, 0.2]),
            "other_cause_1": np.full(n, None).tolist(),
            "other_cause_2": np.full(n, None).tolist(),
        }))  # fmt: skip
    return pa.concat_tables(parts)
