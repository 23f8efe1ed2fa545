"""Export of a household list to XLSX, in the registry's flat layout (花名册: one row per present
member, household and yearly columns repeated on each row; ``lantu.registry.columns``), so that an
export read back by the importer means the same thing.

The rows come from ``queries.households_for_export`` (the same scope and filters as the page) and
every value passes through the user's ``Masker``. xlsxwriter's ``constant_memory`` mode flushes
each row to disk as it is written, and the finished file is streamed from a temporary file, so
memory stays flat for a province-sized export.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone

from lantu.core import paging
from lantu.core.errors import ValidationFailed
from lantu.core.xlsx import workbook
from lantu.registry import queries
from lantu.registry.columns import COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS, Column
from lantu.registry.masking import Masker, masker_for
from lantu.registry.models import Household, HouseholdYear, Member
from lantu.registry.queries import HouseholdFilter

SHEET = "花名册"
# A request writes about 1,500 member rows a second (xlsxwriter): beyond this many households an
# export would hold a worker for minutes, so the page asks for a narrower selection instead.
MAX_HOUSEHOLDS = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns whose name differs from the model field they are read from.
SOURCE = {"region_code": "region.code", "member_phone": "phone"}


def _raw(column: Column, obj: Any) -> Any:
    if obj is None:
        return None
    for part in SOURCE.get(column.name, column.name).split("."):
        obj = getattr(obj, part)
    return obj


_LABELS = {c.name: {x.code: x.zh for x in c.codes} for c in COLUMNS if c.codes is not None}


def cell(column: Column, value: Any) -> Any:
    """A value as the importer reads it back: code labels in Chinese, 是/否, ISO dates."""
    if value is None or value == "":
        return ""
    if column.name in _LABELS and isinstance(value, str):
        return _LABELS[column.name].get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cells(columns: tuple[Column, ...], obj: Any, masker: Masker) -> list[Any]:
    return [cell(c, masker.value(c.name, _raw(c, obj))) for c in columns]


def rows(households: Iterable[Household], masker: Masker, year: int | None) -> Iterator[list[Any]]:
    """One row per present member (COLUMNS order: household, member, year); the household's and
    the year's cells are computed once and repeated on each member's row."""
    for h in households:
        facts = list(h.years.all())
        chosen = next((y for y in facts if y.year == year), None) if year else None
        fact: HouseholdYear | None = chosen if year else (facts[0] if facts else None)
        head = _cells(HOUSEHOLD_COLUMNS, h, masker)
        tail = _cells(YEAR_COLUMNS, fact, masker)
        people: list[Member | None] = list(h.members.all()) or [None]
        for m in people:
            yield head + _cells(MEMBER_COLUMNS, m, masker) + tail


def write_xlsx(out: IO[bytes], data: Iterable[list[Any]]) -> int:
    """Write the header and the rows; return how many data rows were written."""
    book = workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(SHEET)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for col, c in enumerate(COLUMNS):
        sheet.write_string(0, col, c.zh, bold)
        sheet.set_column(col, col, max(8, 2 * len(c.zh) + 2))
    sheet.freeze_panes(1, 0)
    n = 0
    for n, values in enumerate(data, start=1):
        for col, v in enumerate(values):
            if v == "":
                continue  # a blank cell is no cell: half the work on a sparse registry
            if isinstance(v, str):
                sheet.write_string(n, col, v)  # ID numbers and codes stay text, never numbers
            else:
                sheet.write(n, col, v)
    book.close()
    return n


def household_response(user: Any, f: HouseholdFilter) -> FileResponse:
    if paging.bounded_count(queries.households(user, f), MAX_HOUSEHOLDS) > MAX_HOUSEHOLDS:
        raise ValidationFailed(
            f"导出范围超过{MAX_HOUSEHOLDS}户，请先按区划或条件缩小范围",
            f"the export covers more than {MAX_HOUSEHOLDS} households: narrow it by region or "
            "filters first",
        )
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(tmp, rows(queries.households_for_export(user, f), masker_for(user), f.year))
    tmp.seek(0)
    name = f"registry-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX)
