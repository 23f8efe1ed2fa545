"""Inserting many rows fast, on SQLite and PostgreSQL alike.

Django's ``bulk_create`` builds a model instance and compiles SQL for every batch; for a county's
million members that is most of the time. ``insert_rows`` takes plain columns, adapts only the
column types the database driver cannot take as they are (JSON, aware datetimes), and
sends one ``executemany`` per chunk through Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 20_000


def _adapter(field: Any) -> Any:
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    if isinstance(field, models.DateTimeField):
        return lambda v: connection.ops.adapt_datetimefield_value(v)
    return None


def insert_rows(
    model: type[models.Model], names: Sequence[str], columns: Sequence[Sequence[Any]]
) -> None:
    """Insert len(columns[0]) rows; ``columns[i]`` holds the values of field ``names[i]``."""
    if not columns or not len(columns[0]):
        return
    fields = [model._meta.get_field(n) for n in names]
    adapted: list[Sequence[Any]] = []
    for field, values in zip(fields, columns, strict=True):
        adapt = _adapter(field)
        adapted.append([None if v is None else adapt(v) for v in values] if adapt else values)
    quoted = ", ".join(connection.ops.quote_name(str(getattr(f, "column", f.name))) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({quoted}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = list(zip(*adapted, strict=True))
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK):
            cur.executemany(sql, rows[i : i + CHUNK])
