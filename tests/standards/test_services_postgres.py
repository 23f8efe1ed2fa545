"""On PostgreSQL the snapshot goes through ADBC (a separate connection: committed data only)."""

import pytest
from django.db import connection

from lantu.engine import snapshot
from lantu.standards.services import run_evaluation
from tests.factories import make_world

# Not marked 'postgres': the shared conftest would make it non-transactional, and a separate
# ADBC connection cannot see uncommitted rows. It skips itself on other databases instead.
pytestmark = pytest.mark.django_db(transaction=True)


def test_adbc_snapshot_and_stored_run_on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: set LANTU_DATABASE_URL (see .ci/run)")
    world = make_world()
    adbc = snapshot._adbc_connect()
    assert adbc is not None
    adbc.close()
    data = snapshot.from_db(years=(2019, 2020))
    assert sorted(data["households"]["household_no"].to_pylist()) == sorted(
        [world["inside"].household_no, world["outside"].household_no]
    )
    assert str(data["years"].schema.field("wage_income").type) == "double"
    run = run_evaluation(actor=None, year=2020, policy="yunnan")
    assert run.households == 2
