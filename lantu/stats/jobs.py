"""The statistics refresh as a background job (``lantu stats refresh`` does the same)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job


@job("stats.refresh", label=_("刷新统计汇总"), perm=Perm.EXPORT,
     help=_("从业务数据重新计算全部指标（各级区划、各年度）"))  # fmt: skip
def refresh(ctx: JobContext) -> JobOutcome:
    from lantu.stats.services import refresh as run

    done = run(actor=ctx.user, progress=ctx.progress)
    return JobOutcome({"rows": done.rows, "seconds": round(done.seconds, 1), **done.timings})
