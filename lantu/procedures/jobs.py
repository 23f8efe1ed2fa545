"""Job kinds of the yearly cycle: closing a year (the registry frozen, the year's report) — the
same as ``lantu year close``. It acts on the whole installation, so only an administrator starts
it; the report comes back as the run's XLSX."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.jobs.forms import YearCloseForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@job("procedures.year_close", label=_("年度关账"), perm=Perm.MANAGE_USERS, form=YearCloseForm,
     help=_("冻结该年度的建档立卡数据并生成年度变动报告"))  # fmt: skip
def year_close(ctx: JobContext, *, year: int, replace: bool = False) -> JobOutcome:
    from lantu.procedures import report, yearly

    ctx.progress(0, 2, stage=str(_("关账")))
    closed = yearly.close_year(actor=ctx.user, year=year, replace=replace)
    ctx.progress(1, 2, stage=str(_("报告")))
    rows = report.rollup(closed.report, "/", report.TOWNSHIP_DEPTH)
    return JobOutcome({"year": year, "households": closed.households},
                      file_name=f"changes-{year}.xlsx", data=report.xlsx(year, rows),
                      content_type=XLSX)  # fmt: skip
