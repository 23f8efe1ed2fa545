"""``lantu worker``: the background worker (django-tasks-db's ``db_worker``, every option of it),
which first marks as failed the runs a killed worker left behind (``lantu.jobs.services.sweep``).

    lantu worker                 # serve every queue until stopped (Ctrl+C finishes the current job)
    lantu worker --batch         # run what is queued, then exit (cron, tests)
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorker

from lantu.jobs.services import sweep


class Command(DBWorker):
    help = "后台任务执行进程 / run the background job worker"

    def handle(self, *args: Any, **options: Any) -> None:
        n = sweep()
        if n and options.get("verbosity", 1):
            self.stdout.write(f"标记失败 marked failed: {n} 个中断的任务 interrupted run(s)")
        super().handle(*args, **options)
