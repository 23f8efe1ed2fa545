import pytest


@pytest.fixture(autouse=True)
def _quiet_heartbeat(settings):
    """In-process runs share the test's transaction: no heartbeat thread writes meanwhile."""
    settings.LANTU_JOBS_HEARTBEAT = 3600
