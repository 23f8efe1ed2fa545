"""The production server under load: ``lantu serve`` (gunicorn) on a loopback port against the
database in LANTU_DATABASE_URL (the demo county, or a simulation loaded with ``bench/load_pg.py``),
and N concurrent clients for S seconds, each logged in with its own session, over a mix of pages:

- ``home`` (``/``) and ``dashboard`` (a township's statistics board): *home and dashboards*;
- ``list`` (a random page 1–5 of a random township's household list, or the whole region's) and
  ``search`` (a name prefix): *list and search*;
- ``household``: a random household's page;
- ``queue`` (the region's open tickets) and ``dept_queue`` (a department's 部门办单 queue, as a
  department user bound to the region): *monitoring queue*;
- ``report_form`` (GET of the public self-report page) and ``report`` (a self-report POSTed through
  the public API, from its own loopback address as a villager's phone is): *self-report*.

Prints, per page and per group, requests, errors, median, p95 and p99, and the CPU-seconds the
server and the clients used (``docs/deploy.md`` §7: how to read a closed loop on 2 cores).

The users (``bench_<level>_<i>``, supervisor view, and ``bench_dept_<i>``, civil affairs, one
each per client: the search limit is per user) are made bound to ``--level`` (prefecture by
default: the first household's prefecture, or ``--region CODE``). With fewer than ``--tickets``
tickets under that region, synthetic ones are added (``bench_monitoring.seed_tickets``): a loaded
simulation has none. Bench databases only.

    # the demo county, SQLite or PostgreSQL
    LANTU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantu_bench \\
        python bench/bench_load.py --clients 50 --seconds 60 --think 2
    # a province loaded by bench/load_pg.py, one prefecture's users
    flock /work/bench.lock env LANTU_DATABASE_URL=postgres://.../lantu_prov \\
        python bench/bench_load.py --level prefecture --tickets 200000 --clients 50 --think 2

``--think`` is each client's pause between requests (0: back to back, the harshest case).
``--in-process N``: no server and no threads, N requests of each page through Django's test client
in this process, printing the CPU per request and the queries per page (the cost of a page
itself, steady on a shared machine).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-2026"
MIX = "home=1,dashboard=1,list=2,search=1,household=2,queue=1,dept_queue=1,report_form=1,report=1"
GROUPS = {
    "home and dashboards": ("home", "dashboard"),
    "list and search": ("list", "search"),
    "household page": ("household",),
    "monitoring queue": ("queue", "dept_queue"),
    "self-report": ("report_form", "report"),
}
TARGETS_MS = {  # the issues' p95 targets (18, 11, 16)
    "home and dashboards": 300,
    "list and search": 150,
    "household page": 150,
    "monitoring queue": 300,
    "self-report": 150,
}
SAMPLE = 50_000  # household ids kept for the household page (a reservoir over the region)


@dataclass
class Workload:
    region: str  # the region's code
    ids: list[int]
    towns: list[str]
    villages: list[str]
    names: list[str]
    offices: list[str] = field(default_factory=list)  # usernames, one per client
    depts: list[str] = field(default_factory=list)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    import django

    django.setup()


def _users(prefix: str, n: int, region: Any, role: str) -> list[str]:
    """``n`` users bound to ``region`` with ``role``; one password hash computed once."""
    from lantu.accounts.models import User

    names = [f"{prefix}_{i}" for i in range(n)]
    probe = User(username="probe")
    probe.set_password(PASSWORD)
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=u) for u in names if u not in have])
    User.objects.filter(username__in=names).update(
        region=region, roles=[role], password=probe.password, is_active=True
    )
    return names


def setup(level: str, region_code: str, clients: int, tickets: int) -> Workload:
    """Users, a sample of household ids, townships, villages and name prefixes of the region, read
    once before the clock starts; synthetic tickets if the region has fewer than ``tickets``."""
    _django()
    from bench.bench_monitoring import seed_tickets
    from lantu.accounts.roles import Role
    from lantu.regions.models import Region
    from lantu.registry.models import Household, Member

    if region_code:
        region = Region.objects.get(code=region_code)
    else:
        first = Household.objects.select_related("region").order_by("id").first()
        assert first is not None, "load a simulation first (lantu demo, or bench/load_pg.py)"
        region = next(r for r in first.region.ancestors() if r.level == level)
    under = {"region_path__startswith": region.path}
    rnd = random.Random(1)
    ids: list[int] = []
    qs = Household.objects.filter(**under).values_list("id", flat=True)
    for k, pk in enumerate(qs.iterator(chunk_size=20_000)):
        if k < SAMPLE:
            ids.append(pk)
        elif (j := rnd.randrange(k + 1)) < SAMPLE:
            ids[j] = pk
    places = Region.objects.filter(path__startswith=region.path)
    towns = list(places.filter(level="township").values_list("code", flat=True))
    village_rows = list(places.filter(level="village"))
    names = list(
        Member.objects.filter(household__region_path__startswith=region.path, active=True)
        .order_by("id")
        .values_list("name", flat=True)[:2000]
    )
    added = seed_tickets(village_rows, tickets) if tickets and village_rows else 0
    print(f"region {region.code} {region.name} ({region.level}); tickets added {added:,}")
    return Workload(
        region=region.code,
        ids=ids,
        towns=towns or [region.code],
        villages=[v.code for v in village_rows],
        names=sorted({n[:2] for n in names if len(n) >= 2}) or ["张"],
        offices=_users(f"bench_{region.level}", clients, region, Role.SUPERVISOR_VIEW.value),
        depts=_users("bench_dept", clients, region, Role.DEPT_CIVIL_AFFAIRS.value),
    )


def connection_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"PYTHONPATH": str(ROOT), "LANTU_LOG_LEVEL": "ERROR"}
    threaded = ["--threads", str(threads)] if threads else []  # 0: lantu serve's own default
    proc = subprocess.Popen(
        [sys.executable, "-m", "lantu.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), *threaded],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def sessions(usernames: list[str]) -> dict[str, str]:
    """A session cookie per user, made as the browser tests' cookie login makes them (Django's
    ``force_login``): 100 form logins would spend a minute of password hashing before the clock."""
    from django.conf import settings
    from django.test import Client

    from lantu.accounts.models import User

    out = {}
    for user in User.objects.filter(username__in=usernames):
        c = Client()
        c.force_login(user, backend="lantu.accounts.backends.ModelBackend")
        out[user.username] = c.cookies[settings.SESSION_COOKIE_NAME].value
    return out


def _login(base: str, username: str, cookies: dict[str, str]) -> httpx.Client:
    from django.conf import settings

    client = httpx.Client(base_url=base, timeout=60)
    client.cookies.set(settings.SESSION_COOKIE_NAME, cookies[username])
    resp = client.get("/monitoring/")  # every bench user may see its queue
    assert resp.status_code == 200, (username, resp.status_code, resp.url)
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


def _pg_cpu() -> dict[int, float]:
    """CPU-seconds of each PostgreSQL backend serving the bench's database, by pid: PostgreSQL
    runs on the same cores as the server, and its share is part of every request's wait. Found by
    the backends' process titles ("postgres: user database host ..."), so no connection is made."""
    from django.db import connection

    name = f" {connection.settings_dict['NAME']} "
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            title = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:") or name not in title:
                continue
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    return out


