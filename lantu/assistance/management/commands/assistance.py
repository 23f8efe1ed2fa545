"""lantu assistance — the assistance room from the command line:

lantu assistance template KIND OUT.xlsx      # units | cadres | teams | pairings | plans | visits
lantu assistance import KIND FILE [--dry-run] [--user NAME]
lantu assistance load DIR                     # a simulation's observed/assistance
lantu assistance evaluate --year Y [--region CODE] [--policy yunnan]   # gaps and 六清
lantu assistance score DIR [--year Y]         # the rules against the planted gaps (truth/)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.accounts.models import User
from lantu.assistance.columns import NOTES, TABLES
from lantu.core.errors import LantuError
from lantu.regions.models import Region


class Command(BaseCommand):
    help = (
        "精准帮扶：模板、导入、载入模拟数据、评估、评分 / "
        "assistance: templates, import, load, evaluate, score"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        t = sub.add_parser("template")
        t.add_argument("kind", choices=list(TABLES))
        t.add_argument("out")
        i = sub.add_parser("import")
        i.add_argument("kind", choices=list(TABLES))
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true")
        i.add_argument("--user")
        ld = sub.add_parser("load")
        ld.add_argument("folder")
        e = sub.add_parser("evaluate")
        e.add_argument("--year", type=int, required=True)
        e.add_argument("--region", default="")
        e.add_argument("--policy", default="yunnan")
        s = sub.add_parser("score")
        s.add_argument("folder")
        s.add_argument("--year", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['verb']}")(opts)
        except LantuError as exc:
            raise CommandError(f"{exc.zh}\n{exc.en}") from exc

    def _template(self, opts: dict[str, Any]) -> None:
        from lantu.registry.template import write_template

        t = TABLES[opts["kind"]]
        data = write_template(columns=t.columns, sheet=t.sheet, example_row=t.example, notes=NOTES)
        Path(opts["out"]).write_bytes(data)
        self.stdout.write(f"模板已写入 / template written: {opts['out']}")

    def _import(self, opts: dict[str, Any]) -> None:
        from lantu.assistance.imports import import_file

        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        actor = User.objects.filter(username=opts["user"]).first() if opts["user"] else None
        if opts["user"] and actor is None:
            raise CommandError(f"用户不存在 / no such user: {opts['user']}")
        started = time.perf_counter()
        rep = import_file(
            opts["kind"], path.read_bytes(), path.name, actor=actor, dry_run=opts["dry_run"]
        )
        if not rep.ok:
            out = Path(f"{path}.errors.xlsx")
            out.write_bytes(rep.error_workbook())
            for e in rep.errors[:20]:
                self.stderr.write(
                    f"第{e.row}行 row {e.row} [{e.column}] {e.value!r}: {e.zh} / {e.en}"
                )
            raise CommandError(
                f"共{len(rep.errors)}处错误，未导入任何数据；错误清单：{out}\n"
                f"{len(rep.errors)} errors, nothing imported; the list: {out}"
            )
        for k, v in rep.summary.items():
            self.stdout.write(f"{k}: {v:,}")
        self.stdout.write(f"{time.perf_counter() - started:.1f} s")

    def _load(self, opts: dict[str, Any]) -> None:
        from lantu.assistance.loading import load

        for k, v in load(Path(opts["folder"]), progress=opts.get("verbosity", 1) > 1).items():
            self.stdout.write(f"{k}: {v:,}")

    def _evaluate(self, opts: dict[str, Any]) -> None:
        from lantu.assistance.gaps import run

        path = None
        if opts["region"]:
            region = Region.objects.filter(code=opts["region"]).first()
            if region is None:
                raise CommandError(f"区划不存在 / no such region: {opts['region']}")
            path = region.path
        started = time.perf_counter()
        summary = run(actor=None, year=opts["year"], policy=opts["policy"], region_path=path)
        for k, v in summary.items():
            self.stdout.write(f"{k}: {v:,}")
        self.stdout.write(f"{time.perf_counter() - started:.1f} s")

    def _score(self, opts: dict[str, Any]) -> None:
        from lantu.assistance.scoring import score

        for r in score(Path(opts["folder"]), opts["year"]).iter_rows(named=True):
            self.stdout.write(
                f"{r['gap']:<14} {r['rule']:<12} planted {r['planted']:>7,} flagged "
                f"{r['flagged']:>7,}  P {r['precision']:.4f}  R {r['recall']:.4f}"
            )
