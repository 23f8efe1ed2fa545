"""Background jobs over the API: the runs the caller may see (scope and the kind's permission),
one run with its progress, and starting a run (the same service the pages use)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lantu.api.schemas import ErrorOut
from lantu.jobs import queries, services
from lantu.jobs.models import Run

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RunOut(Schema):
    id: int
    kind: str
    status: str
    params: dict[str, Any]
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    done: int
    total: int | None
    percent: int | None
    stage: str
    summary: dict[str, Any]
    error: str
    result_name: str


class StartIn(Schema):
    kind: str
    params: dict[str, Any] = {}


def run_out(r: Run) -> RunOut:
    return RunOut(
        id=r.pk, kind=r.kind, status=r.status, params=r.params, created_at=r.created_at,
        started_at=r.started_at, finished_at=r.finished_at, done=r.done, total=r.total,
        percent=r.percent, stage=r.stage, summary=r.summary, error=r.error,
        result_name=r.result_name,
    )  # fmt: skip


@router.get("", response={200: list[RunOut], **ERRORS}, summary="Background jobs / 后台任务")
def runs(request: HttpRequest, kind: str = "", status: str = "", limit: int = 50) -> Any:
    services.sweep()
    qs = queries.runs(request.user, kind=kind, status=status)[: min(limit, 500)]
    return [run_out(r) for r in qs]


@router.get("/{pk}", response={200: RunOut, **ERRORS}, summary="One run / 任务详情")
def run(request: HttpRequest, pk: int) -> Any:
    services.sweep()
    return run_out(queries.run(request.user, pk))


@router.post("", response={201: RunOut, **ERRORS}, summary="Start a job / 启动任务")
def start(request: HttpRequest, body: StartIn) -> Any:
    started = services.start(actor=request.user, kind=body.kind, params=body.params)
    return Status(201, run_out(started))
