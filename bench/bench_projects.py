"""Projects and funds benchmark, on a loaded database with projects (a county: ``lantu load`` then
``lantu projects load`` of a simulation; or the demo's database).

1. importing N payments (default 1,000,000) through the importer (every check, one transaction,
   rolled back afterwards): total seconds and rows per second; target ≤ 60 s for 1M;
2. the roll-ups (county / township / village sums of allocations and payments) and the ruler's
   project, payment and fund rules (``lantu.projects.checks``: the fund invariants among them)
   over the whole database in the batch engine (DuckDB): median seconds; target ≤ 30 s at
   province scale;
3. the county library page (first page, totals for its rows): median milliseconds over --repeat
   requests; target ≤ 300 ms.

Allocations are raised (inside the rolled-back transaction) so the payments fit.
Usage: LANTU_VAR_DIR=DIR .venv/bin/python bench/bench_projects.py [--rows 1000000] [--repeat 20]
``--sim DIR`` runs only part 2, on a simulation's files (``observed/projects`` and the registry's
households, read and joined in DuckDB; no database): the province's roll-ups and rules.
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


def _backend_cpu() -> float:
    """PostgreSQL: CPU seconds of this connection's server process so far (same machine; 0 if
    it cannot be read)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_import(rows: int, repeat: int = 1) -> None:
    """Import ``rows`` payments through the importer, rolled back, ``repeat`` times: median wall,
    client CPU-s and (PostgreSQL) server CPU-s."""
    from django.db import connection, transaction

    from lantu.projects import files

    frame = payments_frame(rows)
    actor = _county_user()
    runs: list[tuple[float, float, float]] = []
    deadline = float(os.environ.get("BENCH_DEADLINE", "inf"))  # epoch seconds: no new run after
    for _ in range(repeat):
        if runs and time.time() > deadline:
            break
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("UPDATE projects_allocation SET amount = amount + 100000000000")
                    cur.execute(
                        "UPDATE projects_fundavailability SET amount = amount + 100000000000000"
                    )
                server = _backend_cpu()
                t, cpu = time.perf_counter(), time.process_time()
                report = files.import_frame(
                    files.TABLES["disbursements"], frame, actor=actor, source="bench.xlsx"
                )
                if connection.vendor == "postgresql":
                    # The foreign keys are checked at commit (deferred); the run rolls back, so
                    # check them now, inside the timing.
                    with connection.cursor() as cur:
                        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                took, cpu = time.perf_counter() - t, time.process_time() - cpu
                server = _backend_cpu() - server
                assert report.ok, report.errors[:3]
                assert report.summary["disbursements_written"] == rows, report.summary
                raise Rollback
        except Rollback:
            pass
        if connection.vendor == "postgresql":
            # A rolled-back run leaves its rows dead in the tables and their indexes; the next
            # run would pay for them.
            with connection.cursor() as cur:
                cur.execute("VACUUM ledger_event, projects_disbursement")
        runs.append((took, cpu, server))
        print(f"   run: {took:.1f} s wall, {cpu:.1f} CPU-s client, {server:.1f} CPU-s server",
              flush=True)  # fmt: skip
    took = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    server = statistics.median(r[2] for r in runs)
    print(
        f"1. import {rows:,} payments ({connection.vendor}): median of {len(runs)}: {took:.1f} s "
        f"wall, {cpu:.1f} CPU-s client + {server:.1f} CPU-s server ({rows / took:,.0f} rows/s); "
        f"target 60 s for 1M: ratio {took / 60 * 1_000_000 / rows:.2f}",
        flush=True,
    )


def rollups(con) -> int:  # type: ignore[no-untyped-def]
    """Payments per village and year in one pass over the payments, then townships and counties
    from that small table (a code's prefix is its ancestor), and allocations per county, source
    and year. Returns the number of village rows."""
    con.sql(
        "CREATE OR REPLACE TEMP TABLE village_paid AS SELECT SUBSTRING(region_code, 1, 12) AS "
        "village, year, sum(amount_fen) AS paid, count(*) AS n FROM disbursements GROUP BY ALL"
    )
    for width in (9, 6):
        con.sql(
            f"SELECT SUBSTRING(village, 1, {width}) AS region, year, sum(paid), sum(n) "
            "FROM village_paid GROUP BY ALL"
        ).fetchall()
    con.sql(
        "SELECT county_code, source, year, sum(amount_fen) FROM allocations GROUP BY ALL"
    ).fetchall()
    return int(con.sql("SELECT count(*) FROM village_paid").fetchall()[0][0])


