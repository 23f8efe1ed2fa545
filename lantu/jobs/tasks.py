"""The one django-tasks task: execute a ``Run`` by id. Every job kind goes through it, so the
queue (django-tasks-db's table) holds only run ids and the ``Run`` row holds everything else."""

from __future__ import annotations

from django_tasks import task

from lantu.jobs import runner


@task()
def execute_run(run_id: int) -> str:
    return runner.execute(run_id)
