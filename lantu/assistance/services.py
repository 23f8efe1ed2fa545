"""Every write of the assistance room one at a time (pages, API, the cadre's phone): keyword-only
functions taking the acting user, each checking the role and the scope, then changing the tables
and writing its ledger event in the same transaction. Bulk writes are the importers'
(``lantu.assistance.imports``), which record their events the same way.

Rules that decide whether a household is covered (a cadre, a current plan, measures that answer
the causes, visits on time) are not checked here: they are the ruler's (``policies/``), run over
everyone at once by ``lantu.assistance.gaps``. Here only what makes a record impossible is refused:
an unknown measure code, a visit before the pairing, a household outside the actor's scope.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.accounts.scope import get_scoped
from lantu.assistance import codes
from lantu.assistance.models import Cadre, Pairing, Plan, PlanMeasure, TeamMember, Visit, WorkTeam
from lantu.core.errors import InvariantViolated, NotPermitted, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.registry.ids import check_id
from lantu.registry.models import Household


def _require(actor: Any, perm: Perm) -> None:
    if actor is not None and not actor.can(perm):
        raise NotPermitted("您的角色无权进行此操作", "your role may not do this")


def _household(actor: Any, household: Household) -> Household:
    """The household as the actor may see it (a cadre: only their own); a 404 otherwise."""
    if actor is None:
        return household
    return get_scoped(Household.objects.all(), actor, pk=household.pk)


def _event(action: str, obj: Any, path: str, actor: Any, after: dict[str, Any], **kw: Any) -> None:
    record(
        Change(action, type(obj).__name__.lower(), str(obj.pk), path, after=after, **kw),
        actor=actor,
    )


@transaction.atomic
def pair(
    *, actor: Any, cadre: Cadre, household: Household, start: datetime.date, reason: str = ""
) -> Pairing:
    """Make ``cadre`` responsible for ``household`` from ``start``; an open pairing with another
    cadre ends the day before (reassignment, 调整帮扶责任人)."""
    _require(actor, Perm.EDIT)
    household = _household(actor, household)
    current = Pairing.objects.filter(household=household, end_date__isnull=True).first()
    if current is not None and current.cadre_id == cadre.pk:
        return current
    if current is not None:
        if start <= current.start_date:
            raise ValidationFailed(
                f"新结对日期须晚于现结对日期{current.start_date}",
                f"the new pairing must start after the current one ({current.start_date})",
            )
        current.end_date = start - datetime.timedelta(days=1)
        current.end_reason = reason or "调整帮扶责任人 reassigned"
        current.save(update_fields=["end_date", "end_reason"])
    p = Pairing.objects.create(
        cadre=cadre, household=household, region_path=household.region_path, start_date=start
    )
    before = {"cadre": current.cadre.cadre_no} if current else None
    record(
        Change(
            "pairing.create",
            "household",
            str(household.pk),
            household.region_path,
            before=before,
            after={"cadre": cadre.cadre_no, "start": start.isoformat()},
            reason=reason,
        ),
        actor=actor,
    )
    return p


@transaction.atomic
def end_pairing(*, actor: Any, pairing: Pairing, end: datetime.date, reason: str) -> Pairing:
    _require(actor, Perm.EDIT)
    _household(actor, pairing.household)
    if end < pairing.start_date:
        raise ValidationFailed("解除日期早于结对日期", "the end is before the pairing began")
    pairing.end_date, pairing.end_reason = end, reason
    pairing.save(update_fields=["end_date", "end_reason"])
    _event(
        "pairing.end",
        pairing,
        pairing.region_path,
        actor,
        {"end": end.isoformat(), "reason": reason},
    )
    return pairing


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    household: Household,
    year: int,
    planned_exit_year: int | None = None,
    planned_risk_elimination: datetime.date | None = None,
) -> Plan:
    _require(actor, Perm.EDIT)
    household = _household(actor, household)
    if Plan.objects.filter(household=household, year=year).exists():
        raise InvariantViolated(f"该户{year}年度已有帮扶计划", f"a {year} plan already exists")
    plan = Plan.objects.create(
        household=household,
        year=year,
        region_path=household.region_path,
        planned_exit_year=planned_exit_year,
        planned_risk_elimination=planned_risk_elimination,
    )
    _event(
        "plan.create",
        plan,
        plan.region_path,
        actor,
        {"year": year, "planned_exit_year": planned_exit_year},
    )
    return plan


@transaction.atomic
def add_measure(
    *,
    actor: Any,
    plan: Plan,
    measure: str,
    cadre: Cadre | None = None,
    planned_amount: Decimal | None = None,
    planned_date: datetime.date | None = None,
) -> PlanMeasure:
    _require(actor, Perm.EDIT)
    _household(actor, plan.household)
    item = codes.catalogue().get(measure)
    if item is None:
        raise ValidationFailed(f"帮扶措施目录中没有“{measure}”", f"no measure '{measure}'")
    m = PlanMeasure.objects.create(
        plan=plan,
        measure=measure,
        cadre=cadre,
        planned_amount=planned_amount,
        planned_date=planned_date,
        asset=item.asset,
    )
    _event(
        "measure.create",
        m,
        plan.region_path,
        actor,
        {"plan": plan.pk, "measure": measure, "planned_amount": planned_amount},
    )
    return m


@transaction.atomic
def progress_measure(
    *,
    actor: Any,
    measure: PlanMeasure,
    status: str,
    actual_amount: Decimal | None = None,
    actual_date: datetime.date | None = None,
) -> PlanMeasure:
    """A measure's progress: its status, what was actually spent and when it was done."""
    _require(actor, Perm.ASSIST)
    _household(actor, measure.plan.household)
    if status not in {c.code for c in codes.MEASURE_STATUS}:
        raise ValidationFailed(f"无效的状态{status}", f"invalid status {status}")
    before = {"status": measure.status, "actual_amount": measure.actual_amount}
    measure.status, measure.actual_amount = status, actual_amount
    measure.actual_date = actual_date
    measure.save(update_fields=["status", "actual_amount", "actual_date"])
    record(
        Change(
            "measure.progress",
            "planmeasure",
            str(measure.pk),
            measure.plan.region_path,
            before=before,
            after={"status": status, "actual_amount": actual_amount},
        ),
        actor=actor,
    )
    return measure


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    household: Household,
    cadre: Cadre,
    date: datetime.date,
    kind: str = "home",
    notes: str = "",
    changes: str = "",
) -> Visit:
    """A cadre's visit. A cadre records their own visits only; village, township and county staff
    may record one for any cadre paired with the household."""
    _require(actor, Perm.ASSIST)
    household = _household(actor, household)
    own = getattr(actor, "cadre", None) if actor is not None else None
    if own is not None and own.pk != cadre.pk:
        raise NotPermitted("只能记录本人的走访", "you may record only your own visits")
    if date > datetime.date.today():
        raise ValidationFailed("走访日期不能晚于今天", "a visit cannot be in the future")
    if Visit.objects.filter(household=household, cadre=cadre, date=date).exists():
        raise InvariantViolated("当天的走访已记录", "this visit is already recorded")
    v = Visit.objects.create(
        household=household,
        cadre=cadre,
        region_path=household.region_path,
        date=date,
        kind=kind,
        notes=notes,
        changes=changes,
    )
    _event(
        "visit.record",
        v,
        v.region_path,
        actor,
        {
            "household": household.household_no,
            "cadre": cadre.cadre_no,
            "date": date.isoformat(),
            "kind": kind,
            "changes": changes,
        },
    )
    return v


