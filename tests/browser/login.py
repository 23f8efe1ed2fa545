"""The one cookie login of the browser tests: the browser is given a session made by Django's
test client, without typing into the login form.

Why it is done this way (the CSRF flake of issue 11: "the first POST after the cookie login is
refused by the CSRF check, about one full run in four"): the old helper opened the login page to
set the cookies' domain, deleted every cookie and added the session. The login page is HTML, so
Chromium fetches ``/favicon.ico`` after it has loaded; when that fetch leaves after
``delete_all_cookies`` it carries no CSRF cookie, and its answer (the 404 page, which renders the
language form's ``{% csrf_token %}``) sets a *new* CSRF secret. If that answer lands after the next
page's, the browser's cookie no longer matches the token in the form it shows, and the first POST
is refused; the refusal page leaves a consistent cookie, so the retry passed.

So the domain is set on a static file (no favicon fetch, no ``Set-Cookie``), and the CSRF cookie
is set here along with the session: every later answer reuses that secret, whatever the order in
which they arrive.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string

BLANK_PAGE = "/static/lantu/lantu.css"  # any static file: not HTML, sets no cookie


def cookie_login(driver: Any, live_server: Any, user: Any, *, language: str = "zh-hans") -> None:
    client = Client()
    client.force_login(user)
    driver.get(live_server.url + BLANK_PAGE)
    driver.delete_all_cookies()
    for name, value in (
        (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value),
        (settings.CSRF_COOKIE_NAME, get_random_string(32)),  # a secret as Django makes them
        (settings.LANGUAGE_COOKIE_NAME, language),
    ):
        driver.add_cookie({"name": name, "value": value, "path": "/"})
