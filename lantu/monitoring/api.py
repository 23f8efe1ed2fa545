"""Monitoring over the API (``/api/monitoring``), for the WeChat mini-program, apps and scripts.

Public, no login (the same services and limits as the public page): the region cascade, the
catalogue of events and needs, ``POST /public/reports`` (multipart form, optional photo), the
status by receipt + phone and the sign-off (POST, so the phone never sits in a URL or a log).
Staff (session or bearer token): the queue per section, a ticket, the loop's actions, a
department's task, the SLA table. Departments push alerts with their push token (``/alerts``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lantu.accounts.roles import Perm
from lantu.api.auth import auth_for, require
from lantu.api.paging import window
from lantu.api.schemas import ErrorOut
from lantu.core.errors import ValidationFailed
from lantu.monitoring import alerts, catalogue, intake, presenting, queries, services, sla, sms
from lantu.monitoring.models import Task
from lantu.monitoring.regions import children
from lantu.procedures.notices import source_of
from lantu.registry.masking import masker_for

# Department roles hold TICKETS but not the registry's VIEW: the router lets either in, and each
# staff route requires TICKETS itself.
router = Router(auth=auth_for(Perm.VIEW, Perm.TICKETS))
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class ReportIn(Schema):
    name: str
    id_number: str
    phone: str = ""
    village: str
    event: str
    needs: list[str]
    description: str = ""
    event_date: datetime.date | None = None
    for_other: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    relation: str = ""
    phone_code: str = ""


class PhoneIn(Schema):
    phone: str


class ReceiptOut(Schema):
    receipt: str
    joined: bool


class LookupIn(Schema):
    receipt: str
    phone: str


class SignOffIn(LookupIn):
    satisfied: bool
    reason: str = ""


class ActIn(Schema):
    action: str  # accept | identify | assist | supervise | close
    version: int | None = None
    text: str = ""


class TaskIn(Schema):
    result: str
    declined: bool = False


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@router.get("/public/regions/{code}/children", auth=None, response=list[dict[str, str]])
def public_children(request: HttpRequest, code: str) -> list[dict[str, str]]:
    return children(code)


@router.get("/public/catalogue", auth=None, response=dict[str, Any])
def public_catalogue(request: HttpRequest) -> dict[str, Any]:
    return {
        "events": [{"code": e.code, "label": e.text} for e in catalogue.events().values()],
        "departments": [
            {
                "code": d.code,
                "label": d.text,
                "needs": [{"code": n.code, "label": n.text} for n in d.needs],
            }
            for d in catalogue.departments().values()
        ],
    }


@router.post(
    "/public/reports", auth=None, response={201: ReceiptOut, **ERRORS, 400: dict[str, Any]}
)
def public_report(
    request: HttpRequest, data: Form[ReportIn], photo: File[UploadedFile] | None = None
) -> Status[Any]:
    try:
        done = intake.submit(intake.Report(**data.dict()), address=_address(request), photo=photo)
    except intake.ReportInvalid as exc:
        body = {
            "error": "ReportInvalid",
            "zh": exc.zh,
            "en": exc.en,
            "fields": {k: {"zh": z, "en": e} for k, (z, e) in exc.errors.items()},
        }
        return Status(400, body)
    return Status(201, {"receipt": done.ticket.receipt, "joined": done.joined})


@router.post("/public/phone-code", auth=None, response={202: dict[str, Any], **ERRORS})
def public_phone_code(request: HttpRequest, data: PhoneIn) -> Status[Any]:
    """Send the SMS code a report needs when the policy ``report_phone_check`` is on."""
    try:
        intake.send_phone_code(data.phone)
    except intake.ReportInvalid as exc:
        body = {"error": "ReportInvalid", "zh": exc.zh, "en": exc.en}
        return Status(400, body)
    return Status(202, {"sent": True, "valid_seconds": sms.CODE_SECONDS})


@router.post("/public/status", auth=None, response={200: dict[str, Any], **ERRORS})
def public_status(request: HttpRequest, data: LookupIn) -> dict[str, Any]:
    t = queries.for_reporter(data.receipt, data.phone, source=source_of(_address(request)))
    return presenting.public_view(t)


@router.post("/public/sign-off", auth=None, response={200: dict[str, Any], **ERRORS})
def public_sign_off(request: HttpRequest, data: SignOffIn) -> dict[str, Any]:
    t = queries.for_reporter(data.receipt, data.phone, source=source_of(_address(request)))
    t = services.sign_off(ticket=t, satisfied=data.satisfied, reason=data.reason)
    return presenting.public_view(t)


@router.get("/tickets", response={200: dict[str, Any], **ERRORS})
def ticket_queue(
    request: HttpRequest, section: str = "open", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    require(request, Perm.TICKETS)
    if section not in queries.SECTIONS:
        raise ValidationFailed(f"未知的分类：{section}", f"unknown section {section}")
    qs = queries.queue(request.user, section)
    rows, page = window(queries.with_details(qs), limit, offset)
    m = masker_for(request.user)
    return {"items": [presenting.staff_view(t, m) for t in rows], **page}


@router.get("/tickets/{pk}", response={200: dict[str, Any], **ERRORS})
def ticket_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    require(request, Perm.TICKETS)
    return presenting.staff_view(queries.ticket(request.user, pk), masker_for(request.user))


ACTIONS = {
    "accept": lambda u, t, d: services.accept(actor=u, ticket_id=t, version=d.version, note=d.text),
    "identify": lambda u, t, d: services.identify(actor=u, ticket_id=t),
    "assist": lambda u, t, d: services.plan_assistance(actor=u, ticket_id=t),
    "supervise": lambda u, t, d: services.supervise(actor=u, ticket_id=t, instruction=d.text),
    "close": lambda u, t, d: services.close(actor=u, ticket_id=t, reason=d.text),
}


@router.post("/tickets/{pk}/act", response={200: dict[str, Any], **ERRORS})
def ticket_act(request: HttpRequest, pk: int, data: ActIn) -> dict[str, Any]:
    require(request, Perm.TICKETS)
    queries.ticket(request.user, pk)  # 404 outside the scope
    if data.action not in ACTIONS:
        raise ValidationFailed(f"未知的操作：{data.action}", f"unknown action {data.action}")
    t = ACTIONS[data.action](request.user, pk, data)
    return presenting.staff_view(t, masker_for(request.user))


@router.post("/tasks/{pk}", response={200: dict[str, Any], **ERRORS})
def task_act(request: HttpRequest, pk: int, data: TaskIn) -> dict[str, Any]:
    require(request, Perm.TICKETS)
    task = Task.objects.filter(pk=pk).first()
    ticket_id = task.ticket_id if task else 0
    queries.ticket(request.user, ticket_id)  # 404 outside the scope or not routed here
    services.handle(actor=request.user, task_id=pk, result=data.result, declined=data.declined)
    return presenting.staff_view(queries.ticket(request.user, ticket_id), masker_for(request.user))


@router.get("/sla", response={200: dict[str, Any], **ERRORS})
def sla_table(request: HttpRequest, by: str = "township") -> dict[str, Any]:
    require(request, Perm.TICKETS)
    return {"by": by, "rows": sla.table(request.user, by=by)}


router.add_router("/alerts", alerts.router)
