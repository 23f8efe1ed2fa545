"""Row helpers shared by the set-wise import writers (``bulk`` and ``yearly``): fill defaults
column-wise, fetch stored rows by key, compare values read from a file with values read from the
database, and collect what changed in each household for its ledger event."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, models

from lantu.core.bulksql import insert_rows, select_in
from lantu.ledger.services import Change


def norm(value: Any) -> Any:
    """One comparable form for a value read from the file or the database."""
    if value is None or value == "":
        return None
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def field_defaults(model: type[models.Model], names: list[str]) -> dict[str, Any]:
    out = {}
    for n in names:
        f: Any = model._meta.get_field(n)
        out[n] = f.get_default() if f.has_default() else (None if f.null else "")
    return out


def with_defaults(df: pl.DataFrame, model: type[models.Model], names: list[str]) -> pl.DataFrame:
    """Every field of ``names`` as a column, blanks replaced by the model's default."""
    defaults = field_defaults(model, names)
    cols = []
    for n in names:
        d = defaults[n]
        if n in df.columns:
            cols.append(pl.col(n) if d is None else pl.col(n).fill_null(pl.lit(d)))
        else:
            cols.append(pl.lit(d).alias(n))
    return df.with_columns(cols)


def insert_frame(model: type[models.Model], df: pl.DataFrame, names: list[str]) -> None:
    insert_rows(model, names, [df[n].to_list() for n in names])


def fetch(
    model: type[models.Model], key: str, keys: list[Any], fields: list[str]
) -> list[dict[str, Any]]:
    """Rows of ``model`` whose ``key`` is one of ``keys``, as dicts of ``id`` and ``fields``."""
    names = ["id", *fields]
    columns = [str(getattr(model._meta.get_field(n), "column", n)) for n in names]
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    key_column = str(getattr(model._meta.get_field(key), "column", key))
    sql = f"SELECT {quoted} FROM {table} WHERE {connection.ops.quote_name(key_column)} IN ({{}})"
    converters = [converter(model, n) for n in names]
    return [
        {n: (conv(v) if conv else v) for n, conv, v in zip(names, converters, row, strict=True)}
        for row in select_in(sql, keys)
    ]


def converter(model: type[models.Model], name: str) -> Any:
    """Raw SQL returns SQLite's storage types: make booleans, decimals and dates Python values."""
    field = model._meta.get_field(name)
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else Decimal(str(v))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda v: datetime.date.fromisoformat(v) if isinstance(v, str) else v
    return None


class ChangeLog:
    """What an import changed in households already registered, field by field, for one ledger
    event per household (before and after)."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}

    def diff(
        self, no: str, key: str | None, old: dict[str, Any], new: dict[str, Any]
    ) -> dict[str, Any]:
        """The values of ``new`` that differ from ``old``; recorded under household ``no``."""
        d = {n: v for n, v in new.items() if norm(old.get(n)) != norm(v)}
        if d:
            entry = self.entries.setdefault(no, {"before": {}, "after": {}})
            before = {n: norm(old.get(n)) for n in d}
            after = {n: norm(v) for n, v in d.items()}
            entry["before"].update({key: before} if key else before)
            entry["after"].update({key: after} if key else after)
        return d

    def changes(self, ids: dict[str, int], paths: dict[str, str], source: str) -> list[Change]:
        return [
            Change("household.import.update", "household", str(ids[no]), paths[no],
                   before=e["before"], after=e["after"], reason=source)
            for no, e in self.entries.items()
        ]  # fmt: skip
