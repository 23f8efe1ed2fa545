"""Applying a checked registry import to the database in one transaction, set-wise.

Households new to the registry, with their members and yearly facts, go in column-wise
(``lantu.core.bulksql``): no Python object per row. Households already registered are
compared field by field with what is stored; only what differs is updated, so re-importing a file
writes nothing. Each household created or changed gets one ledger event (before and after, members
and years), and each status change a history row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, models, transaction

from lantu.core.bulksql import indexes_deferred, insert_rows, select_in
from lantu.ledger.models import Event
from lantu.ledger.services import Change, record_many
from lantu.regions.models import Region
from lantu.registry import income
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange

CHUNK = 5000
HOUSEHOLD_FIELDS = [
    c.name for c in HOUSEHOLD_COLUMNS if c.name not in ("household_no", "region_code")
]
MEMBER_FIELDS = [c.name for c in MEMBER_COLUMNS if c.name != "member_phone"]
MEMBER_FIELDS += ["phone", "legacy_id_number", "active"]
YEAR_FIELDS = [c.name for c in YEAR_COLUMNS if c.name not in ("year", "total_income")]
DERIVED_YEAR = ["size", *income.DERIVED]
IMPORT_REASON = "导入 import"
# A load at least this large, into a registry smaller than it, rebuilds indexes once at the end.
BULK_LOAD_ROWS = 20_000


def _norm(value: Any) -> Any:
    """One comparable form for a value read from the file or the database."""
    if value is None or value == "":
        return None
    if isinstance(value, float | Decimal):
        return f"{Decimal(str(value)):.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _defaults(model: type[models.Model], names: list[str]) -> dict[str, Any]:
    out = {}
    for n in names:
        f: Any = model._meta.get_field(n)
        out[n] = f.get_default() if f.has_default() else (None if f.null else "")
    return out


def _with_defaults(df: pl.DataFrame, model: type[models.Model], names: list[str]) -> pl.DataFrame:
    """Every field of ``names`` as a column, blanks replaced by the model's default."""
    defaults = _defaults(model, names)
    cols = []
    for n in names:
        d = defaults[n]
        if n in df.columns:
            cols.append(pl.col(n) if d is None else pl.col(n).fill_null(pl.lit(d)))
        else:
            cols.append(pl.lit(d).alias(n))
    return df.with_columns(cols)


def _insert_frame(model: type[models.Model], df: pl.DataFrame, names: list[str]) -> None:
    insert_rows(model, names, [df[n].to_list() for n in names])


def _fetch(
    model: type[models.Model], key: str, keys: list[Any], fields: list[str]
) -> list[dict[str, Any]]:
    """Rows of ``model`` whose ``key`` is one of ``keys``, as dicts of ``id`` and ``fields``."""
    names = ["id", *fields]
    columns = [str(getattr(model._meta.get_field(n), "column", n)) for n in names]
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    key_column = str(getattr(model._meta.get_field(key), "column", key))
    sql = f"SELECT {quoted} FROM {table} WHERE {connection.ops.quote_name(key_column)} IN ({{}})"
    converters = [_converter(model, n) for n in names]
    return [
        {n: (conv(v) if conv else v) for n, conv, v in zip(names, converters, row, strict=True)}
        for row in select_in(sql, keys)
    ]


def _converter(model: type[models.Model], name: str) -> Any:
    """Raw SQL returns SQLite's storage types: make booleans, decimals and dates Python values."""
    field = model._meta.get_field(name)
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else Decimal(str(v))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda v: datetime.date.fromisoformat(v) if isinstance(v, str) else v
    return None


def _member_frame(parsed: pl.DataFrame) -> pl.DataFrame:
    df = parsed.drop([c for c in ("phone",) if c in parsed.columns])  # that is the household's
    if "member_phone" in df.columns:
        df = df.rename({"member_phone": "phone"})
    active = (
        pl.col("left_reason").fill_null("") == "" if "left_reason" in df.columns else pl.lit(True)
    )
    return df.with_columns(active.alias("active"))


