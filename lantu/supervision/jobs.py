"""Supervision's long runs, started from its pages (the jobs room runs them): the reconciliation
and the 回头看."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.jobs.forms import YearForm


@job(
    "supervision.reconcile",
    label=_("账账核对"),
    perm=Perm.SUPERVISE,
    form=YearForm,
    help=_("核对户、成员、年度信息、项目资金、程序与台账是否相符"),
)
def reconcile(ctx: JobContext, *, year: int) -> JobOutcome:
    from lantu.supervision import reconcile as rec

    ctx.progress(0, 1, stage=str(year))
    out = rec.run(actor=ctx.user, year=year, region_path=ctx.region_path)
    ctx.progress(1, 1)
    r = out.run
    return JobOutcome({"found": r.found, "new": r.new, "cleared": r.cleared, "seconds": r.seconds})


@job(
    "supervision.campaign",
    label=_("回头看"),
    perm=Perm.SUPERVISE,
    form=YearForm,
    help=_("标准评估、数据比对与账账核对一并运行，批量交办整改"),
)
def campaign(ctx: JobContext, *, year: int) -> JobOutcome:
    from lantu.regions.models import Region
    from lantu.supervision import campaign as camp

    region = Region.objects.filter(path=ctx.region_path).first()
    if region is None:
        region = ctx.user.region
    insp = camp.run(actor=ctx.user, region=region, year=year, progress=ctx.progress)
    return JobOutcome({"inspection": insp.pk, "opened": insp.report.get("opened", 0)})
