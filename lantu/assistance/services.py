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
from dataclasses import dataclass
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


@dataclass
class MeasureInput:
    """One measure of a plan as a page form gives it (blank values are None)."""

    measure: str
    cadre_no: str = ""
    planned_amount: Decimal | None = None
    actual_amount: Decimal | None = None
    planned_date: datetime.date | None = None
    actual_date: datetime.date | None = None
    status: str = "planned"


FIRST_PLAN_YEAR = 2014  # 建档立卡 began in 2014: no plan, exit or measure before it
MAX_AMOUNT = Decimal("10000000")  # yuan: a figure above this is a typing error, not a measure


def _plan_problems(
    year: int, exit_year: int | None, measures: list[MeasureInput], cadres: dict[str, Cadre]
) -> list[tuple[str, str]]:
    """Everything wrong with a plan as given, all at once (zh, en)."""
    today = datetime.date.today()
    out: list[tuple[str, str]] = []
    if not FIRST_PLAN_YEAR <= year <= today.year + 1:
        span = f"{FIRST_PLAN_YEAR}–{today.year + 1}"
        out.append((f"年度{year}无效（{span}）", f"year {year} is out of range ({span})"))
    if exit_year is not None and not FIRST_PLAN_YEAR <= exit_year <= year + 10:
        out.append((f"计划脱贫年度{exit_year}无效", f"planned exit year {exit_year} is invalid"))
    catalogue, statuses = codes.catalogue(), {c.code for c in codes.MEASURE_STATUS}
    seen: set[str] = set()
    for i, m in enumerate(measures, start=1):
        name = catalogue[m.measure].zh if m.measure in catalogue else m.measure
        at_zh, at_en = f"第{i}项措施（{name}）：", f"measure {i} ({m.measure}): "
        if m.measure not in catalogue:
            out.append((f"{at_zh}帮扶措施目录中没有此项", f"{at_en}not in the measure catalogue"))
        elif m.measure in seen:
            out.append((f"{at_zh}重复", f"{at_en}given twice"))
        seen.add(m.measure)
        if m.cadre_no and m.cadre_no not in cadres:
            out.append((f"{at_zh}干部编号{m.cadre_no}不存在",
                        f"{at_en}cadre number {m.cadre_no} does not exist"))  # fmt: skip
        for amount in (m.planned_amount, m.actual_amount):
            if amount is not None and not Decimal(0) <= amount <= MAX_AMOUNT:
                out.append((f"{at_zh}金额{amount}须在0至{MAX_AMOUNT}元之间",
                            f"{at_en}amount {amount} must be 0 to {MAX_AMOUNT} yuan"))  # fmt: skip
        if m.actual_date is not None and m.actual_date > today:
            out.append((f"{at_zh}实际完成日期不能晚于今天",
                        f"{at_en}the actual date cannot be in the future"))  # fmt: skip
        if m.status not in statuses:
            out.append((f"{at_zh}无效的状态{m.status}", f"{at_en}invalid status {m.status}"))
        if m.status == "done" and m.actual_date is None:
            out.append((f"{at_zh}已完成的措施须填写实际完成日期",
                        f"{at_en}a finished measure needs its actual date"))  # fmt: skip
    return out


def _measure_record(m: PlanMeasure | MeasureInput, cadre_no: str) -> dict[str, Any]:
    return {
        "cadre": cadre_no or None,
        "planned_amount": m.planned_amount,
        "actual_amount": m.actual_amount,
        "planned_date": m.planned_date.isoformat() if m.planned_date else None,
        "actual_date": m.actual_date.isoformat() if m.actual_date else None,
        "status": m.status,
    }


@transaction.atomic
def save_plan(
    *,
    actor: Any,
    household: Household,
    year: int,
    measures: list[MeasureInput],
    planned_exit_year: int | None = None,
    planned_risk_elimination: datetime.date | None = None,
    note: str = "",
) -> Plan:
    """A household's plan of ``year`` as the page form gives it, whole: created or changed, its
    measures added, changed or — when left out — removed. Every problem is reported at once
    (``ValidationFailed``, zh/en) and nothing is written unless all is right; one ledger event
    holds the plan and its measures before and after. A cadre edits only their own households'
    plans (the scope); township and village staff those of their region."""
    _require(actor, Perm.ASSIST)
    household = _household(actor, household)
    wanted = {m.cadre_no for m in measures if m.cadre_no}
    cadres = {c.cadre_no: c for c in Cadre.objects.filter(cadre_no__in=wanted)}
    problems = _plan_problems(year, planned_exit_year, measures, cadres)
    if problems:
        raise ValidationFailed("；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))
    plan = Plan.objects.select_for_update().filter(household=household, year=year).first()
    stored = {m.measure: m for m in plan.measures.select_related("cadre")} if plan else {}
    before: dict[str, Any] | None = None
    if plan is None:
        plan = Plan(household=household, year=year, region_path=household.region_path)
    else:
        before = {
            "planned_exit_year": plan.planned_exit_year,
            "planned_risk_elimination": plan.planned_risk_elimination,
            "note": plan.note,
            "measures": {
                c: _measure_record(m, m.cadre.cadre_no if m.cadre else "")
                for c, m in stored.items()
            },
        }
    plan.planned_exit_year, plan.planned_risk_elimination = (
        planned_exit_year,
        planned_risk_elimination,
    )
    plan.note = note
    plan.save()
    catalogue = codes.catalogue()
    for m in measures:
        row = stored.pop(m.measure, None) or PlanMeasure(plan=plan, measure=m.measure)
        row.cadre = cadres.get(m.cadre_no)
        row.planned_amount, row.actual_amount = m.planned_amount, m.actual_amount
        row.planned_date, row.actual_date, row.status = m.planned_date, m.actual_date, m.status
        row.asset = catalogue[m.measure].asset
        row.save()
    PlanMeasure.objects.filter(pk__in=[m.pk for m in stored.values()]).delete()
    after = {
        "planned_exit_year": planned_exit_year,
        "planned_risk_elimination": planned_risk_elimination,
        "note": note,
        "measures": {m.measure: _measure_record(m, m.cadre_no) for m in measures},
    }
    record(
        Change(
            "plan.edit" if before is not None else "plan.create",
            "plan",
            f"{household.household_no}/{year}",
            household.region_path,
            before=before,
            after=after,
        ),
        actor=actor,
    )
    return plan
