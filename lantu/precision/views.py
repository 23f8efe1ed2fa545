"""The admin's page of the stored precision reports (``lantu.precision.stored``) and their XLSX
export. Figures only: no household, no personal data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from lantu.accounts.roles import Perm
from lantu.precision import report, stored
from lantu.registry.views import requires


@requires(Perm.MANAGE_USERS)
def index(request: HttpRequest) -> HttpResponseBase:
    years = stored.years()
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isdigit() else (years[0] if years else None)
    doc = stored.load(year) if year is not None else None
    rows = []
    for r in (doc or {}).get("rows", []):
        extra = {k: report.fmt(v) for k, v in r.items() if k not in report.BASE}
        rows.append({**{k: report.fmt(r.get(k)) for k in report.BASE}, "extra": extra})
    context = {"years": years, "year": year, "doc": doc, "rows": rows}
    return render(request, "precision/index.html", context)


@requires(Perm.MANAGE_USERS)
def export(request: HttpRequest, year: int) -> HttpResponseBase:
    doc = stored.load(year)
    if doc is None:
        raise Http404
    resp = HttpResponse(
        report.workbook(doc["rows"], year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="precision-{year}.xlsx"'
    return resp
