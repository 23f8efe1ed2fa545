"""A real ``lantu worker`` process killed with SIGKILL in the middle of a job's transaction: the run
is marked failed, nothing of the job is applied, and the run can be started again and finishes.
Runs in its own SQLite file (the worker is another process), whatever database the suite uses."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
import django; django.setup()
from tests.factories import make_tree, make_user
from lantu.jobs import services
tree = make_tree()
clerk = make_user("clerk", tree["530822100000"], "township_review")
print(services.start(actor=clerk, kind="test.write", params={"n": 10, "pause": 0.1}).pk)
"""
AFTER = """
import django, sys; django.setup()
from lantu.accounts.models import User
from lantu.jobs import services
from lantu.jobs.models import Run
from lantu.regions.models import Region
services.sweep()
run = Run.objects.get(pk=int(sys.argv[1]))
print(run.status, Region.objects.filter(code__startswith="5399").count())
if len(sys.argv) > 2:
    print(services.rerun(actor=User.objects.get(username="clerk"), run_id=run.pk).pk)
"""


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTU_")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "lantu.settings",
        "LANTU_VAR_DIR": str(tmp),
        "LANTU_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "LANTU_JOBS_MODULES": "tests.jobs.sample_jobs",
        "LANTU_JOBS_HEARTBEAT": "0.2",
        "LANTU_TEST_MARKER": str(tmp / "inside-transaction"),
    }


def _py(code: str, env: dict[str, str], *args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    return out.stdout.split()


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "lantu.cli", "worker", "--no-startup-delay", "--no-reload",
           "--interval", "0.2", *extra]  # fmt: skip
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def _progress(db: Path, run: str) -> tuple[str, int]:
    with sqlite3.connect(db) as c:
        row = c.execute("SELECT status, done FROM jobs_run WHERE id = ?", [run]).fetchone()
    return row[0], row[1]


def test_a_killed_worker_applies_nothing_and_the_run_can_be_rerun(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "lantu.cli", "migrate", "-v0"], env=env, cwd=ROOT,
                   check=True, timeout=120)  # fmt: skip
    run = _py(SETUP, env)[-1]
    worker = _worker(env)
    seen: list[int] = []
    try:
        deadline = time.monotonic() + 60
        marker = tmp_path / "inside-transaction"
        while not marker.exists() and time.monotonic() < deadline:
            status, done = _progress(tmp_path / "db.sqlite3", run)
            seen.append(done)
            time.sleep(0.1)
        assert marker.exists(), "the job never reached its transaction"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert max(seen) > 0, "progress was never visible while the job ran"
    status, applied, again = _py(AFTER, env, run, "rerun")
    assert (status, applied) == ("failed", "0")
    finisher = _worker(env, "--batch")
    assert finisher.wait(timeout=90) == 0
    status, applied = _py(AFTER, env, again)
    assert (status, applied) == ("succeeded", "10")


@pytest.fixture(autouse=True)
def _no_db():
    """This test needs no test database of its own."""
