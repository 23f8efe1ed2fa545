"""lantu projects load DIR | check REGION --year Y [--score DIR] | figures DIR.

``load`` puts a simulation's projects through the importers; ``check`` runs the checks over a
region and year and fills the work queue (``--score DIR`` also prints precision and recall
against the simulation's planted faults); ``figures`` prints the seed figures from the data."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandParser

from lantu.projects import figures, findings, scoring, simload
from lantu.regions.models import Region


class Command(BaseCommand):
    help = "项目资金：载入、检查、评分 / projects and funds: load, check, score"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=("load", "check", "figures"))
        parser.add_argument("target")
        parser.add_argument("--year", type=int, default=datetime.date.today().year)
        parser.add_argument("--since", type=int, default=0, help="check every year from this one")
        parser.add_argument("--score", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        verb, target = opts["verb"], opts["target"]
        if verb == "load":
            t = time.perf_counter()
            out = simload.load_projects(Path(target))
            for k, v in sorted(out.items()):
                self.stdout.write(f"  {k}: {v}")
            self.stdout.write(f"载入用时 / loaded in {time.perf_counter() - t:.1f} s")
        elif verb == "figures":
            self.stdout.write(figures.render(Path(target)))
        else:
            region = Region.objects.get(code=target)
            found = []
            for year in range(opts["since"] or opts["year"], opts["year"] + 1):
                t = time.perf_counter()
                out = findings.run(actor=None, region=region, year=year)
                self.stdout.write(f"{year}: {out} ({time.perf_counter() - t:.1f} s)")
                if opts["score"]:
                    found.append(findings.detect(region_path=region.path, year=year))
            if found:
                table = scoring.score(Path(opts["score"]), pl.concat(found).unique())
                with pl.Config(tbl_rows=20, tbl_cols=10, tbl_width_chars=140):
                    self.stdout.write(str(table))
