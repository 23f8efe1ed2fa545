"""The one scope filter. Every read of region-bound data goes through ``scoped``: a user sees only
their region's subtree; a user with no region sees nothing (there is no implicit 'all').

Some roles see less than their subtree: a cadre (帮扶责任人) sees only the households paired with
them. The room that knows which (``lantu.assistance``) registers a *narrowing* for the role; a
user whose every role is narrowed gets, inside the subtree, only what the narrowing keeps (a user
who also holds a broad role sees the whole subtree)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, Q, QuerySet

from lantu.core.errors import OutOfScope

M = TypeVar("M", bound=Model)


# role → (queryset, user) → the queryset narrowed to what that role sees inside its subtree.
NARROWINGS: dict[str, Callable[[QuerySet[Any], Any], QuerySet[Any]]] = {}


def register_narrowing(role: str, narrow: Callable[[QuerySet[Any], Any], QuerySet[Any]]) -> None:
    NARROWINGS[role] = narrow


def narrowing(user: Any) -> Callable[[QuerySet[Any], Any], QuerySet[Any]] | None:
    """The narrowing that applies to ``user``: only when every role they hold is narrowed."""
    roles = list(getattr(user, "roles", None) or [])
    if not roles or any(r not in NARROWINGS for r in roles):
        return None
    return NARROWINGS[roles[0]]


def scope_path(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    region = getattr(user, "region", None)
    return region.path if region is not None else None


def under(path: str, *, path_field: str = "region_path") -> Q:
    """Rows whose materialised path lies under ``path``, as a condition the database answers from
    its index. PostgreSQL's pattern index serves ``LIKE 'path%'``; SQLite will not use an index
    for Django's ``LIKE … ESCAPE``, so there the prefix is also restated as a range: paths are
    digits and slashes ending in '/', so every path under ``path`` sorts before ``path`` with its
    last '/' raised to '0'. (On PostgreSQL a range would depend on the collation.)"""
    condition = Q(**{f"{path_field}__startswith": path})
    if connection.vendor == "sqlite":
        condition &= Q(**{f"{path_field}__gte": path, f"{path_field}__lt": path[:-1] + "0"})
    return condition


def scoped(qs: QuerySet[M], user: Any, *, path_field: str = "region_path") -> QuerySet[M]:
    path = scope_path(user)
    if path is None:
        return qs.none()
    qs = qs.filter(under(path, path_field=path_field))
    narrow = narrowing(user)
    return narrow(qs, user) if narrow is not None else qs


def get_scoped(qs: QuerySet[M], user: Any, *, path_field: str = "region_path", **lookup: Any) -> M:
    """One object in scope, or OutOfScope (a 404, the same as a missing object). The object
    remembers whose scope it was read through (``in_scope``)."""
    obj = scoped(qs, user, path_field=path_field).filter(**lookup).first()
    if obj is None:
        raise OutOfScope()
    obj._lantu_scope = _scope_key(user)  # type: ignore[attr-defined]
    return obj


def _scope_key(user: Any) -> tuple[Any, ...]:
    return (getattr(user, "pk", None), scope_path(user), tuple(getattr(user, "roles", None) or []))


def in_scope(qs: QuerySet[M], user: Any, obj: M, *, path_field: str = "region_path") -> M:
    """``obj`` if it was read through ``get_scoped`` for this same user (same region and roles),
    without asking the database again; otherwise read again through the scope (OutOfScope if it
    is not in it). A page that fetched a household in scope hands it to the other rooms' sections,
    which need not fetch it once more each."""
    if getattr(obj, "_lantu_scope", None) == _scope_key(user):
        return obj
    return get_scoped(qs, user, path_field=path_field, pk=obj.pk)
