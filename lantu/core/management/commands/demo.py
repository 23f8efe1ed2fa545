"""lantu demo — everything a newcomer needs to see Lantu working, in one command: migrate, simulate
a county (the simulator's county preset), load it, run the yearly cycle and the data comparison
(department data loaded, linked, findings in the work queues), create one demo user per role,
serve."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max

from lantu.accounts.models import User
from lantu.accounts.roles import DEPARTMENT_ROLES, ROLE_LABELS, Role
from lantu.regions.models import Region
from lantu.registry.models import Household, HouseholdYear

DEMO_PASSWORD = os.environ.get("LANTU_DEMO_PASSWORD", "lantu-demo-2026")


class Command(BaseCommand):
    help = "运行演示：模拟一个县并启动网站 / run the demo: simulate a county and serve the web app"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("LANTU_DEMO_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", verbosity=0)
        if not Household.objects.exists():
            out = Path(settings.VAR_DIR) / "demo-county"
            self.stdout.write("模拟一个县… / simulating a county…")
            call_command("simulate", preset="county", seed=opts["seed"], out=str(out))
            self.stdout.write("载入… / loading…")
            call_command("load", str(out))
            self._yearly_cycle()
            self._comparison(out)
            self._assistance(out)
            self._projects(out)
            self.stdout.write("统计汇总… / aggregating the statistics…")
            call_command("stats", "refresh", verbosity=0)
            if (out / "observed" / "registers").is_dir():  # 户籍户数: the exit assessment's frame
                call_command("exits", "rosters", str(out), verbosity=0)
            users = self._demo_users()
            self._history(users)
            self._supervision(users)
        users = self._demo_users()
        users += self._cadre_user()
        settings.LANTU_TRAINING = True  # the admin's training clock (/procedures/clock/)
        self.stdout.write("")
        self.stdout.write(f"蓝图 Lantu: http://{opts['addr']}/")
        self.stdout.write(f"群众自主申报 self-report: http://{opts['addr']}/monitoring/report/")
        self.stdout.write(f"演示账号 demo logins (password / 密码: {DEMO_PASSWORD}):")
        for user in users:
            region = user.region.name if user.region else ""
            self.stdout.write(
                f"  {user.username:<10} {ROLE_LABELS[Role(user.roles[0])]} @ {region}"
            )
        if not opts["no_serve"]:
            worker = _start_worker()
            try:
                call_command("runserver", opts["addr"], "--insecure", "--noreload")
            finally:
                worker.terminate()
                worker.wait(timeout=30)

    def _yearly_cycle(self) -> None:
        """Close the year before the latest and open the latest, with its monitoring and
        risk-elimination cases, so that work queues and village notices have something in them."""
        latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
        if latest is None:
            return
        before = latest - 1
        self.stdout.write(
            f"关闭{before}年度、开启{latest}年度 / closing {before}, opening {latest}…"
        )
        call_command("year", "close", str(before))
        call_command("year", "open", str(latest), open="monitoring,risk_elimination")

    def _comparison(self, out: Path) -> None:
        """The simulated departments' data, linked to the registry, and the latest year's
        findings, so the comparison's work queue and the household files show evidence."""
        latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
        if latest is None or not (out / "observed" / "departments").is_dir():
            return
        self.stdout.write("数据比对… / comparing department data…")
        call_command("match", "load", str(out), as_of=f"{latest}-12-31", verbosity=0)
        call_command("match", "link", verbosity=0)
        call_command("match", "findings", year=latest, verbosity=0)
        # The precision report against the simulation's truth, for the admin's page (/precision/).
        call_command("precision", str(out), year=[latest, 2020], stdout=io.StringIO())

    def _assistance(self, out: Path) -> None:
        """Units, cadres, teams, pairings, plans and visits through the assistance importers, and
        the latest year's assistance rules and 六清: the work queue lists the planted gaps."""
        latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
        if latest is None or not (out / "observed" / "assistance" / "pairings.parquet").exists():
            return
        self.stdout.write("精准帮扶… / assistance…")
        call_command("assistance", "load", str(out), verbosity=0)
        call_command("assistance", "evaluate", year=latest, verbosity=0)

    def _cadre_user(self) -> list[User]:
        """``cadre`` (帮扶责任人): the login of the cadre paired with the first paired household."""
        from lantu.assistance.models import Pairing
        from lantu.assistance.services import link_user

        pairing = Pairing.objects.filter(end_date__isnull=True).select_related(
            "cadre", "household__region").order_by("household_id").first()  # fmt: skip
        if pairing is None:
            return []
        user = User.objects.filter(username="cadre").first() or User(username="cadre")
        # bound to the county: a cadre's households may lie in more than one village
        chain = {r.level: r for r in pairing.household.region.ancestors()}
        user.region, user.roles = chain.get("county", pairing.household.region), [Role.CADRE.value]
        user.set_password(DEMO_PASSWORD)
        user.save()
        link_user(actor=None, cadre=pairing.cadre, user=user)
        return [user]

    def _projects(self, out: Path) -> None:
        """Projects, funds and payments, with the planted faults in the work queue."""
        from lantu.projects import demo

        self.stdout.write("项目资金… / projects and funds…")
        demo.prepare(out, latest=HouseholdYear.objects.aggregate(y=Max("year"))["y"] or 2020)

    def _history(self, users: list[User]) -> None:
        """Cases at every step, some notices concluded, some overdue (procedures.demo_history)."""
        from lantu.procedures import demo_history

        by_level = {u.username: u for u in users}
        latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
        if latest is None or "village" not in by_level:
            return
        self.stdout.write("演示办理记录… / demo case history…")
        made = demo_history.make(users={k: by_level[k] for k in ("village", "township", "county")},
                                 year=latest)  # fmt: skip
        self.stdout.write(f"  {made}")
        from lantu.monitoring import demo as monitoring_demo  # 监测线索: one left past its clock

        self.stdout.write(f"  monitoring: {monitoring_demo.make(by_level)}")

    def _supervision(self, users: list[User]) -> None:
        """Discrepancies, an inspection with rectification tasks (one overdue and escalated) and
        a published 红白榜 (lantu.supervision.demo)."""
        from lantu.supervision import demo

        county = next((u for u in users if u.username == "county"), None)
        latest = HouseholdYear.objects.aggregate(y=Max("year"))["y"]
        if county is None or latest is None:
            return
        self.stdout.write("督查与台账核对… / supervision…")
        self.stdout.write(f"  {demo.make(county_user=county, year=latest)}")

    def _demo_users(self) -> list[User]:
        household = Household.objects.select_related("region").order_by("id").first()
        if household is None:
            return []
        chain = {r.level: r for r in household.region.ancestors()}
        wanted = [
            ("admin", Role.ADMIN, "county"),
            ("county", Role.COUNTY_APPROVAL, "county"),
            ("township", Role.TOWNSHIP_REVIEW, "township"),
            ("village", Role.VILLAGE_ENTRY, "village"),
            ("prefecture", Role.SUPERVISOR_VIEW, "prefecture"),
            ("auditor", Role.AUDITOR, "county"),
            # The seven departments' county bureaus (monitoring tickets, 部门办单).
            *((role.value, role, "county") for role in DEPARTMENT_ROLES),
            ("prefreview", Role.PREFECTURE_REVIEW, "prefecture"),
            ("province", Role.PROVINCE_APPROVAL, "province"),
        ]
        users = []
        for username, role, level in wanted:
            region: Region | None = chain.get(level)
            user = User.objects.filter(username=username).first() or User(username=username)
            user.region, user.roles = region, [role.value]
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            users.append(user)
        return users


def _start_worker() -> subprocess.Popen[bytes]:
    """The background-job worker (``lantu worker``) beside the server, stopped with it."""
    cmd = [sys.executable, "-m", "lantu.cli", "worker", "--no-reload", "--verbosity", "0"]
    return subprocess.Popen(cmd, env=os.environ.copy())
