"""The registry's import tests load households with their statuses as a county's first load does:
inside the initial-load mode (``lantu.registry.loadmode``). Tests of the rule that outside it an
import may not set a status close the mode themselves (tests/registry/test_load_mode.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _initial_load_mode(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue(
        "db" if "transactional_db" not in request.fixturenames else "transactional_db"
    )
    from django.db import transaction

    from lantu.registry.loadmode import set_mode

    with transaction.atomic():
        set_mode(actor=None, open_=True, reason="tests: initial load")
