"""The public pages (no account, mobile-first, Chinese by default): the self-report form, its
receipt, and the status page opened by receipt + phone, where the reporter also signs off.

Views only translate HTTP: ``intake.submit``, ``queries.for_reporter``, ``services.sign_off``.
The status page is answered to a POST (the phone stays out of URLs and logs) and shows only
``presenting.public_view``. The client address for the limits is ``REMOTE_ADDR``, as for the
procedures' public pages (behind a proxy, set it from the proxy's header).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from lantu.core.errors import LantuError
from lantu.monitoring import catalogue, intake, presenting, queries, services, sms
from lantu.monitoring.regions import root
from lantu.procedures.notices import source_of


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _report(post: Any) -> intake.Report:
    return intake.Report(
        name=post.get("name", ""),
        id_number=post.get("id_number", ""),
        phone=post.get("phone", ""),
        village=post.get("village", ""),
        event=post.get("event", ""),
        needs=post.getlist("needs"),
        description=post.get("description", ""),
        event_date=_date(post.get("event_date", "")),
        for_other=post.get("for_other") == "1",
        reporter_name=post.get("reporter_name", ""),
        reporter_phone=post.get("reporter_phone", ""),
        relation=post.get("relation", ""),
        phone_code=post.get("phone_code", ""),
    )


def _form(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "events": list(catalogue.events().values()),
        "departments": list(catalogue.departments().values()),
        "root": root(),
        "post": request.POST if request.method == "POST" else {},
        "chosen": request.POST.getlist("needs") if request.method == "POST" else [],
        "phone_check": sms.required(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "monitoring/public_report.html", _form(request))
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        done = intake.submit(
            _report(request.POST), address=address, photo=request.FILES.get("photo")
        )
    except intake.ReportInvalid as exc:
        ctx = _form(request, errors=exc.errors)
        return render(request, "monitoring/public_report.html", ctx, status=400)
    except LantuError as exc:
        ctx = _form(request, error=exc)
        return render(request, "monitoring/public_report.html", ctx, status=exc.status)
    ctx = {"receipt": done.ticket.receipt, "joined": done.joined}
    return render(request, "monitoring/public_receipt.html", ctx)


@require_POST
def send_code(request: HttpRequest) -> HttpResponse:
    """The form's "send the code" button: the code goes to the reporter's phone (the person's own
    when reporting for oneself) and the form comes back with everything typed kept."""
    post = request.POST
    phone = post.get("reporter_phone", "") if post.get("for_other") == "1" else post.get("phone")
    try:
        intake.send_phone_code(phone or "")
    except intake.ReportInvalid as exc:
        field = "reporter_phone" if post.get("for_other") == "1" else "phone"
        ctx = _form(request, errors={field: exc.errors["phone"]})
        return render(request, "monitoring/public_report.html", ctx, status=400)
    except LantuError as exc:
        ctx = _form(request, error=exc)
        return render(request, "monitoring/public_report.html", ctx, status=exc.status)
    return render(request, "monitoring/public_report.html", _form(request, code_sent=True))


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "monitoring/public_status.html", {})
    receipt, phone = request.POST.get("receipt", ""), request.POST.get("phone", "")
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        t = queries.for_reporter(receipt, phone, source=source_of(address))
    except LantuError as exc:
        ctx = {"error": exc, "receipt": receipt}
        return render(request, "monitoring/public_status.html", ctx, status=exc.status)
    ctx = {"t": presenting.public_view(t), "receipt": receipt, "phone": phone}
    return render(request, "monitoring/public_status.html", ctx)


@require_POST
def sign_off(request: HttpRequest) -> HttpResponse:
    receipt, phone = request.POST.get("receipt", ""), request.POST.get("phone", "")
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        t = queries.for_reporter(receipt, phone, source=source_of(address))
        t = services.sign_off(
            ticket=t,
            satisfied=request.POST.get("satisfied") == "1",
            reason=request.POST.get("reason", ""),
        )
    except LantuError as exc:
        ctx = {"error": exc, "receipt": receipt}
        return render(request, "monitoring/public_status.html", ctx, status=exc.status)
    ctx = {"t": presenting.public_view(t), "receipt": receipt, "phone": phone, "signed": True}
    return render(request, "monitoring/public_status.html", ctx)
