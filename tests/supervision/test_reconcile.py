"""Reconciliation over the application's tables: a clean registry has nothing to report, and every
edit that bypasses the services is found (household fields, members, yearly facts, payments)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection

from lantu.registry.models import HouseholdYear, Member
from lantu.supervision import reconcile
from lantu.supervision.exports import discrepancies_xlsx
from lantu.supervision.models import Discrepancy, DiscrepancyState


def _found(year: int = 2020) -> dict[str, set[str]]:
    out = reconcile.run(actor=None, year=year)
    by: dict[str, set[str]] = {}
    for rec in out.found.to_pylist():
        by.setdefault(rec["check_id"], set()).add(rec["key"])
    return by


def test_a_registry_written_through_the_services_agrees(world):
    assert _found() == {}


def test_a_direct_edit_of_a_household_is_found_and_cleared_when_undone(world):
    hh = world["inside"]
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET status = 'poor' WHERE id = %s", [hh.pk])
    assert _found()["ledger_household_field"] == {str(hh.pk)}
    d = Discrepancy.objects.get(check_id="ledger_household_field")
    assert d.state == DiscrepancyState.OPEN and d.household_id == hh.pk
    assert d.evidence["fields"] == "status" and d.region_path == hh.region_path
    _found()  # found again: the same record
    assert Discrepancy.objects.filter(check_id="ledger_household_field").count() == 1
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET status = 'exited' WHERE id = %s", [hh.pk])
    assert _found() == {}
    d.refresh_from_db()
    assert d.state == DiscrepancyState.RESOLVED


def test_a_member_moved_behind_the_ledger_is_found(world):
    a, b = world["inside"], world["outside"]
    moved = Member.objects.filter(household=b).exclude(relation="head").first()
    assert moved is not None
    Member.objects.filter(pk=moved.pk).update(household=a)  # no service, no event
    found = _found()
    assert found["member_without_event"] == {str(moved.pk)}


def test_a_year_inserted_directly_and_a_size_off_by_one_are_found(world):
    hh = world["inside"]
    row = HouseholdYear.objects.get(household=hh, year=2020)
    row.pk, row.year, row.size = None, 2021, hh.size + 1
    row.save()  # bypassing lantu.registry.services.record_year
    found = _found(2021)
    assert found["year_without_event"] == {f"{hh.pk}:2021"}
    assert found["manual_size_mismatch"] == {f"{hh.pk}:2021"}


def test_a_confirmation_needs_no_note_a_dismissal_does(world):
    hh = world["inside"]
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET bank_account = '1' WHERE id = %s", [hh.pk])
    _found()
    d = Discrepancy.objects.get()
    from lantu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        reconcile.set_state(actor=None, discrepancy=d, state="dismissed", note=" ")
    reconcile.set_state(actor=None, discrepancy=d, state="confirmed", note="")
    _found()
    d.refresh_from_db()
    assert d.state == DiscrepancyState.CONFIRMED  # found again, stays confirmed


def test_rates_and_export(world):
    hh = world["inside"]
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_household SET status = 'poor' WHERE id = %s", [hh.pk])
    _found()
    village = reconcile.rates("village", "")
    by = {r.path: r for r in village}
    assert by[hh.region_path].with_discrepancy == 1 and by[hh.region_path].rate == 1.0
    assert by[world["outside"].region_path].with_discrepancy == 0
    counties = reconcile.rates("county", "")
    assert sum(r.households for r in counties) == 2
    book = openpyxl.load_workbook(io.BytesIO(discrepancies_xlsx("")), read_only=True)
    assert [ws.title for ws in book] == ["账账不符", "县", "乡镇", "村"]
    rows = list(book["账账不符"].iter_rows(values_only=True))
    assert len(rows) == 2 and "台账" in rows[1][0]
    # no personal data in the records: the changed bank account is not in the workbook
    assert all("6228480000000000011" not in str(c) for r in rows for c in r)
