"""Reading the engine's inputs from files and writing its results, CSV or Parquet by suffix."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lantu.core.errors import ValidationFailed

SUFFIXES = (".csv", ".parquet", ".pq")


def check_input(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in SUFFIXES:
        raise ValidationFailed(
            f"{p.name}：仅支持 CSV 或 Parquet 文件", f"{p.name}: only CSV or Parquet files"
        )
    if not p.exists():
        raise ValidationFailed(f"找不到文件 {p}", f"no such file: {p}")
    return p


def registry_dir(directory: str | Path) -> dict[str, Path]:
    """The three registry tables of a folder (e.g. the simulator's observed/registry)."""
    d = Path(directory)
    out = {}
    for name in ("households", "members", "years"):
        found = [d / f"{name}{s}" for s in SUFFIXES if (d / f"{name}{s}").exists()]
        if not found:
            raise ValidationFailed(f"{d} 中缺少 {name} 表", f"{d} has no '{name}' table")
        out[name] = found[0]
    return out


def write(table: pa.Table, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix.lower() == ".csv":
        pacsv.write_csv(table, p)
    elif p.suffix.lower() in (".parquet", ".pq"):
        pq.write_table(table, p, compression="zstd")
    else:
        raise ValidationFailed(
            f"{p.name}：输出须为 .csv 或 .parquet", f"{p.name}: output must be .csv or .parquet"
        )
    return p
