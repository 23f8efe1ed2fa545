"""One local Spark session for every Spark test (starting one takes ~10 s)."""

import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from lantu.engine.backends import local_spark

    session = local_spark()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
