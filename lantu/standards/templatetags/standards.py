"""``{% household_evaluations household as evaluations %}``: the ruler's stored results for the
household file page, read through ``lantu.standards.queries`` (and so through the user's scope)."""

from __future__ import annotations

from typing import Any

from django import template

from lantu.core.errors import OutOfScope
from lantu.standards.queries import HouseholdEvaluation, results_for_household

register = template.Library()


@register.simple_tag(takes_context=True)
def household_evaluations(context: dict[str, Any], household: Any) -> list[HouseholdEvaluation]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    try:
        return results_for_household(user, household)
    except OutOfScope:
        return []
