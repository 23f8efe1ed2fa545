"""Registry files of any size for benchmarks, generated column-wise with numpy and polars:
one county with townships and villages, households of 1–7 members, valid and unique ID numbers."""

from __future__ import annotations

import numpy as np
import polars as pl

from lantu.registry.columns import BY_NAME

COUNTY = "530822000000"  # 墨江哈尼族自治县
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))


def region_rows(townships: int = 15, villages_per: int = 12) -> list[dict[str, str]]:
    rows = []
    for t in range(townships):
        tcode = f"{COUNTY[:6]}{100 + t:03d}000"
        rows.append(
            {
                "code": tcode,
                "name": f"第{t + 1}乡",
                "level": "township",
                "type": "乡",
                "parent_code": COUNTY,
            }
        )
        for v in range(villages_per):
            rows.append(
                {
                    "code": tcode[:9] + f"{200 + v:03d}",
                    "name": f"第{t + 1}乡{v + 1}村",
                    "level": "village",
                    "type": "行政村",
                    "parent_code": tcode,
                }
            )
    return rows


def id_numbers(n: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n unique valid 18-character ID numbers and their sex codes ('1'/'2')."""
    i = np.arange(start, start + n)
    days = (i // 500) * 11 % 30000  # unique per block of 500 people, spread over ~80 years
    birth = np.datetime64("1935-01-01") + days.astype("timedelta64[D]")
    order = (i % 500) * 2 + (i % 2)
    ymd = np.char.replace(birth.astype(str), "-", "")
    body = np.char.add(np.char.add(COUNTY[:6], ymd), np.char.zfill(order.astype(str), 3))
    digits = np.array([list(b) for b in body], dtype=np.int64)
    check = CHECK[(digits * WEIGHTS).sum(axis=1) % 11]
    sex = np.where(order % 2 == 1, "1", "2")
    return np.char.add(body, check), sex


def registry_frame(members: int, seed: int = 7) -> pl.DataFrame:
    """The flat registry layout (one row per member) with canonical column names."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, size=members // 3)
    sizes = sizes[np.cumsum(sizes) <= members]
    sizes[-1] += members - sizes.sum()
    n_hh = len(sizes)
    hh_index = np.repeat(np.arange(n_hh), sizes)
    first = np.r_[True, hh_index[1:] != hh_index[:-1]]
    ids, sex = id_numbers(members)
    villages = [r["code"] for r in region_rows() if r["level"] == "village"]
    hh_village = np.array(villages)[rng.integers(0, len(villages), n_hh)]
    relation = np.where(first, "head", np.where(rng.random(members) < 0.3, "spouse", "child"))
    wage = rng.gamma(2.0, 2500, n_hh).round(2)
    frame = pl.DataFrame(
        {
            "household_no": np.char.add("H", np.char.zfill(hh_index.astype(str), 8)),
            "region_code": hh_village[hh_index],
            "household_type": np.array(["general", "dibao", "tekun"])[rng.integers(0, 3, n_hh)][
                hh_index
            ],
            "registration_year": np.full(members, "2014"),
            "status": np.array(["poor", "exited"])[rng.integers(0, 2, n_hh)][hh_index],
            "name": np.char.add("测试", np.char.zfill((np.arange(members) % 9973).astype(str), 4)),
            "id_number": ids,
            "sex": sex,
            "relation": relation,
            "ethnicity": np.array(["01", "16", "07"])[rng.integers(0, 3, members)],
            "labour": np.array(["ordinary", "weak", "none"])[rng.integers(0, 3, members)],
            "year": np.full(members, "2019"),
            "wage_income": wage[hh_index].astype(str),
            "business_income": rng.gamma(2.0, 800, n_hh).round(2)[hh_index].astype(str),
            "production_cost": rng.gamma(2.0, 200, n_hh).round(2)[hh_index].astype(str),
            "housing_grade": np.array(["A", "B", "C"])[rng.integers(0, 3, n_hh)][hh_index],
            "main_cause": rng.integers(1, 13, n_hh).astype(str)[hh_index],
        }
    )
    # Household and yearly values only on the head's row, as cadres fill them in.
    hh_cols = [c for c in frame.columns if BY_NAME[c].level != "member" and c != "household_no"]
    return frame.with_columns(
        [pl.when(pl.Series(first)).then(pl.col(c)).otherwise(pl.lit("")).alias(c) for c in hh_cols]
    )


def to_csv(frame: pl.DataFrame) -> bytes:
    """With the Chinese headers a county's file has."""
    return frame.rename({c: BY_NAME[c].zh for c in frame.columns}).write_csv().encode()
