"""The administrative tree (行政区划): province → prefecture → county → township → village → group.

Each node keeps a materialised path of its ancestors' codes (``/530000000000/530100000000/…/``), so
a subtree is one indexed prefix query (``path LIKE '/…/530102000000/%'``), however deep the node
and however many villages below it. Rows that carry personal data (households) copy their
village's path, so scope filters never join.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("州市")
    COUNTY = "county", _("县市区")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("行政村")
    GROUP = "group", _("村民小组")


LEVEL_ORDER = [lv.value for lv in Level]


class Region(models.Model):
    # 12-digit statistical code; villager groups, which have none, get the village code + 3 digits.
    code = models.CharField(_("代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=120, db_index=True, editable=False)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "path"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(level__in=LEVEL_ORDER[1:]),
                name="region_parent_for_non_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.code}/"

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = self.compute_path()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def ancestors(self) -> models.QuerySet[Region]:
        codes = [c for c in self.path.strip("/").split("/") if c]
        return Region.objects.filter(code__in=codes).order_by(Length("path"))


class PovertyStatus(models.Model):
    """Whether a county (贫困县) or a village (贫困村) was poor in a year."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="poverty_statuses")
    year = models.PositiveSmallIntegerField(_("年度"))
    is_poor = models.BooleanField(_("是否贫困"))
    exited_year = models.PositiveSmallIntegerField(_("退出年度"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="poverty_status_once_a_year")
        ]
