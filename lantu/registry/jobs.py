"""Job kinds of the registry: an export too large for a web request (over
``exports.MAX_HOUSEHOLDS`` households) is written by the worker, with progress, masked exactly as
the page's export is for the user who asked; a large import file (or one the uploader sends to the
background) is checked and applied by the worker with the importer's own contract — every error
in one pass as an XLSX, all or nothing. The uploaded file is kept under ``var/media/jobs/uploads``
so that the run can be re-run."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
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


def _uploads() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / "uploads"


def start_import(*, actor: Any, data: bytes, name: str) -> Any:
    """Keep the uploaded file and start its import as a job."""
    from lantu.jobs import services

    token = secrets.token_urlsafe(16)
    _uploads().mkdir(parents=True, exist_ok=True)
    (_uploads() / token).write_bytes(data)
    return services.start(actor=actor, kind="registry.import", params={"upload": token,
                          "name": Path(name).name})  # fmt: skip


@job("registry.import", label=_("导入登记表"), perm=Perm.IMPORT, listed=False)
def import_file(ctx: JobContext, *, upload: str, name: str) -> JobOutcome:
    from lantu.core.errors import ValidationFailed
    from lantu.registry import imports
    from lantu.registry.views import _keep_error_workbook

    if not upload.replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed("上传文件标识无效", "invalid upload token")
    ctx.progress(0, 2, stage=str(_("检查")))
    report = imports.import_file((_uploads() / upload).read_bytes(), name, actor=ctx.user)
    if not report.ok:
        token = _keep_error_workbook(ctx.user, report.error_workbook())
        url = f"/registry/import/errors/{token}.xlsx"
        n = len(report.errors)
        zh = f"{name}：{n} 处错误，未导入任何数据。错误清单：{url}"
        raise ValidationFailed(zh, f"{name}: {n} errors, nothing imported. Error list: {url}")
    ctx.progress(2, 2)
    return JobOutcome(dict(report.summary))
