"""Reads of the matching room, always through the scope filter (``lantu.accounts.scope``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lantu.accounts.scope import scoped
from lantu.matching.models import DatasetLoad, Finding, ReviewPair
from lantu.registry.models import Household


def findings(
    user: Any, *, status: str = "open", rule: str = "", dataset: str = "", year: int | None = None
) -> QuerySet[Finding]:
    qs = scoped(Finding.objects.all(), user).select_related("household", "record")
    if status:
        qs = qs.filter(status=status)
    if rule:
        qs = qs.filter(rule=rule)
    if dataset:
        qs = qs.filter(dataset=dataset)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("household__region_path", "household_id", "rule")


def rules(user: Any) -> list[tuple[str, str, str]]:
    """(rule, zh, en) of the findings the user can see, for the queue's filter."""
    qs = scoped(Finding.objects.all(), user).values_list("rule", "rule_zh", "rule_en")
    return sorted(set(qs.order_by()))


def household_findings(user: Any, household: Household) -> list[Finding]:
    qs = scoped(Finding.objects.filter(household=household), user)
    return list(qs.select_related("record", "record__load").order_by("-year", "rule"))


def reviews(user: Any) -> QuerySet[ReviewPair]:
    qs = scoped(ReviewPair.objects.filter(decision=""), user)
    return qs.select_related("record", "record__load", "member", "member__household").order_by(
        "-probability", "pk"
    )


def current_loads() -> QuerySet[DatasetLoad]:
    """Department loads are province-wide deliveries: who delivered what, not whose data."""
    return DatasetLoad.objects.filter(active=True).order_by("dataset")


def loads() -> QuerySet[DatasetLoad]:
    return DatasetLoad.objects.order_by("dataset", "-loaded_at")
