"""The exit assessment over the API: a county's 三率一度 and its assessments, drawing a sample,
estimating, opening village and county exit cases, and the sample-size planner. Handlers only
translate HTTP: reads through ``lantu.exits.queries``, writes through ``lantu.exits.services`` and
the procedure engine (``lantu.exits.cases``); errors map to their HTTP status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from lantu.accounts.roles import Perm
from lantu.api.schemas import ErrorOut
from lantu.core.errors import NotPermitted, ValidationFailed
from lantu.exits import cases as exit_cases
from lantu.exits import planner, queries, services
from lantu.exits.models import Assessment

router = Router()
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _need(request: HttpRequest, perm: Perm) -> None:
    if not request.user.can(perm):  # type: ignore[union-attr]
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")


class AssessmentOut(Schema):
    id: int
    county: str
    year: int
    seed: int
    state: str
    design: dict[str, Any]
    frame_digest: str
    frame_households: int
    households: int
    villages: int
    estimates: dict[str, Any]
    verdict: str
    evaluation_run_id: int | None


class CountyOut(Schema):
    code: str
    name: str
    assessments: list[AssessmentOut]


class DrawIn(Schema):
    year: int
    seed: int = 1


class OpenIn(Schema):
    kind: str
    year: int
    villages: list[str] = []
    reason: str = ""


class PlanIn(Schema):
    margin: float = 0.01
    rate: float = 0.02
    population: int = 10000
    deff: float = 2.0
    per_village: int = 27
    confidence: float = 0.95


def assessment_out(a: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=a.pk, county=a.county.code, year=a.year, seed=a.seed, state=a.state, design=a.design,
        frame_digest=a.frame_digest, frame_households=a.frame_households,
        households=a.households.count(), villages=a.villages.count(), estimates=a.estimates,
        verdict=a.verdict, evaluation_run_id=a.evaluation_run_id,
    )  # fmt: skip


@router.get("/counties/{code}", response={200: CountyOut, **ERRORS}, summary="县退出评估")
def county(request: HttpRequest, code: str) -> CountyOut:
    _need(request, Perm.VIEW)
    c = queries.county(request.user, code)
    items = [assessment_out(a) for a in queries.assessments(c).select_related("county")[:10]]
    return CountyOut(code=c.code, name=c.name, assessments=items)


@router.post("/counties/{code}/assessments", response={201: AssessmentOut, **ERRORS},
             summary="抽取评估样本 / draw the assessment sample")  # fmt: skip
def draw(request: HttpRequest, code: str, body: DrawIn) -> Status[AssessmentOut]:
    c = queries.county(request.user, code)
    a = services.draw_assessment(actor=request.user, county=c, year=body.year, seed=body.seed)
    return Status(201, assessment_out(a))


@router.get("/assessments/{pk}", response={200: AssessmentOut, **ERRORS}, summary="评估")
def assessment(request: HttpRequest, pk: int) -> AssessmentOut:
    _need(request, Perm.VIEW)
    return assessment_out(queries.assessment(request.user, pk))


@router.post("/assessments/{pk}/estimate", response={200: AssessmentOut, **ERRORS},
             summary="计算三率一度 / estimate")  # fmt: skip
def estimate(request: HttpRequest, pk: int) -> AssessmentOut:
    a = queries.assessment(request.user, pk)
    return assessment_out(services.estimate_assessment(actor=request.user, assessment_id=a.pk))


@router.post("/counties/{code}/exit-cases", response={201: list[int], **ERRORS},
             summary="发起贫困村/县退出 / open village or county exit")  # fmt: skip
def open_cases(request: HttpRequest, code: str, body: OpenIn) -> Status[list[int]]:
    c = queries.county(request.user, code)
    if body.kind == "county_exit":
        regions = [c]
    else:
        regions = list(queries.villages(request.user, c).filter(code__in=body.villages))
        if len(regions) != len(set(body.villages)):
            raise ValidationFailed("有村不存在或不在辖区内", "some villages are unknown or outside")
    cases = exit_cases.open(actor=request.user, kind=body.kind, regions=regions, year=body.year,
                            reason=body.reason)  # fmt: skip
    return Status(201, [x.pk for x in cases])


@router.get("/plan", response={200: dict[str, Any], **ERRORS}, summary="样本量测算 / planner")
def plan(request: HttpRequest, q: Query[PlanIn]) -> dict[str, Any]:
    _need(request, Perm.VIEW)
    try:
        return planner.plan(**q.dict()).as_dict()
    except ValueError as exc:
        raise ValidationFailed("测算参数有误", str(exc)) from exc
