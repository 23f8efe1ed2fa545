"""What a cadre (帮扶责任人, ``Role.CADRE``) sees: inside their region's subtree, only the
households currently paired with them, and what belongs to those households (members, years,
plans, visits, procedure cases, findings: any model with a ``household`` foreign key). Rows
bound to no household (regions, the region tree's aggregates) keep the subtree filter alone.
Registered with the scope filter by ``AssistanceConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from lantu.accounts.roles import Role
from lantu.registry.models import Household

ROLE = Role.CADRE.value


def paired_households(user: Any) -> QuerySet[Any]:
    from lantu.assistance.models import Pairing

    return Pairing.objects.filter(cadre__user=user, end_date__isnull=True).values("household_id")


def narrow(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    model = qs.model
    if model is Household:
        return qs.filter(id__in=paired_households(user))
    to_household = any(
        f.name == "household" and getattr(f, "related_model", None) is Household
        for f in model._meta.concrete_fields
    )
    if to_household:
        return qs.filter(household_id__in=paired_households(user))
    if model._meta.label == "assistance.Cadre":
        return qs.filter(user=user)
    return qs
