"""``{% household_assistance household as a %}``: the household's cadres, teams, plans, visits and
gaps for the user in the page's context (scoped; the cadres' phones masked for the role)."""

from __future__ import annotations

from typing import Any

from django import template

from lantu.accounts.roles import Perm
from lantu.assistance import codes, queries
from lantu.registry.masking import masker_for

register = template.Library()


@register.simple_tag(takes_context=True)
def household_assistance(context: Any, household: Any) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    if user is None:
        return {}
    data = queries.household_assistance(user, household)
    m = masker_for(user)
    for p in data["pairings"]:
        p.phone = m.value("phone", p.cadre.phone)
    # the plan form (assistance:plan) is offered to roles that assist
    data["can_plan"] = bool(getattr(user, "can", lambda p: False)(Perm.ASSIST))
    return data


@register.simple_tag
def measure_label(code: str, lang: str) -> str:
    item = codes.catalogue().get(code)
    if item is None:
        return code
    return item.en if lang == "en" else item.zh