@transaction.atomic
def apply(
    folded: pl.DataFrame,
    parsed: pl.DataFrame,
    regions: dict[str, Region],
    *,
    actor: Any,
    source: str,
) -> dict[str, int]:
    nos = folded["household_no"].to_list()
    stored = {
        r["household_no"]: r
        for r in _fetch(
            Household,
            "household_no",
            nos,
            ["household_no", "region_id", *HOUSEHOLD_FIELDS],
        )
    }
    is_new = ~pl.col("household_no").is_in(list(stored))
    members = _member_frame(parsed)
    now = datetime.datetime.now(datetime.UTC)
    changes: list[Change] = []
    # Existing households first: members leaving them are deactivated before anyone joins a new one.
    summary = _update(
        folded.filter(~is_new), members.filter(~is_new), regions, stored, now, changes, source
    )
    new_count = folded.height - len(stored)
    bulk_load = new_count >= BULK_LOAD_ROWS and new_count > Household.objects.count()
    with indexes_deferred([Household, Member, HouseholdYear, StatusChange, Event], when=bulk_load):
        created = _create(
            folded.filter(is_new), members.filter(is_new), regions, now, changes, source
        )
        record_many(changes, actor=actor, batch=source[-40:])
    for key, value in created.items():
        summary[key] = summary.get(key, 0) + value
    summary["households_unchanged"] = (
        folded.height - summary["households_created"] - summary["households_updated"]
    )
    return summary


def _region_columns(df: pl.DataFrame, regions: dict[str, Region]) -> pl.DataFrame:
    return df.with_columns(
        pl.col("region_code")
        .replace_strict({c: r.pk for c, r in regions.items()}, return_dtype=pl.Int64)
        .alias("region_id"),
        pl.col("region_code")
        .replace_strict({c: r.path for c, r in regions.items()}, return_dtype=pl.String)
        .alias("region_path"),
    )


def _create(
    households: pl.DataFrame,
    members: pl.DataFrame,
    regions: dict[str, Region],
    now: datetime.datetime,
    changes: list[Change],
    source: str,
) -> dict[str, int]:
    """Households new to the registry, their members and facts: all column-wise."""
    if not households.height:
        return {"households_created": 0, "members_created": 0, "years_written": 0}
    summary_cols = members.group_by("household_no").agg(
        pl.col("active").sum().cast(pl.Int64).alias("size"),
        pl.col("name")
        .filter((pl.col("relation") == "head") & pl.col("active"))
        .first()
        .fill_null("")
        .alias("head_name"),
    )
    hh = _region_columns(_with_defaults(households, Household, HOUSEHOLD_FIELDS), regions)
    hh = hh.join(summary_cols, on="household_no", how="left").with_columns(
        pl.lit(now).alias("created_at"), pl.lit(now).alias("updated_at")
    )
    names = [
        "household_no",
        "region",
        "region_path",
        *HOUSEHOLD_FIELDS,
        "size",
        "head_name",
        "created_at",
        "updated_at",
    ]
    _insert_frame(Household, hh.rename({"region_id": "region"}), names)
    ids = {
        r["household_no"]: r["id"]
        for r in _fetch(Household, "household_no", hh["household_no"].to_list(), ["household_no"])
    }
    id_map = pl.DataFrame({"household_no": list(ids), "household": list(ids.values())})
    m = _with_defaults(members, Member, MEMBER_FIELDS).join(id_map, on="household_no")
    _insert_frame(Member, m, ["household", *MEMBER_FIELDS])
    years = 0
    if "year" in hh.columns:
        y = hh.filter(pl.col("year").is_not_null()).join(id_map, on="household_no")
        y = income.derive_frame(
            _with_defaults(y, HouseholdYear, [f for f in YEAR_FIELDS if f not in income.MONEY])
        )
        _insert_frame(HouseholdYear, y, ["household", "year", *YEAR_FIELDS, *DERIVED_YEAR])
        years = y.height
    sc = hh.join(id_map, on="household_no").with_columns(
        pl.col("registration_year").fill_null(now.year).alias("year"),
        pl.lit(now.date()).alias("date"),
        pl.lit("not_registered").alias("from_status"),
        pl.col("status").alias("to_status"),
        pl.lit(IMPORT_REASON).alias("reason"),
    )
    _insert_frame(
        StatusChange, sc, ["household", "year", "date", "from_status", "to_status", "reason"]
    )
    member_ids = members.group_by("household_no", maintain_order=True).agg(pl.col("id_number"))
    after_cols = [c for c in HOUSEHOLD_FIELDS if c in households.columns]
    for rec in (
        hh.join(member_ids, on="household_no")
        .select("household_no", "region_path", *after_cols, "id_number")
        .iter_rows(named=True)
    ):
        no, path, ids_ = rec.pop("household_no"), rec.pop("region_path"), rec.pop("id_number")
        after = {k: v for k, v in rec.items() if v is not None} | {"members": ids_}
        changes.append(
            Change(
                "household.import.create",
                "household",
                str(ids[no]),
                path,
                after=after,
                reason=source,
            )
        )
    return {"households_created": hh.height, "members_created": m.height, "years_written": years}


