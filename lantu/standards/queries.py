"""Reads of stored ruler results, always through the scope filter (``lantu.accounts.scope``).

``results_for_household(user, household)`` answers the household file page's question "why is
this household (not) eligible for exit": the latest stored evaluation of each year, every rule's
outcome, and the failed clauses as reasons in Chinese and English, with the policy version and
content hash that decided it. A household outside the user's subtree raises ``OutOfScope``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lantu.accounts.scope import in_scope
from lantu.registry.models import Household
from lantu.standards.explain import Reason, reasons
from lantu.standards.models import HouseholdResult

DECISIONS = (
    "identification",
    "household_exit",
    "return",
    "monitoring",
    "risk_elimination",
    "exclusion",
    "assurance",
)


@dataclass(frozen=True)
class RuleResult:
    name: str
    kind: str
    zh: str
    en: str
    ref: str
    passed: bool | None  # None: the rule does not apply to this household
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class HouseholdEvaluation:
    year: int
    policy: str
    policy_version: str
    policy_hash: str
    evaluated_at: datetime
    rules: list[RuleResult]

    def of_kind(self, *kinds: str) -> list[RuleResult]:
        return [r for r in self.rules if r.kind in kinds]

    @property
    def decisions(self) -> list[RuleResult]:
        """The rules that decide the household's standing, in a fixed order."""
        order = {k: i for i, k in enumerate(DECISIONS)}
        chosen = [
            r
            for r in self.rules
            if r.kind in order
            and r.passed is not None
            # supporting rules (exclusions, guarantees) only where they fail
            and (order[r.kind] < order["exclusion"] or r.passed is False)
        ]
        return sorted(chosen, key=lambda r: order[r.kind])

    @property
    def quality_problems(self) -> list[RuleResult]:
        return [r for r in self.rules if r.kind == "quality" and r.passed is False]


def _evaluation(row: HouseholdResult) -> HouseholdEvaluation:
    run = row.run
    texts = {k: tuple(v) for k, v in run.clauses.items()}
    failed = ",".join(row.failed)
    by_rule: dict[str, list[Reason]] = {}
    for reason in reasons(failed, texts):  # type: ignore[arg-type]
        by_rule.setdefault(reason.rule, []).append(reason)
    household_rules = [r for r in run.rules if r["level"] == "household"]
    rules = []
    for meta, char in zip(household_rules, row.outcome, strict=False):
        passed = None if char == "-" else char == "1"
        rules.append(
            RuleResult(
                meta["name"], meta["kind"], meta["zh"], meta["en"], meta["ref"], passed,
                by_rule.get(meta["name"], []),
            )
        )  # fmt: skip
    return HouseholdEvaluation(
        row.year, run.policy, run.policy_version, run.policy_hash, run.started_at, rules
    )


def results_for_household(user: Any, household: Household) -> list[HouseholdEvaluation]:
    """The latest stored evaluation of each year for ``household``, newest year first."""
    in_scope(Household.objects.all(), user, household)
    rows = (
        HouseholdResult.objects.filter(household_id=household.pk)
        .select_related("run")
        .order_by("-year", "-run__started_at", "-run_id")
    )
    seen: set[int] = set()
    out = []
    for row in rows[:50]:
        if row.year not in seen:
            seen.add(row.year)
            out.append(_evaluation(row))
    return out
