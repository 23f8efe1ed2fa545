"""Reads of the administrative tree, always inside a scope (a region's subtree)."""

from __future__ import annotations

from django.db.models import QuerySet

from lantu.accounts.scope import under
from lantu.regions.models import Region


def subtree(root: Region, *, include_root: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(under(root.path, path_field="path"))
    return qs if include_root else qs.exclude(pk=root.pk)


def children(root: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=root).order_by("code")


def in_scope(scope: Region, region: Region) -> bool:
    return region.path.startswith(scope.path)


def by_code(scope: Region, code: str) -> Region | None:
    return subtree(scope).filter(code=code).first()
