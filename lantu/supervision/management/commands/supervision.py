"""lantu supervision reconcile [--year Y] [--region CODE] [--xlsx FILE] [--dir PARQUET_DIR]
| test | rank PERIOD [--region CODE] [--level township|county] [--publish]
| campaign --region CODE [--year Y] | score SIM_DIR | chain household|project ID.

``reconcile`` runs every reconciliation check valid in the year over the application's tables and
stores what it found (``--dir`` runs over a directory of Parquet files instead and stores nothing:
benchmarks); ``test`` runs the checks' YAML cases; ``rank`` computes (and ``--publish`` publishes)
the period's 红白榜; ``campaign`` runs a 回头看; ``score`` compares what reconciliation found with
the faults the simulator planted (reads the simulation's truth: scoring only); ``chain`` prints
who entered, reviewed, approved and paid, from the ledger."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.regions.models import Region
from lantu.supervision import reconcile, store, testing


class Command(BaseCommand):
    help = "督查与台账核对 / supervision and reconciliation"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "verb", choices=("reconcile", "test", "rank", "campaign", "score", "chain")
        )
        parser.add_argument("target", nargs="*")
        parser.add_argument("--year", type=int, default=0)
        parser.add_argument("--region", default="")
        parser.add_argument("--xlsx", default="")
        parser.add_argument("--dir", default="")
        parser.add_argument("--level", default="township")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--villages", type=int, default=10)
        parser.add_argument("--per-village", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--xlsform", default="")

    def _region_path(self, code: str) -> str:
        if not code:
            return ""
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"没有区划{code} / no region {code}")
        return region.path

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['verb'].replace('-', '_')}")(opts)

    def _reconcile(self, opts: dict[str, Any]) -> None:
        path = self._region_path(opts["region"])
        if opts["dir"]:
            year = opts["year"] or 2025
            t, c = time.perf_counter(), time.process_time()
            found = reconcile.find(store.from_dir(Path(opts["dir"])), year)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            self.stdout.write(
                f"{found.num_rows} 条 discrepancies in {wall:.2f} s ({cpu:.2f} CPU-s)"
            )
            counts: dict[str, int] = {}
            for cid in found.column("check_id").to_pylist():
                counts[cid] = counts.get(cid, 0) + 1
            for cid, n in sorted(counts.items()):
                self.stdout.write(f"  {cid}: {n}")
            return
        out = reconcile.run(actor=None, year=opts["year"] or None, region_path=path)
        r = out.run
        self.stdout.write(
            f"{r.year}: 发现 found {r.found}, 新增 new {r.new}, 消除 cleared {r.cleared} "
            f"({r.seconds:.2f} s)"
        )
        for cid, n in sorted(r.counts.items()):
            self.stdout.write(f"  {cid}: {n}")
        if opts["xlsx"]:
            from lantu.supervision.exports import discrepancies_xlsx

            Path(opts["xlsx"]).write_bytes(discrepancies_xlsx(path))
            self.stdout.write(f"已写入 / written: {opts['xlsx']}")

    def _test(self, opts: dict[str, Any]) -> None:
        results = testing.run_all(opts["target"] or None)
        bad = [r for r in results if not r.ok]
        for r in bad:
            self.stdout.write(f"FAIL {r.check} / {r.name}: expected {r.expected}, found {r.found}")
        self.stdout.write(f"{len(results) - len(bad)} / {len(results)} 通过 passed")
        if bad:
            raise CommandError("核对规则测试未通过 / check cases failed")

    def _score(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import scoring

        if not opts["target"]:
            raise CommandError("给出模拟目录 / give the simulation's directory")
        edited, kinds, checks, seconds = scoring.run(
            Path(opts["target"][0]), year=opts["year"] or None
        )
        self.stdout.write(
            f"直接改库 direct edits applied: {edited}; 核对 reconciled in {seconds:.2f} s"
        )
        self.stdout.write("planted kind          planted  found  recall  (not loaded)")
        for k in kinds:
            self.stdout.write(
                f"{k.kind:<22}{k.planted:>8}{k.found:>7}  {k.recall:.3f}  ({k.unloaded})"
            )
        self.stdout.write("check                       found   true  precision")
        for c in checks:
            self.stdout.write(f"{c.check:<28}{c.found:>6}{c.true:>7}  {c.precision:.3f}")

    def _rank(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import rankings

        if not opts["target"]:
            raise CommandError("给出期间 / give the period (2025, 2025Q3)")
        region = (
            Region.objects.get(code=opts["region"])
            if opts["region"]
            else (Region.objects.filter(level="county").order_by("code").first())
        )
        if region is None:
            raise CommandError("没有县 / no county")
        ranking = rankings.save(
            actor=None, region=region, level=opts["level"], period=opts["target"][0]
        )
        if opts["publish"]:
            rankings.publish(actor=None, ranking=ranking)
        for e in ranking.entries.all():
            self.stdout.write(f"{e.board:<6}{e.unit_name:<10}{e.rule:<26}{e.value}")

    def _sample(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import fieldcheck

        county = Region.objects.filter(code=opts["region"]).first()
        if county is None:
            raise CommandError("给出县代码 --region / give the county code --region")
        check = fieldcheck.draw(
            actor=None,
            county=county,
            year=opts["year"] or 2025,
            villages=opts["villages"],
            per_village=opts["per_village"],
            seed=opts["seed"],
        )
        self.stdout.write(f"核查 field check {check.pk}: {check.items.count()} 户 households")
        if opts["xlsform"]:
            Path(opts["xlsform"]).write_bytes(fieldcheck.xlsform(check))
            self.stdout.write(f"已写入 / written: {opts['xlsform']}")

    def _field_import(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import fieldcheck
        from lantu.supervision.models import FieldCheck

        if len(opts["target"]) != 2:
            raise CommandError("给出核查编号和文件 / give the field check's id and the file")
        check = FieldCheck.objects.get(pk=int(opts["target"][0]))
        n = fieldcheck.import_answers(
            actor=None, check=check, data=Path(opts["target"][1]).read_bytes()
        )
        check.refresh_from_db()
        self.stdout.write(f"{n} 行 rows; {check.estimate}")

    def _chain(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import chain

        if len(opts["target"]) != 2:
            raise CommandError("chain household|project ID")
        kind, pk = opts["target"][0], int(opts["target"][1])
        links = chain.for_household(pk) if kind == "household" else chain.for_project(pk)
        for link in links:
            self.stdout.write(
                f"{link.stage:<9}{link.at:%Y-%m-%d %H:%M} {link.actor:<12}"
                f"{link.role:<16}{link.action:<28}{link.object}"
            )

    def _campaign(self, opts: dict[str, Any]) -> None:
        from lantu.supervision import campaign, reconcile

        county = Region.objects.filter(code=opts["region"]).first()
        if county is None:
            raise CommandError("给出县代码 --region / give the county code --region")
        insp = campaign.run(actor=None, region=county, year=opts["year"] or reconcile.latest_year())
        self.stdout.write(str(insp.report))
