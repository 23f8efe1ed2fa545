"""Running the reconciliation: every check valid in the year, over a store, in the batch engine;
then the records (``Discrepancy``) and the rates per village, township and county.

``find`` is pure (inputs → an Arrow table of discrepancies) and is what benchmarks and the checks'
YAML cases call. ``run`` reads the application's tables, finds, and stores what it found: a
discrepancy found for the first time opens; one found again keeps its state (a confirmed one stays
confirmed) with fresh evidence; an open or confirmed one no longer found is resolved. One ledger
event per run, with the counts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lantu.engine.backends import DuckDBBackend, Source
from lantu.ledger.services import Change, record
from lantu.supervision import checks, store
from lantu.supervision.models import Discrepancy, DiscrepancyState, ReconciliationRun

# Where each level's code sits in a region path (/province/prefecture/county/township/village/).
SEGMENT = 13
LEVEL_DEPTH = {"province": 1, "prefecture": 2, "county": 3, "township": 4, "village": 5}


def find(
    inputs: Mapping[str, Source],
    year: int,
    *,
    only: list[str] | None = None,
    backend: DuckDBBackend | None = None,
) -> pa.Table:
    """Every discrepancy the checks valid in ``year`` find in ``inputs``."""
    cat = checks.catalogue()
    engine = backend or DuckDBBackend()
    store.register(engine, inputs, cat.inputs)
    steps = cat.steps(year, only)
    engine.run(steps)
    return engine.fetch("discrepancies")


def latest_year() -> int:
    from lantu.registry.models import HouseholdYear

    return int(HouseholdYear.objects.aggregate(y=Max("year"))["y"] or timezone.localdate().year)


@dataclass
class Outcome:
    run: ReconciliationRun
    found: pa.Table


def run(*, actor: Any, year: int | None = None, region_path: str = "") -> Outcome:
    year = year or latest_year()
    started = time.perf_counter()
    found = find(store.from_db(region_path), year)
    seconds = time.perf_counter() - started
    with transaction.atomic():
        stored = _store(found, year=year, region_path=region_path, actor=actor, seconds=seconds)
    return Outcome(stored, found)


def _store(
    found: pa.Table, *, year: int, region_path: str, actor: Any, seconds: float
) -> ReconciliationRun:
    now = timezone.now()
    cat = checks.catalogue()
    counts: dict[str, int] = {}
    for cid in found.column("check_id").to_pylist():
        counts[cid] = counts.get(cid, 0) + 1
    run_row = ReconciliationRun.objects.create(
        year=year,
        region_path=region_path,
        version=f"{cat.version}/{cat.content_hash}",
        actor=actor if getattr(actor, "pk", None) else None,
        found=found.num_rows,
        seconds=round(seconds, 3),
        counts=counts,
    )
    scope = (
        Discrepancy.objects.filter(region_path__startswith=region_path)
        if region_path
        else (Discrepancy.objects.all())
    )
    # Every record of the checks found (a record's region may have changed since it was found).
    found_checks = set(counts)
    existing = {
        (c, k): pk
        for pk, c, k in Discrepancy.objects.filter(check_id__in=found_checks).values_list(
            "id", "check_id", "key"
        )
    }
    new_rows: list[Discrepancy] = []
    seen: list[int] = []
    updates: list[Discrepancy] = []
    for rec in found.to_pylist():
        ident = (rec["check_id"], rec["key"])
        evidence = json.loads(rec["evidence"] or "{}")
        if ident in existing:
            pk = existing[ident]
            seen.append(pk)
            updates.append(Discrepancy(pk=pk, evidence=evidence, last_found=now, last_run=run_row))
            continue
        new_rows.append(
            Discrepancy(
                check_id=rec["check_id"],
                key=rec["key"],
                household_id=rec["household_id"],
                project_id=rec["project_id"],
                region_path=rec["region_path"] or "",
                evidence=evidence,
                year=year,
                last_found=now,
                last_run=run_row,
            )
        )
    Discrepancy.objects.bulk_create(new_rows, batch_size=2000)
    Discrepancy.objects.bulk_update(updates, ["evidence", "last_found", "last_run"], 2000)
    # Found again after being resolved: open again.
    Discrepancy.objects.filter(pk__in=seen, state=DiscrepancyState.RESOLVED).update(
        state=DiscrepancyState.OPEN
    )
    gone = scope.filter(state__in=[DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED])
    gone = gone.exclude(last_run=run_row)
    cleared = gone.update(state=DiscrepancyState.RESOLVED)
    run_row.new, run_row.cleared = len(new_rows), cleared
    run_row.save(update_fields=["new", "cleared"])
    record(
        Change(
            "supervision.reconcile",
            "supervision.run",
            str(run_row.pk),
            region_path,
            None,
            {
                "year": year,
                "found": found.num_rows,
                "new": len(new_rows),
                "cleared": cleared,
                "counts": counts,
                "version": run_row.version,
            },
        ),
        actor=actor,
    )
    return run_row


def set_state(*, actor: Any, discrepancy: Discrepancy, state: str, note: str) -> Discrepancy:
    """A person's verdict on one discrepancy (confirmed or dismissed), with its ledger event."""
    from lantu.core.errors import ValidationFailed

    if state not in (DiscrepancyState.CONFIRMED, DiscrepancyState.DISMISSED):
        raise ValidationFailed("只能确认或核实无误", "a discrepancy can be confirmed or dismissed")
    if state == DiscrepancyState.DISMISSED and not note.strip():
        raise ValidationFailed("核实无误须说明理由", "give a reason to dismiss it")
    with transaction.atomic():
        d = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        before = {"state": d.state}
        d.state, d.note = state, note[:300]
        d.save(update_fields=["state", "note"])
        record(
            Change(
                "supervision.discrepancy",
                "supervision.discrepancy",
                str(d.pk),
                d.region_path,
                before,
                {"state": state},
                note,
            ),
            actor=actor,
        )
    return d


# --- rates ---------------------------------------------------------------------------------


def unit_path(region_path: str, level: str) -> str:
    return region_path[: 1 + SEGMENT * LEVEL_DEPTH[level]]


@dataclass
class Rate:
    path: str
    households: int
    with_discrepancy: int
    discrepancies: int

    @property
    def rate(self) -> float:
        return self.with_discrepancy / self.households if self.households else 0.0


def rates(
    level: str, region_path: str = "", *, states: tuple[str, ...] | None = None
) -> list[Rate]:
    """Per unit of ``level`` under ``region_path``: households, households with at least one open
    or confirmed discrepancy (their rate), and discrepancies of any subject."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from lantu.registry.models import Household

    width = 1 + SEGMENT * LEVEL_DEPTH[level]
    states = states or (DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED)
    hh = (
        Household.objects.filter(region_path__startswith=region_path)
        .annotate(u=Substr("region_path", 1, width))
        .values("u")
        .annotate(n=Count("id"))
    )
    live = Discrepancy.objects.filter(region_path__startswith=region_path, state__in=states)
    d = live.exclude(region_path="").annotate(u=Substr("region_path", 1, width))
    by_unit: dict[str, int] = {
        u: n for u, n in d.values("u").annotate(n=Count("id")).values_list("u", "n")
    }
    with_hh: dict[str, int] = {
        u: n
        for u, n in d.filter(household_id__isnull=False)
        .values("u")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("u", "n")
    }
    out = [Rate(r["u"], r["n"], with_hh.get(r["u"], 0), by_unit.get(r["u"], 0)) for r in hh]
    return sorted(out, key=lambda r: r.path)
