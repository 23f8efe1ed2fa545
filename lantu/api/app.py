"""The NinjaAPI object: authentication, error mapping, the routers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from lantu.api import assistance, exits, matching, procedures, projects, regions, registry, tokens
from lantu.api.auth import AUTH
from lantu.core.errors import LantuError

api = NinjaAPI(
    title="Lantu 蓝图 API",
    version="1",
    description="建档立卡数据接口：区划、户、成员。按用户辖区过滤，个人敏感信息按角色脱敏。"
    " / The registry API: regions, households, members; scoped to the user's region, personal"
    " data masked by role.",
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(LantuError)
def lantu_error(request: HttpRequest, exc: LantuError) -> HttpResponse:
    body = {"error": type(exc).__name__, **exc.as_dict()}
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"error": "Unauthenticated", "zh": "请先登录或提供令牌", "en": "log in or send a token"}
    return api.create_response(request, body, status=401)


api.add_router("/regions", regions.router, tags=["regions"])
api.add_router("/households", registry.router, tags=["households"])
api.add_router("/token", tokens.router, tags=["auth"])
api.add_router("/procedures", procedures.router, tags=["procedures"])
api.add_router("/matching", matching.router, tags=["matching"])
api.add_router("/assistance", assistance.router, tags=["assistance"])
api.add_router("/projects", projects.router, tags=["projects"])
api.add_router("/exits", exits.router, tags=["exits"])
