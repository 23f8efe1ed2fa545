"""lantu precision SIM_DIR [--year Y] [--xlsx FILE] [--json FILE] — score every decision Lantu
proposes against the simulation's truth (lantu.precision.score). The only application command
that reads ``SIM_DIR/truth``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.precision import report, score, stored


class Command(BaseCommand):
    help = "精准度报告：对照模拟真值评估每类决策 / precision of every decision against the truth"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sim_dir")
        parser.add_argument("--year", type=int, action="append")
        parser.add_argument("--policy", default="yunnan")
        parser.add_argument("--region", default="", help="region path prefix")
        parser.add_argument("--xlsx")
        parser.add_argument("--json")

    def handle(self, *args: Any, **o: Any) -> None:
        from lantu.precision import truth

        folder = Path(o["sim_dir"])
        years = o["year"] or [truth.years(folder)[-1]]
        everything = {}
        for year in years:
            rows = [f.row() for f in score.score(folder, year, policy=o["policy"],
                                                 region_path=o["region"])]  # fmt: skip
            everything[year] = rows
            stored.save(year, rows, str(folder.resolve()))
            self.stdout.write(report.text(rows, year))
            if o["xlsx"]:
                path = (
                    Path(o["xlsx"])
                    if len(years) == 1
                    else Path(o["xlsx"]).with_suffix(f".{year}.xlsx")
                )
                path.write_bytes(report.workbook(rows, year))
        if o["json"]:
            Path(o["json"]).write_text(json.dumps(everything, ensure_ascii=False, indent=1))
