"""Benchmark and figures: the precision report (``lantu precision``) on a simulation of any size.

Loads the simulation into a fresh database (registry, department data and their linkage, the
assistance room's pairings and plans when present, the latest year opened as the demo does), then
scores each asked year against the truth, and prints each step's wall time, CPU seconds and the
process's peak resident memory, then the report. This is how the prefecture's 2025 families are
measured (issue 12); the county figures come from the same script.

    # a prefecture (Zhaotong, ~1M people): simulate once, then score into its own SQLite file
    lantu simulate --preset prefecture --seed 1 --out /work/data/prefecture
    LANTU_DATABASE_URL=sqlite:////work/data/prefecture.sqlite3 \\
        .venv/bin/python bench/bench_precision.py --sim /work/data/prefecture \\
        --year 2025 --year 2020 --year 2019 --json /work/data/prefecture-precision.json

The database must be empty (a new SQLite file, or ``createdb``); the script refuses one that
already holds households. Nothing here reads ``truth/`` except ``lantu precision`` itself.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", required=True, type=Path, help="a `lantu simulate` output folder")
    ap.add_argument("--year", type=int, action="append", help="years to score (default 2025)")
    ap.add_argument("--json", type=Path, help="write the report as JSON too")
    a = ap.parse_args()
    years = a.year or [2025]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Max

    from lantu.registry.models import Household, HouseholdYear

    call_command("migrate", verbosity=0)
    if Household.objects.exists():
        sys.exit("the database already holds households: use an empty one (LANTU_DATABASE_URL)")

    def step(label: str, *args: object, **kw: object) -> None:
        w0, c0 = time.perf_counter(), _cpu_s()
        call_command(*args, **kw)  # type: ignore[arg-type]
        w, c = time.perf_counter() - w0, _cpu_s() - c0
        print(f"{label:<22} wall {w:8.1f} s  cpu {c:8.1f} s  peak {_peak_mb():7.0f} MB", flush=True)

    # The monitoring clues (self-reports, cadre visits, department pushes) as tickets: the omission
    # search and the monitoring rules read them.
    step("load", "load", str(a.sim), clues=True, verbosity=0)
    latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
    step("year open", "year", "open", str(latest), open="monitoring,risk_elimination", verbosity=0)
    if (a.sim / "observed" / "departments").is_dir():
        step("match load", "match", "load", str(a.sim), as_of=f"{latest}-12-31", verbosity=0)
        step("match link", "match", "link", verbosity=0)
    if (a.sim / "observed" / "assistance" / "pairings.parquet").exists():
        step("assistance load", "assistance", "load", str(a.sim), verbosity=0)
    out = io.StringIO()
    kw: dict[str, object] = {"year": years, "stdout": out}
    if a.json:
        kw["json"] = str(a.json)
    step("precision", "precision", str(a.sim), **kw)
    print(out.getvalue())


if __name__ == "__main__":
    main()
