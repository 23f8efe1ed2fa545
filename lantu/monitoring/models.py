"""Tables of the monitoring room: tickets (线索工单) from every channel, their department tasks,
their public progress, the people who reported them, and the cadres' visit rounds (排查).

A ``Ticket`` is one clue about one person: who it concerns, where, what happened and what help
is needed, from which channel. It is routed to its village (``village``, ``region_path``: 干部收单)
and, through ``Task`` rows, to each responsible department (部门办单). ``due`` is the clock: past
it, the ticket is raised to the county (县级督单, ``escalated_level``). ``Progress`` rows are what
the reporter sees on the status page (a public text per step, nobody's personal data); the ledger
keeps the full record. ``Reporter`` rows hold everyone who raised the same clue: each may open the
status page with the receipt and their own phone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.regions.models import Region
from lantu.registry.models import Household


class Channel(models.TextChoices):
    SELF = "self", _("群众举手（本人申报）")
    PROXY = "proxy", _("他人代举（代为反映）")
    VISIT = "visit", _("干部排查")
    DEPARTMENT = "department", _("部门预警（推送）")
    COMPARISON = "comparison", _("部门预警（数据比对）")


class TicketState(models.TextChoices):
    RECEIVED = "received", _("待村级收单")
    ACCEPTED = "accepted", _("部门办理中")
    RESOLVED = "resolved", _("待群众签单")
    CLOSED = "closed", _("已办结")


OPEN_STATES = (TicketState.RECEIVED, TicketState.ACCEPTED, TicketState.RESOLVED)


class Ticket(models.Model):
    receipt = models.CharField(_("受理编号"), max_length=20, unique=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    township_code = models.CharField(max_length=15, db_index=True)
    county_code = models.CharField(max_length=15, db_index=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    name = models.CharField(_("当事人姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    event = models.CharField(_("发生了什么"), max_length=20)
    event_date = models.DateField(_("发生日期"), null=True, blank=True)
    description = models.TextField(_("情况说明"), blank=True)
    needs: Any = models.JSONField(_("需要的帮助"), default=list)
    photo = models.FileField(upload_to="monitoring/%Y/%m/", blank=True)
    state = models.CharField(
        max_length=10, choices=TicketState.choices, default=TicketState.RECEIVED, db_index=True
    )
    received_on = models.DateField(_("受理日期"), db_index=True)
    due = models.DateField(_("办结期限"))
    responded_on = models.DateField(_("收单日期"), null=True, blank=True)
    resolved_on = models.DateField(_("部门办结日期"), null=True, blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    escalated_level = models.CharField(_("督办层级"), max_length=12, blank=True)
    escalated_at = models.DateField(_("督办日期"), null=True, blank=True)
    close_reason = models.CharField(_("关闭理由（反映人可见）"), max_length=300, blank=True)
    satisfied = models.BooleanField(_("群众满意"), null=True)
    feedback = models.CharField(_("群众意见"), max_length=300, blank=True)
    track = models.CharField(_("帮扶方式"), max_length=12, blank=True)
    case = models.ForeignKey(
        "procedures.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("监测线索工单")
        verbose_name_plural = _("监测线索工单")
        indexes = [
            models.Index(fields=["region_path", "state", "due"]),
            models.Index(fields=["county_code", "state"]),
            models.Index(fields=["escalated_level", "state"]),
            # The queues' order: a wide scope (a prefecture's or the province's open tickets, a
            # department's queue) reads its first page in due order instead of sorting them all.
            models.Index(fields=["due", "id"], name="monitoring_ticket_due_id"),
        ]

    def __str__(self) -> str:
        return self.receipt


class Reporter(models.Model):
    """Who raised the clue: the person themself, or someone for them (他人代举)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reporters")
    name = models.CharField(_("反映人"), max_length=50)
    phone = models.CharField(_("反映人电话"), max_length=20, db_index=True)
    relation = models.CharField(_("与当事人关系"), max_length=20, blank=True)
    # A keyed hash of the network address: enough to rate-limit, not enough to identify anyone.
    source = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class TaskState(models.TextChoices):
    OPEN = "open", _("待办理")
    DONE = "done", _("已办结")
    DECLINED = "declined", _("不属本部门")


class Task(models.Model):
    """One department's share of a ticket (部门办单)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tasks")
    department = models.CharField(_("部门"), max_length=20, db_index=True)
    region_path = models.CharField(max_length=120, db_index=True)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    result = models.CharField(_("办理结果（反映人可见）"), max_length=500, blank=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["department", "state", "region_path"])]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "department"], name="one_task_per_dept")
        ]


class Progress(models.Model):
    """A step of the ticket as its reporter sees it: no personal data in ``zh``/``en``."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="progress")
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField()
    action = models.CharField(max_length=30)
    zh = models.CharField(max_length=600)
    en = models.CharField(max_length=600)
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Round(models.Model):
    """A visit round (排查) of one village for one period."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    period = models.CharField(_("排查期次"), max_length=20)  # e.g. 2026Q4
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "period"], name="one_round_per_period")
        ]


class Visit(models.Model):
    """A household on a round's list and, once visited, what was found."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    reason = models.CharField(_("列入原因"), max_length=20)  # status on the list, or 'edge'
    visited_on = models.DateField(_("走访日期"), null=True, blank=True)
    seen = models.CharField(_("见到的情况"), max_length=500, blank=True)
    risk = models.CharField(_("发现的风险"), max_length=20, blank=True)  # an event code or ''
    needs: Any = models.JSONField(default=list, blank=True)
    photo = models.FileField(upload_to="visits/%Y/%m/", blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="visit_once_per_round")
        ]
