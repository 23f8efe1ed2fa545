"""Stored results of the ruler: one row per evaluation run, one compact row per household in it.

A province is ≈ 2.6M households × ~90 rules a year, so a household's result is not one row per
rule: ``HouseholdResult.outcome`` holds one character per rule of the run (``1`` passed, ``0``
failed, ``-`` does not apply), in the order of ``EvaluationRun.rules``, and ``failed`` lists the
failed clause ids. The texts of the rules and clauses, in Chinese and English, are stored once on
the run, with the policy's version, content hash and the provenance of every parameter value, so
a result can be explained years later exactly as it was decided. Village and county results
(thousands of rows, not millions) are kept on the run as JSON.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.registry.models import Household


class EvaluationRun(models.Model):
    year = models.PositiveSmallIntegerField(_("评估年度"), db_index=True)
    policy = models.CharField(_("政策"), max_length=60)
    policy_version = models.CharField(_("政策版本"), max_length=40)
    policy_hash = models.CharField(_("政策内容哈希"), max_length=64)
    backend = models.CharField(_("计算引擎"), max_length=12, default="duckdb")
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    # [{"name", "kind", "level", "zh", "en", "ref"}] in outcome order (household rules first).
    rules: Any = models.JSONField(_("规则"), default=list)
    # {"rule.clause": [rule zh, rule en, clause zh, clause en]}
    clauses: Any = models.JSONField(_("条款"), default=dict)
    # {rule: {"passed": n, "failed": n, "not_applicable": n}}
    summary: Any = models.JSONField(_("汇总"), default=dict)
    provenance: Any = models.JSONField(_("参数来源"), default=list)
    villages: Any = models.JSONField(_("村级结果"), default=list)
    counties: Any = models.JSONField(_("县级结果"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("标准评估")
        verbose_name_plural = _("标准评估")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy} {self.policy_version} {self.year}"


class HouseholdResult(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="standard_results"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    outcome = models.CharField(_("各规则结果"), max_length=255)
    failed: Any = models.JSONField(_("未满足条款"), default=list)

    class Meta:
        verbose_name = _("户评估结果")
        verbose_name_plural = _("户评估结果")
        indexes = [models.Index(fields=["household", "year"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="one_result_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"
