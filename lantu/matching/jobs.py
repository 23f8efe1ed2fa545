"""Job kinds of the data comparison: linking every current department load to the registry of the
user's region, and the year's findings, started from a page (``lantu match link|findings`` on the
command line does the same as the system)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.jobs.forms import YearForm


@job("matching.link", label=_("数据比对：关联"), perm=Perm.IMPORT,
     help=_("把各部门当前数据与本辖区的建档立卡人员关联"))  # fmt: skip
def link(ctx: JobContext) -> JobOutcome:
    from lantu.matching import services
    from lantu.matching.models import DatasetLoad

    loads = list(DatasetLoad.objects.filter(active=True).order_by("dataset"))
    summary: dict[str, int] = {}
    for load in ctx.steps(loads, stage=str(_("关联"))):
        s = services.link_load(actor=ctx.user, load_id=load.pk)
        ctx.log(f"{load.dataset}: {s.records} records, {s.by_method}, review {s.review}")
        summary[load.dataset] = sum(s.by_method.values())
    return JobOutcome(summary)


@job("matching.findings", label=_("数据比对：发现问题"), perm=Perm.APPROVE, form=YearForm,
     help=_("按比对规则找出本辖区该年度的疑似问题户"))  # fmt: skip
def findings(ctx: JobContext, *, year: int) -> JobOutcome:
    from lantu.matching import findings as f

    ctx.progress(0, 2, stage=str(_("检测")))
    found, pol = f.detect(year=year, policy="yunnan", region_path=ctx.region_path)
    ctx.progress(1, 2, stage=str(_("保存")))
    n = f.store(found, pol, actor=ctx.user, year=year, region_path=ctx.region_path)
    return JobOutcome({"findings": n})
