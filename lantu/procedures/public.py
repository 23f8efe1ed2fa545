"""The public notice pages (no login): a village's notices, the objection form, the printable PDF.

What a notice shows of a household is decided by ``ENTRY_FIELDS`` and passed through the one
masker (``lantu.registry.masking``) as for a user without personal-data rights: the head's name,
the household's size, its village or group and what is proposed. Never ID numbers, phones, bank
accounts or health details (中农组发〔2021〕7号). The client address used for the rate limit is
``REMOTE_ADDR``: behind a proxy, set it from the proxy's header in the web server.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from lantu.core.errors import LantuError
from lantu.procedures import clock, config, notices, pdf, subjects, supervision
from lantu.procedures.models import ACTIVE_STATES, Notice
from lantu.regions.models import Region
from lantu.registry.masking import Masker

ENTRY_FIELDS = ("head_name", "size")
PUBLIC = Masker(unmasked=False)


def _label(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") else zh


def entries(notice: Notice) -> list[dict[str, Any]]:
    out = []
    for case in notice.cases.select_related("household__region__parent").order_by("id"):
        hh = case.household
        if not subjects.is_listed(case.subject):  # a project's, a finding's: its room's page
            continue
        # Still on this notice (not sent back by an upheld objection, not closed): objectable.
        active = case.state in ACTIVE_STATES and case.step == notice.step
        if hh is None:  # a village's or county's exit: the region itself is on the notice
            out.append({"head_name": subjects.name(case), "size": "", "case": case.pk,
                        "place": case.village.name, "active": active})  # fmt: skip
            continue
        row = PUBLIC.row({f: getattr(hh, f) for f in ENTRY_FIELDS})
        row |= {"case": case.pk, "place": place(hh.region), "active": active}
        out.append(row)
    return out


def place(region: Region) -> str:
    """A household's village and group (村民小组) as a villager names them."""
    if region.level == "group" and region.parent is not None:
        return f"{region.parent.name}{region.name}"
    return str(region.name)


def _plain(name: str) -> str:
    """A step's name without its parenthesised detail, to read inside a sentence."""
    return re.sub(r"[（(].*?[）)]", "", name).strip()


def describe(notice: Notice, *, public_url: str = "") -> dict[str, Any]:
    k = config.kind(notice.kind)
    step = k.step(notice.step)
    today = clock.today()
    earlier = [s for s in k.steps[: k.index(step.name)] if not s.is_notice]
    county = next((a for a in notice.village.ancestors() if a.level == "county"), None)
    return {
        "notice": notice,
        "kind": _label(k.zh, k.en),
        "step": _label(step.zh, step.en),
        "done_steps": "、".join(dict.fromkeys(_plain(s.zh) for s in earlier)),
        "one_day": notice.start == notice.end,
        "ref": k.ref,
        "entries": entries(notice),
        "open": notices.is_open(notice, today) and notice.type == "publicity",
        "village": notice.village,
        "ancestors": list(notice.village.ancestors()),
        "phones": supervision.phones(county.code if county else ""),
        "public_url": public_url,
        "qr": supervision.qr_svg(public_url) if public_url else "",
    }


def public_url(request: HttpRequest, village: Region) -> str:
    """Where villagers object online: ``LANTU_PUBLIC_URL`` (the address they can reach) or this
    server's own."""
    path = reverse("procedures:public_village", args=[village.code])
    base = str(getattr(settings, "LANTU_PUBLIC_URL", "") or "").rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


@require_GET
def village_notices(request: HttpRequest, code: str) -> HttpResponse:
    village = get_object_or_404(Region, code=code, level__in=("village", "county"))
    url = public_url(request, village)
    items = [
        describe(n, public_url=url)
        for n in notices.public_notices(village.path, today=clock.today())
    ]
    return render(request, "procedures/public_village.html", {"village": village, "items": items})


@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    back = reverse("procedures:public_village", args=[notice.village.code])
    try:
        notices.lodge(
            notice=notice,
            case_id=int(request.POST.get("case", "0") or 0),
            text=request.POST.get("text", ""),
            name=request.POST.get("name", ""),
            contact=request.POST.get("contact", ""),
            address=request.META.get("REMOTE_ADDR", ""),
        )
    except LantuError as exc:
        context = {"error": exc, "back": back}
        return render(request, "procedures/public_result.html", context, status=exc.status)
    return redirect(back + "?objected=1")


@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    if not notice.cases.exists():
        raise Http404
    try:
        body = pdf.render(describe(notice, public_url=public_url(request, notice.village)))
    except LantuError as exc:
        return render(request, "error.html", {"error": exc}, status=exc.status)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"notice-{notice.village.code}-{notice.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
