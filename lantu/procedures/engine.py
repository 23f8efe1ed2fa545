"""The procedure engine: one workflow for every kind (``lantu.procedures.config``).

A case moves through its kind's steps. On an *action* step the declared role at the declared
level acts: ``approve`` (the step's required records must be present; on the decision step the
household must meet the kind's ruler rule, or the decision records an override with a reason),
``return`` (back to the previous action step, with a reason) or ``reject`` (closed, with a
reason). Entering a *notice* step puts the case on its village's notice for that day
(``lantu.procedures.notices``); the step is confirmed once the notice has ended with no open
objection. When the last step completes (or the level a change request needs has approved it:
``Kind.ends_at``), the kind's effect is applied to the registry through
``lantu.registry.services`` (status history + ledger event) or, for a change request, through
``lantu.registry.changes``. A case about another subject (a project, a finding, a village or a
county: ``lantu.procedures.subjects``) is opened by ``open_subject_cases`` and its effect is its
room's hooks'.

Every action writes a ``Decision`` and a ledger event in the same transaction. Concurrency is an
optimistic lock: the caller passes the ``version`` it saw; the row is locked and the version
compared inside the transaction, so of two reviewers acting at once one wins and the other gets
``Conflict``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation

from lantu.accounts.roles import ROLE_LABELS, Role
from lantu.core.errors import Conflict, LantuError, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record, record_many
from lantu.procedures import clock, config, notices, requirements, ruler, subjects
from lantu.procedures.config import Kind, Step
from lantu.procedures.models import ACTIVE_STATES, Case, CaseState, Decision, Notice
from lantu.regions.models import Level, Region
from lantu.registry import changes as registry_changes
from lantu.registry import services as registry
from lantu.registry.models import Household

ACTIONS = ("approve", "return", "reject")


def village_of(household: Household) -> Region:
    region = household.region
    if region.level == Level.GROUP and region.parent is not None:
        return region.parent
    return region


def _is_admin(actor: Any) -> bool:
    return Role.ADMIN.value in (getattr(actor, "roles", None) or [])


def _in_scope(actor: Any, region_path: str) -> None:
    if actor is None:
        return
    scope = actor.region.path if getattr(actor, "region_id", None) else None
    if scope is None or not region_path.startswith(scope):
        raise OutOfScope()


def _role_names(role: str) -> tuple[str, str]:
    """A role's name in Chinese and English (messages carry both, whatever the page's language)."""
    label = next((lbl for r, lbl in ROLE_LABELS.items() if r.value == role), role)
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        return zh, str(label)


def _level_names(level: str) -> tuple[str, str]:
    label = Level(level).label if level in Level.values else level
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        return zh, str(label).lower()


def authorise(actor: Any, step: Step, case: Case) -> None:
    """The step's role at the step's level, inside the actor's subtree (system: always)."""
    _in_scope(actor, case.region_path)
    if actor is None or _is_admin(actor):
        return
    role, level = notices.actor_of(step)
    if role not in (actor.roles or []) or actor.region.level != level:
        zh_role, en_role = _role_names(role)
        zh_level, en_level = _level_names(level)
        raise NotPermitted(
            f"此步骤（{step.zh}）须由{zh_level}的{zh_role}办理",
            f"this step ({step.en}) is for {en_role} at {en_level} level",
        )


def _role_of(actor: Any, step: Step) -> str:
    if actor is None:
        return "system"
    roles = actor.roles or []
    return step.role if step.role in roles else (roles[0] if roles else "")


def log(
    case: Case, action: str, *, actor: Any, comment: str = "", data: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None, step: str = "",
) -> Decision:  # fmt: skip
    """The step record (``step``: the one acted on) and its ledger event, in the caller's
    transaction."""
    step = step or case.step
    after = {"step": case.step, "state": case.state, "action": action, "kind": case.kind}
    event = record(
        Change(
            f"procedure.{action}",
            "procedures.case",
            str(case.pk),
            case.region_path,
            before,
            after | ({"data": data} if data else {}),
            comment,
        ),
        actor=actor,
    )
    return Decision.objects.create(
        case=case,
        step=step,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        role=_role_of(actor, config.kind(case.kind).step(step)),
        comment=comment,
        data=data or {},
        event_id=event.pk,
    )


