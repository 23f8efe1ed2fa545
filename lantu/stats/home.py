"""The work home page: what needs doing today and this week in the user's region, as counts that
link to the filtered queues. Each count is one indexed, scoped query; a room that is not
installed simply adds no line."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lantu.accounts.roles import Perm


@dataclass
class Todo:
    label: str
    count: int
    url: str
    urgent: bool = False


def _cases(user: Any, today: datetime.date) -> list[Todo]:
    from lantu.procedures import config, queries

    qs = queries.queue(user).order_by()
    week = today + datetime.timedelta(days=7)
    overdue = Q(step_due__lt=today) | Q(case_due__lt=today)
    due_today = Q(step_due=today) | Q(case_due=today)
    due_week = Q(step_due__gt=today, step_due__lte=week) | Q(case_due__gt=today, case_due__lte=week)
    rows = qs.values("kind").annotate(
        n=Count("id"),
        overdue=Count("id", filter=overdue),
        today=Count("id", filter=due_today),
        week=Count("id", filter=due_week),
    )
    url = reverse("procedures:queue")
    out = []
    for r in rows.order_by("kind"):
        k = config.kind(r["kind"])
        name = k.en if (get_language() or "").startswith("en") else k.zh
        link = f"{url}?kind={r['kind']}"
        out.append(Todo(_("%(k)s：逾期") % {"k": name}, r["overdue"], link, urgent=True))
        out.append(Todo(_("%(k)s：今天到期") % {"k": name}, r["today"], link, urgent=True))
        out.append(Todo(_("%(k)s：本周到期") % {"k": name}, r["week"], link))
        out.append(Todo(_("%(k)s：待办合计") % {"k": name}, r["n"], link))
    escalated = queries.escalated(user).count()
    out.append(Todo(_("督办案件"), escalated, url, urgent=bool(escalated)))
    return out


def _findings(user: Any) -> list[Todo]:
    from lantu.matching import queries

    n = queries.findings(user, status="open").count()
    return [Todo(_("待处理的数据比对发现"), n, reverse("matching:work_queue") + "?status=open")]


def _imports(user: Any) -> list[Todo]:
    folder = Path(settings.VAR_DIR) / "import-errors" / str(user.pk)
    week_ago = time.time() - 7 * 86400
    n = sum(1 for p in folder.glob("*.xlsx") if p.stat().st_mtime >= week_ago)
    return [Todo(_("本周导入失败的文件（有错误清单）"), n, reverse("registry:import"), bool(n))]


def _jobs(user: Any) -> list[Todo]:
    from lantu.jobs import queries

    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=7)
    runs = queries.runs(user).filter(started_by=user)
    url = reverse("jobs:runs")
    counts = runs.aggregate(
        failed=Count("id", filter=Q(status="failed", created_at__gte=since)),
        running=Count("id", filter=Q(status__in=["queued", "running"])),
    )  # one query for both
    failed, running = counts["failed"], counts["running"]
    return [
        Todo(_("本周失败的后台任务"), failed, f"{url}?status=failed", bool(failed)),
        Todo(_("进行中的后台任务"), running, f"{url}?status=running"),
    ]


def todos(user: Any) -> list[Todo]:
    from lantu.procedures import clock

    out = _cases(user, clock.today()) + _findings(user)
    if user.can(Perm.IMPORT):
        out += _imports(user)
    return out + _jobs(user)
