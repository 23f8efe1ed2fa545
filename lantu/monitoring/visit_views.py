"""Visit-round pages (排查): the rounds of the user's subtree (open one for a village), a round's
list with its coverage, and the phone-sized page recording one visit."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from lantu.accounts.roles import Perm
from lantu.accounts.scope import scoped
from lantu.core.errors import LantuError
from lantu.monitoring import catalogue, visit_import, visits
from lantu.monitoring.models import Round, Visit
from lantu.regions.models import Region
from lantu.registry.views import requires


@requires(Perm.VIEW)
def rounds(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        village = (
            scoped(Region.objects.all(), request.user, path_field="path")
            .filter(code=request.POST.get("village", ""), level="village")
            .first()
        )
        try:
            if village is None:
                raise Http404
            rnd = visits.open_round(
                actor=request.user,
                village=village,
                period=request.POST.get("period", ""),
                start=datetime.date.fromisoformat(request.POST.get("start", "")),
                end=datetime.date.fromisoformat(request.POST.get("end", "")),
            )
            return redirect("monitoring:round", pk=rnd.pk)
        except (LantuError, ValueError) as exc:
            error = exc
    qs = scoped(Round.objects.select_related("village"), request.user).order_by("-start", "id")
    return render(request, "monitoring/rounds.html", {"rounds": qs[:200], "error": error})


@requires(Perm.VIEW)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = scoped(Round.objects.select_related("village"), request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    visits_ = rnd.visits.select_related("household").order_by("household__household_no")
    return render(
        request,
        "monitoring/round.html",
        {"round": rnd, "cover": visits.coverage(rnd), "visits": visits_},
    )


@requires(Perm.VIEW)
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    v = (
        scoped(Visit.objects.select_related("household", "round"), request.user)
        .filter(pk=pk)
        .first()
    )
    if v is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            visits.record_visit(
                actor=request.user,
                visit_id=pk,
                seen=request.POST.get("seen", ""),
                risk=request.POST.get("risk", ""),
                needs=request.POST.getlist("needs"),
                photo=request.FILES.get("photo"),
            )
            return redirect("monitoring:round", pk=v.round_id)
        except LantuError as exc:
            error = exc
    ctx = {
        "v": v,
        "events": list(catalogue.events().values()),
        "error": error,
        "departments": list(catalogue.departments().values()),
    }
    return render(request, "monitoring/visit.html", ctx)


@requires(Perm.IMPORT)
def round_import(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the round's template (its households listed); POST: the filled file, all or nothing;
    with errors, the importer's error workbook comes back to download."""
    rnd = scoped(Round.objects.select_related("village"), request.user).filter(pk=pk).first()
    if rnd is None:
        raise Http404
    if request.method != "POST" or "file" not in request.FILES:
        return _xlsx(visit_import.template(rnd), f"visits-{rnd.village.code}-{rnd.period}.xlsx")
    upload: Any = request.FILES["file"]
    try:
        report = visit_import.import_visits(
            upload.read(), upload.name or "", actor=request.user, rnd=rnd
        )
    except LantuError as exc:
        return render(request, "error.html", {"error": exc}, status=exc.status)
    if not report.ok:
        return _xlsx(report.error_workbook(), "errors.xlsx", status=400)
    return redirect("monitoring:round", pk=rnd.pk)


def _xlsx(data: bytes, name: str, status: int = 200) -> HttpResponse:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = HttpResponse(data, content_type=kind, status=status)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
