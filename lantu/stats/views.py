"""The statistics pages: the work home page, dashboards per region and year, each chart's table as
XLSX, the headline comparison, the indicator catalogue and the monthly/yearly reports.
Views translate HTTP only: reads through ``queries``/``dashboard``/``home``, files from
``exports``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lantu.accounts.roles import Perm
from lantu.jobs import queries as job_queries
from lantu.registry.views import requires
from lantu.stats import dashboard, exports, headline, home, queries
from lantu.stats.indicators import catalogue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int | None:
    y = request.GET.get("year", "")
    return int(y) if y.isdigit() else None


def _file(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@require_GET
@requires(Perm.VIEW)
def home_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    region = user.region
    context: dict[str, Any] = {"todos": home.todos(user) if region else [], "region": region}
    if region is not None:
        year, cards = dashboard.cards(user, region)
        context |= {"cards": cards, "year": year}
    return render(request, "stats/home.html", context)


@require_GET
@requires(Perm.VIEW)
def board(request: HttpRequest, code: str = "") -> HttpResponse:
    if not code and getattr(request.user, "region", None) is None:
        return render(request, "stats/home.html", {"todos": [], "region": None})
    region = queries.region(request.user, code)
    built = dashboard.build(request.user, region, _year(request))
    context = {
        "board": built,
        "ancestors": [r for r in region.ancestors() if r.path.startswith(_own(request))],
        "refresh": built.refresh,
        "refresh_run": job_queries.latest(request.user, "stats.refresh"),
        "can_refresh": request.user.can(Perm.EXPORT),  # type: ignore[union-attr]
    }
    return render(request, "stats/dashboard.html", context)


def _own(request: HttpRequest) -> str:
    region = getattr(request.user, "region", None)
    return region.path if region else "/"


@require_GET
@requires(Perm.EXPORT)
def board_xlsx(request: HttpRequest, code: str = "") -> HttpResponse:
    region = queries.region(request.user, code)
    built = dashboard.build(request.user, region, _year(request))
    data = exports.charts_xlsx(built.region, built.year, built.charts)
    return _file(data, f"dashboard-{region.code}-{built.year}.xlsx", XLSX)


@require_GET
@requires(Perm.EXPORT)
def chart_xlsx(request: HttpRequest, code: str, chart: str) -> HttpResponse:
    region = queries.region(request.user, code)
    built = dashboard.build(request.user, region, _year(request))
    found = [c for c in built.charts if c.id == chart]
    if not found:
        from django.http import Http404

        raise Http404
    data = exports.charts_xlsx(region, built.year, found)
    return _file(data, f"{chart}-{region.code}-{built.year}.xlsx", XLSX)


@require_GET
@requires(Perm.VIEW)
def headline_page(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("region", "")
    if not code and getattr(request.user, "region", None) is None:
        return render(request, "stats/home.html", {"todos": [], "region": None})
    region = queries.region(request.user, code)
    rows, year = headline.compare(request.user, region)
    return render(request, "stats/headline.html", {"rows": rows, "year": year, "region": region})


@require_GET
@requires(Perm.VIEW)
def indicator_list(request: HttpRequest) -> HttpResponse:
    cat = catalogue()
    last = queries.last_refresh()
    missing = set(last.missing) if last else set()
    groups = [
        (cat.group_label(g), [i for i in cat.indicators.values() if i.group == g])
        for g in cat.groups
    ]
    context = {"groups": groups, "missing": missing, "version": cat.version, "refresh": last}
    return render(request, "stats/indicators.html", context)


@require_GET
@requires(Perm.EXPORT)
def report(request: HttpRequest, code: str, period: str, fmt: str) -> HttpResponse:
    region = queries.region(request.user, code)
    rep = exports.report(request.user, region, period)
    if fmt == "pdf":
        return _file(exports.report_pdf(rep), f"report-{region.code}-{period}.pdf",
                     "application/pdf")  # fmt: skip
    return _file(exports.report_xlsx(rep), f"report-{region.code}-{period}.xlsx", XLSX)
