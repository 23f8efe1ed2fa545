"""Village- (or county-) level rows for indicators whose source is another room's tables, read
only when that room is installed (else None: the indicator shows "no data"). Each returns an Arrow
table ``region_path, year, key, value``; the engine rolls it up like its own counts.

Today: the projects room's fund allocations, by source and by project category (use), in units of
10,000 yuan (万元; the projects room keeps whole fen, so ÷ 1,000,000), at the allocation's region
(the project's county)."""

from __future__ import annotations

import pyarrow as pa
from django.apps import apps

from lantu.engine.snapshot import read_queries

ALLOCATIONS = (
    "SELECT a.region_path, a.year, {key} AS key, CAST(a.amount AS DOUBLE PRECISION) / 1000000 "
    "AS value FROM projects_allocation a JOIN projects_project p ON p.id = a.project_id"
)


def _projects(key: str) -> pa.Table | None:
    if not apps.is_installed("lantu.projects"):
        return None
    return read_queries({"t": ALLOCATIONS.format(key=key)})["t"]


def funds_by_source() -> pa.Table | None:
    return _projects("a.source")


def funds_by_use() -> pa.Table | None:
    return _projects("p.category")
