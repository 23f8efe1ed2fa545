"""Benchmark of the province simulator: wall time, CPU time and peak memory per run, medians over
repeats, and the cost per million person-years side by side across scales.

    .venv/bin/python bench/bench_simulate.py                 # county 100k x3, yunnan 1M x1
    .venv/bin/python bench/bench_simulate.py --full          # + yunnan 10M x1 (~5 GB peak)

Each run is a separate process (``lantu simulate``), so its CPU time and peak resident memory are
measured by the operating system (getrusage of the finished children). Wall time depends on what
else runs on the machine: the load average is printed beside each run."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LANTU = str(Path(sys.executable).with_name("lantu"))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(preset: str, people: int, seed: int) -> tuple[float, float, float]:
    out = Path(tempfile.mkdtemp(prefix="lantu-bench-"))
    try:
        cpu0 = _cpu()
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
            stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        cpu = _cpu() - cpu0
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        print(
            f"    {preset} {people:>11,} people: {seconds:7.1f} s wall, {cpu:7.1f} s CPU, "
            f"output {size / 1e9:.2f} GB, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    return seconds, cpu, peak_gb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="also 10,000,000 people (once)")
    parser.add_argument("--only-full", action="store_true", help="only the 10,000,000 run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    plan = [("county", 100_000, args.repeats), ("yunnan", 1_000_000, 1)]
    if args.only_full:
        plan = []
    if args.full or args.only_full:
        plan.append(("yunnan", 10_000_000, 1))
    rows = []
    for preset, people, repeats in plan:
        runs = [run_once(preset, people, seed=1 + i) for i in range(repeats)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rows.append((preset, people, wall, cpu, cpu / (people * 12 / 1e6), runs[-1][2]))
    print()
    print(
        f"{'preset':<8} {'people':>12} {'wall s':>8} {'CPU s':>8} {'CPU s per M person-yr':>22} "
        f"{'vs first':>9} {'peak RSS GB (max so far)':>25}"
    )
    base = rows[0][4]
    for preset, people, wall, cpu, per, peak in rows:
        print(
            f"{preset:<8} {people:>12,} {wall:>8.1f} {cpu:>8.1f} {per:>22.2f} {per / base:>9.2f} "
            f"{peak:>25.2f}"
        )
    print("targets: 10M people x 12 years <= 300 s and <= 8 GB peak; county in seconds")


if __name__ == "__main__":
    main()
