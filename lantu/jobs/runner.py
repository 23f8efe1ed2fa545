"""Running one ``Run`` inside the worker: claim it, beat, call the kind's function, record the end.

Claiming is a conditional update (queued → running): a run is executed at most once per start, and
a run some other worker already took is left alone. Whatever the function raises is recorded as
the run's error, in the user's two languages where it is a ``LantuError``; the function's own
transaction has rolled back by then, so a failed run has changed nothing.
"""

from __future__ import annotations

import os
import socket
import traceback
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from lantu.core.errors import LantuError
from lantu.jobs import kinds
from lantu.jobs.models import Run
from lantu.jobs.progress import Heartbeat, JobContext


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def result_dir(run_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / str(run_id)


def _claim(run_id: int) -> bool:
    now = timezone.now()
    return bool(
        Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).update(
            status=Run.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=worker_name(),
            attempt=F("attempt") + 1,
        )
    )


def execute(run_id: int) -> str:
    """Run the job; returns its final status (the task's return value)."""
    if not _claim(run_id):
        return "skipped"
    run = Run.objects.select_related("started_by").get(pk=run_id)
    ctx = JobContext(run_id=run.pk, user=run.started_by, region_path=run.region_path)
    beat = Heartbeat(ctx)
    beat.start()
    try:
        outcome = kinds.get(run.kind).func(ctx, **run.params)
    except BaseException as exc:
        beat.stop()
        _fail(run, ctx, exc)
        raise
    beat.stop()
    fields: dict[str, Any] = {"summary": outcome.summary}
    if outcome.data:
        folder = result_dir(run.pk)
        folder.mkdir(parents=True, exist_ok=True)
        name = Path(outcome.file_name or "result.bin").name
        (folder / name).write_bytes(outcome.data)
        fields |= {"result_file": name, "result_name": name, "result_type": outcome.content_type}
    state = ctx.state()
    if state["total"] and state["done"] < state["total"]:
        state["done"] = state["total"]
    Run.objects.filter(pk=run.pk).update(
        status=Run.Status.SUCCEEDED, finished_at=timezone.now(), **state, **fields
    )
    return Run.Status.SUCCEEDED


def _fail(run: Run, ctx: JobContext, exc: BaseException) -> None:
    if isinstance(exc, LantuError):
        error = f"{exc.zh}\n{exc.en}"
    else:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        ctx.log("".join(traceback.format_exception(exc))[-4000:])
    Run.objects.filter(pk=run.pk).update(
        status=Run.Status.FAILED, finished_at=timezone.now(), error=error, **ctx.state()
    )
