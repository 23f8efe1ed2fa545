"""Turning the simulated arrays into files: each year's truth rows and observed registry rows, and
at the end the registry tables, the links from observed records to true people, the regions and
the departments' datasets.

Coded values are written as the slugs of ``lantu.registry.codes``; column names and their order
come from ``lantu.registry.columns``. Observed values carry the registry's noise: reported incomes
(the household's misreporting factor), typed ID numbers and names, a share of wrong birth dates.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from lantu.registry import codes
from lantu.registry.columns import YEAR_COLUMNS
from lantu.simulator import lifecycle as lc
from lantu.simulator import registry as rg
from lantu.simulator.economy import WATER_CLIMB_PER_MINUTE, WATER_METRES_PER_MINUTE
from lantu.simulator.params import Params
from lantu.simulator.people import World

if TYPE_CHECKING:
    from lantu.simulator.run import Buffers

Arrays = dict[str, np.ndarray]
PARQUET = {"compression": "lz4", "statistics": False}


def slugs(code_list: codes.CodeList, idx: np.ndarray, *, categorical: bool = False) -> pl.Series:
    """The code slugs at the given positions of a code list. The truth files use a categorical
    column (gathered and written as small integers with a dictionary: much faster at 10M rows)."""
    series = pl.Series([c.code for c in code_list], dtype=pl.String)
    if categorical:
        series = series.cast(pl.Categorical)
    return series.gather(idx.astype(np.int64))


_POOL = ThreadPoolExecutor(max_workers=1)
_PENDING: list[Future[None]] = []


def _write_now(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, **PARQUET)  # type: ignore[arg-type]


def write(frame: pl.DataFrame, path: Path) -> None:
    """Write in a background thread (Parquet encoding releases the GIL), so the next year is
    computed while this one is written; ``flush`` waits for every pending file."""
    _PENDING.append(_POOL.submit(_write_now, frame, path))
    _bound()


def _bound(most: int = 6) -> None:
    """Wait for the oldest files when too many are queued: bounds the memory they hold."""
    while len(_PENDING) > most:
        _PENDING.pop(0).result()


_WRITERS: dict[Path, pq.ParquetWriter] = {}


def _append_now(table: pa.Table, path: Path) -> None:
    if path not in _WRITERS:
        path.parent.mkdir(parents=True, exist_ok=True)
        _WRITERS[path] = pq.ParquetWriter(
            path, table.schema, compression="lz4", write_statistics=False
        )
    _WRITERS[path].write_table(table)


def append(frame: pl.DataFrame, path: Path) -> None:
    """Append a row group to a Parquet file that stays open until ``flush`` (same background
    thread as ``write``, so the order of row groups is the order of the calls)."""
    _PENDING.append(_POOL.submit(_append_now, frame.to_arrow(), path))
    _bound()


def _close_all() -> None:
    while _WRITERS:
        _WRITERS.pop(next(iter(_WRITERS))).close()


def flush() -> None:
    _PENDING.append(_POOL.submit(_close_all))
    while _PENDING:
        _PENDING.pop(0).result()


def _health(w: World) -> np.ndarray:
    P = w.P
    return np.where(P["disab"] > 0, 3, np.where(P["serious"], 2, np.where(P["chronic"], 1, 0)))


def _education(w: World, year: int, school: np.ndarray) -> np.ndarray:
    age = lc.ages(w, year)
    # Children: the level they are in or have finished; adults keep their attainment. A child of
    # 15 who did not drop out has been through junior secondary (the schooling model: 12-14 in
    # junior), so has at least junior attainment — nine years of compulsory schooling
    # completed (义务教育法 art. 2); the drawn adult attainment could say primary and the
    # registry then showed a finished child as out of school.
    finished = np.where(school == lc.S_DROPOUT, w.P["edu"], np.maximum(w.P["edu"], 2))
    child = np.select([age < 6, age < 12, age < 15], [6, 1, 2], default=finished)
    return np.where(age < 16, child, w.P["edu"]).astype(np.int8)


def hh_numbers(w: World, village_codes: np.ndarray) -> None:
    """Give households newly in the registry a number: village code + 4-digit sequence."""
    H = w.H
    if "hh_seq" not in H or len(H["hh_seq"]) < w.n_households:
        old = H.get("hh_seq", np.zeros(0, dtype=np.int32))
        H["hh_seq"] = np.concatenate([old, np.zeros(w.n_households - len(old), dtype=np.int32)])
    new = np.flatnonzero((H["reg"] != rg.NOT_REG) & (H["hh_seq"] == 0))
    if not len(new):
        return
    v = H["village"][new]
    counts = np.bincount(H["village"][H["hh_seq"] > 0], minlength=len(village_codes))
    order = np.lexsort((new, v))
    v_sorted = v[order]
    first = np.searchsorted(v_sorted, v_sorted, side="left")
    H["hh_seq"][new[order]] = counts[v_sorted] + (np.arange(len(order)) - first) + 1


def village_code(w: World, hh: np.ndarray) -> pl.Series:
    """The village code of each given household."""
    return w.villages["code"].gather(w.H["village"][hh].astype(np.int64))


def household_no(w: World, idx: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({"v": village_code(w, idx), "s": w.H["hh_seq"][idx]})
    return frame.select(pl.concat_str("v", pl.col("s").cast(pl.String).str.zfill(4)))["v"]


def _causes(w: World, idx: np.ndarray, inc: Arrays, year: int, ev: Arrays) -> np.ndarray:
    P, H = w.P, w.H
    n_h = w.n_households
    flags = {}
    for name, mask in (("1", P["serious"] | P["chronic"]), ("2", P["disab"] > 0)):
        f = np.zeros(n_h, dtype=bool)
        f[P["hh"][P["present"] & mask]] = True
        flags[name] = f
    labourers = np.bincount(
        P["hh"][P["present"] & (lc.ages(w, year) >= 16) & (lc.ages(w, year) < 60)], minlength=n_h
    )
    v_index = w.villages["index"].to_numpy()[H["village"]]
    conds = [
        flags["1"],
        flags["2"],
        ev.get("disaster", np.zeros(n_h, bool)),
        H["land"] < 2.0,
        H["scarce"],
        labourers == 0,
        v_index > 1.2,
        H["skill"] < 0.6,
    ]
    choices = np.array([1, 2, 4, 5, 6, 8, 10, 7])
    main = np.select(conds, choices, default=9)[idx]
    return main.astype(np.int64) - 1


def write_year(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    ev: Arrays,
    inc: Arrays,
    g: Arrays,
    truth: Arrays,
    school: np.ndarray,
    lab: np.ndarray,
    med: Arrays,
    dis: Arrays,
    buf: Buffers,
    out: Path,
) -> None:
    P, H = w.P, w.H
    vcodes = w.villages["code"].to_numpy()
    hh_numbers(w, vcodes)
    present = np.flatnonzero(P["present"])
    age = lc.ages(w, year)
    health = _health(w)
    edu = _education(w, year, school)
    write(
        pl.DataFrame(
            {
                "person_id": present,
                "year": np.full(len(present), year, dtype=np.int16),
                "household_id": P["hh"][present],
                "relation": slugs(codes.RELATION, P["rel"][present], categorical=True),
                "age": age[present],
                "health": slugs(codes.HEALTH, health[present], categorical=True),
                "disability_grade": P["disab"][present],
                "labour": slugs(codes.LABOUR, lab[present], categorical=True),
                "work": slugs(codes.WORK, P["work"][present], categorical=True),
                "work_months": P["months"][present],
                "schooling": slugs(codes.SCHOOLING, school[present], categorical=True),
                "education": slugs(codes.EDUCATION, edu[present], categorical=True),
                "medical_insurance": P["insured"][present],
                "pension_insurance": P["pension"][present],
            }
        ),
        out / "truth" / "person_years" / f"{year}.parquet",
    )
    alive = np.flatnonzero(inc["size"] > 0)
    hy = {
        "household_id": alive,
        "year": np.full(len(alive), year, dtype=np.int16),
        "village_code": village_code(w, alive),
    }
    for key in ("size", "wage", "business", "property", "transfer", "cost", "net", "pc", "dibao"):
        hy[key] = inc[key][alive]
    hy["medical_out_of_pocket"] = np.round(med["hh_oop"][alive], 0)
    hy["housing_grade"] = slugs(codes.HOUSING_GRADE, H["grade"][alive], categorical=True)
    for key in ("piped", "central", "relocated", "renovated", "industry"):
        hy[key] = H[key][alive]
    hy["water_quality_bad"] = H["quality_bad"][alive]
    for key in (
        "death",
        "birth",
        "marriage",
        "split",
        "illness",
        "disability",
        "disaster",
        "job_loss",
    ):
        hy[f"shock_{key}"] = ev[key][alive] if key in ev else np.zeros(len(alive), dtype=bool)
    for key, values in g.items():
        hy[key] = values[alive]
    hy["true_poor"] = truth["true_poor"][alive]
    hy["true_monitoring"] = pl.Series(
        [None, "unstable", "marginal", "sudden"], dtype=pl.String
    ).gather(truth["true_monitoring"][alive])
    hy["registry_status"] = slugs(codes.STATUS, H["reg"][alive], categorical=True)
    write(pl.DataFrame(hy), out / "truth" / "household_years" / f"{year}.parquet")
    _observed_year(w, p, rng, year, ev, inc, school, lab, health, edu, vcodes, buf, out)
    from lantu.simulator import departments

    departments.collect(w, p, rng, year, inc, med, dis, school, buf)


def _observed_year(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    ev: Arrays,
    inc: Arrays,
    school: np.ndarray,
    lab: np.ndarray,
    health: np.ndarray,
    edu: np.ndarray,
    vcodes: np.ndarray,
    buf: Buffers,
    out: Path,
) -> None:
    P, H = w.P, w.H
    on = np.isin(H["reg"], (rg.POOR, rg.EXITED, rg.MONITORED, rg.ELIMINATED, rg.RETURNED)) & (
        inc["size"] > 0
    )
    idx = np.flatnonzero(on)
    factor = np.exp(H["report"][idx] - 0.05 + rng.normal(0, 0.15, len(idx)))
    money = {k: np.round(inc[k][idx] * factor, 0) for k in ("wage", "business", "property", "cost")}
    transfer = inc["transfer"][idx]
    v_index = w.villages["index"].to_numpy()[H["village"][idx]]
    causes = _causes(w, idx, inc, year, ev)
    second = np.where(
        rng.random(len(idx)) < 0.5, (causes + 1 + rng.integers(0, 10, len(idx))) % 12, -1
    )
    n = len(idx)
    frame = pl.DataFrame(
        {
            "household_no": household_no(w, idx),
            "year": np.full(n, year, dtype=np.int32),
            "size": inc["size"][idx].astype(np.int32),
            "wage_income": money["wage"],
            "business_income": money["business"],
            "property_income": money["property"],
            "transfer_income": transfer,
            "total_income": money["wage"] + money["business"] + money["property"] + transfer,
            "production_cost": money["cost"],
            "medical_out_of_pocket": np.round(inc["hh_oop"][idx], 0),
            "education_expense": np.round(
                np.bincount(
                    P["hh"][P["present"] & (school >= lc.S_SENIOR) & (school <= lc.S_HIGHER)],
                    minlength=w.n_households,
                )[idx]
                * p.f("income.education_expense_per_student"),
                0,
            ),
            "housing_area": np.round(H["area"][idx], 1).astype(np.float64),
            "housing_structure": slugs(codes.HOUSING_STRUCTURE, H["structure"][idx]),
            "housing_built_year": H["built"][idx].astype(np.int32),
            "housing_grade": slugs(codes.HOUSING_GRADE, H["grade"][idx]),
            "relocation_keys": H["relocated"][idx] > 0,
            "water_source": slugs(
                codes.WATER_SOURCE, np.where(H["central"][idx], 0, 1 + (H["trip"][idx] > 10))
            ),
            "water_litres_per_day": np.where(
                H["central"][idx], 60.0, np.where(H["scarce"][idx], 25.0, 40.0)
            ),
            "water_scarce_area": H["scarce"][idx],
            # The true quality (living.py), as the village's sensory test reads it: misread for a
            # set share of dispersed sources (params.yaml water.quality_misread_share), the same
            # source the same way every year.
            "water_quality_ok": H["central"][idx]
            | (
                ~H["quality_bad"][idx]
                != (H["u_quality_read"][idx] < p.f("water.quality_misread_share"))
            ),
            "water_piped": H["piped"][idx],
            "water_trip_minutes": np.where(H["piped"][idx], 0, H["trip"][idx]).astype(np.int32),
            "water_distance_m": np.where(
                H["piped"][idx], 0, H["trip"][idx] * WATER_METRES_PER_MINUTE
            ).astype(np.int32),
            "water_vertical_m": np.where(
                H["piped"][idx], 0, H["trip"][idx] * WATER_CLIMB_PER_MINUTE
            ).astype(np.int32),
            "water_outage_days": H["outage"][idx].astype(np.int32),
            "electricity": rng.random(n) < 0.995,
            "fuel": slugs(codes.FUEL, np.where(rng.random(n) < 0.6 - 0.03 * (year - 2014), 0, 2)),
            "market_distance_km": np.round(
                np.clip(3 + 4 * v_index + rng.normal(0, 1, n), 0.5, 40), 1
            ),
            "road_hardened": rng.random(n) < np.clip(0.6 + 0.07 * (year - 2014), 0, 1),
            "main_cause": slugs(codes.CAUSE, causes),
            "other_cause_1": slugs(codes.CAUSE, np.maximum(second, 0)),
            "has_second": second >= 0,
        }
    ).with_columns(
        pl.when("has_second").then("other_cause_1").otherwise(None).alias("other_cause_1"),
        pl.lit(None, dtype=pl.String).alias("other_cause_2"),
    )
    frame = frame.select("household_no", *[c.name for c in YEAR_COLUMNS])
    append(frame.sort("household_no"), out / "observed" / "registry" / "years.parquet")
    active = np.isin(H["reg"], (rg.POOR, rg.RETURNED))
    n_v = len(vcodes)
    buf.incidence.append(
        pl.DataFrame(
            {
                "village_idx": np.arange(n_v),
                "year": np.full(n_v, year),
                "poor_people": np.bincount(
                    H["village"], weights=inc["size"] * active, minlength=n_v
                ),
                "people": np.bincount(H["village"], weights=inc["size"], minlength=n_v),
            }
        )
    )
    members = np.flatnonzero(P["present"] & on[P["hh"]])
    write(
        pl.DataFrame(
            {
                "household_no": household_no(w, P["hh"][members]),
                "id_number": w.series["reg_id"].gather(members),
                "year": np.full(len(members), year, dtype=np.int32),
                "work": slugs(codes.WORK, P["work"][members]),
                "work_months": P["months"][members].astype(np.int32),
                "schooling": slugs(codes.SCHOOLING, school[members]),
                "education": slugs(codes.EDUCATION, edu[members]),  # attained so far
                "health": slugs(codes.HEALTH, health[members]),
                "labour": slugs(codes.LABOUR, lab[members]),
                "disability_grade": P["disab"][members].astype(np.int32),
            }
        ),
        out / "observed" / "registry" / "member_years" / f"{year}.parquet",
    )
    w.extra["last_school"], w.extra["last_lab"], w.extra["last_edu"] = school, lab, edu
    w.extra["last_dibao"] = inc["dibao"]
