"""Every read of the assistance room, through the one scope filter (``lantu.accounts.scope``): a
user sees their subtree; a cadre only the households paired with them (``pairing_scope``).
Lists are indexed prefix matches on ``region_path``, paginated; coverage and 六清 come from the
pre-aggregated ``Completeness`` rows the batch run wrote, never from a count over the registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from lantu.accounts.scope import get_scoped, scope_path, scoped
from lantu.assistance.gaps import policy_with_overlay
from lantu.assistance.models import (
    Cadre,
    Completeness,
    Gap,
    Pairing,
    Plan,
    PlanMeasure,
    TeamMember,
    Visit,
    WorkTeam,
)
from lantu.core import paging
from lantu.regions.models import Region
from lantu.registry.models import Household

PAGE = 50


def region_or_root(user: Any, code: str) -> Region | None:
    if code:
        return get_scoped(Region.objects.all(), user, path_field="path", code=code)
    return user.region if scope_path(user) is not None else None


def _under(qs: QuerySet[Any], region: Region | None) -> QuerySet[Any]:
    return qs.filter(region_path__startswith=region.path) if region is not None else qs


def household_assistance(user: Any, household: Household) -> dict[str, Any]:
    """The household file's assistance section: cadres (history), the village's work teams,
    plans with measures, recent visits and open gaps."""
    pairings = (
        scoped(Pairing.objects.filter(household=household), user)
        .select_related("cadre", "cadre__unit")
        .order_by("-start_date")
    )
    village_id = household.region_id
    if household.region.level == "group" and household.region.parent_id:
        village_id = household.region.parent_id  # a group's teams are its village's
    teams = (
        scoped(WorkTeam.objects.filter(village_id=village_id), user)
        .order_by("-term_start")
        .prefetch_related(
            Prefetch(
                "members", TeamMember.objects.select_related("cadre").order_by("role", "start_date")
            )
        )
    )
    plans = (
        scoped(Plan.objects.filter(household=household), user)
        .order_by("-year")
        .prefetch_related(
            Prefetch("measures", PlanMeasure.objects.select_related("cadre").order_by("id"))
        )
    )
    visits = (
        scoped(Visit.objects.filter(household=household), user)
        .select_related("cadre")
        .order_by("-date")[:20]
    )
    open_gaps = scoped(Gap.objects.filter(household=household), user).order_by("-year", "rule")
    return {
        "pairings": list(pairings),
        "teams": list(teams[:3]),
        "plans": list(plans[:3]),
        "visits": list(visits),
        "gaps": list(open_gaps),
    }


def visit_intervals(year: int, policy: str = "yunnan") -> dict[str, int]:
    """Longest interval between visits by status: the policy's values in force in ``year``."""
    p = policy_with_overlay(policy)

    def value(name: str, default_name: str = "visit_days_poor") -> int:
        v = p.parameters[name].at(year) or p.parameters[default_name].at(year)
        assert v is not None
        return int(v.value)

    return {
        "poor": value("visit_days_poor"),
        "returned": value("visit_days_poor"),
        "monitored": value("visit_days_monitored"),
        "exited": value("visit_days_exited"),
    }


@dataclass
class Due:
    household: Household
    last_visit: datetime.date | None
    due: datetime.date | None  # None: never visited (due now)

    @property
    def overdue(self) -> bool:
        return self.due is None or self.due < datetime.date.today()


def my_households(user: Any, *, today: datetime.date | None = None) -> list[Due]:
    """The households paired with the user's cadre record, with when each visit is next due."""
    today = today or datetime.date.today()
    cadre = getattr(user, "cadre", None) if getattr(user, "is_authenticated", False) else None
    if cadre is None:
        return []
    ids = Pairing.objects.filter(cadre=cadre, end_date__isnull=True).values("household_id")
    hh = (
        scoped(Household.objects.filter(id__in=ids), user)
        .select_related("region")
        .annotate(last_visit=Max("visits__date"))
        .order_by("region_path", "id")
    )
    intervals = visit_intervals(today.year)
    out = []
    for h in hh:
        days = intervals.get(h.status)
        last = h.last_visit  # type: ignore[attr-defined]
        due = last + datetime.timedelta(days=days) if last and days else None
        out.append(Due(h, last, due))
    return sorted(out, key=lambda d: d.due or datetime.date.min)


def coverage(
    user: Any, region: Region | None, year: int
) -> tuple[Completeness | None, list[Completeness]]:
    """The region's 六清 row and its children's (pre-aggregated by ``gaps.run``)."""
    rows = scoped(Completeness.objects.filter(year=year), user).select_related("region")
    if region is None:
        return None, []
    here = rows.filter(region=region).first()
    children = rows.filter(region__parent=region).order_by("region__code")
    return here, list(children)


def gaps(user: Any, region: Region | None, year: int, rule: str = "") -> QuerySet[Gap]:
    qs = _under(scoped(Gap.objects.filter(year=year), user), region)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.select_related("household", "household__region").order_by(
        "region_path", "household_id", "rule"
    )


def gap_counts(user: Any, region: Region | None, year: int) -> list[dict[str, Any]]:
    qs = _under(scoped(Gap.objects.filter(year=year), user), region)
    return list(qs.values("rule", "zh", "en").annotate(n=Count("id")).order_by("rule"))


def cadres(user: Any, region: Region | None) -> QuerySet[Cadre]:
    """Cadres serving in the region, each with their current load (open pairings)."""
    qs = _under(scoped(Cadre.objects.all(), user), region).select_related("unit", "region")
    return qs.annotate(load=Count("pairings", filter=Q(pairings__end_date__isnull=True))).order_by(
        "-load", "cadre_no"
    )


def teams(user: Any, region: Region | None) -> QuerySet[WorkTeam]:
    qs = _under(scoped(WorkTeam.objects.all(), user), region).select_related("village", "unit")
    return qs.order_by("region_path", "-term_start").prefetch_related(
        Prefetch(
            "members", TeamMember.objects.select_related("cadre").order_by("role", "start_date")
        )
    )


def household_for_visit(user: Any, pk: int) -> Household:
    return get_scoped(Household.objects.all(), user, pk=pk)


def page(qs: QuerySet[Any], number: int) -> tuple[list[Any], bool]:
    """One page and whether another follows (no count over the whole list)."""
    pg = paging.page(qs, number, PAGE, count=False)
    return pg.rows, pg.has_next
