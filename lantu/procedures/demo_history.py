"""A ready-made history for the demo and training installs: cases standing at every step of a
kind, some with their notices already concluded, some overdue, and change requests waiting at
each level, so that a newcomer sees full queues and can finish a notice in the first minutes.

Every case is driven through the one engine by the demo's own users (village, township,
county), with the procedures' clock set back to the days the steps were taken: for each step of
each kind, one case that reached it recently (on time, its notice running) and one that reached
it long ago (overdue; its earlier notices concluded). Each step's record is what a person would
enter (all five checks, the three votes, the consent, a comparison note); where the ruler's
result does not support a decision, the decision records that it was demo data. Nothing here
runs outside ``lantu demo``.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import Any

from lantu.core.errors import LantuError
from lantu.procedures import changes, clock, config, engine, requirements
from lantu.procedures.config import Kind, Step
from lantu.procedures.models import ACTIVE_STATES, Case
from lantu.registry import codes
from lantu.registry.models import Household

KINDS = ("monitoring", "household_exit", "return", "risk_elimination")
LONG_AGO_DAYS = 60
DEMO_NOTE = "演示数据 / demo data"


@contextlib.contextmanager
def _on(day: datetime.date) -> Iterator[None]:
    real = clock.today
    clock.today = lambda: day  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.today = real  # type: ignore[assignment]


def _record(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if "checklist" in step.requires:
        data["checklist"] = dict.fromkeys(requirements.CHECKS, True)
    if "votes" in step.requires:
        data["votes"] = {b: {"for": 9, "against": 0} for b in requirements.BODIES}
    if "consent" in step.requires:
        data["consent"] = True
    if "comparison" in step.requires:
        data["comparison"] = "民政、人社、不动产数据已比对，未见异常"
    if "monitoring_type" in step.requires:
        data["monitoring_type"] = codes.MONITORING_TYPE[0].code
    return data


def _advance(case: Case, kind: Kind, users: dict[str, Any], day: datetime.date) -> Case:
    """One step of ``case`` on ``day``: a notice is confirmed the day after it ended."""
    step = kind.step(case.step)
    if step.is_notice:
        notice = case.notices.filter(step=step.name).order_by("-start").first()
        day = max(day, notice.end + datetime.timedelta(days=1)) if notice else day
    actor = users["village" if step.is_notice else step.level]
    with _on(day):
        return engine.act(actor=actor, case_id=case.pk, version=case.version, action="approve",
                          data=_record(step), override_reason=DEMO_NOTE)  # fmt: skip


def _drive(kind: Kind, hh: Household, users: dict[str, Any], steps: int, start: datetime.date,
           year: int) -> datetime.date:  # fmt: skip
    """Open a case on ``start`` and take it ``steps`` steps, a day or two apart."""
    with _on(start):
        case = engine.open_case(actor=users["village"], kind=kind.slug, household=hh, year=year,
                                reason=DEMO_NOTE)  # fmt: skip
    day = start
    for _ in range(steps):
        day += datetime.timedelta(days=1)
        case = _advance(case, kind, users, day)
        day = max(day, case.step_started)
    return day


def _span(kind: Kind, steps: int, year: int) -> int:
    """Days that taking ``steps`` steps takes: a day per action, a notice's length per notice."""
    return sum(max(s.days.days(year)[0], 1) if s.is_notice else 1 for s in kind.steps[:steps])


def _households(kind: Kind, village: Any) -> Iterator[Household]:
    busy = Case.objects.filter(kind=kind.slug, state__in=ACTIVE_STATES).values("household_id")
    qs = Household.objects.filter(region_path__startswith=village.path, status__in=kind.from_status)
    yield from qs.exclude(pk__in=busy).select_related("region", "region__parent").order_by("id")


def make(*, users: dict[str, Any], year: int) -> dict[str, int]:
    """Cases at every step of each of ``KINDS`` in the village user's village (see above)."""
    today = clock.today()
    village = users["village"].region
    made: dict[str, int] = {}
    for slug in KINDS:
        kind = config.kind(slug)
        pool = _households(kind, village)
        for steps in range(len(kind.steps) + 1):
            for recent in (True, False):
                hh = next(pool, None)
                if hh is None:
                    break
                ago = _span(kind, steps, year) + 1 if recent else LONG_AGO_DAYS
                start = today - datetime.timedelta(days=ago)
                try:
                    _drive(kind, hh, users, steps, start, year)
                except LantuError:
                    continue  # a household the kind's checks refuse: the next one
                made[slug] = made.get(slug, 0) + 1
    made["change_request"] = _change_requests(users, village)
    return made


def _change_requests(users: dict[str, Any], village: Any) -> int:
    """Change requests waiting for the township and for the county."""
    n = 0
    qs = Household.objects.filter(region_path__startswith=village.path).order_by("-id")
    wanted: list[dict[str, Any]] = [{"address": "新址：村委会旁"}, {"relocated": True}]
    for hh, facts in zip(qs[:2], wanted, strict=False):
        try:
            changes.request_change(
                actor=users["village"], household=hh, facts=facts, members={},
                reason="入户走访时户主反映 / learned at a home visit",
            )  # fmt: skip
            n += 1
        except LantuError:
            continue
    return n
