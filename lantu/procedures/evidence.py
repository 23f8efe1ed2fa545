"""Evidence attached to a case (photos of the home visit, signed consent, appraisal minutes):
files under MEDIA_ROOT, with their SHA-256 recorded in the ledger so a swapped file shows."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.core.errors import NotPermitted, ValidationFailed
from lantu.procedures import engine
from lantu.procedures.models import ACTIVE_STATES, Case, Evidence

MAX_BYTES = 20 * 1024 * 1024


def _digest(upload: UploadedFile) -> str:
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


@transaction.atomic
def attach(*, actor: Any, case: Case, upload: UploadedFile) -> Evidence:
    engine._in_scope(actor, case.region_path)
    if actor is not None and not actor.can(Perm.EDIT):
        raise NotPermitted("您的角色不能上传材料", "your role may not attach evidence")
    if case.state not in ACTIVE_STATES:
        raise ValidationFailed("案件已办结，不能再上传材料", "the case is closed")
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationFailed("文件不能超过20MB", "files are limited to 20 MB")
    name = (upload.name or "file")[-200:]
    digest = _digest(upload)
    ev = Evidence.objects.create(
        case=case, step=case.step, file=upload, name=name, sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    engine.log(case, "evidence", actor=actor, data={"evidence": ev.pk, "name": name,
               "sha256": digest})  # fmt: skip
    return ev
