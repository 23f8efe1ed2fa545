"""Outside the initial-load mode, statuses change only through procedures: an import that sets
or changes a status is refused with a row error naming the procedure; the mode is opened and
closed only by an administrator (or the console), each time a ledger event."""

import pytest

from lantu.accounts.roles import Role
from lantu.core.errors import NotPermitted
from lantu.ledger.models import Event
from lantu.registry.imports import import_file
from lantu.registry.loadmode import initial_load, is_open, set_mode
from lantu.registry.models import Household
from tests.factories import COUNTY, make_tree, make_user
from tests.registry.test_imports import household, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    tree = make_tree()
    rows = household("S001")
    with initial_load(actor=None, reason="the county's first load"):
        assert import_file(to_csv(rows), "first.csv", actor=None).ok
    assert not is_open()
    return tree | {"rows": rows}


def test_reimport_changing_status_is_refused(closed):
    rows = [dict(r) for r in closed["rows"]]
    rows[0]["status"] = "已销户"
    report = import_file(to_csv(rows), "changed.csv", actor=None)
    assert not report.ok
    [error] = [e for e in report.errors if e.column == "户状态"]
    assert "程序" in error.zh and "procedure" in error.en
    assert Household.objects.get(household_no="S001").status == "poor"


def test_unchanged_status_reimports(closed):
    rows = [dict(r) for r in closed["rows"]]
    rows[0]["wage_income"] = "4100"
    rows[0]["total_income"] = ""
    report = import_file(to_csv(rows), "same.csv", actor=None)
    assert report.ok, report.errors


def test_new_household_cannot_come_in_as_monitored(closed):
    rows = household("S002", status="监测对象")
    report = import_file(to_csv(rows), "new.csv", actor=None)
    assert not report.ok and any("未建档" in e.zh for e in report.errors)
    ok = import_file(to_csv(household("S003", status="未建档")), "new.csv", actor=None)
    assert ok.ok, ok.errors
    assert Household.objects.get(household_no="S003").status == "not_registered"


def test_mode_is_admin_only_and_ledgered(closed):
    county = closed[COUNTY]
    clerk = make_user("clerk", county, Role.COUNTY_APPROVAL)
    admin = make_user("boss", county, Role.ADMIN)
    with pytest.raises(NotPermitted):
        set_mode(actor=clerk, open_=True, reason="try")
    with initial_load(actor=admin, reason="migrating township 2"):
        assert is_open()
        rows = household("S004", status="监测对象")
        assert import_file(to_csv(rows), "load.csv", actor=admin).ok
    assert not is_open()
    modes = list(
        Event.objects.filter(object_type="registry").values_list("action", "actor_name", "reason")
    )
    assert modes[-2:] == [
        ("registry.initial_load.open", "boss", "migrating township 2"),
        ("registry.initial_load.close", "boss", "migrating township 2"),
    ]


def test_command_opens_and_closes_with_a_reason(closed):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("initial_load", "open")
    call_command("initial_load", "open", reason="township 3 joins")
    assert is_open()
    call_command("initial_load", "close", reason="township 3 loaded")
    assert not is_open()
