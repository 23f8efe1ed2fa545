"""The room's staff pages. Views only translate HTTP: reads through ``queries`` and ``plans``
(scoped, masked), writes through ``services``, ``files``, ``findings`` and the procedure engine."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.crypto import get_random_string
from django.views.decorators.http import require_POST

from lantu.accounts.roles import Perm
from lantu.accounts.scope import get_scoped, scope_path
from lantu.core import paging
from lantu.core.errors import Conflict, LantuError, NotPermitted, OutOfScope, ValidationFailed
from lantu.core.i18n import pick
from lantu.procedures import config, engine, evidence, notices
from lantu.procedures.models import Case
from lantu.projects import codes, files, findings, plans, queries, services
from lantu.projects.models import Project, Stage
from lantu.projects.money import to_yuan
from lantu.regions.models import Level, Region
from lantu.registry.masking import masker_for
from lantu.registry.models import Household
from lantu.registry.views import requires

PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _region(request: HttpRequest, code: str | None, level: str | None = None) -> Region:
    """A region in the user's scope (their own when no code is given)."""
    user: Any = request.user
    region = Region.objects.filter(code=code).first() if code else user.region
    path = scope_path(user)
    if region is None or path is None or not region.path.startswith(path):
        raise OutOfScope()
    if level and region.level != level:
        raise ValidationFailed(f"{region.name}不是{level}", f"{region.name} is not a {level}")
    return region


def _county_of(request: HttpRequest, code: str | None) -> Region:
    region = _region(request, code)
    if region.level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY):
        return region
    return next(a for a in region.ancestors() if a.level == Level.COUNTY)


