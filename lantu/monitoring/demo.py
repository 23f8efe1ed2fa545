"""Monitoring tickets for the demo (``lantu demo``), beside the self-report a visitor makes:

- a self-report received 13 days ago, taken by the village the next day and left by the
  departments past its 10-day clock (``ticket_response_days``): raised to the county
  (县级督单) by the one escalation the cron runs, so the county's 督办 list is not empty;
- a neighbour's report (他人代举) received 3 days ago, taken, its medical-insurance task handled:
  on time, waiting in the civil-affairs bureau's queue.

Both are about registered members of the demo village, made through the room's own services
with the procedures' clock set back to the days the steps were taken. Nothing here runs outside
``lantu demo``.
"""

from __future__ import annotations

import datetime
from typing import Any

from lantu.monitoring import escalation, intake, services
from lantu.procedures import clock
from lantu.procedures.demo_history import DEMO_NOTE, _on
from lantu.registry.models import Member


def make(users: dict[str, Any]) -> dict[str, int]:
    """Two tickets in the village user's village (see above); ``users`` by username."""
    today = clock.today()
    village = users["village"].region
    people = list(
        Member.objects.filter(household__region_path__startswith=village.path)
        .order_by("-household_id", "id")
        .values_list("name", "id_number")[:40:20]
    )
    if len(people) < 2:
        return {}
    (name1, id1), (name2, id2) = people[:2]
    old = today - datetime.timedelta(days=13)
    with _on(old):
        left = intake.submit(
            intake.Report(name=name1, id_number=id1, phone="13800000001", village=village.code,
                          event="illness", needs=["medical_bills", "dibao"],
                          description=f"家中老人住院，医药费负担重（{DEMO_NOTE}）"),
            address="",
        ).ticket  # fmt: skip
    with _on(old + datetime.timedelta(days=1)):
        services.accept(actor=users["village"], ticket_id=left.pk)
    raised = escalation.escalate_tickets(today)
    recent = today - datetime.timedelta(days=3)
    with _on(recent):
        proxy = intake.submit(
            intake.Report(name=name2, id_number=id2, phone="", village=village.code,
                          event="job_loss", needs=["medical_bills", "dibao"], for_other=True,
                          reporter_name="王邻居", reporter_phone="13800000002", relation="邻居",
                          description=f"务工返乡，家里没有收入（{DEMO_NOTE}）"),
            address="",
        ).ticket  # fmt: skip
        services.accept(actor=users["village"], ticket_id=proxy.pk)
    medical = proxy.tasks.get(department="medical_insurance")
    with _on(today - datetime.timedelta(days=1)):
        services.handle(actor=users["dept_medical_insurance"], task_id=medical.pk,
                        result="已按规定报销住院费用")  # fmt: skip
    return {"tickets": 2, "escalated": len(raised)}
