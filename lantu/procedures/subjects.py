"""Cases about something other than a household: a project, a supervision finding, a village or a
county (their exit). The room that owns the subject registers its hooks here, and the one engine
and the procedures' pages call them.

A subject is named ``"<type>:<key>"`` on the case (``Case.subject``): ``project:12``,
``finding:7``, ``village:530822100201``, ``county:530822000000``. The type is the kind's
``subject`` in its YAML (``lantu/procedures/kinds``), so the engine refuses a subject of another
type. For its type, a room gives:

- ``place(subject)``: the region the subject lies in. The case's ``village`` and ``region_path``
  are set from it when the case opens, and ``region_path`` is the case's scope: the case is read
  by exactly the users whose region is that region or above it (``lantu.accounts.scope``), and
  its notices are posted there. A room may instead pass the place when it opens the case (a
  project's first village);
- ``name(case)``: how the case's subject is shown (page titles, lists, the public notice);
- ``link(case)``: the subject's own page and the link's text (in the page's language), or
  ``("", "")``;
- ``listed``: whether its cases are worked in the procedures' own pages (the queue, the case
  page, the public notice's entries) rather than in the room's pages (projects, findings);
- ``entered(case, step)``: the case has moved onto ``step`` (the room mirrors the stage);
- ``check(case, step)``: before ``step`` is approved; raise a ``LantuError`` saying what is
  missing (a project's 六定 before approval, its acceptance evidence before 验收);
- ``completed(case, actor)``: the last step is done: the room's effect, with its ledger event;
- ``closed(case)``: the case was rejected.

A region (village or county) is named by its type, its level, and its 12-digit code:
``region_hooks(level)`` gives the parts every region subject shares (its place is the region,
its name the region's name), and the room that owns the procedure (the exits room, for village
and county exit) adds the rest. The level is the type rather than one ``region:`` type so that
the kind's ``subject`` names the level it accepts and the subject string cannot disagree with it.

Household cases never come here: their checks are the ruler's and their effect the registry's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from lantu.core.errors import ValidationFailed
from lantu.regions.models import Region

if TYPE_CHECKING:
    from lantu.procedures.models import Case

HOUSEHOLD = "household"
REGION_LEVELS = ("village", "county")


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _village_name(case: Case) -> str:
    return str(case.village.name)


def _no_link(case: Case) -> tuple[str, str]:
    return "", ""


@dataclass(frozen=True)
class Hooks:
    entered: Callable[..., None] = _none
    check: Callable[..., None] = _none
    completed: Callable[..., None] = _none
    closed: Callable[..., None] = _none
    place: Callable[[str], Region] | None = None
    name: Callable[[Case], str] = _village_name
    link: Callable[[Case], tuple[str, str]] = _no_link
    listed: bool = False


HOOKS: dict[str, Hooks] = {}


def register(subject_type: str, hooks: Hooks) -> None:
    HOOKS[subject_type] = hooks


def type_of(subject: str) -> str:
    return subject.split(":", 1)[0]


def hooks_for(subject: str) -> Hooks:
    kind = type_of(subject)
    if kind not in HOOKS:
        raise ValidationFailed(f"未登记的办理对象类型{kind}", f"unknown case subject type {kind}")
    return HOOKS[kind]


def key(subject: str) -> str:
    return subject.split(":", 1)[1]


def subject_id(subject: str) -> int:
    return int(key(subject))


def place(subject: str) -> Region:
    """The region the subject lies in (its scope), from its type's hook."""
    hooks = hooks_for(subject)
    if hooks.place is None:
        raise ValidationFailed(
            f"办理对象{subject}须指明所在村", f"the place of subject {subject} must be given"
        )
    return hooks.place(subject)


def name(case: Case) -> str:
    """How the case's subject is shown: the household's head, or the subject's own name."""
    if case.household_id is not None:
        return str(case.household.head_name)  # type: ignore[union-attr]
    return hooks_for(case.subject).name(case)


def link(case: Case) -> tuple[str, str]:
    """(address, text) of the subject's own page, or ``("", "")`` (a household's page is the
    registry's, linked by the pages themselves)."""
    return hooks_for(case.subject).link(case) if case.subject else ("", "")


def listed() -> Q:
    """The cases worked in the procedures' own pages: households', and the listed subjects'."""
    cond = Q(subject="")
    for t, hooks in sorted(HOOKS.items()):
        if hooks.listed:
            cond |= Q(subject__startswith=f"{t}:")
    return cond


def is_listed(subject: str) -> bool:
    return not subject or hooks_for(subject).listed


# --- villages and counties --------------------------------------------------------------------


def region_subject(region: Region) -> str:
    """The subject naming a village or a county: ``"<level>:<code>"``."""
    if region.level not in REGION_LEVELS:
        raise ValidationFailed(
            f"{region.name}不是村或县，不能作为办理对象",
            f"{region.name} is not a village or county: it cannot be a case's subject",
        )
    return f"{region.level}:{region.code}"


def _region_place(level: str) -> Callable[[str], Region]:
    def place(subject: str) -> Region:
        region = Region.objects.filter(code=key(subject), level=level).first()
        if region is None:
            raise ValidationFailed(
                f"没有代码为{key(subject)}的{level}", f"no {level} {key(subject)}"
            )
        return region

    return place


def region_hooks(level: str, **room: Any) -> Hooks:
    """A village's or county's hooks: its place is the region itself (so its case is read from the
    region and above), its name the region's, its cases worked in the procedures' pages; the
    owning room's hooks (``completed``, ``link``, …) in ``room``."""
    base = Hooks(place=_region_place(level), name=_village_name, listed=True)
    return replace(base, **room)
