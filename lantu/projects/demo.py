"""The demo county's projects (``lantu demo``): the simulation's projects, funds and payments
loaded through the importers, the checks run for every year so the planted faults wait in the work
queue, and two projects of the latest year in their lifecycle — one proposed to the library, one
approved and on its public notice — so the procedure and the public page have something to show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lantu.procedures import engine
from lantu.procedures.models import Case
from lantu.projects import findings, services, simload
from lantu.projects.models import Project
from lantu.regions.models import Level, Region

SIX: dict[str, Any] = {
    "funds_plan": "统筹整合财政涉农资金",
    "plan": "新建蔬菜大棚20个，当年投产",
    "approval_doc": "县扶贫开发领导小组批复",
    "notice_plan": "项目村公示10天",
    "responsible_unit": "县农业农村局",
    "responsible_person": "项目负责人",
    "supervision": "县扶贫办季度检查，年度绩效评价",
}


def prepare(folder: Path, *, latest: int) -> dict[str, int]:
    if not (Path(folder) / "observed" / "projects").is_dir():
        return {}
    out = simload.load_projects(Path(folder))
    years = sorted(set(Project.objects.values_list("year", flat=True)))
    for county in Region.objects.filter(
        level=Level.COUNTY, path__in=Project.objects.values("region_path")
    ):
        for year in years:
            findings.run(actor=None, region=county, year=year)
        _lifecycle(county, latest)
    return out


def _lifecycle(county: Region, year: int) -> None:
    village = (
        Region.objects.filter(level=Level.VILLAGE, path__startswith=county.path)
        .order_by("code")
        .first()
    )
    if village is None:
        return
    services.create_project(
        actor=None,
        code=f"XM-{year}-{county.code[:6]}-1",
        name="村内产业路硬化",
        category="road",
        county=county,
        year=year,
        areas=[village],
        planned_amount="800000",
        **SIX,
    )
    p = services.create_project(
        actor=None,
        code=f"XM-{year}-{county.code[:6]}-2",
        name="蔬菜大棚产业项目",
        category="industry",
        county=county,
        year=year,
        areas=[village],
        planned_amount="600000",
        **SIX,
    )
    for _ in range(2):  # 入库, then 批复: on its public notice
        case = Case.objects.get(pk=Project.objects.get(pk=p.pk).case_id or 0)
        engine.act(
            actor=None, case_id=case.pk, version=case.version, action="approve", comment="演示 demo"
        )
