"""Every write of the project room: keyword-only functions taking the acting user, each writing
its ledger event in the same transaction as the change, all of it or none.

Who may do what: entering projects, beneficiaries, disbursements and assets needs ``Perm.EDIT``
inside the user's region; the money a county has (availability) and its allocation to projects
need ``Perm.APPROVE`` (the county office). The fund invariants are ``lantu.projects.invariants``'s.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from lantu.accounts.roles import Perm
from lantu.core.errors import Conflict, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.projects import codes, invariants
from lantu.projects.models import (
    SIX_FIELDS,
    Allocation,
    Asset,
    Beneficiary,
    Disbursement,
    FundAvailability,
    Project,
    ProjectArea,
    Stage,
)
from lantu.projects.money import to_yuan
from lantu.regions.models import Level, Region
from lantu.registry.models import Household

EDITABLE = (*SIX_FIELDS, "name", "implementer", "start_date", "end_date", "planned_amount")


def authorise(actor: Any, perm: Perm, region_path: str) -> None:
    if actor is None:
        return
    if not actor.can(perm):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")
    scope = actor.region.path if actor.region_id else None
    if scope is None or not region_path.startswith(scope):
        raise OutOfScope()


def _state(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if k != "id"}


def _code(codelist: Any, value: str, zh: str, en: str) -> str:
    if value not in {c.code for c in codelist}:
        opts = "、".join(c.zh for c in codelist)
        raise ValidationFailed(f"{zh}“{value}”无效，可选：{opts}", f"{en} '{value}' is not valid")
    return value


def _county(region: Region) -> Region:
    if region.level != Level.COUNTY:
        raise ValidationFailed(f"{region.name}不是县级区划", f"{region.name} is not a county")
    return region


@transaction.atomic
@transaction.atomic  # all or nothing: the project, its areas, its ledger event and its case
def create_project(
    *,
    actor: Any,
    code: str,
    name: str,
    category: str,
    county: Region,
    year: int,
    areas: list[Region],
    planned_amount: Any = 0,
    open_case: bool = True,
    **fields: Any,
) -> Project:
    """A project proposed to the county library; its lifecycle case opens at 入库审核."""
    _county(county)
    authorise(actor, Perm.EDIT, county.path)
    _code(codes.CATEGORY, category, "项目类别", "category")
    if not areas or any(not a.path.startswith(county.path) for a in areas):
        raise ValidationFailed(
            "请填写项目所在的乡镇或村（须在本县内）",
            "give the townships or villages the project serves (inside the county)",
        )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"未知字段：{sorted(unknown)}", f"unknown fields: {sorted(unknown)}")
    project = Project(
        code=code.strip(),
        name=name.strip(),
        category=category,
        county=county,
        region_path=county.path,
        year=year,
        planned_amount=to_yuan(planned_amount),
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise Conflict(f"项目编号{code}已存在", f"project number {code} already exists") from exc
    ProjectArea.objects.bulk_create(
        ProjectArea(project=project, region=a, region_path=a.path) for a in areas
    )
    after = _state(project) | {"areas": [a.code for a in areas]}
    record(
        Change(
            "project.create", "projects.project", str(project.pk), project.region_path, None, after
        ),
        actor=actor,
    )
    if open_case:
        from lantu.projects import lifecycle

        lifecycle.open(actor=actor, project=project, village=_notice_place(areas))
        project.refresh_from_db()
    return project


def _notice_place(areas: list[Region]) -> Region:
    """Where the project's notice is posted: its first village (or its first area)."""
    villages = [a for a in areas if a.level == Level.VILLAGE]
    return (villages or areas)[0]