def batch(records, year: int) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    """Roll-ups and every project, payment and fund rule of the ruler over the record tables:
    (wall s, CPU s, village rows, failed rows)."""
    import duckdb

    from lantu.projects import checks

    cpu, t = time.process_time(), time.perf_counter()
    con = duckdb.connect()
    for name, table in records.items():
        con.register(name, table)
    villages = rollups(con)
    con.close()
    res = checks.run_records("yunnan", year, records)
    failed = sum(checks._failed(res, lv).height for lv in ("project", "disbursement", "fund"))
    return time.perf_counter() - t, time.process_time() - cpu, villages, failed


def report_batch(label: str, records, year: int, repeat: int) -> None:  # type: ignore[no-untyped-def]
    runs = [batch(records, year) for _ in range(repeat)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    n = records["disbursements"].num_rows
    p = records["projects"].num_rows
    print(
        f"2. {label}: roll-ups and fund/project rules over {n:,} payments, {p:,} projects: "
        f"median {wall:.1f} s wall / {cpu:.1f} CPU-s over {repeat} ({runs[0][2]:,} village-years, "
        f"{runs[0][3]:,} failed rows); target 30 s: ratio {wall / 30:.2f}"
    )


def bench_rollups(repeat: int) -> None:
    """Over the loaded database: reading the record tables, then the batch."""
    from lantu.procedures import clock
    from lantu.projects import checks

    t = time.perf_counter()
    records = checks.tables("/", clock.today())
    print(f"   read the record tables from the database: {time.perf_counter() - t:.1f} s")
    report_batch("database", records, clock.today().year, repeat)


def bench_sim(folder: Path, repeat: int) -> None:
    """Over a simulation's files (``observed/projects`` and the registry's households): read and
    join in DuckDB, then the batch; the evaluation year is the latest year of the projects."""
    import duckdb

    from lantu.projects import checks

    cpu, t = time.process_time(), time.perf_counter()
    con = duckdb.connect()
    records = checks.file_tables(folder, con)
    con.close()
    print(
        f"   read and joined {folder}/observed: {time.perf_counter() - t:.1f} s wall / "
        f"{time.process_time() - cpu:.1f} CPU-s"
    )
    import pyarrow.compute as pc

    year = int(pc.max(records["projects"]["year"]).as_py())
    report_batch(f"simulation {folder.name} ({year})", records, year, repeat)


def synthetic(payments: int, projects: int, seed: int = 2):  # type: ignore[no-untyped-def]
    """Province-shaped record tables for the batch engine: ``projects`` projects in 129
    counties, each county 10 townships of 12 villages; ``payments`` payments."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    county = np.array([f"53{c:04d}" for c in range(129)])[rng.integers(0, 129, projects)]
    pid = rng.integers(0, projects, payments)
    village = rng.integers(0, 120, payments)
    codes = np.array([f"P{i}" for i in range(projects)])
    stage = np.where(rng.random(projects) < 0.02, "implementing", "assets")
    six = ("funds_plan", "plan", "approval_doc", "notice_plan", "responsible_unit",
           "responsible_person", "supervision")  # fmt: skip
    return {
        "projects": pa.table(
            {
                "project_code": codes,
                "county_code": county,
                "stage": stage,
                "year": np.full(projects, 2020),
                "notice_date": pa.array([datetime.date(2020, 3, 1)] * projects),
                "completed_date": pa.array([datetime.date(2020, 10, 1)] * projects),
                "accepted_date": pa.array([datetime.date(2020, 12, 1)] * projects),
                "allocated_fen": rng.integers(10**8, 10**9, projects),
                **{f: np.full(projects, "x") for f in six},
            }
        ),
        "allocations": pa.table(
            {
                "project_code": codes,
                "county_code": county,
                "source": np.full(projects, "integrated"),
                "year": np.full(projects, 2020),
                "amount_fen": rng.integers(10**8, 10**9, projects),
            }
        ),
        "funds": pa.table(
            {
                "county_code": [f"53{c:04d}" for c in range(129)],
                "source": ["integrated"] * 129,
                "year": np.full(129, 2020),
                "available_fen": np.full(129, 10**14),
            }
        ),
        "disbursements": pa.table(
            {
                "project_code": codes[pid],
                "voucher": np.char.add("V", np.arange(payments).astype(str)),
                "amount_fen": rng.integers(10_000, 500_000, payments),
                "year": np.full(payments, 2020),
                "household_no": np.char.add("H", rng.integers(0, payments // 3, payments)
                                            .astype(str)),
                "item": np.full(payments, "产业奖补"),
                "date": pa.array([datetime.date(2020, 6, 1)] * payments),
                "payee_is_member": pa.nulls(payments, pa.bool_()),
                "household_status": np.where(rng.random(payments) < 0.001, "not_registered",
                                             "exited"),
                "beneficiary": np.zeros(payments, bool),
                # village code: county (6) + township (3) + village (3)
                "region_code": np.char.add(
                    np.char.add(county[pid], np.char.zfill((village // 12).astype(str), 3)),
                    np.char.zfill((village % 12).astype(str), 3),
                ),
            }
        ),
    }  # fmt: skip


def _county_user(code: str = ""):  # type: ignore[no-untyped-def]
    """A county approver (who may import payments) of county ``code``, or else of the first
    project's county."""
    from lantu.accounts.models import User
    from lantu.projects.models import Project
    from lantu.regions.models import Region

    county = (
        Region.objects.get(code=code)
        if code
        else Region.objects.get(path=Project.objects.values_list("region_path", flat=True).first())
    )
    name = f"bench-county-{county.code}"
    return User.objects.filter(username=name).first() or User.objects.create_user(
        name, password="x", region=county, roles=["county_approval"]
    )


def bench_page(repeat: int, county: str = "") -> None:
    """The county library page as a county user (Django's test client, in process): the first
    page, then pages 2–5 and a year filter, ``repeat`` requests each in turn; p50 and p95 over
    all of them, CPU per request, queries per page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lantu.projects.models import Project

    user = _county_user(county)
    seen = Project.objects.filter(region_path__startswith=user.region.path).count()
    c = Client()
    c.force_login(user)
    urls = ["/projects/", "/projects/?page=2", "/projects/?page=5", "/projects/?year=2020"]
    for u in urls:  # warm: templates, the session, the plan cache
        assert c.get(u).status_code == 200
    times: dict[str, list[float]] = {u: [] for u in urls}
    cpu = time.process_time()
    for _ in range(repeat):
        for u in urls:
            t = time.perf_counter()
            resp = c.get(u)
            times[u].append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200
    cpu = (time.process_time() - cpu) / (repeat * len(urls)) * 1000
    with CaptureQueriesContext(connection) as ctx:
        c.get(urls[0])
    every = sorted(t for ts in times.values() for t in ts)
    p95 = every[int(0.95 * (len(every) - 1))]
    for u, ts in times.items():
        ts.sort()
        q95 = ts[int(0.95 * (len(ts) - 1))]
        print(f"   {u}: median {statistics.median(ts):.0f} ms, p95 {q95:.0f} ms")
    print(
        f"3. county library page ({user.region.code}, {seen:,} projects in the county, "
        f"{Project.objects.count():,} in the database): {len(every)} requests, median "
        f"{statistics.median(every):.0f} ms, p95 {p95:.0f} ms, {cpu:.0f} ms CPU a request, "
        f"{len(ctx.captured_queries)} queries (target 300 ms: p95 ratio {p95 / 300:.2f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", type=Path, help="a simulation folder: only the batch part, on files")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--import-repeat", type=int, default=1)
    ap.add_argument("--parts", default="import,rollups,page", help="which parts to run")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--county", default="", help="the library page's county (code)")
    ap.add_argument("--batch-repeat", type=int, default=3)
    ap.add_argument("--province-payments", type=int, default=2_000_000)
    ap.add_argument("--province-projects", type=int, default=100_000)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.db import connection

    if args.sim:
        bench_sim(args.sim, args.batch_repeat)
    else:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        parts = set(args.parts.split(","))
        if args.rows and "import" in parts:
            bench_import(args.rows, args.import_repeat)
        if "rollups" in parts:
            bench_rollups(args.batch_repeat)
            if args.province_payments:
                records = synthetic(args.province_payments, args.province_projects)
                report_batch("synthetic province", records, 2020, args.batch_repeat)
        if "page" in parts:
            bench_page(args.repeat, args.county)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
