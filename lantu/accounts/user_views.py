"""User management pages for the county administrator (in the app, not Django's admin): the
users of their subtree, a new user, a user's roles and region (a picker of the regions in
scope), password reset and deactivation. Views only translate HTTP: writes go through
``lantu.accounts.services`` (ledgered); form errors show inline with the input kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lantu.accounts import services
from lantu.accounts.models import User
from lantu.accounts.roles import ROLE_LABELS, Perm
from lantu.accounts.scope import scoped
from lantu.core.errors import LantuError, OutOfScope
from lantu.regions.models import Level, Region
from lantu.registry.views import requires

IDEOGRAPHIC_SPACE = "\u3000"  # indents the picker's levels
PICKER_LEVELS = [lv.value for lv in Level if lv != Level.GROUP]


class RegionChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Region) -> str:
        return IDEOGRAPHIC_SPACE * obj.depth + f"{obj.name}（{obj.code}）"


class UserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    first_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    region = RegionChoice(label=_("所属区划"), queryset=Region.objects.none())
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, actor: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = scoped(Region.objects.all(), actor, path_field="path").filter(level__in=PICKER_LEVELS)
        self.fields["region"].queryset = qs.order_by("path")  # type: ignore[attr-defined]
        if editing:
            self.fields["username"].disabled = True


def _users(actor: Any, q: str) -> QuerySet[User]:
    qs = scoped(User.objects.select_related("region"), actor, path_field="region__path")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q))
    return qs.order_by("region__path", "username")


def _role_names(user: User) -> str:
    labels = {r.value: str(label) for r, label in ROLE_LABELS.items()}
    return "、".join(labels.get(r, r) for r in user.roles or [])


@requires(Perm.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponseBase:
    q = request.GET.get("q", "").strip()
    rows = [(u, _role_names(u)) for u in _users(request.user, q)[:500]]
    return render(request, "accounts/users.html", {"rows": rows, "q": q})


def _save(request: HttpRequest, form: UserForm, user: User | None) -> User:
    d = form.cleaned_data
    common = {"region": d["region"], "roles": d["roles"], "first_name": d["first_name"],
              "phone": d["phone"]}  # fmt: skip
    if user is None:
        new, temp = services.create_user(actor=request.user, username=d["username"], **common)
        messages.info(request, _password_message(new, temp))
        return new
    return services.update_user(actor=request.user, user_id=user.pk, **common)


def _password_message(user: User, temp: str) -> str:
    return str(_("用户 %(u)s 的临时密码：%(p)s（只显示这一次，请当面交给本人）")) % {
        "u": user.username, "p": temp,
    }  # fmt: skip


@requires(Perm.MANAGE_USERS)
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = services._target(request.user, pk) if pk else None
    initial = {}
    if user is not None:
        initial = {"username": user.username, "first_name": user.first_name,
                   "phone": user.phone, "region": user.region, "roles": user.roles}  # fmt: skip
    data = request.POST if request.method == "POST" else None
    form = UserForm(data, actor=request.user, editing=user is not None, initial=initial)
    error, status = None, 200
    if data is not None:
        if form.is_valid():
            try:
                saved = _save(request, form, user)
                return redirect("user", pk=saved.pk)
            except LantuError as exc:
                error, status = exc, exc.status
        else:
            status = 400
    context = {"form": form, "target": user, "error": error}
    return render(request, "accounts/user_edit.html", context, status=status)


@require_POST
@requires(Perm.MANAGE_USERS)
def user_password(request: HttpRequest, pk: int) -> HttpResponseBase:
    temp = services.reset_password(actor=request.user, user_id=pk)
    messages.info(request, _password_message(services._target(request.user, pk), temp))
    return redirect("user", pk=pk)


@require_POST
@requires(Perm.MANAGE_USERS)
def user_active(request: HttpRequest, pk: int) -> HttpResponseBase:
    active = request.POST.get("active") == "1"
    try:
        services.set_active(actor=request.user, user_id=pk, active=active,
                            reason=request.POST.get("reason", ""))  # fmt: skip
    except OutOfScope:
        raise
    except LantuError as exc:
        messages.error(request, exc.en if _english(request) else exc.zh)
    return redirect("user", pk=pk)


def _english(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en")
