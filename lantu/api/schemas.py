"""What the API returns. Personal fields are strings because a masked value is one."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    error: str
    zh: str
    en: str


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class HouseholdOut(Schema):
    id: int
    household_no: str
    region_code: str
    region_name: str
    household_type: str
    status: str
    monitoring_type: str
    registration_year: int | None
    exit_year: int | None
    planned_exit_year: int | None
    relocated: bool
    size: int
    head_name: str
    address: str
    phone: str
    bank_account: str


class MemberOut(Schema):
    id: int
    name: str
    sex: str
    id_number: str
    birth_date: str
    relation: str
    ethnicity: str
    education: str
    schooling: str
    health: str
    disability_grade: str | None
    labour: str
    work: str
    dibao: bool
    tekun: bool
    medical_insurance: bool
    serious_illness_insurance: bool
    pension_insurance: bool
    phone: str
    active: bool
    left_reason: str


class Paged(Schema):
    limit: int
    offset: int
    has_next: bool


class HouseholdPage(Paged):
    items: list[HouseholdOut]


class RegionPage(Paged):
    items: list[RegionOut]


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_in: int
