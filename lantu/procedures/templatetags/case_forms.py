"""``posted|get:"name"``: a value the user typed, to put back into a form shown again."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(data: Any, key: str) -> Any:
    return data.get(key, "") if hasattr(data, "get") else ""
