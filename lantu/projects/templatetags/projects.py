"""``{% household_io household as io %}``: the household's 投入产出清 (inputs and outcomes by year)
for the household file, read through the user's scope."""

from __future__ import annotations

from typing import Any

from django import template

from lantu.core.errors import LantuError
from lantu.projects import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def household_io(context: Any, household: Any) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    if user is None:
        return {"rows": [], "assets": []}
    try:
        return queries.household_io(user, household)
    except LantuError:  # out of scope: the page itself already answered 404
        return {"rows": [], "assets": []}
