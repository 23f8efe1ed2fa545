"""The training clock page (administrators of a training install only): how far ahead the
procedures' clock runs, and a form to move it (``clock.set_offset``, ledgered)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from lantu.accounts.roles import Perm
from lantu.core.errors import LantuError, NotPermitted
from lantu.procedures import clock
from lantu.registry.views import requires


@requires(Perm.MANAGE_USERS)
def training_clock(request: HttpRequest) -> HttpResponseBase:
    if not clock.training():
        raise NotPermitted(
            "只有培训环境可以调整时钟（LANTU_TRAINING=1）",
            "only a training install can move the clock (LANTU_TRAINING=1)",
        )
    error, status = None, 200
    if request.method == "POST":
        try:
            days = int(request.POST.get("days", ""))
        except ValueError:
            days = -1
        try:
            clock.set_offset(actor=request.user, days=days, reason=request.POST.get("reason", ""))
            return redirect("procedures:training_clock")
        except LantuError as exc:
            error, status = exc, exc.status
    context = {"today": clock.today(), "calendar": timezone.localdate(),
               "offset": clock.offset_days(), "error": error, "posted": request.POST}  # fmt: skip
    return render(request, "procedures/training_clock.html", context, status=status)
