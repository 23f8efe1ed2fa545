"""Today's date, in one place, so that notices, deadlines and escalation can be tested by moving
time (tests replace ``today``) rather than by editing dates in the database.

It is the office's day (``TIME_ZONE``, Asia/Shanghai). On a training install
(``LANTU_TRAINING=1``, which ``lantu demo`` turns on) an administrator may run the clock ahead
(``set_offset``, ledgered) so that a class sees a 公示 end and a deadline pass; a production
install ignores the setting.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lantu.accounts.roles import Role
from lantu.core.errors import NotPermitted, ValidationFailed
from lantu.ledger.services import Change, record

MAX_OFFSET_DAYS = 3660


def training() -> bool:
    return bool(getattr(settings, "LANTU_TRAINING", False))


def offset_days() -> int:
    if not training():
        return 0
    from lantu.procedures.models import TrainingClock

    return int(TrainingClock.objects.values_list("offset_days", flat=True).first() or 0)


def today() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset_days())


@transaction.atomic
def set_offset(*, actor: Any, days: int, reason: str = "") -> int:
    """Run the training clock ``days`` ahead of the calendar (0: back to the calendar)."""
    from lantu.procedures.models import TrainingClock

    if not training():
        raise NotPermitted(
            "只有培训环境可以调整时钟（LANTU_TRAINING=1）",
            "only a training install can move the clock (LANTU_TRAINING=1)",
        )
    if actor is not None and Role.ADMIN.value not in (actor.roles or []):
        raise NotPermitted("只有系统管理员可以调整时钟", "only an administrator can move the clock")
    if not 0 <= days <= MAX_OFFSET_DAYS:
        raise ValidationFailed(
            f"提前天数应在0到{MAX_OFFSET_DAYS}之间", f"days ahead: 0 to {MAX_OFFSET_DAYS}"
        )
    row = TrainingClock.objects.select_for_update().first() or TrainingClock()
    before = {"offset_days": row.offset_days}
    row.offset_days = days
    row.save()
    path = actor.region.path if actor is not None and actor.region_id else ""
    record(Change("clock.set", "procedures.training_clock", str(row.pk), path, before,
                  {"offset_days": days}, reason), actor=actor)  # fmt: skip
    return days
