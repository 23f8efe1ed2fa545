"""The runs pages as a user reaches them: start from the page, follow the run, its progress
fragment (what the page polls), the result download, re-run; scope and permissions."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.jobs.models import Run
from tests.factories import make_tree, make_user
from tests.jobs import sample_jobs  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    tree = make_tree()
    return {
        "clerk": make_user("clerk", tree["530822100000"], Role.TOWNSHIP_REVIEW),
        "other": make_user("other", tree["530823100000"], Role.TOWNSHIP_REVIEW),
        "viewer": make_user("viewer", tree["530822100000"], Role.SUPERVISOR_VIEW),
    }


def test_start_from_the_page_and_follow_it(client, users):
    client.force_login(users["clerk"])
    page = client.get(reverse("jobs:runs"))
    assert page.status_code == 200 and "test write" in page.content.decode()
    resp = client.post(reverse("jobs:start", args=["test.write"]), {"test.write-n": "2"})
    run = Run.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("jobs:run", args=[run.pk])
    body = client.get(resp["Location"]).content.decode()
    assert "data-poll" in body and "poll.js" in body  # queued: the page keeps asking
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    frag = client.get(reverse("jobs:progress", args=[run.pk])).content.decode()
    assert "data-poll" not in frag and 'value="100"' in frag
    got = client.get(reverse("jobs:result", args=[run.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"ok"
    again = client.post(reverse("jobs:rerun", args=[run.pk]))
    assert again.status_code == 302 and Run.objects.count() == 2


def test_bad_parameters_on_the_page(client, users):
    client.force_login(users["clerk"])
    resp = client.post(reverse("jobs:start", args=["test.write"]), {"test.write-n": "x"})
    assert resp.status_code == 400 and not Run.objects.exists()


def test_others_runs_are_out_of_sight(client, users):
    client.force_login(users["clerk"])
    client.post(reverse("jobs:start", args=["test.write"]), {"test.write-n": "1"})
    run = Run.objects.get()
    client.force_login(users["other"])
    assert client.get(reverse("jobs:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("jobs:progress", args=[run.pk])).status_code == 404
    assert (
        f'href="{reverse("jobs:run", args=[run.pk])}"'
        not in client.get(reverse("jobs:runs")).content.decode()
    )
    client.force_login(users["viewer"])  # in scope, but may not run (or see) this kind
    assert client.get(reverse("jobs:run", args=[run.pk])).status_code == 404
    assert (
        client.post(reverse("jobs:start", args=["test.write"]), {"test.write-n": "1"}).status_code
        == 403
    )
