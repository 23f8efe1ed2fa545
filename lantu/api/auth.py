"""API authentication: the browser's session, or a signed bearer token for scripts.

A token is ``django.core.signing`` over the user's id and a fragment of their password hash, so it
needs no table, expires after ``TOKEN_MAX_AGE`` and stops working when the password changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.core import signing
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

SALT = "lantu.api.token"
TOKEN_MAX_AGE = 30 * 24 * 3600


def _fingerprint(user: Any) -> str:
    return str(user.password)[-12:]


def issue_token(user: Any) -> str:
    return signing.dumps({"u": user.pk, "p": _fingerprint(user)}, salt=SALT)


def user_for_token(token: str) -> Any | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or _fingerprint(user) != data.get("p"):
        return None
    return user


def login(request: HttpRequest, username: str, password: str) -> Any | None:
    return authenticate(request, username=username, password=password)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [SessionAuth(), TokenAuth()]


def require(request: HttpRequest, perm: Any) -> None:
    """NotPermitted (403) unless the user's roles grant ``perm`` (a ``lantu.accounts.roles.Perm``):
    e.g. a department role (monitoring tickets only) browsing the registry."""
    from lantu.core.errors import NotPermitted

    if not request.user.can(perm):  # type: ignore[union-attr]
        raise NotPermitted("您的角色无权查看", "your role may not view this")
