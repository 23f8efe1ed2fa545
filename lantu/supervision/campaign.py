"""回头看: a county-wide re-check that runs the ruler (the year's evaluation), the data comparison
(department data against the registry) and the reconciliation together, opens a finding with its
rectification case for every household discrepancy not already being rectified (all or none), and
reports the counts before and after. The precision report, where one is stored for the year
(``lantu precision``, made outside the application from a simulation), is attached as it is: the
application never reads the simulation's truth itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count

from lantu.procedures import clock
from lantu.regions.models import Region
from lantu.supervision import reconcile, services
from lantu.supervision.models import (
    Discrepancy,
    DiscrepancyState,
    Finding,
    FindingState,
    Inspection,
    InspectionKind,
)

STEPS = ("ruler", "comparison", "reconciliation", "open")


def state(region_path: str, year: int) -> dict[str, Any]:
    """The counts a 回头看 reports before and after."""
    from lantu.matching.models import Finding as ComparisonFinding

    live = (DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED)
    d = Discrepancy.objects.filter(region_path__startswith=region_path, state__in=live)
    f = Finding.objects.filter(region_path__startswith=region_path)
    return {
        "discrepancies": d.count(),
        "households_with_discrepancy": d.exclude(household_id=None)
        .values("household_id")
        .distinct()
        .count(),
        "by_check": dict(
            d.values_list("check_id").annotate(n=Count("id")).values_list("check_id", "n")
        ),
        "comparison_open": ComparisonFinding.objects.filter(
            region_path__startswith=region_path, year=year, status="open"
        ).count(),
        "rectifications_open": f.filter(
            state__in=[FindingState.OPEN, FindingState.RECTIFYING]
        ).count(),
        "rectifications_closed": f.filter(state=FindingState.CLOSED).count(),
    }


def run(
    *,
    actor: Any,
    region: Region,
    year: int,
    deadline_days: int = 30,
    progress: Callable[..., None] | None = None,
) -> Inspection:
    services.authorise(actor, region.path)
    step = progress or (lambda *a, **k: None)
    before = state(region.path, year)
    step(0, len(STEPS), stage="ruler")
    from lantu.standards.services import run_evaluation

    evaluation = run_evaluation(actor=actor, year=year, region_path=region.path)
    step(1, len(STEPS), stage="comparison")
    comparison = _comparison(actor, region.path, year)
    step(2, len(STEPS), stage="reconciliation")
    rec = reconcile.run(actor=actor, year=year, region_path=region.path)
    step(3, len(STEPS), stage="open")
    today = clock.today()
    inspection = services.create_inspection(
        actor=actor,
        kind=InspectionKind.CAMPAIGN,
        title=f"{region.name}{year}年度回头看",
        team="县级回头看工作组",
        region=region,
        start=today,
        scope="标准评估、数据比对、账账核对 / the ruler, the data comparison and reconciliation",
    )
    taken = Finding.objects.exclude(discrepancy=None).exclude(state=FindingState.CLOSED)
    todo = Discrepancy.objects.filter(
        region_path__startswith=region.path, state=DiscrepancyState.OPEN, household_id__isnull=False
    ).exclude(pk__in=taken.values("discrepancy_id"))
    opened = services.findings_from_discrepancies(
        actor=actor,
        inspection=inspection,
        discrepancies=list(todo.order_by("id")),
        deadline=today + datetime.timedelta(days=deadline_days),
    )
    step(4, len(STEPS), stage="done")
    report = {
        "year": year,
        "before": before,
        "after": state(region.path, year),
        "ruler": {"evaluation_run": evaluation.pk, "households": evaluation.households},
        "comparison": comparison,
        "reconciliation": {
            "run": rec.run.pk,
            "found": rec.run.found,
            "new": rec.run.new,
            "cleared": rec.run.cleared,
        },
        "opened": len(opened),
        "precision": _precision(year),
    }
    Inspection.objects.filter(pk=inspection.pk).update(report=report, end=today)
    inspection.report, inspection.end = report, today
    return inspection


def _comparison(actor: Any, region_path: str, year: int) -> dict[str, Any]:
    """The data comparison's findings for the year (nothing to compare without department data)."""
    from lantu.matching import findings
    from lantu.matching.models import DatasetLoad

    if not DatasetLoad.objects.filter(active=True).exists():
        return {"findings": 0, "note": "没有部门数据 / no department data"}
    found, pol = findings.detect(year=year, policy="yunnan", region_path=region_path)
    n = findings.store(found, pol, actor=actor, year=year, region_path=region_path)
    return {"findings": n}


def _precision(year: int) -> list[dict[str, Any]]:
    from lantu.precision import stored

    report = stored.load(year)
    if report is None:
        return []
    keep = ("family", "zh", "precision", "recall", "before", "after")
    return [{k: r[k] for k in keep if k in r} for r in report.get("rows", [])][:20]
