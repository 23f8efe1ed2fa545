"""A project's lifecycle as a case of the one procedure engine (kind ``project``,
``lantu/procedures/kinds/project.yaml``): 申报 → 入库 → 批复 → 公示 → 实施 → 完工 → 验收 → 资产登记.

The engine moves the case; this module is the project room's side of it (``lantu.procedures.
subjects``): each step entered is mirrored as the project's stage (with its ledger event), the
approval step refuses a project whose 六定 are incomplete, acceptance (验收) needs evidence files
attached to the case at that step, and asset registration needs at least one registered asset. The
公示 is a notice of the engine, posted in the project's first village, and takes objections like
every other notice; its public page is ``lantu.projects.public``.
"""

from __future__ import annotations

from typing import Any

from lantu.core.errors import ValidationFailed
from lantu.procedures import clock, engine, subjects
from lantu.procedures.config import Step
from lantu.procedures.models import Case, Evidence
from lantu.projects import services
from lantu.projects.models import Asset, Project, Stage
from lantu.regions.models import Region

KIND = "project"
# The stage a project is in while its case waits on a step.
STAGE_AT = {
    "library": Stage.PROPOSED,
    "approval": Stage.LIBRARY,
    "publicity": Stage.APPROVED,
    "implementation": Stage.IMPLEMENTING,
    "acceptance": Stage.COMPLETED,
    "assets": Stage.ACCEPTED,
}
SIX_LABELS = {
    "funds_plan": ("定资金", "funds"),
    "plan": ("定计划", "plan"),
    "approval_doc": ("定审批（批复文号）", "approval (document number)"),
    "notice_plan": ("定公示", "public notice"),
    "responsible_unit": ("定责任（责任单位）", "responsibility (unit)"),
    "responsible_person": ("定责任（责任人）", "responsibility (person)"),
    "supervision": ("定监管考核内容", "supervision and assessment"),
}


def subject(project: Project) -> str:
    return f"{KIND}:{project.pk}"


def project_of(case: Case) -> Project:
    return Project.objects.get(pk=subjects.subject_id(case.subject))


def open(*, actor: Any, project: Project, village: Region) -> Case:
    case = engine.open_subject_case(
        actor=actor,
        kind=KIND,
        subject=subject(project),
        village=village,
        year=project.year,
        reason=f"项目申报 {project.code}",
    )
    Project.objects.filter(pk=project.pk).update(case_id=case.pk)
    return case


def _entered(case: Case, step: Step) -> None:
    project = project_of(case)
    stage = STAGE_AT[step.name]
    if project.stage != stage:
        services.set_stage(
            actor=None,
            project=project,
            stage=stage,
            date=clock.today(),
            reason=f"案件{case.pk}：{step.zh}",
        )


def _check(case: Case, step: Step) -> None:
    project = project_of(case)
    if step.name == "approval":
        missing = project.missing_six()
        if missing:
            zh = "、".join(SIX_LABELS[f][0] for f in missing)
            en = ", ".join(SIX_LABELS[f][1] for f in missing)
            raise ValidationFailed(
                f"六定未齐，不能批复：缺{zh}", f"the six fixes are incomplete: {en} missing"
            )
    elif step.name == "acceptance":
        if not Evidence.objects.filter(case=case, step="acceptance").exists():
            raise ValidationFailed(
                "请先上传验收材料（验收报告、照片等）",
                "attach the acceptance evidence (report, photos) first",
            )
    elif step.name == "assets" and not Asset.objects.filter(project=project).exists():
        raise ValidationFailed(
            "请先登记项目形成的资产", "register the assets the project created first"
        )


def _completed(case: Case, actor: Any) -> None:
    services.set_stage(
        actor=actor,
        project=project_of(case),
        stage=Stage.ASSETS,
        date=clock.today(),
        reason=f"案件{case.pk}办结",
    )


def _closed(case: Case) -> None:
    services.set_stage(
        actor=None, project=project_of(case), stage=Stage.REJECTED, reason=f"案件{case.pk}不予通过"
    )


def register() -> None:
    subjects.register(
        KIND, subjects.Hooks(entered=_entered, check=_check, completed=_completed, closed=_closed)
    )
