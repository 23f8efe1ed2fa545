"""Benchmark of the ruler (lantu.standards) on the batch engine.

1. Province scale: the full policy set (default ``yunnan``) for one year over ~10M people
   (~2.6M households) on DuckDB, from an Arrow snapshot in memory and straight from Parquet;
   the floor, a bare DuckDB scan reading every value of the same columns (MAX; COUNT is shown
   for reference, though DuckDB answers it without reading the values); medians over repeats;
   peak memory (RSS of the child process that ran it).
2. Side by side on 50,000 households in one SQLite database: the engine (ADBC snapshot + DuckDB)
   against the same household rules evaluated household by household through the Django ORM
   (bench/rowwise.py interprets the compiled rules in Python, one household at a time); the two
   must agree.

    .venv/bin/python bench/bench_ruler.py [--people 10000000] [--orm-households 50000]
        [--repeats 3] [--year 2020] [--policy yunnan] [--data var/bench/ruler] [--skip-orm]

Data are generated once (lantu.engine.synthetic, in chunks) and kept under --data.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """User + system CPU seconds of this process (all its threads). On a shared machine wall
    time depends on the neighbours; CPU time much less."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def generate(data: Path, people: int, years: tuple[int, ...]) -> None:
    import pyarrow.parquet as pq

    from lantu.engine.synthetic import generate as gen

    households = int(people / 3.85)
    chunk = 250_000
    writers: dict[str, pq.ParquetWriter] = {}
    for i, start in enumerate(range(0, households, chunk)):
        n = min(chunk, households - start)
        for name, table in gen(households=n, years=years, seed=i, offset=start).items():
            if name not in writers:
                writers[name] = pq.ParquetWriter(data / f"{name}.parquet", table.schema)
            writers[name].write_table(table)
    for w in writers.values():
        w.close()


def _columns_used(c, present):
    """Every input column the pipeline reads: the floor scans exactly these."""
    import sqlglot
    from sqlglot import exp

    from lantu.standards import pipeline

    names = set()
    for step in pipeline.build(c, present):
        names |= {c.name for c in sqlglot.parse_one(step.sql, read="duckdb").find_all(exp.Column)}
    return {t: sorted(names & set(cols)) for t, cols in present.items()}


def engine_run(data: str, policy: str, year: int, mode: str, q) -> None:
    """One measured run in a fresh process (so peak RSS is this run's)."""
    import duckdb
    import pyarrow.parquet as pq

    from lantu.engine.run import evaluate
    from lantu.standards.compiler import compile_policy
    from lantu.standards.policy import load

    d = Path(data)
    out: dict[str, float] = {}
    paths = {n: d / f"{n}.parquet" for n in ("households", "members", "years")}
    t = time.perf_counter()
    if mode in ("parquet", "floor_parquet"):
        inputs = {n: str(p) for n, p in paths.items()}
    else:
        inputs = {n: pq.read_table(p) for n, p in paths.items()}
    out["load_s"] = time.perf_counter() - t
    compile_policy(load(policy), year)  # compile once outside the timing, as a server would
    if mode.startswith("floor"):
        con = duckdb.connect()
        present = {}
        for n, src in inputs.items():
            if isinstance(src, str):
                con.execute(f"CREATE VIEW {n} AS SELECT * FROM read_parquet('{src}')")
            else:
                con.register(n, src)
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {n}").fetchall()]
            present[n] = dict.fromkeys(names, "OTHER")
        used = _columns_used(compile_policy(load(policy), year), present)
        # The floor reads every value of the columns the ruler reads: MAX depends on each one.
        # COUNT(col) does not: DuckDB answers it from a Parquet file's metadata and, over Arrow,
        # from the validity bitmaps of numeric columns ("floor_count", for reference).
        fn = "COUNT" if mode == "floor_count" else "MAX"
        t, c0 = time.perf_counter(), cpu_s()
        for n, cols in used.items():
            agg = ", ".join(f"{fn}({c})" for c in cols)
            con.execute(f"SELECT {agg} FROM {n}").fetchall()
        out["run_s"] = time.perf_counter() - t
        out["cpu_s"] = cpu_s() - c0
        out["columns"] = sum(len(c) for c in used.values())
    else:
        t, c0 = time.perf_counter(), cpu_s()
        res = evaluate(policy, year, inputs)
        out["run_s"] = time.perf_counter() - t
        out["cpu_s"] = cpu_s() - c0
        out["households"] = res.households.num_rows
        out["rules"] = sum(len(lv.rules) for lv in res.compiled.levels.values())
        out["clauses"] = len(res.compiled.clause_text)
    out["peak_mb"] = peak_mb()
    q.put(out)


def measured(data: Path, policy: str, year: int, mode: str, repeats: int) -> dict:
    ctx = mp.get_context("spawn")
    runs = []
    for _ in range(repeats):
        q = ctx.Queue()
        p = ctx.Process(target=engine_run, args=(str(data), policy, year, mode, q))
        p.start()
        runs.append(q.get())
        p.join()
    keys = runs[0].keys()
    return {k: statistics.median(r[k] for r in runs) for k in keys} | {
        "peak_mb": max(r["peak_mb"] for r in runs),
        "all_run_s": [round(r["run_s"], 2) for r in runs],
        "all_cpu_s": [round(r["cpu_s"], 2) for r in runs],
    }


def province(args: argparse.Namespace) -> dict:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "years.parquet").exists():
        t = time.perf_counter()
        ctx = mp.get_context("spawn")
        p = ctx.Process(target=generate, args=(data, args.people, (args.year - 1, args.year)))
        p.start()
        p.join()
        print(f"generated {args.people:,} people in {time.perf_counter() - t:.0f} s → {data}")
    import pyarrow.parquet as pq

    people = pq.ParquetFile(data / "members.parquet").metadata.num_rows
    households = pq.ParquetFile(data / "households.parquet").metadata.num_rows
    print(f"data: {people:,} people, {households:,} households, year {args.year}")
    result = {"people": people, "households": households}
    print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for mode in args.modes.split(","):
        r = measured(data, args.policy, args.year, mode, args.repeats)
        result[mode] = r
        print(f"  {mode:8s} median wall {r['run_s']:.2f} s (runs {r['all_run_s']}), CPU "
              f"{r['cpu_s']:.1f} s, load {r['load_s']:.2f} s, "
              f"peak RSS {r['peak_mb']:.0f} MB")  # fmt: skip
    pairs = (("arrow", "floor"), ("parquet", "floor_parquet"), ("arrow", "floor_count"))
    for ruler, floor in pairs:
        if ruler in result and floor in result:
            a, f = result[ruler], result[floor]
            print(f"  {ruler} / {floor} ({f['columns']:.0f} columns; rules {a['rules']:.0f}, "
                  f"clauses {a['clauses']:.0f}) = {a['run_s'] / f['run_s']:.1f}× wall, "
                  f"{a['cpu_s'] / f['cpu_s']:.1f}× CPU")  # fmt: skip
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000_000)
    ap.add_argument("--orm-households", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--policy", default="yunnan")
    ap.add_argument("--data", default=str(ROOT / "var" / "bench" / "ruler"))
    ap.add_argument("--skip-orm", action="store_true")
    ap.add_argument("--modes", default="arrow,parquet,floor,floor_parquet,floor_count")
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()
    out = {}
    if not args.skip_province:
        out["province"] = province(args)
    if not args.skip_orm:
        from rowwise import side_by_side  # bench/rowwise.py

        out["orm"] = side_by_side(args.orm_households, args.policy, args.year)
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
