"""The fund invariants, checked under row locks before a single write (``services``) or set-wise
for a whole file (``imports``). Each refusal says what to fix in Chinese and English.

- allocated ≤ available, per county, fund source and year;
- disbursed ≤ allocated, per project;
- a household disbursement goes to a registered or monitored household, or to a beneficiary of
  the project.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from lantu.core.errors import InvariantViolated
from lantu.procedures import clock, config
from lantu.projects import checks, codes
from lantu.projects.models import Allocation, Beneficiary, Disbursement, FundAvailability, Project
from lantu.registry.codes import label
from lantu.registry.models import Household

ZERO = Decimal("0.00")


def eligible_statuses(year: int | None = None) -> tuple[str, ...]:
    """Statuses of a household in the registry (建档立卡) or under monitoring (监测对象): the
    ruler's ``eligible_statuses`` (``policies/projects.yaml``), which the batch rule
    ``d_to_eligible`` reads too."""
    pol = checks.policy(config.default_policy())
    return tuple(checks.parameter(pol, "eligible_statuses", year or clock.today().year))


def available(county_id: int, source: str, year: int) -> Decimal:
    row = (
        FundAvailability.objects.select_for_update()
        .filter(county_id=county_id, source=source, year=year)
        .first()
    )
    return Decimal(row.amount) if row is not None else ZERO


def allocated(county_id: int, source: str, year: int, *, excluding: int | None = None) -> Decimal:
    qs = Allocation.objects.filter(project__county_id=county_id, source=source, year=year)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def check_allocation(
    project: Project, source: str, year: int, amount: Decimal, *, replacing: int | None = None
) -> None:
    have = available(project.county_id, source, year)
    used = allocated(project.county_id, source, year, excluding=replacing)
    if used + amount > have:
        name = label(codes.SOURCE, source)
        raise InvariantViolated(
            f"{year}年{name}可用{have}元，已安排{used}元，本次{amount}元将超出可用额度",
            f"{year} {label(codes.SOURCE, source, 'en')}: {have} available, {used} allocated; "
            f"{amount} more would exceed what is available",
        )


def project_totals(project: Project) -> tuple[Decimal, Decimal]:
    """(allocated, disbursed) for a project."""
    a = Allocation.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or ZERO
    d = Disbursement.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or ZERO
    return a, d


def check_disbursement(project: Project, household: Household, amount: Decimal) -> None:
    a, d = project_totals(project)
    if d + amount > a:
        raise InvariantViolated(
            f"项目{project.code}已安排资金{a}元，已发放{d}元，本次{amount}元将超出安排金额",
            f"project {project.code}: {a} allocated, {d} disbursed; {amount} more would exceed "
            "the allocation",
        )
    beneficiary = Beneficiary.objects.filter(project=project, household=household).exists()
    if household.status not in eligible_statuses() and not beneficiary:
        raise InvariantViolated(
            f"户{household.household_no}既不是建档立卡户或监测对象，也不是本项目的受益户，"
            "不能发放到户补助",
            f"household {household.household_no} is neither registered nor monitored, nor a "
            "beneficiary of this project: it cannot receive a household payment",
        )
