"""Assistance benchmark (issue 13).

1. Importing plan rows (一户一策, one row per measure) into a fresh SQLite database through the
   assistance importer, every check and the ledger events included (target: 1,000,000 rows
   ≤ 60 s); then the same file again (idempotent: writes nothing). The registry's households and
   the cadres are put in first (households column-wise, cadres through their importer, timed
   apart).
2. The assistance rules and the 六清 roll-up over a simulated province (``--sim DIR``, e.g. the
   10M-people yunnan preset; target ≤ 30 s in the batch engine): the facts (DuckDB over the
   observed assistance files), the assistance rules of the ruler, the roll-up to every region;
   the registry read as of the year (``registry_as_of``) is timed apart, and the whole policy with
   the overlay is given for reference. Precision and recall against the planted gaps follow.

Usage (province scale under the shared lock):
    flock /work/bench.lock .venv/bin/python bench/bench_assistance.py --rows 1000000 \
        --sim /work/data/i13/yunnan [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MEASURES = ["industry", "employment", "medical", "education_aid", "skills_training", "dibao"]


def cpu() -> float:
    """This process's CPU seconds (user + system): the figure that holds on a busy machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def setup_django(db: Path) -> None:
    os.environ["LANTU_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()


def fresh_db(tmp: Path, name: str, households: int) -> list[str]:
    """A migrated database with the regions and ``households`` registered households."""
    from django.core.management import call_command
    from django.db import connections, transaction

    from bench.registry_data import region_rows
    from lantu.core.bulksql import insert_rows
    from lantu.regions.models import Region
    from lantu.regions.services import load_regions, load_yunnan
    from lantu.registry.models import Household
    from lantu.registry.rows import field_defaults

    connections.close_all()
    connections.databases["default"]["NAME"] = str(tmp / f"{name}.sqlite3")
    call_command("migrate", verbosity=0)
    load_yunnan()
    load_regions(region_rows())
    villages = list(Region.objects.filter(level="village").values_list("id", "path", "code"))
    pick = np.arange(households) % len(villages)
    nos = [f"H{villages[i][2]}{k:07d}" for k, i in enumerate(pick)]
    now = datetime.datetime.now(datetime.UTC)
    given = {"household_no": nos, "region": [villages[i][0] for i in pick],
             "region_path": [villages[i][1] for i in pick], "status": ["poor"] * households,
             "size": [3] * households, "created_at": [now] * households,
             "updated_at": [now] * households}  # fmt: skip
    names = [f.name for f in Household._meta.concrete_fields if not f.primary_key]
    defaults = field_defaults(Household, [n for n in names if n not in given])
    with transaction.atomic():
        insert_rows(Household, names,
                    [given.get(n) or [defaults[n]] * households for n in names])  # fmt: skip
    return nos


def cadre_file(n: int) -> bytes:
    from lantu.engine.synthetic import id_numbers

    birth = np.datetime64("1970-01-01") + (np.arange(n) // 400).astype("timedelta64[D]")
    ids = id_numbers(np.full(n, "530822"), birth, np.arange(n) % 400, np.full(n, "1"))
    frame = pl.DataFrame({"干部编号": [f"C{i:07d}" for i in range(n)], "姓名": "干部",
                          "身份证号": ids, "干部层级": "县级干部",
                          "帮扶区域代码": "530822000000"})  # fmt: skip
    buf = io.BytesIO()
    frame.write_csv(buf)
    return buf.getvalue()


def plan_file(nos: list[str], rows: int, cadres: int, rng: np.random.Generator) -> bytes:
    per = 3
    hh = np.repeat(np.arange(rows // per + 1), per)[:rows]
    measure = np.array(MEASURES)[(np.arange(rows) % per + hh) % len(MEASURES)]
    frame = pl.DataFrame({
        "户编号": np.array(nos)[hh], "年度": "2025", "计划脱贫年度": "2025",
        "帮扶措施": measure, "责任人干部编号": [f"C{i:07d}" for i in hh % cadres],
        "计划投入（元）": (rng.integers(5, 100, rows) * 100).astype(str),
        "计划完成日期": "2025-10-31", "措施状态": "实施中",
    })  # fmt: skip
    buf = io.BytesIO()
    frame.write_csv(buf)
    return buf.getvalue()


def bench_import(rows: int, repeat: int) -> None:
    from lantu.assistance.imports import import_file

    rng = np.random.default_rng(1)
    firsts, agains, cadre_times, cpus = [], [], [], []
    for r in range(repeat):
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as d:
            households = rows // 3 + 1
            nos = fresh_db(Path(d), f"plans{r}", households)
            cadres = max(1, households // 4)
            t = time.perf_counter()
            rep = import_file("cadres", cadre_file(cadres), "cadres.csv", actor=None)
            cadre_times.append(time.perf_counter() - t)
            assert rep.ok, rep.errors[:3]
            data = plan_file(nos, rows, cadres, rng)
            t, c = time.perf_counter(), cpu()
            rep = import_file("plans", data, "plans.csv", actor=None)
            firsts.append(time.perf_counter() - t)
            cpus.append(cpu() - c)
            assert rep.ok, rep.errors[:3]
            summary = rep.summary
            t = time.perf_counter()
            again = import_file("plans", data, "plans.csv", actor=None)
            agains.append(time.perf_counter() - t)
            assert again.summary["measures_created"] == 0 and again.summary["ledger_events"] == 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"plan rows {rows:,} ({households:,} households, {cadres:,} cadres): {summary}")
    print(f"  cadres import ({cadres:,} rows): median {statistics.median(cadre_times):.1f} s")
    print(f"  plans import: median {statistics.median(firsts):.1f} s over {repeat} "
          f"({rows / statistics.median(firsts):,.0f} rows/s; target ≤ 60 s for 1M); "
          f"CPU {statistics.median(cpus):.1f} s")  # fmt: skip
    print(f"  the same file again (writes nothing): median {statistics.median(agains):.1f} s")
    print(f"  peak memory {peak:.2f} GB")


def bench_rules(sim: Path, year: int | None, repeat: int) -> None:
    import duckdb

    from lantu.assistance import facts
    from lantu.assistance.gaps import assistance_only, policy_with_overlay, rollup
    from lantu.assistance.scoring import assistance_inputs, score
    from lantu.engine.observed import registry_as_of
    from lantu.engine.run import evaluate

    year = year or int(pl.read_parquet(sim / "truth" / "assistance_gaps.parquet")["year"].max())
    t = time.perf_counter()
    registry = registry_as_of(sim, year)
    read = time.perf_counter() - t
    asst = assistance_inputs(sim)
    villages = _villages(sim / "observed" / "regions.parquet")
    policy = policy_with_overlay("yunnan")
    only = assistance_only(policy)
    evaluate(only, year, {k: v.slice(0, 1000) for k, v in registry.items()})  # compile once
    times, full_times, cpus = [], [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), cpu()
        found = facts.compute({**asst, "years": registry["years"]}, year=year,
                              as_of=datetime.date(year, 12, 31), con=duckdb.connect())  # fmt: skip
        hh = facts.join_households(registry["households"], found)
        res = evaluate(only, year, {**registry, "households": hh})
        rolled = rollup(res.households, villages)
        times.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    t = time.perf_counter()
    evaluate(policy, year, {**registry, "households": hh})
    full_times.append(time.perf_counter() - t)
    people = registry["members"].num_rows
    print(f"province {sim}: {people:,} people, {registry['households'].num_rows:,} households, "
          f"{asst['measures'].num_rows:,} measure rows, {asst['pairings'].num_rows:,} pairings, "
          f"{asst['visits'].num_rows:,} visits; year {year}")  # fmt: skip
    print(f"  registry as of {year} read: {read:.1f} s")
    print(f"  assistance facts + rules + 六清 roll-up ({rolled.num_rows:,} regions): median "
          f"{statistics.median(times):.1f} s over {repeat} (target ≤ 30 s); CPU "
          f"{statistics.median(cpus):.1f} s (DuckDB's threads included)")  # fmt: skip
    print(f"  the whole yunnan policy with the overlay on the same inputs: {full_times[0]:.1f} s")
    for r in score(sim, year, results=res.households).iter_rows(named=True):
        print(f"  {r['gap']:<14} {r['rule']:<12} planted {r['planted']:>8,} flagged "
              f"{r['flagged']:>8,}  P {r['precision']:.4f}  R {r['recall']:.4f}")  # fmt: skip


def _villages(path: Path) -> pa.Table:  # noqa: F821
    """Every village's code and materialised path, from the simulation's region table."""
    r = pl.read_parquet(path).select("code", "parent_code")
    paths = r.filter(pl.col("parent_code").is_null()).select(
        "code", pl.format("/{}/", "code").alias("path")
    )
    todo = r.filter(pl.col("parent_code").is_not_null())
    while todo.height:
        step = todo.join(paths.rename({"code": "parent_code", "path": "pp"}), on="parent_code")
        if not step.height:
            break
        paths = pl.concat(
            [paths, step.select("code", (pl.col("pp") + pl.col("code") + "/").alias("path"))]
        )
        todo = todo.join(step.select("code"), on="code", how="anti")
    levels = pl.read_parquet(path).select("code", "level")
    return (
        paths.join(levels, on="code").filter(pl.col("level") == "village").drop("level").to_arrow()
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--sim", type=Path, help="a simulated province (lantu simulate --preset yunnan)"
    )
    ap.add_argument("--year", type=int)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        setup_django(Path(d) / "setup.sqlite3")
        if not args.skip_import:
            bench_import(args.rows, args.repeat)
        if args.sim:
            bench_rules(args.sim, args.year, args.repeat)


if __name__ == "__main__":
    main()
