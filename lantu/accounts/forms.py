"""The login form, with its labels and messages translatable (Chinese msgids)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from lantu.accounts.models import User
from lantu.accounts.roles import ROLE_LABELS


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class UserAdminForm(UserChangeForm):  # type: ignore[type-arg]
    """The admin's user form: roles as check boxes over ``Role`` instead of raw JSON."""

    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined,misc]
        model = User
