"""The exit pages: the counties in scope, a county's exit dossier (the assessment's draw, field
work, 三率一度 with intervals and verdicts, the villages and the exit cases), its downloads and
actions. Views only translate HTTP: reads go through ``queries``, writes through ``services``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from lantu.accounts.roles import Perm
from lantu.core.errors import ValidationFailed
from lantu.exits import cases as exit_cases
from lantu.exits import fieldwork, planner, printing, queries, sampling, services
from lantu.exits.estimation import INDICATORS
from lantu.procedures import ruler
from lantu.procedures.config import kind as procedure_kind
from lantu.registry.views import requires

LABELS = {
    "wrong_exit_rate": ("错退率", "wrong-exit rate"),
    "missed_rate": ("漏评率", "missed rate"),
    "incidence": ("综合贫困发生率", "comprehensive incidence"),
    "approval_rate": ("群众认可度", "public approval"),
}


def _int(v: Any, default: int = 0) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


@requires(Perm.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    return render(request, "exits/index.html", {"counties": queries.counties(request.user)[:200]})


def _dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    c = queries.county(request.user, code)
    latest = queries.assessments(c).first()
    year = _int(request.GET.get("year"), latest.year if latest else 2019)
    rows = []
    if latest is not None and latest.estimates:
        rows = [(LABELS[k], latest.estimates[k]) for k in INDICATORS]
    villages = [(v, ruler.region_verdict(procedure_kind("village_exit"), v.code, year))
                for v in queries.villages(request.user, c)[:500]]  # fmt: skip
    return {"county": c, "latest": latest, "rows": rows, "year": year, "villages": villages,
            "assessments": queries.assessments(c)[:10],
            "cases": queries.exit_cases(request.user, c)[:200],
            "open_items": [v for v, verdict in villages if not verdict.ok],
            "deep_county": sampling.deep_poverty()["counties"].get(c.code)}  # fmt: skip


@requires(Perm.VIEW)
def county(request: HttpRequest, code: str) -> HttpResponseBase:
    ctx = _dossier(request, code)
    ctx["plan"] = _plan(request)
    return render(request, "exits/county.html", ctx)


def _plan(request: HttpRequest) -> planner.Plan | None:
    if "margin" not in request.GET:
        return None
    try:
        return planner.plan(margin=float(request.GET["margin"]),
                            rate=float(request.GET.get("rate", 0.02)),
                            population=_int(request.GET.get("population"), 10000),
                            deff=float(request.GET.get("deff", 2)),
                            per_village=_int(request.GET.get("per_village"), 27))  # fmt: skip
    except ValueError as exc:
        raise ValidationFailed("测算参数有误", f"invalid planner input: {exc}") from exc


PDF_LANGUAGES = {"zh": "zh-hans", "en": "en"}


@requires(Perm.VIEW)
def dossier_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    """The dossier in the page's language (Chinese by default); ``?lang=zh|en`` picks one."""
    lang = PDF_LANGUAGES.get(request.GET.get("lang", ""), translation.get_language() or "zh-hans")
    with translation.override(lang):
        body = printing.pdf("exits/dossier_print.html", _dossier(request, code))
    return HttpResponse(body, content_type="application/pdf")


@requires(Perm.APPROVE)
@require_POST
def draw(request: HttpRequest, code: str) -> HttpResponseBase:
    c = queries.county(request.user, code)
    services.draw_assessment(actor=request.user, county=c, year=_int(request.POST.get("year")),
                             seed=_int(request.POST.get("seed"), 1))  # fmt: skip
    return redirect("exits:county", code)


@requires(Perm.EXPORT)
def download(request: HttpRequest, pk: int, what: str) -> HttpResponseBase:
    a = queries.assessment(request.user, pk)
    if what == "list.xlsx":
        body, ctype = (
            printing.list_xlsx(a),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif what == "form.xlsx":
        body, ctype = (
            fieldwork.xlsform(a),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif what == "list.pdf":
        ctx = {"a": a, "rows": printing.list_rows(a)}
        body, ctype = printing.pdf("exits/list_print.html", ctx), "application/pdf"
    else:
        raise ValidationFailed("没有该下载", "no such download")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="assessment-{a.pk}-{what}"'
    return resp


@requires(Perm.APPROVE)
@require_POST
def import_answers(request: HttpRequest, pk: int) -> HttpResponseBase:
    a = queries.assessment(request.user, pk)
    f = request.FILES.get("file")
    if f is None:
        raise ValidationFailed("请选择文件", "choose a file")
    report = fieldwork.import_answers(actor=request.user, assessment=a, data=f.read(),
                                      filename=f.name or "answers.csv")  # fmt: skip
    if not report.ok:
        resp = HttpResponse(report.error_workbook(), status=400, content_type="application/vnd."
                            "openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
        resp["Content-Disposition"] = 'attachment; filename="errors.xlsx"'
        return resp
    return redirect("exits:county", a.county.code)


@requires(Perm.EDIT)
@require_POST
def upload_rosters(request: HttpRequest, code: str) -> HttpResponseBase:
    """The county's 户籍户数 per village (CSV/XLSX), all or nothing; errors as the registry's
    error workbook."""
    c = queries.county(request.user, code)
    f = request.FILES.get("file")
    if f is None:
        raise ValidationFailed("请选择文件", "choose a file")
    year = _int(request.POST.get("year"))
    if not 2000 <= year <= 2100:
        raise ValidationFailed("请填写年度", "give the year")
    report = fieldwork.import_rosters(actor=request.user, county=c, year=year, data=f.read(),
                                      filename=f.name or "rosters.csv")  # fmt: skip
    if not report.ok:
        resp = HttpResponse(report.error_workbook(), status=400, content_type="application/vnd."
                            "openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
        resp["Content-Disposition"] = 'attachment; filename="errors.xlsx"'
        return resp
    return redirect("exits:county", c.code)


@requires(Perm.APPROVE)
@require_POST
def estimate(request: HttpRequest, pk: int) -> HttpResponseBase:
    a = queries.assessment(request.user, pk)
    services.estimate_assessment(actor=request.user, assessment_id=a.pk)
    return redirect("exits:county", a.county.code)


@requires(Perm.VIEW)
@require_POST
def open_exit(request: HttpRequest, code: str) -> HttpResponseBase:
    c = queries.county(request.user, code)
    year = _int(request.POST.get("year"))
    kind = request.POST.get("kind", "")
    if kind == "county_exit":
        regions = [c]
    else:
        wanted = set(request.POST.getlist("village"))
        regions = [v for v in queries.villages(request.user, c) if v.code in wanted]
    cases = exit_cases.open(actor=request.user, kind=kind, regions=regions, year=year,
                            reason=request.POST.get("reason", ""))  # fmt: skip
    if len(cases) == 1:
        return redirect("procedures:case", cases[0].pk)
    return redirect("exits:county", code)
