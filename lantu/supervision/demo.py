"""The demo's supervision: the reconciliation's discrepancies (the simulation plants mismatched
manuals, unpaid measures and double payments in its files), an unannounced inspection 45 days ago
whose findings went to the villages (one past its deadline and escalated by the 督办, one on
time, one about a project), and the townships' published 红白榜. Only ``lantu demo`` runs this."""

from __future__ import annotations

import datetime
from typing import Any

from lantu.procedures import clock, escalation
from lantu.procedures.demo_history import _on
from lantu.supervision import checks, rankings, reconcile, services
from lantu.supervision.models import Discrepancy, SubjectType

AGO_DAYS = 45


def make(*, county_user: Any, year: int) -> dict[str, Any]:
    run = reconcile.run(actor=county_user, year=year).run
    county = county_user.region
    today = clock.today()
    start = today - datetime.timedelta(days=AGO_DAYS)
    with_household = Discrepancy.objects.filter(
        region_path__startswith=county.path, household_id__isnull=False
    ).order_by("check_id", "id")
    picked = list(with_household[:2])
    with _on(start):
        insp = services.create_inspection(
            actor=county_user,
            kind="unannounced",
            title=f"{county.name}{year}年度暗访",
            team="县纪委监委、县乡村振兴局联合暗访组",
            region=county,
            start=start,
            scope="到户补助发放、帮扶手册与系统一致性 / payments, manuals against the system",
        )
        made = []
        for d, days in zip(picked, (10, AGO_DAYS + 20), strict=False):
            from lantu.registry.models import Household

            hh = Household.objects.select_related("region").get(pk=int(d.household_id or 0))
            made.append(
                services.add_finding(
                    actor=county_user,
                    inspection=insp,
                    subject_type=SubjectType.HOUSEHOLD,
                    household=hh,
                    problem=checks.catalogue().checks[d.check_id].zh,
                    owner="村委会",
                    deadline=start + datetime.timedelta(days=days),
                    discrepancy=d,
                )
            )
        from lantu.projects.models import Project

        project = Project.objects.filter(region_path__startswith=county.path).order_by("id").first()
        if project is not None:
            made.append(
                services.add_finding(
                    actor=county_user,
                    inspection=insp,
                    subject_type=SubjectType.PROJECT,
                    project=project,
                    problem="项目公示牌未按要求设置",
                    owner=project.implementer or "实施单位",
                    deadline=start + datetime.timedelta(days=AGO_DAYS + 30),
                    village=None,
                )
            )
    escalated = escalation.escalate()
    ranking = rankings.save(
        actor=county_user, region=county, level="township", period=str(today.year)
    )
    rankings.publish(actor=county_user, ranking=ranking)
    return {
        "discrepancies": run.found,
        "findings": len(made),
        "escalated": len(escalated.escalated),
        "ranking": ranking.pk,
    }
