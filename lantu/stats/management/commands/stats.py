"""``lantu stats refresh``: recompute every indicator into the aggregate table, with a progress
bar; ``lantu stats show [--region CODE] [--year Y]``: print one region's figures."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.jobs import tqdm_progress


class Command(BaseCommand):
    help = "统计汇总 / statistics: refresh the aggregates, show a region"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh", "show"])
        parser.add_argument("--region", default="")
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "refresh":
            from lantu.stats.services import refresh

            bar = tqdm_progress("stats", disable=o["verbosity"] == 0)
            done = refresh(actor=None, progress=bar)
            bar.close()
            self.stdout.write(
                f"统计汇总 refreshed: {done.rows} rows, years {done.years[0]}–{done.years[-1]}, "
                f"{done.seconds:.1f} s {done.timings}"
            )
            if done.missing:
                self.stdout.write(f"  暂无数据 no data yet: {', '.join(done.missing)}")
            return
        from lantu.stats.models import Aggregate

        qs = Aggregate.objects.order_by("depth", "-year")
        if o["region"]:
            qs = qs.filter(path__endswith=f"/{o['region']}/")
        if o["year"]:
            qs = qs.filter(year=o["year"])
        row = qs.first()
        if row is None:
            self.stdout.write("无汇总 / no aggregates: run `lantu stats refresh`")
            return
        self.stdout.write(f"{row.path} {row.year}")
        self.stdout.write(json.dumps(json.loads(row.vals), ensure_ascii=False, indent=1))