@transaction.atomic
def update_project(
    *, actor: Any, project: Project, changes: dict[str, Any], reason: str = ""
) -> Project:
    """Change the 六定 and other editable fields; once approved, the six must stay filled."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    authorise(actor, Perm.EDIT, project.region_path)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"不能修改：{sorted(unknown)}", f"cannot change: {sorted(unknown)}")
    before = _state(project)
    for k, v in changes.items():
        setattr(
            project,
            k,
            to_yuan(v) if k == "planned_amount" else (v.strip() if isinstance(v, str) else v),
        )
    if project.stage in ("approved", "implementing", "completed", "accepted", "assets"):
        missing = project.missing_six()
        if missing:
            raise ValidationFailed(
                "已批复项目的六定内容不能清空", "an approved project's six fixes cannot be emptied"
            )
    project.save()
    record(
        Change(
            "project.update",
            "projects.project",
            str(project.pk),
            project.region_path,
            before,
            _state(project),
            reason,
        ),
        actor=actor,
    )
    return project


@transaction.atomic
def set_stage(
    *, actor: Any, project: Project, stage: str, date: datetime.date | None = None, reason: str = ""
) -> None:
    """The lifecycle mirrors its case's step on the project (called by ``lifecycle`` only)."""
    before = {"stage": project.stage}
    fields: dict[str, Any] = {"stage": stage}
    if stage == Stage.APPROVED:
        fields["notice_date"] = date
    elif stage == Stage.COMPLETED:
        fields["completed_date"] = date
    elif stage == Stage.ACCEPTED:
        fields["accepted_date"] = date
    Project.objects.filter(pk=project.pk).update(**fields)
    for k, v in fields.items():
        setattr(project, k, v)
    record(
        Change(
            "project.stage",
            "projects.project",
            str(project.pk),
            project.region_path,
            before,
            fields,
            reason,
        ),
        actor=actor,
    )


@transaction.atomic
def set_availability(
    *, actor: Any, county: Region, source: str, year: int, amount: Any, document: str = ""
) -> FundAvailability:
    """What a source makes available to the county in a year; never below what is allocated."""
    _county(county)
    authorise(actor, Perm.APPROVE, county.path)
    _code(codes.SOURCE, source, "资金来源", "fund source")
    value = to_yuan(amount)
    row = (
        FundAvailability.objects.select_for_update()
        .filter(county=county, source=source, year=year)
        .first()
    )
    used = invariants.allocated(county.pk, source, year)
    if value < used:
        raise ValidationFailed(
            f"可用金额{value}元少于已安排的{used}元",
            f"{value} available is less than the {used} allocated",
        )
    before = _state(row) if row else None
    if row is None:
        row = FundAvailability(
            county=county, region_path=county.path, source=source, year=year, amount=value
        )
    row.amount, row.document = value, document
    row.save()
    record(
        Change(
            "fund.availability",
            "projects.fundavailability",
            str(row.pk),
            county.path,
            before,
            _state(row),
        ),
        actor=actor,
    )
    return row


@transaction.atomic
def allocate(
    *, actor: Any, project: Project, source: str, year: int, amount: Any, reason: str = ""
) -> Allocation:
    """Funds of a source and year for a project (replacing that source and year's allocation)."""
    authorise(actor, Perm.APPROVE, project.region_path)
    _code(codes.SOURCE, source, "资金来源", "fund source")
    value = to_yuan(amount)
    if value <= 0:
        raise ValidationFailed("安排金额应大于0", "an allocation is more than 0")
    row = (
        Allocation.objects.select_for_update()
        .filter(project=project, source=source, year=year)
        .first()
    )
    invariants.check_allocation(project, source, year, value, replacing=row.pk if row else None)
    before = _state(row) if row else None
    if row is None:
        row = Allocation(
            project=project, region_path=project.region_path, source=source, year=year, amount=value
        )
    else:
        _, disbursed = invariants.project_totals(project)
        a, _ = invariants.project_totals(project)
        if a - row.amount + value < disbursed:
            raise ValidationFailed(
                f"调减后安排金额将少于已发放的{disbursed}元",
                f"the project has disbursed {disbursed} already",
            )
        row.amount = value
    row.save()
    record(
        Change(
            "fund.allocate",
            "projects.allocation",
            str(row.pk),
            project.region_path,
            before,
            _state(row),
            reason,
        ),
        actor=actor,
    )
    return row