_SEQ = itertools.count(int(time.time()) % 100_000 * 1000)
_SEQ_LOCK = threading.Lock()


def report_form(w: Workload, rnd: random.Random) -> dict[str, str]:
    """A valid self-report about a new person (ID number and phone never seen before)."""
    from stdnum.cn import ric

    with _SEQ_LOCK:
        i = next(_SEQ)
    birth = f"19{50 + i % 50:02d}{1 + i // 50 % 12:02d}{1 + i // 600 % 28:02d}"
    pid = f"530602{birth}{i // 16800 % 1000:03d}"
    pid += ric.calc_check_digit(pid + "0")
    return {
        "name": "李四",
        "id_number": pid,
        "phone": f"139{i % 10**8:08d}",
        "village": rnd.choice(w.villages),
        "event": "illness",
        "needs": "medical_bills",
    }


def _address(rnd: random.Random) -> str:
    """A loopback address of its own (Linux routes all of 127/8 to lo): a villager's phone."""
    return f"127.{rnd.randint(1, 254)}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"


def request_for(kind: str, w: Workload, rnd: random.Random) -> tuple[str, str]:
    """(user "office"/"dept"/"public", URL) of a request of ``kind``."""
    if kind == "home":
        return "office", "/"
    if kind == "dashboard":
        return "office", f"/stats/r/{rnd.choice(w.towns)}/"
    if kind == "list":
        town = rnd.choice(w.towns) if rnd.random() < 0.7 else ""
        return "office", f"/registry/?region={town}&page={rnd.randint(1, 5)}"
    if kind == "search":
        return "office", f"/registry/?q={rnd.choice(w.names)}"
    if kind == "household":
        return "office", f"/registry/households/{rnd.choice(w.ids)}/"
    if kind == "queue":
        return "office", f"/monitoring/?section=open&page={rnd.randint(1, 3)}"
    if kind == "dept_queue":
        return "dept", "/monitoring/?section=department"
    if kind == "report_form":
        return "public", "/monitoring/report/"
    return "public", "/api/monitoring/public/reports"


