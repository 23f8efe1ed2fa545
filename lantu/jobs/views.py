"""The runs page (who, what, when, progress, log, result, error), one run's page, its progress
fragment (polled by ``lantu/poll.js`` until the run ends), starting and re-running a job. Every
view needs the registry's VIEW (a department role, which handles tickets only, runs no job).
Views translate HTTP only: reads through ``queries``, writes through ``services``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from lantu.accounts.roles import Perm
from lantu.core.errors import LantuError
from lantu.jobs import kinds, queries, services
from lantu.jobs.models import Run
from lantu.jobs.runner import result_dir
from lantu.registry.views import requires

PAGE = 50


def _forms(request: HttpRequest) -> list[tuple[kinds.JobKind, Any]]:
    return [(k, k.form(prefix=k.name) if k.form else None) for k in kinds.startable(request.user)]


def _label(kind: str) -> Any:
    job = kinds.KINDS.get(kind)
    return job.label if job else kind


@require_GET
@requires(Perm.VIEW)
def run_list(request: HttpRequest) -> HttpResponse:
    services.sweep()
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    runs = [
        (r, _label(r.kind)) for r in queries.runs(request.user, kind=kind, status=status)[:PAGE]
    ]
    context = {"runs": runs, "startable": _forms(request), "kinds": kinds.KINDS,
               "statuses": Run.Status.choices, "kind": kind, "status": status}  # fmt: skip
    return render(request, "jobs/runs.html", context)


@require_GET
@requires(Perm.VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.sweep()
    run = queries.run(request.user, pk)
    return render(request, "jobs/run.html", {"run": run, "kind": kinds.KINDS.get(run.kind)})


@require_GET
@requires(Perm.VIEW)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    services.sweep()
    run = queries.run(request.user, pk)
    return render(request, "jobs/_progress.html", {"run": run})


@require_POST
@requires(Perm.VIEW)
def start(request: HttpRequest, kind: str) -> HttpResponse:
    job = kinds.get(kind)
    params: dict[str, Any] = {}
    if job.form is not None:
        form = job.form(request.POST, prefix=job.name)
        if not form.is_valid():
            context = {"runs": [], "startable": _forms(request), "kinds": kinds.KINDS,
                       "statuses": Run.Status.choices, "bad": (job, form)}  # fmt: skip
            return render(request, "jobs/runs.html", context, status=400)
        params = dict(form.data.items())
        params = {k.removeprefix(f"{job.name}-"): v for k, v in params.items()
                  if k.startswith(f"{job.name}-")}  # fmt: skip
    run = services.start(actor=request.user, kind=kind, params=params)
    return redirect("jobs:run", pk=run.pk)


@require_POST
@requires(Perm.VIEW)
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = services.rerun(actor=request.user, run_id=pk)
    except LantuError as exc:
        return render(request, "error.html", {"error": exc}, status=exc.status)
    return redirect("jobs:run", pk=run.pk)


@require_GET
@requires(Perm.VIEW)
def result(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = queries.run(request.user, pk)
    if not run.result_file:
        raise Http404
    path = result_dir(run.pk) / run.result_file
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=run.result_name,
                        content_type=run.result_type or "application/octet-stream")  # fmt: skip