def enter(case: Case, step: Step, *, today: datetime.date) -> None:
    """Put the case on ``step``: its deadline, and its notice if it is a notice step."""
    case.step, case.step_started = step.name, today
    if step.is_notice:
        notice = notices.attach(case, step, today=today)
        case.step_due = notice.end + datetime.timedelta(days=config.common()["notice_confirm_days"])
    else:
        days, _ref = step.days.days(case.year)
        case.step_due = today + datetime.timedelta(days=days) if days else None
    if case.subject:
        subjects.hooks_for(case.subject).entered(case, step)


# --- opening ---------------------------------------------------------------------------------


def _check_openable(kind: Kind, household: Household) -> None:
    if kind.subject != subjects.HOUSEHOLD:
        raise ValidationFailed(f"{kind.zh}的办理对象不是户", f"{kind.en} is not about a household")
    if kind.from_status and household.status not in kind.from_status:
        raise ValidationFailed(
            f"户{household.household_no}的状态（{household.get_status_display()}）"
            f"不能发起{kind.zh}",
            f"household {household.household_no} ({household.status}) cannot start {kind.en}",
        )


def _new_case(kind: Kind, household: Household, *, actor: Any, year: int, clue: datetime.date,
              data: dict[str, Any], today: datetime.date) -> Case:  # fmt: skip
    case = Case(
        kind=kind.slug, household=household, village=village_of(household),
        region_path=household.region_path, year=year, clue_date=clue, step_started=today,
        opened_by=actor if getattr(actor, "pk", None) else None, data=data,
    )  # fmt: skip
    if kind.case_days is not None:
        days, _ref = kind.case_days.days(year)
        case.case_due = clue + datetime.timedelta(days=days)
    return case


@transaction.atomic
def open_cases(
    *, actor: Any, kind: str, households: Iterable[Household], year: int,
    clue_date: datetime.date | None = None, data: dict[str, Any] | None = None, reason: str = "",
) -> list[Case]:  # fmt: skip
    """Open one case per household (a village's batch at once); all or none."""
    k = config.kind(kind)
    today = clock.today()
    first = k.steps[0]
    cases = []
    for hh in households:
        _check_openable(k, hh)
        case = _new_case(k, hh, actor=actor, year=year, clue=clue_date or today,
                         data=dict(data or {}), today=today)  # fmt: skip
        authorise(actor, first, case)
        enter(case, first, today=today)
        cases.append(case)
    return _save_new(cases, actor=actor, first=first, reason=reason)


def _save_new(cases: list[Case], *, actor: Any, first: Step, reason: str) -> list[Case]:
    try:
        with transaction.atomic():
            Case.objects.bulk_create(cases)
    except IntegrityError as exc:
        raise Conflict(
            "其中有户已在办理同类程序",
            "a household already has a running case of this kind",
        ) from exc
    changes = [
        Change("procedure.open", "procedures.case", str(c.pk), c.region_path, None,
               {"kind": c.kind, "household": c.household_id, "region": c.village.code,
                "step": c.step, "year": c.year}, reason)
        for c in cases
    ]  # fmt: skip
    record_many(changes, actor=actor)
    links = [(getattr(c, "_pending_notice", None), c) for c in cases]
    Notice.cases.through.objects.bulk_create(
        Notice.cases.through(notice_id=n.pk, case_id=c.pk) for n, c in links if n is not None
    )
    Decision.objects.bulk_create(
        Decision(case=c, step=c.step, action="open", actor=actor if getattr(actor, "pk", None)
                 else None, role=_role_of(actor, first), comment=reason) for c in cases
    )  # fmt: skip
    return cases


