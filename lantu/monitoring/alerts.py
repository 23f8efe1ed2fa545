"""Department alerts (政府托举): clues the government raises itself.

- ``POST /api/monitoring/alerts``: a department pushes alerts with its push token (the data
  comparison's ``DepartmentToken``). The batch is checked whole: every row's problems come back
  at once and nothing is stored unless every row is right; each row becomes a ticket (or joins
  the person's open one).
- ``from_findings``: the data comparison's open monitoring findings (``lantu.matching``) become
  tickets for the household's head, with the event and needs of the finding's dataset
  (``catalogue.yaml``). Run by ``lantu monitoring alerts --year Y``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from lantu.api.matching import DepartmentKey
from lantu.api.schemas import ErrorOut
from lantu.core.errors import ValidationFailed
from lantu.matching.models import Finding
from lantu.monitoring import catalogue, intake
from lantu.monitoring.models import Channel
from lantu.regions.models import Region
from lantu.registry.ids import check_id
from lantu.registry.models import Member

router = Router()


class AlertIn(Schema):
    id_number: str
    name: str
    village: str = ""  # needed only for a person not in the registry
    event: str
    needs: list[str]
    event_date: datetime.date | None = None
    description: str = ""


class AlertsIn(Schema):
    alerts: list[AlertIn]


class AlertsOut(Schema):
    receipts: list[str]
    errors: list[dict[str, Any]]


def _row_errors(i: int, a: AlertIn) -> tuple[list[dict[str, Any]], Region | None]:
    errs: list[tuple[str, str, str]] = []
    checked = check_id(a.id_number)
    if not checked.ok:
        errs.append(("id_number", *(checked.error or ("", ""))))
    a.id_number = checked.number
    if a.event not in catalogue.events():
        errs.append(("event", f"未知的事件：{a.event}", f"unknown event {a.event}"))
    try:
        catalogue.check_needs(a.needs)
    except ValidationFailed as exc:
        errs.append(("needs", exc.zh, exc.en))
    place = Region.objects.filter(code=a.village).first() if a.village else None
    member = Member.objects.filter(id_number=a.id_number, active=True).select_related(
        "household__region"
    )
    if place is None:
        found = member.first()
        place = found.household.region if found else None
    if place is None:
        errs.append(
            (
                "village",
                "不在建档系统中的人须填写村代码",
                "give the village for a person not in the registry",
            )
        )
    return [{"row": i + 1, "field": f, "zh": z, "en": e} for f, z, e in errs], place


@router.post("", auth=DepartmentKey(), response={201: AlertsOut, 400: AlertsOut, 403: ErrorOut})
def push_alerts(request: HttpRequest, data: AlertsIn) -> Status[Any]:
    checked = [_row_errors(i, a) for i, a in enumerate(data.alerts)]
    errors = [e for errs, _ in checked for e in errs]
    if errors:
        return Status(400, {"receipts": [], "errors": errors})
    receipts = []
    with transaction.atomic():
        for a, (_, place) in zip(data.alerts, checked, strict=True):
            assert place is not None
            done = intake.open_ticket(
                channel=Channel.DEPARTMENT,
                name=a.name,
                id_number=a.id_number,
                phone="",
                place=place,
                event=a.event,
                needs=a.needs,
                event_date=a.event_date,
                description=a.description[:1000],
            )
            receipts.append(done.ticket.receipt)
    return Status(201, {"receipts": receipts, "errors": []})


def from_findings(*, year: int) -> int:
    """Open monitoring findings of ``year`` → tickets (one per household); returns how many."""
    found = Finding.objects.filter(year=year, kind="monitoring", status="open")
    n = 0
    for f in found.select_related("household").order_by("household_id", "id"):
        head = f.household.members.filter(active=True, relation="head").first()
        if head is None:
            continue
        event, needs = catalogue.finding_clue(f.dataset)
        done = intake.open_ticket(
            channel=Channel.COMPARISON,
            name=head.name,
            id_number=head.id_number,
            phone=head.phone,
            place=f.household.region,
            event=event,
            needs=needs,
            event_date=f.found_on,
            description=f"{f.rule_zh}（{f.dataset}）",
        )
        n += 0 if done.joined else 1
    return n
