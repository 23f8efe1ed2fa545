"""The public cascade of places (prefecture → county → township → village): codes and names
only, which are public. Cached per process: the tree changes once a year."""

from __future__ import annotations

import functools

from lantu.regions.models import Level, Region

CASCADE = (Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


@functools.lru_cache(maxsize=4096)
def _children(code: str) -> tuple[tuple[str, str, str], ...]:
    rows = Region.objects.filter(parent__code=code, level__in=CASCADE).order_by("code")
    return tuple(rows.values_list("code", "name", "level"))


def children(code: str) -> list[dict[str, str]]:
    return [{"code": c, "name": n, "level": lv} for c, n, lv in _children(code)]


def root() -> str:
    top = Region.objects.filter(level=Level.PROVINCE).order_by("code").first()
    return top.code if top else ""
