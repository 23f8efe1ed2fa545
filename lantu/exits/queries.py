"""Reads of the exit room, through the user's region scope.

A county's dossier is visible to a user whose region is the county, above it, or inside it (a
village cadre sees its county's 三率一度: aggregates and village names, no personal data);
anything else is indistinguishable from missing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lantu.accounts.scope import scope_path, scoped
from lantu.core.errors import OutOfScope
from lantu.exits.models import Assessment, SampledHousehold
from lantu.procedures.models import Case
from lantu.regions.models import Region


def county(user: Any, code: str) -> Region:
    scope = scope_path(user)
    c = Region.objects.filter(code=code, level="county").first()
    if c is None or scope is None or not (c.path.startswith(scope) or scope.startswith(c.path)):
        raise OutOfScope()
    return c


def counties(user: Any) -> QuerySet[Region]:
    return scoped(Region.objects.filter(level="county"), user, path_field="path").order_by("code")


def villages(user: Any, county_region: Region) -> QuerySet[Region]:
    qs = Region.objects.filter(level="village", path__startswith=county_region.path)
    return scoped(qs, user, path_field="path").order_by("code")


def assessments(county_region: Region) -> QuerySet[Assessment]:
    return Assessment.objects.filter(county=county_region).order_by("-created_at", "-id")


def assessment(user: Any, pk: int) -> Assessment:
    a = Assessment.objects.select_related("county").filter(pk=pk).first()
    if a is None:
        raise OutOfScope()
    county(user, a.county.code)
    return a


def sample_rows(a: Assessment) -> QuerySet[SampledHousehold]:
    return a.households.select_related("village__village", "household").order_by("code")


def exit_cases(user: Any, county_region: Region) -> QuerySet[Case]:
    """The county's village and county exit cases the user may read: a case lies in its village
    or county (``lantu.exits.cases``), so a village cadre sees its own village's, not the
    county's or another village's."""
    qs = Case.objects.filter(
        kind__in=("village_exit", "county_exit"), region_path__startswith=county_region.path
    )
    return scoped(qs, user).select_related("village").order_by("-opened_at", "-id")
