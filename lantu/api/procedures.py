"""Procedures over the API: the work queue, cases (open in bulk, read, act, act in bulk),
objection resolution; and, without login, a village's notices and lodging an objection
(rate-limited per address, like the public page). Handlers only translate HTTP: reads through
``lantu.procedures.queries``, writes through the engine; errors map to their HTTP status."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from lantu.accounts.scope import scoped
from lantu.api.schemas import ErrorOut
from lantu.core.errors import ValidationFailed
from lantu.procedures import clock, engine, notices, public, queries
from lantu.procedures.models import Case, Notice
from lantu.regions.models import Region
from lantu.registry.models import Household

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class CaseOut(Schema):
    id: int
    kind: str
    household_id: int | None = None
    household_no: str
    head_name: str
    village: str
    year: int
    step: str
    state: str
    version: int
    step_due: datetime.date | None
    case_due: datetime.date | None
    escalated_level: str
    override_reason: str
    data: dict[str, Any]


class OpenIn(Schema):
    kind: str
    year: int
    households: list[int]
    clue_date: datetime.date | None = None
    reason: str = ""


class ActIn(Schema):
    action: str
    version: int
    comment: str = ""
    data: dict[str, Any] = {}
    override_reason: str = ""


class BulkItem(Schema):
    id: int
    version: int


class BulkIn(Schema):
    action: str = "approve"
    comment: str = ""
    cases: list[BulkItem]


class BulkOut(Schema):
    done: list[int]
    failed: list[dict[str, Any]]


class ResolveIn(Schema):
    upheld: bool
    reason: str


class EntryOut(Schema):
    case: int
    head_name: str
    size: int | str
    place: str


class NoticeOut(Schema):
    id: int
    kind: str
    step: str
    type: str
    start: datetime.date
    end: datetime.date
    open_for_objections: bool
    entries: list[EntryOut]


class ObjectionIn(Schema):
    notice: int
    case: int
    text: str
    name: str = ""
    contact: str = ""


def case_out(c: Case) -> CaseOut:
    hh = c.household  # None for a village's or county's exit (its name is the subject's)
    return CaseOut(
        id=c.pk, kind=c.kind, household_id=hh.pk if hh else None,
        household_no=hh.household_no if hh else "", head_name=c.subject_name,
        village=c.village.name, year=c.year, step=c.step, state=c.state,
        version=c.version, step_due=c.step_due, case_due=c.case_due,
        escalated_level=c.escalated_level, override_reason=c.override_reason, data=c.data,
    )  # fmt: skip


@router.get("/queue", response={200: list[CaseOut], **ERRORS}, summary="Work queue / 待办")
def queue(request: HttpRequest, kind: str = "", limit: int = 200) -> list[CaseOut]:
    return [case_out(c) for c in queries.queue(request.user, kind=kind)[: min(limit, 1000)]]


@router.post("/cases", response={201: list[CaseOut], **ERRORS}, summary="Open cases / 发起")
def open_cases(request: HttpRequest, body: OpenIn) -> Status[list[CaseOut]]:
    qs = scoped(Household.objects.filter(pk__in=body.households), request.user)
    households = list(qs.select_related("region", "region__parent"))
    if len(households) != len(set(body.households)):
        raise ValidationFailed(
            "部分户不存在或不在您的辖区内",
            "some households do not exist or are outside your region",
        )
    cases = engine.open_cases(
        actor=request.user, kind=body.kind, households=households, year=body.year,
        clue_date=body.clue_date, reason=body.reason,
    )  # fmt: skip
    return Status(201, [case_out(queries.case(request.user, c.pk)) for c in cases])


@router.get("/cases/{pk}", response={200: CaseOut, **ERRORS}, summary="One case / 案件")
def get_case(request: HttpRequest, pk: int) -> CaseOut:
    return case_out(queries.case(request.user, pk))


@router.post("/cases/{pk}/act", response={200: CaseOut, **ERRORS}, summary="Act / 办理")
def act(request: HttpRequest, pk: int, body: ActIn) -> CaseOut:
    case = queries.case(request.user, pk)
    engine.act(
        actor=request.user, case_id=case.pk, version=body.version, action=body.action,
        comment=body.comment, data=body.data, override_reason=body.override_reason,
    )  # fmt: skip
    return case_out(queries.case(request.user, pk))


@router.post("/bulk", response={200: BulkOut, **ERRORS}, summary="Act in bulk / 批量办理")
def act_many(request: HttpRequest, body: BulkIn) -> BulkOut:
    visible = set(
        scoped(Case.objects.filter(pk__in=[i.id for i in body.cases]), request.user).values_list(
            "pk", flat=True
        )
    )
    items = [(i.id, i.version) for i in body.cases if i.id in visible]
    result = engine.act_many(
        actor=request.user, items=items, action=body.action, comment=body.comment
    )
    failed = [{"id": pk, "zh": e.zh, "en": e.en} for pk, e in result.failed]
    failed += [
        {"id": i.id, "zh": "未找到", "en": "not found"} for i in body.cases if i.id not in visible
    ]
    return BulkOut(done=result.done, failed=failed)


@router.post(
    "/cases/{pk}/objections/{objection}/resolve",
    response={200: CaseOut, **ERRORS},
    summary="Resolve an objection / 处理异议",
)
def resolve(request: HttpRequest, pk: int, objection: int, body: ResolveIn) -> CaseOut:
    case = queries.case(request.user, pk)
    if not case.objections.filter(pk=objection).exists():
        raise ValidationFailed("该案件没有此异议", "no such objection on this case")
    notices.resolve(actor=request.user, objection_id=objection, upheld=body.upheld,
                    reason=body.reason)  # fmt: skip
    return case_out(queries.case(request.user, pk))


@router.get(
    "/public/{code}", auth=None, response={200: list[NoticeOut], **ERRORS},
    summary="A village's notices (public) / 村级公示（公开）",
)  # fmt: skip
def village_notices(request: HttpRequest, code: str) -> list[NoticeOut]:
    village = get_object_or_404(Region, code=code, level="village")
    today = clock.today()
    out = []
    for n in notices.public_notices(village.path, today=today):
        entries = [EntryOut(**{k: e[k] for k in EntryOut.model_fields}) for e in public.entries(n)]
        out.append(
            NoticeOut(
                id=n.pk,
                kind=n.kind,
                step=n.step,
                type=n.type,
                start=n.start,
                end=n.end,
                open_for_objections=notices.is_open(n, today) and n.type == "publicity",
                entries=entries,
            )
        )
    return out


@router.post(
    "/objections", auth=None, response={201: dict[str, int], **ERRORS},
    summary="Lodge an objection (public, anonymous allowed) / 提出异议",
)  # fmt: skip
def lodge(request: HttpRequest, body: ObjectionIn) -> Status[dict[str, int]]:
    notice = get_object_or_404(Notice, pk=body.notice)
    obj = notices.lodge(
        notice=notice, case_id=body.case, text=body.text, name=body.name, contact=body.contact,
        address=request.META.get("REMOTE_ADDR", ""),
    )  # fmt: skip
    return Status(201, {"id": obj.pk})
