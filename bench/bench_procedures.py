"""Procedure engine benchmark, on a loaded county (the demo's database: ``lantu demo --no-serve``).

Every measurement runs inside a transaction that is rolled back, so the database is left as it
was. Prints medians over --repeat runs, side-by-side ratios and peak memory:

1. opening N monitoring cases: one bulk ``open_cases`` vs N single ``open_case`` calls;
2. acting: N single approvals with step records (the verification step), per case;
3. the county's work queue, first 50 rows (what the page runs);
4. closing a year: the snapshot INSERT … SELECT, the Parquet copy and the report.

Usage: LANTU_VAR_DIR=/path/to/demo .venv/bin/python bench/bench_procedures.py [--n 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Rollback(Exception):
    pass


def timed(fn: Callable[[], Any]) -> float:
    from django.db import transaction

    start = time.perf_counter()
    try:
        with transaction.atomic():
            fn()
            raise Rollback
    except Rollback:
        pass
    return time.perf_counter() - start


def median(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from lantu.accounts.models import User
    from lantu.procedures import engine, queries, yearly
    from lantu.registry.models import Household

    households = list(
        Household.objects.filter(status__in=["exited", "risk_eliminated"])
        .exclude(cases__state__in=["open", "held"])
        .select_related("region", "region__parent")
        .order_by("id")[: args.n]
    )
    n = len(households)
    if n == 0:
        sys.exit("no exited households: run `lantu demo --no-serve` with this LANTU_VAR_DIR first")
    year = 2025
    bulk = median(
        lambda: engine.open_cases(actor=None, kind="monitoring", households=households, year=year),
        args.repeat,
    )
    single = median(
        lambda: [
            engine.open_case(actor=None, kind="monitoring", household=h, year=year)
            for h in households
        ],
        args.repeat,
    )
    checks = dict.fromkeys(("income", "housing", "property", "family", "conditions"), True)
    data = {"consent": True, "checklist": checks, "monitoring_type": "unstable"}

    def open_and_act() -> None:
        for c in engine.open_cases(actor=None, kind="monitoring", households=households, year=year):
            engine.act(actor=None, case_id=c.pk, version=c.version, action="approve", data=data)

    act_total = median(open_and_act, args.repeat) - bulk
    county = User.objects.filter(username="county").first()  # the demo's county approver

    def queue_page() -> None:
        engine.open_cases(actor=None, kind="monitoring", households=households, year=year)
        start = time.perf_counter()
        list(queries.queue(county, kind="")[:50])
        queue_times.append(time.perf_counter() - start)

    queue_times: list[float] = []
    if county is not None:
        for _ in range(args.repeat):
            timed(queue_page)
    close = median(lambda: yearly.close_year(actor=None, year=1999), args.repeat)
    total = Household.objects.count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"households in the county: {total}; cases per run: {n}; repeats: {args.repeat}")
    print(f"open {n} cases, bulk:        {bulk:8.3f} s  ({1000 * bulk / n:6.2f} ms/case)")
    print(f"open {n} cases, one by one:  {single:8.3f} s  ({1000 * single / n:6.2f} ms/case)")
    print(f"  bulk is {single / bulk:5.1f}x faster")
    print(
        f"act on {n} cases (with records): {act_total:8.3f} s  ({1000 * act_total / n:6.2f} ms/act)"
    )
    if queue_times:
        print(f"county queue, first 50 rows: {1000 * statistics.median(queue_times):8.2f} ms")
    print(f"close a year ({total} households): {close:8.3f} s")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
