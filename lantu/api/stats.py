"""Statistics over the API: one region's indicator figures for a year, from the pre-aggregated
table, inside the caller's scope (a region outside it answers 404, like a missing one)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from lantu.api.schemas import ErrorOut
from lantu.stats import queries
from lantu.stats.indicators import catalogue

router = Router()
ERRORS = {403: ErrorOut, 404: ErrorOut}


class FigureOut(Schema):
    indicator: str
    label: str
    unit: str
    value: float | None
    parts: dict[str, float]


class RegionFiguresOut(Schema):
    code: str
    name: str
    year: int | None
    years: list[int]
    figures: list[FigureOut]


@router.get("/{code}", response={200: RegionFiguresOut, **ERRORS},
            summary="Indicator figures of a region / 区划统计指标")  # fmt: skip
def region_figures(request: HttpRequest, code: str, year: int | None = None) -> Any:
    region = queries.region(request.user, code)
    years = queries.years(request.user, region)
    if year not in years:
        year = years[-1] if years else None
    figs = queries.figures(request.user, region, year) if year else None
    out = [
        FigureOut(
            indicator=i.name,
            label=i.label,
            unit=i.unit_label,
            value=figs.total(i.name) if figs else None,
            parts=figs.parts(i.name) if figs else {},
        )
        for i in catalogue().indicators.values()
    ]
    return RegionFiguresOut(code=region.code, name=region.name, year=year, years=years, figures=out)