def _update(
    households: pl.DataFrame,
    members: pl.DataFrame,
    regions: dict[str, Region],
    stored: dict[str, dict[str, Any]],
    now: datetime.datetime,
    changes: list[Change],
    source: str,
) -> dict[str, int]:
    """Households already registered: compare with what is stored, write only what differs."""
    if not households.height:
        return {
            "households_updated": 0,
            "members_created": 0,
            "members_updated": 0,
            "years_written": 0,
        }
    ids = {no: stored[no]["id"] for no in households["household_no"].to_list()}
    log: dict[str, dict[str, dict[str, Any]]] = {}

    def diff(no: str, key: str | None, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        d = {n: v for n, v in new.items() if _norm(old.get(n)) != _norm(v)}
        if d:
            entry = log.setdefault(no, {"before": {}, "after": {}})
            before = {n: _norm(old.get(n)) for n in d}
            after = {n: _norm(v) for n, v in d.items()}
            entry["before"].update({key: before} if key else before)
            entry["after"].update({key: after} if key else after)
        return d

    fields = [n for n in HOUSEHOLD_FIELDS if n in households.columns]
    hh_updates: list[Household] = []
    status_rows: list[StatusChange] = []
    for rec in households.select("household_no", "region_code", *fields).iter_rows(named=True):
        no, old, region = (
            rec["household_no"],
            stored[rec["household_no"]],
            regions[rec["region_code"]],
        )
        new = {n: rec[n] for n in fields if rec[n] is not None} | {"region_id": region.pk}
        d = diff(no, None, old, new)
        if d:
            obj = Household(id=old["id"], household_no=no, **{n: old[n] for n in HOUSEHOLD_FIELDS})
            obj.region_id = region.pk
            obj.region_path, obj.updated_at = region.path, now
            for n, v in d.items():
                setattr(obj, n, v)
            hh_updates.append(obj)
            if "status" in d:
                status_rows.append(
                    StatusChange(
                        household_id=old["id"],
                        year=now.year,
                        date=now.date(),
                        from_status=old["status"],
                        to_status=d["status"],
                        reason=IMPORT_REASON,
                    )
                )
    if hh_updates:
        Household.objects.bulk_update(
            hh_updates, [*HOUSEHOLD_FIELDS, "region", "region_path", "updated_at"], batch_size=CHUNK
        )
    StatusChange.objects.bulk_create(status_rows)
    m_created, m_updated = _update_members(members, ids, diff)
    _refresh_summaries(list(ids.values()))
    years = _update_years(households, ids, diff)
    path_of = {
        no: regions[c].path
        for no, c in households.select("household_no", "region_code").iter_rows()
    }
    for no, entry in log.items():
        changes.append(
            Change(
                "household.import.update",
                "household",
                str(ids[no]),
                path_of[no],
                before=entry["before"],
                after=entry["after"],
                reason=source,
            )
        )
    return {
        "households_updated": len(log),
        "members_created": m_created,
        "members_updated": m_updated,
        "years_written": years,
    }


def _update_members(members: pl.DataFrame, ids: dict[str, int], diff: Any) -> tuple[int, int]:
    fields = [n for n in MEMBER_FIELDS if n in members.columns]
    stored = {
        (r["household_id"], r["id_number"]): r
        for r in _fetch(
            Member,
            "household_id",
            list(ids.values()),
            ["household_id", *MEMBER_FIELDS],
        )
    }
    defaults = _defaults(Member, MEMBER_FIELDS)
    new_rows: list[dict[str, Any]] = []
    updates: list[Member] = []
    for rec in members.select("household_no", *fields).iter_rows(named=True):
        hid, no = ids[rec["household_no"]], rec["household_no"]
        values = {n: rec[n] for n in fields if rec[n] is not None}
        old = stored.get((hid, rec["id_number"]))
        if old is None:
            new_rows.append(
                {"household": hid} | {n: values.get(n, defaults[n]) for n in MEMBER_FIELDS}
            )
            diff(no, f"member {rec['id_number']}", {}, {"joined": True})
            continue
        d = diff(no, f"member {rec['id_number']}", old, values)
        if d:
            obj = Member(id=old["id"], household_id=hid, **{n: old[n] for n in MEMBER_FIELDS})
            for n, v in d.items():
                setattr(obj, n, v)
            updates.append(obj)
    # Leavers are written before joiners: a move between two households in one file never holds
    # one person active twice in the partial unique index.
    if updates:
        Member.objects.bulk_update(updates, MEMBER_FIELDS, batch_size=CHUNK)
    if new_rows:
        names = ["household", *MEMBER_FIELDS]
        insert_rows(Member, names, [[r[n] for r in new_rows] for n in names])
    return len(new_rows), len(updates)


def _refresh_summaries(hh_ids: list[int]) -> None:
    """Household size and head's name, recomputed in SQL for the households the import touched."""
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q('registry_household')} SET size = (SELECT COUNT(*) FROM registry_member m "
        f"WHERE m.household_id = registry_household.id AND m.active), head_name = COALESCE((SELECT "
        f"m.name FROM registry_member m WHERE m.household_id = registry_household.id AND m.active "
        f"AND m.relation = 'head'), '') WHERE id IN ({{}})"
    )
    with connection.cursor() as cur:
        for i in range(0, len(hh_ids), CHUNK):
            chunk = hh_ids[i : i + CHUNK]
            cur.execute(sql.format(", ".join(["%s"] * len(chunk))), chunk)


