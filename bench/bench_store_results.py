"""Benchmark: storing a province's household results (``lantu.standards.services.store``).

A province is ≈ 2.6M households. The bench evaluates the policy on a small synthetic registry,
tiles its result rows up to ``--households`` (each with its own household, created beforehand in
the database so the foreign keys hold), and times ``store()`` — the run row plus one compact
``HouseholdResult`` per household, in one transaction as ``run_evaluation`` does — on SQLite and on
PostgreSQL. Each database is set up in a fresh process (its own ``LANTU_DATABASE_URL``); the
results are deleted between repeats (not timed). Medians over ``--repeats``.

Two ways of writing the rows are timed side by side: ``before`` (every value handed to
``executemany`` as Python objects, the failed clauses JSON-encoded row by row — the way store()
wrote them until this bench) and ``now`` (``services._write_results``: JSON text built by Arrow;
on PostgreSQL one ``COPY`` of Arrow-written CSV).

    .venv/bin/python bench/bench_store_results.py [--households 2600000] [--repeats 3]
        [--db sqlite,postgresql] [--pg postgresql://postgres@127.0.0.1:5432/lantu_bench_store]
        [--sqlite /work/data/ruler_c/store.sqlite3]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _households(n: int) -> None:
    """``n`` households B0000000… in one bench village (copies of one made through the ORM)."""
    from django.db import connection, transaction

    from lantu.regions.models import Region
    from lantu.registry.models import Household

    have = Household.objects.filter(household_no__startswith="B").count()
    if have >= n:
        return
    region, _ = Region.objects.get_or_create(
        code="539999999999", defaults={"name": "基准村 / bench village", "level": "village"}
    )
    with transaction.atomic():
        Household.objects.filter(household_no__startswith="B").delete()
        template = Household.objects.create(household_no="T-bench", region=region)
        cols = [
            f.column
            for f in Household._meta.concrete_fields
            if f.column not in ("id", "household_no")
        ]
        q = connection.ops.quote_name
        names = ", ".join(q(c) for c in cols)
        table = q(Household._meta.db_table)
        if connection.vendor == "postgresql":
            series = f"SELECT g AS n FROM generate_series(0, {n - 1}) g"
            no = "'B' || lpad(s.n::text, 7, '0')"
        else:
            series = (
                f"WITH RECURSIVE s0(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s0 "
                f"WHERE n < {n - 1}) SELECT n FROM s0"
            )
            no = "'B' || substr('0000000' || s.n, -7, 7)"
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (household_no, {names}) "
                f"SELECT {no}, {', '.join('t.' + q(c) for c in cols)} "
                f"FROM ({series}) s CROSS JOIN {table} t WHERE t.id = %s",
                [template.pk],
            )
        template.delete()


def _results(n: int, year: int, policy: str) -> tuple[Any, Any]:
    """A ``Results`` of ``n`` rows (a small evaluation tiled) and its household ids."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from lantu.engine.run import Results, evaluate
    from lantu.engine.synthetic import generate
    from lantu.registry.models import Household

    small = evaluate(policy, year, generate(households=2000, years=(year - 1, year), seed=3))
    h = small.households
    reps = -(-n // h.num_rows)
    big = pa.concat_tables([h] * reps).slice(0, n)
    nos = pa.array([f"B{i:07d}" for i in range(n)])
    big = big.set_column(big.schema.get_field_index("household_no"), "household_no", nos)
    ids = dict(
        Household.objects.filter(household_no__startswith="B").values_list("household_no", "id")
    )
    id_col = pa.array([ids[no] for no in nos.to_pylist()], pa.int64())
    keys = pa.table({"household_no": nos, "household_id": id_col})
    assert pc.sum(pc.is_valid(id_col)).as_py() == n
    return Results(small.compiled, big, small.villages, small.counties), keys


def _before(run: Any, h: Any, rules: list[str]) -> None:
    """store()'s former write: Python lists, JSON adapted per row, executemany."""
    from lantu.core.bulksql import insert_rows
    from lantu.standards.models import HouseholdResult
    from lantu.standards.services import encode_outcomes

    n = h.num_rows
    failed = [f.split(",") if f else [] for f in h["failed"].to_pylist()]
    insert_rows(
        HouseholdResult,
        ["run", "household", "year", "outcome", "failed"],
        [[run.pk] * n, h["household_id"].to_pylist(), [run.year] * n,
         encode_outcomes(h, rules).to_pylist(), failed],
    )  # fmt: skip


def one_db(url: str, n: int, repeats: tuple[int, int], year: int, policy: str, q: Any) -> None:
    os.environ["LANTU_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from lantu.standards import services
    from lantu.standards.models import EvaluationRun, HouseholdResult

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    _households(n)
    setup_s = time.perf_counter() - t
    res, keys = _results(n, year, policy)
    now = services._write_results
    out: dict[str, Any] = {"vendor": connection.vendor, "setup_s": setup_s}
    plan = [("before", _before)] * repeats[0] + [("now", now)] * repeats[1]
    for label, write in plan:
        services._write_results = write  # type: ignore[assignment]
        with connection.cursor() as cur:  # a clean table each time (not timed)
            cur.execute(f"DELETE FROM {HouseholdResult._meta.db_table}")
            cur.execute(f"DELETE FROM {EvaluationRun._meta.db_table}")
        t, c = time.perf_counter(), _cpu_s()
        with transaction.atomic():
            run = services.store(res, keys, actor=None)
        out.setdefault(label, []).append((time.perf_counter() - t, _cpu_s() - c))
        assert HouseholdResult.objects.filter(run=run).count() == n
    services._write_results = now  # type: ignore[assignment]
    for label in ("before", "now"):
        runs = out.pop(label)
        out[label] = {
            "wall_s": statistics.median(r[0] for r in runs),
            "cpu_s": statistics.median(r[1] for r in runs),
            "all_wall_s": [round(r[0], 1) for r in runs],
        }
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q.put(out)


def _pg_database(url: str) -> None:
    """Create the bench's own PostgreSQL database if it is missing."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall():
            con.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--households", type=int, default=2_600_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--before-repeats", type=int, help="runs of the former write (default: --repeats)"
    )
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--policy", default="yunnan")
    ap.add_argument("--sqlite", default="/work/data/ruler_c/store.sqlite3")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/lantu_bench_store")
    args = ap.parse_args()
    print(f"store() of {args.households:,} household results, {args.repeats} runs each")
    print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ctx = mp.get_context("spawn")
    repeats = (args.before_repeats or args.repeats, args.repeats)
    for db in args.db.split(","):
        if db == "postgresql":
            _pg_database(args.pg)
            url = args.pg
        else:
            Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{args.sqlite}"
        q = ctx.Queue()
        p = ctx.Process(
            target=one_db,
            args=(url, args.households, repeats, args.year, args.policy, q),
        )
        p.start()
        r = q.get()
        p.join()
        for label in ("before", "now"):
            m = r[label]
            print(
                f"  {r['vendor']:<10s} {label:<6s} median {m['wall_s']:.1f} s "
                f"(runs {m['all_wall_s']}), CPU {m['cpu_s']:.1f} s, "
                f"{args.households / m['wall_s']:,.0f} rows/s"
            )
        print(
            f"  {r['vendor']:<10s} before / now = "
            f"{r['before']['wall_s'] / r['now']['wall_s']:.1f}× wall; "
            f"peak RSS {r['peak_mb']:.0f} MB; households set up in {r['setup_s']:.0f} s"
        )
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
