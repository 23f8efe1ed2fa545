"""lantu exits — the exit assessment from the command line (as the system, or ``--user``).

lantu exits rosters SIM_DIR|FILE.csv [--year Y]   # 户籍户数 per village (村代码,户数)
lantu exits draw COUNTY_CODE --year Y [--seed S]  # the assessment sample
lantu exits import ASSESSMENT FILE                # an ODK/Kobo export (all or nothing)
lantu exits estimate ASSESSMENT                   # 三率一度, verdicts, the county rule
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.accounts.models import User
from lantu.core.errors import LantuError
from lantu.exits import fieldwork, services
from lantu.exits.models import Assessment
from lantu.regions.models import Region


def _rosters(path: Path, year: int | None) -> dict[int, dict[str, int]]:
    if path.is_dir():
        t = pl.read_parquet(path / "observed" / "registers" / "village_households.parquet")
        if year is not None:
            t = t.filter(pl.col("year") == year)
        out: dict[int, dict[str, int]] = {}
        for y, code, n in t.select("year", "village_code", "households").iter_rows():
            out.setdefault(int(y), {})[str(code)] = int(n)
        return out
    if year is None:
        raise CommandError("CSV 需要 --year / a CSV needs --year")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    return {year: {r[0].strip(): int(r[1]) for r in rows[1:] if r and r[0].strip()}}


class Command(BaseCommand):
    help = "贫困退出评估 / the exit assessment: rosters, draw, import, estimate"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rosters", "draw", "import", "estimate"])
        parser.add_argument("target")
        parser.add_argument("file", nargs="?")
        parser.add_argument("--year", type=int)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--user", help="acting user (default: the system)")

    def handle(self, *args: Any, **o: Any) -> None:
        actor = User.objects.get(username=o["user"]) if o["user"] else None
        try:
            self._run(o, actor)
        except LantuError as exc:
            raise CommandError(f"{exc.zh} / {exc.en}") from exc

    def _run(self, o: dict[str, Any], actor: Any) -> None:
        if o["action"] == "rosters":
            for year, counts in sorted(_rosters(Path(o["target"]), o["year"]).items()):
                n = services.set_rosters(actor=actor, year=year, counts=counts, source=o["target"])
                if o["verbosity"] > 0:
                    self.stdout.write(f"{year}: {n} villages")
        elif o["action"] == "draw":
            county = Region.objects.get(code=o["target"], level="county")
            a = services.draw_assessment(actor=actor, county=county, year=o["year"],
                                         seed=o["seed"])  # fmt: skip
            self.stdout.write(f"assessment {a.pk}: {a.households.count()} households in "
                              f"{a.villages.count()} villages")  # fmt: skip
        elif o["action"] == "import":
            a = Assessment.objects.get(pk=int(o["target"]))
            path = Path(o["file"])
            report = fieldwork.import_answers(actor=actor, assessment=a, data=path.read_bytes(),
                                              filename=path.name)  # fmt: skip
            if not report.ok:
                errors = path.with_suffix(".errors.xlsx")
                errors.write_bytes(report.error_workbook())
                raise CommandError(f"{len(report.errors)} errors, nothing imported: {errors}")
            self.stdout.write(f"imported {report.summary}")
        else:
            a = services.estimate_assessment(actor=actor, assessment_id=int(o["target"]))
            for k, e in a.estimates.items():
                self.stdout.write(f"{k:16} {e['value']:.4f} [{e['low']:.4f}, {e['high']:.4f}] "
                                  f"{e['verdict']}")  # fmt: skip
            self.stdout.write(f"overall: {a.verdict}")
