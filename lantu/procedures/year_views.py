"""The yearly cycle's pages: a closed year's report of changes (page and XLSX) and the comparison
of two closed years, both limited to the user's subtree."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lantu.accounts.roles import Perm
from lantu.accounts.scope import scope_path
from lantu.core.errors import OutOfScope, ValidationFailed
from lantu.procedures import report, yearly
from lantu.procedures.models import YearClose
from lantu.registry import codes
from lantu.registry.exports import XLSX
from lantu.registry.views import requires


def _closed(year: int) -> YearClose:
    closed = YearClose.objects.filter(year=year).first()
    if closed is None:
        raise OutOfScope(f"{year}年度尚未关账", f"year {year} has not been closed")
    return closed


def _rows(request: HttpRequest, year: int) -> list[dict[str, object]]:
    return report.rollup(_closed(year).report, scope_path(request.user), report.TOWNSHIP_DEPTH)


@require_GET
@requires(Perm.VIEW)
def year_report(request: HttpRequest, year: int) -> HttpResponse:
    rows = _rows(request, year)
    context = {
        "year": year,
        "rows": rows,
        "columns": report.COLUMNS,
        "totals": report.totals(rows),
        "closed": _closed(year),
        "years": YearClose.objects.order_by("year").values_list("year", flat=True),
    }
    return render(request, "procedures/year_report.html", context)


@require_GET
@requires(Perm.EXPORT)
def year_report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    body = report.xlsx(year, _rows(request, year))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="changes-{year}.xlsx"'
    return response


@require_GET
@requires(Perm.VIEW)
def year_compare(request: HttpRequest) -> HttpResponse:
    try:
        a, b = int(request.GET.get("a", 0) or 0), int(request.GET.get("b", 0) or 0)
    except ValueError:
        a = b = -1
    if not (0 <= a <= 9999 and 0 <= b <= 9999):
        raise ValidationFailed("年度应为四位数字，如 2024", "a year is four digits, e.g. 2024")
    _closed(a), _closed(b)
    scope = scope_path(request.user)
    if scope is None:
        raise OutOfScope()
    labels = {c.code: c.zh for c in codes.STATUS} | {"": "—"}
    rows = [
        (labels.get(x, x), labels.get(y, y), n)
        for x, y, n in yearly.compare(a, b, region_path=scope)
    ]
    return render(request, "procedures/year_compare.html", {"a": a, "b": b, "rows": rows})
