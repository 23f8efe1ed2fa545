"""The registry's pages: the household list, the household file (户档), the XLSX export and the
import upload. Views only translate HTTP: reads go through ``queries``, every shown value through
``masking``, writes through ``imports``/``services``; domain errors become their HTTP status."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from lantu.accounts.roles import ROLE_LABELS, Perm, Role
from lantu.core import paging
from lantu.core.errors import ImportRejected, LantuError, NotPermitted, Throttled, ValidationFailed
from lantu.core.files import private_dir, write_private
from lantu.core.i18n import one_language
from lantu.registry import exports, queries, throttle
from lantu.registry.exports import XLSX
from lantu.registry.forms import HouseholdFilterForm, ImportForm, display, field_label
from lantu.registry.masking import Masker, masker_for
from lantu.registry.models import Household, HouseholdYear, Member

View = Callable[..., HttpResponseBase]
STANDARDS_SNIPPET = "standards/_household_results.html"
ASSISTANCE_SNIPPET = "assistance/_household_assistance.html"
FINDINGS_SNIPPET = "matching/_household_findings.html"
PROJECTS_SNIPPET = "projects/_household_io.html"  # 投入产出清 (lantu.projects)

LIST_FIELDS = (
    "household_no",
    "head_name",
    "household_type",
    "status",
    "registration_year",
    "size",
    "phone",
)
BASIC_FIELDS = (
    "household_no",
    "address",
    "phone",
    "bank_account",
    "household_type",
    "status",
    "monitoring_type",
    "registration_year",
    "exit_year",
    "planned_exit_year",
    "relocated",
    "size",
)
MEMBER_FIELDS = (
    "name",
    "sex",
    "id_number",
    "birth_date",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "disability_grade",
    "labour",
    "work",
    "work_months",
    "dibao",
    "tekun",
    "medical_insurance",
    "serious_illness_insurance",
    "pension_insurance",
    "phone",
    "left_reason",
)
INCOME_FIELDS = (
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "total_income",
    "production_cost",
    "net_income",
    "per_capita_net_income",
    "medical_out_of_pocket",
    "education_expense",
)
LIVING_FIELDS = (
    "housing_area",
    "housing_structure",
    "housing_built_year",
    "housing_grade",
    "relocation_keys",
    "water_source",
    "water_litres_per_day",
    "water_piped",
    "water_quality_ok",
    "water_trip_minutes",
    "water_outage_days",
    "electricity",
    "fuel",
    "market_distance_km",
    "road_hardened",
)
CAUSE_FIELDS = ("main_cause", "other_cause_1", "other_cause_2")
EXPORT_IN_REQUEST = 1000  # households; more are exported by a background job
# Ledger actions as a person reads them (an action not listed shows as recorded).
ACTIONS = {
    "household.create": _("建档"),
    "household.update": _("修改户信息"),
    "household.status": _("状态变更"),
    "household.import.create": _("导入建档"),
    "household.import.update": _("导入更新"),
    "member.add": _("新增成员"),
    "member.remove": _("成员减员"),
    "member.update": _("修改成员信息"),
    "year.record": _("录入年度信息"),
}


def requires(perm: Perm | None = None) -> Callable[[View], View]:
    """Login required; the role must hold ``perm``; domain errors answer with their status."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                if perm is not None and not request.user.can(perm):  # type: ignore[union-attr]
                    raise NotPermitted("您的角色无权进行此操作", "your role may not do this")
                return view(request, *args, **kwargs)
            except LantuError as exc:
                return render(request, "error.html", {"error": exc}, status=exc.status)

        return login_required(inner)

    return wrap


def _values(obj: Any, names: tuple[str, ...], m: Masker) -> list[dict[str, str]]:
    """(label, shown value) for each field, masked, in the page's language."""
    model = type(obj)
    return [
        {
            "name": n,
            "label": field_label(model, n),
            "value": display(n, m.value(n, getattr(obj, n))),
        }
        for n in names
    ]


def _list_rows(households: Any, m: Masker) -> SafeString:
    """The list's table rows as HTML, escaped by ``format_html`` as the template would: the list is
    the busiest page, and 50 rows x 8 cells through the template language cost more CPU than the
    rest of the request's rendering. One reverse for the page, not one per row."""
    link = reverse("registry:household_detail", args=[0])[:-2]
    first, *rest = LIST_FIELDS

    def cells(h: Household) -> SafeString:
        head = format_html(
            '<td class="f-{}"><a href="{}{}/">{}</a></td>',
            first, link, h.pk, display(first, m.value(first, getattr(h, first))),
        )  # fmt: skip
        tail = format_html_join(
            "",
            '<td class="f-{}">{}</td>',
            ((n, display(n, m.value(n, getattr(h, n)))) for n in rest),
        )
        return head + tail  # type: ignore[return-value]

    return format_html_join(
        "\n", "<tr><td>{}</td>{}</tr>", ((h.region.name, cells(h)) for h in households)
    )


