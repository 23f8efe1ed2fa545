"""The synthetic province's map: the real prefectures and counties (GB/T 2260, from the shipped
divisions file), generated townships and villages under them, and a poverty index per village.

How it works: townships and villages are spread over counties in proportion to a random county
weight (largest remainder, so the totals are exactly the platform's 1,410 and 14,678). A county
poverty index is drawn; the 88 highest are the poverty counties. A village's index adds township and
village noise to its county's; the 8,502 highest are the poor villages of 2014. Counties exit in
the yearly batch sizes of the parameter file, least poor first. The whole province is always built,
so that a county preset is the same county it would be in the province run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lantu.regions.services import read_division_rows
from lantu.simulator.params import Params, stream

_NAME_CHARS = list(
    "大小新老河坝山龙石马水田平沙松花草白黑红青中上下东西南北坡箐塘寨营哨街岩桥村湾沟冲子"
    "凤鹤羊牛金银木竹梨桃李杨柳樟核云雾阳安宁和兴福德长乐丰永庆太富"
)


@dataclass
class Geography:
    regions: pl.DataFrame  # code, name, level, type, parent_code (in scope)
    villages: pl.DataFrame  # village_idx, code, township, county, prefecture, index, poor_2014
    counties: pl.DataFrame  # code, name, prefecture, index, poor, exit_year


def _allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integer shares of ``total`` by ``weights``, each at least ``minimum`` (largest remainder)."""
    spare = total - minimum * len(weights)
    raw = weights / weights.sum() * spare
    base = np.floor(raw).astype(np.int64)
    left = spare - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:left]] += 1
    return base + minimum


def _names(rng: np.random.Generator, n: int, suffix: str) -> list[str]:
    chars = np.array(_NAME_CHARS)
    a = chars[rng.integers(0, len(chars), n)]
    b = chars[rng.integers(0, len(chars), n)]
    return [f"{x}{y}{suffix}" for x, y in zip(a, b, strict=True)]


def _county_exit_years(p: Params, index: np.ndarray, poor: np.ndarray) -> np.ndarray:
    exits = np.zeros(len(index), dtype=np.int32)
    poor_ids = np.flatnonzero(poor)
    order = poor_ids[np.argsort(index[poor_ids], kind="stable")]  # least poor exit first
    start = 0
    for year, count in sorted(p.get("scale.county_exits").items()):
        exits[order[start : start + int(count)]] = int(year)
        start += int(count)
    exits[order[start:]] = max(int(y) for y in p.get("scale.county_exits"))
    return exits


def build(p: Params, seed: int) -> Geography:
    rng = stream(seed, "geography")
    rows = read_division_rows()
    county_rows = [r for r in rows if r["level"] == "county"]
    n_c = len(county_rows)
    weight = rng.lognormal(0.0, 0.5, n_c)
    c_index = rng.normal(0.0, 1.0, n_c)
    c_poor = np.zeros(n_c, dtype=bool)
    c_poor[np.argsort(-c_index, kind="stable")[: int(p.get("scale.poor_counties"))]] = True
    counties = pl.DataFrame(
        {
            "code": [r["code"] for r in county_rows],
            "name": [r["name"] for r in county_rows],
            "prefecture": [r["parent_code"] for r in county_rows],
            "index": c_index,
            "poor": c_poor,
            "exit_year": _county_exit_years(p, c_index, c_poor),
        }
    )
    n_towns = _allocate(int(p.get("scale.townships")), weight, 3)
    t_county = np.repeat(np.arange(n_c), n_towns)
    t_weight = weight[t_county] * rng.lognormal(0.0, 0.3, len(t_county))
    n_vill = _allocate(int(p.get("scale.villages")), t_weight, 3)
    t_seq = np.concatenate([np.arange(1, k + 1) for k in n_towns])
    c6 = np.array([r["code"][:6] for r in county_rows])
    t_code = np.char.add(np.char.add(c6[t_county], np.char.zfill(t_seq.astype(str), 3)), "000")
    v_town = np.repeat(np.arange(len(t_county)), n_vill)
    v_seq = np.concatenate([np.arange(201, 201 + k) for k in n_vill])
    v_code = np.char.add(np.array([c[:9] for c in t_code])[v_town], v_seq.astype(str))
    t_noise = rng.normal(0.0, 0.45, len(t_county))
    v_index = 0.8 * c_index[t_county][v_town] + t_noise[v_town] + rng.normal(0.0, 0.5, len(v_town))
    v_poor = np.zeros(len(v_town), dtype=bool)
    v_poor[np.argsort(-v_index, kind="stable")[: int(p.get("scale.poor_villages"))]] = True
    pref = np.array([r["parent_code"] for r in county_rows])
    villages = pl.DataFrame(
        {
            "village_idx": np.arange(len(v_town), dtype=np.int32),
            "code": v_code,
            "township": t_code[v_town],
            "county": np.array([r["code"] for r in county_rows])[t_county][v_town],
            "prefecture": pref[t_county][v_town],
            "index": v_index,
            "poor_2014": v_poor,
            "weight": t_weight[v_town]
            * rng.lognormal(0.0, p.f("households.village_weight_sigma"), len(v_town)),
        }
    )
    town_df = pl.DataFrame(
        {
            "code": t_code,
            "name": _names(rng, len(t_code), "镇"),
            "level": "township",
            "type": "乡镇",
            "parent_code": np.array([r["code"] for r in county_rows])[t_county],
        }
    )
    vill_df = pl.DataFrame(
        {
            "code": v_code,
            "name": _names(rng, len(v_code), "村"),
            "level": "village",
            "type": "村委会",
            "parent_code": t_code[v_town],
        }
    )
    top = pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "name": pl.String,
            "level": pl.String,
            "type": pl.String,
            "parent_code": pl.String,
        },
    )
    regions = pl.concat([top, town_df, vill_df]).with_columns(
        pl.col("parent_code").replace("", None)
    )
    return Geography(regions=regions, villages=villages, counties=counties)


def restrict(geo: Geography, p: Params, preset: str) -> Geography:
    """The part of the province a preset simulates, with the regions above it kept for the tree."""
    spec = p.get(f"presets.{preset}")
    region = str(spec["region"])
    if preset == "county":
        in_pref = geo.counties.filter(pl.col("prefecture").str.starts_with(region) & pl.col("poor"))
        county = in_pref.sort("code")["code"][0]
        keep_v = geo.villages.filter(pl.col("county") == county)
    elif preset == "prefecture":
        keep_v = geo.villages.filter(pl.col("prefecture").str.starts_with(region))
    else:
        keep_v = geo.villages
    counties = geo.counties.filter(pl.col("code").is_in(keep_v["county"].unique().implode()))
    wanted = set(keep_v["code"]) | set(keep_v["township"]) | set(counties["code"])
    wanted |= set(counties["prefecture"]) | {"530000000000"}
    regions = geo.regions.filter(pl.col("code").is_in(sorted(wanted)))
    return Geography(regions=regions, villages=keep_v, counties=counties)
