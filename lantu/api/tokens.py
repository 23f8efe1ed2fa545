"""A bearer token for scripts, in exchange for a username and password."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lantu.api.auth import TOKEN_MAX_AGE, issue_token, login
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
