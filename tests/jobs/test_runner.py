"""The job runner in-process: start (run + queue entry + ledger event in one transaction), the
worker's batch mode, progress and result, a failing job that applies nothing, the sweep of runs a
dead worker left, re-running, permissions and scope."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lantu.accounts.roles import Role
from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.jobs import services
from lantu.jobs.models import Run
from lantu.ledger.models import Event
from lantu.regions.models import Region
from tests.factories import make_tree, make_user
from tests.jobs import sample_jobs  # noqa: F401 - registers the test kinds

pytestmark = pytest.mark.django_db
TOWNSHIP = "530822100000"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def clerk(tree):
    return make_user("clerk", tree[TOWNSHIP], Role.TOWNSHIP_REVIEW)


def _work() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_start_queues_and_the_worker_runs_it(clerk):
    run = services.start(actor=clerk, kind="test.write", params={"n": 3})
    assert run.status == Run.Status.QUEUED and run.task_id
    assert DBTaskResult.objects.filter(id=run.task_id).exists()
    assert Event.objects.filter(action="job.start", object_id=str(run.pk)).exists()
    _work()
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert (run.done, run.total, run.summary) == (6, 6, {"written": 3})
    assert run.started_at and run.finished_at and run.worker
    assert "wrote 3" in run.log and run.result_name == "out.txt"
    assert Region.objects.filter(code__startswith="5399").count() == 3


def test_a_failing_job_applies_nothing_and_says_why(clerk):
    run = services.start(actor=clerk, kind="test.fail", params={"n": 4})
    _work()
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert "boom at 2" in run.error
    assert run.done == 6 and run.total == 8
    assert not Region.objects.filter(code__startswith="5399").exists()


def test_bad_parameters_are_refused_in_both_languages(clerk):
    with pytest.raises(ValidationFailed) as e:
        services.start(actor=clerk, kind="test.write", params={"n": 0})
    assert "参数有误" in e.value.zh and "wrong parameters" in e.value.en
    with pytest.raises(ValidationFailed):
        services.start(actor=clerk, kind="no.such.job")
    assert not Run.objects.exists()


def test_permission_and_scope(tree):
    viewer = make_user("viewer", tree[TOWNSHIP], Role.SUPERVISOR_VIEW)
    with pytest.raises(NotPermitted):
        services.start(actor=viewer, kind="test.write", params={"n": 1})
    clerk = make_user("c2", tree[TOWNSHIP], Role.TOWNSHIP_REVIEW)
    other = tree["530823100000"].path
    with pytest.raises(OutOfScope):
        services.start(actor=clerk, kind="test.write", params={"n": 1}, region_path=other)


def _stale_run(clerk, *, worker: str, age: float) -> Run:
    run = services.start(actor=clerk, kind="test.write", params={"n": 1})
    beat = timezone.now() - datetime.timedelta(seconds=age)
    Run.objects.filter(pk=run.pk).update(status="running", worker=worker, heartbeat_at=beat)
    DBTaskResult.objects.filter(id=run.task_id).update(status="RUNNING")
    return run


def test_sweep_fails_runs_whose_heartbeat_stopped(clerk, settings):
    settings.LANTU_JOBS_STALE = 60
    fresh = _stale_run(clerk, worker="elsewhere:1", age=5)
    stale = _stale_run(clerk, worker="elsewhere:2", age=120)
    assert services.sweep() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "heartbeat" in stale.error
    assert fresh.status == "running"
    assert DBTaskResult.objects.get(id=stale.task_id).status == "FAILED"


def test_sweep_fails_at_once_a_run_whose_process_is_gone(clerk):
    import socket

    gone = subprocess.Popen(["true"])
    gone.wait()
    run = _stale_run(clerk, worker=f"{socket.gethostname()}:{gone.pid}", age=1)
    assert services.sweep() == 1
    run.refresh_from_db()
    assert run.status == "failed"


def test_rerun_starts_a_new_run_with_the_same_parameters(clerk):
    run = services.start(actor=clerk, kind="test.fail", params={"n": 2})
    with pytest.raises(ValidationFailed):
        services.rerun(actor=clerk, run_id=run.pk)  # not finished yet
    _work()
    again = services.rerun(actor=clerk, run_id=run.pk)
    assert again.pk != run.pk and again.rerun_of_id == run.pk and again.params == {"n": 2}
    outsider = make_user("out", Region.objects.get(code="530823100000"), Role.TOWNSHIP_REVIEW)
    with pytest.raises(OutOfScope):
        services.rerun(actor=outsider, run_id=run.pk)
