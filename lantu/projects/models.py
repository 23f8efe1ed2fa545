"""Tables of the project library and funds (项目库与资金).

A ``Project`` belongs to a county and serves townships or villages (``ProjectArea``); it benefits
registered households (``Beneficiary``, with the 利益联结 mechanism). Money flows from a fund
source's yearly availability in a county (``FundAvailability``) to projects (``Allocation``) and
from projects to households (``Disbursement``); what a project leaves behind is an ``Asset``.
Amounts are ``YuanField`` (whole fen in the database: exact sums on SQLite too).

Invariants kept by the database itself: positive amounts; one availability per county, source and
year; one allocation per project, source and year; a voucher number once per project; a household
asset names its household and other assets do not; a project past approval has all six 六定
fields filled. The cross-row invariants (allocated ≤ available, disbursed ≤ allocated, a household
disbursement goes to a registered household or a beneficiary) are checked by the services under
row locks (``lantu.projects.services``) and re-checked over whole tables by the batch checks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lantu.projects import codes
from lantu.projects.money import YuanField
from lantu.regions.models import Region
from lantu.registry.models import Household


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("申报")
    LIBRARY = "library", _("已入库")
    APPROVED = "approved", _("已批复（公示中）")
    IMPLEMENTING = "implementing", _("实施中")
    COMPLETED = "completed", _("已完工")
    ACCEPTED = "accepted", _("已验收")
    ASSETS = "assets", _("资产已登记")
    REJECTED = "rejected", _("未通过")


# Stages in which a project has been approved: all six 六定 must be filled.
APPROVED_STAGES = ("approved", "implementing", "completed", "accepted", "assets")
SIX_FIELDS = (
    "funds_plan",
    "plan",
    "approval_doc",
    "notice_plan",
    "responsible_unit",
    "responsible_person",
    "supervision",
)


def _filled(name: str) -> Q:
    return ~Q(**{name: ""})


class Project(models.Model):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=20, choices=codes.choices(codes.CATEGORY))
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("计划年度"), db_index=True)
    implementer = models.CharField(_("实施单位"), max_length=120, blank=True)
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    end_date = models.DateField(_("完工日期"), null=True, blank=True)
    planned_amount = YuanField(_("计划投资（元）"), default=0)
    # 六定: funds, plan, approval, notice, responsibility (unit and person), supervision.
    funds_plan = models.CharField(_("定资金：资金来源与规模"), max_length=300, blank=True)
    plan = models.CharField(_("定计划：建设内容与进度"), max_length=500, blank=True)
    approval_doc = models.CharField(_("定审批：批复文号"), max_length=120, blank=True)
    notice_plan = models.CharField(_("定公示：公示内容与范围"), max_length=300, blank=True)
    responsible_unit = models.CharField(_("定责任：责任单位"), max_length=120, blank=True)
    responsible_person = models.CharField(_("定责任：责任人"), max_length=50, blank=True)
    supervision = models.CharField(_("定监管考核内容"), max_length=500, blank=True)
    stage = models.CharField(
        _("项目阶段"), max_length=14, choices=Stage.choices, default=Stage.PROPOSED, db_index=True
    )
    notice_date = models.DateField(_("公示开始日期"), null=True, blank=True)
    completed_date = models.DateField(_("完工日期（实际）"), null=True, blank=True)
    accepted_date = models.DateField(_("验收日期"), null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)  # its lifecycle case (procedures)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [models.Index(fields=["region_path", "year", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0), name="project_planned_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=APPROVED_STAGES)
                | Q(*[_filled(f) for f in SIX_FIELDS], _connector=Q.AND),
                name="project_approved_has_six_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def missing_six(self) -> list[str]:
        return [f for f in SIX_FIELDS if not getattr(self, f)]


class ProjectArea(models.Model):
    """A township or village the project serves."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "region"], name="project_area_once")
        ]


class Beneficiary(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    mechanism = models.CharField(
        _("利益联结方式"), max_length=12, choices=codes.choices(codes.MECHANISM)
    )
    expected_amount = YuanField(_("预计年增收（元）"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "household"], name="beneficiary_once"),
            models.CheckConstraint(
                condition=Q(expected_amount__gte=0), name="beneficiary_amount_not_negative"
            ),
        ]


class FundAvailability(models.Model):
    """What a source makes available to a county in a year (下达资金)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    source = models.CharField(_("资金来源"), max_length=12, choices=codes.choices(codes.SOURCE))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = YuanField(_("可用金额（元）"))
    document = models.CharField(_("下达文号"), max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "source", "year"], name="availability_once_a_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="availability_not_negative"),
        ]


class Allocation(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    region_path = models.CharField(max_length=120, db_index=True)
    source = models.CharField(_("资金来源"), max_length=12, choices=codes.choices(codes.SOURCE))
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = YuanField(_("安排金额（元）"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source", "year"], name="allocation_once_a_year"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]
        indexes = [models.Index(fields=["region_path", "source", "year"])]


class Disbursement(models.Model):
    """到户补助: money paid to a household under a project (bank account masked on screen)."""

    # Few indexes, for loads of millions of rows: the unique (project, voucher) serves the
    # project, (household, year) the household, region_path the scope.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="disbursements", db_index=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region_path = models.CharField(max_length=120, db_index=True)
    voucher = models.CharField(_("凭证号"), max_length=40)
    item = models.CharField(_("补助事项"), max_length=100, blank=True)
    payee_name = models.CharField(_("收款人"), max_length=50, blank=True)
    payee_id_number = models.CharField(_("收款人身份证号"), max_length=18, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    amount = YuanField(_("金额（元）"))
    date = models.DateField(_("发放日期"))
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "voucher"], name="voucher_once_a_project"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive"),
        ]
        indexes = [models.Index(fields=["household", "year"])]


class Asset(models.Model):
    """扶贫项目资产: what a project leaves, its owner, custodian (管护) and income distribution."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="assets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=120, db_index=True)
    name = models.CharField(_("资产名称"), max_length=200)
    kind = models.CharField(_("资产类别"), max_length=10, choices=codes.choices(codes.ASSET_KIND))
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household_asset = models.CharField(
        _("到户资产类型"), max_length=10, blank=True, choices=codes.choices(codes.HOUSEHOLD_ASSET)
    )
    value = YuanField(_("资产原值（元）"), default=0)
    owner = models.CharField(_("所有权人"), max_length=120)
    custodian = models.CharField(_("管护责任人"), max_length=120)
    income_distribution = models.CharField(_("收益分配方式"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("登记年度"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="household") & Q(household__isnull=False))
                | (~Q(kind="household") & Q(household__isnull=True)),
                name="household_asset_names_household",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="asset_value_not_negative"),
        ]


class FindingState(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("已确认，整改中")
    DISMISSED = "dismissed", _("核实无误")
    CLEARED = "cleared", _("已不再出现")


class Finding(models.Model):
    """One thing the checks found (``lantu.projects.checks``), waiting in the county's work
    queue. ``key`` names it across runs, so a run re-finding it does not add it twice."""

    rule = models.CharField(_("检查项"), max_length=40, db_index=True)
    key = models.CharField(max_length=120)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=120, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    zh = models.CharField(max_length=300)
    en = models.CharField(max_length=300)
    state = models.CharField(
        _("状态"), max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    found_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("核实意见"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="project_finding_once")]
        indexes = [models.Index(fields=["region_path", "state"])]
