"""Backup and restore round-trip on the database under test (SQLite, or PostgreSQL with
LANTU_DATABASE_URL): data written after the backup is gone after the restore, data from before
is back, and the ledger verifies."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.management import call_command
from django.db import transaction

from lantu.ledger.services import verify
from lantu.registry.models import Household
from tests.factories import make_household, make_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_then_restore_round_trips(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    village = make_tree()["530822100201"]
    kept = make_household(village, size=2)
    path = tmp_path / "lantu.backup"
    call_command("backup", str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and path.stat().st_size > 0
    later = make_household(village, size=2)
    with transaction.atomic():
        Household.objects.filter(pk=kept.pk).update(address="改动")
    call_command("restore", str(path), "--yes")
    assert set(Household.objects.values_list("pk", flat=True)) == {kept.pk}
    assert Household.objects.get(pk=kept.pk).address == kept.address
    assert later.pk not in set(Household.objects.values_list("pk", flat=True))
    assert verify()[1] == []


def test_restore_of_a_missing_file_says_so(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "none"), "--yes")
