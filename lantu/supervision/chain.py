"""The accountability chain (责任链): for a household or a project, who entered, reviewed,
approved and paid, and when, read from the ledger alone (the tables could have been edited; the
ledger's chain is verified). Each event is placed at the stage its role or action belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from lantu.ledger.models import Event

STAGES = ("entered", "reviewed", "approved", "paid", "other")
STAGE_LABELS = {
    "entered": ("录入", "entered"),
    "reviewed": ("审核", "reviewed"),
    "approved": ("审批", "approved"),
    "paid": ("发放", "paid"),
    "other": ("其他", "other"),
}
BY_ROLE = {
    "village_entry": "entered",
    "township_review": "reviewed",
    "county_approval": "approved",
    "province_approval": "approved",
    "prefecture_review": "reviewed",
}


@dataclass
class Link:
    stage: str
    at: Any
    actor: str
    role: str
    action: str
    object: str
    reason: str
    event_id: int


def _stage(ev: Event) -> str:
    if ev.action.startswith("fund.disburse") or ev.action == "fund.pay":
        return "paid"
    if ev.action.startswith(
        (
            "household.",
            "member.",
            "year.",
            "project.create",
            "project.beneficiary",
            "procedure.open",
        )
    ):
        return BY_ROLE.get(ev.role, "entered") if ev.action == "procedure.open" else "entered"
    if ev.action.startswith("procedure.") or ev.action.startswith("fund."):
        return BY_ROLE.get(ev.role, "approved" if ev.action == "fund.allocate" else "other")
    return BY_ROLE.get(ev.role, "other")


def _links(q: Q) -> list[Link]:
    events = Event.objects.filter(q).order_by("id")[:2000]
    return [
        Link(
            _stage(e),
            e.at,
            e.actor_name or "system",
            e.role,
            e.action,
            f"{e.object_type}:{e.object_id}",
            e.reason[:200],
            e.pk,
        )
        for e in events
    ]


def for_household(household_id: int) -> list[Link]:
    from lantu.procedures.models import Case
    from lantu.projects.models import Disbursement
    from lantu.registry.models import Member

    members = [
        str(m)
        for m in Member.objects.filter(household_id=household_id).values_list("id", flat=True)
    ]
    cases = [
        str(c) for c in Case.objects.filter(household_id=household_id).values_list("id", flat=True)
    ]
    projects = {
        str(p)
        for p in Disbursement.objects.filter(household_id=household_id).values_list(
            "project_id", flat=True
        )
    }
    q = Q(object_type="household", object_id=str(household_id))
    q |= Q(object_type="member", object_id__in=members)
    q |= Q(object_type="procedures.case", object_id__in=cases)
    q |= Q(object_type="projects.project", object_id__in=projects, action="fund.disburse_batch")
    return _links(q)


def for_project(project_id: int) -> list[Link]:
    from lantu.projects.models import Allocation, Project

    p = Project.objects.filter(pk=project_id).values_list("case_id", flat=True).first()
    allocs = [
        str(a)
        for a in Allocation.objects.filter(project_id=project_id).values_list("id", flat=True)
    ]
    q = Q(object_type="projects.project", object_id=str(project_id))
    q |= Q(object_type="projects.allocation", object_id__in=allocs)
    if p:
        q |= Q(object_type="procedures.case", object_id=str(p))
    return _links(q)


def by_stage(links: list[Link]) -> dict[str, list[Link]]:
    out: dict[str, list[Link]] = {s: [] for s in STAGES}
    for link in links:
        out[link.stage].append(link)
    return out
