"""Benchmark of the province simulator: wall time and peak memory per run, medians over repeats,
and the cost per million person-years side by side across scales.

    .venv/bin/python bench/bench_simulate.py                 # county 100k x3, yunnan 1M x1
    .venv/bin/python bench/bench_simulate.py --full          # + yunnan 10M x1 (about 5 min, ~5 GB)

Each run is a separate process (``lantu simulate``), so the peak resident memory of that process
is measured by the operating system (getrusage of the finished child)."""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANTU = str(Path(sys.executable).with_name("lantu"))


def run_once(preset: str, people: int, seed: int) -> tuple[float, float]:
    out = Path(tempfile.mkdtemp(prefix="lantu-bench-"))
    try:
        start = time.perf_counter()
        subprocess.run(
            [
                LANTU,
                "simulate",
                "--preset",
                preset,
                "--people",
                str(people),
                "--seed",
                str(seed),
                "--years",
                "2014-2025",
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        print(f"    {preset} {people:>11,} people: {seconds:7.1f} s, output {size / 1e9:.2f} GB")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    return seconds, peak_gb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="also 10,000,000 people (once)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    plan = [("county", 100_000, args.repeats), ("yunnan", 1_000_000, 1)]
    if args.full:
        plan.append(("yunnan", 10_000_000, 1))
    rows = []
    for preset, people, repeats in plan:
        times = []
        for i in range(repeats):
            seconds, peak = run_once(preset, people, seed=1 + i)
            times.append(seconds)
        median = statistics.median(times)
        person_years = people * 12 / 1e6
        rows.append((preset, people, median, median / person_years, peak))
    print()
    print(
        f"{'preset':<8} {'people':>12} {'median s':>9} {'s per M person-years':>21} "
        f"{'vs first':>9} {'peak RSS GB (max so far)':>25}"
    )
    base = rows[0][3]
    for preset, people, median, per, peak in rows:
        print(
            f"{preset:<8} {people:>12,} {median:>9.1f} {per:>21.2f} {per / base:>9.2f} "
            f"{peak:>25.2f}"
        )
    print("targets: 10M people x 12 years <= 300 s and <= 8 GB peak; county in seconds")


if __name__ == "__main__":
    main()
