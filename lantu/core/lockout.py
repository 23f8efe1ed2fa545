"""What a locked-out login gets (django-axes calls ``locked_out``): 429 with the reason in Chinese
and English, as JSON for the API and as a short page for the login form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

ZH = "登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试，或联系管理员"
EN = "too many failed logins: locked for {minutes} minutes; try later or ask your administrator"


def locked_out(request: HttpRequest, *args: Any) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    zh, en = ZH.format(minutes=minutes), EN.format(minutes=minutes)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "LockedOut", "zh": zh, "en": en}, status=429)
    body = (
        "<!doctype html><meta charset=utf-8><title>锁定 locked</title>"
        f"<p>{escape(zh)}</p><p>{escape(en)}</p>"
    )
    return HttpResponse(body, status=429)
