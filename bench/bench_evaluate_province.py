"""Benchmark: ``lantu evaluate`` over the simulator's province, and its counts beside the truth.

Runs the real command (``lantu evaluate --year Y --policy P --input-dir SIM --out FILE``) on a
simulation folder (``lantu simulate --preset yunnan --people 10000000 --out /work/data/province``)
whose observed registry is read as it stood in the year (``lantu.engine.observed``). Each run is a
fresh process, so its peak RSS is its own; wall and CPU time are medians over ``--repeats``.

Then the counts of the last run's results (households evaluated, passing identification, flagged
for exit, failing a guarantee, an exclusion, a data-quality check) beside the simulator's truth
(``truth/household_years``, joined through ``truth/links/registry_households``): the status at the
start of the year, the truth's exits in the year and who was truly out of poverty.

    .venv/bin/python bench/bench_evaluate_province.py [--sim /work/data/province] [--year 2019]
        [--policy yunnan] [--repeats 3] [--out /work/data/ruler_c/results.parquet]
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")


GUARANTEES = ("education", "medical", "housing", "water")


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def one_run(sim: str, year: int, policy: str, out: str, q: Any) -> None:
    """``lantu evaluate`` once, in this fresh process."""
    import io

    import django

    django.setup()
    from django.core.management import call_command

    t, c = time.perf_counter(), _cpu_s()
    buf = io.StringIO()
    call_command("evaluate", "--year", str(year), "--policy", policy, "--input-dir", sim,
                 "--out", out, stdout=buf)  # fmt: skip
    q.put(
        {
            "wall_s": time.perf_counter() - t,
            "cpu_s": _cpu_s() - c,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "said": buf.getvalue().strip().splitlines()[0],
        }
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    runs = []
    for _ in range(args.repeats):
        q = ctx.Queue()
        p = ctx.Process(target=one_run, args=(args.sim, args.year, args.policy, args.out, q))
        p.start()
        runs.append(q.get())
        p.join()
    return {
        "wall_s": statistics.median(r["wall_s"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "all_wall_s": [round(r["wall_s"], 1) for r in runs],
        "said": runs[-1]["said"],
    }


def _pct(n: int, d: int) -> str:
    return f"{n:>9,} ({100 * n / d:5.1f}%)" if d else f"{n:>9,}"


def counts(args: argparse.Namespace) -> None:
    import polars as pl

    sim, y = Path(args.sim), args.year
    r = pl.read_parquet(args.out)
    hh = pl.read_parquet(sim / "observed" / "registry" / "households.parquet").select(
        "household_no", pl.col("exit_year").alias("observed_exit_year")
    )
    link = pl.read_parquet(sim / "truth" / "links" / "registry_households.parquet")
    truth = {
        k: pl.read_parquet(sim / "truth" / "household_years" / f"{k}.parquet").select(
            "household_id",
            pl.col("registry_status").cast(pl.String).alias(f"status_{k}"),
            pl.col("true_poor").alias(f"true_poor_{k}"),
            (
                pl.col("housing_fail")
                | pl.col("education_fail")
                | pl.col("medical_fail")
                | pl.col("water_fail")
            ).alias(f"guarantee_fail_{k}"),
            *(pl.col(f"{g}_fail").alias(f"{g}_fail_{k}") for g in GUARANTEES),
        )
        for k in (y - 1, y)
    }
    t = (
        r.join(hh, on="household_no", how="left")
        .join(link, on="household_no", how="left")
        .join(truth[y - 1], on="household_id", how="left")
        .join(truth[y], on="household_id", how="left")
    )
    n = t.height
    poor = t.filter(pl.col("household_exit").is_not_null())  # the exit standard applies
    np_ = poor.height
    quality = [c for c in r.columns if c.startswith("q_")]
    failing_q = r.select(pl.any_horizontal([~pl.col(c).fill_null(True) for c in quality])).sum()
    start_truth_poor = t.filter(pl.col(f"status_{y - 1}").is_in(["poor", "returned"])).height
    rows = [
        ("households evaluated (on the registry in the year)", _pct(n, n), ""),
        ("  linked to a true household", _pct(t["household_id"].is_not_null().sum(), n), ""),
        (
            "poor at the start of the year (reconstructed)",
            _pct(np_, n),
            f"truth {y - 1} poor/returned: {_pct(start_truth_poor, n)}",
        ),
        (
            "  of them truly poor in the year",
            _pct(poor[f"true_poor_{y}"].sum(), np_),
            "",
        ),
        (
            "ruler: household_exit passed (flagged for exit)",
            _pct(poor["household_exit"].sum(), np_),
            f"registry exited in {y}: {_pct(poor['observed_exit_year'].eq(y).sum(), np_)}; "
            f"truth not poor in {y}: {_pct((~poor[f'true_poor_{y}']).sum(), np_)}",
        ),
        (
            "  flagged and truly not poor",
            _pct((poor["household_exit"] & ~poor[f"true_poor_{y}"]).sum(), np_),
            "",
        ),
        (
            "  flagged and exited by the registry",
            _pct((poor["household_exit"] & poor["observed_exit_year"].eq(y)).sum(), np_),
            "",
        ),
        (
            "ruler: identification passed (meets the poor standard)",
            _pct(t["identification"].sum(), n),
            f"truth poor in {y}: {_pct(t[f'true_poor_{y}'].sum(), n)}",
        ),
        (
            "ruler: a guarantee or water not met",
            _pct((~t["assurances_met"]).sum(), n),
            f"truth guarantee failing: {_pct(t[f'guarantee_fail_{y}'].sum(), n)}",
        ),
        (
            "ruler: an exclusion applies",
            _pct((~t["exclusions_clear"]).sum(), n),
            "(no department data in the files: linked variables are NULL)",
        ),
        *(
            (
                f"  {g}_assured not met",
                _pct((~t[f"{g}_assured"]).sum(), n),
                f"truth {g}_fail: {_pct(t[f'{g}_fail_{y}'].sum(), n)}",
            )
            for g in GUARANTEES
        ),
        ("ruler: fails ≥ 1 data-quality check", _pct(int(failing_q.item()), n), ""),
    ]
    print(f"\ncounts {y} (policy {args.policy}) beside the truth")
    for label, value, note in rows:
        print(f"  {label:<56s} {value:>20s}  {note}")
    top = sorted(
        ((int((~r[c]).sum()), c) for c in quality if r[c].dtype == pl.Boolean),
        reverse=True,
    )[:6]
    print("  most failed data-quality checks: " + ", ".join(f"{c} {k:,}" for k, c in top))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--counts-only", action="store_true", help="only the counts of --out")
    ap.add_argument("--sim", default="/work/data/province")
    ap.add_argument("--year", type=int, default=2019)
    ap.add_argument("--policy", default="yunnan")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default="/work/data/ruler_c/results.parquet")
    args = ap.parse_args()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    if args.counts_only:
        counts(args)
        return
    print(f"lantu evaluate --year {args.year} --policy {args.policy} --input-dir {args.sim}")
    print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    m = measure(args)
    print(f"  {m['said']}")
    print(
        f"  median wall {m['wall_s']:.1f} s (runs {m['all_wall_s']}), CPU {m['cpu_s']:.1f} s, "
        f"peak RSS {m['peak_mb']:.0f} MB (read as of the year + evaluate + write)"
    )
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    counts(args)


if __name__ == "__main__":
    main()
