"""Registry import benchmark (issue 2).

1. 1,000,000 members from one CSV into a fresh SQLite database with ``lantu import`` (target ≤ 60 s
   on 2 cores), peak memory reported.
2. Side by side on the same 50,000 rows: Lantu's import vs django-import-export's default import
   (a ModelResource, row by row), target ≥ 20×. django-import-export is given the easier job: its
   households already exist and it only creates the members; Lantu creates households, members
   and yearly facts, with every check and the ledger events.

Usage: .venv/bin/python bench/bench_import.py [--members 1000000] [--compare 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db: Path) -> None:
    os.environ["LANTU_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fresh_db(tmp: Path, name: str) -> None:
    """Point Django at a new, migrated database file."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    db = tmp / f"{name}.sqlite3"
    connections.databases["default"]["NAME"] = str(db)
    call_command("migrate", verbosity=0)
    from bench.registry_data import region_rows
    from lantu.regions.services import load_regions, load_yunnan

    load_yunnan()
    load_regions(region_rows())


def lantu_import(csv: bytes) -> tuple[float, dict[str, int]]:
    from lantu.registry.imports import import_file
    from lantu.registry.loadmode import initial_load

    t = time.perf_counter()
    with initial_load(actor=None, reason="bench: initial load"):
        report = import_file(csv, "bench.csv", actor=None)
    elapsed = time.perf_counter() - t
    assert report.ok, report.errors[:3]
    return elapsed, report.summary


def import_export_import(frame) -> float:
    """django-import-export's default import of the member rows (households created beforehand)."""
    import tablib
    from import_export import fields, resources, widgets

    from lantu.regions.models import Region
    from lantu.registry.models import Household, Member

    heads = frame.filter(frame["region_code"] != "")
    regions = {r.code: r for r in Region.objects.filter(level="village")}
    Household.objects.bulk_create(
        [
            Household(household_no=no, region=regions[code], region_path=regions[code].path)
            for no, code in heads.select("household_no", "region_code").iter_rows()
        ],
        batch_size=5000,
    )

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="household_no",
            widget=widgets.ForeignKeyWidget(Household, "household_no"),
        )

        class Meta:
            model = Member
            import_id_fields = ("id_number",)
            fields = ("household", "id_number", "name", "sex", "birth_date", "relation")

    from lantu.registry.ids import check_id

    births = [check_id(n).birth_date for n in frame["id_number"].to_list()]
    data = tablib.Dataset(
        headers=["household_no", "id_number", "name", "sex", "birth_date", "relation"]
    )
    for rec, birth in zip(
        frame.select("household_no", "id_number", "name", "sex", "relation").iter_rows(),
        births,
        strict=True,
    ):
        data.append([rec[0], rec[1], rec[2], rec[3], birth.isoformat(), rec[4]])
    t = time.perf_counter()
    result = MemberResource().import_data(data, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - t
    assert not result.has_errors()
    return elapsed


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--compare", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lantu-bench-"))
    setup_django(tmp / "boot.sqlite3")
    from bench.registry_data import registry_frame, to_csv

    print(f"# registry import benchmark  (cpus={os.cpu_count()})")
    small = registry_frame(args.compare)
    small_csv = to_csv(small)
    ours = []
    for i in range(args.repeat):
        fresh_db(tmp, f"ours{i}")
        ours.append(lantu_import(small_csv)[0])
    fresh_db(tmp, "iex")
    theirs = import_export_import(small)
    print(
        f"{args.compare:,} rows: lantu median {statistics.median(ours):.2f}s "
        f"(runs {', '.join(f'{t:.2f}' for t in ours)}); django-import-export {theirs:.2f}s; "
        f"ratio {theirs / statistics.median(ours):.1f}x (target >= 20x)"
    )
    if args.members:
        big = to_csv(registry_frame(args.members))
        print(f"{args.members:,} members CSV: {len(big) / 1e6:.0f} MB")
        fresh_db(tmp, "big")
        elapsed, summary = lantu_import(big)
        print(
            f"{args.members:,} members: {elapsed:.1f}s (target <= 60s), "
            f"{args.members / elapsed:,.0f} rows/s; {summary}"
        )
    print(f"peak memory (RSS): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
