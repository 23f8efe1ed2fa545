"""lantu restore FILE — replace the database's content with a backup (stop the server first),
then verify the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.core.backup import restore
from lantu.core.errors import LantuError


class Command(BaseCommand):
    help = "从备份恢复数据库（先停止服务）/ restore the database from FILE (stop the server first)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--no-verify", action="store_true", help="skip lantu ledger verify")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["yes"] and input("覆盖当前数据库？overwrite the database? [y/N] ") != "y":
            raise CommandError("已取消 / cancelled")
        try:
            restore(Path(opts["file"]))
        except LantuError as exc:
            raise CommandError(f"{exc.zh}\n{exc.en}") from exc
        self.stdout.write(f"已恢复 / restored from {opts['file']}")
        if not opts["no_verify"]:
            call_command("ledger", "verify", stdout=self.stdout, stderr=self.stderr)
