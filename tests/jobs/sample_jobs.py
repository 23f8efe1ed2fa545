"""Job kinds for the tests only (imported by the tests, and by a worker subprocess through
LANTU_JOBS_MODULES)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django import forms
from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.regions.models import Region


class CountForm(forms.Form):
    n = forms.IntegerField(min_value=1, max_value=1000)
    pause = forms.FloatField(required=False, min_value=0)


def _write(ctx: JobContext, n: int, pause: float, fail_at: int | None) -> int:
    """Prepares (progress visible to others), then writes ``n`` villages under the run's region in
    one transaction; half-way through the writing it leaves the file LANTU_TEST_MARKER, if set,
    so that a test can kill the worker inside the transaction."""
    for i in range(n):
        ctx.progress(i, 2 * n, stage="preparing")
        time.sleep(pause)
    parent = Region.objects.filter(path=ctx.region_path).first()
    marker = os.environ.get("LANTU_TEST_MARKER")
    with transaction.atomic():
        for i in range(n):
            ctx.progress(n + i, 2 * n, stage="writing")
            if fail_at is not None and i == fail_at:
                raise RuntimeError(f"boom at {i}")
            code = f"5399{i:08d}"
            Region.objects.create(code=code, name=f"测试村{i}", level="village", parent=parent)
            if marker and i == n // 2:
                Path(marker).touch()
            time.sleep(pause)
    return n


@job("test.write", label="test write", perm=Perm.EDIT, form=CountForm)
def write(ctx: JobContext, *, n: int, pause: float = 0.0) -> JobOutcome:
    done = _write(ctx, n, pause, None)
    ctx.log(f"wrote {done}")
    return JobOutcome({"written": done}, file_name="out.txt", data=b"ok", content_type="text/plain")


@job("test.fail", label="test fail", perm=Perm.EDIT, form=CountForm)
def fail(ctx: JobContext, *, n: int, pause: float = 0.0) -> JobOutcome:
    _write(ctx, n, pause, n // 2)
    return JobOutcome()
