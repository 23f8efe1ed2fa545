"""A large export is a background job: the household list offers it instead of the direct
download; started with the list's filters, run by the worker, downloaded from the run page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.jobs import runner
from lantu.jobs.models import Run
from lantu.registry import views
from tests.factories import make_world

pytestmark = pytest.mark.django_db


def test_large_export_runs_as_a_job_with_a_download(client, monkeypatch):
    w = make_world()
    client.force_login(w["users"][Role.COUNTY_APPROVAL])
    url = reverse("registry:household_list")
    small = client.get(url).content.decode()
    assert reverse("registry:household_export") in small and "export-job" not in small
    monkeypatch.setattr(views, "EXPORT_IN_REQUEST", 0)
    page = client.get(url, {"status": "exited"}).content.decode()
    assert 'id="export-job-button"' in page
    assert 'name="registry.export-status" value="exited"' in page
    resp = client.post(reverse("jobs:start", args=["registry.export"]),
                       {"registry.export-status": "exited"})  # fmt: skip
    run = Run.objects.get()
    assert resp.status_code == 302 and run.params == {"status": "exited"}
    # What the worker (lantu worker) does with the queued run; called directly, because the
    # worker command closes the test's database connection on PostgreSQL.
    runner.execute(run.pk)
    got = client.get(reverse("jobs:result", args=[run.pk]))
    assert got.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)), read_only=True)
    text = "\n".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row)
    assert w["inside"].household_no in text and w["outside"].household_no not in text
