"""``lantu procedures escalate|conclude|kinds``: the procedures' cron jobs and configuration.

- ``escalate``: raise cases overdue for ``escalate_after_days`` to the level above (督办);
- ``conclude``: confirm, as the system, notice steps whose notice ended with no open objection;
- ``kinds [--year Y]``: each kind's steps, roles, levels and durations with their references.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lantu.procedures import config, escalation


class Command(BaseCommand):
    help = "程序：督办、公示期满确认、查看配置 / procedures: escalate, conclude notices, kinds"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["escalate", "conclude", "kinds"])
        parser.add_argument("--year", type=int, default=2021)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "escalate":
            report = escalation.escalate()
            for pk, level in report.escalated:
                self.stdout.write(f"督办 escalated case {pk} → {level}")
            self.stdout.write(f"{len(report.escalated)} 件督办 / cases escalated")
            for name, raised in report.others.items():
                self.stdout.write(f"{len(raised)} {name} 督办 / escalated")
        elif opts["what"] == "conclude":
            done = escalation.conclude_notices()
            self.stdout.write(f"{len(done)} 件公示期满确认 / notice steps concluded")
        else:
            self._kinds(opts["year"])

    def _kinds(self, year: int) -> None:
        for k in config.kinds().values():
            self.stdout.write(f"{k.slug}: {k.zh} / {k.en}  [{k.ref}]  rule={k.rule}")
            for s in k.steps:
                days, ref = s.days.days(year)
                who = f"{s.role}@{s.level}" if not s.is_notice else f"notice:{s.notice}"
                self.stdout.write(f"  {s.name:<18} {who:<32} {days:>3}d  {s.zh}  ({ref})")
