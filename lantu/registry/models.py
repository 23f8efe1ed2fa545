"""The registry (建档立卡): households, their members, their yearly facts and their status history.

Field names here are the registry's vocabulary everywhere: the batch engine's snapshot columns,
the ruler's variables and the simulator's observed files use the same names. Coded fields take
their values from ``lantu.registry.codes``.

Invariants kept by the database itself (services check them first, to say what to fix):
- an ID number is in at most one active membership (partial unique index);
- at most one active head per household (partial unique index); at least one is checked by
  services, since a database cannot require a row to exist;
- income components add up (check constraints on the yearly facts).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from lantu.regions.models import Region
from lantu.registry import codes


def _money(verbose_name: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=0)


def _within_a_cent(field: str, expression: Any) -> Q:
    # SQLite keeps decimals as floating point: compare sums with half a cent of tolerance.
    half_cent = Value(Decimal("0.005"))
    return Q(**{f"{field}__gte": expression - half_cent}) & Q(
        **{f"{field}__lte": expression + half_cent}
    )


class Household(models.Model):
    household_no = models.CharField(_("户编号"), max_length=30, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在村/组"))
    # A copy of region.path, so that the scope filter is one indexed prefix match.
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    household_type = models.CharField(
        _("贫困户属性"),
        max_length=12,
        choices=codes.choices(codes.HOUSEHOLD_TYPE),
        default="general",
    )
    registration_year = models.PositiveSmallIntegerField(_("识别年度"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=codes.choices(codes.STATUS), default="poor", db_index=True
    )
    monitoring_type = models.CharField(
        _("监测对象类别"), max_length=10, choices=codes.choices(codes.MONITORING_TYPE), blank=True
    )
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    planned_exit_year = models.PositiveSmallIntegerField(_("计划脱贫年度"), null=True, blank=True)
    relocated = models.BooleanField(_("易地扶贫搬迁"), default=False)
    size = models.PositiveSmallIntegerField(_("家庭人口"), default=0)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        indexes = [
            models.Index(fields=["region_path", "status"]),
            models.Index(fields=["region_path", "household_type"]),
            models.Index(fields=["region_path", "registration_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.household_no} {self.head_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=codes.choices(codes.SEX))
    birth_date = models.DateField(_("出生日期"))
    relation = models.CharField(
        _("与户主关系"), max_length=14, choices=codes.choices(codes.RELATION)
    )
    ethnicity = models.CharField(
        _("民族"), max_length=2, choices=codes.choices(codes.ETHNICITY), default="01"
    )
    education = models.CharField(
        _("文化程度"), max_length=12, choices=codes.choices(codes.EDUCATION), blank=True
    )
    schooling = models.CharField(
        _("在校生状况"),
        max_length=14,
        choices=codes.choices(codes.SCHOOLING),
        default="not_student",
    )
    health = models.CharField(
        _("健康状况"), max_length=10, choices=codes.choices(codes.HEALTH), default="healthy"
    )
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    labour = models.CharField(
        _("劳动能力"), max_length=10, choices=codes.choices(codes.LABOUR), default="ordinary"
    )
    work = models.CharField(
        _("务工状况"), max_length=12, choices=codes.choices(codes.WORK), default="none"
    )
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0)
    dibao = models.BooleanField(_("低保"), default=False)
    tekun = models.BooleanField(_("特困供养（五保）"), default=False)
    medical_insurance = models.BooleanField(_("基本医疗保险"), default=True)
    serious_illness_insurance = models.BooleanField(_("大病保险"), default=True)
    medical_assistance = models.BooleanField(_("医疗救助"), default=False)
    pension_insurance = models.BooleanField(_("城乡居民养老保险"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在户"), default=True)
    left_reason = models.CharField(_("减员原因"), max_length=40, blank=True)
    left_year = models.PositiveSmallIntegerField(_("减员年度"), null=True, blank=True)
    # 15-digit legacy number as entered, kept for matching with older department data.
    legacy_id_number = models.CharField(max_length=15, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(active=True),
                name="person_in_one_active_household",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(active=True, relation="head"),
                name="one_active_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HouseholdYear(models.Model):
    """What is recorded of a household for one year: income, housing, water and living conditions,
    and the causes of poverty."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    size = models.PositiveSmallIntegerField(_("家庭人口"))
    wage_income = _money(_("工资性收入"))
    business_income = _money(_("家庭经营性收入"))
    property_income = _money(_("财产性收入"))
    transfer_income = _money(_("转移性收入"))
    total_income = _money(_("家庭总收入"))
    production_cost = _money(_("生产经营费用支出"))
    net_income = _money(_("家庭纯收入"))
    per_capita_net_income = _money(_("年人均纯收入"))
    # Rigid expenditure (刚性支出) that monitoring counts against income.
    medical_out_of_pocket = _money(_("医疗自付支出"))
    education_expense = _money(_("教育支出"))
    housing_area = models.DecimalField(
        _("住房面积（㎡）"), max_digits=8, decimal_places=1, null=True
    )
    housing_structure = models.CharField(
        _("住房结构"), max_length=12, choices=codes.choices(codes.HOUSING_STRUCTURE), blank=True
    )
    housing_built_year = models.PositiveSmallIntegerField(_("建房年份"), null=True, blank=True)
    housing_grade = models.CharField(
        _("住房安全等级"), max_length=1, choices=codes.choices(codes.HOUSING_GRADE), blank=True
    )
    relocation_keys = models.BooleanField(_("搬迁入住"), default=False)
    water_source = models.CharField(
        _("饮水来源"), max_length=8, choices=codes.choices(codes.WATER_SOURCE), blank=True
    )
    water_litres_per_day = models.DecimalField(
        _("人均日供水量（升）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    water_scarce_area = models.BooleanField(_("缺水地区"), default=False)
    water_quality_ok = models.BooleanField(_("水质达标"), null=True)
    water_piped = models.BooleanField(_("自来水入户"), default=False)
    water_trip_minutes = models.PositiveSmallIntegerField(
        _("取水往返时间（分钟）"), null=True, blank=True
    )
    water_distance_m = models.PositiveIntegerField(_("取水水平距离（米）"), null=True, blank=True)
    water_vertical_m = models.PositiveIntegerField(_("取水垂直距离（米）"), null=True, blank=True)
    water_outage_days = models.PositiveSmallIntegerField(_("年断水天数"), null=True, blank=True)
    electricity = models.BooleanField(_("通生活用电"), default=True)
    fuel = models.CharField(
        _("主要燃料"), max_length=12, choices=codes.choices(codes.FUEL), blank=True
    )
    market_distance_km = models.DecimalField(
        _("距集市距离（公里）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    road_hardened = models.BooleanField(_("通硬化路"), default=True)
    main_cause = models.CharField(
        _("主要致贫原因"), max_length=2, choices=codes.choices(codes.CAUSE), blank=True
    )
    other_cause_1 = models.CharField(
        _("其他致贫原因1"), max_length=2, choices=codes.choices(codes.CAUSE), blank=True
    )
    other_cause_2 = models.CharField(
        _("其他致贫原因2"), max_length=2, choices=codes.choices(codes.CAUSE), blank=True
    )

    class Meta:
        verbose_name = _("年度信息")
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_fact_row_a_year"),
            models.CheckConstraint(
                condition=_within_a_cent(
                    "total_income",
                    F("wage_income")
                    + F("business_income")
                    + F("property_income")
                    + F("transfer_income"),
                ),
                name="income_components_sum",
            ),
            models.CheckConstraint(
                condition=_within_a_cent("net_income", F("total_income") - F("production_cost")),
                name="net_income_is_total_minus_cost",
            ),
        ]
        indexes = [models.Index(fields=["year", "per_capita_net_income"])]


class StatusChange(models.Model):
    """A household's status history; each row is also a ledger event."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="status_changes"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    date = models.DateField(_("日期"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=codes.choices(codes.STATUS))
    to_status = models.CharField(_("新状态"), max_length=16, choices=codes.choices(codes.STATUS))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