def _region_context(request: HttpRequest, region_code: str) -> dict[str, Any]:
    """The region being looked at (the user's own node by default), its path and its children."""
    node = queries.region(request.user, region_code) if region_code else None
    here = node or queries.scope_root(request.user)
    return {
        "region": node,
        "breadcrumb": queries.breadcrumb(request.user, node),
        "children": queries.region_children(request.user, here.code) if here else [],
    }


@require_GET
@requires(Perm.VIEW)
def household_list(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET)
    f = form.to_filter()
    m = masker_for(request.user)
    search = queries.parse_search(f.q, personal=m.unmasked)
    number = paging.page_number(request.GET.get("page"))
    status = 200
    try:
        if f.q:
            throttle.check_search(request.user)
        pg = paging.page(queries.households(request.user, f), number)
    except Throttled as exc:
        search, status = queries.Search("refused", warning=(exc.zh, exc.en)), exc.status
        pg = paging.page(Household.objects.none(), 1)
    rows = _list_rows(pg.rows, m)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": pg,
        "rows": rows,
        "headers": [field_label(Household, n) for n in LIST_FIELDS],
        "search_warning": search.warning,
        "query": query.urlencode(),
        "can_export": request.user.can(Perm.EXPORT),  # type: ignore[union-attr]
        # A large export runs as a background job (lantu.jobs, kind registry.export) with a
        # download link when ready, instead of holding a request for half a minute.
        "export_as_job": pg.capped or (pg.count or 0) > EXPORT_IN_REQUEST,
        "job_fields": _job_fields(request),
        "can_import": request.user.can(Perm.IMPORT),  # type: ignore[union-attr]
        **_region_context(request, f.region),
    }
    return render(request, "registry/household_list.html", context, status=status)


def _job_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The list's filters as the export job's form fields (``registry.export-<name>``)."""
    names = HouseholdFilterForm.base_fields
    return [(f"registry.export-{k}", str(v)) for k, v in request.GET.items() if k in names and v]


def _role_label(role: str) -> str:
    labels = {r.value: label for r, label in ROLE_LABELS.items()}
    if role in ("", "system"):
        return str(_("系统"))
    return str(labels.get(role, role))


def _snippet(name: str) -> str | None:
    """Another room's household section (ruler results, data-comparison findings), if it ships."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def _enters_changes(user: Any) -> bool:
    roles = user.roles or []
    village = user.region_id is not None and user.region.level == "village"
    return (Role.VILLAGE_ENTRY.value in roles and village) or Role.ADMIN.value in roles


@require_GET
@requires(Perm.VIEW)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = queries.household_file(user, pk)
    m = masker_for(user)
    members = list(household.members.all())
    years = list(household.years.all())
    latest = years[0] if years else None
    context = {
        "household": household,
        "breadcrumb": queries.breadcrumb(user, household.region),
        "basic": _values(household, BASIC_FIELDS, m),
        "member_headers": [field_label(Member, n) for n in MEMBER_FIELDS],
        "members": [{"active": x.active, "cells": _values(x, MEMBER_FIELDS, m)} for x in members],
        "latest": latest,
        "living": _values(latest, LIVING_FIELDS, m) if latest else [],
        "causes": _values(latest, CAUSE_FIELDS, m) if latest else [],
        "income_headers": [field_label(HouseholdYear, n) for n in ("year", *INCOME_FIELDS)],
        "income_rows": [_values(y, ("year", *INCOME_FIELDS), m) for y in years],
        "history": [
            {
                "date": s.date,
                "year": s.year,
                "reason": one_language(s.reason),
                "from": display("status", s.from_status),
                "to": display("status", s.to_status),
            }
            for s in household.status_changes.all()
        ],
        "events": [
            {
                "at": e.at,
                "action": ACTIONS.get(e.action, e.action),
                "actor": _role_label("") if e.actor_name in ("", "system") else e.actor_name,
                "role": _role_label(e.role),
                "reason": e.reason,
            }
            for e in queries.events(user, household)
        ],
        "standards_snippet": _snippet(STANDARDS_SNIPPET),
        "findings_snippet": _snippet(FINDINGS_SNIPPET),
        "assistance_snippet": _snippet(ASSISTANCE_SNIPPET),
        "can_see_personal": m.unmasked,
        # Change requests are entered by the village (lantu/procedures/kinds/change_request.yaml).
        "can_request_change": _enters_changes(user),
        "projects_snippet": _snippet(PROJECTS_SNIPPET),
    }
    return render(request, "registry/household_detail.html", context)


@require_GET
@requires(Perm.EXPORT)
def household_export(request: HttpRequest) -> HttpResponseBase:
    f = HouseholdFilterForm(request.GET).to_filter()
    if f.region:
        queries.region(request.user, f.region)  # out of scope: a 404 before any streaming
    try:
        return exports.household_response(request.user, f)
    except ValidationFailed as exc:  # too large for a request: offer the background job
        fields = HouseholdFilterForm.base_fields
        params = {k: v for k, v in request.GET.items() if k in fields and v}
        context = {"error": exc, "kind": "registry.export", "params": params}
        return render(request, "jobs/offer.html", context, status=exc.status)


# -- import upload ------------------------------------------------------------------------------

