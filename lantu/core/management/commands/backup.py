"""lantu backup FILE — a consistent copy of the database (SQLite online backup or pg_dump)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.core.backup import backup
from lantu.core.errors import LantuError


class Command(BaseCommand):
    help = "备份数据库 / back up the database to FILE (0600)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            path = backup(Path(opts["file"]))
        except LantuError as exc:
            raise CommandError(f"{exc.zh}\n{exc.en}") from exc
        self.stdout.write(f"已备份 / backed up: {path} ({path.stat().st_size:,} bytes)")
