"""What a dashboard shows for one region and year: the key figures and the charts, composed from
``queries`` (aggregates in the reader's scope) and ``charts``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lantu.regions.models import Region
from lantu.stats import charts, queries
from lantu.stats.indicators import Indicator, catalogue
from lantu.stats.models import Refresh

KEY_FIGURES = [
    "households_registered",
    "people_registered",
    "poor_households",
    "poor_people",
    "incidence",
    "exits",
    "monitoring_objects",
    "guarantees_rate",
    "tap_water_rate",
    "assistance_coverage",
    "cases_overdue",
    "findings_open",
]
TREND = ["households_registered", "poor_households", "exits", "new_registrations"]
RANKED = ["households_registered", "monitoring_objects"]


@dataclass
class Card:
    indicator: Indicator
    value: float | None

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if self.indicator.percent:
            return f"{self.value:.1f}"
        return f"{self.value:,.0f}"


@dataclass
class Dashboard:
    region: Region
    year: int
    years: list[int]
    cards: list[Card]
    charts: list[charts.Chart]
    missing: list[Indicator]
    refresh: Refresh | None = None


def build(user: Any, region: Region, year: int | None) -> Dashboard:
    """One read of the last refresh, one of the region's years, one of its children's, one of
    the counties' (the map)."""
    last = queries.last_refresh()
    st = queries.state(last)
    series = queries.series(user, region, st)
    years = list(series)
    if year not in series:
        year = years[-1] if years else None
    cat = catalogue()
    if year is None:
        missing = [cat.indicators[n] for n in sorted(cat.indicators)]
        return Dashboard(region, 0, [], [], [], missing, last)
    figs = series[year]
    cards = [Card(cat.indicators[n], figs.total(n)) for n in KEY_FIGURES]
    out = [
        charts.trend(series, TREND),
        charts.breakdown(figs, "causes"),
        charts.breakdown(figs, "households_by_status", pie=True),
        charts.breakdown(figs, "monitoring_objects", pie=True),
        charts.breakdown(figs, "guarantees_unmet"),
        charts.breakdown(figs, "migrant_workers", pie=True),
        charts.breakdown(figs, "cases_open"),
        charts.breakdown(figs, "findings_open"),
        charts.breakdown(figs, "funds_by_source", pie=True),
        charts.breakdown(figs, "funds_by_use"),
    ]
    kids = queries.children(user, region, year, st)
    if kids:
        out += [charts.ranking(kids, n) for n in RANKED]
    if region.depth <= 2:  # province, prefecture, county: the county map
        counties = queries.at_depth(user, 3, year, st)
        out.append(charts.county_tiles(counties, "households_registered"))
    missing = [cat.indicators[n] for n in sorted(figs.missing) if n in cat.indicators]
    return Dashboard(region, year, years, cards, out, missing, last)


def cards(user: Any, region: Region) -> tuple[int | None, list[Card]]:
    """The key figures of the region's latest year (the home page's): one query and the state."""
    found = queries.latest(user, region)
    if found is None:
        return None, []
    year, figs = found
    cat = catalogue()
    return year, [Card(cat.indicators[n], figs.total(n)) for n in KEY_FIGURES]


def chart(user: Any, region: Region, year: int | None, chart_id: str) -> charts.Chart | None:
    board = build(user, region, year)
    return next((c for c in board.charts if c.id == chart_id), None)
