"""The room's pages, under /supervision/ (staff) and /public/supervision/ (no login). Views only
translate HTTP: reads are scoped to the user's region, writes go through ``services``,
``reconcile``, ``rankings`` and the jobs room. No page shows personal data: discrepancies hold
none, findings name households by their number, and the public 红白榜 names units only."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from lantu.accounts.roles import Perm
from lantu.accounts.scope import get_scoped, scope_path, scoped
from lantu.core import paging
from lantu.core.errors import LantuError, OutOfScope, ValidationFailed
from lantu.core.i18n import english, pick
from lantu.procedures import clock, escalation
from lantu.procedures.models import Case
from lantu.regions.models import Region
from lantu.registry.views import requires
from lantu.supervision import chain, checks, rankings, reconcile, services
from lantu.supervision.models import (
    Discrepancy,
    DiscrepancyState,
    Finding,
    FindingState,
    Inspection,
    InspectionKind,
    RankingList,
    ReconciliationRun,
    SubjectType,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50


# A user bound to no region sees empty pages (there is no implicit 'all').
NOWHERE = Region(name="—", code="", path="/none/", level="province")


def _region(request: HttpRequest) -> Region:
    user: Any = request.user
    code = request.GET.get("region") or request.POST.get("region")
    if not code and not getattr(user, "region_id", None):
        return NOWHERE
    region = Region.objects.filter(code=code).first() if code else user.region
    path = scope_path(user)
    if region is None or path is None or not region.path.startswith(path):
        raise OutOfScope()
    return region


def _child_level(region: Region) -> str:
    order = ["province", "prefecture", "county", "township", "village"]
    i = order.index(region.level) if region.level in order else 4
    return order[min(i + 1, 4)]


def _covering(path: str) -> list[str]:
    """The region's path and every path above it ('' for a whole-database run)."""
    parts = [p for p in path.split("/") if p]
    return [""] + ["/" + "/".join(parts[:k]) + "/" for k in range(1, len(parts) + 1)]


def _names(paths: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(path__in=paths).values_list("path", "name"))


def _task(f: Finding, cases: dict[int, Case], today: datetime.date) -> dict[str, Any]:
    case = cases.get(f.case_id or 0)
    due = escalation.due(case) if case else None
    open_ = f.state in (FindingState.OPEN, FindingState.RECTIFYING)
    return {
        "f": f,
        "case": case,
        "due": due,
        "overdue": bool(open_ and due and due < today),
        "escalated": case.escalated_level if case else "",
    }


def _tasks(findings: list[Finding]) -> list[dict[str, Any]]:
    cases = Case.objects.in_bulk([f.case_id for f in findings if f.case_id])
    today = clock.today()
    return [_task(f, cases, today) for f in findings]  # type: ignore[arg-type]


