"""Households and their members, with the same filters as the household list page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from lantu.accounts.roles import Perm
from lantu.api.auth import require
from lantu.api.paging import window
from lantu.api.schemas import ErrorOut, HouseholdOut, HouseholdPage, MemberOut
from lantu.registry import queries, throttle
from lantu.registry.masking import Masker, masker_for
from lantu.registry.models import Household, Member
from lantu.registry.queries import HouseholdFilter

router = Router()


class Filters(Schema):
    region: str = ""
    status: str = ""
    household_type: str = ""
    cause: str = ""
    year: int | None = None
    registration_year: int | None = None
    q: str = ""


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def household_out(h: Household, m: Masker) -> HouseholdOut:
    fields = {name: getattr(h, name) for name in HouseholdOut.model_fields if hasattr(h, name)}
    fields |= {"region_code": h.region.code, "region_name": h.region.name}
    for name in ("phone", "bank_account"):
        fields[name] = _str(m.value(name, fields[name]))
    return HouseholdOut(**fields)


def member_out(x: Member, m: Masker) -> MemberOut:
    fields = {name: getattr(x, name) for name in MemberOut.model_fields}
    for name in ("id_number", "birth_date", "health", "phone"):
        fields[name] = _str(m.value(name, fields[name]))
    grade = m.value("disability_grade", x.disability_grade)
    fields["disability_grade"] = None if grade is None else str(grade)
    return MemberOut(**fields)


@router.get(
    "", response={200: HouseholdPage, 404: ErrorOut, 429: ErrorOut}, summary="Households / 户列表"
)
def list_households(
    request: HttpRequest, filters: Query[Filters], limit: int = 50, offset: int = 0
) -> HouseholdPage:
    require(request, Perm.VIEW)
    if filters.q:
        throttle.check_search(request.user)
    qs = queries.households(request.user, HouseholdFilter(**filters.dict()))
    rows, meta = window(qs, limit, offset)
    m = masker_for(request.user)
    return HouseholdPage(items=[household_out(h, m) for h in rows], **meta)


@router.get("/{pk}", response={200: HouseholdOut, 404: ErrorOut}, summary="One household / 户")
def get_household(request: HttpRequest, pk: int) -> HouseholdOut:
    require(request, Perm.VIEW)
    return household_out(queries.household(request.user, pk), masker_for(request.user))


@router.get(
    "/{pk}/members",
    response={200: list[MemberOut], 404: ErrorOut},
    summary="Members of a household / 家庭成员",
)
def list_members(request: HttpRequest, pk: int) -> list[MemberOut]:
    require(request, Perm.VIEW)
    hh = queries.household(request.user, pk)
    m = masker_for(request.user)
    return [member_out(x, m) for x in queries.members(request.user, hh)]
