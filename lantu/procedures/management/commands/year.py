"""``lantu year open|close|compare|report``: the yearly cycle (动态管理).

- ``open 2021 [--policy yunnan] [--open household_exit,monitoring] [--no-evaluate]``: run the
  ruler's annual evaluation, show the candidates of every kind, open the chosen kinds' cases;
- ``close 2021 [--replace] [--xlsx FILE]``: freeze the registry and write the year's report;
- ``compare 2020 2021``: status transitions between two closed years;
- ``report 2021 [--xlsx FILE]``: the closed year's changes per township.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.core.errors import LantuError
from lantu.core.files import write_private
from lantu.procedures import report, yearly
from lantu.procedures.models import YearClose


class Command(BaseCommand):
    help = "年度动态管理：开启、关账、比较 / the yearly cycle: open, close, compare"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["open", "close", "compare", "report"])
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--policy", default=None)
        parser.add_argument("--open", default="", help="kinds to open, comma-separated")
        parser.add_argument("--no-evaluate", action="store_true")
        parser.add_argument("--replace", action="store_true")
        parser.add_argument("--xlsx", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["what"])(opts)
        except LantuError as exc:
            raise CommandError(f"{exc.zh} / {exc.en}") from exc

    def _open(self, opts: dict[str, Any]) -> None:
        kinds = tuple(k for k in opts["open"].split(",") if k)
        out = yearly.open_year(actor=None, year=opts["years"][0], policy=opts["policy"],
                               open_kinds=kinds, evaluate=not opts["no_evaluate"])  # fmt: skip
        self.stdout.write(f"{out.year} 年度评估 evaluation run: {out.run_id}")
        for slug, n in out.proposed.items():
            opened = out.opened.get(slug)
            extra = f", 已发起 opened {opened}" if opened is not None else ""
            self.stdout.write(f"  {slug:<18} 候选 candidates {n}{extra}")

    def _close(self, opts: dict[str, Any]) -> None:
        closed = yearly.close_year(actor=None, year=opts["years"][0], replace=opts["replace"])
        self.stdout.write(f"{closed.year} 关账 closed: {closed.households} 户 households")
        self.stdout.write(f"  snapshot: {closed.parquet}")
        self._report(opts)

    def _report(self, opts: dict[str, Any]) -> None:
        year = opts["years"][0]
        closed = YearClose.objects.filter(year=year).first()
        if closed is None:
            raise CommandError(f"{year}年度尚未关账 / {year} is not closed")
        rows = report.rollup(closed.report, "/", report.TOWNSHIP_DEPTH)
        names = [c for c, _, _ in report.COLUMNS]
        self.stdout.write("  " + " ".join(f"{n:>9}" for n in ["region", *names]))
        for r in rows:
            self.stdout.write(
                "  " + " ".join(f"{v!s:>9}" for v in [r["name"]] + [r[n] for n in names])
            )
        if opts["xlsx"]:
            write_private(Path(opts["xlsx"]), report.xlsx(year, rows))
            self.stdout.write(f"  XLSX: {opts['xlsx']}")

    def _compare(self, opts: dict[str, Any]) -> None:
        if len(opts["years"]) != 2:
            raise CommandError("请给出两个年度 / give two years")
        a, b = opts["years"]
        for x, y, n in yearly.compare(a, b):
            self.stdout.write(f"  {x or '—':<16} → {y or '—':<16} {n}")
