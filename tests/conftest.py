"""Shared fixtures. The store tests run on whichever database LANTU_DATABASE_URL names: SQLite
by default, PostgreSQL in CI (.ci/run). Tests marked ``postgres`` skip elsewhere, saying how."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

POSTGRES_HINT = (
    "PostgreSQL-only test: run with LANTU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantu "
    "(see .ci/run)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if "postgres" in request.keywords and connection.vendor != "postgresql":
        pytest.skip(POSTGRES_HINT)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; the production hasher's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> None:
    """Counters kept in the cache (the search limit, the look-up limits, SMS codes) start from zero
    in every test, in this process's memory: never the machine's shared file cache (``var/cache``),
    which a running server or another test run uses."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    cache.clear()
