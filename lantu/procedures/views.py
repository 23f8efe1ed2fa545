"""The staff pages of the procedures: the work queue with bulk actions, the case page (act,
resolve objections, attach evidence), and opening cases in bulk. Views only translate HTTP:
reads go through ``queries``, writes through ``engine``/``notices``/``evidence``; every
household value shown passes through the masker; domain errors become their HTTP status."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from lantu.accounts.roles import Perm, Role
from lantu.accounts.scope import scoped
from lantu.core.errors import LantuError, NotPermitted, OutOfScope, ValidationFailed
from lantu.procedures import (
    clock,
    config,
    engine,
    evidence,
    notices,
    presenting,
    queries,
    requirements,
    ruler,
    subjects,
    yearly,
)
from lantu.procedures.models import ObjectionState
from lantu.registry import codes
from lantu.registry.masking import masker_for
from lantu.registry.models import Household
from lantu.registry.views import requires

# Step-record actions as a person reads them.
ACTION_LABELS = {
    "open": _("发起"),
    "approve": _("通过"),
    "return": _("退回"),
    "reject": _("不予通过"),
    "objection": _("收到异议"),
    "objection_upheld": _("异议成立"),
    "objection_dismissed": _("异议不成立"),
    "escalate": _("督办"),
    "evidence": _("上传材料"),
}


def _kinds() -> list[config.Kind]:
    return list(config.kinds().values())


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_GET
@requires(Perm.VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = list(queries.queue(request.user, kind=kind)[:500])
    context = {
        "rows": [(c, config.kind(c.kind), config.kind(c.kind).step(c.step)) for c in rows],
        "escalated": [_labelled(c) for c in queries.escalated(request.user)[:200]],
        "kinds": _kinds(),
        "kind": kind,
        "waiting": _waiting(request.user),
        # Cases are opened by the village (every kind's first step): nobody else sees the button.
        "may_open": _may_open(request.user),
        "may_act": request.user.can(Perm.EDIT)  # type: ignore[union-attr]
        or request.user.can(Perm.REVIEW)  # type: ignore[union-attr]
        or request.user.can(Perm.APPROVE),  # type: ignore[union-attr]
    }
    return render(request, "procedures/queue.html", context)


def _may_open(user: Any) -> bool:
    roles = user.roles or []
    village = user.region_id is not None and user.region.level == "village"
    return Role.ADMIN.value in roles or (Role.VILLAGE_ENTRY.value in roles and village)


def _labelled(c: Any) -> tuple[Any, config.Kind]:
    kind = config.kind(c.kind)
    c.step_label = _step_label(kind, c.step)
    return c, kind


def _waiting(user: Any) -> list[dict[str, Any]]:
    """The running cases below the user, in each kind's step order, with who acts on them."""
    out = []
    for row in queries.waiting(user):
        kind = config.kind(row["kind"])
        try:
            step = kind.step(row["step"])
        except KeyError:
            continue
        label = step.en if (get_language() or "").startswith("en") else step.zh
        kind_label = kind.en if (get_language() or "").startswith("en") else kind.zh
        extra = {"kind_label": kind_label, "step_label": label, "who": presenting.who_acts(step)}
        out.append(row | extra | {"order": kind.index(step.name)})
    return sorted(out, key=lambda r: (r["kind"], r["order"]))


@require_POST
@requires(Perm.VIEW)
def bulk(request: HttpRequest) -> HttpResponseBase:
    """Approve (or return) the ticked cases; each box carries ``case:version``."""
    items = []
    for token in request.POST.getlist("case"):
        pk, _sep, version = token.partition(":")
        items.append((_int(pk), _int(version)))
    action = request.POST.get("action", "approve")
    result = engine.act_many(
        actor=request.user, items=items, action=action, comment=request.POST.get("comment", "")
    )
    messages.info(request, _("已办理 %(n)s 件") % {"n": len(result.done)})
    for case_id, exc in result.failed:
        messages.error(request, f"#{case_id}: {_error_text(exc)}")
    return redirect("procedures:queue")


def _error_text(exc: LantuError) -> str:
    """A domain error in the page's language only (not both at once)."""
    return exc.en if (get_language() or "").startswith("en") else exc.zh


def _step_label(kind: config.Kind, name: str) -> str:
    try:
        s = kind.step(name)
    except KeyError:
        return name
    return s.en if (get_language() or "").startswith("en") else s.zh


