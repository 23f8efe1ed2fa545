"""Tables of the procedure engine: cases, their step records, notices, objections, evidence, and
the frozen registry of each closed year.

A ``Case`` is one household going through one kind of procedure (``lantu.procedures.config``),
or another subject (``subject``: a project, a finding, a village or a county, named
``"<type>:<key>"`` with its hooks in ``lantu.procedures.subjects``): ``household`` is then empty
and ``village`` is where the subject lies (for a village's or county's exit, that region itself);
``step`` names where it stands, ``state`` whether it is moving, held by an objection, or done.
``version`` is the optimistic lock: every action updates the row only if the version it read is
still current, so two reviewers acting at once cannot both succeed (the loser gets ``Conflict``).
A ``Notice`` (公示 or 公告) is per village, kind and step, with a start and end date; the cases
on it are its entries. Objections hold a case until they are resolved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.procedures import subjects
from lantu.regions.models import Region
from lantu.registry.models import Household


class CaseState(models.TextChoices):
    OPEN = "open", _("办理中")
    HELD = "held", _("异议处理中")
    COMPLETED = "completed", _("已办结")
    REJECTED = "rejected", _("未通过")


ACTIVE_STATES = (CaseState.OPEN, CaseState.HELD)


class Case(models.Model):
    kind = models.CharField(_("程序类型"), max_length=30, db_index=True)
    # A case is about a household, or about another subject (``subject``: "project:12",
    # "village:530822100201"), whose room registers its hooks (``lantu.procedures.subjects``).
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(max_length=60, blank=True, db_index=True)
    # The household's village; for another subject, where it lies (its ``place``): the village
    # or county of an exit, a project's village. ``region_path`` is its path: the case's scope.
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    step = models.CharField(_("当前步骤"), max_length=40)
    state = models.CharField(
        _("状态"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    clue_date = models.DateField(_("发现线索日期"))
    step_started = models.DateField(_("本步骤开始"))
    step_due = models.DateField(_("本步骤期限"), null=True, blank=True)
    case_due = models.DateField(_("办结期限"), null=True, blank=True)
    escalated_level = models.CharField(_("督办层级"), max_length=12, blank=True)
    escalated_at = models.DateField(_("督办日期"), null=True, blank=True)
    closed_at = models.DateField(_("办结日期"), null=True, blank=True)
    override_reason = models.CharField(_("不符合标准仍批准的理由"), max_length=300, blank=True)
    data: Any = models.JSONField(_("核查与评议记录"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("程序案件")
        verbose_name_plural = _("程序案件")
        indexes = [
            models.Index(fields=["region_path", "state", "step"]),
            models.Index(fields=["kind", "state"]),
        ]
        constraints = [
            # One running case of a kind per household.
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=models.Q(state__in=["open", "held"]),
                name="one_active_case_per_kind",
            ),
            # One running case of a kind per subject (a project, a village, …).
            models.UniqueConstraint(
                fields=["subject", "kind"],
                condition=models.Q(state__in=["open", "held"]) & ~models.Q(subject=""),
                name="one_active_subject_case_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.household_id or self.subject} {self.step}"

    @property
    def subject_name(self) -> str:
        """The household's head, or the subject's name (``lantu.procedures.subjects``)."""
        return subjects.name(self)


class Decision(models.Model):
    """One step record: who, with which role, when, what, why, with what data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("步骤"), max_length=40)
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=30, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    data: Any = models.JSONField(default=dict, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]


class NoticeType(models.TextChoices):
    PUBLICITY = "publicity", _("公示")
    ANNOUNCEMENT = "announcement", _("公告")


class Notice(models.Model):
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    kind = models.CharField(_("程序类型"), max_length=30)
    step = models.CharField(_("步骤"), max_length=40)
    type = models.CharField(_("类型"), max_length=14, choices=NoticeType.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    days = models.PositiveSmallIntegerField(_("天数"))
    ref = models.CharField(_("依据"), max_length=200, blank=True)
    cases = models.ManyToManyField(Case, related_name="notices")

    class Meta:
        ordering = ["-start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "kind", "step", "start"], name="one_notice_per_village_day"
            )
        ]


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("异议内容"))
    name = models.CharField(_("姓名（可匿名）"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式（可不填）"), max_length=50, blank=True)
    # A keyed hash of the address: enough to rate-limit, not enough to identify a person.
    source = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    state = models.CharField(
        max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    resolution = models.CharField(_("处理意见"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    step = models.CharField(max_length=40)
    file = models.FileField(upload_to="procedures/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)


class YearClose(models.Model):
    """A closed year: its report of changes and where its frozen registry is."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    households = models.PositiveIntegerField(default=0)
    report: Any = models.JSONField(default=list)
    parquet = models.CharField(max_length=300, blank=True)


class RegistrySnapshot(models.Model):
    """Each household's standing when its year was closed (copied set-wise, never edited)."""

    year = models.PositiveSmallIntegerField(db_index=True)
    household_id = models.BigIntegerField()
    household_no = models.CharField(max_length=30)
    region_path = models.CharField(max_length=120)
    status = models.CharField(max_length=16)
    monitoring_type = models.CharField(max_length=10, blank=True)
    household_type = models.CharField(max_length=12)
    size = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "household_id"], name="snapshot_once_a_year")
        ]


class TrainingClock(models.Model):
    """On a training install only (``LANTU_TRAINING``): how many days the procedures' clock runs
    ahead of the calendar, so a class can watch a notice end and a deadline pass. One row."""

    offset_days = models.IntegerField(_("培训时钟提前天数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("培训时钟")
        verbose_name_plural = _("培训时钟")
