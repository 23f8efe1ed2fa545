"""Projects and funds benchmark, on a loaded database with projects (a county: ``lantu load`` then
``lantu projects load`` of a simulation; or the demo's database).

1. importing N payments (default 1,000,000) through the importer (every check, one transaction,
   rolled back afterwards): total seconds and rows per second; target ≤ 60 s for 1M;
2. the roll-ups (county / township / village sums of allocations and payments) and the fund
   invariants and project checks over the whole database in the batch engine (DuckDB): seconds,
   and rows read; target ≤ 30 s at province scale;
3. the county library page (first page, totals for its rows): median milliseconds over --repeat
   requests; target ≤ 300 ms.

Allocations are raised (inside the rolled-back transaction) so the payments fit.
Usage: LANTU_VAR_DIR=DIR .venv/bin/python bench/bench_projects.py [--rows 1000000] [--repeat 20]
Province scale: wrap in ``flock /work/bench.lock``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Rollback(Exception):
    pass


def payments_frame(rows: int, seed: int = 1):  # type: ignore[no-untyped-def]
    import numpy as np
    import polars as pl
    from django.db import connection

    from lantu.registry.reader import ROW

    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT p.code, p.region_path FROM projects_project p "
            "JOIN projects_allocation a ON a.project_id = p.id"
        )
        projects = cur.fetchall()
        cur.execute(
            "SELECT household_no, region_path FROM registry_household "
            "WHERE status IN ('poor','exited','returned','monitored','risk_eliminated')"
        )
        households = cur.fetchall()
    rng = np.random.default_rng(seed)
    p_codes = np.array([c for c, _ in projects])
    h_nos = np.array([h for h, _ in households])
    pi = rng.integers(0, len(p_codes), rows)
    hi = rng.integers(0, len(h_nos), rows)
    start = datetime.date(2021, 1, 1).toordinal()
    dates = [
        datetime.date.fromordinal(start + int(d)).isoformat() for d in rng.integers(0, 365, rows)
    ]
    return pl.DataFrame(
        {
            "project_code": p_codes[pi],
            "household_no": h_nos[hi],
            "voucher": [f"B{i:08d}" for i in range(rows)],
            "item": ["产业奖补"] * rows,
            "payee_name": [""] * rows,
            "payee_id_number": [""] * rows,
            "bank_account": [""] * rows,
            "amount": [str(a) for a in rng.integers(100, 5000, rows)],
            "date": dates,
            ROW: np.arange(2, rows + 2),
        }
    )


def bench_import(rows: int) -> None:
    from django.db import connection, transaction

    from lantu.projects import files

    frame = payments_frame(rows)
    t = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("UPDATE projects_allocation SET amount = amount + 100000000000")
                cur.execute(
                    "UPDATE projects_fundavailability SET amount = amount + 100000000000000"
                )
            t = time.perf_counter()
            report = files.import_frame(
                files.TABLES["disbursements"], frame, actor=None, source="bench"
            )
            took = time.perf_counter() - t
            assert report.ok, report.errors[:3]
            raise Rollback
    except Rollback:
        pass
    print(
        f"1. import {rows:,} payments: {took:.1f} s ({rows / took:,.0f} rows/s); "
        f"target 60 s for 1M: ratio {took / 60 * 1_000_000 / rows:.2f}"
    )


def bench_rollups() -> None:
    import duckdb

    from lantu.projects import checks

    t = time.perf_counter()
    data = checks.tables("/")
    read = time.perf_counter() - t
    con = duckdb.connect()
    for name, table in data.items():
        con.register(name, table)
    t2 = time.perf_counter()
    levels = {"county": 2, "township": 3, "village": 4}
    for _level, depth in levels.items():
        con.sql(
            "SELECT array_to_string(list_slice(string_split(region_path, '/'), 1, "
            f"{depth + 1}), '/') AS region, year, sum(amount) AS paid, count(*) AS payments "
            "FROM payments GROUP BY ALL"
        ).fetchall()
    found = checks.project_findings(data, as_of=datetime.date.today(), acceptance_days=90)
    compute = time.perf_counter() - t2
    n = data["payments"].num_rows
    print(
        f"2. roll-ups and fund checks over {n:,} payments: read {read:.1f} s + compute "
        f"{compute:.2f} s = {read + compute:.1f} s ({found.height} findings); target 30 s"
    )


def bench_page(repeat: int) -> None:
    from django.test import Client

    from lantu.accounts.models import User
    from lantu.projects.models import Project
    from lantu.regions.models import Region

    county = Region.objects.get(path=Project.objects.values_list("region_path", flat=True).first())
    user = User.objects.filter(username="bench-county").first() or User.objects.create_user(
        "bench-county", password="x", region=county, roles=["county_approval"]
    )
    c = Client()
    c.force_login(user)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        resp = c.get("/projects/")
        times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    med = statistics.median(times)
    print(
        f"3. county library page: median {med:.0f} ms over {repeat} (target 300 ms: ratio "
        f"{med / 300:.2f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    bench_import(args.rows)
    bench_rollups()
    bench_page(args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
