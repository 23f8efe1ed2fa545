"""Job kinds of the ruler: the annual evaluation of the user's region, started from a page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.jobs.forms import EvaluateForm


@job("standards.evaluate", label=_("年度标准评估"), perm=Perm.APPROVE, form=EvaluateForm,
     help=_("按政策标准评估本辖区每一户，结果写入户档"))  # fmt: skip
def evaluate(ctx: JobContext, *, year: int, policy: str = "yunnan") -> JobOutcome:
    from lantu.standards.services import run_evaluation

    ctx.progress(0, 1, stage=f"{policy} {year}")
    run = run_evaluation(actor=ctx.user, year=year, policy=policy, region_path=ctx.region_path)
    ctx.progress(1, 1)
    return JobOutcome({"evaluation_run": run.pk, "households": run.households})
