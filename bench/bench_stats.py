"""Statistics and page-speed benchmark (issue 18), on PostgreSQL loaded with a simulated province.

1. ``lantu stats refresh`` over the whole database, timed (read / count / roll up / store);
2. a gunicorn server on loopback, and 20 concurrent clients (threads, each with its own logged-in
   httpx session) requesting the work home page and dashboards (province, prefectures, counties),
   and household list pages and searches (by ID number, by name) as county users; prints per
   scenario the requests, median, p95 and max latency, and the p95 against its target
   (dashboard/home ≤ 300 ms, list/search ≤ 150 ms).

    LANTU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantu_i18_bench LANTU_VAR_DIR=... \\
      flock /work/bench.lock .venv/bin/python bench/bench_stats.py [--clients 20] [--requests 60]

Load the data first with ``bench/load_pg.py`` (ADBC ingest; prints its own times).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
TARGETS = {"home": 300, "dashboard": 300, "list": 150, "search": 150}
PASSWORD = "bench-password-18"


def _setup() -> None:
    import django

    django.setup()


def refresh(repeats: int, plain: bool = False) -> None:
    """``repeats`` refreshes (wall, this process's CPU, per-phase seconds, median); with ``plain``
    also the count over the unreduced sources (the old way), for comparison, not stored."""
    from lantu.stats.compute import compute
    from lantu.stats.models import Aggregate
    from lantu.stats.services import refresh as run

    walls = []
    for i in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        done = run(actor=None)
        walls.append(time.perf_counter() - t)
        print(f"refresh {i + 1}: {walls[-1]:.1f} s wall, {time.process_time() - c:.1f} CPU-s "
              f"(this process), {done.rows:,} rows, {done.timings}")  # fmt: skip
    print(f"refresh median {statistics.median(walls):.1f} s; target 60 s at 10 M "
          f"(x{statistics.median(walls) / 60:.2f})")  # fmt: skip
    for i in range(repeats if plain else 0):
        t, c = time.perf_counter(), time.process_time()
        old = compute(reduce=False)
        print(f"unreduced count {i + 1}: {time.perf_counter() - t:.1f} s wall, "
              f"{time.process_time() - c:.1f} CPU-s, {old.timings}")  # fmt: skip
    print(f"aggregate rows: {Aggregate.objects.count():,}")


def users() -> dict[str, list[str]]:
    """Bench users: one province viewer, one per prefecture, county approvers; returns logins
    by scenario group."""
    from lantu.accounts.models import User
    from lantu.regions.models import Region

    def user(name: str, region: Region, role: str) -> str:
        u = User.objects.filter(username=name).first() or User(username=name)
        u.region, u.roles = region, [role]
        u.set_password(PASSWORD)
        u.save()
        return name

    province = Region.objects.get(level="province")
    prefectures = list(Region.objects.filter(level="prefecture").order_by("code"))
    counties = list(Region.objects.filter(level="county").order_by("code"))
    return {
        "province": [user("b_prov", province, "supervisor_view")],
        "prefecture": [user(f"b_p{i}", r, "supervisor_view") for i, r in enumerate(prefectures)],
        "county": [user(f"b_c{i}", r, "county_approval") for i, r in enumerate(counties[:40])],
    }


def samples() -> dict[str, list[str]]:
    """Things to search for: ID numbers and names of registered members, village codes."""
    from lantu.registry.models import Member

    members = list(
        Member.objects.filter(active=True).order_by("?").values_list(
            "id_number", "name", "household__region_path")[:400]
    )  # fmt: skip
    return {
        "ids": [m[0] for m in members],
        "names": [m[1] for m in members],
        "paths": [m[2] for m in members],
    }


def serve(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "gunicorn", "lantu.wsgi", "-b", f"127.0.0.1:{port}",
           "-w", str(workers), "--threads", str(threads), "-k", "gthread"]  # fmt: skip
    # 20 clients searching back to back are 20 people searching hundreds of times a minute: the
    # per-user search limit (issue 11, 30 a window) would answer most with 429. The bench measures
    # speed, so the limit is raised unless LANTU_SEARCH_LIMIT is given.
    env = os.environ | {
        "PYTHONPATH": str(ROOT),
        "LANTU_SEARCH_LIMIT": os.environ.get("LANTU_SEARCH_LIMIT", "1000000"),
    }
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(120):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def login(base: str, username: str) -> object:
    import httpx

    c = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    c.get("/login/")
    token = c.cookies.get("csrftoken")
    r = c.post("/login/", data={"username": username, "password": PASSWORD,
                                "csrfmiddlewaretoken": token})  # fmt: skip
    assert r.status_code == 302, (username, r.status_code)
    return c


def plan(logins: dict[str, list[str]], found: dict[str, list[str]], rng: random.Random) -> list:
    """One client's requests: (scenario, login, url)."""
    counties = [p.strip("/").split("/")[2] for p in found["paths"]]
    villages = [p.strip("/").split("/")[-1] for p in found["paths"]]
    steps = []
    for _ in range(1000):
        kind = rng.choice(["home", "dashboard", "list", "search"])
        if kind == "home":
            steps.append((kind, rng.choice(logins["county"] + logins["prefecture"]), "/"))
        elif kind == "dashboard":
            who = rng.choice(["province", "prefecture", "county"])
            steps.append((kind, rng.choice(logins[who]), "/stats/"))
            if who == "province":
                steps[-1] = (kind, logins["province"][0], f"/stats/r/{rng.choice(counties)}/")
        elif kind == "list":
            page = rng.choice([1, 1, 2, 5])
            url = rng.choice(
                [f"/registry/?page={page}", f"/registry/?region={rng.choice(villages)}"]
            )
            steps.append((kind, logins["province"][0], url))
        else:
            q = rng.choice([rng.choice(found["ids"]), rng.choice(found["names"])])
            steps.append((kind, logins["province"][0], f"/registry/?q={q}"))
    return steps


def load(base: str, logins: dict[str, list[str]], found: dict[str, list[str]], clients: int,
         requests: int) -> dict[str, list[float]]:  # fmt: skip
    everyone = sorted({u for group in logins.values() for u in group})
    sessions = {u: login(base, u) for u in everyone}
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        rng = random.Random(i)
        mine = {u: login(base, u) for u in everyone if rng.random() < 0.2} or sessions
        for kind, user, url in plan(logins, found, rng)[:requests]:
            c = mine.get(user) or sessions[user]
            t = time.perf_counter()
            r = c.get(url)  # type: ignore[attr-defined]
            dt = (time.perf_counter() - t) * 1000
            with lock:
                times[kind].append(dt)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {url}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    n = sum(len(v) for v in times.values())
    print(f"{clients} clients, {n} requests in {wall:.1f} s ({n / wall:.1f} req/s), "
          f"errors: {len(errors)} {errors[:5]}")  # fmt: skip
    return times


def report(times: dict[str, list[float]]) -> None:
    print(f"{'scenario':<10} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'target':>7}")
    for kind, target in TARGETS.items():
        v = sorted(times.get(kind, []))
        if not v:
            continue
        p95 = v[min(len(v) - 1, int(0.95 * len(v)))]
        ok = "ok" if p95 <= target else "OVER"
        print(f"{kind:<10} {len(v):>5} {statistics.median(v):>10.1f} {p95:>8.1f} {v[-1]:>8.1f} "
              f"{target:>5} {ok}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=60, help="per client")
    ap.add_argument("--refresh-repeats", type=int, default=3)
    ap.add_argument("--refresh-only", action="store_true")
    ap.add_argument("--plain", action="store_true", help="also time the unreduced count")
    ap.add_argument("--port", type=int, default=18918)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    a = ap.parse_args()
    _setup()
    from lantu.registry.models import Household, Member

    print(f"data: {Household.objects.count():,} households, {Member.objects.count():,} members")
    refresh(a.refresh_repeats, a.plain)
    if a.refresh_only:
        return
    logins, found = users(), samples()
    server = serve(a.port, a.workers, a.threads)
    try:
        base = f"http://127.0.0.1:{a.port}"
        load(base, logins, found, a.clients, 3)  # warm-up: every worker's caches
        report(load(base, logins, found, a.clients, a.requests))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