def _update_years(households: pl.DataFrame, ids: dict[str, int], diff: Any) -> int:
    if "year" not in households.columns:
        return 0
    rows = households.filter(pl.col("year").is_not_null())
    sizes = dict(Household.objects.filter(id__in=list(ids.values())).values_list("id", "size"))
    fields = [n for n in YEAR_FIELDS if n in rows.columns]
    stored = {
        (r["household_id"], r["year"]): r
        for r in _fetch(
            HouseholdYear,
            "household_id",
            list(ids.values()),
            ["household_id", "year", *YEAR_FIELDS, *DERIVED_YEAR],
        )
    }
    defaults = _defaults(HouseholdYear, YEAR_FIELDS)
    written = 0
    for rec in rows.select("household_no", "year", *fields).iter_rows(named=True):
        hid, no = ids[rec["household_no"]], rec["household_no"]
        given = {n: rec[n] for n in fields if rec[n] is not None}
        values, _ = income.derive(
            {n: given.get(n, defaults[n]) for n in YEAR_FIELDS}, sizes.get(hid, 0)
        )
        old = stored.get((hid, rec["year"]))
        d = diff(no, f"year {rec['year']}", old or {}, values)
        if not d:
            continue
        HouseholdYear.objects.update_or_create(household_id=hid, year=rec["year"], defaults=values)
        written += 1
    return written
