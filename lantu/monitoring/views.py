"""The staff pages of the loop: the ticket queue per section (村级收单, 部门办单, 督办, overdue,
open, closed), a ticket with the actions the user's role may take, the SLA table. Views only
translate HTTP: reads through ``queries``/``sla``, writes through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lantu.accounts.roles import Perm
from lantu.core import paging
from lantu.core.errors import LantuError
from lantu.monitoring import presenting, queries, services, sla
from lantu.registry.masking import masker_for
from lantu.registry.views import requires


@requires(Perm.TICKETS)
def queue(request: HttpRequest) -> HttpResponse:
    section = request.GET.get("section") or queries.default_section(request.user)
    if section not in queries.SECTIONS:
        section = "open"
    number = paging.page_number(request.GET.get("page"))
    page = paging.page(queries.queue(request.user, section), number)
    m = masker_for(request.user)
    ctx = {
        "section": section,
        "sections": queries.SECTIONS,
        "page": page,
        "rows": [presenting.row_view(t, m) for t in page.rows],
    }
    return render(request, "monitoring/queue.html", ctx)


def _detail(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    t = queries.ticket(request.user, pk)
    user: Any = request.user
    mine = set(queries.departments_of(user))
    view = presenting.staff_view(t, masker_for(user))
    return {
        "t": view,
        "my_tasks": [k for k in view["tasks"] if k["department"] in mine],
        "can_edit": user.can(Perm.EDIT),
        "can_approve": user.can(Perm.APPROVE),
        "can_close": user.can(Perm.APPROVE) or user.can(Perm.REVIEW),
        **extra,
    }


@requires(Perm.TICKETS)
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        ctx = _detail(request, pk)
    except LantuError as exc:
        raise Http404 from exc
    return render(request, "monitoring/ticket.html", ctx)


@requires(Perm.TICKETS)
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        t = queries.ticket(request.user, pk)
    except LantuError as exc:
        raise Http404 from exc
    if not t.photo:
        raise Http404
    return FileResponse(t.photo.open("rb"), content_type="image/jpeg")


@require_POST
@requires(Perm.TICKETS)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user, post = request.user, request.POST
    action, text = post.get("action", ""), post.get("text", "")
    try:
        queries.ticket(user, pk)
        if action == "accept":
            services.accept(
                actor=user, ticket_id=pk, version=int(post.get("version") or 0), note=text
            )
        elif action == "identify":
            services.identify(actor=user, ticket_id=pk)
        elif action == "assist":
            services.plan_assistance(actor=user, ticket_id=pk)
        elif action == "supervise":
            services.supervise(actor=user, ticket_id=pk, instruction=text)
        elif action == "close":
            services.close(actor=user, ticket_id=pk, reason=text)
        elif action in ("done", "decline"):
            services.handle(
                actor=user,
                task_id=int(post.get("task") or 0),
                result=text,
                declined=action == "decline",
            )
        else:
            raise Http404
    except LantuError as exc:
        if exc.status == 404:
            raise Http404 from exc
        return render(
            request, "monitoring/ticket.html", _detail(request, pk, error=exc), status=exc.status
        )
    return redirect("monitoring:ticket", pk=pk)


@requires(Perm.TICKETS)
def sla_view(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "township")
    if by not in sla.KEYS:
        by = "township"
    return render(
        request, "monitoring/sla.html", {"by": by, "rows": sla.table(request.user, by=by)}
    )
