"""Benchmark of the linkage passes on generated data (not a test; prints figures).

    .venv/bin/python bench/bench_matching.py                 # 1M exact+repair, 100k probabilistic
    .venv/bin/python bench/bench_matching.py --full          # + 10M vs 10M, 1M probabilistic
    .venv/bin/python bench/bench_matching.py --probabilistic-only 10000000 --records 1000000 \
        --memory-limit 4GB [--noise default|4x]                # 1M records vs 10M people

Registry people and department records are generated with the simulator's identity functions
(real GB 11643 numbers, Yunnan-like names). Half the department records are registry people, with
the department noise of the simulator's defaults (0.5% mistyped numbers, half of them adjacent
transpositions; 1% variant names); the other half are people outside the registry. The
probabilistic input is records without an ID number, carrying name, birth date, sex and county,
for registry people and strangers, with the simulator's department noise (``--noise default``:
params.yaml ``departments.name_variant`` homophone variants, ``departments.birth_date_error``
birth dates off by a month or a year) or a stress figure (``--noise 4x``: four times the
birth-date error), over one of two maps (``--geography``: nine counties of one village each,
or the simulator's province). Prints medians over repeats, the ratio to the issue's target, and
peak memory (RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import django
import numpy as np
import polars as pl

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
django.setup()

from lantu.matching import frames, linkage, probabilistic  # noqa: E402
from lantu.simulator import identity  # noqa: E402
from lantu.simulator.params import Params  # noqa: E402

COUNTIES = np.array([530602, 530621, 530622, 530623, 530624, 530625, 530626, 530627, 530628])
# Where people live (village codes, spread evenly): ``--geography nine`` (default, the earlier
# rows' map) puts everyone in one village of each of nine Zhaotong counties, 1.1M people a county
# at 10M; ``province``: the simulator's map, 14,678 villages in Yunnan's 129 counties.
GEOGRAPHIES = ("nine", "province")
PLACES = {"codes": [f"{c}001201" for c in COUNTIES]}


def use_geography(name: str) -> None:
    if name == "province":
        from lantu.simulator import geography

        villages = geography.build(Params.load(), 1).villages
        PLACES["codes"] = villages["code"].cast(pl.String).to_list()


TARGET_DETERMINISTIC = 60.0  # seconds, 10M vs 10M (issue 6)
TARGET_PROBABILISTIC = 600.0  # seconds, 1M records (issue 6)
# The probabilistic input's noise: the simulator's department rates, times these factors.
NOISE = {"default": 1.0, "4x": 4.0}  # factor on the birth-date error


def noise_rates(level: str) -> tuple[float, float]:
    """(name variant share, birth-date error share) of ``--noise level``, from params.yaml."""
    p = Params.load()
    return p.f("departments.name_variant"), p.f("departments.birth_date_error") * NOISE[level]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def population(rng: np.random.Generator, n: int) -> pl.DataFrame:
    sex = rng.integers(1, 3, n)
    days = rng.integers(-20000, 18000, n)  # births 1915-2019
    village = pl.Series(PLACES["codes"]).gather(rng.integers(0, len(PLACES["codes"]), n))
    county = village.str.slice(0, 6).cast(pl.Int64).to_numpy()
    body = identity.id_bodies(rng, county, days, sex)
    return pl.DataFrame(
        {
            "id_number": identity.id_strings(body),
            "name": identity.names(rng, identity.draw_surnames(rng, n), sex),
            "birth_date": (identity.EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]"),
            "sex": sex.astype(str),
            "region_code": village,
        }
    )


def datasets(n_people: int, n_records: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    world = population(rng, n_people + n_records // 2)
    people = world.head(n_people).with_columns(
        member=pl.int_range(0, n_people, dtype=pl.Int64), active=pl.lit(True)
    )
    pick = np.concatenate(
        [rng.choice(n_people, n_records - n_records // 2, replace=False),
         np.arange(n_people, n_people + n_records // 2)]
    )  # fmt: skip
    recs = world[pick]
    ids = identity.mistype(rng, recs["id_number"], 0.0025, 0.0025)
    names = identity.vary_names(rng, recs["name"], 0.01)
    records = recs.with_columns(
        ids.alias("id_number"), names.alias("name"), rec=pl.int_range(0, len(pick), dtype=pl.Int64)
    )
    return people, records


def probabilistic_input(
    people: pl.DataFrame, n: int, noise: str = "default", seed: int = 11
) -> pl.DataFrame:
    """n records without ID numbers: 60% registry people (noisy), 40% strangers."""
    name_rate, birth_rate = noise_rates(noise)
    rng = np.random.default_rng(seed)
    k = int(n * 0.6)
    mine = people[rng.choice(people.height, k, replace=False)]
    strangers = population(rng, n - k).with_columns(member=pl.lit(-1, dtype=pl.Int64))
    both = pl.concat([mine.select(strangers.columns), strangers])
    shift = np.where(rng.random(n) < birth_rate, rng.choice([-30, 30, 365, -365], n), 0)
    return both.with_columns(
        identity.vary_names(rng, both["name"], name_rate).alias("name"),
        (pl.col("birth_date") + pl.Series(shift).cast(pl.Duration("ms")) * 86_400_000),
        pl.lit("").alias("id_number"),
        pl.col("region_code").str.slice(0, 6) + "000000",
        rec=pl.int_range(0, n, dtype=pl.Int64),
    )


def time_it(fn, repeats: int) -> tuple[float, object]:
    """Median wall time; also prints the median CPU time, which other processes sharing the
    two cores inflate far less than wall time."""
    times, cpu, out = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    load = os.getloadavg()[0]
    print(f"    (CPU {statistics.median(cpu):.1f}s; machine load average {load:.1f} on 2 cores)")
    return statistics.median(times), out


def bench_deterministic(n: int, repeats: int) -> tuple[float, pl.DataFrame]:
    t = time.perf_counter()
    people, records = datasets(n, n)
    p, r = frames.people(people), frames.records(records)
    del records
    print(f"  generated {n:,} people + {n:,} records in {time.perf_counter() - t:.1f}s")
    median, links = time_it(lambda: linkage.deterministic(r, p), repeats)
    by = pl.from_arrow(links).group_by("method").len().sort("method").rows()  # type: ignore[union-attr]
    print(
        f"  exact + repair {n:,} vs {n:,}: median {median:.1f}s over {repeats} "
        f"(target {TARGET_DETERMINISTIC:.0f}s at 10M), links {dict(by)}, peak {peak_mb():,.0f} MB"
    )
    return median, people


CFG: dict[str, object] = {}  # linkage.yaml, with --memory-limit's DuckDB settings


def bench_probabilistic(people: pl.DataFrame, n: int, repeats: int, noise: str) -> float:
    n_people = people.height
    recs = probabilistic_input(people, n, noise)
    name_rate, birth_rate = noise_rates(noise)
    print(
        f"  noise {noise}: {name_rate:.2%} variant names, "
        f"{birth_rate:.2%} birth dates a month or a year off"
    )
    p, r = frames.people(people), frames.records(recs)
    cfg = {**probabilistic.config(), **CFG}
    median, out = time_it(lambda: probabilistic.link(r, p, cfg=cfg), repeats)
    truth = dict(zip(recs["rec"].to_list(), recs["member"].to_list(), strict=True))
    links = out.links.to_pylist()  # type: ignore[attr-defined]
    right = sum(truth[x["rec"]] == x["member"] for x in links)
    linkable = int((recs["member"] >= 0).sum())
    print(
        f"  probabilistic {n:,} records vs {n_people:,} people: median {median:.1f}s over "
        f"{repeats} (target {TARGET_PROBABILISTIC:.0f}s at 1M); links {len(links):,}, "
        f"precision {right / max(len(links), 1):.4f}, recall {right / max(linkable, 1):.4f}, "
        f"review {out.review.num_rows:,}; peak {peak_mb():,.0f} MB"  # type: ignore[attr-defined]
    )
    # Higher link thresholds keep exactly the links at or above them (same runner-up rule).
    for bar in (0.9, 0.95, 0.99):
        kept = [x for x in links if x["probability"] >= bar]
        ok = sum(truth[x["rec"]] == x["member"] for x in kept)
        print(
            f"    at link {bar}: links {len(kept):,}, precision {ok / max(len(kept), 1):.4f}, "
            f"recall {ok / max(linkable, 1):.4f}"
        )
    return median


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="10M exact+repair and 1M probabilistic")
    ap.add_argument("--quick", action="store_true", help="a smoke run at 100k / 10k")
    ap.add_argument(
        "--probabilistic-only",
        type=int,
        metavar="PEOPLE",
        help="only the probabilistic pass: records (--records) against PEOPLE registry people",
    )
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--memory-limit", help="DuckDB memory_limit for the probabilistic pass (5GB)")
    ap.add_argument("--temp-directory", default="/work/data/matching/duckdb_tmp")
    ap.add_argument("--link", type=float, help="the birth-date bar (auto_link), default 0.80")
    ap.add_argument(
        "--noise",
        choices=list(NOISE),
        default="default",
        help="the probabilistic input's noise: the simulator's department rates (params.yaml), "
        "or 4x its birth-date error (a stress figure)",
    )
    ap.add_argument(
        "--geography",
        choices=GEOGRAPHIES,
        default="nine",
        help="where people live: nine counties of one village each (the earlier rows), or the "
        "simulator's province (14,678 villages, 129 counties)",
    )
    args = ap.parse_args()
    use_geography(args.geography)
    if args.link is not None:
        alts = probabilistic.config()["auto_link"]
        CFG["auto_link"] = [
            {**a, "link": args.link} if a["needs"] == ["birth_date"] else a for a in alts
        ]
    if args.memory_limit:
        Path(args.temp_directory).mkdir(parents=True, exist_ok=True)  # DuckDB makes one level only
        CFG["duckdb"] = {"memory_limit": args.memory_limit, "temp_directory": args.temp_directory}
    if args.probabilistic_only:
        t = time.perf_counter()
        people, _ = datasets(args.probabilistic_only, 0)
        print(f"  generated {people.height:,} people in {time.perf_counter() - t:.1f}s")
        print("probabilistic (Splink on DuckDB):")
        bench_probabilistic(people, args.records, args.repeats, args.noise)
        return
    scale = 10 if args.quick else 1
    print("exact + repair (DuckDB, set-wise):")
    small, people = bench_deterministic(1_000_000 // scale, 3)
    print("probabilistic (Splink on DuckDB):")
    p_small = bench_probabilistic(people, 100_000 // scale, 3, args.noise)
    if args.full:
        del people
        big, people = bench_deterministic(10_000_000, 1)
        print(
            f"  10M/1M time ratio {big / small:.1f}; 10M vs target {big / TARGET_DETERMINISTIC:.2f}"
        )
        p_big = bench_probabilistic(people, 1_000_000, 1, args.noise)
        print(
            f"  1M/100k time ratio {p_big / p_small:.1f}; "
            f"1M vs target {p_big / TARGET_PROBABILISTIC:.2f}"
        )


if __name__ == "__main__":
    main()
