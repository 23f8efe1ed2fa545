"""Writing and reading many rows fast, on SQLite and PostgreSQL alike.

Django's ``bulk_create`` builds a model instance and compiles SQL for every batch; for a county's
million members that is most of the time. ``insert_rows`` takes plain columns, adapts only the
column types the database driver cannot take as they are (JSON, aware datetimes), and
sends one ``executemany`` per chunk through Django's connection, inside the caller's transaction;
on PostgreSQL a load of ``COPY_FROM`` rows or more goes in one ``COPY`` (``copy_rows``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from django.db import connection, models

CHUNK = 20_000
COPY_FROM = 1_000  # rows from which PostgreSQL gets a COPY rather than INSERTs


def _adapter(field: Any) -> Any:
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateTimeField):
        # Bulk rows mostly share one timestamp: adapt each distinct value once.
        return lru_cache(maxsize=64)(connection.ops.adapt_datetimefield_value)
    return None


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    *,
    prepared: Collection[str] = (),
) -> None:
    """Insert len(columns[0]) rows; ``columns[i]`` holds the values of field ``names[i]``.
    Fields named in ``prepared`` already hold what the database takes (e.g. JSON text)."""
    if not columns or not len(columns[0]):
        return
    fields = [model._meta.get_field(n) for n in names]
    adapted: list[Sequence[Any]] = []
    for field, values in zip(fields, columns, strict=True):
        adapt = None if field.name in prepared else _adapter(field)
        adapted.append([None if v is None else adapt(v) for v in values] if adapt else values)
    quoted = ", ".join(connection.ops.quote_name(str(getattr(f, "column", f.name))) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = list(zip(*adapted, strict=True))
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        copy_rows(model._meta.db_table, [str(getattr(f, "column", f.name)) for f in fields], rows)
        return
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK):
            cur.executemany(sql, rows[i : i + CHUNK])


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: the rows in one ``COPY … FROM STDIN`` through Django's connection (part of
    the caller's transaction; constraints hold as for INSERT, and a refused row refuses all).
    Several times faster than INSERT for bulk loads: ``insert_rows`` uses it from ``COPY_FROM``
    rows."""
    q = connection.ops.quote_name
    sql = f"COPY {q(table)} ({', '.join(q(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


@contextmanager
def indexes_deferred(models_: Sequence[type[models.Model]], *, when: bool) -> Iterator[None]:
    """On SQLite, drop the tables' secondary indexes, let the caller insert, then build them again,
    all inside the caller's transaction. Building an index from sorted data is several times faster
    than keeping it up to date row by row once it outgrows the page cache (a county's first load).
    A unique index that the data violates fails to build, and the whole transaction rolls back."""
    if not when or connection.vendor != "sqlite":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
            tables,
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cur:
        for _, sql in indexes:
            cur.execute(sql)


def analyze(models_: Sequence[type[models.Model]]) -> None:
    """Refresh the planner's statistics after a bulk load: with none, PostgreSQL guesses a
    prefecture's 90,000 households to be 73 rows and sorts them all for a page of 50 (384 ms
    instead of 0.5 ms), until autovacuum comes round."""
    with connection.cursor() as cur:
        for m in models_:
            cur.execute(f"ANALYZE {connection.ops.quote_name(m._meta.db_table)}")


def select_in(sql: str, values: Sequence[Any], *, chunk: int = 5000) -> list[tuple[Any, ...]]:
    """Run ``sql`` (whose one ``IN ({})`` takes the values) over chunks of ``values``: raw SQL,
    because compiling a Django ``__in`` lookup costs microseconds per value."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for i in range(0, len(values), chunk):
            part = list(values[i : i + chunk])
            cur.execute(sql.format(", ".join(["%s"] * len(part))), part)
            out += cur.fetchall()
    return out


def copy_frame(table: str, frame: Any, *, block: int = 1 << 20) -> None:
    """PostgreSQL: a polars frame's rows into ``table`` (its columns by name) by one ``COPY``
    in CSV, written column-wise by polars rather than a row at a time: a null goes as an empty
    field, an empty string as ``""``, so each keeps its meaning."""
    import io

    q = connection.ops.quote_name
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, null_value="", date_format="%Y-%m-%d")
    data = buf.getbuffer()
    sql = f"COPY {q(table)} ({', '.join(q(c) for c in frame.columns)}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        for i in range(0, len(data), block):
            copy.write(data[i : i + block])


def copy_out(query: str, schema: dict[str, Any]) -> Any:
    """PostgreSQL: the rows of ``query`` (a SELECT, or an INSERT … RETURNING) as a polars
    frame with ``schema``, by ``COPY … TO STDOUT`` in CSV: no Python object per value."""
    import io

    import polars as pl

    buf = io.BytesIO()
    with (
        connection.cursor() as cur,
        cur.cursor.copy(  # type: ignore[attr-defined]
            f"COPY ({query}) TO STDOUT (FORMAT csv)"
        ) as copy,
    ):
        for part in copy:
            buf.write(part)
    if not buf.tell():
        return pl.DataFrame(schema=schema)
    buf.seek(0)
    return pl.read_csv(buf, has_header=False, schema=schema)
