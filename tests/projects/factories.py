"""A project per county for the access matrix: each pays its county's household, to the
household's bank account, so the matrix sees whether a page leaks or fails to mask it."""

from __future__ import annotations

import datetime
from typing import Any

from lantu.projects import services
from lantu.projects.models import Project
from lantu.regions.models import Region

SIX = {
    "funds_plan": "整合资金",
    "plan": "建设内容",
    "approval_doc": "批复1号",
    "notice_plan": "村公示",
    "responsible_unit": "县农业局",
    "responsible_person": "王五",
    "supervision": "季度检查",
}


def make_projects(w: dict[str, Any]) -> dict[int, Project]:
    out = {}
    for hh in (w["inside"], w["outside"]):
        village: Region = hh.region
        county = next(a for a in village.ancestors() if a.level == "county")
        services.set_availability(
            actor=None, county=county, source="central", year=2021, amount="500"
        )
        p = services.create_project(
            actor=None,
            code=f"M-{county.code}",
            name=f"{county.name}项目",
            category="industry",
            county=county,
            year=2021,
            areas=[village],
            open_case=False,
            **SIX,
        )
        services.allocate(actor=None, project=p, source="central", year=2021, amount="500")
        services.add_beneficiary(actor=None, project=p, household=hh, mechanism="dividends")
        services.disburse(
            actor=None,
            project=p,
            household=hh,
            amount="100",
            voucher="V1",
            date=datetime.date(2021, 5, 1),
            bank_account=hh.bank_account,
        )
        out[hh.pk] = p
    return out
