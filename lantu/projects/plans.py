"""The three plans as views of the same data, never typed twice: the county project library
(县级项目库), the township roadmap (乡级路线图) and the village construction plan (村级施工图).

Each builder returns a ``Plan``: a title and tables of rows (already masked where a row names a
household); the page, the XLSX and the printable PDF are three renderings of that one object.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db.models import Max
from django.template.loader import render_to_string

from lantu.procedures import pdf
from lantu.projects import codes, queries
from lantu.projects.models import Beneficiary, Disbursement, Project
from lantu.regions.models import Region
from lantu.registry.codes import label
from lantu.registry.masking import Masker
from lantu.registry.models import Household


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Plan:
    title: str
    region: Region | None
    tables: list[Table]
    slug: str


def _areas(p: Project) -> str:
    return "、".join(a.region.name for a in p.areas.all())


def library(
    user: Any, county: Region | None, year: int | None, *, limit: int | None = None
) -> Plan:
    qs = queries.with_totals(queries.projects(user, region=county, year=year)).prefetch_related(
        "areas__region"
    )
    if limit:
        qs = qs[:limit]
    t = Table(
        "项目清单 projects",
        [
            "项目编号",
            "项目名称",
            "类别",
            "年度",
            "实施地点",
            "计划投资（元）",
            "已安排（元）",
            "已发放（元）",
            "阶段",
            "责任单位",
            "责任人",
        ],
    )
    for p in qs:
        t.rows.append(
            [
                p.code,
                p.name,
                label(codes.CATEGORY, p.category),
                p.year,
                _areas(p),
                p.planned_amount,
                p.allocated,  # type: ignore[attr-defined]
                p.disbursed,  # type: ignore[attr-defined]
                p.get_stage_display(),
                p.responsible_unit,
                p.responsible_person,
            ]
        )
    name = county.name if county is not None else ""
    title = f"{name}{year}年度县级脱贫攻坚项目库" if year else f"{name}县级项目库"
    return Plan(title, county, [t], "library")


def roadmap(user: Any, township: Region) -> Plan:
    """Which villages exit or consolidate in which year, with which projects."""
    villages = list(Region.objects.filter(parent=township).order_by("code"))
    open_poor = Household.objects.filter(status__in=("poor", "returned"))
    exits = {
        v.pk: open_poor.filter(region_path__startswith=v.path).aggregate(
            y=Max("planned_exit_year")
        )["y"]
        for v in villages
    }
    t = Table(
        "村庄退出与巩固路线 villages",
        ["村", "计划退出/巩固年度", "年度", "项目", "类别", "计划投资（元）"],
    )
    for v in villages:
        projects = list(queries.projects(user, region=v).order_by("year", "code"))
        plan_year = exits.get(v.pk) or "已退出，巩固提升"
        if not projects:
            t.rows.append([v.name, plan_year, "", "", "", ""])
        for p in projects:
            t.rows.append(
                [
                    v.name,
                    plan_year,
                    p.year,
                    p.name,
                    label(codes.CATEGORY, p.category),
                    p.planned_amount,
                ]
            )
    return Plan(f"{township.name}乡级脱贫攻坚路线图", township, [t], "roadmap")


def village_plan(user: Any, village: Region, year: int, masker: Masker) -> Plan:
    """This year's projects in the village, and each household's measures and payments."""
    projects = list(
        queries.projects(user, region=village, year=year).prefetch_related("areas__region")
    )
    t1 = Table(
        "本年度项目 projects", ["项目编号", "项目名称", "类别", "计划投资（元）", "阶段", "责任人"]
    )
    for p in projects:
        t1.rows.append(
            [
                p.code,
                p.name,
                label(codes.CATEGORY, p.category),
                p.planned_amount,
                p.get_stage_display(),
                p.responsible_person,
            ]
        )
    t2 = Table(
        "到户措施 household measures",
        [
            "户编号",
            "户主",
            "项目",
            "利益联结方式",
            "预计增收（元）",
            "本年已发放（元）",
            "银行账号",
        ],
    )
    bens = (
        Beneficiary.objects.filter(project__in=projects, region_path__startswith=village.path)
        .select_related("household", "project")
        .order_by("household__household_no")
    )
    paid: dict[tuple[int, int], Any] = {}
    for d in Disbursement.objects.filter(region_path__startswith=village.path, year=year):
        key = (d.project_id, d.household_id)
        paid[key] = paid.get(key, 0) + d.amount
    for b in bens:
        hh = b.household
        t2.rows.append(
            [
                hh.household_no,
                hh.head_name,
                b.project.name,
                label(codes.MECHANISM, b.mechanism),
                b.expected_amount,
                paid.get((b.project_id, hh.pk), 0),
                masker.value("bank_account", hh.bank_account),
            ]
        )
    return Plan(f"{village.name}{year}年度村级施工图", village, [t1, t2], "village")


def xlsx(plan: Plan) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = book.add_format(
        {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1}
    )
    title = book.add_format({"bold": True, "font_size": 14})
    for i, t in enumerate(plan.tables):
        sheet = book.add_worksheet(t.title.split(" ")[0][:31] or f"表{i + 1}")
        sheet.write(0, 0, plan.title, title)
        sheet.write_row(2, 0, t.headers, head)
        for r, row in enumerate(t.rows, start=3):
            sheet.write_row(
                r, 0, [v if isinstance(v, (int, str)) or v is None else str(v) for v in row]
            )
        sheet.set_column(0, len(t.headers), 16)
    book.close()
    return buf.getvalue()


def print_pdf(plan: Plan) -> bytes:
    font = pdf.require_cjk_font()
    from weasyprint import HTML

    html = render_to_string("projects/plan_print.html", {"plan": plan, "font": font})
    return bytes(HTML(string=html).write_pdf())
