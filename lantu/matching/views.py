"""Pages: the findings work queue (refer to a procedure in bulk, or dismiss) and the review queue
of borderline pairs. Views only translate HTTP: reads through ``queries`` (scoped), values
through ``presenting`` (masked), writes through ``referrals`` and ``services``."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lantu.accounts.roles import Perm
from lantu.core import paging
from lantu.core.errors import NotPermitted
from lantu.matching import loads, presenting, queries, referrals, services
from lantu.matching.schemas import DATASETS
from lantu.registry.masking import masker_for
from lantu.registry.views import requires

PAGE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@requires(Perm.VIEW)
def work_queue(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        return _act(request)
    g = request.GET
    status = g.get("status", "open")
    qs = queries.findings(
        request.user,
        status=status,
        rule=g.get("rule", ""),
        dataset=g.get("dataset", ""),
        year=_int(g.get("year")),
    )
    page = paging.page(qs, paging.page_number(g.get("page")), PAGE)
    m = masker_for(request.user)
    keep = g.copy()
    keep.pop("page", None)
    context = {
        "rows": [presenting.finding(f, m) for f in page],
        "keep": keep.urlencode(),
        "page": page,
        "status": status,
        "datasets": [(d.slug, d.zh, d.en) for d in DATASETS.values()],
        "rules": queries.rules(request.user),
        "filters": g,
        "can_act": _can_act(request.user),
        "loads": queries.current_loads(),
    }
    return render(request, "matching/work_queue.html", context)


def _can_act(user: Any) -> bool:
    """Village entry (opens cases as itself), township review and county approval act."""
    return bool(user.can(Perm.EDIT) or user.can(Perm.REVIEW) or user.can(Perm.APPROVE))


def _act(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_act(user):
        raise NotPermitted("您的角色无权处理比对发现", "your role may not act on findings")
    ids = [int(x) for x in request.POST.getlist("finding") if x.isdigit()]
    if request.POST.get("action") == "dismiss":
        n = referrals.dismiss(actor=user, finding_ids=ids, reason=request.POST.get("reason", ""))
        messages.info(request, ngettext("已排除 %(n)d 条", "已排除 %(n)d 条", n) % {"n": n})
    else:
        out = referrals.refer(actor=user, finding_ids=ids)
        n = out.opened
        messages.info(request, ngettext("已启动程序 %(n)d 户", "已启动程序 %(n)d 户", n) % {"n": n})
        for no, zh, en in out.failed:
            messages.warning(request, f"{no}: {zh} / {en}")
    return redirect(f"{reverse('matching:work_queue')}?{request.GET.urlencode()}")


@requires(Perm.VIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    number = paging.page_number(request.GET.get("page"))
    page = paging.page(queries.reviews(request.user), number, PAGE)
    m = masker_for(request.user)
    rows = [presenting.review(p, m) for p in page]
    can = request.user.can(Perm.REVIEW)  # type: ignore[union-attr]
    return render(request, "matching/review_queue.html", {"rows": rows, "page": page, "can": can})


@requires(Perm.VIEW)
def datasets(request: HttpRequest) -> HttpResponse:
    """The declared datasets with their columns and loads; an upload form for those who import."""
    context: dict[str, Any] = {"report": None}
    can = request.user.can(Perm.IMPORT)  # type: ignore[union-attr]
    if request.method == "POST" and can and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        as_of = datetime.date.fromisoformat(request.POST.get("as_of") or str(datetime.date.today()))
        table = loads.read(upload.read(), upload.name or "")
        context["report"] = services.load_dataset(
            actor=request.user,
            dataset=request.POST.get("dataset", ""),
            table=table,
            as_of=as_of,
            source=upload.name or "",
        )
    history: dict[str, list[Any]] = {d: [] for d in DATASETS}
    for load in queries.loads():
        history[load.dataset].append(load)
    context |= {
        "declared": [(d, history[d.slug][:5]) for d in DATASETS.values()],
        "can": can,
        "today": datetime.date.today(),
    }
    return render(request, "matching/datasets.html", context)


@require_POST
@requires(Perm.REVIEW)
def decide_review(request: HttpRequest, pk: int) -> HttpResponse:
    same = request.POST.get("decision") == "match"
    services.decide_review(actor=request.user, pk=pk, same_person=same)
    return redirect("matching:review_queue")
