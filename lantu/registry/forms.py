"""Forms of the registry pages (the list's filter bar, the import upload) and the display of coded
values in the page's language (codes carry their Chinese and English labels, ``codes.py``)."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lantu.core.i18n import english
from lantu.registry import codes
from lantu.registry.columns import BY_NAME
from lantu.registry.queries import HouseholdFilter


def code_label(code_list: codes.CodeList, value: Any) -> str:
    return codes.label(
        code_list, None if value is None else str(value), "en" if english() else "zh"
    )


def code_list(field: str) -> codes.CodeList | None:
    column = BY_NAME.get(field)
    return column.codes if column else None


def display(field: str, value: Any) -> str:
    """A stored value as a person reads it: code labels, yes/no, blanks as a dash."""
    if value is None or value == "":
        return "—"
    cl = code_list(field)
    if cl is not None:
        return code_label(cl, value)
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value.as_tuple().exponent == -2 else str(value)
    return str(value)


def field_label(model: type[Model], name: str) -> str:
    """A field's label in the page's language (cached: list pages ask for it on every cell)."""
    return _field_label(model, name, get_language() or "")


@functools.lru_cache(maxsize=4096)
def _field_label(model: type[Model], name: str, language: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _choices(code_list: codes.CodeList) -> list[tuple[str, str]]:
    lang = "en" if english() else "zh"
    return [("", str(_("全部")))] + [
        (c.code, codes.label(code_list, c.code, lang)) for c in code_list
    ]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名/身份证号/户编号"), required=False, max_length=60)
    region = forms.CharField(required=False, max_length=15, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("状态"), required=False)
    household_type = forms.ChoiceField(label=_("贫困户属性"), required=False)
    cause = forms.ChoiceField(label=_("主要致贫原因"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=1990, max_value=2100)
    registration_year = forms.IntegerField(
        label=_("识别年度"), required=False, min_value=1990, max_value=2100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(codes.STATUS)  # type: ignore[attr-defined]
        self.fields["household_type"].choices = _choices(  # type: ignore[attr-defined]
            codes.HOUSEHOLD_TYPE
        )
        self.fields["cause"].choices = _choices(codes.CAUSE)  # type: ignore[attr-defined]

    def to_filter(self) -> HouseholdFilter:
        """The valid filters (an invalid one is dropped, and the form shows why)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}
        return HouseholdFilter(**data)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("登记表文件（XLSX 或 CSV）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    background = forms.BooleanField(label=_("作为后台任务运行（大文件）"), required=False)
