"""Departments' push tokens: a random key shown once, kept only as its SHA-256, scoped to the
datasets the department may push."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from lantu.accounts.roles import Perm
from lantu.core.errors import NotPermitted
from lantu.ledger.services import Change, record
from lantu.matching import schemas
from lantu.matching.models import DepartmentToken

PREFIX = "dept_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(*, actor: Any, department: str, datasets: list[str]) -> str:
    if actor is not None and not actor.can(Perm.MANAGE_USERS):
        raise NotPermitted("只有管理员可以发放部门令牌", "only an administrator issues tokens")
    for slug in datasets:
        schemas.get(slug)  # refuses an unknown dataset, naming the known ones
    key = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = DepartmentToken.objects.create(
            department=department, datasets=sorted(set(datasets)), key_hash=_hash(key)
        )
        record(
            Change(
                action="matching.token",
                object_type="matching.DepartmentToken",
                object_id=str(token.pk),
                after={"department": department, "datasets": token.datasets},
                reason="发放部门推送令牌 / department push token issued",
            ),
            actor=actor,
        )
    return key


def department_for(key: str) -> DepartmentToken | None:
    if not key.startswith(PREFIX):
        return None
    return DepartmentToken.objects.filter(key_hash=_hash(key), active=True).first()
