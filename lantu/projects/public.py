"""The public project notices (no login): a county's projects on notice or approved, what each is,
where, how much from which source, who is responsible; the objection form while its 公示 runs;
the printable PDF.

No personal data: the beneficiary list shows the head's name and village only where the policy
allows it (``public_beneficiary_names`` in ``policies/projects.yaml``), else only how many
households; never ID numbers, phones or bank accounts (the one masker, as for a public user).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lantu.core.errors import LantuError
from lantu.procedures import clock, config, notices, pdf
from lantu.procedures.models import Notice
from lantu.projects import checks, codes
from lantu.projects.models import APPROVED_STAGES, Project
from lantu.regions.models import Region
from lantu.registry.codes import label
from lantu.registry.masking import Masker

PUBLIC = Masker(unmasked=False)


def names_allowed(year: int) -> bool:
    pol = checks.policy(config.default_policy())
    return bool(checks.parameter(pol, "public_beneficiary_names", year))


def describe(p: Project) -> dict[str, Any]:
    today = clock.today()
    case_notice = None
    if p.case_id:
        case_notice = (
            Notice.objects.filter(cases__pk=p.case_id, type="publicity").order_by("-start").first()
        )
    bens = p.beneficiaries.select_related("household__region").order_by("household__household_no")
    shown = (
        [
            PUBLIC.row({"head_name": b.household.head_name})
            | {"place": b.household.region.name, "mechanism": label(codes.MECHANISM, b.mechanism)}
            for b in bens[:1000]
        ]
        if names_allowed(p.year)
        else []
    )
    return {
        "p": p,
        "category": label(codes.CATEGORY, p.category),
        "areas": "、".join(a.region.name for a in p.areas.select_related("region")),
        "allocations": [
            (label(codes.SOURCE, a.source), a.year, a.amount)
            for a in p.allocations.order_by("year", "source")
        ],
        "notice": case_notice,
        "open": case_notice is not None and notices.is_open(case_notice, today),
        "beneficiaries": shown,
        "beneficiary_count": bens.count(),
    }


@require_GET
def county_projects(request: HttpRequest, code: str) -> HttpResponse:
    county = get_object_or_404(Region, code=code, level="county")
    qs = Project.objects.filter(region_path=county.path, stage__in=APPROVED_STAGES).order_by(
        "-year", "code"
    )[:200]
    return render(
        request,
        "projects/public_county.html",
        {"county": county, "items": [describe(p) for p in qs]},
    )


@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(Project, pk=pk, stage__in=APPROVED_STAGES)
    back = reverse("projects_public:county", args=[p.county.code])
    info = describe(p)
    try:
        if info["notice"] is None:
            raise LantuError("该项目不在公示期", "this project is not on notice")
        notices.lodge(
            notice=info["notice"],
            case_id=p.case_id or 0,
            text=request.POST.get("text", ""),
            name=request.POST.get("name", ""),
            contact=request.POST.get("contact", ""),
            address=request.META.get("REMOTE_ADDR", ""),
        )
    except LantuError as exc:
        return render(
            request,
            "procedures/public_result.html",
            {"error": exc, "back": back},
            status=exc.status,
        )
    return redirect(back + "?objected=1")


@require_GET
def project_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(Project, pk=pk, stage__in=APPROVED_STAGES)
    try:
        body = pdf.render_template("projects/public_print.html", describe(p))
    except LantuError as exc:
        return render(request, "error.html", {"error": exc}, status=exc.status)
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="project-{p.code}.pdf"'
    return resp
