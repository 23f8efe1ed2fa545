from pathlib import Path

import pytest

from lantu.simulator.run import simulate


@pytest.fixture(scope="session")
def county_run(tmp_path_factory) -> Path:
    """One small county run shared by the read-only tests (a few seconds)."""
    return simulate(
        "county", tmp_path_factory.mktemp("county"), seed=7, people=6000, progress=False
    )
