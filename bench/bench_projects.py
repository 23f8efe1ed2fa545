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


def rollups(con) -> None:  # type: ignore[no-untyped-def]
    """Payments per village and year in one pass over the payments, then townships and counties
    from that small table (a path's prefix is its ancestor)."""
    con.sql(
        "CREATE OR REPLACE TEMP TABLE village_paid AS SELECT region_path, year, "
        "sum(amount) AS paid, count(*) AS n FROM payments GROUP BY ALL"
    )
    for depth in (2, 3):
        con.sql(
            "SELECT array_to_string(list_slice(string_split(region_path, '/'), 1, "
            f"{depth + 1}), '/') AS region, year, sum(paid), sum(n) FROM village_paid GROUP BY ALL"
        ).fetchall()


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
    rollups(con)
    found = checks.project_findings(data, as_of=datetime.date.today(), acceptance_days=90)
    compute = time.perf_counter() - t2
    n = data["payments"].num_rows
    print(
        f"2. roll-ups and fund checks over {n:,} payments: read {read:.1f} s + compute "
        f"{compute:.2f} s = {read + compute:.1f} s ({found.height} findings); target 30 s"
    )


def synthetic(payments: int, projects: int, seed: int = 2):  # type: ignore[no-untyped-def]
    """Province-shaped tables for the batch engine: ``projects`` projects in 129 counties, each
    county 10 townships of 12 villages; ``payments`` payments."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    county = rng.integers(0, 129, projects)
    village = rng.integers(0, 120, payments)
    pid = rng.integers(0, projects, payments)
    paths = [f"/53/{c}/{v // 12}/{v}/" for c, v in zip(county[pid], village, strict=True)]
    stage = np.where(rng.random(projects) < 0.02, "implementing", "assets")
    return {
        "projects": pa.table(
            {
                "id": np.arange(projects),
                "code": [f"P{i}" for i in range(projects)],
                "region_path": [f"/53/{c}/" for c in county],
                "county_id": county,
                "stage": stage,
                "notice_date": pa.array([datetime.date(2020, 3, 1)] * projects),
                "completed_date": pa.array([None] * projects, pa.date32()),
                "accepted_date": pa.array([datetime.date(2020, 12, 1)] * projects),
                "year": np.full(projects, 2020),
            }
        ),
        "allocations": pa.table(
            {
                "project_id": np.arange(projects),
                "county_id": county,
                "source": ["integrated"] * projects,
                "year": np.full(projects, 2020),
                "amount": rng.integers(10**8, 10**9, projects),
            }
        ),
        "available": pa.table(
            {
                "county_id": np.arange(129),
                "source": ["integrated"] * 129,
                "year": np.full(129, 2020),
                "amount": np.full(129, 10**12),
            }
        ),
        "payments": pa.table(
            {
                "project_id": pid,
                "household_id": rng.integers(0, 2_500_000, payments),
                "amount": rng.integers(10_000, 500_000, payments),
                "year": np.full(payments, 2020),
                "status": np.where(rng.random(payments) < 0.001, "not_registered", "exited"),
                "household_no": ["h"] * payments,
                "region_path": paths,
            }
        ),
        "beneficiaries": pa.table(
            {"project_id": pa.array([], pa.int64()), "household_id": pa.array([], pa.int64())}
        ),
    }


def bench_rollups_synthetic(payments: int, projects: int) -> None:
    import duckdb

    from lantu.projects import checks

    t = time.perf_counter()
    data = synthetic(payments, projects)
    made = time.perf_counter() - t
    con = duckdb.connect()
    for name, table in data.items():
        con.register(name, table)
    t = time.perf_counter()
    rollups(con)
    found = checks.project_findings(data, as_of=datetime.date.today(), acceptance_days=90)
    took = time.perf_counter() - t
    print(
        f"2b. province-shaped roll-ups and fund checks: {payments:,} payments, {projects:,} "
        f"projects (built in {made:.1f} s): {took:.1f} s ({found.height:,} findings); target "
        f"30 s: ratio {took / 30:.2f}"
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
    ap.add_argument("--province-payments", type=int, default=2_000_000)
    ap.add_argument("--province-projects", type=int, default=100_000)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.rows:
        bench_import(args.rows)
    bench_rollups()
    bench_rollups_synthetic(args.province_payments, args.province_projects)
    bench_page(args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
