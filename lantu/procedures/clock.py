"""Today's date, in one place, so that notices, deadlines and escalation can be tested by moving
time (tests replace ``today``) rather than by editing dates in the database."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()