@transaction.atomic
def add_beneficiary(
    *, actor: Any, project: Project, household: Household, mechanism: str, expected_amount: Any = 0
) -> Beneficiary:
    authorise(actor, Perm.EDIT, household.region_path)
    if not household.region_path.startswith(project.region_path):
        raise ValidationFailed(
            "受益户不在项目所在县", "the household is not in the project's county"
        )
    _code(codes.MECHANISM, mechanism, "利益联结方式", "benefit mechanism")
    row, _created = Beneficiary.objects.update_or_create(
        project=project,
        household=household,
        defaults={
            "region_path": household.region_path,
            "mechanism": mechanism,
            "expected_amount": to_yuan(expected_amount),
        },
    )
    record(
        Change(
            "project.beneficiary",
            "projects.beneficiary",
            str(row.pk),
            household.region_path,
            None,
            _state(row),
        ),
        actor=actor,
    )
    return row


@transaction.atomic
def disburse(
    *,
    actor: Any,
    project: Project,
    household: Household,
    amount: Any,
    date: datetime.date,
    voucher: str,
    item: str = "",
    payee_name: str = "",
    payee_id_number: str = "",
    bank_account: str = "",
) -> Disbursement:
    """到户补助 to one household: never more than the project's allocation, only to a registered
    or monitored household or a beneficiary of the project."""
    authorise(actor, Perm.EDIT, household.region_path)
    project = Project.objects.select_for_update().get(pk=project.pk)
    value = to_yuan(amount)
    if value <= 0:
        raise ValidationFailed("发放金额应大于0", "a payment is more than 0")
    if not voucher.strip():
        raise ValidationFailed("请填写凭证号", "give the voucher number")
    if Disbursement.objects.filter(project=project, voucher=voucher.strip()).exists():
        raise Conflict(f"凭证号{voucher}已登记", f"voucher {voucher} is already recorded")
    invariants.check_disbursement(project, household, value)
    row = Disbursement.objects.create(
        project=project,
        household=household,
        region_path=household.region_path,
        voucher=voucher.strip(),
        item=item,
        payee_name=payee_name,
        payee_id_number=payee_id_number,
        bank_account=bank_account,
        amount=value,
        date=date,
        year=date.year,
    )
    record(
        Change(
            "fund.disburse",
            "projects.disbursement",
            str(row.pk),
            household.region_path,
            None,
            _state(row),
        ),
        actor=actor,
    )
    return row


@transaction.atomic
def register_asset(
    *,
    actor: Any,
    project: Project,
    name: str,
    kind: str,
    region: Region,
    owner: str,
    custodian: str,
    year: int,
    value: Any = 0,
    household: Household | None = None,
    household_asset: str = "",
    income_distribution: str = "",
) -> Asset:
    authorise(actor, Perm.EDIT, region.path)
    _code(codes.ASSET_KIND, kind, "资产类别", "asset kind")
    if (kind == "household") != (household is not None):
        raise ValidationFailed(
            "到户类资产须填写所属农户，其他资产不填",
            "a household asset names its household; others do not",
        )
    if household_asset:
        _code(codes.HOUSEHOLD_ASSET, household_asset, "到户资产类型", "household asset type")
    if not owner.strip() or not custodian.strip():
        raise ValidationFailed("请填写所有权人和管护责任人", "give the owner and the custodian")
    row = Asset.objects.create(
        project=project,
        region=region,
        region_path=household.region_path if household else region.path,
        name=name,
        kind=kind,
        household=household,
        household_asset=household_asset,
        value=to_yuan(value),
        owner=owner.strip(),
        custodian=custodian.strip(),
        income_distribution=income_distribution,
        year=year,
    )
    record(
        Change("project.asset", "projects.asset", str(row.pk), row.region_path, None, _state(row)),
        actor=actor,
    )
    return row
