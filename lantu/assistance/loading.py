"""``lantu assistance load DIR``: a simulated ``observed/assistance`` folder into the application
through this room's importers (``imports.import_table``), in dependency order: units, cadres,
work teams, pairings, plans, visits. ``truth/`` is never read.

Rows about households the registry load held back (``DIR/load_held_back.parquet``: households with
a data-entry error the importer refused) or that are not in the database are set aside and
counted, as the registry load does, so the rest loads; each table is otherwise all or nothing.
Loading twice writes nothing new (the importers are idempotent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lantu.assistance.columns import TABLES
from lantu.core.bulksql import select_in
from lantu.core.errors import ValidationFailed

ORDER = ("units", "cadres", "teams", "pairings", "plans", "visits")
CHUNK = 200_000  # rows per import call: bounds memory on a province


def _strings(df: pl.DataFrame) -> pl.DataFrame:
    out = []
    for c in df.columns:
        if df.schema[c] == pl.Boolean:
            out.append(
                pl.col(c)
                .replace_strict({True: "是", False: "否"}, default="", return_dtype=pl.String)
                .alias(c)
            )
        else:
            out.append(pl.col(c).cast(pl.String).fill_null("").alias(c))
    return df.select(out)


def _known_households(numbers: list[str]) -> set[str]:
    sql = "SELECT household_no FROM registry_household WHERE household_no IN ({})"
    return {r[0] for r in select_in(sql, numbers)}


def load(folder: Path, *, actor: Any = None, progress: bool = False) -> dict[str, Any]:
    from lantu.assistance.imports import import_table

    d = Path(folder) / "observed" / "assistance"
    summary: dict[str, Any] = {}
    for kind in ORDER:
        path = d / f"{kind}.parquet"
        if not path.exists():
            continue
        names = {c.name for c in TABLES[kind].columns}
        frame = pl.read_parquet(path)
        frame = frame.select([c for c in frame.columns if c in names])
        if "household_no" in frame.columns:
            known = _known_households(frame["household_no"].unique().to_list())
            keep = pl.col("household_no").is_in(list(known))
            summary[f"{kind}_set_aside"] = frame.filter(~keep).height
            frame = frame.filter(keep)
        # Chunks of whole households (a plan's measures stay in one import call).
        first = pl.int_range(pl.len())
        if "household_no" in frame.columns:
            frame = frame.sort("household_no")
            first = first.first().over("household_no")
        parts = frame.with_columns((first // CHUNK).alias("_chunk")).partition_by(
            "_chunk", maintain_order=True, include_key=False
        )
        for i, part in enumerate(parts):
            rep = import_table(kind, _strings(part), actor=actor, source=f"{path.name}#{i}")
            if not rep.ok:
                shown = "; ".join(f"{e.row} {e.column} {e.value}: {e.en}" for e in rep.errors[:5])
                raise ValidationFailed(
                    f"{kind}：{len(rep.errors)}处错误，未导入", f"{kind}: {shown}"
                )
            for k, v in rep.summary.items():
                summary[k] = summary.get(k, 0) + v
            if progress:
                print(f"{kind}: part {i + 1}/{len(parts)}")
    return summary
