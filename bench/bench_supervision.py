"""Reconciliation benchmark: every check of ``lantu/supervision/reconciliation.yaml`` over a whole
province's store in the batch engine (DuckDB). Target ≤ 60 s at ≈ 10 M people.

The store is built once (not timed) as Parquet files in the shape ``lantu.supervision.store``
reads, from a simulation's observed files (``--sim DIR``) or synthesised (``--households N``):
households, members, yearly facts of the last two years, projects, beneficiaries, payments, and a
ledger made the way the importer writes it (one create event per household with its members, one
event per household listing its years, one batch event per project's payments). Then
``reconcile.find`` runs over the files, ``--repeat`` times: wall seconds and CPU seconds (the
process's, DuckDB's threads included) per run, and the median.

Usage: .venv/bin/python bench/bench_supervision.py --sim /work/data/prov10m [--out var/bench_sup]
       .venv/bin/python bench/bench_supervision.py --households 2500000
Province scale: wrap in ``flock /work/bench.lock``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVENTS_SQL = """
COPY (
  SELECT row_number() OVER () AS event_id, action, object_type, object_id, region_path, after FROM (
    SELECT 1 AS o, household_id AS k, 'household.import.create' AS action,
      'household' AS object_type,
      CAST(h.household_id AS VARCHAR) AS object_id, h.region_path,
      CAST(to_json(struct_pack(status := h.status, monitoring_type := h.monitoring_type,
        household_type := h.household_type, relocated := h.relocated, address := h.address,
        phone := h.phone, bank_account := h.bank_account,
        members := (SELECT list(id_number) FROM members m WHERE m.household_id = h.household_id)))
        AS VARCHAR) AS after
    FROM households h
    UNION ALL
    SELECT 2, household_id, 'household.import.update', 'household', CAST(household_id AS VARCHAR),
      '', '{' || string_agg('"year ' || year || '": {"recorded": true}', ', ') || '}'
    FROM years GROUP BY household_id
    UNION ALL
    SELECT 3, project_id, 'fund.disburse_batch', 'projects.project', CAST(project_id AS VARCHAR),
      '', CAST(to_json(struct_pack(payments := count(*), total_fen := sum(amount))) AS VARCHAR)
    FROM disbursements GROUP BY project_id
    ORDER BY o, k)
) TO '{out}/events.parquet' (FORMAT parquet)
"""


def from_sim(sim: Path, out: Path, con) -> None:  # type: ignore[no-untyped-def]
    o = sim / "observed"
    con.execute(f"""CREATE TABLE households AS SELECT row_number() OVER (ORDER BY household_no)
        AS household_id, household_no, '/' || region_code || '/' AS region_path, status,
        monitoring_type, exit_year, household_type, registration_year, relocated, address, phone,
        bank_account FROM '{o}/registry/households.parquet'""")
    con.execute(f"""CREATE TABLE members AS SELECT row_number() OVER () AS member_id,
        h.household_id, m.id_number, m.left_reason IS NULL AS active, m.relation
        FROM '{o}/registry/members.parquet' m JOIN households h USING (household_no)""")
    con.execute(f"""CREATE TABLE years AS SELECT h.household_id, y.year, y.size
        FROM '{o}/registry/years.parquet' y JOIN households h USING (household_no)
        WHERE y.year >= (SELECT max(year) - 1 FROM '{o}/registry/years.parquet')""")
    p = o / "projects"
    if (p / "projects.parquet").exists():
        con.execute(f"""CREATE TABLE projects AS SELECT row_number() OVER (ORDER BY code)
            AS project_id, code, category, '/' || county_code || '/' AS region_path, stage, year,
            implementer FROM '{p}/projects.parquet'""")
        con.execute(f"""CREATE TABLE beneficiaries AS SELECT j.project_id, h.household_id,
            b.mechanism FROM '{p}/beneficiaries.parquet' b JOIN projects j ON j.code =
            b.project_code JOIN households h USING (household_no)""")
        con.execute(f"""CREATE TABLE disbursements AS SELECT row_number() OVER () AS payment_id,
            j.project_id, h.household_id, d.voucher, d.item, CAST(d.amount AS DOUBLE) * 100
            AS amount, d.date, year(CAST(d.date AS DATE)) AS year
            FROM '{p}/disbursements.parquet' d JOIN projects j ON j.code = d.project_code
            JOIN households h USING (household_no)""")
    _write(con, out)


def synthetic(n: int, out: Path, con) -> None:  # type: ignore[no-untyped-def]
    """``n`` households of 4 members (≈ 4n people), two years of facts, a project per 500
    households with 300 paid beneficiaries each."""
    con.execute(f"""CREATE TABLE households AS SELECT i AS household_id,
        lpad(CAST(i AS VARCHAR), 16, '0') AS household_no,
        '/53/' || (i // 200000) || '/' || (i // 20000) || '/' || (i // 400) || '/' AS region_path,
        ['poor', 'exited', 'monitored', 'removed'][1 + i % 4] AS status, '' AS monitoring_type,
        2019 AS exit_year, 'none' AS household_type, 2016 AS registration_year,
        i % 7 = 0 AS relocated, i || '号' AS address, '138' || lpad(CAST(i AS VARCHAR), 8, '0')
        AS phone, '6217' || lpad(CAST(i AS VARCHAR), 12, '0') AS bank_account
        FROM range(1, {n + 1}) t(i)""")
    con.execute("""CREATE TABLE members AS SELECT household_id * 4 + j AS member_id,
        household_id, '5' || lpad(CAST(household_id * 4 + j AS VARCHAR), 17, '0') AS id_number,
        true AS active, CASE WHEN j = 0 THEN 'head' ELSE 'child' END AS relation
        FROM households, range(4) t(j)""")
    con.execute("""CREATE TABLE years AS SELECT household_id, y AS year, 4 AS size
        FROM households, (VALUES (2024), (2025)) t(y)""")
    con.execute(f"""CREATE TABLE projects AS SELECT i AS project_id, 'P' || i AS code,
        'industry' AS category, '/53/' AS region_path, 'assets' AS stage, 2024 AS year,
        '' AS implementer FROM range(1, {n // 500 + 2}) t(i)""")
    con.execute("""CREATE TABLE beneficiaries AS SELECT 1 + household_id // 500 AS project_id,
        household_id, 'subsidy' AS mechanism FROM households WHERE household_id % 500 < 300""")
    con.execute("""CREATE TABLE disbursements AS SELECT row_number() OVER () AS payment_id,
        project_id, household_id, 'V' || household_id AS voucher, '第1批' AS item,
        100000 AS amount, DATE '2025-05-15' AS date, 2025 AS year FROM beneficiaries""")
    _write(con, out)


def _write(con, out: Path) -> None:  # type: ignore[no-untyped-def]
    out.mkdir(parents=True, exist_ok=True)
    tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
    for t in tables:
        con.execute(f"COPY {t} TO '{out}/{t}.parquet' (FORMAT parquet)")
    if "disbursements" not in tables:
        con.execute("CREATE TABLE disbursements (project_id BIGINT, amount BIGINT)")
    con.execute(EVENTS_SQL.replace("{out}", str(out)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", default="")
    parser.add_argument("--households", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench_sup"))
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="the store is already built")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    import duckdb

    from lantu.supervision import reconcile, store

    out = Path(args.out)
    if not args.reuse:
        t = time.perf_counter()
        con = duckdb.connect()
        if args.sim:
            from_sim(Path(args.sim), out, con)
        else:
            synthetic(args.households, out, con)
        con.close()
        print(f"store built in {time.perf_counter() - t:.1f} s")
    counts = {}
    con = duckdb.connect()
    for p in sorted(out.glob("*.parquet")):
        counts[p.stem] = con.execute(f"SELECT count(*) FROM '{p}'").fetchone()[0]  # type: ignore[index]
    people = counts.get("members", 0)
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    walls, cpus = [], []
    found = None
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        found = reconcile.find(store.from_dir(out), args.year)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        print(f"  run: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} CPU-s, {found.num_rows:,} found")
    print(
        f"people {people:,}: median {statistics.median(walls):.2f} s wall, "
        f"{statistics.median(cpus):.2f} CPU-s (target 60 s); load {os.getloadavg()[0]:.1f}"
    )
    if found is not None:
        by: dict[str, int] = {}
        for cid in found.column("check_id").to_pylist():
            by[cid] = by.get(cid, 0) + 1
        print("found per check:", by)


if __name__ == "__main__":
    main()
