"""Refreshing the aggregates: compute everything (``compute.compute``), then replace the whole
table in one transaction with a ledger event, so pages see the old figures or the new ones, never
a mix. The refresh covers the whole installation whoever starts it (the figures are the same for
everyone; each page shows only its reader's subtree). On PostgreSQL the rows go in by COPY."""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa
from django.db import transaction

from lantu.core.bulksql import insert_rows
from lantu.jobs import NO_PROGRESS, ProgressFn
from lantu.ledger.services import Change, record
from lantu.stats.compute import compute
from lantu.stats.indicators import catalogue
from lantu.stats.models import Aggregate, Refresh

COLUMNS = ["path", "depth", "year", "vals"]


def _store(table: pa.Table) -> None:
    Aggregate.objects.all().delete()
    insert_rows(Aggregate, COLUMNS, [table[c].to_pylist() for c in COLUMNS])  # COPY on PostgreSQL


def refresh(*, actor: Any, progress: ProgressFn = NO_PROGRESS) -> Refresh:
    start = time.perf_counter()
    result = compute(progress)
    t = time.perf_counter()
    with transaction.atomic():
        _store(result.table)
        timings = result.timings | {"store": time.perf_counter() - t}
        done = Refresh.objects.create(
            by=actor if getattr(actor, "pk", None) else None,
            seconds=time.perf_counter() - start,
            rows=result.table.num_rows,
            years=result.years,
            version=catalogue().version,
            missing=result.missing,
            timings={k: round(v, 3) for k, v in timings.items()},
        )
        record(
            Change("stats.refresh", "stats.refresh", str(done.pk), "",
                   after={"rows": done.rows, "years": done.years, "version": done.version},
                   reason="统计汇总刷新 / statistics refreshed"),
            actor=actor,
        )  # fmt: skip
    progress(4, 4)
    return done
