"""The production server under load: ``lantu serve`` (gunicorn) on a loopback port against the
database in LANTU_DATABASE_URL (PostgreSQL, a prefecture loaded with ``lantu load``), and N
concurrent clients, each logged in as its own session, for S seconds, alternating the household
list (a random page of a random township's list, or the whole prefecture's) and a random household's
page. Prints errors (any non-200 or failed request) and latency percentiles per page.

    flock /work/bench.lock env LANTU_DATABASE_URL=postgres://.../lantu_bench \
        .venv/bin/python bench/bench_load.py --clients 50 --seconds 60 [--think 0]

``--think`` is each client's pause between requests (0: back to back, the harshest case).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "bench_prefecture", "bench-password-2026"


def _setup() -> tuple[list[int], list[str]]:
    """A prefecture supervisor (sees every household of the prefecture), household ids, and
    township codes, read once before the clients start."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()
    from lantu.accounts.models import User
    from lantu.regions.models import Region
    from lantu.registry.models import Household

    first = Household.objects.select_related("region").order_by("id").first()
    assert first is not None, "load a prefecture first (lantu load)"
    prefecture = next(r for r in first.region.ancestors() if r.level == "prefecture")
    user, _ = User.objects.get_or_create(username=USER)
    user.region, user.roles = prefecture, ["supervisor_view"]
    user.set_password(PASSWORD)
    user.save()
    ids = list(
        Household.objects.filter(region_path__startswith=prefecture.path).values_list(
            "id", flat=True
        )
    )
    towns = list(
        Region.objects.filter(path__startswith=prefecture.path, level="township").values_list(
            "code", flat=True
        )
    )
    return ids, towns


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "LANTU_LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lantu.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:200]
    resp = client.post(
        "/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/login/"},
    )
    assert resp.status_code == 302, resp.status_code
    return client


def _tree_cpu(pid: int) -> float:
    """CPU-seconds (user + system) of a process and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        todo += [int(c) for c in children]
    return total


def _client(base, ids, towns, start, think, out, seed):
    rnd = random.Random(seed)
    client = _login(base)
    until = start()
    n = 0
    while time.perf_counter() < until:
        if n % 2 == 0:
            kind = "list"
            town = rnd.choice(towns) if rnd.random() < 0.7 else ""
            url = f"/registry/?region={town}&page={rnd.randint(1, 5)}"
        else:
            kind, url = "household", f"/registry/households/{rnd.choice(ids)}/"
        started = time.perf_counter()
        status: int | str
        try:
            status = client.get(url).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        out.append((kind, time.perf_counter() - started, status))
        n += 1
        if think:
            time.sleep(rnd.uniform(0.5, 1.5) * think)
    client.close()


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--think", type=float, default=0.0)
    args = ap.parse_args()
    ids, towns = _setup()
    port = _free_port()
    server = _serve(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    results: list[tuple[str, float, object]] = []
    try:
        # Every client logs in first; the clock (and the CPU count) starts when all have.
        window: list[float] = []

        def open_window() -> None:
            window[:] = [time.perf_counter() + args.seconds, _tree_cpu(server.pid),
                         time.process_time()]  # fmt: skip

        ready = threading.Barrier(args.clients + 1, action=open_window)

        def start() -> float:
            ready.wait()
            return window[0]

        threads = [
            threading.Thread(target=_client, args=(base, ids, towns, start, args.think, results, i))
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        ready.wait()
        server_cpu0, client_cpu0 = window[1], window[2]
        for t in threads:
            t.join()
    finally:
        server_cpu = _tree_cpu(server.pid) - server_cpu0
        client_cpu = time.process_time() - client_cpu0
        server.terminate()
        server.wait(30)
    print(f"households {len(ids):,}; townships {len(towns)}; clients {args.clients}; "
          f"workers {args.workers}; {args.seconds:.0f} s; think {args.think} s")  # fmt: skip
    for kind in ("list", "household"):
        lat = [d for k, d, _ in results if k == kind]
        errors = sum(1 for k, _, s in results if k == kind and s != 200)
        print(f"{kind:9} requests {len(lat):6,}  errors {errors}  p50 {_pct(lat, 50):6.0f} ms  "
              f"p95 {_pct(lat, 95):6.0f} ms  p99 {_pct(lat, 99):6.0f} ms")  # fmt: skip
    total = len(results)
    print(f"throughput {total / args.seconds:.1f} req/s; errors "
          f"{sum(1 for *_, s in results if s != 200)} of {total}")  # fmt: skip
    # CPU beside wall (the machine is shared): the server's per request is what a closed loop of
    # N clients turns into latency (Little's law: p50 ≈ N × CPU per request / cores).
    print(f"CPU-s: server {server_cpu:.1f} ({1000 * server_cpu / max(1, total):.1f} ms per "
          f"request), clients {client_cpu:.1f}; wall {args.seconds:.0f} s on "
          f"{os.cpu_count()} cores")  # fmt: skip


if __name__ == "__main__":
    main()
