"""Scope and list benchmark (issue 2): the full Yunnan tree (16 prefectures, 129 counties, ~1,410
townships, ~14,700 villages) and a 1,000,000-member registry in SQLite; times the queries a web
request makes: a region's subtree, the household list's first and a deep page, a filtered list,
an ID-number search and a name search, for users bound at each level. Medians of repeats.

Usage: .venv/bin/python bench/bench_scope.py [--members 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def full_tree() -> list[dict[str, str]]:
    """~11 townships per county and ~10.4 villages per township, as Yunnan's 1410/14678."""
    from lantu.regions.models import Region

    rows = []
    counties = list(
        Region.objects.filter(level="county").order_by("code").values_list("code", flat=True)
    )
    t_total, v_total = 1410, 14678
    for ci, county in enumerate(counties):
        n_t = t_total // len(counties) + (1 if ci < t_total % len(counties) else 0)
        for t in range(n_t):
            tcode = f"{county[:6]}{100 + t:03d}000"
            rows.append(
                {"code": tcode, "name": f"乡{ci}-{t}", "level": "township", "type": "乡",
                 "parent_code": county}
            )  # fmt: skip
            n_v = v_total // t_total + (1 if (ci * 11 + t) % 10 < 4 else 0)
            for v in range(n_v):
                rows.append(
                    {"code": tcode[:9] + f"{200 + v:03d}", "name": f"村{ci}-{t}-{v}",
                     "level": "village", "type": "行政村", "parent_code": tcode}
                )  # fmt: skip
    return rows


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    from bench.bench_import import setup_django

    tmp = Path(tempfile.mkdtemp(prefix="lantu-scope-"))
    setup_django(tmp / "scope.sqlite3")
    import numpy as np
    import polars as pl

    from bench.registry_data import registry_frame, to_csv
    from lantu.accounts.models import User
    from lantu.regions.models import Region
    from lantu.regions.queries import subtree
    from lantu.regions.services import load_regions, load_yunnan
    from lantu.registry import queries
    from lantu.registry.imports import import_file
    from lantu.registry.loadmode import initial_load

    load_yunnan()
    t = time.perf_counter()
    load_regions(full_tree())
    villages = list(Region.objects.filter(level="village").values_list("code", flat=True))
    print(f"# scope benchmark: {Region.objects.count():,} regions ({len(villages):,} villages) "
          f"loaded in {time.perf_counter() - t:.1f}s")  # fmt: skip
    frame = registry_frame(args.members)
    rng = np.random.default_rng(3)
    # Spread households over the villages of three prefectures (a realistic load per province).
    chosen = [v for v in villages if v[:4] in ("5308", "5325", "5333")]
    codes = np.array(chosen)[rng.integers(0, len(chosen), frame.height)]
    frame = frame.with_columns(
        pl.when(pl.col("region_code") != "")
        .then(pl.Series(codes))
        .otherwise(pl.lit(""))
        .alias("region_code")
    )
    t = time.perf_counter()
    with initial_load(actor=None, reason="bench: initial load"):
        report = import_file(to_csv(frame), "scope.csv", actor=None)
    assert report.ok, report.errors[:3]
    print(f"registry: {args.members:,} members imported in {time.perf_counter() - t:.1f}s")
    hh = queries.Household.objects.order_by("id").first()
    assert hh is not None
    chain = {r.level: r for r in hh.region.ancestors()}
    head = hh.members.get(relation="head")
    print(f"{'user bound at':<12} {'subtree':>9} {'page 1':>8} {'page 50':>8} {'status':>8} "
          f"{'ID':>7} {'name':>7}   (ms, median of {args.repeat})")  # fmt: skip
    for level in ("province", "prefecture", "county", "township", "village"):
        user = User(username=f"u-{level}", region=chain[level], roles=["county_approval"])
        cols = measure(queries, subtree, user, chain[level], head, args.repeat)
        print(f"{level:<12} " + " ".join(f"{c:>8.1f}" for c in cols))


def measure(queries, subtree, user, root, head, repeat: int) -> list[float]:
    from lantu.core import paging

    def first_page(f, number=1):
        return lambda: list(paging.page(queries.households(user, f), number).rows)

    def search(f):
        return lambda: list(queries.households(user, f)[:50])

    every = queries.HouseholdFilter()
    return [
        timed(lambda: subtree(root).count(), repeat),
        timed(first_page(every), repeat),
        timed(first_page(every, 50), repeat),
        timed(first_page(queries.HouseholdFilter(status="exited")), repeat),
        timed(search(queries.HouseholdFilter(q=head.id_number)), repeat),
        timed(search(queries.HouseholdFilter(q=head.name)), repeat),
    ]


if __name__ == "__main__":
    main()
