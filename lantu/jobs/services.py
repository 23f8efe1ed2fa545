"""Every write to the job tables: starting a run (and re-running one), and marking runs whose
worker died as failed. Starting writes the ``Run`` row, its queue entry (django-tasks-db) and a
ledger event in one transaction: a run is queued exactly when it is recorded.

A worker that is killed (power cut, OOM killer, ``kill -9``) cannot say so. Its runs stay
``running`` with a heartbeat that stops moving; ``sweep`` marks such runs failed — at once when the
worker's process is gone on this host, and for a worker on another host once its heartbeat is older
than ``LANTU_JOBS_STALE`` seconds. The job's own transaction died with the process, so nothing of
it is applied, and the run can be started again (``rerun``)."""

from __future__ import annotations

import datetime
import os
import socket
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lantu.accounts.scope import scope_path
from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.jobs import kinds
from lantu.jobs.models import Run
from lantu.ledger.services import Change, record

STALE_ERROR = (
    "执行进程已停止（心跳中断），任务未完成，未写入任何结果；可重新运行。\n"
    "The worker stopped (no heartbeat): the job did not finish and applied nothing; run it again."
)


def _check(actor: Any, kind: kinds.JobKind, region_path: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.can(kind.perm):
        raise NotPermitted("您的角色无权运行此任务", "your role may not run this job")
    own = scope_path(actor)
    if own is None or not region_path.startswith(own):
        raise OutOfScope()


def start(*, actor: Any, kind: str, params: dict[str, Any] | None = None,
          region_path: str | None = None, rerun_of: Run | None = None) -> Run:  # fmt: skip
    """Record and queue a run of ``kind`` for the actor's region (or a region inside it)."""
    from lantu.jobs.tasks import execute_run

    job = kinds.get(kind)
    path = region_path or scope_path(actor) or ""
    _check(actor, job, path)
    params = dict(params or {})
    if job.form is not None:
        form = job.form(data=params)
        if not form.is_valid():
            wrong = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            raise ValidationFailed(f"参数有误：{wrong}", f"wrong parameters: {wrong}")
        params = {k: _jsonable(v) for k, v in form.cleaned_data.items() if v not in ("", None)}
    with transaction.atomic():
        run = Run.objects.create(
            kind=kind, params=params, started_by=actor, region_path=path, rerun_of=rerun_of
        )
        record(
            Change("job.start", "job_run", str(run.pk), path, after={"kind": kind, **params}),
            actor=actor,
        )
        result = execute_run.enqueue(run.pk)
        Run.objects.filter(pk=run.pk).update(task_id=str(result.id))
    run.refresh_from_db()
    return run


def rerun(*, actor: Any, run_id: int) -> Run:
    """Start a finished run again with the same parameters, for the same region."""
    old = Run.objects.filter(pk=run_id).first()
    if old is None or (own := scope_path(actor)) is None or not old.region_path.startswith(own):
        raise OutOfScope()
    if not old.finished:
        raise ValidationFailed("任务尚未结束，不能重新运行", "the run has not finished yet")
    return start(actor=actor, kind=old.kind, params=old.params, region_path=old.region_path,
                 rerun_of=old)  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _alive(worker: str) -> bool | None:
    """Whether the worker's process is alive, when it ran on this host (None: another host)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(run: Run, cutoff: datetime.datetime) -> bool:
    """A process on this host is asked directly (a long transaction on SQLite can hold up the
    heartbeat's write); a worker on another host is judged by its heartbeat."""
    alive = _alive(run.worker)
    if alive is not None:
        return not alive
    return run.heartbeat_at is None or run.heartbeat_at < cutoff


def sweep() -> int:
    """Mark running runs whose worker is gone as failed; returns how many."""
    stale_after = float(getattr(settings, "LANTU_JOBS_STALE", 60))
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after)
    dead = [
        run
        for run in Run.objects.filter(status=Run.Status.RUNNING).only(
            "pk", "worker", "heartbeat_at"
        )
        if _dead(run, cutoff)
    ]
    if not dead:
        return 0
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    n = Run.objects.filter(pk__in=[r.pk for r in dead], status=Run.Status.RUNNING).update(
        status=Run.Status.FAILED, finished_at=now, error=STALE_ERROR
    )
    ids = [r.task_id for r in Run.objects.filter(pk__in=[r.pk for r in dead]) if r.task_id]
    DBTaskResult.objects.filter(id__in=ids, status="RUNNING").update(
        status="FAILED", finished_at=now
    )
    return n