def _render_plan(request: HttpRequest, plan: plans.Plan) -> HttpResponse:
    fmt = request.GET.get("format", "")
    code = plan.region.code if plan.region is not None else "all"
    if fmt == "xlsx":
        if not request.user.can(Perm.EXPORT):  # type: ignore[union-attr]
            raise NotPermitted("您的角色无权导出", "your role may not export")
        resp = HttpResponse(plans.xlsx(plan), content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="{plan.slug}-{code}.xlsx"'
        return resp
    if fmt == "pdf":
        resp = HttpResponse(plans.print_pdf(plan), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="{plan.slug}-{code}.pdf"'
        return resp
    return render(request, "projects/plan.html", {"plan": plan})


@requires(Perm.VIEW)
def library(request: HttpRequest) -> HttpResponseBase:
    """县级项目库: the projects of the user's county (or the region chosen), paginated."""
    g = request.GET
    user: Any = request.user
    # A user bound to no region sees an empty library (there is no implicit 'all').
    region = _region(request, g.get("region")) if g.get("region") or user.region_id else None
    year = _int(g.get("year"))
    if g.get("format"):
        return _render_plan(request, plans.library(user, region, year, limit=20000))
    qs = queries.with_totals(
        queries.projects(
            request.user,
            region=region,
            year=year,
            stage=g.get("stage", ""),
            category=g.get("category", ""),
        )
    )
    page = paging.page(qs, paging.page_number(g.get("page")), PAGE)
    keep = g.copy()
    keep.pop("page", None)
    context = {
        "page": page,
        "region": region,
        "filters": g,
        "keep": keep.urlencode(),
        "stages": Stage.choices,
        "categories": codes.CATEGORY,
    }
    return render(request, "projects/library.html", context)


def _case_of(project: Any) -> Case | None:
    return Case.objects.filter(pk=project.case_id).first() if project.case_id else None


NEW_TEXT = ("code", "name", "implementer", *services.SIX_FIELDS)
DATES = (("start_date", "开工日期", "start date"), ("end_date", "完工日期", "end date"))


def _new_project(request: HttpRequest, post: Any) -> tuple[Any, list[LantuError]]:
    """Parse the form, every error in one pass; then the service (all or nothing)."""
    errors: list[LantuError] = []
    fields = {f: post.get(f, "").strip() for f in NEW_TEXT}
    for f, zh, en in (("code", "项目编号", "project number"), ("name", "项目名称", "name")):
        if not fields[f]:
            errors.append(ValidationFailed(f"请填写{zh}", f"{en} is required"))
    year = _int(post.get("year", "").strip())
    if year is None or not 2000 <= year <= 2100:
        errors.append(ValidationFailed("计划年度须为四位年份", "the plan year must be a year"))
    try:
        amount = to_yuan(post.get("planned_amount", "").strip() or "0")
    except ValidationFailed as exc:
        errors.append(exc)
    dates: dict[str, Any] = {}
    for f, zh, en in (
        ("start_date", "开工日期", "start date"),
        ("end_date", "完工日期", "end date"),
    ):
        raw = post.get(f, "").strip()
        try:
            dates[f] = datetime.date.fromisoformat(raw) if raw else None
        except ValueError:
            zh_, en_ = f"{zh}“{raw}”不是日期（如2021-03-01）", f"{en} '{raw}' is not a date"
            errors.append(ValidationFailed(zh_, en_ + " (e.g. 2021-03-01)"))
    county = areas = None
    try:
        county = _region(request, post.get("county", "").strip(), Level.COUNTY)
    except OutOfScope:
        errors.append(ValidationFailed("县代码不在您的辖区内", "the county is not in your region"))
    except ValidationFailed as exc:
        errors.append(exc)
    codes_ = [c for c in re.split(r"[\s,，、;；]+", post.get("areas", "")) if c]
    found = {r.code: r for r in Region.objects.filter(code__in=codes_)}
    scope = scope_path(request.user) or "\0"
    bad = [c for c in codes_ if c not in found or not found[c].path.startswith(scope)]
    if bad or not codes_:
        errors.append(ValidationFailed(
            "请填写项目所在的乡镇或村代码（须在您的辖区内）"
            + (f"：{'、'.join(bad)}" if bad else ""),
            "give the codes of the townships or villages served (inside your region)"
            + (f": {', '.join(bad)}" if bad else ""),
        ))  # fmt: skip
    else:
        areas = [found[c] for c in codes_]
    if errors or county is None or areas is None or year is None:
        return None, errors
    try:
        project = services.create_project(
            actor=request.user, code=fields["code"], name=fields["name"],
            category=post.get("category", ""), county=county, year=year, areas=areas,
            planned_amount=amount, implementer=fields["implementer"],
            **{f: fields[f] for f in services.SIX_FIELDS}, **dates,
        )  # fmt: skip
    except (ValidationFailed, Conflict, OutOfScope) as exc:
        return None, [exc]
    return project, []


@requires(Perm.EDIT)
def project_new(request: HttpRequest) -> HttpResponseBase:
    """A new project proposed to the county library (its case opens at 入库审核)."""
    user: Any = request.user
    post: Any = request.POST if request.method == "POST" else {}
    errors: list[LantuError] = []
    if request.method == "POST":
        project, errors = _new_project(request, request.POST)
        if project is not None:
            messages.success(request, pick("项目已申报入库", "project proposed to the library"))
            return redirect("projects:project", pk=project.pk)
    county = user.region if user.region_id and user.region.level == Level.COUNTY else None
    context = {
        "post": post,
        "errors": [pick(e.zh, e.en) for e in errors],
        "categories": codes.CATEGORY,
        "county": post.get("county") if post else (county.code if county else ""),
        "six": [
            (f, getattr(Project._meta.get_field(f), "verbose_name", f)) for f in services.SIX_FIELDS
        ],
    }
    return render(request, "projects/new.html", context, status=400 if errors else 200)


@requires(Perm.VIEW)
def project_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    p = queries.project(request.user, pk)
    m = masker_for(request.user)
    case = _case_of(p)
    kind = config.kind("project")
    pay = paging.page(
        queries.payments(request.user, p), paging.page_number(request.GET.get("page")), PAGE
    )
    context = {
        "p": p,
        "case": case,
        "kind": kind,
        "step": kind.step(case.step) if case else None,
        "payments": [
            (d, m.value("bank_account", d.bank_account), m.value("id_number", d.payee_id_number))
            for d in pay
        ],
        "pay_page": pay,
        "beneficiaries": queries.beneficiaries(request.user, p)[:500],
        "assets": queries.assets(request.user, p),
        "allocations": p.allocations.order_by("year", "source"),
        "areas": p.areas.select_related("region"),
        "objections": case.objections.order_by("at") if case else [],
        "notice": notices.current(case) if case else None,
        "evidence": case.evidence.order_by("at") if case else [],
        "six": [
            (p._meta.get_field(f).verbose_name, getattr(p, f))  # type: ignore[union-attr]
            for f in (
                "funds_plan",
                "plan",
                "approval_doc",
                "notice_plan",
                "responsible_unit",
                "responsible_person",
                "supervision",
            )
        ],
    }
    return render(request, "projects/project.html", context)


@require_POST
@requires(Perm.VIEW)
def project_act(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An action on the project's lifecycle case, evidence, or an objection's resolution."""
    p = queries.project(request.user, pk)
    case = _case_of(p)
    if case is None:
        raise Http404
    post = request.POST
    if "evidence" in request.FILES:
        evidence.attach(actor=request.user, case=case, upload=request.FILES.getlist("evidence")[0])
    elif post.get("objection"):
        notices.resolve(
            actor=request.user,
            objection_id=int(post["objection"]),
            upheld=post.get("upheld") == "1",
            reason=post.get("reason", ""),
        )
    else:
        engine.act(
            actor=request.user,
            case_id=case.pk,
            version=int(post.get("version", "0")),
            action=post.get("action", ""),
            comment=post.get("comment", ""),
        )
    messages.success(request, "已办理 / done")
    return redirect("projects:project", pk=p.pk)


@requires(Perm.VIEW)
def roadmap(request: HttpRequest, code: str) -> HttpResponseBase:
    return _render_plan(
        request, plans.roadmap(request.user, _region(request, code, Level.TOWNSHIP))
    )


@requires(Perm.VIEW)
def village(request: HttpRequest, code: str) -> HttpResponseBase:
    """村级施工图 and the village's 投入产出清."""
    v = _region(request, code, Level.VILLAGE)
    year = _int(request.GET.get("year")) or datetime.date.today().year
    plan = plans.village_plan(request.user, v, year, masker_for(request.user))
    if request.GET.get("format"):
        return _render_plan(request, plan)
    context = {"plan": plan, "village": v, "year": year, "io": queries.village_io(request.user, v)}
    return render(request, "projects/village.html", context)


@requires(Perm.VIEW)
def household_io(request: HttpRequest, pk: int) -> HttpResponseBase:
    hh = get_scoped(Household.objects.select_related("region"), request.user, pk=pk)
    return render(
        request,
        "projects/household_io.html",
        {"household": hh, "io": queries.household_io(request.user, hh)},
    )


@requires(Perm.VIEW)
def funds(request: HttpRequest) -> HttpResponseBase:
    rows = queries.funds(request.user, _int(request.GET.get("year")))
    return render(request, "projects/funds.html", {"rows": rows, "sources": codes.SOURCE})


@requires(Perm.VIEW)
def work_queue(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        return _queue_post(request)
    g = request.GET
    qs = queries.findings(request.user, state=g.get("state", "open"), rule=g.get("rule", ""))
    page = paging.page(qs, paging.page_number(g.get("page")), PAGE)
    can_edit = request.user.can(Perm.EDIT)  # type: ignore[union-attr]
    keep = g.copy()
    keep.pop("page", None)
    context = {
        "page": page,
        "filters": g,
        "keep": keep.urlencode(),
        "labels": findings.checks.LABELS,
        "can_edit": can_edit,
    }
    return render(request, "projects/work_queue.html", context)


def _queue_post(request: HttpRequest) -> HttpResponseBase:
    post = request.POST
    if post.get("run"):
        year = _int(post.get("year")) or datetime.date.today().year
        out = findings.run(actor=request.user, region=_region(request, None), year=year)
        messages.success(
            request,
            f"发现 {out['found']}，新增 {out['new']} / found {out['found']}, new {out['new']}",
        )
    else:
        f = (
            queries.findings(request.user, state="")
            .filter(pk=_int(post.get("finding")) or 0)
            .first()
        )
        if f is None:
            raise OutOfScope()
        findings.decide(
            actor=request.user,
            finding=f,
            confirm=post.get("confirm") == "1",
            note=post.get("note", ""),
        )
    return redirect("projects:work_queue")


@requires(Perm.IMPORT)
def import_upload(request: HttpRequest) -> HttpResponseBase:
    context: dict[str, Any] = {"tables": [files.TABLES[s] for s in files.ORDER]}
    if request.method == "POST" and "file" in request.FILES:
        up = request.FILES.getlist("file")[0]
        slug = request.POST.get("table", "")
        if slug not in files.TABLES:
            raise ValidationFailed("请选择导入的表", "choose what the file holds")
        report = files.import_file(
            slug,
            up.read(),
            up.name or "upload.xlsx",
            actor=request.user,
            dry_run=request.POST.get("dry_run") == "1",
        )
        context["report"] = report
        context["table"] = files.TABLES[slug]
        if not report.ok:
            token = get_random_string(24)
            cache.set(f"projects-import-{token}", report.error_workbook(), 3600)
            context["token"] = token
    return render(request, "projects/import.html", context)


@requires(Perm.IMPORT)
def import_template(request: HttpRequest, slug: str) -> HttpResponseBase:
    if slug not in files.TABLES:
        raise Http404
    resp = HttpResponse(files.template(slug), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="template-{slug}.xlsx"'
    return resp


@requires(Perm.IMPORT)
def import_errors(request: HttpRequest, token: str) -> HttpResponseBase:
    data = cache.get(f"projects-import-{token}")
    if data is None:
        raise Http404
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="errors.xlsx"'
    return resp
