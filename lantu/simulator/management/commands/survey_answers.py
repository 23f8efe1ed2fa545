"""lantu survey_answers SIM_DIR ASSESSMENT --out FILE.csv — the simulated field team: answers an
assessment's sample from the simulation's truth (a KoboToolbox-like export to import with
``lantu exits import``). For the demo and tests only; the application never reads truth/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.exits.models import Assessment
from lantu.simulator.survey import field_export


class Command(BaseCommand):
    help = "从模拟真值回答评估调查 / answer an assessment's survey from the simulation's truth"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sim")
        parser.add_argument("assessment", type=int)
        parser.add_argument("--out", required=True)
        parser.add_argument("--no-errors", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        a = Assessment.objects.get(pk=o["assessment"])
        rows = a.households.select_related("village__village", "household")
        samples: list[dict[str, object]] = [
            {"code": s.code, "stratum": s.stratum, "village": s.village.village.code,
             "household_no": s.household.household_no if s.household else None,
             "roster_position": s.roster_position}
            for s in rows
        ]  # fmt: skip
        data = field_export(Path(o["sim"]), a.year, samples, seed=a.seed,
                            errors=not o["no_errors"])  # fmt: skip
        Path(o["out"]).write_bytes(data)
        answered = data.count(b"\n") - 1
        self.stdout.write(f"{len(samples)} sampled, {answered} answered")
