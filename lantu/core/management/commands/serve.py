"""lantu serve — the production web server: gunicorn running ``lantu.wsgi``.

Workers of gunicorn's ``gthread`` class: ``--workers`` processes (``LANTU_WEB_WORKERS``, default
2 × CPUs + 1) of ``--threads`` threads each (``LANTU_WEB_THREADS``, default 1). More threads help
where requests wait on a database on another machine; on a 2-core machine holding PostgreSQL too,
the CPUs are the limit (issue 18: ~41 ms of server and ~11 ms of PostgreSQL CPU a request), and 4
threads raised the back-to-back p95 (1.18 → 1.72 s) while lowering the median.
Each thread keeps its own database connection between
requests (``LANTU_DB_CONN_MAX_AGE``), so PostgreSQL sees at most workers × threads connections
whatever the load: keep that below the server's ``max_connections`` (docs/deploy.md). The
application is loaded once before the workers fork (``--preload``, see ``lantu.wsgi``). Static
files are served by WhiteNoise from the package. Put a reverse proxy with HTTPS in front
(docs/deploy.md).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    return int(os.environ.get("LANTU_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1))


def default_threads() -> int:
    return int(os.environ.get("LANTU_WEB_THREADS", 1))


class Command(BaseCommand):
    help = "生产环境 Web 服务（gunicorn）/ the production web server (gunicorn)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("LANTU_BIND", "127.0.0.1:8080"))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=default_threads())
        parser.add_argument(
            "--timeout", type=int, default=int(os.environ.get("LANTU_WEB_TIMEOUT", 120))
        )
        parser.add_argument("--check", action="store_true", help="print the command, do not run")

    def handle(self, *args: Any, **opts: Any) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "lantu.wsgi:application",
            "--bind", opts["bind"], "--workers", str(opts["workers"]),
            "--worker-class", "gthread", "--threads", str(opts["threads"]),
            # Idle keep-alive connections wait in the worker's poller (no thread held). Closing
            # them after gunicorn's default 2 s raced clients reusing them after a pause: 3 of
            # 1,208 requests under 50 clients with 1-3 s think time got a reset. 75 s is nginx's.
            "--keep-alive", os.environ.get("LANTU_WEB_KEEPALIVE", "75"),
            "--timeout", str(opts["timeout"]), "--graceful-timeout", "30",
            "--max-requests", "2000", "--max-requests-jitter", "200", "--preload",
            "--access-logfile", "-", "--error-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("LANTU_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]  # fmt: skip
        if opts["check"]:
            self.stdout.write(" ".join(command))
            return
        os.execv(sys.executable, command)
