"""督查与台账核对: what reconciliation found, inspections and their findings, and the 红白榜.

The rectification of a finding is a case of the one procedure engine (kind ``rectification``,
subject ``"finding:<id>"``): its owner, deadline, evidence, review and 督办 are the engine's. Every
write here goes through ``lantu.supervision.services`` with its ledger event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.regions.models import Region


class ReconciliationRun(models.Model):
    at = models.DateTimeField(_("核对时间"), auto_now_add=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    region_path = models.CharField(max_length=120, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    version = models.CharField(_("核对规则版本"), max_length=40)
    found = models.PositiveIntegerField(_("发现"), default=0)
    new = models.PositiveIntegerField(_("新增"), default=0)
    cleared = models.PositiveIntegerField(_("已消除"), default=0)
    seconds = models.FloatField(default=0)
    counts = models.JSONField(default=dict)  # check id → found

    class Meta:
        ordering = ["-at"]


class DiscrepancyState(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("核实无误")
    RESOLVED = "resolved", _("已消除")


class Discrepancy(models.Model):
    """One thing two ledgers disagree on (账账不符), found by a check; found again, it is the same
    record (``check_id`` + ``key``)."""

    check_id = models.CharField(_("核对项"), max_length=40, db_index=True)
    key = models.CharField(max_length=120)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    project_id = models.BigIntegerField(null=True, blank=True)
    region_path = models.CharField(max_length=120, db_index=True, blank=True)
    evidence = models.JSONField(_("证据"), default=dict)
    state = models.CharField(
        _("状态"), max_length=10, choices=DiscrepancyState.choices, default=DiscrepancyState.OPEN
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    first_found = models.DateTimeField(_("首次发现"), auto_now_add=True)
    last_found = models.DateTimeField(_("最近发现"), null=True, blank=True)
    last_run = models.ForeignKey(ReconciliationRun, null=True, on_delete=models.SET_NULL)
    note = models.CharField(_("核实意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("账账不符")
        constraints = [models.UniqueConstraint(fields=["check_id", "key"], name="discrepancy_once")]
        indexes = [models.Index(fields=["state", "check_id"])]


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("督查")
    PATROL = "patrol", _("巡查")
    UNANNOUNCED = "unannounced", _("暗访")
    AUDIT = "audit", _("审计")
    CAMPAIGN = "campaign", _("回头看")


class Inspection(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=InspectionKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    team = models.CharField(_("检查组"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("检查地区"))
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    scope = models.CharField(_("检查范围"), max_length=500, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    report = models.JSONField(default=dict, blank=True)  # a 回头看's before/after

    class Meta:
        verbose_name = _("督查检查")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.title


class SubjectType(models.TextChoices):
    HOUSEHOLD = "household", _("农户")
    PROJECT = "project", _("项目")
    VILLAGE = "village", _("村")
    UNIT = "unit", _("单位")
    CADRE = "cadre", _("干部")


class FindingState(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已销号")
    REJECTED = "rejected", _("整改未通过")


class Finding(models.Model):
    """A problem an inspection found, about one household, project, village, unit or cadre."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    subject_type = models.CharField(_("对象类型"), max_length=10, choices=SubjectType.choices)
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "assistance.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        "assistance.Cadre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    discrepancy = models.ForeignKey(
        Discrepancy, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    problem = models.CharField(_("问题"), max_length=500)
    owner = models.CharField(_("整改责任单位"), max_length=120)
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(
        _("状态"), max_length=12, choices=FindingState.choices, default=FindingState.OPEN
    )
    case_id = models.BigIntegerField(null=True, blank=True)  # its rectification case
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查发现")
        ordering = ["deadline", "id"]


class RankingList(models.Model):
    """One period's 红白榜 for one level (township or county) in a region, as computed and then
    published (published lists are public and never change)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    level = models.CharField(_("排名层级"), max_length=12)
    period = models.CharField(_("期间"), max_length=10)  # "2025" or "2025Q3"
    version = models.CharField(max_length=40)
    computed_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    rows = models.JSONField(default=list)  # every unit's indicator values and score

    class Meta:
        verbose_name = _("红白榜")
        ordering = ["-period", "-computed_at"]


class RankingEntry(models.Model):
    ranking = models.ForeignKey(RankingList, on_delete=models.CASCADE, related_name="entries")
    unit_path = models.CharField(max_length=120)
    unit_name = models.CharField(max_length=100)
    board = models.CharField(_("榜单"), max_length=5)  # red | white
    rule = models.CharField(_("上榜规则"), max_length=40)
    value = models.FloatField(null=True)
    reason_zh = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["board", "unit_path"]


class FieldCheck(models.Model):
    """账实相符: a two-stage sample of a county's registered households (the exits room's sampler)
    visited to see whether the records match the household's real situation."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    seed = models.BigIntegerField()
    design = models.JSONField(default=dict)
    frame_digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    estimate = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("账实相符核查")


class FieldCheckItem(models.Model):
    field_check = models.ForeignKey(FieldCheck, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("样本编号"), max_length=8)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120)
    psu = models.IntegerField()
    psu_stratum = models.IntegerField(default=0)
    stratum = models.SmallIntegerField()
    size = models.PositiveSmallIntegerField()
    weight = models.FloatField()
    cell_size = models.IntegerField()
    pi = models.FloatField()
    visited = models.BooleanField(null=True)
    mismatch = models.BooleanField(null=True)
    fields = models.CharField(_("不符项目"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["field_check", "code"], name="field_item_once"),
        ]
