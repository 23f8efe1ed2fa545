"""``lantu evaluate``: run a policy over a registry snapshot for one year.

    lantu evaluate --year 2020 --policy yunnan --households H.csv --members M.csv --years Y.csv \\
        --out results.parquet [--long] [--villages-out V.csv] [--counties-out C.csv]
    lantu evaluate --year 2020 --policy yunnan --input-dir observed/registry --out results.csv
    lantu evaluate --year 2019 --policy yunnan --input-dir /work/data/province --out r.parquet
    lantu evaluate --year 2025 --from-db [--region CODE] [--store] [--out results.parquet]

Inputs and outputs are CSV or Parquet (by suffix). ``--store`` (with ``--from-db``) keeps the
results in the application (``lantu.standards.services.run_evaluation``), where the household
file page shows them. ``--backend spark`` runs the same SQL on a local Spark session.
``--input-dir`` also takes a simulation's folder (``lantu simulate --out DIR``): its observed
registry is read as it stood in ``--year`` (``lantu.engine.observed``).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lantu.core.errors import LantuError
from lantu.engine import files, observed, snapshot
from lantu.engine.backends import Backend, DuckDBBackend, SparkBackend
from lantu.engine.run import evaluate
from lantu.standards.explain import long_table


class Command(BaseCommand):
    help = "按政策标准评估户、村、县 / evaluate households, villages and counties by a policy"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--policy", default="yunnan")
        parser.add_argument("--households")
        parser.add_argument("--members")
        parser.add_argument("--years", dest="years_file")
        parser.add_argument("--counties", help="县级评估数据（三率一度）/ county assessment")
        parser.add_argument("--input-dir")
        parser.add_argument("--from-db", action="store_true")
        parser.add_argument("--region", help="区划代码，仅评估其辖区 / only this region's subtree")
        parser.add_argument("--store", action="store_true")
        parser.add_argument("--out")
        parser.add_argument("--long", action="store_true", help="每户每规则一行 / one row per rule")
        parser.add_argument("--villages-out")
        parser.add_argument("--counties-out")
        parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            self._run(o)
        except LantuError as e:
            raise CommandError(f"{e.zh} / {e.en}") from e

    def _inputs(self, o: dict[str, Any]) -> dict[str, Any]:
        if o["from_db"]:
            from lantu.standards.inputs import with_register_data

            # The same inputs as the stored evaluation: department data, the register's
            # rural population, months under monitoring.
            snap = dict(snapshot.from_db(years=(o["year"] - 1, o["year"]), region_path=_path(o)))
            return with_register_data(snap, year=o["year"], region_path=_path(o) or "")
        if o["input_dir"] and observed.registry_folder(o["input_dir"]):
            inputs: dict[str, Any] = dict(observed.registry_as_of(o["input_dir"], o["year"]))
        elif o["input_dir"]:
            inputs = dict(files.registry_dir(o["input_dir"]))
        else:
            named = {"households": o["households"], "members": o["members"],
                     "years": o["years_file"]}  # fmt: skip
            missing = [k for k, v in named.items() if not v]
            if missing:
                raise CommandError(
                    "需要 --households --members --years，或 --input-dir，或 --from-db / "
                    "give --households --members --years, or --input-dir, or --from-db"
                )
            inputs = {k: files.check_input(v) for k, v in named.items()}
        if o["counties"]:
            inputs["counties"] = files.check_input(o["counties"])
        return inputs

    def _run(self, o: dict[str, Any]) -> None:
        if o["store"] and not o["from_db"]:
            raise CommandError("--store 需要 --from-db / --store needs --from-db")
        backend: Backend = SparkBackend() if o["backend"] == "spark" else DuckDBBackend()
        if o["store"]:
            from lantu.standards.services import run_evaluation

            run = run_evaluation(actor=None, year=o["year"], policy=o["policy"],
                                 region_path=_path(o), backend=backend)  # fmt: skip
            self.stdout.write(f"stored run {run.pk}: {run.households} households")
            if not o["out"]:
                return
        start = time.perf_counter()
        res = evaluate(o["policy"], o["year"], self._inputs(o), backend=backend)
        took = time.perf_counter() - start
        p = res.policy
        self.stdout.write(
            f"{p.name} {p.version} #{p.content_hash[:12]} {o['year']}: "
            f"{res.households.num_rows} households in {took:.1f} s"
        )
        if o["out"]:
            table = long_table(res.households, res.compiled) if o["long"] else res.households
            self.stdout.write(f"→ {files.write(table, o['out'])}")
        for key, table in (("villages_out", res.villages), ("counties_out", res.counties)):
            if o[key] and table is not None:
                self.stdout.write(f"→ {files.write(table, o[key])}")


def _path(o: dict[str, Any]) -> str | None:
    if not o.get("region"):
        return None
    from lantu.regions.models import Region

    region = Region.objects.filter(code=o["region"]).first()
    if region is None:
        raise CommandError(f"区划代码 {o['region']} 不存在 / no region {o['region']}")
    return region.path
