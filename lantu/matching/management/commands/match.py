"""lantu match — data comparison from the command line.

    lantu match load DIR_OR_FILE [--dataset D] [--as-of DATE]   load department data
    lantu match link [--dataset D] [--no-probabilistic] [--engine duckdb|spark]
                                                                   link current loads
    lantu match findings --year Y [--policy yunnan]               run the rules, store findings
    lantu match score SIM_DIR --year Y                            precision table vs truth
    lantu match run SIM_DIR --year Y                              all of the above, in order

A folder is a simulation's (``observed/departments/*.parquet``) or one with files named after the
datasets. The command acts as the system (no region limit); the pages and the API act as users.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lantu.matching import findings, loads, probabilistic, relatives, scoring, services
from lantu.matching.models import DatasetLoad
from lantu.matching.schemas import DATASETS

T = TypeVar("T")


def _files(target: Path, dataset: str | None) -> list[tuple[str, Path]]:
    if target.is_file():
        if not dataset:
            raise CommandError("单个文件须指定 --dataset / a single file needs --dataset")
        return [(dataset, target)]
    folder = target / "observed" / "departments"
    folder = folder if folder.exists() else target
    found = []
    for slug in DATASETS:
        for ext in ("parquet", "csv", "xlsx"):
            path = folder / f"{slug}.{ext}"
            if path.exists() and (dataset is None or dataset == slug):
                found.append((slug, path))
    if not found:
        raise CommandError(f"{folder} 中没有部门数据文件 / no department files in {folder}")
    return found


class Command(BaseCommand):
    help = "数据比对 / data comparison: load, link, findings, score"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "link", "findings", "score", "run"])
        parser.add_argument("path", nargs="?")
        parser.add_argument("--dataset", choices=list(DATASETS))
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument("--year", type=int, default=datetime.date.today().year)
        parser.add_argument("--policy", default="yunnan")
        parser.add_argument("--no-probabilistic", action="store_true")
        parser.add_argument(
            "--engine",
            choices=list(probabilistic.ENGINES),
            default=None,
            help="Splink 的引擎 / Splink's engine for the probabilistic pass "
            "(default: linkage.yaml `engine`, duckdb)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        action = o["action"]
        if action in ("load", "run"):
            self._load(o)
        if action in ("link", "run"):
            self._link(o)
        if action in ("findings", "run"):
            self._findings(o)
        if action in ("score", "run"):
            self._score(o)

    def _progress(self, items: list[T], desc: str, o: dict[str, Any]) -> Iterator[T]:
        """The datasets one by one, with a progress bar on stderr (hidden at -v 0)."""
        with tqdm(items, desc=desc, unit="dataset", disable=o["verbosity"] == 0) as bar:
            yield from bar

    def _say(self, message: str) -> None:
        """A line on stdout that does not break a progress bar."""
        with tqdm.external_write_mode():
            self.stdout.write(message)

    def _path(self, o: dict[str, Any]) -> Path:
        if not o["path"]:
            raise CommandError("请给出文件或目录 / give a file or folder")
        return Path(o["path"])

    def _load(self, o: dict[str, Any]) -> None:
        as_of = datetime.date.fromisoformat(o["as_of"]) if o["as_of"] else datetime.date.today()
        files = _files(self._path(o), o["dataset"])
        for slug, path in self._progress(files, "load", o):
            t = time.perf_counter()
            table = loads.read_path(path)
            rep = services.load_dataset(
                actor=None, dataset=slug, table=table, as_of=as_of, source=str(path)
            )
            if not rep.ok:
                for e in rep.errors[:20]:
                    self.stderr.write(
                        f"  {slug} 行 row {e.row} {e.column} {e.value}: {e.zh} / {e.en}"
                    )
                raise CommandError(f"{slug}: {len(rep.errors)} 处错误，未导入 / errors, not loaded")
            self._say(f"载入 loaded {slug}: {rep.rows} 行 rows ({time.perf_counter() - t:.1f}s)")

    def _link(self, o: dict[str, Any]) -> None:
        qs = DatasetLoad.objects.filter(active=True)
        if o["dataset"]:
            qs = qs.filter(dataset=o["dataset"])
        for load in self._progress(list(qs.order_by("dataset")), "link", o):
            t = time.perf_counter()
            s = services.link_load(
                actor=None,
                load_id=load.pk,
                probabilistic_pass=not o["no_probabilistic"],
                engine=o["engine"],
            )
            self._say(
                f"关联 linked {load.dataset}: {s.records} 条 records, {s.by_method}, "
                f"待复核 review {s.review} ({time.perf_counter() - t:.1f}s)"
            )

    def _findings(self, o: dict[str, Any]) -> None:
        t = time.perf_counter()
        found, pol = findings.detect(year=o["year"], policy=o["policy"], region_path="")
        n = findings.store(found, pol, actor=None, year=o["year"], region_path="")
        self.stdout.write(f"发现 findings {o['year']}: {n} ({time.perf_counter() - t:.1f}s)")
        if found.height:
            counts = found.group_by("rule").len().sort("rule")
            for rule, count in counts.iter_rows():
                self.stdout.write(f"  {rule}: {count}")

    def _score(self, o: dict[str, Any]) -> None:
        folder = self._path(o)
        with pl.Config(tbl_rows=200, tbl_cols=10, float_precision=4, tbl_hide_dataframe_shape=True):
            self.stdout.write(str(scoring.linkage_table(folder)))
        rel = relatives.score(folder)
        self.stdout.write(
            "户主不在户的亲属为财政供养人员 / head's relative outside is a public employee:"
        )
        for key, value in [*rel.items(), *scoring.wrong_inclusions(folder, o["year"]).items()]:
            self.stdout.write(
                f"  {key}: {value:.4f}" if isinstance(value, float) else f"  {key}: {value}"
            )
