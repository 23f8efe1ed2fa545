"""The loop: 群众点单 → 干部收单 → 部门办单 → 县级督单 → 群众签单. Every write is a keyword-only
function taking the acting user; each writes its ledger event and the reporter's progress line in
the same transaction (``lantu.monitoring.progress``), and locks the ticket row.

- ``accept``: the village takes the ticket (收单; the first response, for the SLA);
- ``handle``: a department records what it did on its task (办单), or that the need is not its
  own; when no task is left open the ticket waits for the reporter's sign-off;
- ``identify``: opens the monitoring procedure (监测对象纳入) for the person's household, dated
  from the ticket's first clue, so the procedure's 15-day case clock runs from the clue; a person
  not yet in the registry is first registered as ``not_registered`` (the procedures' contract);
- ``plan_assistance``: development measures or the safety net, by the household's labour capacity
  (``catalogue.yaml``);
- ``supervise``: the county's 督办 instruction on an escalated ticket;
- ``close``: closes with a reason the reporter sees (township or county);
- ``sign_off``: the reporter, with receipt and phone, confirms (satisfied) or not, with a reason:
  not satisfied sends it back to the departments under the county's supervision.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from lantu.accounts.roles import Perm, Role
from lantu.core.errors import Conflict, NotPermitted, OutOfScope, ValidationFailed
from lantu.monitoring import catalogue, policy, progress
from lantu.monitoring.models import OPEN_STATES, Task, TaskState, Ticket, TicketState
from lantu.procedures import clock
from lantu.procedures.engine import open_cases
from lantu.regions.models import Level
from lantu.registry import services as registry
from lantu.registry.models import Household


def _scope_ok(actor: Any, path: str) -> None:
    scope = actor.region.path if actor is not None and actor.region_id else None
    if scope is None or not path.startswith(scope):
        raise OutOfScope()


def _need(actor: Any, perm: Perm, path: str) -> None:
    _scope_ok(actor, path)
    if not actor.can(perm):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")


def _locked(ticket_id: int, version: int | None = None) -> Ticket:
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        raise OutOfScope()
    if version is not None and ticket.version != version:
        raise Conflict("该工单已被他人处理，请刷新", "someone else acted on this ticket: reload")
    return ticket


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])


def _first_response(ticket: Ticket, today: datetime.date) -> list[str]:
    if ticket.responded_on is None:
        ticket.responded_on = today
        return ["responded_on"]
    return []


@transaction.atomic
def accept(*, actor: Any, ticket_id: int, version: int | None = None, note: str = "") -> Ticket:
    ticket = _locked(ticket_id, version)
    _need(actor, Perm.EDIT, ticket.region_path)
    if ticket.state != TicketState.RECEIVED:
        raise ValidationFailed("该工单已收单", "this ticket has been taken already")
    today = clock.today()
    ticket.state = TicketState.ACCEPTED
    _save(ticket, "state", *_first_response(ticket, today))
    progress.step(
        ticket,
        "accept",
        "村委会已收单" + (f"：{note}" if note else ""),
        "the village has taken the ticket" + (f": {note}" if note else ""),
        actor=actor,
        before={"state": TicketState.RECEIVED},
    )
    return ticket


def _department_of(actor: Any, task: Task) -> None:
    dep = catalogue.departments()[task.department]
    roles = list(actor.roles or [])
    if dep.role not in roles and Role.ADMIN.value not in roles:
        raise NotPermitted(f"此事项由{dep.zh}办理", f"this task is for the {dep.en} department")


@transaction.atomic
def handle(*, actor: Any, task_id: int, result: str, declined: bool = False) -> Task:
    task = Task.objects.select_related("ticket").filter(pk=task_id).first()
    if task is None:
        raise OutOfScope()
    ticket = _locked(task.ticket_id)
    _scope_ok(actor, task.region_path)
    _department_of(actor, task)
    if ticket.state not in (TicketState.RECEIVED, TicketState.ACCEPTED) or task.state != "open":
        raise ValidationFailed("该事项不在办理中", "this task is not open")
    if not result.strip():
        raise ValidationFailed(
            "请填写办理结果（反映人可见）", "write the result (the reporter sees it)"
        )
    today = clock.today()
    task.state = TaskState.DECLINED if declined else TaskState.DONE
    task.result, task.done_on, task.done_by = result.strip()[:500], today, actor
    task.save(update_fields=["state", "result", "done_on", "done_by"])
    fields = _first_response(ticket, today)
    dep = catalogue.departments()[task.department]
    verb = ("认为不属本部门职责", "says this is not its remit") if declined else ("已办结", "done")
    if not ticket.tasks.filter(state=TaskState.OPEN).exists():
        ticket.state, ticket.resolved_on = TicketState.RESOLVED, today
        fields += ["state", "resolved_on"]
    _save(ticket, *fields)
    progress.step(
        ticket,
        "handle",
        f"{dep.zh}{verb[0]}：{task.result}",
        f"{dep.en}: {verb[1]}: {task.result}",
        actor=actor,
        after={"department": task.department, "task": task.state},
    )
    return task


def _register(actor: Any, ticket: Ticket) -> Household:
    """The person as a new household (status not_registered) in the ticket's village."""
    return registry.create_household(
        actor=actor,
        household_no=f"JC{ticket.receipt}",
        region=ticket.village,
        members=[
            {
                "name": ticket.name,
                "id_number": ticket.id_number,
                "relation": "head",
                "phone": ticket.phone,
            }
        ],
        status="not_registered",
        reason=f"监测线索{ticket.receipt} / monitoring ticket",
    )


