"""Job kinds of the registry: an export too large for a web request (over
``exports.MAX_HOUSEHOLDS`` households) is written by the worker, with progress, masked exactly as
the page's export is for the user who asked."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantu.accounts.roles import Perm
from lantu.jobs import JobContext, JobOutcome, job
from lantu.registry.forms import HouseholdFilterForm


@job("registry.export", label=_("导出花名册"), perm=Perm.EXPORT, form=HouseholdFilterForm,
     help=_("导出本辖区（可按条件筛选）的户和成员，生成 XLSX"))  # fmt: skip
def export(ctx: JobContext, **params: Any) -> JobOutcome:
    from lantu.registry import exports, queries
    from lantu.registry.masking import masker_for

    f = HouseholdFilterForm(data=params).to_filter()
    total = queries.households(ctx.user, f).count()
    ctx.progress(0, total, stage=str(_("导出")))

    def counted(households: Iterator[Any]) -> Iterator[Any]:
        for n, h in enumerate(households, start=1):
            if n % 500 == 0:
                ctx.progress(n, total)
            yield h

    with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        hh = counted(queries.households_for_export(ctx.user, f))
        rows = exports.write_xlsx(tmp, exports.rows(hh, masker_for(ctx.user), f.year))
        tmp.seek(0)
        data = tmp.read()
    name = f"registry-{timezone.localdate():%Y%m%d}.xlsx"
    return JobOutcome({"households": total, "rows": rows}, file_name=name, data=data,
                      content_type=exports.XLSX)  # fmt: skip
