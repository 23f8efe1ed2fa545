"""The assistance pages. Views only translate HTTP: reads through ``queries`` (scoped), writes
through ``services`` and the importers, lists to XLSX through ``exports`` — masked by role.

- ``overview``: a region's coverage (households to assist, with a cadre, with a plan) and 六清
  per child region, and the gaps by rule, from the batch run's pre-aggregated rows;
- ``gap_list``: the work queue (households failing an assistance rule);
- ``cadre_list``: cadres with their loads; ``team_list``: work teams, terms and history;
- ``mine``: a cadre's own page (phone-friendly): my households, due this week, record a visit;
- ``export``: any of those lists as XLSX; ``import_upload`` / ``import_template``;
- ``plan_edit``: one household's plan of a year and its measures, added or edited (cadres for their
  own households, village/township/county staff in their region), through ``services.save_plan``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from lantu.accounts.roles import Perm
from lantu.assistance import codes, exports, queries, services
from lantu.assistance.columns import NOTES, TABLES
from lantu.assistance.forms import AssistanceImportForm, MeasureFormSet, PlanForm, VisitForm
from lantu.assistance.gaps import GAP_RULES, LIUQING, policy_with_overlay
from lantu.assistance.models import Pairing, Plan
from lantu.core import paging
from lantu.core.errors import ImportRejected, LantuError, NotPermitted
from lantu.registry import queries as registry_queries
from lantu.registry.codes import label
from lantu.registry.masking import masker_for
from lantu.registry.views import _keep_error_workbook, requires


def _en() -> bool:
    return (get_language() or "").startswith("en")


def _rule_labels() -> dict[str, str]:
    rules = policy_with_overlay("yunnan").rules
    return {r: (rules[r].en if _en() else rules[r].zh) for r in (*GAP_RULES, *LIUQING)}


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or datetime.date.today().year)
    except ValueError:
        return datetime.date.today().year


def _page(request: HttpRequest) -> int:
    return paging.page_number(request.GET.get("page"))


def _context(request: HttpRequest) -> dict[str, Any]:
    region = queries.region_or_root(request.user, request.GET.get("region", ""))
    return {
        "region": region,
        "year": _year(request),
        "breadcrumb": registry_queries.breadcrumb(request.user, region),
        "children": list(registry_queries.region_children(request.user, region.code))
        if region
        else [],
        "labels": _rule_labels(),
        "liuqing": LIUQING,
        "query": request.GET.urlencode(),
        "can_export": request.user.can(Perm.EXPORT),  # type: ignore[union-attr]
    }


def _coverage_rows(here: Any, children: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for c in ([here] if here else []) + children:
        n = c.households or 0
        rows.append(
            {
                "region": c.region,
                "households": n,
                "with_cadre": c.with_cadre,
                "with_plan": c.with_plan,
                "items": [c.clear.get(r, 0) for r in LIUQING],
                "all_clear": c.all_clear,
                "share": f"{100 * c.all_clear / n:.1f}%" if n else "—",
            }
        )
    return rows


@require_GET
@requires(Perm.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    here, children = queries.coverage(request.user, ctx["region"], ctx["year"])
    ctx["rows"] = _coverage_rows(here, children)
    ctx["gap_counts"] = [
        dict(g, label=ctx["labels"].get(g["rule"], g["rule"]))
        for g in queries.gap_counts(request.user, ctx["region"], ctx["year"])
    ]
    return render(request, "assistance/overview.html", ctx)


def _gap_rows(request: HttpRequest, gaps: list[Any]) -> list[list[Any]]:
    labels = _rule_labels()
    return [
        [
            g.household.region.name,
            g.household.household_no,
            g.household.head_name,
            g.household.get_status_display(),
            labels.get(g.rule, g.rule),
        ]
        for g in gaps
    ]


@require_GET
@requires(Perm.VIEW)
def gap_list(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    rule = request.GET.get("rule", "")
    rows, more = queries.page(
        queries.gaps(request.user, ctx["region"], ctx["year"], rule), _page(request)
    )
    ctx |= {
        "gaps": rows,
        "rule": rule,
        "more": more,
        "number": _page(request),
        "rules": (*GAP_RULES, *LIUQING),
    }
    return render(request, "assistance/gaps.html", ctx)


def _cadre_row(c: Any, m: Any) -> list[Any]:
    return [
        c.cadre_no,
        c.name,
        m.value("id_number", c.id_number),
        c.unit.name if c.unit else "",
        c.post,
        label(codes.CADRE_LEVEL, c.level, "en" if _en() else "zh"),
        m.value("phone", c.phone),
        c.region.name,
        c.load,
    ]


@require_GET
@requires(Perm.VIEW)
def cadre_list(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    m = masker_for(request.user)
    rows, more = queries.page(queries.cadres(request.user, ctx["region"]), _page(request))
    ctx |= {"rows": [_cadre_row(c, m) for c in rows], "more": more, "number": _page(request)}
    return render(request, "assistance/cadres.html", ctx)


@require_GET
@requires(Perm.VIEW)
def team_list(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    rows, more = queries.page(queries.teams(request.user, ctx["region"]), _page(request))
    ctx |= {"teams": rows, "more": more, "number": _page(request)}
    return render(request, "assistance/teams.html", ctx)


@requires(Perm.ASSIST)
def mine(request: HttpRequest) -> HttpResponseBase:
    cadre = getattr(request.user, "cadre", None)
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        if cadre is None:
            raise NotPermitted("您不是登记的帮扶责任人", "you are not a registered cadre")
        if form.is_valid():
            d = form.cleaned_data
            hh = queries.household_for_visit(request.user, d["household"])
            try:
                services.record_visit(
                    actor=request.user,
                    household=hh,
                    cadre=cadre,
                    date=d["date"],
                    kind=d["kind"],
                    notes=d["notes"],
                    changes=d["changes"],
                )
            except LantuError as exc:
                form.add_error(None, f"{exc.zh} / {exc.en}")
            else:
                return redirect(reverse("assistance:mine") + "?saved=1")
    today = datetime.date.today()
    due = queries.my_households(request.user, today=today)
    week = today + datetime.timedelta(days=7)
    ctx = {
        "cadre": cadre,
        "due": due,
        "this_week": [d for d in due if d.due is None or d.due <= week],
        "form": form,
        "saved": request.GET.get("saved"),
        "today": today,
    }
    return render(request, "assistance/mine.html", ctx, status=400 if form.errors else 200)


@require_GET
@requires(Perm.EXPORT)
def export(request: HttpRequest, what: str) -> HttpResponseBase:
    ctx = _context(request)
    user, region, year = request.user, ctx["region"], ctx["year"]
    names = [ctx["labels"][r] for r in LIUQING]
    if what == "coverage":
        here, children = queries.coverage(user, region, year)
        rows = [
            [
                r["region"].code,
                r["region"].name,
                r["households"],
                r["with_cadre"],
                r["with_plan"],
                *r["items"],
                r["all_clear"],
            ]
            for r in _coverage_rows(here, children)
        ]
        data = exports.workbook(
            "六清",
            [
                "区划代码",
                "区划",
                "应帮扶户",
                "已落实责任人",
                "有本年度计划",
                *names,
                "六清全部清楚",
            ],
            rows,
        )
    elif what == "gaps":
        gaps = queries.gaps(user, region, year, request.GET.get("rule", ""))
        data = exports.workbook(
            "帮扶工作清单",
            ["村", "户编号", "户主", "状态", "问题"],
            _gap_rows(request, list(gaps[: exports.MAX_ROWS + 1])),
        )
    elif what == "cadres":
        m = masker_for(user)
        cs = queries.cadres(user, region)[: exports.MAX_ROWS + 1]
        data = exports.workbook(
            "帮扶责任人",
            [
                "干部编号",
                "姓名",
                "身份证号",
                "单位",
                "职务",
                "层级",
                "电话",
                "帮扶区域",
                "结对户数",
            ],
            (_cadre_row(c, m) for c in cs),
        )
    elif what == "teams":
        ts = queries.teams(user, region)[: exports.MAX_ROWS + 1]
        data = exports.workbook(
            "驻村工作队",
            [
                "村代码",
                "村",
                "任期开始",
                "任期结束",
                "干部编号",
                "姓名",
                "职务",
                "到岗",
                "离岗",
                "离岗原因",
            ],
            (
                [
                    t.village.code,
                    t.village.name,
                    t.term_start,
                    t.term_end,
                    tm.cadre.cadre_no,
                    tm.cadre.name,
                    tm.get_role_display(),
                    tm.start_date,
                    tm.end_date,
                    tm.get_end_reason_display(),
                ]
                for t in ts
                for tm in t.members.all()
            ),
        )
    else:
        raise LantuError("未知的导出内容", "unknown export")
    return exports.response(data, f"assistance-{what}-{year}.xlsx")


@requires(Perm.IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    from lantu.assistance.imports import import_file

    form = AssistanceImportForm(request.POST or None, request.FILES or None)
    ctx: dict[str, Any] = {"form": form, "tables": TABLES.values()}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_file(
                form.cleaned_data["kind"], upload.read(), upload.name, actor=request.user
            )
        except ImportRejected as exc:
            ctx["rejected"] = exc
            return render(request, "assistance/import.html", ctx, status=exc.status)
        ctx["report"] = report
        ctx["errors"] = sorted(report.errors, key=lambda e: (e.row, e.column))[:100]
        if not report.ok:
            status = 400
            ctx["token"] = _keep_error_workbook(request.user, report.error_workbook())
    elif request.method == "POST":
        status = 400
    return render(request, "assistance/import.html", ctx, status=status)


@require_GET
@requires(Perm.IMPORT)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    from lantu.registry.template import write_template

    t = TABLES.get(kind)
    if t is None:
        raise LantuError("未知的导入内容", "unknown import kind")
    data = write_template(columns=t.columns, sheet=t.sheet, example_row=t.example, notes=NOTES)
    return exports.response(data, f"assistance-{kind}-template.xlsx")


def _plan_initial(plan: Any, year: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if plan is None:
        return {"year": year}, []
    head = {
        "year": plan.year,
        "planned_exit_year": plan.planned_exit_year,
        "planned_risk_elimination": plan.planned_risk_elimination,
        "note": plan.note,
    }
    rows = [
        {
            "measure": m.measure,
            "cadre_no": m.cadre.cadre_no if m.cadre else "",
            "planned_amount": m.planned_amount,
            "actual_amount": m.actual_amount,
            "planned_date": m.planned_date,
            "actual_date": m.actual_date,
            "status": m.status,
        }
        for m in plan.measures.select_related("cadre").order_by("id")
    ]
    return head, rows


@requires(Perm.ASSIST)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """一户一策 of one household: the plan of ``?year=`` (this year by default) and its measures,
    a blank row per measure to add; saved whole or not at all, every problem shown at once."""
    household = queries.household_for_visit(request.user, pk)  # scoped: 404 outside
    year = _year(request)
    if request.method == "POST":
        form = PlanForm(request.POST)
        rows = MeasureFormSet(request.POST, prefix="m")
        if form.is_valid() and rows.is_valid():
            d = form.cleaned_data
            given = [r for r in rows.cleaned_data if r.get("measure")]
            try:
                services.save_plan(
                    actor=request.user,
                    household=household,
                    year=d["year"],
                    planned_exit_year=d["planned_exit_year"],
                    planned_risk_elimination=d["planned_risk_elimination"],
                    note=d["note"] or "",
                    measures=[
                        services.MeasureInput(
                            measure=r["measure"],
                            cadre_no=(r.get("cadre_no") or "").strip(),
                            planned_amount=r.get("planned_amount"),
                            actual_amount=r.get("actual_amount"),
                            planned_date=r.get("planned_date"),
                            actual_date=r.get("actual_date"),
                            status=r.get("status") or "planned",
                        )
                        for r in given
                    ],
                )
            except LantuError as exc:
                form.add_error(None, f"{exc.zh} / {exc.en}")
            else:
                url = reverse("assistance:plan", args=[household.pk])
                return redirect(f"{url}?year={d['year']}&saved=1")
    else:
        plan = Plan.objects.filter(household=household, year=year).first()
        head, initial = _plan_initial(plan, year)
        if not initial:  # a new plan: its first measure defaults to the household's cadre
            open_ = Pairing.objects.filter(household=household, end_date__isnull=True)
            current = open_.select_related("cadre").first()
            initial = [{"cadre_no": current.cadre.cadre_no}] if current else []
        form = PlanForm(initial=head)
        rows = MeasureFormSet(initial=initial, prefix="m")
    errors = bool(form.errors or rows.total_error_count())
    ctx = {
        "household": household,
        "form": form,
        "rows": rows,
        "year": year,
        "years": sorted(
            set(Plan.objects.filter(household=household).values_list("year", flat=True)) | {year}
        ),
        "saved": request.GET.get("saved"),
    }
    return render(request, "assistance/plan.html", ctx, status=400 if errors else 200)
