"""Shared fixtures. The store tests run on whichever database LANTU_DATABASE_URL names: SQLite
by default, PostgreSQL in CI (.ci/run). Tests marked ``postgres`` skip elsewhere, saying how."""

from __future__ import annotations

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
