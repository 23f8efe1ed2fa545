"""Login lockout (django-axes), security headers, HTTPS settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_login_locks_after_repeated_failures(client, world):
    url = reverse("login")
    for _ in range(4):
        resp = client.post(url, {"username": "u_auditor", "password": "wrong"})
        assert resp.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "u_auditor", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "u_auditor", "password": "pw-u_auditor"})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()


def test_token_api_locks_too(client, world):
    for attempt in range(5):
        resp = client.post(
            "/api/token",
            {"username": "u_county_approval", "password": "wrong"},
            content_type="application/json",
        )
        assert resp.status_code == (401 if attempt < 4 else 429)
    resp = client.post(
        "/api/token",
        {"username": "u_county_approval", "password": "pw-u_county_approval"},
        content_type="application/json",
    )
    assert resp.status_code == 429 and resp.json()["zh"] and resp.json()["en"]


def test_personal_data_pages_are_not_stored(client, world):
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    for url in (
        reverse("registry:household_list"),
        reverse("registry:household_detail", args=[world["inside"].pk]),
        "/api/households",
    ):
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp["Cache-Control"] == "no-store", url
        assert "default-src 'self'" in resp["Content-Security-Policy"]
        assert resp["X-Content-Type-Options"] == "nosniff"


def test_https_settings_come_from_the_environment(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lantu.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER[0], s.LANTU_CSP)"
    )
    env = os.environ | {
        "LANTU_HTTPS": "1",
        "LANTU_VAR_DIR": str(tmp_path),
        "LANTU_CSP": "default-src 'none'",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == [
        "True", "True", "31536000", "HTTP_X_FORWARDED_PROTO", "default-src", "'none'"
    ], out.stderr  # fmt: skip
