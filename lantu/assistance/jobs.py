"""Job kinds of the assistance room: the assistance rules and 六清 of the user's region, started
from the jobs page (``lantu.jobs``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.jobs.forms import EvaluateForm


@job(
    "assistance.evaluate",
    label=_("帮扶规则与六清评估"),
    perm=Perm.EDIT,
    form=EvaluateForm,
    help=_("评估本辖区应帮扶户的责任人、计划、措施、走访与六清，结果进入帮扶工作清单"),
)
def evaluate(ctx: JobContext, *, year: int, policy: str = "yunnan") -> JobOutcome:
    from lantu.assistance.gaps import run

    ctx.progress(0, 1, stage=f"{policy} {year}")
    summary = run(actor=ctx.user, year=year, policy=policy, region_path=ctx.region_path)
    ctx.progress(1, 1)
    return JobOutcome(summary)