@transaction.atomic
def replace_member(
    *,
    actor: Any,
    team: WorkTeam,
    leaving: Cadre,
    joining: Cadre,
    date: datetime.date,
    reason: str = "replacement",
) -> TeamMember:
    """A mid-term replacement (中途调整): the leaving cadre's row ends, the successor's starts with
    the same role; both stay in the team's history."""
    _require(actor, Perm.EDIT)
    get_scoped(WorkTeam.objects.all(), actor, pk=team.pk) if actor is not None else team
    row = TeamMember.objects.filter(team=team, cadre=leaving, end_date__isnull=True).first()
    if row is None:
        raise ValidationFailed("该干部不在此工作队", "that cadre is not on this team")
    row.end_date, row.end_reason = date - datetime.timedelta(days=1), reason
    row.save(update_fields=["end_date", "end_reason"])
    new = TeamMember.objects.create(team=team, cadre=joining, role=row.role, start_date=date)
    record(
        Change(
            "team.replace",
            "workteam",
            str(team.pk),
            team.region_path,
            before={"cadre": leaving.cadre_no, "role": row.role},
            after={"cadre": joining.cadre_no, "role": row.role, "date": date.isoformat()},
            reason=reason,
        ),
        actor=actor,
    )
    return new


@transaction.atomic
def create_cadre(
    *,
    actor: Any,
    cadre_no: str,
    name: str,
    id_number: str,
    level: str,
    region: Any,
    post: str = "",
    phone: str = "",
    user: Any = None,
) -> Cadre:
    """One cadre, with their ID number checked like a member's (GB 11643)."""
    _require(actor, Perm.EDIT)
    if actor is not None:
        from lantu.regions.models import Region

        get_scoped(Region.objects.all(), actor, path_field="path", pk=region.pk)
    checked = check_id(id_number)
    if checked.error:
        raise ValidationFailed(*checked.error)
    if Cadre.objects.filter(id_number=checked.number).exists():
        raise InvariantViolated("该身份证号已登记为帮扶责任人", "that ID is already a cadre's")
    c = Cadre.objects.create(
        cadre_no=cadre_no,
        name=name,
        id_number=checked.number,
        level=level,
        region=region,
        region_path=region.path,
        post=post,
        phone=phone,
        user=user,
    )
    _event(
        "cadre.create",
        c,
        c.region_path,
        actor,
        {
            "cadre_no": cadre_no,
            "name": name,
            "level": level,
            "user": getattr(user, "username", None),
        },
    )
    return c


@transaction.atomic
def link_user(*, actor: Any, cadre: Cadre, user: Any) -> Cadre:
    """Give a cadre their login: the user then sees the households paired with the cadre."""
    _require(actor, Perm.MANAGE_USERS)
    Cadre.objects.filter(user=user).exclude(pk=cadre.pk).update(user=None)
    cadre.user = user
    cadre.save(update_fields=["user"])
    _event("cadre.link_user", cadre, cadre.region_path, actor, {"user": user.get_username()})
    return cadre