def _case_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    case = queries.case(request.user, pk)
    kind = config.kind(case.kind)
    step = kind.step(case.step)
    m = masker_for(request.user)
    hh = case.household
    return {
        "case": case,
        "kind": kind,
        "step": step,
        "steps": kind.steps,
        "household": hh,
        "subject_name": case.subject_name,
        "subject_link": subjects.link(case),
        "phone": m.value("phone", hh.phone) if hh is not None else "",
        "decisions": [
            (
                d,
                _step_label(kind, d.step),
                ACTION_LABELS.get(d.action, d.action),
                presenting.role_label(d.role),
                presenting.actor_name(d.actor),
                presenting.summary(d.data),
            )
            for d in case.decisions.select_related("actor")
        ],
        "may_act": presenting.may_act(request.user, step, case),
        "may_resolve": presenting.may_resolve(request.user, case),
        "records": presenting.records(case),
        "next_actor": presenting.who_acts(step),
        "change_rows": presenting.change_rows(case, m),
        "notices": case.notices.all(),
        "objections": case.objections.order_by("at"),
        "evidence": case.evidence.order_by("at"),
        "verdict": ruler.case_verdict(kind, case) if step.decision else None,
        "checks": requirements.CHECK_LABELS,
        "bodies": requirements.BODY_LABELS,
        "monitoring_types": codes.MONITORING_TYPE,
        "open_objection": ObjectionState.OPEN,
    }


@requires(Perm.VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The case page; an action that fails comes back to it with the reason beside the form and
    everything typed still in it."""
    if request.method == "POST":
        case = queries.case(request.user, pk)
        step = config.kind(case.kind).step(case.step)
        try:
            engine.act(
                actor=request.user,
                case_id=case.pk,
                version=_int(request.POST.get("version")),
                action=request.POST.get("action", ""),
                comment=request.POST.get("comment", ""),
                data=requirements.from_form(step, request.POST),
                override_reason=request.POST.get("override_reason", ""),
            )
        except LantuError as exc:
            context = _case_context(request, pk) | {"error": exc, "posted": request.POST}
            return render(request, "procedures/case.html", context, status=exc.status)
        return redirect("procedures:case", pk=pk)
    return render(request, "procedures/case.html", _case_context(request, pk))


@require_POST
@requires(Perm.VIEW)
def resolve_objection(request: HttpRequest, pk: int, objection: int) -> HttpResponseBase:
    case = queries.case(request.user, pk)
    if not case.objections.filter(pk=objection).exists():
        raise ValidationFailed("该案件没有此异议", "no such objection on this case")
    notices.resolve(
        actor=request.user,
        objection_id=objection,
        upheld=request.POST.get("upheld") == "1",
        reason=request.POST.get("reason", ""),
    )
    return redirect("procedures:case", pk=pk)


@require_POST
@requires(Perm.VIEW)
def upload_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = queries.case(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed("请选择文件", "choose a file")
    evidence.attach(actor=request.user, case=case, upload=upload)
    return redirect("procedures:case", pk=pk)


@require_GET
@requires(Perm.VIEW)
def evidence_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    """An evidence file of a case in the user's scope (the case's 404 outside it). Evidence can
    hold personal details, so roles without the personal-data permission may not open it."""
    case = queries.case(request.user, pk)
    if not request.user.can(Perm.PERSONAL_DATA):  # type: ignore[union-attr]
        raise NotPermitted(
            "佐证材料可能含个人信息，您的角色不能查看",
            "evidence may hold personal data: your role may not open it",
        )
    ev = case.evidence.filter(pk=evidence_id).first()
    if ev is None or not ev.file:
        raise OutOfScope()
    return FileResponse(ev.file.open("rb"), as_attachment=False, filename=ev.name)


def _open_from_post(request: HttpRequest) -> int:
    kind = request.POST.get("kind", "")
    year = _int(request.POST.get("year"), clock.today().year)
    ids = [_int(x) for x in request.POST.getlist("household")]
    numbers = [n.strip() for n in request.POST.get("numbers", "").split() if n.strip()]
    qs = Household.objects.filter(pk__in=ids) | Household.objects.filter(household_no__in=numbers)
    households = list(scoped(qs, request.user).select_related("region", "region__parent"))
    if len(households) != len(set(ids)) + len(set(numbers)):
        raise ValidationFailed(
            "部分户不存在或不在您的辖区内",
            "some households do not exist or are outside your region",
        )
    clue = request.POST.get("clue_date") or None
    clue_date = datetime.date.fromisoformat(clue) if clue else None
    cases = engine.open_cases(
        actor=request.user, kind=kind, households=households, year=year, clue_date=clue_date,
        reason=request.POST.get("reason", ""),
    )  # fmt: skip
    return len(cases)


@requires(Perm.EDIT)
def open_cases(request: HttpRequest) -> HttpResponseBase:
    """Open cases in bulk: the ruler's candidates of the year in scope, or household numbers."""
    if request.method == "POST":
        n = _open_from_post(request)
        messages.info(request, _("已发起 %(n)s 件") % {"n": n})
        return redirect("procedures:queue")
    kind = request.GET.get("kind", "household_exit")
    year = _int(request.GET.get("year"), clock.today().year)
    candidates = yearly.candidates_in_scope(request.user, config.kind(kind), year)[:500]
    context = {"kinds": _kinds(), "kind": kind, "year": year, "candidates": candidates}
    return render(request, "procedures/open.html", context)
