"""API authentication: a bearer token for scripts, or the browser's session; and the role check
every route makes.

A token is an opaque random secret (``secrets.token_urlsafe``) handed out once by ``POST
/api/token``; the database keeps only its SHA-256 (``lantu.accounts.models.ApiToken``), so a copy
of the database yields no working token. It expires after ``TOKEN_MAX_AGE``, is revoked by
``DELETE /api/token`` and by logging out of the browser, and stops working when the password
changes.

The bearer token is tried first: a script's POST with a valid token needs no CSRF token, while a
request that relies on the browser's session cookie is held to CSRF as any form is. Either way the
user must hold a role that may view the registry (``Perm.VIEW``), or gets 403.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from lantu.accounts.models import ApiToken
from lantu.accounts.roles import Perm
from lantu.core.errors import NotPermitted

TOKEN_MAX_AGE = 30 * 24 * 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue_token(user: Any) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_digest(key),
        password_mark=_digest(str(user.password)),
        expires_at=timezone.now() + datetime.timedelta(seconds=TOKEN_MAX_AGE),
    )
    return key


def user_for_token(token: str) -> Any | None:
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(token), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if row is None or row.password_mark != _digest(str(row.user.password)):
        return None
    return row.user


def revoke_token(token: str) -> int:
    return ApiToken.objects.filter(key_hash=_digest(token)).delete()[0]


@receiver(user_logged_out)
def _revoke_on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk:
        ApiToken.objects.filter(user=user).delete()


def login(request: HttpRequest, username: str, password: str) -> Any | None:
    return authenticate(request, username=username, password=password)


def _permitted(user: Any, perms: tuple[Perm, ...]) -> Any:
    if user is not None and not any(user.can(p) for p in perms):
        raise NotPermitted("您的账号没有可使用接口的角色", "your account holds no role for the API")
    return user


class TokenAuth(HttpBearer):
    """A bearer token (tried first: a token's POST needs no CSRF token) and the role check: the
    user must hold one of ``perms`` (by default the registry's VIEW)."""

    def __init__(self, perms: tuple[Perm, ...] = (Perm.VIEW,)) -> None:
        super().__init__()
        self.perms = perms

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return _permitted(user, self.perms)


class RoleSessionAuth(SessionAuth):
    """The session, with CSRF for unsafe methods (ninja's own check), and the role check."""

    def __init__(self, perms: tuple[Perm, ...] = (Perm.VIEW,)) -> None:
        super().__init__()
        self.perms = perms

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return _permitted(super().authenticate(request, key), self.perms)


def auth_for(*perms: Perm) -> list[Any]:
    """The API's authentication for a router whose users hold one of ``perms``."""
    return [TokenAuth(perms), RoleSessionAuth(perms)]


AUTH = auth_for(Perm.VIEW)


def require(request: HttpRequest, perm: Any) -> None:
    """NotPermitted (403) unless the user's roles grant ``perm`` (a ``lantu.accounts.roles.Perm``):
    e.g. a department role (monitoring tickets only) browsing the registry."""
    from lantu.core.errors import NotPermitted

    if not request.user.can(perm):  # type: ignore[union-attr]
        raise NotPermitted("您的角色无权查看", "your role may not view this")
