"""``{% household_findings household as findings %}``: the household's findings for the user in
the page's context (scoped), with their evidence masked for the user's role."""

from __future__ import annotations

from typing import Any

from django import template

from lantu.matching import presenting, queries
from lantu.matching.schemas import DATASETS
from lantu.registry.masking import masker_for

register = template.Library()


@register.simple_tag(takes_context=True)
def household_findings(context: Any, household: Any) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    m = masker_for(user)
    return [presenting.finding(f, m) for f in queries.household_findings(user, household)]


@register.simple_tag
def dataset_label(slug: str, lang: str) -> str:
    """A dataset's name in the page's language (the declared schema's zh or en)."""
    ds = DATASETS.get(slug)
    if ds is None:
        return slug
    return ds.en if lang == "en" else ds.zh
