"""Background jobs (后台任务): batch work started from pages, run by ``lantu worker``.

Built on Django's task framework (django-tasks, with django-tasks-db's database queue: no broker).
A room declares a job kind with ``job`` in its ``jobs`` module; a page starts it with
``lantu.jobs.services.start``; the kind's function reports progress through its ``JobContext``
(or any ``ProgressFn``, e.g. ``tqdm_progress`` on the command line). See ``services`` for what
happens when a worker dies.
"""

from lantu.jobs.kinds import JobKind, JobOutcome, job
from lantu.jobs.progress import NO_PROGRESS, JobContext, ProgressFn, tqdm_progress

__all__ = [
    "NO_PROGRESS",
    "JobContext",
    "JobKind",
    "JobOutcome",
    "ProgressFn",
    "job",
    "tqdm_progress",
]
