"""Managing users in the app (not Django's admin): create, change roles and region, reset a
password, deactivate and reactivate. Each is a keyword-only function taking the acting user,
who must hold ``Perm.MANAGE_USERS`` and may act only on users bound inside their own subtree
(a county administrator manages the county's townships and villages, never the prefecture).
Each writes a ledger event (``user.*``, before and after, never a password) in the same
transaction. A password reset sets a one-time temporary password shown once to the
administrator."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction

from lantu.accounts.models import User
from lantu.accounts.roles import Perm, Role
from lantu.core.errors import InvariantViolated, NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.services import Change, record
from lantu.regions.models import Region

SHOWN = ("username", "first_name", "last_name", "phone", "roles", "region", "is_active")


def _scope(actor: Any) -> str:
    if actor is None:
        return ""
    if not actor.can(Perm.MANAGE_USERS):
        raise NotPermitted("您的角色无权管理用户", "your role may not manage users")
    if not actor.region_id:
        raise OutOfScope()
    return str(actor.region.path)


def _check_region(actor: Any, region: Region | None) -> None:
    if region is None:
        raise ValidationFailed("请选择所属区划", "choose the user's region")
    if not region.path.startswith(_scope(actor)):
        raise OutOfScope()


def _check_roles(roles: list[str]) -> list[str]:
    known = {r.value for r in Role}
    bad = [r for r in roles if r not in known]
    if bad or not roles:
        raise ValidationFailed("请至少选择一个有效角色", "choose at least one valid role")
    return list(dict.fromkeys(roles))


def _snap(user: User) -> dict[str, Any]:
    out = {k: getattr(user, k) for k in SHOWN if k != "region"}
    return out | {"region": user.region.code if user.region else None}


def _log(action: str, user: User, before: dict[str, Any] | None, actor: Any, reason: str) -> None:
    path = user.region.path if user.region else ""
    record(Change(action, "accounts.user", str(user.pk), path, before, _snap(user), reason),
           actor=actor)  # fmt: skip


def _target(actor: Any, user_id: int) -> User:
    user = User.objects.select_related("region").filter(pk=user_id).first()
    if user is None or user.region is None or not user.region.path.startswith(_scope(actor)):
        raise OutOfScope()
    return user


@transaction.atomic
def create_user(
    *, actor: Any, username: str, region: Region | None, roles: list[str], first_name: str = "",
    last_name: str = "", phone: str = "",
) -> tuple[User, str]:  # fmt: skip
    """A new user; returns it and its temporary password (shown once)."""
    _check_region(actor, region)
    temp = secrets.token_urlsafe(9)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username.strip(), password=temp, region=region,
                roles=_check_roles(roles), first_name=first_name, last_name=last_name,
                phone=phone,
            )  # fmt: skip
    except IntegrityError:
        raise InvariantViolated(
            f"用户名{username}已被使用", f"the user name {username} is taken"
        ) from None
    _log("user.create", user, None, actor, "")
    return user, temp


@transaction.atomic
def update_user(
    *, actor: Any, user_id: int, region: Region | None, roles: list[str], first_name: str = "",
    last_name: str = "", phone: str = "", reason: str = "",
) -> User:  # fmt: skip
    user = _target(actor, user_id)
    _check_region(actor, region)
    before = _snap(user)
    user.region, user.roles = region, _check_roles(roles)
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    user.save()
    _log("user.update", user, before, actor, reason)
    return user


@transaction.atomic
def reset_password(*, actor: Any, user_id: int, reason: str = "") -> str:
    """A new temporary password for the user (shown once to the administrator)."""
    user = _target(actor, user_id)
    temp = secrets.token_urlsafe(9)
    user.set_password(temp)
    user.save(update_fields=["password"])
    _log("user.password_reset", user, _snap(user), actor, reason)
    return temp


@transaction.atomic
def set_active(*, actor: Any, user_id: int, active: bool, reason: str = "") -> User:
    user = _target(actor, user_id)
    if actor is not None and user.pk == actor.pk and not active:
        raise ValidationFailed("不能停用自己的账号", "you cannot deactivate your own account")
    if not active and not reason.strip():
        raise ValidationFailed("停用账号须填写理由", "give a reason to deactivate the account")
    before = _snap(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    _log("user.activate" if active else "user.deactivate", user, before, actor, reason)
    return user
