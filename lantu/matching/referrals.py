"""Findings → procedures: open the right procedure (``facts.yaml``: removal for an exclusion,
monitoring entry for a monitoring rule) for every household of the chosen findings, in bulk,
through the procedure engine's public ``open_cases``; or dismiss findings with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.accounts.scope import scoped
from lantu.core.errors import LantuError
from lantu.ledger.services import Change, record_many
from lantu.matching import facts
from lantu.matching.models import Finding


@dataclass
class Referral:
    opened: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # household_no, zh, en


def _opener(actor: Any) -> Any:
    """Who opens the cases: a county approver refers findings on the county's behalf (the case
    starts at the village, whose first step the approver does not hold), recorded as the
    system with this room's own ledger event naming the approver; anyone else opens as
    themselves, so the procedure engine checks their role and level."""
    return None if actor is not None and actor.can(Perm.APPROVE) else actor


def _open(actor: Any, kind: str, group: list[Finding], year: int, out: Referral) -> None:
    from lantu.procedures.engine import open_cases

    households = {f.household_id: f.household for f in group}
    reason = "部门数据比对发现 / department data finding"
    opener = _opener(actor)
    try:
        open_cases(
            actor=opener, kind=kind, households=households.values(), year=year, reason=reason
        )
        done = list(households)
    except LantuError:
        done = []
        for hh in households.values():  # one by one, to say which household cannot start
            try:
                open_cases(actor=opener, kind=kind, households=[hh], year=year, reason=reason)
                done.append(hh.pk)
            except LantuError as exc:
                out.failed.append((hh.household_no, exc.zh, exc.en))
    referred = [f for f in group if f.household_id in done]
    with transaction.atomic():
        Finding.objects.filter(pk__in=[f.pk for f in referred]).update(status="referred")
        record_many(
            [
                Change(
                    action="matching.refer",
                    object_type="matching.Finding",
                    object_id=str(f.pk),
                    region_path=f.region_path,
                    before={"status": "open"},
                    after={"status": "referred", "procedure": kind},
                    reason=reason,
                )
                for f in referred
            ],
            actor=actor,
        )
    out.opened += len(done)


def refer(*, actor: Any, finding_ids: list[int]) -> Referral:
    chosen = list(
        scoped(Finding.objects.filter(pk__in=finding_ids, status="open"), actor).select_related(
            "household"
        )
    )
    spec = facts.config()["findings"]
    groups: dict[tuple[str, int], list[Finding]] = {}
    for f in chosen:
        groups.setdefault((spec[f.rule]["procedure"], f.year), []).append(f)
    out = Referral()
    for (kind, year), group in sorted(groups.items()):
        _open(actor, kind, group, year, out)
    return out


def dismiss(*, actor: Any, finding_ids: list[int], reason: str) -> int:
    chosen = list(scoped(Finding.objects.filter(pk__in=finding_ids, status="open"), actor))
    with transaction.atomic():
        Finding.objects.filter(pk__in=[f.pk for f in chosen]).update(status="dismissed")
        record_many(
            [
                Change(
                    action="matching.dismiss",
                    object_type="matching.Finding",
                    object_id=str(f.pk),
                    region_path=f.region_path,
                    before={"status": "open"},
                    after={"status": "dismissed"},
                    reason=reason[:200],
                )
                for f in chosen
            ],
            actor=actor,
        )
    return len(chosen)