def open_case(*, actor: Any, kind: str, household: Household, year: int, **kw: Any) -> Case:
    return open_cases(actor=actor, kind=kind, households=[household], year=year, **kw)[0]


def _check_subject(kind: Kind, subject: str) -> None:
    if not subject or subjects.type_of(subject) != kind.subject:
        raise ValidationFailed(
            f"{subject}不是{kind.zh}的办理对象", f"{subject} is not a subject of {kind.en}"
        )
    subjects.hooks_for(subject)  # a registered type


@transaction.atomic
def open_subject_cases(
    *, actor: Any, kind: str, names: Iterable[str], year: int, reason: str = "",
    data: dict[str, Any] | None = None, village: Region | None = None,
) -> list[Case]:  # fmt: skip
    """One case per subject of the kind's type (``lantu.procedures.subjects``: ``project:12``,
    ``village:530822100201``), all or none. The case lies where the subject's ``place`` hook
    says (or in ``village``, when the room gives it): that is its scope and where its notices
    are posted. One running case of a kind per subject (a database constraint)."""
    k = config.kind(kind)
    today = clock.today()
    first = k.steps[0]
    cases = []
    for subject in names:
        _check_subject(k, subject)
        where = village or subjects.place(subject)
        case = Case(
            kind=k.slug, subject=subject, village=where, region_path=where.path, year=year,
            clue_date=today, step_started=today, data=dict(data or {}),
            opened_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        authorise(actor, first, case)
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as exc:
            raise Conflict(
                "该对象已在办理同类程序", "this subject already has a running case"
            ) from exc
        enter(case, first, today=today)
        case.save()
        record(Change("procedure.open", "procedures.case", str(case.pk), case.region_path, None,
                      {"kind": kind, "subject": subject, "step": case.step, "year": year}, reason),
               actor=actor)  # fmt: skip
        Decision.objects.create(case=case, step=case.step, action="open", comment=reason,
                                actor=actor if getattr(actor, "pk", None) else None,
                                role=_role_of(actor, first))  # fmt: skip
        cases.append(case)
    return cases


def open_subject_case(
    *, actor: Any, kind: str, subject: str, village: Region | None = None, year: int,
    reason: str = "", data: dict[str, Any] | None = None,
) -> Case:  # fmt: skip
    """One case about another room's subject; ``village``, when given, is where it lies (a
    project's first village), else its type's ``place`` hook says."""
    return open_subject_cases(actor=actor, kind=kind, names=[subject], year=year, reason=reason,
                              data=data, village=village)[0]  # fmt: skip


# --- acting ----------------------------------------------------------------------------------


def _locked(case_id: int, version: int) -> Case:
    case = (
        # Lock the case row only: a region case has no household (an outer join PostgreSQL will
        # not lock).
        Case.objects.select_for_update(of=("self",))
        .select_related("household", "household__region")
        .get(pk=case_id)
    )
    if case.version != version:
        raise Conflict(
            "该案件已被他人处理，请刷新后再办理",
            "someone else acted on this case first: reload it and try again",
        )
    if case.state not in ACTIVE_STATES:
        raise Conflict("该案件已办结", "this case is already closed")
    return case


def _approve(case: Case, step: Step, *, actor: Any, data: dict[str, Any],
             override_reason: str, today: datetime.date) -> None:  # fmt: skip
    if step.is_notice:
        notices.check_concluded(case, today=today)
    if case.state == CaseState.HELD:
        raise Conflict("存在未处理的异议，案件暂停", "an objection is open: the case is on hold")
    case.data = requirements.merge(step, case.data, data)
    if case.subject:
        subjects.hooks_for(case.subject).check(case, step)
    if step.decision and config.kind(case.kind).ruled:  # a household's or a region's result
        v = ruler.case_verdict(config.kind(case.kind), case)
        if not v.ok and not override_reason.strip():
            raise ValidationFailed(
                v.zh + "；如确需批准，请填写理由", v.en + "; to approve anyway, give a reason"
            )
        case.data["ruler"] = {"ok": v.ok, "rules": list(v.rules), "zh": v.zh}
        case.override_reason = "" if v.ok else override_reason.strip()
    k = config.kind(case.kind)
    nxt = k.after(step.name)
    if nxt is None or k.ends_at(step, case.data):
        complete(case, actor=actor, today=today)
    else:
        enter(case, nxt, today=today)


def _require_comment(action: str, comment: str) -> None:
    if not comment.strip():
        raise ValidationFailed(f"{action}须填写理由", f"give a reason to {action}")


def act(
    *, actor: Any, case_id: int, version: int, action: str, comment: str = "",
    data: dict[str, Any] | None = None, override_reason: str = "",
) -> Case:  # fmt: skip
    """One reviewer's action on one case (see the module docstring)."""
    if action not in ACTIONS:
        raise ValidationFailed(f"未知操作{action}", f"unknown action {action}")
    today = clock.today()
    with transaction.atomic():
        case = _locked(case_id, version)
        step = config.kind(case.kind).step(case.step)
        authorise(actor, step, case)
        before = {"step": case.step, "state": case.state}
        logged_step = case.step
        if action == "approve":
            _approve(case, step, actor=actor, data=data or {}, override_reason=override_reason,
                     today=today)  # fmt: skip
        elif action == "return":
            _require_comment("退回", comment)
            back = config.kind(case.kind).before(step.name) or step
            enter(case, back, today=today)
        else:
            _require_comment("不予通过", comment)
            case.state, case.closed_at = CaseState.REJECTED, today
            if case.subject:
                subjects.hooks_for(case.subject).closed(case)
        case.version = F("version") + 1  # type: ignore[assignment]
        case.save()
        case.refresh_from_db()
        log(case, action, actor=actor, comment=comment or override_reason, data=data,
            before=before, step=logged_step)  # fmt: skip
    return case


@dataclass
class BatchResult:
    done: list[int] = field(default_factory=list)
    failed: list[tuple[int, LantuError]] = field(default_factory=list)


def act_many(
    *, actor: Any, items: list[tuple[int, int]], action: str, comment: str = ""
) -> BatchResult:
    """A township approves a batch: each case in its own transaction; failures are reported."""
    out = BatchResult()
    for case_id, version in items:
        try:
            act(actor=actor, case_id=case_id, version=version, action=action, comment=comment)
            out.done.append(case_id)
        except LantuError as exc:
            out.failed.append((case_id, exc))
    return out


# --- completion ------------------------------------------------------------------------------


def complete(case: Case, *, actor: Any, today: datetime.date) -> None:
    """The kind's effect on the registry, through the registry's services (for another subject,
    through its room's hooks)."""
    if case.subject:  # another room's subject: its effect is that room's
        subjects.hooks_for(case.subject).completed(case, actor)
        case.state, case.closed_at = CaseState.COMPLETED, today
        return
    k = config.kind(case.kind)
    eff = k.effect
    hh = case.household
    assert hh is not None  # household kinds only
    reason = f"{k.zh}程序办结（案件{case.pk}） / {k.en} completed (case {case.pk})"
    if eff.get("apply") == "changes":
        registry_changes.apply(actor=actor, household=hh, changes=case.data["changes"],
                               reason=f"{reason}: {case.data.get('reason', '')}")  # fmt: skip
    if eff.get("status"):
        registry.change_status(actor=actor, household=hh, to_status=eff["status"],
                               year=case.year, reason=reason, date=today)  # fmt: skip
    changes: dict[str, Any] = {}
    if eff.get("year_field"):
        changes[eff["year_field"]] = case.year
    if eff.get("data_field"):
        changes[eff["data_field"]] = case.data.get(eff["data_field"], "")
    if changes:
        registry.update_household(actor=actor, household=hh, changes=changes, reason=reason)
    if eff.get("followups"):
        case.data["followups"] = [{"task": t, "done": False} for t in eff["followups"]]
    case.state, case.closed_at = CaseState.COMPLETED, today
