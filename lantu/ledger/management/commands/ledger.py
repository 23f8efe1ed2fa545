"""lantu ledger verify — walk the hash chain and say whether any event was altered or removed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.ledger.services import verify


class Command(BaseCommand):
    help = "台账校验 / verify the ledger's hash chain"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **opts: Any) -> None:
        checked, problems = verify()
        for p in problems[:50]:
            self.stderr.write(p)
        if problems:
            raise CommandError(
                f"台账链校验失败：{len(problems)}处问题（共{checked}条）\n"
                f"the ledger chain is broken: {len(problems)} problems in {checked} events"
            )
        self.stdout.write(f"台账完整 / ledger intact: {checked} events")
