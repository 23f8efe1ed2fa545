"""Projects and funds (项目库与资金): the county library, one project with its money, its payments
(bank accounts masked by role), the findings queue; imports of the room's files (the same
checks and answer as the upload page: every row error, nothing stored unless all are right)."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lantu.accounts.roles import Perm
from lantu.api.paging import window
from lantu.api.schemas import ErrorOut
from lantu.core.errors import NotPermitted, ValidationFailed
from lantu.projects import files, queries
from lantu.registry.masking import masker_for

router = Router()


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    category: str
    county_code: str
    year: int
    stage: str
    planned_amount: Decimal
    allocated: Decimal
    disbursed: Decimal
    responsible_unit: str
    responsible_person: str


class ProjectPage(Schema):
    items: list[ProjectOut]
    limit: int
    offset: int
    has_next: bool


class PaymentOut(Schema):
    voucher: str
    household_no: str
    amount: Decimal
    date: datetime.date
    bank_account: str
    payee_name: str


class FindingOut(Schema):
    id: int
    rule: str
    zh: str
    en: str
    project_code: str | None
    household_no: str | None
    year: int
    state: str


class ImportIn(Schema):
    filename: str
    content_base64: str
    dry_run: bool = False


class ImportOut(Schema):
    ok: bool
    summary: dict[str, int]
    errors: list[dict[str, Any]]


def _out(p: Any) -> ProjectOut:
    return ProjectOut(
        id=p.pk,
        code=p.code,
        name=p.name,
        category=p.category,
        county_code=p.county.code,
        year=p.year,
        stage=p.stage,
        planned_amount=p.planned_amount,
        allocated=p.allocated,
        disbursed=p.disbursed,
        responsible_unit=p.responsible_unit,
        responsible_person=p.responsible_person,
    )


@router.get("", response={200: ProjectPage, 404: ErrorOut}, summary="Project library / 项目库")
def list_projects(
    request: HttpRequest, year: int | None = None, stage: str = "", limit: int = 50, offset: int = 0
) -> ProjectPage:
    qs = queries.with_totals(queries.projects(request.user, year=year, stage=stage))
    rows, meta = window(qs, limit, offset)
    return ProjectPage(items=[_out(p) for p in rows], **meta)


@router.get("/findings", response={200: list[FindingOut], 404: ErrorOut}, summary="Findings / 疑点")
def list_findings(request: HttpRequest, state: str = "open", limit: int = 200) -> list[FindingOut]:
    qs = queries.findings(request.user, state=state)[: min(limit, 1000)]
    return [
        FindingOut(
            id=f.pk,
            rule=f.rule,
            zh=f.zh,
            en=f.en,
            year=f.year,
            state=f.state,
            project_code=f.project.code if f.project else None,
            household_no=f.household.household_no if f.household else None,
        )
        for f in qs
    ]


@router.get("/{pk}", response={200: ProjectOut, 404: ErrorOut}, summary="One project / 项目")
def get_project(request: HttpRequest, pk: int) -> ProjectOut:
    return _out(queries.project(request.user, pk))


@router.get(
    "/{pk}/payments", response={200: list[PaymentOut], 404: ErrorOut}, summary="Payments / 到户补助"
)
def list_payments(
    request: HttpRequest, pk: int, limit: int = 200, offset: int = 0
) -> list[PaymentOut]:
    p = queries.project(request.user, pk)
    m = masker_for(request.user)
    rows = queries.payments(request.user, p)[offset : offset + min(limit, 1000)]
    return [
        PaymentOut(
            voucher=d.voucher,
            household_no=d.household.household_no,
            amount=d.amount,
            date=d.date,
            bank_account=str(m.value("bank_account", d.bank_account) or ""),
            payee_name=d.payee_name,
        )
        for d in rows
    ]


@router.post(
    "/imports/{table}",
    response={200: ImportOut, 400: ImportOut, 403: ErrorOut, 404: ErrorOut},
    summary="Import a file / 导入",
)
def import_table(request: HttpRequest, table: str, body: ImportIn) -> Status[ImportOut]:
    if not request.user.can(Perm.IMPORT):  # type: ignore[union-attr]
        raise NotPermitted("您的角色无权导入数据", "your role may not import data")
    if table not in files.TABLES:
        raise ValidationFailed(
            f"没有{table}这类文件（可选：{', '.join(files.ORDER)}）", f"no file kind {table}"
        )
    data = base64.b64decode(body.content_base64)
    r = files.import_file(table, data, body.filename, actor=request.user, dry_run=body.dry_run)
    errors: list[dict[str, Any]] = [
        {"row": e.row, "column": e.column, "value": e.value, "zh": e.zh, "en": e.en}
        for e in r.errors
    ]
    return Status(200 if r.ok else 400, ImportOut(ok=r.ok, summary=r.summary, errors=errors))
