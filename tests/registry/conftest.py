"""The registry's import tests load households with their statuses as a county's first load does:
as in the initial-load mode (``lantu.registry.loadmode``), without writing the mode's ledger events
into every test. tests/registry/test_load_mode.py tests the mode itself, unpatched."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _initial_load_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__.endswith("test_load_mode"):
        return
    from lantu.registry import loadmode

    monkeypatch.setattr(loadmode, "is_open", lambda: True)