@requires(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """Status at a glance: the latest reconciliation, discrepancies per check, rates per unit one
    level down, and every finding's state."""
    region = _region(request)
    cat = checks.catalogue()
    en = english()
    live = (DiscrepancyState.OPEN, DiscrepancyState.CONFIRMED)
    d = Discrepancy.objects.filter(region_path__startswith=region.path)
    per_check = {
        r["check_id"]: r
        for r in d.values("check_id").annotate(
            open=Count("id", filter=Q(state=DiscrepancyState.OPEN)),
            confirmed=Count("id", filter=Q(state=DiscrepancyState.CONFIRMED)),
            resolved=Count("id", filter=Q(state=DiscrepancyState.RESOLVED)),
        )
    }
    rows = [
        {"check": c, "label": c.label(en), "explain": c.explanation(en), **per_check.get(c.id, {})}
        for c in cat.checks.values()
    ]
    level = _child_level(region)
    rates = reconcile.rates(level, region.path, states=live)
    names = _names({r.path for r in rates})
    findings = list(
        scoped(Finding.objects.all(), request.user)
        .filter(region_path__startswith=region.path)
        .select_related("inspection", "household", "village")
        .order_by("deadline", "id")[:200]
    )
    tasks = _tasks(findings)
    counts = {s: 0 for s in FindingState.values}
    for t in tasks:
        counts[t["f"].state] += 1
    states = [(FindingState(s).label, n) for s, n in counts.items()]
    context = {
        "region": region,
        "rows": rows,
        "rates": [(names.get(r.path, r.path), r) for r in rates],
        "level": level,
        # the latest run that covered this region (run for it or for a region above it)
        "last_run": ReconciliationRun.objects.filter(region_path__in=_covering(region.path))
        .order_by("-at")
        .first(),
        "tasks": tasks,
        "states": states,
        "overdue": sum(1 for t in tasks if t["overdue"]),
        "can_supervise": request.user.can(Perm.SUPERVISE),  # type: ignore[union-attr]
        "this_year": reconcile.latest_year(),
    }
    return render(request, "supervision/index.html", context)


@requires(Perm.VIEW)
def discrepancies(request: HttpRequest) -> HttpResponseBase:
    region = _region(request)
    en = english()
    if request.GET.get("format") == "xlsx":
        if not request.user.can(Perm.EXPORT):  # type: ignore[union-attr]
            raise OutOfScope()
        from lantu.supervision.exports import discrepancies_xlsx

        resp = HttpResponse(discrepancies_xlsx(region.path, english=en), content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="discrepancies-{region.code}.xlsx"'
        return resp
    qs = scoped(Discrepancy.objects.all(), request.user).filter(region_path__startswith=region.path)
    check_id = request.GET.get("check", "")
    state = request.GET.get("state", "open")
    if check_id:
        qs = qs.filter(check_id=check_id)
    if state in DiscrepancyState.values:
        qs = qs.filter(state=state)
    number = paging.page_number(request.GET.get("page"))
    page = paging.page(qs.order_by("check_id", "id"), number, PAGE)
    cat = checks.catalogue()
    names = _names({d.region_path for d in page})
    items = [
        {"d": d, "check": cat.checks.get(d.check_id), "where": names.get(d.region_path, "")}
        for d in page
    ]
    return render(
        request,
        "supervision/discrepancies.html",
        {
            "region": region,
            "page": page,
            "items": items,
            "state": state,
            "check_id": check_id,
            "checks": [(c.id, c.label(en)) for c in cat.checks.values()],
            "en": en,
            "states": DiscrepancyState.choices,
            "can_supervise": request.user.can(Perm.SUPERVISE),  # type: ignore[union-attr]
        },
    )


@require_POST
@requires(Perm.SUPERVISE)
def discrepancy_act(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_scoped(Discrepancy.objects.all(), request.user, pk=pk)
    try:
        reconcile.set_state(
            actor=request.user,
            discrepancy=d,
            state=request.POST.get("state", ""),
            note=request.POST.get("note", ""),
        )
    except LantuError as exc:
        messages.error(request, pick(exc.zh, exc.en))
    return redirect(request.POST.get("next") or "supervision:discrepancies")


@require_POST
@requires(Perm.SUPERVISE)
def start_job(request: HttpRequest, kind: str) -> HttpResponse:
    """Reconciliation and 回头看 run in the background (the jobs room)."""
    from lantu.jobs import services as jobs

    if kind not in ("reconcile", "campaign"):
        raise ValidationFailed("未知任务", "unknown job")
    region = _region(request)
    run = jobs.start(
        actor=request.user,
        kind=f"supervision.{kind}",
        params={"year": request.POST.get("year", "")},
        region_path=region.path,
    )
    return redirect("jobs:run", pk=run.pk)


@requires(Perm.VIEW)
def inspections(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    if request.method == "POST":
        if not request.user.can(Perm.SUPERVISE):  # type: ignore[union-attr]
            raise OutOfScope()
        p = request.POST
        try:
            start = datetime.date.fromisoformat(p.get("start", ""))
            end = datetime.date.fromisoformat(p["end"]) if p.get("end") else None
        except ValueError:
            messages.error(request, pick("日期格式应为2025-01-31", "dates look like 2025-01-31"))
            return redirect("supervision:inspections")
        try:
            insp = services.create_inspection(
                actor=request.user,
                kind=p.get("kind", ""),
                title=p.get("title", ""),
                team=p.get("team", ""),
                region=region,
                start=start,
                end=end,
                scope=p.get("scope", ""),
            )
        except LantuError as exc:
            messages.error(request, pick(exc.zh, exc.en))
            return redirect("supervision:inspections")
        return redirect("supervision:inspection", pk=insp.pk)
    items = scoped(Inspection.objects.all(), request.user).annotate(n=Count("findings"))
    return render(
        request,
        "supervision/inspections.html",
        {
            "region": region,
            "items": items[:200],
            "kinds": InspectionKind.choices,
            "today": clock.today(),
            "can_supervise": request.user.can(Perm.SUPERVISE),  # type: ignore[union-attr]
        },
    )


def _subject_from(request: HttpRequest, insp: Inspection) -> dict[str, Any]:
    from lantu.assistance.models import Cadre, Unit
    from lantu.projects.models import Project
    from lantu.registry.models import Household

    p = request.POST
    kind = p.get("subject_type", "")
    ref = p.get("ref", "").strip()
    user: Any = request.user
    out: dict[str, Any] = {"subject_type": kind}
    if kind == SubjectType.HOUSEHOLD:
        out["household"] = get_scoped(
            Household.objects.select_related("region"), user, household_no=ref
        )
    elif kind == SubjectType.PROJECT:
        out["project"] = get_scoped(Project.objects.all(), user, code=ref)
    else:
        village = Region.objects.filter(code=p.get("village", "").strip()).first()
        if village is None or not village.path.startswith(insp.region_path):
            raise ValidationFailed(
                "请填写检查地区内的村代码", "give a village code inside the area"
            )
        out["village"] = village
        if kind == SubjectType.UNIT:
            out["unit"] = Unit.objects.filter(code=ref).first()
        elif kind == SubjectType.CADRE:
            out["cadre"] = Cadre.objects.filter(cadre_no=ref).first()
    return out


@requires(Perm.VIEW)
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    insp = get_scoped(Inspection.objects.select_related("region"), request.user, pk=pk)
    if request.method == "POST":
        if not request.user.can(Perm.SUPERVISE):  # type: ignore[union-attr]
            raise OutOfScope()
        p = request.POST
        try:
            deadline = datetime.date.fromisoformat(p.get("deadline", ""))
        except ValueError:
            deadline = None
        try:
            if deadline is None:
                raise ValidationFailed(
                    "请填写整改期限（2025-01-31）", "give the deadline (2025-01-31)"
                )
            services.add_finding(
                actor=request.user,
                inspection=insp,
                problem=p.get("problem", ""),
                owner=p.get("owner", ""),
                deadline=deadline,
                **_subject_from(request, insp),
            )
            messages.success(request, pick("已交办整改", "rectification assigned"))
        except LantuError as exc:
            messages.error(request, pick(exc.zh, exc.en))
        return redirect("supervision:inspection", pk=insp.pk)
    findings = list(
        insp.findings.select_related("household", "project", "village", "unit", "cadre")
    )
    return render(
        request,
        "supervision/inspection.html",
        {
            "insp": insp,
            "tasks": _tasks(findings),
            "subjects": SubjectType.choices,
            "can_supervise": request.user.can(Perm.SUPERVISE),  # type: ignore[union-attr]
            "report": insp.report,
            "default_deadline": clock.today() + datetime.timedelta(days=30),
        },
    )


@requires(Perm.VIEW)
def ranking_list(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    if request.method == "POST":
        if not request.user.can(Perm.SUPERVISE):  # type: ignore[union-attr]
            raise OutOfScope()
        try:
            if request.POST.get("publish"):
                r = get_scoped(
                    RankingList.objects.all(), request.user, pk=int(request.POST["publish"])
                )
                rankings.publish(actor=request.user, ranking=r)
            else:
                rankings.save(
                    actor=request.user,
                    region=region,
                    level=request.POST.get("level", "township"),
                    period=request.POST.get("period", "").strip(),
                )
        except (LantuError, ValueError) as exc:
            msg = pick(exc.zh, exc.en) if isinstance(exc, LantuError) else str(exc)
            messages.error(request, msg)
        return redirect("supervision:rankings")
    items = scoped(RankingList.objects.all(), request.user).prefetch_related("entries")[:50]
    cfg = rankings.config()
    en = english()
    return render(
        request,
        "supervision/rankings.html",
        {
            "region": region,
            "items": items,
            "en": en,
            "indicators": [(k, v["en"] if en else v["zh"]) for k, v in cfg["indicators"].items()],
            "can_supervise": request.user.can(Perm.SUPERVISE),  # type: ignore[union-attr]
        },
    )


@requires(Perm.VIEW)
def chain_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    from lantu.projects.models import Project
    from lantu.registry.models import Household

    if kind == "household":
        obj: Any = get_scoped(Household.objects.all(), request.user, pk=pk)
        links = chain.for_household(obj.pk)
        title = obj.household_no
    else:
        obj = get_scoped(Project.objects.all(), request.user, pk=pk)
        links = chain.for_project(obj.pk)
        title = obj.code
    en = english()
    stages = [
        (chain.STAGE_LABELS[s][1 if en else 0], items)
        for s, items in chain.by_stage(links).items()
        if items
    ]
    return render(
        request, "supervision/chain.html", {"title": title, "stages": stages, "kind": kind}
    )


# --- public ----------------------------------------------------------------------------------


def _published(code: str) -> tuple[Region, list[RankingList]]:
    region = get_object_or_404(Region, code=code)
    lists = RankingList.objects.filter(region=region, published_at__isnull=False)
    return region, list(lists.prefetch_related("entries").order_by("-period", "-published_at")[:20])


@require_GET
def public_rankings(request: HttpRequest, code: str) -> HttpResponse:
    region, lists = _published(code)
    return render(
        request, "supervision/public.html", {"region": region, "lists": lists, "en": english()}
    )


@require_GET
def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from lantu.procedures import pdf

    r = get_object_or_404(
        RankingList.objects.select_related("region"), pk=pk, published_at__isnull=False
    )
    try:
        body = pdf.render_template(
            "supervision/public_print.html", {"r": r, "region": r.region, "en": english()}
        )
    except LantuError as exc:
        return render(request, "error.html", {"error": exc}, status=exc.status)
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="ranking-{r.region.code}-{r.period}.pdf"'
    return resp


@requires(Perm.VIEW)
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    """One finding and its rectification case: the step, who acts, the evidence, the record."""
    from lantu.procedures import config
    from lantu.procedures.models import Decision, Evidence

    f = get_scoped(
        Finding.objects.select_related("inspection", "household", "project", "village"),
        request.user,
        pk=pk,
    )
    task = _tasks([f])[0]
    case = task["case"]
    step = config.kind(case.kind).step(case.step) if case else None
    en = english()
    return render(
        request,
        "supervision/finding.html",
        {
            "t": task,
            "f": f,
            "case": case,
            "step_label": (step.en if en else step.zh) if step else "",
            "evidence": Evidence.objects.filter(case=case).order_by("at") if case else [],
            "decisions": Decision.objects.filter(case=case).order_by("at", "id") if case else [],
            "active": bool(case and case.state in ("open", "held")),
        },
    )


@require_POST
@requires(Perm.VIEW)
def finding_act(request: HttpRequest, pk: int) -> HttpResponse:
    """An action on the finding's rectification case, or its evidence (the engine checks who may
    act at which step)."""
    from lantu.procedures import engine, evidence

    f = get_scoped(Finding.objects.all(), request.user, pk=pk)
    case = Case.objects.filter(pk=f.case_id or 0).first()
    if case is None:
        raise OutOfScope()
    try:
        if "evidence" in request.FILES:
            upload = request.FILES.getlist("evidence")[0]
            evidence.attach(actor=request.user, case=case, upload=upload)
        else:
            engine.act(
                actor=request.user,
                case_id=case.pk,
                version=int(request.POST.get("version", "0") or 0),
                action=request.POST.get("action", ""),
                comment=request.POST.get("comment", ""),
            )
        messages.success(request, pick("已办理", "done"))
    except LantuError as exc:
        messages.error(request, pick(exc.zh, exc.en))
    return redirect("supervision:finding", pk=f.pk)