@transaction.atomic
def identify(*, actor: Any, ticket_id: int) -> Ticket:
    """Start 监测对象纳入 for the ticket's household, its case clock from the first clue."""
    ticket = _locked(ticket_id)
    _need(actor, Perm.EDIT, ticket.region_path)
    if ticket.case_id is not None:
        raise ValidationFailed("已启动识别程序", "identification has started already")
    household = ticket.household or _register(actor, ticket)
    opener = actor if actor.region and actor.region.level == Level.VILLAGE else None
    case = open_cases(
        actor=opener,
        kind="monitoring",
        households=[household],
        year=ticket.received_on.year,
        clue_date=ticket.received_on,
        reason=f"监测线索{ticket.receipt}",
    )[0]
    ticket.household, ticket.case = household, case
    _save(ticket, "household", "case", *_first_response(ticket, clock.today()))
    days = policy.days("ticket_identification_days", ticket.received_on.year)
    progress.step(
        ticket,
        "identify",
        f"已启动监测对象识别程序，{days}天内认定",
        f"identification as a monitored household has started (decided within {days} days)",
        actor=actor,
        after={"case": case.pk, "household": household.pk},
    )
    return ticket


@transaction.atomic
def plan_assistance(*, actor: Any, ticket_id: int) -> Ticket:
    ticket = _locked(ticket_id)
    _need(actor, Perm.EDIT, ticket.region_path)
    if ticket.household is None:
        raise ValidationFailed("请先启动识别程序", "start identification first")
    labour = ticket.household.members.filter(active=True, labour__in=catalogue.with_labour())
    track = "development" if labour.exists() else "safety_net"
    ticket.track = track
    _save(ticket, "track")
    label = catalogue.tracks()[track]
    progress.step(
        ticket,
        "assist",
        f"帮扶方式：{label.zh}",
        f"assistance: {label.en}",
        actor=actor,
        after={"track": track},
    )
    return ticket


@transaction.atomic
def supervise(*, actor: Any, ticket_id: int, instruction: str) -> Ticket:
    ticket = _locked(ticket_id)
    _need(actor, Perm.APPROVE, ticket.region_path)
    if ticket.state not in OPEN_STATES or not instruction.strip():
        raise ValidationFailed("请填写督办意见", "write the supervision instruction")
    ticket.due = clock.today() + datetime.timedelta(days=policy.days("ticket_response_days"))
    _save(ticket, "due")
    progress.step(
        ticket,
        "supervise",
        f"县级督办：{instruction.strip()}",
        f"county supervision: {instruction.strip()}",
        actor=actor,
        after={"due": str(ticket.due)},
    )
    return ticket


@transaction.atomic
def close(*, actor: Any, ticket_id: int, reason: str) -> Ticket:
    ticket = _locked(ticket_id)
    _scope_ok(actor, ticket.region_path)
    if not (actor.can(Perm.APPROVE) or actor.can(Perm.REVIEW)):
        raise NotPermitted("乡镇或县级方可关闭工单", "a township or the county closes tickets")
    if ticket.state == TicketState.CLOSED or not reason.strip():
        raise ValidationFailed("请填写关闭理由（反映人可见）", "write why it is closed")
    before = {"state": ticket.state}
    ticket.state, ticket.closed_on = TicketState.CLOSED, clock.today()
    ticket.close_reason = reason.strip()[:300]
    _save(ticket, "state", "closed_on", "close_reason")
    progress.step(
        ticket,
        "close",
        f"工单关闭：{ticket.close_reason}",
        f"closed: {ticket.close_reason}",
        actor=actor,
        before=before,
    )
    return ticket


@transaction.atomic
def sign_off(*, ticket: Ticket, satisfied: bool, reason: str = "") -> Ticket:
    """群众签单, by the reporter (the caller has checked receipt + phone)."""
    ticket = _locked(ticket.pk)
    if ticket.state != TicketState.RESOLVED:
        raise ValidationFailed("部门办结后才能签单", "sign-off comes after the departments finish")
    reason = reason.strip()[:300]
    if not satisfied and not reason:
        raise ValidationFailed("请说明不满意的原因", "say why you are not satisfied")
    today = clock.today()
    ticket.satisfied, ticket.feedback = satisfied, reason
    if satisfied:
        ticket.state, ticket.closed_on = TicketState.CLOSED, today
        zh, en = "群众签单：满意，工单办结", "signed off by the reporter: satisfied; closed"
    else:
        ticket.tasks.update(state=TaskState.OPEN)
        ticket.state, ticket.escalated_level, ticket.escalated_at = "accepted", "county", today
        ticket.due = today + datetime.timedelta(days=policy.days("ticket_response_days"))
        zh, en = (
            f"群众不满意（{reason}），已转县级督办",
            f"not satisfied ({reason}): the county supervises",
        )
    _save(
        ticket,
        "state",
        "closed_on",
        "satisfied",
        "feedback",
        "escalated_level",
        "escalated_at",
        "due",
    )
    progress.step(ticket, "sign_off", zh, en, actor=None, after={"satisfied": satisfied})
    return ticket
