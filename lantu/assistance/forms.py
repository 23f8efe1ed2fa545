"""The forms of the assistance pages: recording a visit (the cadre's phone page) and uploading an
import file."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lantu.assistance import codes
from lantu.assistance.columns import TABLES
from lantu.core.i18n import pick
from lantu.registry.codes import choices


class VisitForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(
        label=_("走访日期"),
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    kind = forms.ChoiceField(label=_("方式"), choices=choices(codes.VISIT_KIND), initial="home")
    notes = forms.CharField(
        label=_("走访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    changes = forms.CharField(
        label=_("情况变化"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssistanceImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=[(k, t.zh) for k, t in TABLES.items()])
    file = forms.FileField(label=_("文件（xlsx、ods 或 csv）"))


class PlanForm(forms.Form):
    """一户一策 of one household and year (its measures: ``MeasureFormSet``)."""

    year = forms.IntegerField(label=_("年度"), min_value=2014, max_value=2100)
    planned_exit_year = forms.IntegerField(
        label=_("计划脱贫年度"), required=False, min_value=2014, max_value=2100
    )
    planned_risk_elimination = forms.DateField(
        label=_("计划风险消除日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


def _date() -> forms.DateField:
    return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MeasureForm(forms.Form):
    """One measure row; a row without a measure is left out (the plan's measures are the rows
    given, so clearing a row's measure removes it)."""

    measure = forms.ChoiceField(label=_("帮扶措施"), required=False)
    cadre_no = forms.CharField(label=_("责任人干部编号"), required=False, max_length=30)
    planned_amount = forms.DecimalField(
        label=_("计划金额"), required=False, max_digits=12, decimal_places=2
    )
    actual_amount = forms.DecimalField(
        label=_("实际金额"), required=False, max_digits=12, decimal_places=2
    )
    planned_date = _date()
    actual_date = _date()
    status = forms.ChoiceField(
        label=_("状态"), choices=choices(codes.MEASURE_STATUS), initial="planned"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(c.code, pick(c.zh, c.en)) for c in codes.measure_codes()]]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(c.code, pick(c.zh, c.en)) for c in codes.MEASURE_STATUS]
        self.fields["planned_date"].label = _("计划完成日期")
        self.fields["actual_date"].label = _("实际完成日期")


MeasureFormSet = forms.formset_factory(MeasureForm, extra=3, max_num=30, validate_max=True)
