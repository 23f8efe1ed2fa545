"""Where a SQL pipeline runs: DuckDB in-process (the default) or Spark (national scale).

Both take the same steps (``lantu.standards.pipeline.Step``, DuckDB-dialect SQL). DuckDB runs them
as temporary views, materialising the steps marked so into Arrow tables; Spark receives each step
transpiled by sqlglot and registers it as a temporary view (cached when materialised). Inputs are
Arrow tables or files (Parquet, or CSV read as text and typed by the pipeline).

In debug mode (``LANTU_ENGINE_DEBUG=1``) each step's SQL and, when materialised, its row count
are logged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import duckdb
import pyarrow as pa
import sqlglot

from lantu.standards.pipeline import Step

log = logging.getLogger(__name__)
Source: TypeAlias = pa.Table | Path | str


def _debug() -> bool:
    return os.environ.get("LANTU_ENGINE_DEBUG", "0") == "1"


class Backend(Protocol):
    name: str

    def register(self, name: str, source: Source) -> dict[str, str]:
        """Make ``source`` readable as table ``name``; its columns → normalised types."""
        ...

    def run(self, steps: list[Step]) -> None: ...
    def fetch(self, name: str) -> pa.Table: ...


class DuckDBBackend:
    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect()
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self._tables: list[Any] = []  # keep registered Arrow tables alive
        self._results: dict[str, pa.Table] = {}  # materialised steps

    def register(self, name: str, source: Source) -> dict[str, str]:
        if isinstance(source, pa.Table):
            self._tables.append(source)
            self.con.register(name, source)
        else:
            path = str(source).replace("'", "''")
            if path.lower().endswith(".csv"):
                reader = f"read_csv('{path}', all_varchar = true, header = true)"
            else:
                reader = f"read_parquet('{path}')"
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {reader}")
        rows = self.con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        return {r[0]: _normal(str(r[1])) for r in rows}

    def run(self, steps: list[Step]) -> None:
        """Views, except the materialised steps: those are computed once into Arrow tables and
        registered under their name (cheaper than a DuckDB table that ``fetch`` then copies out
        to Arrow again; ``fetch`` hands over the same table)."""
        for step in steps:
            if step.materialise:
                table = self.con.sql(step.sql).arrow().read_all()
                self._results[step.name] = table
                self.con.register(step.name, table)
            else:
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {step.name} AS {step.sql}")
            if _debug():
                n = self.con.execute(f"SELECT COUNT(*) FROM {step.name}").fetchone()
                log.warning("step %s (%s rows): %s", step.name, n[0] if n else "?", step.sql)

    def fetch(self, name: str) -> pa.Table:
        if name in self._results:
            return self._results[name]
        return self.con.sql(f"SELECT * FROM {name}").arrow().read_all()

    def close(self) -> None:
        self.con.close()


class SparkBackend:
    """Spark through PySpark; pass a session or let one local session be created."""

    name = "spark"

    def __init__(self, spark: Any = None) -> None:
        if spark is None:
            spark = local_spark()
        self.spark = spark

    def register(self, name: str, source: Source) -> dict[str, str]:
        if isinstance(source, pa.Table):
            df = self.spark.createDataFrame(source)
        elif str(source).lower().endswith(".csv"):
            df = self.spark.read.option("header", True).csv(str(source))
        else:
            df = self.spark.read.parquet(str(source))
        df.createOrReplaceTempView(name)
        return {col: _normal(kind) for col, kind in df.dtypes}

    def run(self, steps: list[Step]) -> None:
        for step in steps:
            sql = transpile(step.sql, "spark")
            df = self.spark.sql(sql)
            if step.materialise:
                df = df.cache()
            df.createOrReplaceTempView(step.name)
            if _debug():
                log.warning("step %s: %s", step.name, sql)

    def fetch(self, name: str) -> pa.Table:
        table: pa.Table = self.spark.table(name).toArrow()
        return table


_TYPES = {"varchar": "VARCHAR", "string": "VARCHAR", "boolean": "BOOLEAN", "bigint": "BIGINT",
          "double": "DOUBLE", "date": "DATE"}  # fmt: skip


def _normal(kind: str) -> str:
    """A column type as the pipeline names it (VARCHAR, BOOLEAN, BIGINT, DOUBLE, DATE), or the
    engine's own name for any other (the pipeline then casts)."""
    return _TYPES.get(kind.lower(), kind.upper())


def transpile(sql: str, dialect: str) -> str:
    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def local_spark() -> Any:
    """A small local Spark session: 2 cores, non-ANSI casts (a bad value reads as NULL, as in
    DuckDB's TRY_CAST), UTC, few shuffle partitions."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("lantu")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
