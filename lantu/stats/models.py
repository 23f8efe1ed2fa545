"""Pre-aggregated indicators: one row per region and year holding every indicator's counts as
JSON (``{indicator: {key: value}}``), written whole by a refresh (``services.refresh``). Pages read
one region's rows and its children's, by the indexed path and depth: never the registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregate(models.Model):
    path = models.CharField(max_length=120)  # the region's materialised path
    depth = models.PositiveSmallIntegerField()  # 1 province … 5 village
    year = models.PositiveSmallIntegerField()
    vals = models.TextField()  # JSON: {indicator: {key: value}}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["path", "year"], name="stats_one_row_per_region_year")
        ]
        indexes = [models.Index(fields=["depth", "path", "year"], name="stats_children")]


class Refresh(models.Model):
    finished_at = models.DateTimeField(_("刷新时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.FloatField(_("耗时（秒）"))
    rows = models.PositiveIntegerField(_("汇总行数"))
    years: models.JSONField = models.JSONField(default=list)
    version = models.CharField(_("指标版本"), max_length=20)
    missing: models.JSONField = models.JSONField(default=list)  # indicators with no source yet
    timings: models.JSONField = models.JSONField(default=dict)

    class Meta:
        ordering = ["-finished_at", "-id"]
