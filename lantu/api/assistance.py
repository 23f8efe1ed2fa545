"""The assistance room's API: a household's assistance, coverage and 六清 per region, the gap
work queue, cadres and their loads, and recording a visit. Scoped (a cadre sees only their own
households) and masked like every other route."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lantu.api.paging import window
from lantu.api.schemas import ErrorOut
from lantu.assistance import queries, services
from lantu.assistance.gaps import LIUQING
from lantu.core.errors import NotPermitted
from lantu.registry import queries as registry_queries
from lantu.registry.masking import masker_for

router = Router()


class MeasureOut(Schema):
    measure: str
    cadre: str
    planned_amount: float | None
    actual_amount: float | None
    planned_date: datetime.date | None
    actual_date: datetime.date | None
    status: str
    asset: str


class PlanOut(Schema):
    year: int
    planned_exit_year: int | None
    planned_risk_elimination: datetime.date | None
    measures: list[MeasureOut]


class CadreRef(Schema):
    cadre_no: str
    name: str
    phone: str
    start_date: datetime.date
    end_date: datetime.date | None


class VisitOut(Schema):
    date: datetime.date
    cadre: str
    kind: str
    notes: str
    changes: str


class HouseholdAssistanceOut(Schema):
    household_no: str
    pairings: list[CadreRef]
    plans: list[PlanOut]
    visits: list[VisitOut]
    gaps: list[str]


class CoverageOut(Schema):
    region_code: str
    region_name: str
    year: int
    households: int
    with_cadre: int
    with_plan: int
    clear: dict[str, int]
    all_clear: int


class GapOut(Schema):
    household_id: int
    household_no: str
    rule: str
    zh: str
    en: str


class GapPage(Schema):
    items: list[GapOut]
    limit: int
    offset: int
    has_next: bool


class CadreOut(Schema):
    cadre_no: str
    name: str
    id_number: str
    level: str
    phone: str
    region_code: str
    load: int


class CadrePage(Schema):
    items: list[CadreOut]
    limit: int
    offset: int
    has_next: bool


class VisitIn(Schema):
    household_id: int
    date: datetime.date
    kind: str = "home"
    notes: str = ""
    changes: str = ""


def _f(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]


@router.get(
    "/households/{pk}",
    response={200: HouseholdAssistanceOut, 404: ErrorOut},
    summary="A household's assistance / 户的帮扶",
)
def household(request: HttpRequest, pk: int) -> HouseholdAssistanceOut:
    hh = registry_queries.household(request.user, pk)
    a = queries.household_assistance(request.user, hh)
    m = masker_for(request.user)
    return HouseholdAssistanceOut(
        household_no=hh.household_no,
        pairings=[
            CadreRef(
                cadre_no=p.cadre.cadre_no,
                name=p.cadre.name,
                phone=str(m.value("phone", p.cadre.phone) or ""),
                start_date=p.start_date,
                end_date=p.end_date,
            )
            for p in a["pairings"]
        ],
        plans=[
            PlanOut(
                year=p.year,
                planned_exit_year=p.planned_exit_year,
                planned_risk_elimination=p.planned_risk_elimination,
                measures=[
                    MeasureOut(
                        measure=x.measure,
                        cadre=x.cadre.name if x.cadre else "",
                        planned_amount=_f(x.planned_amount),
                        actual_amount=_f(x.actual_amount),
                        planned_date=x.planned_date,
                        actual_date=x.actual_date,
                        status=x.status,
                        asset=x.asset,
                    )
                    for x in p.measures.all()
                ],
            )
            for p in a["plans"]
        ],
        visits=[
            VisitOut(date=v.date, cadre=v.cadre.name, kind=v.kind, notes=v.notes, changes=v.changes)
            for v in a["visits"]
        ],
        gaps=[g.rule for g in a["gaps"]],
    )


@router.get(
    "/coverage",
    response={200: list[CoverageOut], 404: ErrorOut},
    summary="Coverage and 六清 of a region and its children / 覆盖与六清",
)
def coverage(request: HttpRequest, region: str = "", year: int | None = None) -> list[CoverageOut]:
    node = queries.region_or_root(request.user, region)
    year = year or datetime.date.today().year
    here, children = queries.coverage(request.user, node, year)
    return [
        CoverageOut(
            region_code=c.region.code,
            region_name=c.region.name,
            year=c.year,
            households=c.households,
            with_cadre=c.with_cadre,
            with_plan=c.with_plan,
            clear={r: int(c.clear.get(r, 0)) for r in LIUQING},
            all_clear=c.all_clear,
        )
        for c in ([here] if here else []) + children
    ]


@router.get("/gaps", response={200: GapPage, 404: ErrorOut}, summary="Work queue / 帮扶工作清单")
def gaps(
    request: HttpRequest,
    region: str = "",
    year: int | None = None,
    rule: str = "",
    limit: int = 50,
    offset: int = 0,
) -> GapPage:
    node = queries.region_or_root(request.user, region)
    qs = queries.gaps(request.user, node, year or datetime.date.today().year, rule)
    rows, meta = window(qs, limit, offset)
    return GapPage(
        items=[
            GapOut(
                household_id=g.household_id,
                household_no=g.household.household_no,
                rule=g.rule,
                zh=g.zh,
                en=g.en,
            )
            for g in rows
        ],
        **meta,
    )


@router.get("/cadres", response={200: CadrePage, 404: ErrorOut}, summary="Cadres / 帮扶责任人")
def cadres(request: HttpRequest, region: str = "", limit: int = 50, offset: int = 0) -> CadrePage:
    node = queries.region_or_root(request.user, region)
    rows, meta = window(queries.cadres(request.user, node), limit, offset)
    m = masker_for(request.user)
    return CadrePage(
        items=[
            CadreOut(
                cadre_no=c.cadre_no,
                name=c.name,
                id_number=str(m.value("id_number", c.id_number)),
                level=c.level,
                phone=str(m.value("phone", c.phone) or ""),
                region_code=c.region.code,
                load=c.load,
            )
            for c in rows
        ],
        **meta,
    )


@router.post(
    "/visits",
    response={201: VisitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Record a visit / 记录走访",
)
def record_visit(request: HttpRequest, data: VisitIn) -> Status[VisitOut]:
    cadre = getattr(request.user, "cadre", None)
    if cadre is None:
        raise NotPermitted("您的账号未关联帮扶责任人", "your account is not a registered cadre")
    hh = queries.household_for_visit(request.user, data.household_id)
    v = services.record_visit(
        actor=request.user,
        household=hh,
        cadre=cadre,
        date=data.date,
        kind=data.kind,
        notes=data.notes,
        changes=data.changes,
    )
    return Status(
        201, VisitOut(date=v.date, cadre=cadre.name, kind=v.kind, notes=v.notes, changes=v.changes)
    )
