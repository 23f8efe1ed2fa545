"""lantu load DIR — load a simulated observed/ folder (regions, poverty status, registry)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.simulator.loading import CHUNK_MEMBERS, load, load_clues


class Command(BaseCommand):
    help = "载入模拟数据的 observed/ / load a simulation's observed/ folder into the application"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir")
        parser.add_argument(
            "--chunk-members",
            type=int,
            default=CHUNK_MEMBERS,
            help="每批最多载入的人数（整乡镇为单位）/ members per slice (whole townships)",
        )
        parser.add_argument(
            "--clues",
            action="store_true",
            help="同时载入监测线索（observed/monitoring）为线索工单 / also load the monitoring "
            "clues (observed/monitoring) as tickets",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        report = load(
            Path(opts["dir"]), chunk_members=opts["chunk_members"], progress=opts["verbosity"] > 0
        )
        self.stdout.write(
            f"区划 regions: {report.regions}; 贫困状态 poverty statuses: {report.poverty_statuses}"
        )
        self.stdout.write(
            f"暂缓载入（录入错误）/ held back for entry errors: {report.held_back} 户"
        )
        for key, value in sorted(report.registry.items()):
            self.stdout.write(f"  {key}: {value}")
        if not report.ok:
            raise CommandError("\n".join(report.errors))
        if opts["clues"]:
            n = load_clues(Path(opts["dir"]))
            self.stdout.write(f"线索工单 clue tickets: {n}")
