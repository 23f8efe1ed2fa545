"""The bounds every imported value must stay within, so that what one database stores the other
would store too, and no page or export meets a value it cannot show.

PostgreSQL refuses a text longer than its column, a NUL byte, a number beyond its column's
precision; SQLite stores all of them, and ``inf``, ``NaN`` and ``1e20`` then break the household
page and every export above it. The importer checks each value against these bounds and reports
a row error instead, identically on both databases:

- numbers: finite and within a plausible range for the column (years 1900–2100, months 0–12,
  money 0 to under ten thousand million yuan, ...), never more than the column can hold;
- text: no longer than the column (``max_length`` of the model field) and no control characters
  (NUL and the other C0 codes, except tab and line breaks, which Excel cells may hold).
"""

from __future__ import annotations

from django.db import models

from lantu.registry.columns import BY_NAME, Column
from lantu.registry.models import Household, Member

YEARS = (1900, 2100)
MONEY = (0, 9_999_999_999.99)  # DecimalField(max_digits=14, decimal_places=2) holds under 1e12
RANGES: dict[str, tuple[float, float]] = {
    "registration_year": YEARS,
    "exit_year": YEARS,
    "planned_exit_year": YEARS,
    "left_year": YEARS,
    "year": YEARS,
    "housing_built_year": YEARS,
    "disability_grade": (1, 4),  # GB/T 26341: grades 1 to 4
    "work_months": (0, 12),
    "size": (0, 99),
    "water_trip_minutes": (0, 1440),
    "water_distance_m": (0, 100_000),
    "water_vertical_m": (0, 10_000),
    "water_outage_days": (0, 366),
    "housing_area": (0, 99_999.9),
    "water_litres_per_day": (0, 9_999.9),
    "market_distance_km": (0, 9_999.9),
}
# Text columns that are not fields of their own (region_code names a Region by its code).
TEXT_LENGTHS = {"region_code": 15, "member_phone": 20}
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def value_range(col: Column) -> tuple[float, float] | None:
    if col.name in RANGES:
        return RANGES[col.name]
    if col.kind == "money":
        return MONEY
    return None


def max_length(col: Column) -> int | None:
    if col.name in TEXT_LENGTHS:
        return TEXT_LENGTHS[col.name]
    model = Member if col.level == "member" else Household
    try:
        field = model._meta.get_field(col.name)
    except Exception:
        return None
    return field.max_length if isinstance(field, models.CharField) else None


def all_ranges() -> dict[str, tuple[float, float]]:
    """Every numeric column's bounds (for the template's notes and the tests)."""
    return {n: r for n, c in BY_NAME.items() if (r := value_range(c)) is not None}
