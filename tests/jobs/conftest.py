import pytest


@pytest.fixture(autouse=True)
def _quiet_heartbeat(settings):
    """In-process runs share the test's transaction: no heartbeat thread writes meanwhile."""
    settings.LANTU_JOBS_HEARTBEAT = 3600


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):
    """The worker drops connections whose autocommit is off between tasks (Django's
    close_old_connections); inside a test's transaction that would drop the test's own
    connection on PostgreSQL. The real worker, in its own process, is in test_killed_worker."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
