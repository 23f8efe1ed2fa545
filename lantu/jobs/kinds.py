"""Job kinds: the batch work a page may start. A room declares one with the ``job`` decorator in its
own ``jobs`` module (found at start-up by ``JobsConfig.ready``)::

    @job("stats.refresh", label=_("刷新统计"), perm=Perm.EXPORT, form=RefreshForm)
    def refresh(ctx: JobContext, *, year: int) -> JobOutcome:
        for step in ctx.steps(["snapshot", "aggregate", "store"]): ...

The function receives a ``JobContext`` (progress, log, the acting user, the run's region) and the
run's parameters as keyword arguments (JSON values, as the form cleaned them). It must apply its
writes in one transaction (the room's services already do), so that a worker killed half-way leaves
nothing applied; it returns a ``JobOutcome`` (a summary and, optionally, a result file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms

from lantu.accounts.roles import Perm

if TYPE_CHECKING:
    from django.utils.functional import Promise


@dataclass
class JobOutcome:
    summary: dict[str, Any] = field(default_factory=dict)
    file_name: str = ""  # a name for the download; the bytes are in ``data``
    data: bytes = b""
    content_type: str = "application/octet-stream"


JobFunc = Callable[..., JobOutcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Promise | str
    perm: Perm
    func: JobFunc
    form: type[forms.Form] | None = None
    help: Promise | str = ""


KINDS: dict[str, JobKind] = {}


def job(
    name: str,
    *,
    label: Promise | str,
    perm: Perm,
    form: type[forms.Form] | None = None,
    help: Promise | str = "",
) -> Callable[[JobFunc], JobFunc]:
    """Declare a job kind. ``perm`` is the permission a user needs to start it (and to see its
    result); ``form`` the parameters a page asks for."""

    def register(func: JobFunc) -> JobFunc:
        KINDS[name] = JobKind(name=name, label=label, perm=perm, func=func, form=form, help=help)
        return func

    return register


def get(name: str) -> JobKind:
    from lantu.core.errors import ValidationFailed

    kind = KINDS.get(name)
    if kind is None:
        raise ValidationFailed(f"没有名为 {name} 的任务", f"there is no job called {name}")
    return kind


def startable(user: Any) -> list[JobKind]:
    """The kinds this user may start, by label."""
    return sorted((k for k in KINDS.values() if user.can(k.perm)), key=lambda k: str(k.label))
