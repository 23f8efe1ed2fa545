"""A finding's rectification as a case of the one procedure engine (kind ``rectification``,
``lantu/procedures/kinds/rectification.yaml``): the village rectifies and attaches its evidence,
the township reviews, the county closes it (销号). The engine keeps the deadline and raises an
overdue case (督办, ``lantu procedures escalate``); this module is the supervision room's side of
it (``lantu.procedures.subjects``): the finding's state follows its case.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lantu.core.errors import ValidationFailed
from lantu.ledger.services import Change, record
from lantu.procedures import engine, subjects
from lantu.procedures.config import Step
from lantu.procedures.models import Case, Evidence
from lantu.supervision.models import Finding, FindingState

KIND = "rectification"
SUBJECT = "finding"


def subject(finding: Finding) -> str:
    return f"{SUBJECT}:{finding.pk}"


def finding_of(case: Case) -> Finding:
    return Finding.objects.get(pk=subjects.subject_id(case.subject))


def open(finding: Finding, *, reason: str) -> Case:
    """The finding's case, opened by the system on the inspector's behalf (the inspector is not
    the village that acts first); its deadline is the finding's."""
    case = engine.open_subject_case(
        actor=None,
        kind=KIND,
        subject=subject(finding),
        village=finding.village,
        year=finding.deadline.year,
        reason=reason,
    )
    # The owner's step is due on the finding's deadline (not the kind's default days).
    case.case_due = case.step_due = finding.deadline
    case.save(update_fields=["case_due", "step_due"])
    Finding.objects.filter(pk=finding.pk).update(case_id=case.pk)
    finding.case_id = case.pk
    return case


def _set(finding: Finding, state: str, reason: str, actor: Any = None) -> None:
    if finding.state == state:
        return
    before = {"state": finding.state}
    with transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(state=state)
        record(
            Change(
                "supervision.finding.state",
                "supervision.finding",
                str(finding.pk),
                finding.region_path,
                before,
                {"state": state},
                reason,
            ),
            actor=actor,
        )


def _entered(case: Case, step: Step) -> None:
    finding = finding_of(case)
    if step.name != "rectify" or finding.state != FindingState.OPEN:
        _set(finding, FindingState.RECTIFYING, f"案件{case.pk}：{step.zh}")


def _check(case: Case, step: Step) -> None:
    if step.name == "rectify" and not Evidence.objects.filter(case=case, step="rectify").exists():
        raise ValidationFailed(
            "请先上传整改材料（整改报告、照片、凭证等）",
            "attach the rectification evidence (report, photos, vouchers) first",
        )


def _completed(case: Case, actor: Any) -> None:
    _set(finding_of(case), FindingState.CLOSED, f"案件{case.pk}验收销号", actor)


def _closed(case: Case) -> None:
    _set(finding_of(case), FindingState.REJECTED, f"案件{case.pk}整改未通过")


def register() -> None:
    subjects.register(
        SUBJECT,
        subjects.Hooks(entered=_entered, check=_check, completed=_completed, closed=_closed),
    )
