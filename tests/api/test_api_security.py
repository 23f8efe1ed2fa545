"""The API's security, tested as a script and a browser would meet it: over real HTTP (httpx)
against a live server that enforces CSRF, unlike Django's test client. Tokens are opaque, stored
hashed, revoked on logout and by DELETE /api/token; a bearer POST needs no CSRF token, a session
POST does; a user without a role gets 403."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest

from lantu.accounts.models import ApiToken
from lantu.accounts.roles import Role
from lantu.api.auth import issue_token, user_for_token
from tests.factories import make_user, make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    w = make_world()
    w["users"]["none"] = make_user("u_none", w["regions"]["530822000000"])
    return w


def _token(base: str, username: str) -> str:
    resp = httpx.post(
        f"{base}/api/token", json={"username": username, "password": f"pw-{username}"}
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["token"])


@contextlib.contextmanager
def _browser(base: str, username: str) -> Iterator[httpx.Client]:
    """A logged-in browser session: cookies and the CSRF cookie, as a person gets them."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        yield _logged_in(client, base, username)


def _logged_in(client: httpx.Client, base: str, username: str) -> httpx.Client:
    page = client.get("/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf
    resp = client.post(
        "/login/",
        data={"username": username, "password": f"pw-{username}", "csrfmiddlewaretoken": csrf[1]},
        headers={"Referer": f"{base}/login/"},
    )
    assert resp.status_code == 302, resp.text[:300]
    return client


def test_bearer_post_needs_no_csrf_but_session_post_does(live_server, world):
    base = live_server.url
    token = _token(base, "u_county_approval")
    bearer = {"Authorization": f"Bearer {token}"}
    # Authenticated by the token: the body is checked (422), no CSRF refusal.
    resp = httpx.post(f"{base}/api/procedures/cases", json={}, headers=bearer)
    assert resp.status_code == 422, resp.text
    with _browser(base, "u_county_approval") as browser:
        refused = browser.post("/api/procedures/cases", json={})
        assert refused.status_code == 403 and "CSRF" in refused.text
        with_csrf = browser.post(
            "/api/procedures/cases",
            json={},
            headers={"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{base}/"},
        )
        assert with_csrf.status_code == 422


def test_token_is_opaque_stored_hashed_and_revoked(live_server, world):
    base = live_server.url
    user = world["users"][Role.AUDITOR]
    token = _token(base, "u_auditor")
    assert user.password[-12:] not in token and "." not in token and len(token) >= 40
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.key_hash
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{base}/api/households", headers=bearer).status_code == 200
    assert httpx.delete(f"{base}/api/token", headers=bearer).status_code == 204
    assert httpx.get(f"{base}/api/households", headers=bearer).status_code == 401


def test_logout_revokes_tokens(live_server, world):
    base = live_server.url
    token = _token(base, "u_village_entry")
    with _browser(base, "u_village_entry") as browser:
        out = browser.post(
            "/logout/",
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": f"{base}/"},
        )
        assert out.status_code == 302
    resp = httpx.get(f"{base}/api/households", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_user_without_a_role_is_refused(live_server, world):
    base = live_server.url
    token = _token(base, "u_none")
    bearer = {"Authorization": f"Bearer {token}"}
    hh = world["inside"]
    for path in ("/api/households", f"/api/households/{hh.pk}/members", "/api/procedures/queue"):
        resp = httpx.get(f"{base}{path}", headers=bearer)
        assert resp.status_code == 403, (path, resp.text)
        assert resp.json()["zh"] and resp.json()["en"]


def test_password_change_voids_the_token(world):
    user = world["users"][Role.AUDITOR]
    token = issue_token(user)
    assert user_for_token(token) == user
    user.set_password("another-pw-123")
    user.save()
    assert user_for_token(token) is None
