"""Insert-or-update of many rows keyed by a natural key, column-wise (the importers' one writer).

The stored rows of the keys in the file are read with one query per chunk into a polars frame;
both sides are typed alike from the model's fields (SQLite hands dates over as text and booleans
as integers), joined on the key, and compared column by column: rows without a stored match are
inserted column-wise (``lantu.core.bulksql``), blanks taking the model's defaults; rows whose
given values differ are updated (a blank cell leaves the stored value as it is); the rest are left
alone, so a second import of the same file writes nothing. Only changed rows become Python
objects. Ledger ``Change``s: one per created row (unless the caller records creations itself)
and one per changed row, named by the natural key, with before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, models

from lantu.core.bulksql import insert_rows, select_in
from lantu.ledger.services import Change
from lantu.registry.rows import field_defaults, norm


@dataclass
class Upserted:
    created: pl.DataFrame  # the rows inserted, typed, with the key's text ``_name``
    updated: int

    def __iter__(self) -> Iterator[int]:
        """``made, changed = upsert(...)``: the counts."""
        return iter((self.created.height, self.updated))


def _dtype(field: Any) -> pl.DataType:
    if isinstance(field, models.DecimalField | models.FloatField):
        return pl.Float64()
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return pl.Date()
    if isinstance(field, models.BooleanField):
        return pl.Boolean()
    if isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        return pl.Int64()
    return pl.String()


def _typed(s: pl.Series, field: Any) -> pl.Series:
    want = _dtype(field)
    if want == pl.Date() and s.dtype in (pl.String, pl.Object, pl.Null):
        return s.cast(pl.String).str.slice(0, 10).str.to_date(strict=False)
    out = s.cast(want, strict=False)
    return out.round(2) if want == pl.Float64() else out


def stored_rows(
    model: type[models.Model], key: list[str], cols: list[str], keys: list[Any]
) -> pl.DataFrame:
    fields = [model._meta.get_field(n) for n in ["id", *cols]]
    q = connection.ops.quote_name
    names = ", ".join(q(str(getattr(f, "column", f.name))) for f in fields)
    k0 = q(str(getattr(model._meta.get_field(key[0]), "column", key[0])))
    sql = f"SELECT {names} FROM {q(model._meta.db_table)} WHERE {k0} IN ({{}})"
    # An empty table (a first load) has nothing to compare: no round trips for its keys.
    rows = select_in(sql, keys) if model._default_manager.exists() else []
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in fields]
    return pl.DataFrame(
        [
            _typed(pl.Series(f.name, list(v), strict=False), f)
            for f, v in zip(fields, columns, strict=True)
        ]
    )


def upsert(
    model: type[models.Model],
    frame: pl.DataFrame,
    key: list[str],
    values: list[str],
    *,
    label: str,
    log: list[Change] | None,
    source: str,
    record_created: bool = True,
) -> Upserted:
    values = [v for v in values if v in frame.columns]
    meta = model._meta
    keep_path = "region_path" in frame.columns and "region_path" not in values
    typed = frame.select(
        [_typed(frame[c], meta.get_field(c)) for c in key + values]
        + ([pl.col("region_path")] if keep_path else [])
    )
    typed = typed.with_columns(
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator="/").alias("_name")
    )
    stored = stored_rows(model, key, key + values, typed[key[0]].unique().drop_nulls().to_list())
    joined = typed.join(stored, on=key, how="left", suffix="__old", nulls_equal=True)
    new = joined.filter(pl.col("id").is_null()).select(typed.columns)
    old = joined.filter(pl.col("id").is_not_null())
    updated = 0
    if old.height and values:
        differs = pl.any_horizontal(
            [pl.col(v).is_not_null() & pl.col(v).ne_missing(pl.col(f"{v}__old")) for v in values]
        )
        updated = _update(model, old.filter(differs), values, label, log, source)
    _insert(model, new, key, values)
    if log is not None and record_created and new.height:
        path = new["region_path"] if "region_path" in new.columns else pl.Series([""] * new.height)
        for name, p, after in zip(new["_name"], path, new.select(values).to_dicts(), strict=True):
            after = {k: v for k, v in after.items() if v is not None}
            log.append(
                Change(f"{label}.import.create", label, name, p or "", after=after, reason=source)
            )
    return Upserted(new, updated)


def _insert(
    model: type[models.Model], new: pl.DataFrame, key: list[str], values: list[str]
) -> None:
    """New rows column-wise; blank cells and absent columns take the model's defaults."""
    if not new.height:
        return
    extra = [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in key + values and not f.null
    ]
    names = key + values + extra
    defaults = field_defaults(model, names)
    cols = []
    for n in names:
        if n in new.columns:
            s = new[n]
            cols.append(s.to_list() if defaults[n] is None else s.fill_null(defaults[n]).to_list())
        else:
            cols.append([defaults[n]] * new.height)
    insert_rows(model, names, cols)


def _update(
    model: type[models.Model],
    rows: pl.DataFrame,
    values: list[str],
    label: str,
    log: list[Change] | None,
    source: str,
) -> int:
    changed: list[models.Model] = []
    fields: set[str] = set()
    for rec in rows.iter_rows(named=True):
        diff = {
            v: rec[v]
            for v in values
            if rec[v] is not None and norm(rec[v]) != norm(rec[f"{v}__old"])
        }
        if not diff:
            continue
        obj = model(id=rec["id"])
        for f, v in diff.items():
            setattr(obj, getattr(model._meta.get_field(f), "attname", f), v)
        changed.append(obj)
        fields |= set(diff)
        if log is not None:
            log.append(
                Change(
                    f"{label}.import.update",
                    label,
                    rec["_name"],
                    rec.get("region_path") or "",
                    before={f: norm(rec[f"{f}__old"]) for f in diff},
                    after={f: norm(v) for f, v in diff.items()},
                    reason=source,
                )
            )
    if changed:
        model.objects.bulk_update(changed, sorted(fields), batch_size=2000)  # type: ignore[attr-defined]
    return len(changed)
