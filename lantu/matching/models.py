"""Data comparison (数据比对): department loads and records, links to registry members, the review
queue of borderline pairs, findings, and the departments' push tokens.

A load is one delivery of one dataset (which department, as of which date, how many rows); a new
load of the same dataset replaces the previous one (kept, marked ``active=False``). Links, review
pairs and findings point at the record that is their evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.matching.schemas import DATASET_CHOICES
from lantu.registry.models import Household, Member

METHODS = [
    ("exact", _("身份证号精确匹配")),
    ("repaired", _("身份证号纠错匹配")),
    ("probabilistic", _("概率匹配")),
    ("reviewed", _("人工确认")),
]


class DatasetLoad(models.Model):
    dataset = models.CharField(_("数据集"), max_length=30, choices=DATASET_CHOICES, db_index=True)
    as_of = models.DateField(_("数据日期"))
    rows = models.PositiveIntegerField(_("行数"), default=0)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    active = models.BooleanField(_("当前版本"), default=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("部门数据批次")
        ordering = ["-loaded_at"]


class DepartmentRecord(models.Model):
    load = models.ForeignKey(DatasetLoad, on_delete=models.CASCADE, related_name="records")
    record_id = models.CharField(_("记录编号"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=40, blank=True, db_index=True)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True)
    facts = models.JSONField(_("记录内容"), default=dict)

    class Meta:
        verbose_name = _("部门记录")
        constraints = [
            models.UniqueConstraint(fields=["load", "record_id"], name="record_once_per_load")
        ]


class Link(models.Model):
    record = models.OneToOneField(DepartmentRecord, on_delete=models.CASCADE, related_name="link")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="department_links")
    method = models.CharField(_("匹配方式"), max_length=14, choices=METHODS)
    probability = models.FloatField(_("匹配概率"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("比对关联")


class ReviewPair(models.Model):
    """A borderline probabilistic pair a person must confirm or reject."""

    record = models.ForeignKey(DepartmentRecord, on_delete=models.CASCADE, related_name="reviews")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    probability = models.FloatField(_("匹配概率"))
    decision = models.CharField(
        _("结论"),
        max_length=10,
        blank=True,
        choices=[("", _("待复核")), ("match", _("是同一人")), ("no_match", _("不是同一人"))],
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待复核匹配")


class Finding(models.Model):
    """A rule of the ruler that fails for a household on linked department data."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="findings")
    region_path = models.CharField(max_length=120, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    rule = models.CharField(_("规则"), max_length=60)
    kind = models.CharField(_("类别"), max_length=20)
    rule_zh = models.CharField(max_length=200)
    rule_en = models.CharField(max_length=200)
    policy = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=20)
    record = models.ForeignKey(
        DepartmentRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dataset = models.CharField(_("数据集"), max_length=30, choices=DATASET_CHOICES)
    # What the record alone does not say: for a relative's record, the relative's name, the
    # relation to the head and where the relation is known from (lantu.matching.relatives).
    detail = models.JSONField(_("证据说明"), default=dict, blank=True)
    found_on = models.DateField(_("发现日期"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        default="open",
        choices=[
            ("open", _("待处理")),
            ("referred", _("已启动程序")),
            ("dismissed", _("已排除")),
        ],
        db_index=True,
    )

    class Meta:
        verbose_name = _("比对发现")
        ordering = ["-found_on", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year", "rule", "record"], name="finding_once"
            )
        ]


class DepartmentToken(models.Model):
    """A department's push credential: only a hash is kept; scoped to its datasets."""

    department = models.CharField(_("部门"), max_length=60)
    datasets = models.JSONField(_("可推送的数据集"), default=list)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门推送令牌")
