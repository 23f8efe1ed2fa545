"""What the ruler said about a household, for a procedure (an adapter over the stored results of
``lantu.standards``; the procedure has already checked the acting user's scope on the case).

A kind names a rule (``{name: household_exit, must: pass}``) or a kind of rule
(``{kind: monitoring, must: pass}``: any rule of that kind). ``verdict`` reads the latest stored
evaluation of the case's year and says whether the household meets the kind's requirement.
``candidates`` does the same for a whole year at once, in the database (one substring test on the
compact outcome string per household, no Python loop), for the yearly cycle's proposals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from lantu.procedures import subjects
from lantu.procedures.config import Kind
from lantu.procedures.models import Case
from lantu.standards.models import EvaluationRun, HouseholdResult


@dataclass(frozen=True)
class Verdict:
    ok: bool
    zh: str
    en: str
    rules: tuple[str, ...] = ()


def latest_run(year: int) -> EvaluationRun | None:
    return EvaluationRun.objects.filter(year=year).order_by("-started_at", "-id").first()


def _positions(run: EvaluationRun, kind: Kind) -> list[tuple[int, str]]:
    household_rules = [r for r in run.rules if r["level"] == "household"]
    want = kind.rule
    return [
        (i, r["name"])
        for i, r in enumerate(household_rules)
        if r["name"] == want.get("name") or (want.get("kind") and r["kind"] == want["kind"])
    ]


def _wanted(kind: Kind) -> str:
    return "1" if kind.rule.get("must", "pass") == "pass" else "0"


def verdict(kind: Kind, household_id: int, year: int) -> Verdict:
    if not kind.rule:
        return Verdict(True, "本程序不要求标准结果", "this kind needs no ruler result")
    row = (
        HouseholdResult.objects.filter(household_id=household_id, year=year)
        .select_related("run")
        .order_by("-run__started_at", "-run_id")
        .first()
    )
    if row is None:
        return Verdict(
            False,
            f"{year}年尚无该户的标准评估结果（请先运行 lantu evaluate 或 lantu year open）",
            f"no ruler result for this household in {year} (run lantu evaluate or lantu year open)",
        )
    want = _wanted(kind)
    hits = tuple(
        name
        for i, name in _positions(row.run, kind)
        if i < len(row.outcome) and row.outcome[i] == want
    )
    if hits:  # named by the kind, as a person calls it, not by the rule's code
        return Verdict(True, f"符合{kind.zh}的标准", f"meets the standard for {kind.en}", hits)
    need = "满足" if want == "1" else "不满足"
    return Verdict(
        False,
        f"该户{year}年评估结果不符合{kind.zh}的要求（须{need}相应标准）",
        f"the household's {year} result does not meet the requirement of {kind.en} "
        f"(it must {'meet' if want == '1' else 'fail'} the standard)",
    )


def case_verdict(kind: Kind, case: Case) -> Verdict:
    """The ruler on the case's subject: its household, or its village or county."""
    if kind.is_regional:
        return region_verdict(kind, subjects.key(case.subject), case.year)
    return verdict(kind, int(case.household_id or 0), case.year)


def _area_row(run: EvaluationRun, level: str, code: str) -> dict[str, Any] | None:
    key = "village_code" if level == "village" else "county_code"
    rows = run.villages if level == "village" else run.counties
    want = code[:12] if level == "village" else code[:6]
    return next((r for r in rows or [] if str(r.get(key, "")) == want), None)


def region_verdict(kind: Kind, code: str, year: int) -> Verdict:
    """The village's or county's row of the latest run of the year that evaluated it (for a
    county: with the assessment's rates, ``wrong_exit_rate`` present)."""
    name = kind.rule.get("name", "")
    for run in EvaluationRun.objects.filter(year=year).order_by("-started_at", "-id")[:20]:
        row = _area_row(run, kind.subject, code)
        if row is None or (kind.subject == "county" and row.get("wrong_exit_rate") is None):
            continue
        if row.get(name) is True:
            return Verdict(True, f"符合标准（{name}）", f"meets the standard ({name})", (name,))
        failed = str(row.get("failed") or "")
        return Verdict(
            False,
            f"{year}年评估结果不符合{name}（未通过：{failed or '—'}）",
            f"the {year} result does not meet {name} (failed: {failed or '—'})",
        )
    what = "县级评估（三率一度）" if kind.subject == "county" else "标准评估"
    return Verdict(
        False,
        f"{year}年尚无该地区的{what}结果",
        f"no {'assessment' if kind.subject == 'county' else 'ruler'} result for this region "
        f"in {year}",
    )


def candidates(kind: Kind, year: int) -> QuerySet[HouseholdResult]:
    """Results of the year's latest run whose outcome meets the kind's rule."""
    run = latest_run(year)
    if run is None or not kind.rule:
        return HouseholdResult.objects.none()
    cond = Q()
    for i, _name in _positions(run, kind):
        cond |= Q(**{f"c{i}": _wanted(kind)})
    if not cond:
        return HouseholdResult.objects.none()
    qs = HouseholdResult.objects.filter(run=run)
    qs = qs.annotate(**{f"c{i}": Substr("outcome", i + 1, 1) for i, _ in _positions(run, kind)})
    return qs.filter(cond)