def _mix(spec: str) -> tuple[list[str], list[float]]:
    pairs = [p.split("=") for p in spec.split(",") if p]
    return [k for k, _ in pairs], [float(v) for _, v in pairs]


def _client(base, w, who, start, think, out, seed, mix, cookies):
    rnd = random.Random(seed)
    try:
        office, dept = _login(base, w.offices[who], cookies), _login(base, w.depts[who], cookies)
    except BaseException:
        start.abort()  # type: ignore[attr-defined]  # the others (and main) stop waiting
        raise
    public = httpx.Client(base_url=base, timeout=30)
    kinds, weights = mix
    # Warm-up, not counted: each page once (each worker's templates, URL resolver and database
    # connections are made on first use; 5 workers x threads x 9 pages cold in a 60 s window
    # were several per cent of the requests, i.e. the p95 itself).
    clients = {"office": office, "dept": dept, "public": public}
    for kind in kinds:
        if kind != "report":
            user, url = request_for(kind, w, rnd)
            try:
                clients[user].get(url)
            except httpx.HTTPError:
                pass
    until = start()
    while time.perf_counter() < until:
        kind = rnd.choices(kinds, weights)[0]
        user, url = request_for(kind, w, rnd)
        started = time.perf_counter()
        status: int | str
        try:
            if kind == "report":
                # a new connection from an address of its own, as each villager's phone is
                transport = httpx.HTTPTransport(local_address=_address(rnd))
                with httpx.Client(base_url=base, timeout=30, transport=transport) as c:
                    resp = c.post(url, data=report_form(w, rnd))
                status = 200 if resp.status_code == 201 else resp.status_code
            else:
                status = clients[user].get(url).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        out.append((kind, time.perf_counter() - started, status))
        if think:
            time.sleep(rnd.uniform(0.5, 1.5) * think)
    for c in (office, dept, public):
        c.close()


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 1 else 0.0


def _print(results: list[tuple[str, float, object]], kinds: list[str]) -> None:
    def line(name: str, picked: set[str], target: float | None = None) -> None:
        lat = [d for k, d, _ in results if k in picked]
        if not lat:
            return
        errors = sum(1 for k, _, s in results if k in picked and s != 200)
        p95 = _pct(lat, 95)
        ratio = f"  (target {target:.0f} ms: {p95 / target:.2f}x)" if target else ""
        print(f"  {name:20} n {len(lat):6,}  errors {errors:4}  median "
              f"{statistics.median(lat) * 1000:6.0f} ms  p95 {p95:6.0f} ms  "
              f"p99 {_pct(lat, 99):6.0f} ms{ratio}")  # fmt: skip

    print("per page:")
    for kind in kinds:
        line(kind, {kind})
    print("per group (p95 against the issues' targets):")
    for group, members in GROUPS.items():
        line(group, set(members), TARGETS_MS[group])
    codes: dict[object, int] = {}
    for *_, s in results:
        if s != 200:
            codes[s] = codes.get(s, 0) + 1
    if codes:
        print(f"errors by status: {codes}")


