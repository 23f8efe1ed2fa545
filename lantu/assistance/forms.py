"""The forms of the assistance pages: recording a visit (the cadre's phone page) and uploading an
import file."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from lantu.assistance import codes
from lantu.assistance.columns import TABLES
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
