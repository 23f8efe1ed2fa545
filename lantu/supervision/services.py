"""Writing supervision records: inspections, their findings and each finding's rectification case.
Each write checks the actor (``Perm.SUPERVISE`` inside their region), is one transaction, and
records its ledger event. Bad input raises a ``ValidationFailed`` in Chinese and English and
writes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.procedures import clock
from lantu.regions.models import Level, Region
from lantu.supervision import rectification
from lantu.supervision.models import (
    Discrepancy,
    DiscrepancyState,
    Finding,
    Inspection,
    InspectionKind,
    SubjectType,
)


def authorise(actor: Any, region_path: str) -> None:
    """System (None) always; otherwise SUPERVISE, inside the actor's region."""
    if actor is None:
        return
    if not actor.can(Perm.SUPERVISE):
        raise NotPermitted("您的角色无权督查", "your role may not record inspections")
    scope = actor.region.path if actor.region_id else None
    if scope is None or not region_path.startswith(scope):
        raise OutOfScope()


@transaction.atomic
def create_inspection(
    *,
    actor: Any,
    kind: str,
    title: str,
    team: str,
    region: Region,
    start: datetime.date,
    end: datetime.date | None = None,
    scope: str = "",
) -> Inspection:
    authorise(actor, region.path)
    if kind not in InspectionKind.values:
        raise ValidationFailed(f"未知的督查类型{kind}", f"unknown inspection kind {kind}")
    if not title.strip() or not team.strip():
        raise ValidationFailed("请填写名称和检查组", "give the inspection's title and team")
    if end is not None and end < start:
        raise ValidationFailed("结束日期早于开始日期", "the end date is before the start date")
    insp = Inspection.objects.create(
        kind=kind,
        title=title.strip()[:200],
        team=team.strip()[:200],
        region=region,
        region_path=region.path,
        scope=scope[:500],
        start=start,
        end=end,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        Change(
            "supervision.inspection",
            "supervision.inspection",
            str(insp.pk),
            region.path,
            None,
            {
                "kind": kind,
                "title": insp.title,
                "team": insp.team,
                "start": str(start),
                "region": region.code,
            },
        ),
        actor=actor,
    )
    return insp


def _village(region: Region) -> Region:
    """The village a finding's rectification case is posted in (a group's parent)."""
    if region.level == Level.GROUP and region.parent is not None:
        return region.parent
    return region


def _subject(
    subject_type: str,
    *,
    household: Any = None,
    project: Any = None,
    unit: Any = None,
    cadre: Any = None,
    village: Region | None = None,
) -> tuple[Region, dict[str, Any]]:
    """Where the finding lies (its village) and the link fields, per subject type."""
    if subject_type == SubjectType.HOUSEHOLD and household is not None:
        return _village(household.region), {"household": household}
    if subject_type == SubjectType.PROJECT and project is not None:
        area = project.areas.select_related("region").first()
        place = _village(area.region) if area is not None else village
        if place is None:
            raise ValidationFailed(
                "项目没有实施地点，请指定村", "the project has no area: give a village"
            )
        return place, {"project": project}
    if subject_type in (SubjectType.UNIT, SubjectType.CADRE, SubjectType.VILLAGE) and village:
        links = {"unit": unit} if subject_type == SubjectType.UNIT else {}
        if subject_type == SubjectType.CADRE:
            links = {"cadre": cadre}
        if subject_type != SubjectType.VILLAGE and not any(links.values()):
            raise ValidationFailed("请指定单位或干部", "name the unit or cadre")
        return _village(village), links
    raise ValidationFailed("请指定发现问题的对象", "say what the finding is about")


@transaction.atomic
def add_finding(
    *,
    actor: Any,
    inspection: Inspection,
    subject_type: str,
    problem: str,
    owner: str,
    deadline: datetime.date,
    household: Any = None,
    project: Any = None,
    unit: Any = None,
    cadre: Any = None,
    village: Region | None = None,
    discrepancy: Discrepancy | None = None,
) -> Finding:
    """A finding and its rectification case (opened at once, due on the deadline)."""
    place, links = _subject(
        subject_type, household=household, project=project, unit=unit, cadre=cadre, village=village
    )
    authorise(actor, inspection.region_path)
    if not place.path.startswith(inspection.region_path):
        raise ValidationFailed(
            "对象不在本次督查的地区内", "the subject is outside the inspection's area"
        )
    if not problem.strip() or not owner.strip():
        raise ValidationFailed(
            "请填写问题和整改责任单位", "give the problem and who must rectify it"
        )
    if deadline < clock.today():
        raise ValidationFailed("整改期限不能早于今天", "the deadline cannot be in the past")
    finding = Finding.objects.create(
        inspection=inspection,
        subject_type=subject_type,
        village=place,
        region_path=place.path,
        problem=problem.strip()[:500],
        owner=owner.strip()[:120],
        deadline=deadline,
        discrepancy=discrepancy,
        **links,
    )
    record(
        Change(
            "supervision.finding",
            "supervision.finding",
            str(finding.pk),
            place.path,
            None,
            {
                "inspection": inspection.pk,
                "subject": subject_type,
                "owner": finding.owner,
                "deadline": str(deadline),
                "problem": finding.problem,
                "discrepancy": discrepancy.pk if discrepancy else None,
            },
        ),
        actor=actor,
    )
    rectification.open(finding, reason=f"督查发现 / finding {finding.pk}: {finding.problem[:80]}")
    if discrepancy is not None and discrepancy.state == DiscrepancyState.OPEN:
        Discrepancy.objects.filter(pk=discrepancy.pk).update(state=DiscrepancyState.CONFIRMED)
    return finding


def findings_from_discrepancies(
    *,
    actor: Any,
    inspection: Inspection,
    discrepancies: Iterable[Discrepancy],
    deadline: datetime.date,
    owner: str = "",
) -> list[Finding]:
    """One finding (and rectification case) per household discrepancy, all or none: a 回头看's
    bulk opening. Discrepancies with no household (a project's, a lost row's) are left to a
    person."""
    from lantu.registry.models import Household
    from lantu.supervision import checks

    cat = checks.catalogue()
    made: list[Finding] = []
    with transaction.atomic():
        rows = [d for d in discrepancies if d.household_id]
        households = Household.objects.select_related("region").in_bulk(
            [d.household_id for d in rows]
        )
        for d in rows:
            hh = households.get(d.household_id)  # type: ignore[call-overload]
            if hh is None:
                continue
            check = cat.checks.get(d.check_id)
            label = f"{check.zh} / {check.en}" if check else d.check_id
            made.append(
                add_finding(
                    actor=actor,
                    inspection=inspection,
                    subject_type=SubjectType.HOUSEHOLD,
                    household=hh,
                    problem=label,
                    owner=owner or _owner_of(hh.region),
                    deadline=deadline,
                    discrepancy=d,
                )
            )
    return made


def _owner_of(region: Region) -> str:
    village = _village(region)
    return f"{village.name}村委会" if not village.name.endswith("村") else f"{village.name}委会"
