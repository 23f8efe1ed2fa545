"""lantu import registry FILE — check every row, then apply all of the file or none of it."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.accounts.models import User
from lantu.core.errors import LantuError
from lantu.core.files import write_private
from lantu.regions.imports import import_regions
from lantu.registry.imports import import_file
from lantu.registry.loadmode import initial_load


class Command(BaseCommand):
    help = "导入登记表或区划 / import a registry or regions file (XLSX or CSV, UTF-8 or GB18030)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["registry", "regions"])
        parser.add_argument("file")
        parser.add_argument("--user", help="act as this user (their scope and permissions)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--errors", help="write the error workbook here (default FILE.errors.xlsx)"
        )
        parser.add_argument(
            "--initial-load",
            action="store_true",
            help="初始导入（仅管理员，记入台账）：按文件中的户状态导入 / "
            "initial load (administrators "
            "only, ledgered): take the statuses in the file as given",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        actor = None
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"用户不存在 / no such user: {opts['user']}")
        if opts["kind"] == "regions":
            try:
                n = import_regions(path.read_bytes(), path.name)
            except LantuError as exc:
                raise CommandError(f"{exc.zh}\n{exc.en}") from exc
            self.stdout.write(f"已导入区划 {n} 个 / regions imported: {n}")
            return
        started = time.perf_counter()
        self.stderr.write("读取并检查中… / reading and checking…")
        mode = (
            initial_load(actor=actor, reason=f"lantu import registry {path.name}")
            if opts["initial_load"]
            else contextlib.nullcontext()
        )
        try:
            with mode:
                report = import_file(
                    path.read_bytes(), path.name, actor=actor, dry_run=opts["dry_run"]
                )
        except LantuError as exc:
            raise CommandError(f"{exc.zh}\n{exc.en}") from exc
        elapsed = time.perf_counter() - started
        if not report.ok:
            out = Path(opts["errors"] or f"{path}.errors.xlsx")
            write_private(out, report.error_workbook())
            for e in report.errors[:20]:
                self.stderr.write(
                    f"第{e.row}行 row {e.row} [{e.column}] {e.value!r}: {e.zh} / {e.en}"
                )
            raise CommandError(
                f"共{len(report.errors)}处错误，未导入任何数据；错误清单：{out}\n"
                f"{len(report.errors)} errors: nothing was imported; the list is in {out}"
            )
        for key, value in report.summary.items():
            self.stdout.write(f"{key}: {value}")
        verb = (
            "检查通过（未写入）/ checked, nothing written"
            if opts["dry_run"]
            else "导入完成 / imported"
        )
        self.stdout.write(f"{verb} in {elapsed:.1f}s")