ERRORS_SHOWN = 100
# A file larger than this (about 20,000 households of the flat layout) is imported by the worker.
IMPORT_INLINE_BYTES = 8 * 1024 * 1024
ERROR_WORKBOOK_DAYS = 7  # how long an uploader can download the error list of a rejected file
SUMMARY_LABELS = {
    "households_created": _("新建户"),
    "households_updated": _("更新户"),
    "households_unchanged": _("未变化的户"),
    "members_created": _("新增成员"),
    "members_updated": _("更新成员"),
    "years_written": _("写入年度信息"),
    "rows_checked": _("已校验行数"),
    "households_in_file": _("文件中的户数"),
}
PENDING_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


def _error_dir(user: Any) -> Path:
    return Path(settings.VAR_DIR) / "import-errors" / str(user.pk)


def _keep_error_workbook(user: Any, data: bytes) -> str:
    """Keep the full error workbook under var/, keyed by a random token, for this user only."""
    token = secrets.token_urlsafe(16)
    folder = private_dir(_error_dir(user))
    stale = time.time() - ERROR_WORKBOOK_DAYS * 86400
    for old in folder.glob("*.xlsx"):  # the user's earlier lists, once they are days old
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    write_private(folder / f"{token}.xlsx", data)
    return token


def _pending_dir(user: Any) -> Path:
    return Path(settings.VAR_DIR) / "import-pending" / str(user.pk)


def _keep_pending(user: Any, data: bytes, name: str) -> str:
    """A checked file waits here, for this user only, until they confirm it."""
    token = secrets.token_urlsafe(16)
    folder = _pending_dir(user)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in PENDING_SUFFIXES else ""
    (folder / f"{token}{suffix}").write_bytes(data)
    return token


def _take_pending(user: Any, token: str) -> tuple[bytes, str] | None:
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    for path in _pending_dir(user).glob(f"{token}*"):
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        return data, path.name
    return None


def _report_context(request: HttpRequest, report: Any) -> tuple[dict[str, Any], int]:
    context: dict[str, Any] = {"report": report}
    context["summary"] = [(SUMMARY_LABELS.get(k, k), v) for k, v in report.summary.items()]
    context["errors"] = sorted(report.errors, key=lambda e: (e.row, e.column))[:ERRORS_SHOWN]
    if report.ok:
        return context, 200
    context["token"] = _keep_error_workbook(request.user, report.error_workbook())
    return context, 400


@requires(Perm.IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload → every row checked, nothing written; a clean file is shown with what it holds and
    waits for the uploader's confirmation (``apply``), which imports it."""
    from lantu.registry.imports import import_file  # the importer, loaded when used

    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": ImportForm()}
    status = 200
    if request.method == "POST" and request.POST.get("apply"):
        pending = _take_pending(request.user, request.POST["apply"])
        if pending is None:
            context["rejected"] = ImportRejected(
                "待确认的文件已失效，请重新上传", "the checked file has expired: upload it again"
            )
            return render(request, "registry/import.html", context, status=400)
        data, name = pending
        try:
            report = import_file(data, name, actor=request.user)
        except ImportRejected as exc:
            context["rejected"] = exc
            return render(request, "registry/import.html", context, status=exc.status)
        extra, status = _report_context(request, report)
        return render(request, "registry/import.html", context | extra, status=status)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if form.cleaned_data.get("background") or upload.size > IMPORT_INLINE_BYTES:
            # A large file is checked and applied by a background job (the same all-or-nothing
            # contract; its errors come as the run's XLSX).
            from lantu.registry.jobs import start_import

            run = start_import(actor=request.user, data=upload.read(), name=upload.name)
            return redirect("jobs:run", pk=run.pk)
        data = upload.read()
        try:
            report = import_file(data, upload.name, actor=request.user, dry_run=True)
        except ImportRejected as exc:  # the whole file is refused: say why, on the same page
            context["rejected"] = exc
            return render(request, "registry/import.html", context, status=exc.status)
        extra, status = _report_context(request, report)
        context |= extra | {"preview": report.ok, "file_name": upload.name}
        if report.ok:
            context["pending"] = _keep_pending(request.user, data, upload.name)
    elif request.method == "POST":
        context["form"] = form
        status = 400
    return render(request, "registry/import.html", context, status=status)


@require_GET
@requires(Perm.IMPORT)
def import_errors(request: HttpRequest, token: str) -> HttpResponseBase:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise Http404
    path = _error_dir(request.user) / f"{token}.xlsx"
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename="import-errors.xlsx", content_type=XLSX
    )


@require_GET
@requires(Perm.IMPORT)
def import_template(request: HttpRequest) -> HttpResponse:
    """The import template (Chinese headers, drop-down lists, instructions), as ``lantu template``
    writes it."""
    from lantu.registry.template import write_template

    village = queries.regions(request.user).filter(level="village").first()
    response = HttpResponse(
        write_template(village_code=village.code if village else ""), content_type=XLSX
    )
    response["Content-Disposition"] = 'attachment; filename="registry-template.xlsx"'
    return response
