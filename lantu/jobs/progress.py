"""Progress from inside a job, the way the command line shows it with tqdm.

Batch code takes a ``Progress``-like callable and calls it as it goes::

    def link_all(loads, *, progress: ProgressFn = NO_PROGRESS) -> None:
        for i, load in enumerate(loads):
            progress(i, len(loads), stage=load.dataset)
            ...
        progress(len(loads), len(loads))

Under a worker the callable is the run's ``JobContext.progress``: it only sets numbers in memory
(cheap enough to call per batch), and a heartbeat thread writes them, with the log and a heartbeat
time, to the ``Run`` row every few seconds on its own database connection. The job's own writes
happen in its transaction on the main thread, so progress is visible while they are uncommitted,
and a killed worker stops the heartbeat: ``services.sweep`` then marks the run failed. On the
command line the same callable is ``tqdm_progress``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

T = TypeVar("T")
log = logging.getLogger(__name__)
LOG_LIMIT = 64_000  # characters of log kept on the run (the tail)


class ProgressFn(Protocol):
    def __call__(
        self, done: int, total: int | None = None, *, stage: str | None = None
    ) -> None: ...


def NO_PROGRESS(done: int, total: int | None = None, *, stage: str | None = None) -> None:
    """Progress nobody watches."""


class tqdm_progress:
    """The command line's progress callable: a tqdm bar on stderr."""

    def __init__(self, desc: str = "", *, disable: bool = False) -> None:
        self.bar = tqdm(desc=desc, disable=disable)

    def __call__(self, done: int, total: int | None = None, *, stage: str | None = None) -> None:
        if total is not None and self.bar.total != total:
            self.bar.total = total
        if stage:
            self.bar.set_postfix_str(stage, refresh=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


class JobContext:
    """What a job function receives: who started it, where, and the progress callable."""

    def __init__(self, *, run_id: int, user: Any, region_path: str) -> None:
        self.run_id = run_id
        self.user = user
        self.region_path = region_path
        self._lock = threading.Lock()
        self.done = 0
        self.total: int | None = None
        self.stage = ""
        self._log: list[str] = []

    def progress(self, done: int, total: int | None = None, *, stage: str | None = None) -> None:
        with self._lock:
            self.done = done
            if total is not None:
                self.total = total
            if stage is not None and stage != self.stage:
                self.stage = stage
                self._log.append(f"{timezone.localtime():%H:%M:%S} {stage}")

    def log(self, line: str) -> None:
        with self._lock:
            self._log.append(f"{timezone.localtime():%H:%M:%S} {line}")

    def steps(self, items: Iterable[T], *, stage: str = "") -> Iterator[T]:
        """Iterate, reporting progress item by item (like wrapping an iterable in tqdm)."""
        seq = list(items)
        for i, item in enumerate(seq):
            self.progress(i, len(seq), stage=f"{stage} {item}".strip())
            yield item
        self.progress(len(seq), len(seq))

    def state(self) -> dict[str, Any]:
        with self._lock:
            text = "\n".join(self._log)
            return {
                "done": self.done,
                "total": self.total,
                "stage": self.stage[:200],
                "log": text[-LOG_LIMIT:],
            }


class Heartbeat(threading.Thread):
    """Writes the context's state and a heartbeat time to the run every few seconds."""

    def __init__(self, ctx: JobContext) -> None:
        super().__init__(name=f"lantu-job-{ctx.run_id}", daemon=True)
        self.ctx = ctx
        self.stopped = threading.Event()
        self.interval = float(getattr(settings, "LANTU_JOBS_HEARTBEAT", 2.0))

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                self.beat()
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> None:
        from lantu.jobs.models import Run

        try:
            Run.objects.filter(pk=self.ctx.run_id, status=Run.Status.RUNNING).update(
                heartbeat_at=timezone.now(), **self.ctx.state()
            )
        except Exception:  # a locked SQLite file: the next beat tries again
            log.debug("heartbeat of run %s skipped", self.ctx.run_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)
