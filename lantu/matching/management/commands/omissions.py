"""lantu omissions --year Y [--policy yunnan] [--xlsx FILE] — the omission search (漏评排查):
households of the household register none of whose people is in the registry, whose department
records show income under the monitoring line and a risk (``lantu.matching.omissions``). Prints
the count per village; ``--xlsx`` writes the list for the villages' door-to-door verification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandParser
from openpyxl import Workbook

from lantu.matching import omissions

HEADERS = ["户号 / register no.", "村代码 / village", "户主 / head", "户主身份证号 / head's ID",
           "人数 / people", "核查顺序 / priority"]  # fmt: skip


class Command(BaseCommand):
    help = "漏评排查 / omission search over the household register"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--policy", default="yunnan")
        parser.add_argument("--region", default="", help="region code prefix")
        parser.add_argument("--xlsx")

    def handle(self, *args: Any, **o: Any) -> None:
        found = omissions.search(year=o["year"], policy=o["policy"], region_code=o["region"])
        self.stdout.write(f"疑似漏评户 / possibly missed households: {found.height}")
        if not found.height:
            return
        first = found.filter(pl.col("priority") == 1).height
        second = found.filter(pl.col("priority") == 2).height
        self.stdout.write(
            f"  优先核查（风险有多个来源印证） / visit first (two or more sources): {first}"
        )
        self.stdout.write(f"  其次核查（一个来源记录到风险） / visit second (one source): {second}")
        per = found.group_by("region_code").len().sort("region_code")
        for code, n in per.rows():
            self.stdout.write(f"  {code}: {n}")
        if o["xlsx"]:
            wb = Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = f"漏评排查{o['year']}"
            ws.append(HEADERS)
            cols = ["household_no", "region_code", "head_name", "head_id", "size", "priority"]
            for row in found.sort("priority", "region_code", "household_no").select(cols).rows():
                ws.append(list(row))
            wb.save(Path(o["xlsx"]))
            self.stdout.write(f"已写入 / written: {o['xlsx']}")
