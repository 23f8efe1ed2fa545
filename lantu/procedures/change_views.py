"""The change-request page (变更申请): a household's editable facts and each present member's,
as forms filled with what the registry holds. On submit every form is checked at once; errors
show beside their fields and every typed value stays in the form. A valid request opens a
``change_request`` case (``lantu.procedures.changes``) and goes to its case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.core.errors import LantuError, NotPermitted
from lantu.procedures import changes, config, engine
from lantu.procedures.models import Case
from lantu.registry import queries
from lantu.registry.models import Household, Member
from lantu.registry.views import requires


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("变更依据（入户了解到的情况）"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _forms(hh: Household, data: Any) -> tuple[forms.ModelForm[Any], list[tuple[Member, Any]]]:
    hh_form = forms.modelform_factory(Household, fields=changes.editable("household"))
    member_form = forms.modelform_factory(Member, fields=changes.editable("member"))
    members = Member.objects.filter(household=hh, active=True).order_by("id")
    return hh_form(data, instance=hh, prefix="hh"), [
        (m, member_form(data, instance=m, prefix=f"m{m.pk}")) for m in members
    ]


def _may_enter(user: Any, hh: Household) -> None:
    kind = config.kind(changes.KIND)
    probe = Case(kind=kind.slug, household=hh, region_path=hh.region_path)
    engine.authorise(user, kind.steps[0], probe)


def _submit(request: HttpRequest, pk: int, hh_form: Any, member_forms: list[Any]) -> Case:
    fresh = queries.household(request.user, pk)  # the forms changed their instances in memory
    facts = {n: hh_form.cleaned_data[n] for n in hh_form.changed_data}
    members = {m.pk: {n: f.cleaned_data[n] for n in f.changed_data} for m, f in member_forms}
    return changes.request_change(
        actor=request.user, household=fresh, facts=facts,
        members={k: v for k, v in members.items() if v}, reason=request.POST.get("reason", ""),
    )  # fmt: skip


@requires(Perm.EDIT)
def change_request(request: HttpRequest, pk: int) -> HttpResponseBase:
    hh = queries.household(request.user, pk)
    try:
        _may_enter(request.user, hh)
    except NotPermitted:
        raise NotPermitted(
            "变更申请由村级录入员提出；请联系该村录入员",
            "a change request is entered by the village",
        ) from None
    data = request.POST if request.method == "POST" else None
    hh_form, member_forms = _forms(hh, data)
    reason = ReasonForm(data)
    status, error = 200, None
    if data is not None:
        valid = [f.is_valid() for f in (hh_form, reason, *(f for _m, f in member_forms))]
        if all(valid):
            try:
                case = _submit(request, pk, hh_form, member_forms)
                return redirect("procedures:case", pk=case.pk)
            except LantuError as exc:
                error, status = exc, exc.status
        else:
            status = 400
    context = {"household": hh, "hh_form": hh_form, "member_forms": member_forms,
               "reason_form": reason, "error": error,
               "breadcrumb": queries.breadcrumb(request.user, hh.region)}  # fmt: skip
    return render(request, "procedures/change_request.html", context, status=status)
