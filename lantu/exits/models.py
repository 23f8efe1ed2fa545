"""Tables of the exit assessment.

``VillageRoster``: how many households a village's household register (户籍) holds in a year —
the frame of the households outside the registry (each is a position on that roster).
``Assessment``: one county's provincial pre-assessment of a year: the design, the seed and the
frame's digest (so the draw can be reproduced), the estimates with their intervals and verdicts.
``SampledVillage`` and ``SampledHousehold``: the draw with its weights, and each household's
survey answers once imported.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lantu.regions.models import Region
from lantu.registry.models import Household


class VillageRoster(models.Model):
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    households = models.PositiveIntegerField(_("户籍户数"))
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="one_roster_per_village_year")
        ]


class AssessmentState(models.TextChoices):
    DRAWN = "drawn", _("已抽样")
    ESTIMATED = "estimated", _("已估计")


class Assessment(models.Model):
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    policy = models.CharField(_("政策"), max_length=40, default="yunnan")
    seed = models.BigIntegerField(_("随机种子"))
    design: Any = models.JSONField(_("抽样设计"), default=dict)
    frame_digest = models.CharField(max_length=64)
    frame_households = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAWN
    )
    estimates: Any = models.JSONField(_("三率一度"), default=dict, blank=True)
    verdict = models.CharField(_("结论"), max_length=14, blank=True)
    evaluation_run_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_path", "year"])]


class SampledVillage(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    village_stratum = models.PositiveSmallIntegerField()
    primary_stratum = models.PositiveIntegerField()
    pi = models.FloatField(_("入样概率"))
    households = models.PositiveIntegerField(_("户数"))
    drawn = models.PositiveIntegerField(_("抽取户数"))


class SampledHousehold(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="households")
    code = models.CharField(_("样本编号"), max_length=20)
    village = models.ForeignKey(SampledVillage, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    roster_position = models.PositiveIntegerField(_("户籍名册序号"), null=True, blank=True)
    stratum = models.PositiveSmallIntegerField(_("户类别"))  # 0 exited, 1 poor, 2 outside
    size = models.PositiveSmallIntegerField(_("家庭人口"), default=0)
    weight = models.FloatField(_("权数"))
    cell_size = models.PositiveIntegerField()
    cell_drawn = models.PositiveIntegerField()
    # Answers (null until the survey is imported).
    responded = models.BooleanField(null=True)
    found_poor = models.BooleanField(null=True)
    approves = models.BooleanField(null=True)
    answers: Any = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="sample_code_once")
        ]
