"""Village and county exit as cases of the one procedure engine (kinds ``village_exit`` and
``county_exit``, ``lantu/procedures/kinds``). The case's subject is the village or the county
(``"village:<code>"``, ``"county:<code>"``: ``lantu.procedures.subjects``); this module is the exit
room's side of it: it opens the cases and registers the hooks. The subject's place is the region
itself, so a village's case is read from the village and above, a county's from the county and
above (never from a village or township inside it); the county's case links to its exit dossier;
the completed case's effect is ``services.region_exited``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lantu.exits import services
from lantu.procedures import clock, engine, subjects
from lantu.procedures.models import Case
from lantu.regions.models import Region


def open(*, actor: Any, kind: str, regions: Iterable[Region], year: int, reason: str = "") -> list[
    Case]:  # fmt: skip
    """One exit case per village (``village_exit``) or for the county (``county_exit``); all or
    none."""
    names = [subjects.region_subject(r) for r in regions]
    return engine.open_subject_cases(actor=actor, kind=kind, names=names, year=year, reason=reason)


def _completed(case: Case, actor: Any) -> None:
    services.region_exited(case, actor=actor, today=clock.today())


def _dossier(case: Case) -> tuple[str, str]:
    return reverse("exits:county", args=[subjects.key(case.subject)]), str(_("退出评估"))


def register() -> None:
    subjects.register("village", subjects.region_hooks("village", completed=_completed))
    subjects.register(
        "county", subjects.region_hooks("county", completed=_completed, link=_dossier)
    )
