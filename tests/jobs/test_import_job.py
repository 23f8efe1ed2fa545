"""A registry import sent to the background: applied by the worker all or nothing; a bad file
fails the run with the count of errors and the link to the error workbook, nothing applied, and
the home page counts it among the week's rejected imports; the run can be re-run."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.jobs.models import Run
from lantu.registry.models import Household
from tests.factories import make_world
from tests.registry.test_views_import import GOOD_ID, _csv, _row

pytestmark = pytest.mark.django_db
IMPORT = reverse("registry:import")


@pytest.fixture(autouse=True)
def _initial_load_mode(monkeypatch):
    """The file gives a new household its status, as a county's first load does (the registry's
    import tests do the same: tests/registry/conftest.py)."""
    from lantu.registry import loadmode

    monkeypatch.setattr(loadmode, "is_open", lambda: True)


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"


def _work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_a_good_file_in_the_background(client):
    user = make_world()["users"][Role.VILLAGE_ENTRY]
    client.force_login(user)
    upload = SimpleUploadedFile("good.csv", _csv([_row()]))
    resp = client.post(IMPORT, {"file": upload, "background": "on"})
    run = Run.objects.get(kind="registry.import")
    assert resp.status_code == 302 and resp["Location"] == reverse("jobs:run", args=[run.pk])
    assert not Household.objects.filter(household_no="NEW001").exists()
    _work()
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.summary["households_created"] == 1
    assert Household.objects.filter(household_no="NEW001").exists()


def test_a_bad_file_fails_the_run_and_applies_nothing(client):
    user = make_world()["users"][Role.VILLAGE_ENTRY]
    client.force_login(user)
    wrong = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    rows = [_row(), _row(household_no="NEW002", id_number=wrong)]
    client.post(IMPORT, {"file": SimpleUploadedFile("bad.csv", _csv(rows)), "background": "on"})
    _work()
    run = Run.objects.get(kind="registry.import")
    assert run.status == "failed"
    assert "处错误，未导入任何数据" in run.error and "/registry/import/errors/" in run.error
    assert not Household.objects.filter(household_no__startswith="NEW").exists()
    home = client.get(reverse("home")).content.decode()
    assert "本周导入失败的文件" in home
    again = client.post(reverse("jobs:rerun", args=[run.pk]))
    assert again.status_code == 302 and Run.objects.filter(rerun_of=run).exists()
