"""A bearer token for scripts, in exchange for a username and password; and its revocation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from lantu.api.auth import TOKEN_MAX_AGE, TokenAuth, issue_token, login, revoke_token
from lantu.api.schemas import ErrorOut, TokenIn, TokenOut
from lantu.core.errors import LantuError

router = Router()


class BadLogin(LantuError):
    status = 401


@router.post(
    "", auth=None, response={200: TokenOut, 401: ErrorOut}, summary="Get a token / 获取令牌"
)
def token(request: HttpRequest, data: TokenIn) -> TokenOut:
    user = login(request, data.username, data.password)
    if user is None:
        raise BadLogin("用户名或密码不正确", "wrong username or password")
    return TokenOut(token=issue_token(user), expires_in=TOKEN_MAX_AGE)


@router.delete(
    "", auth=TokenAuth(), response={204: None, 401: ErrorOut}, summary="Revoke a token / 注销令牌"
)
def revoke(request: HttpRequest) -> Status[None]:
    header = request.headers.get("Authorization", "")
    revoke_token(header.partition(" ")[2].strip())
    return Status(204, None)
