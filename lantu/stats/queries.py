"""Reading the aggregates, always inside the user's subtree: one region's figures for a year, its
figures over the years, its children's (for ranking), and the counties of the user's scope (for
the map). Each read is one indexed query on ``stats_aggregate``; the registry is never touched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lantu.accounts.scope import get_scoped, scoped
from lantu.regions.models import Region
from lantu.stats.indicators import catalogue
from lantu.stats.models import Aggregate, Refresh

Vals = dict[str, dict[str, float]]


@dataclass
class Figures:
    """One region's indicator values for one year."""

    vals: Vals
    latest: bool = True  # the latest year: the only one holding current-state counts
    missing: frozenset[str] = frozenset()  # indicators whose source is not installed

    def total(self, name: str) -> float | None:
        """The indicator's total (sum over its keys), a ratio's value, or None for no data."""
        ind = catalogue().indicators[name]
        if ind.ratio:
            num, den = (self.total(p) for p in ind.ratio)
            if num is None or not den:
                return None
            return 100 * num / den if ind.percent else num / den
        parts = self.vals.get(name)
        if parts is None:
            if name in self.missing or (not ind.per_year and not self.latest):
                return None
            return 0.0
        return float(sum(parts.values()))

    def parts(self, name: str) -> dict[str, float]:
        return self.vals.get(name, {})


def region(user: Any, code: str | None = None) -> Region:
    """The region asked for, inside the user's subtree (their own region by default)."""
    if not code:
        own = getattr(user, "region", None)
        if own is None:
            from lantu.core.errors import OutOfScope

            raise OutOfScope()
        return own  # type: ignore[no-any-return]
    return get_scoped(Region.objects.all(), user, path_field="path", code=code)


def _rows(user: Any) -> Any:
    return scoped(Aggregate.objects.all(), user, path_field="path")


def years(user: Any, r: Region) -> list[int]:
    qs = _rows(user).filter(path=r.path).order_by("year").values_list("year", flat=True)
    return list(qs)


State = tuple[int | None, frozenset[str]]


def state(last: Refresh | None) -> State:
    """The latest year and the indicators with no source, as of the refresh ``last``."""
    if last is None:
        return None, frozenset(catalogue().indicators)
    return (last.years[-1] if last.years else None), frozenset(last.missing)


def _state() -> State:
    return state(Refresh.objects.only("years", "missing").first())


def _figures(raw: str | None, year: int, state: State) -> Figures:
    return Figures(json.loads(raw) if raw else {}, latest=year == state[0], missing=state[1])


def figures(user: Any, r: Region, year: int, st: State | None = None) -> Figures:
    row = _rows(user).filter(path=r.path, year=year).values_list("vals", flat=True).first()
    return _figures(row, year, st or _state())


def latest(user: Any, r: Region, st: State | None = None) -> tuple[int, Figures] | None:
    """The region's latest year and its figures, in one query (the home page's cards)."""
    row = _rows(user).filter(path=r.path).order_by("-year").values_list("year", "vals").first()
    if row is None:
        return None
    return row[0], _figures(row[1], row[0], st or _state())


def series(user: Any, r: Region, st: State | None = None) -> dict[int, Figures]:
    """The region's figures for every year, in year order (one query: a dashboard's years, its
    year's figures and its trend)."""
    rows = _rows(user).filter(path=r.path).order_by("year").values_list("year", "vals")
    st = st or _state()
    return {y: _figures(v, y, st) for y, v in rows}


def children(
    user: Any, r: Region, year: int, st: State | None = None
) -> list[tuple[Region, Figures]]:
    """The region's children and their figures. Read by their exact paths (the unique index on
    path and year): by depth and path prefix, PostgreSQL walked every village row of every year
    (170,000 at province scale) to find one township's dozen."""
    kids = list(Region.objects.filter(parent=r).order_by("code"))
    rows = dict(
        _rows(user).filter(path__in=[k.path for k in kids], year=year).values_list("path", "vals")
    )
    st = st or _state()
    return [(k, _figures(rows.get(k.path), year, st)) for k in kids]


def at_depth(user: Any, depth: int, year: int, st: State | None = None) -> dict[str, Figures]:
    """Every aggregate row of one level in the user's scope, by region code."""
    rows = _rows(user).filter(depth=depth, year=year).values_list("path", "vals")
    st = st or _state()
    return {p.strip("/").split("/")[-1]: _figures(v, year, st) for p, v in rows}


def last_refresh() -> Refresh | None:
    return Refresh.objects.first()
