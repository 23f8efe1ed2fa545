"""Loading a simulation's projects (``observed/projects/``, written by
``lantu.simulator.projects``) through this room's importers, in the order a county would: the
library, beneficiaries, funds, allocations, payments. Rows about households the registry load held
back (``load_held_back.parquet``: data-entry errors the registry importer refused) are left out
and counted, as a county would set them aside; everything else must pass every check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lantu.core.errors import ValidationFailed
from lantu.projects import files
from lantu.registry.reader import ROW


def _held_back(folder: Path) -> set[str]:
    path = folder / "load_held_back.parquet"
    if not path.exists():
        return set()
    return set(pl.read_parquet(path)["household_no"].cast(pl.String).to_list())


def load_projects(folder: Path, *, actor: Any = None) -> dict[str, int]:
    src = Path(folder) / "observed" / "projects"
    held = _held_back(Path(folder))
    summary: dict[str, int] = {}
    for slug in files.ORDER:
        table = pl.read_parquet(src / f"{slug}.parquet")
        if "household_no" in table.columns and held:
            kept = table.filter(~pl.col("household_no").is_in(held))
            summary[f"{slug}_held_back"] = table.height - kept.height
            table = kept
        table = table.with_columns(pl.int_range(2, table.height + 2, dtype=pl.Int64).alias(ROW))
        report = files.import_frame(
            files.TABLES[slug], table, actor=actor, source=f"simulation {slug}"
        )
        if not report.ok:
            first = report.errors[:5]
            raise ValidationFailed(
                f"模拟项目数据{slug}导入失败：" + "；".join(e.zh for e in first),
                f"simulated {slug} failed to import: " + "; ".join(e.en for e in first),
            )
        summary |= report.summary
    return summary