def run_http(w: Workload, args: argparse.Namespace) -> None:
    mix = _mix(args.mix)
    cookies = sessions(w.offices[: args.clients] + w.depts[: args.clients])
    port = _free_port()
    server = _serve(port, args.workers, args.threads)
    postgres = connection_vendor() == "postgresql"
    base = f"http://127.0.0.1:{port}"
    results: list[tuple[str, float, object]] = []
    try:
        # Every client logs in first; the clock (and the CPU count) starts when all have.
        window: list[float] = []

        def open_window() -> None:
            window[:] = [time.perf_counter() + args.seconds, _tree_cpu(server.pid),
                         time.process_time(), _pg_cpu() if postgres else {}]  # fmt: skip

        ready = threading.Barrier(args.clients + 1, action=open_window)

        def start() -> float:
            ready.wait()
            return window[0]

        start.abort = ready.abort  # type: ignore[attr-defined]

        threads = [
            threading.Thread(
                target=_client, args=(base, w, i, start, args.think, results, i, mix, cookies)
            )
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        ready.wait()
        server_cpu0, client_cpu0, pg0 = window[1], window[2], window[3]
        for t in threads:
            t.join()
    finally:
        server_cpu = _tree_cpu(server.pid) - server_cpu0
        client_cpu = time.process_time() - client_cpu0
        pg1 = _pg_cpu() if postgres else {}
        pg_cpu = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
        server.terminate()  # threaded workers may take gunicorn's graceful timeout (30 s) to go
        try:
            server.wait(45)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    db = os.environ.get("LANTU_DATABASE_URL", "sqlite (var/)").split("@")[-1]
    print(f"households {len(w.ids):,} sampled; townships {len(w.towns)}; clients {args.clients}; "
          f"workers {args.workers} x {args.threads or 'default'} threads; {args.seconds:.0f} s; "
          f"think {args.think} s")  # fmt: skip
    print(f"database {db}")
    _print(results, mix[0])
    total = len(results)
    print(f"throughput {total / args.seconds:.1f} req/s; errors "
          f"{sum(1 for *_, s in results if s != 200)} of {total}")  # fmt: skip
    # CPU beside wall (the machine is shared): the server's per request is what a closed loop of
    # N clients turns into latency (Little's law: p50 ≈ N × CPU per request / cores).
    print(f"CPU-s: server {server_cpu:.1f} ({1000 * server_cpu / max(1, total):.1f} ms per "
          f"request), PostgreSQL {pg_cpu:.1f} ({1000 * pg_cpu / max(1, total):.1f} ms per "
          f"request; {len(pg1)} backends), clients {client_cpu:.1f}; wall {args.seconds:.0f} s "
          f"on {os.cpu_count()} cores")  # fmt: skip


def run_in_process(w: Workload, n: int, kinds: list[str]) -> None:
    """Each page ``n`` times through Django's test client: CPU per request (this process: Python,
    the ORM and the database client; not PostgreSQL's server side) and queries per request."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lantu.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.LANTU_SEARCH_LIMIT = 10**9  # one user searching back to back: the page's cost
    rnd = random.Random(1)
    clients = {"office": Client(), "dept": Client(), "public": Client()}
    clients["office"].force_login(User.objects.get(username=w.offices[0]))
    clients["dept"].force_login(User.objects.get(username=w.depts[0]))

    def one(kind: str) -> int:
        user, url = request_for(kind, w, rnd)
        c = clients[user]
        if kind == "report":
            return c.post(url, report_form(w, rnd), REMOTE_ADDR=_address(rnd)).status_code - 1
        return c.get(url).status_code

    print(f"in process, {n} requests per page (CPU ms: this process; wall includes the database)")
    for kind in kinds:
        for _ in range(2):
            one(kind)  # warm: caches, the first connection
        cpu, wall, bad = [], [], 0
        for _ in range(n):
            c0, w0 = time.process_time(), time.perf_counter()
            bad += one(kind) != 200
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        with CaptureQueriesContext(connection) as q:
            one(kind)
        print(f"  {kind:12} CPU median {statistics.median(cpu) * 1000:6.1f} ms  "
              f"p95 {_pct(cpu, 95):6.1f} ms  wall median {statistics.median(wall) * 1000:6.1f} ms"
              f"  p95 {_pct(wall, 95):6.1f} ms  queries {len(q.captured_queries):3}  "
              f"errors {bad}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--threads", type=int, default=0, help="per worker (default: lantu serve's)")
    ap.add_argument("--think", type=float, default=0.0)
    ap.add_argument("--level", default="prefecture", help="the users' level (first household's)")
    ap.add_argument("--region", default="", help="the users' region code (instead of --level)")
    ap.add_argument("--tickets", type=int, default=20_000, help="at least this many under it")
    ap.add_argument("--mix", default=MIX, help="page=weight,… (kinds: see the docstring)")
    ap.add_argument("--in-process", type=int, default=0, metavar="N")
    args = ap.parse_args()
    w = setup(args.level, args.region, max(args.clients, 1), args.tickets)
    if args.in_process:
        run_in_process(w, args.in_process, _mix(args.mix)[0])
    else:
        run_http(w, args)


if __name__ == "__main__":
    main()
