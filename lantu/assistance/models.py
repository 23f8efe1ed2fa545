"""The assistance room (帮扶): units and what they pair with, cadres, village work teams and
their members, cadre↔household pairings, yearly household plans (一户一策) with their
measures, and visits.

Every row bound to a place carries a copy of its region's materialised path (``region_path``), so
that the one scope filter (``lantu.accounts.scope``) is an indexed prefix match, as in the
registry. History is kept, never overwritten: a pairing, a team membership or a unit's pairing
ends with a date (and a reason), and a new row starts. Every write goes through
``lantu.assistance.services`` (and the importers), which write the ledger event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lantu.assistance import codes
from lantu.regions.models import Region
from lantu.registry.codes import choices
from lantu.registry.models import Household


class Unit(models.Model):
    """帮扶单位: a central, provincial, prefecture or county unit."""

    code = models.CharField(_("单位编码"), max_length=30, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    level = models.CharField(_("单位层级"), max_length=12, choices=choices(codes.UNIT_LEVEL))

    class Meta:
        verbose_name = _("帮扶单位")

    def __str__(self) -> str:
        return self.name


class UnitPairing(models.Model):
    """定点/挂钩帮扶: a unit paired with a county or village for a period."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pairings")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("帮扶对象"))
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    kind = models.CharField(_("帮扶方式"), max_length=12, choices=choices(codes.PAIRING_KIND))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "region", "start_date"], name="unit_pairing_once"
            )
        ]


class Cadre(models.Model):
    """帮扶责任人: the person responsible for helping households; may log in (``user``)."""

    cadre_no = models.CharField(_("干部编号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所在单位")
    )
    post = models.CharField(_("职务"), max_length=60, blank=True)
    level = models.CharField(_("干部层级"), max_length=12, choices=choices(codes.CADRE_LEVEL))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("帮扶区域"))
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("帮扶责任人")

    def __str__(self) -> str:
        return self.name


class WorkTeam(models.Model):
    """驻村工作队: one per village and term."""

    village = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("驻村"))
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("派出单位")
    )

    class Meta:
        verbose_name = _("驻村工作队")
        constraints = [
            models.UniqueConstraint(fields=["village", "term_start"], name="one_team_a_term")
        ]


class TeamMember(models.Model):
    """A cadre on a team, from a date to a date; a first secretary replaced mid-term keeps their
    row (ended, reason ``replacement``) beside their successor's."""

    team = models.ForeignKey(WorkTeam, on_delete=models.CASCADE, related_name="members")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="team_memberships")
    role = models.CharField(_("队内职务"), max_length=16, choices=choices(codes.TEAM_ROLE))
    start_date = models.DateField(_("到岗日期"))
    end_date = models.DateField(_("离岗日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("离岗原因"), max_length=12, choices=choices(codes.LEAVE_REASON), blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "cadre", "start_date"], name="team_member_once")
        ]


class Pairing(models.Model):
    """结对: a cadre responsible for a household, from a date until a date."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="pairings")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="assistance_pairings"
    )
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    start_date = models.DateField(_("结对日期"))
    end_date = models.DateField(_("解除日期"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("结对帮扶")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True),
                name="one_open_pairing_per_household",
            )
        ]
        indexes = [models.Index(fields=["cadre", "end_date"])]


class Plan(models.Model):
    """一户一策: a household's plan for one year; its causes are the registry's for that year."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    planned_exit_year = models.PositiveSmallIntegerField(_("计划脱贫年度"), null=True, blank=True)
    planned_risk_elimination = models.DateField(_("计划风险消除日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("一户一策")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_plan_a_year")
        ]
        indexes = [models.Index(fields=["year", "region_path"])]


class PlanMeasure(models.Model):
    """A measure of a plan, from the catalogue (``catalogue.yaml``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    measure = models.CharField(_("帮扶措施"), max_length=24)  # a catalogue code
    cadre = models.ForeignKey(
        Cadre, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("责任人")
    )
    planned_amount = models.DecimalField(
        _("计划金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual_amount = models.DecimalField(
        _("实际金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    planned_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=choices(codes.MEASURE_STATUS), default="planned"
    )
    asset = models.CharField(_("所得资产"), max_length=10, choices=choices(codes.ASSET), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="measure_once_a_plan")
        ]


class Visit(models.Model):
    """走访: a dated visit of a cadre to a household, what was noted and what changed."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="visits")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    date = models.DateField(_("走访日期"))
    kind = models.CharField(
        _("方式"), max_length=8, choices=choices(codes.VISIT_KIND), default="home"
    )
    notes = models.TextField(_("走访记录"), blank=True)
    changes = models.TextField(_("情况变化"), blank=True)

    class Meta:
        verbose_name = _("走访记录")
        constraints = [
            models.UniqueConstraint(fields=["household", "cadre", "date"], name="one_visit_a_day")
        ]
        indexes = [models.Index(fields=["household", "date"])]


class Gap(models.Model):
    """A rule of the assistance policy a household fails, as of the last run (the work queue)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=60)
    zh = models.CharField(max_length=200)
    en = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["year", "region_path", "rule"])]


class Completeness(models.Model):
    """六清 per region and year (village, township, county…): pre-aggregated by the batch engine."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField()
    households = models.PositiveIntegerField(default=0)
    with_cadre = models.PositiveIntegerField(default=0)
    with_plan = models.PositiveIntegerField(default=0)
    clear = models.JSONField(default=dict)  # item → households clear
    all_clear = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="completeness_once")]
