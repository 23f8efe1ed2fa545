"""Department push (数据推送): a department sends a full delivery of one of its datasets as JSON,
with its own bearer token (``lantu.matching.tokens``), valid only for the datasets it was issued
for. The delivery is checked whole, as an uploaded file is: every row error comes back with its
reason in Chinese and English, and nothing is stored unless every row is right. Findings for
users are on the pages (``/matching/``) and in the household file.
"""

from __future__ import annotations

import datetime
from typing import Any

import polars as pl
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from lantu.api.schemas import ErrorOut
from lantu.core.errors import NotPermitted
from lantu.matching import loads, services, tokens

router = Router()


class DepartmentKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        return tokens.department_for(token)


class PushIn(Schema):
    as_of: datetime.date
    records: list[dict[str, Any]]


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    zh: str
    en: str


class PushOut(Schema):
    dataset: str
    rows: int
    load_id: int | None
    errors: list[RowErrorOut]


@router.post(
    "/push/{dataset}",
    auth=DepartmentKey(),
    response={200: PushOut, 400: PushOut, 403: ErrorOut},
    summary="Push a department dataset / 部门数据推送",
)
def push(request: HttpRequest, dataset: str, data: PushIn) -> Status[PushOut]:
    dept = request.auth  # type: ignore[attr-defined]
    if dataset not in dept.datasets:
        raise NotPermitted(
            f"{dept.department}的令牌不能推送数据集{dataset}",
            f"{dept.department}'s token may not push dataset {dataset}",
        )
    table = loads.as_strings(pl.DataFrame(data.records, infer_schema_length=None))
    rep = services.load_dataset(
        actor=None,
        dataset=dataset,
        table=table,
        as_of=data.as_of,
        source=f"push:{dept.department}",
    )
    errors = [RowErrorOut(**e.__dict__) for e in rep.errors[:1000]]
    out = PushOut(dataset=dataset, rows=rep.rows, load_id=rep.load_id, errors=errors)
    return Status(200 if rep.ok else 400, out)
