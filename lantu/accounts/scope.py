"""The one scope filter. Every read of region-bound data goes through ``scoped``: a user sees only
their region's subtree; a user with no region sees nothing (there is no implicit 'all')."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from lantu.core.errors import OutOfScope

M = TypeVar("M", bound=Model)


def scope_path(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    region = getattr(user, "region", None)
    return region.path if region is not None else None


def scoped(qs: QuerySet[M], user: Any, *, path_field: str = "region_path") -> QuerySet[M]:
    path = scope_path(user)
    if path is None:
        return qs.none()
    return qs.filter(**{f"{path_field}__startswith": path})


def get_scoped(qs: QuerySet[M], user: Any, *, path_field: str = "region_path", **lookup: Any) -> M:
    """One object in scope, or OutOfScope (a 404, the same as a missing object)."""
    obj = scoped(qs, user, path_field=path_field).filter(**lookup).first()
    if obj is None:
        raise OutOfScope()
    return obj
