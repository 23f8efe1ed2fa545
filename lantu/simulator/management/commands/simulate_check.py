"""lantu simulate-check DIR — the seed figures of DOMAIN.md section 10 beside the simulated ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.simulator.calibration import check, registered_people, render


class Command(BaseCommand):
    help = "对照种子数字检查模拟结果 / compare a simulation's observed/ with the seed figures"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir")

    def handle(self, *args: Any, **opts: Any) -> None:
        table = check(Path(opts["dir"]))
        self.stdout.write(render(table))
        manifest = json.loads((Path(opts["dir"]) / "observed" / "manifest.json").read_text())
        people = (
            registered_people(Path(opts["dir"]))
            * manifest["full_rural_people"]
            / manifest["people"]
        )
        self.stdout.write(
            f"（参考）建档立卡贫困人口 registered poor people, scaled: {people:,.0f} "
            "(Yunnan 2020: 9,330,000)"
        )
        from lantu.projects.figures import render as project_figures

        self.stdout.write(project_figures(Path(opts["dir"])))
        bad = table.filter(~table["within_5pct"]).height
        self.stdout.write(f"{table.height - bad}/{table.height} 在5%以内 / within 5%")
