"""``lantu monitoring alerts --year Y``: the data comparison's open monitoring findings become
tickets (department alerts, 政府托举). Escalation of overdue tickets runs with
``lantu procedures escalate``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.monitoring import alerts


class Command(BaseCommand):
    help = "防返贫监测：比对发现转为线索工单 / monitoring: findings to tickets"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["alerts"])
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        n = alerts.from_findings(year=opts["year"])
        self.stdout.write(f"{n} 件新线索工单 / new tickets from findings")
