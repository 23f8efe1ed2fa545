"""Parameter forms shared by several job kinds."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


def _this_year() -> int:
    return datetime.date.today().year


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2010, max_value=2100, initial=_this_year)


class EvaluateForm(YearForm):
    policy = forms.CharField(label=_("政策"), max_length=40, initial="yunnan")


class YearCloseForm(YearForm):
    replace = forms.BooleanField(label=_("重新关账"), required=False)
