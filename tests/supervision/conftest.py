from __future__ import annotations

import datetime
from typing import Any

import pytest

from lantu.procedures import clock


class Clock:
    def __init__(self, monkeypatch: Any) -> None:
        self.day = datetime.date(2026, 3, 2)
        monkeypatch.setattr(clock, "today", lambda: self.day)

    def advance(self, days: int) -> None:
        self.day += datetime.timedelta(days=days)


@pytest.fixture
def now(monkeypatch: Any) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def world(db: Any, tmp_path: Any, settings: Any) -> dict[str, Any]:
    from tests.factories import make_world

    settings.MEDIA_ROOT = tmp_path / "media"
    return make_world()
