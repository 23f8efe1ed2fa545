"""lantu simulate — generate a synthetic province (truth/ and observed/) into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.simulator.run import PRESETS, simulate


def parse_years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        span = (int(first), int(last or first))
    except ValueError as exc:
        raise CommandError(
            f"年份应写作 2014-2025 / years are written 2014-2025, not {text!r}"
        ) from exc
    if not 2014 <= span[0] <= span[1] <= 2025:
        raise CommandError("年份须在2014至2025之间 / years must lie within 2014-2025")
    return span


class Command(BaseCommand):
    help = "生成模拟省份数据 / generate a synthetic province (truth/ and observed/)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=PRESETS, default="county")
        parser.add_argument("--people", type=int, default=None, help="默认随预设 / preset default")
        parser.add_argument("--years", default="2014-2025")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        years = parse_years(str(opts["years"]))
        if years[0] != 2014:
            raise CommandError("模拟须从2014年建档立卡开始 / a run starts at the 2014 registration")
        out = simulate(
            opts["preset"], Path(opts["out"]), seed=opts["seed"], people=opts["people"], years=years
        )
        self.stdout.write(f"已写入 / written: {out}/truth, {out}/observed")
