"""Cases about something other than a household (a project, …): the room that owns the subject
registers its hooks here, and the one engine calls them.

A subject is named ``"<type>:<id>"`` on the case (``Case.subject``). For its type, a room gives:

- ``entered(case, step)``: the case has moved onto ``step`` (the room mirrors the stage);
- ``check(case, step)``: before ``step`` is approved; raise a ``LantuError`` saying what is
  missing (a project's 六定 before approval, its acceptance evidence before 验收);
- ``completed(case, actor)``: the last step is done: the room's effect, with its ledger event;
- ``closed(case)``: the case was rejected.

Household cases never come here: their checks are the ruler's and their effect the registry's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lantu.core.errors import ValidationFailed


def _none(*args: Any, **kwargs: Any) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    entered: Callable[..., None] = _none
    check: Callable[..., None] = _none
    completed: Callable[..., None] = _none
    closed: Callable[..., None] = _none


HOOKS: dict[str, Hooks] = {}


def register(subject_type: str, hooks: Hooks) -> None:
    HOOKS[subject_type] = hooks


def hooks_for(subject: str) -> Hooks:
    kind = subject.split(":", 1)[0]
    if kind not in HOOKS:
        raise ValidationFailed(f"未登记的办理对象类型{kind}", f"unknown case subject type {kind}")
    return HOOKS[kind]


def subject_id(subject: str) -> int:
    return int(subject.split(":", 1)[1])
