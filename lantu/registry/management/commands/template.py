"""lantu template registry.xlsx — write the registry import template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.registry.template import write_template


class Command(BaseCommand):
    help = "写出导入模板 / write an import template (kinds: registry)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="registry.xlsx")
        parser.add_argument("--kind", default="registry", choices=["registry"])
        parser.add_argument("--no-example", action="store_true", help="without the example row")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError(
                "模板文件名应以 .xlsx 结尾 / the template file name must end in .xlsx"
            )
        path.write_bytes(write_template(example=not opts["no_example"]))
        self.stdout.write(f"已写出模板 / template written: {path}")
