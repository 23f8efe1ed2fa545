"""The production server: ``lantu serve`` starts gunicorn, which answers pages and static files
with the security headers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_lantu_serve_answers_with_gunicorn(tmp_path):
    env = os.environ | {"PYTHONPATH": str(ROOT), "LANTU_VAR_DIR": str(tmp_path)}
    env.pop("LANTU_DATABASE_URL", None)
    lantu = [sys.executable, "-m", "lantu.cli"]
    subprocess.run([*lantu, "migrate", "-v", "0"], env=env, check=True)
    port = _port()
    server = subprocess.Popen(
        [*lantu, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        page = None
        for _ in range(100):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200
        assert "gunicorn" in page.headers.get("server", "")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        static = httpx.get(f"http://127.0.0.1:{port}/static/ninja/swagger-ui.css", timeout=5)
        assert static.status_code == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_runs_threaded_workers(monkeypatch):
    """Each worker serves several requests at once (one waits for the database while another
    runs), and the thread count is set by the environment like the worker count."""
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("LANTU_WEB_THREADS", "6")
    out = StringIO()
    call_command("serve", "--check", "--workers", "3", stdout=out)
    command = out.getvalue().split()
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--threads") + 1] == "6"
    assert command[command.index("--workers") + 1] == "3"
    assert int(command[command.index("--keep-alive") + 1]) > 3  # longer than a reader's pause
