"""Limit/offset paging without a count: a request never counts the registry (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000  # beyond any registry; PostgreSQL refuses offsets past a bigint


def window(qs: QuerySet[Any], limit: int, offset: int) -> tuple[list[Any], dict[str, Any]]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    rows = list(qs[offset : offset + limit + 1])
    return rows[:limit], {"limit": limit, "offset": offset, "has_next": len(rows) > limit}
