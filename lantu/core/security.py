"""Response headers that keep personal data where it belongs.

- ``Content-Security-Policy`` on every response (``LANTU_CSP``; the default allows only this
  site's own scripts, styles, images and fonts, and no framing);
- ``Cache-Control: no-store`` on every response to a logged-in user (lists, household files,
  exports and API answers carry personal data; a shared office computer's browser cache or a proxy
  must not keep them), unless the view set its own caching;
- public pages (公示, anonymous) keep their normal caching.

HSTS, Secure cookies and the HTTPS redirect are Django's own settings, set from the environment in
``lantu.settings`` (``LANTU_HTTPS``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = getattr(settings, "LANTU_CSP", "")
        if csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = csp
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
