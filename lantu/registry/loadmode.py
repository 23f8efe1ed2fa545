"""The initial-load (migration) mode, and the rule that outside it a household's status changes
only through its procedure.

A county moving onto Lantu brings its whole register at once, statuses and all (建档立卡 as it
stands): that is the initial load, done in an explicit mode that only an administrator (or the
system console) opens and closes, each a ledger event (``registry.initial_load.open`` /
``.close`` on the object ``registry:initial_load``), so that the ledger shows when statuses were
taken as given. ``lantu load`` of the simulator runs inside it; so does ``lantu import registry
FILE --initial-load``.

Outside the mode an import may not change status: a household new to the registry comes in as
未建档 (not registered) and enters through the identification procedure; a registered household's
status in the file must be the stored one (or blank). Any other status is a row error that names
the procedure to open instead (识别, 脱贫, 监测, 风险消除, 清退, 返贫).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import transaction

from lantu.accounts.roles import Role
from lantu.core.errors import NotPermitted
from lantu.ledger.models import Event
from lantu.ledger.services import Change, record
from lantu.registry import codes
from lantu.registry.columns import BY_NAME
from lantu.registry.reader import ROW
from lantu.registry.validate import RowError

OBJECT = ("registry", "initial_load")
OPEN, CLOSE = "registry.initial_load.open", "registry.initial_load.close"
NEW_STATUS = "not_registered"
PROCEDURE = {  # the procedure whose effect is each status (lantu/procedures/kinds)
    "poor": ("识别", "identification"),
    "exited": ("脱贫退出", "household exit"),
    "monitored": ("监测对象识别", "monitoring"),
    "risk_eliminated": ("风险消除", "risk elimination"),
    "removed": ("清退", "removal"),
    "returned": ("返贫", "return to poverty"),
}
LABEL = {c.code: c.zh for c in codes.STATUS}


def is_open() -> bool:
    last = (
        Event.objects.filter(object_type=OBJECT[0], object_id=OBJECT[1])
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == OPEN


def _authorise(actor: Any) -> None:
    if actor is not None and Role.ADMIN not in (getattr(actor, "roles", None) or []):
        raise NotPermitted(
            "只有系统管理员可开启或关闭初始导入模式",
            "only an administrator may open or close the initial-load mode",
        )


def set_mode(*, actor: Any, open_: bool, reason: str) -> None:
    _authorise(actor)
    with transaction.atomic():
        was = is_open()
        if was == open_:
            return
        record(
            Change(OPEN if open_ else CLOSE, *OBJECT, "", {"open": was}, {"open": open_}, reason),
            actor=actor,
        )


@contextmanager
def initial_load(*, actor: Any, reason: str) -> Iterator[None]:
    """Run the block in the initial-load mode; opened and closed here unless already open."""
    already = is_open()
    if not already:
        set_mode(actor=actor, open_=True, reason=reason)
    try:
        yield
    finally:
        if not already:
            set_mode(actor=actor, open_=False, reason=reason)


def status_errors(folded: pl.DataFrame, stored: dict[str, str]) -> list[RowError]:
    """Row errors for statuses an import may not set outside the initial-load mode."""
    if "status" not in folded.columns:
        return []
    errors: list[RowError] = []
    for row, no, status in folded.select(ROW, "household_no", "status").iter_rows():
        before = stored.get(no, NEW_STATUS)
        if status is None or status == before:
            continue
        errors.append(_error(row, no, status, before, no not in stored))
    return errors


def _error(row: int, no: str, status: str, before: str, new: bool) -> RowError:
    zh_proc, en_proc = PROCEDURE.get(status, ("相应", "the matching"))
    if new:
        zh = (
            f"新户{no}只能以“未建档”导入，再经“{zh_proc}”程序变为“{LABEL.get(status, status)}”"
            "（或由管理员在初始导入模式下导入）"
        )
        en = (
            f"household {no} is new: import it as 未建档 (not registered), then open the "
            f"{en_proc} procedure (or an administrator imports it in the initial-load mode)"
        )
    else:
        zh = (
            f"户{no}的状态不能通过导入由“{LABEL.get(before, before)}”改为"
            f"“{LABEL.get(status, status)}”：请在“程序”中发起“{zh_proc}”程序"
        )
        en = (
            f"household {no}: an import cannot change its status from {before} to {status}; "
            f"open the {en_proc} procedure instead"
        )
    return RowError(row, BY_NAME["status"].zh, LABEL.get(status, status), zh, en)  # fmt: skip
