"""Dates are the office's (Asia/Shanghai): a status change recorded at 01:30 in Yunnan (17:30 UTC
the day before) is dated that Yunnan day, and the page shows it so."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lantu.accounts.roles import Role
from lantu.registry import services
from lantu.registry.models import StatusChange
from tests.factories import make_world

pytestmark = pytest.mark.django_db


def test_status_history_is_dated_in_shanghai(monkeypatch, client):
    w = make_world()
    utc_evening = datetime.datetime(2025, 6, 1, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: utc_evening)
    services.change_status(actor=None, household=w["inside"], to_status="monitored", year=2025,
                           reason="t")  # fmt: skip
    change = StatusChange.objects.filter(household=w["inside"]).latest("id")
    assert change.date == datetime.date(2025, 6, 2)
    client.force_login(w["users"][Role.COUNTY_APPROVAL])
    body = client.get(reverse("registry:household_detail", args=[w["inside"].pk])).content.decode()
    assert "2025-06-02" in body
