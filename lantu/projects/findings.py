"""Running the checks (``lantu.projects.checks``: the ruler's rules) for a region and year and
keeping their findings
in the work queue: a finding already there (same check and key) stays as it is (open, confirmed
or dismissed); a new one opens; an open one no longer found is cleared. One ledger event per run.
A user may confirm a finding (rectification follows) or dismiss it with a reason.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from lantu.accounts.roles import Perm
from lantu.core.bulksql import insert_rows
from lantu.core.errors import Conflict, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.procedures import clock, config
from lantu.projects import checks, services
from lantu.projects.models import Finding, FindingState
from lantu.regions.models import Region


def detect(*, region_path: str, year: int, policy_name: str | None = None) -> pl.DataFrame:
    """All findings of a subtree and year: check, key, project_id, household_id, year,
    region_path; from one evaluation of the ruler (``checks.run_rules``)."""
    name = policy_name or config.default_policy()
    res, records = checks.run_rules(name, year, region_path, clock.today())
    return checks.record_findings(res, records)


def _text(label: str, detail: str, sep: str) -> str:
    """The check's label, and what failed where the rule says more (which 六定 are missing)."""
    return (f"{label}{sep}{detail}" if detail else label)[:300]


@transaction.atomic
def run(*, actor: Any, region: Region, year: int, policy_name: str | None = None) -> dict[str, int]:
    services.authorise(actor, Perm.VIEW, region.path)
    found = detect(region_path=region.path, year=year, policy_name=policy_name)
    stored = Finding.objects.filter(region_path__startswith=region.path)
    known = {(c, k): s for c, k, s in stored.values_list("rule", "key", "state")}
    keys = set(zip(found["check"].to_list(), found["key"].to_list(), strict=True))
    old = pl.DataFrame(list(known), orient="row", schema={"check": pl.String, "key": pl.String})
    new = found.join(old, on=["check", "key"], how="anti")
    now = timezone.now()
    labels = checks.LABELS
    blank = [""] * new.height
    zh = new["zh"].fill_null("").to_list() if "zh" in new.columns else blank
    en = new["en"].fill_null("").to_list() if "en" in new.columns else blank
    insert_rows(
        Finding,
        [
            "rule",
            "key",
            "project",
            "household",
            "region_path",
            "year",
            "zh",
            "en",
            "state",
            "found_at",
            "note",
        ],
        [
            new["check"].to_list(),
            new["key"].to_list(),
            new["project_id"].to_list(),
            new["household_id"].to_list(),
            new["region_path"].to_list(),
            new["year"].to_list(),
            [_text(labels[c][0], d, "：") for c, d in zip(new["check"], zh, strict=True)],
            [_text(labels[c][1], d, ": ") for c, d in zip(new["check"], en, strict=True)],
            ["open"] * new.height,
            [now] * new.height,
            [""] * new.height,
        ],
    )
    gone = [(c, k) for (c, k), s in known.items() if s == FindingState.OPEN and (c, k) not in keys]
    for c, k in gone:
        Finding.objects.filter(rule=c, key=k).update(state=FindingState.CLEARED)
    summary = {"found": found.height, "new": new.height, "cleared": len(gone)}
    record(
        Change(
            "projects.checks",
            "regions.region",
            region.code,
            region.path,
            None,
            summary | {"year": year},
        ),
        actor=actor,
    )
    return summary


@transaction.atomic
def decide(*, actor: Any, finding: Finding, confirm: bool, note: str) -> Finding:
    services.authorise(actor, Perm.EDIT, finding.region_path)
    if not confirm and not note.strip():
        raise ValidationFailed("排除疑点须填写核实意见", "give the reason to dismiss a finding")
    if finding.state not in (FindingState.OPEN,):
        raise Conflict("该疑点已处理", "this finding has been dealt with")
    before = {"state": finding.state}
    finding.state = FindingState.CONFIRMED if confirm else FindingState.DISMISSED
    finding.note = note.strip()[:300]
    finding.save(update_fields=["state", "note"])
    record(
        Change(
            "projects.finding",
            "projects.finding",
            str(finding.pk),
            finding.region_path,
            before,
            {"state": finding.state, "note": finding.note},
        ),
        actor=actor,
    )
    return finding
