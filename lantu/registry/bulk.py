"""Applying a checked registry import to the database in one transaction, set-wise.

New rows go in with one ``executemany`` per table (through Django's connection, so SQLite and
PostgreSQL alike); changed rows are compared field by field with what is stored and updated with
``bulk_update``; unchanged rows are left alone, so re-importing a file writes nothing. Each
household created or changed gets one ledger event (what changed, before and after, its members
and years), and each status change a history row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import connection, models, transaction
from django.db.models import Count

from lantu.ledger.services import Change, record_many
from lantu.regions.models import Region
from lantu.registry import income
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange

CHUNK = 5000
HOUSEHOLD_FIELDS = [
    c.name for c in HOUSEHOLD_COLUMNS if c.name not in ("household_no", "region_code")
]
MEMBER_FIELDS = [c.name for c in MEMBER_COLUMNS if c.name != "member_phone"] + [
    "phone",
    "legacy_id_number",
]
YEAR_FIELDS = [c.name for c in YEAR_COLUMNS if c.name not in ("year", "total_income")]
DERIVED_YEAR = ["size", "total_income", "net_income", "per_capita_net_income"]


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
        f = model._meta.get_field(n)
        out[n] = f.get_default() if f.has_default() else (None if f.null else "")  # type: ignore[union-attr]
    return out


def _values(df: pl.DataFrame, names: list[str], defaults: dict[str, Any]) -> list[dict[str, Any]]:
    present = [n for n in names if n in df.columns]
    out = []
    for rec in df.select(present).iter_rows(named=True):
        row = {n: (defaults[n] if rec.get(n) is None else rec[n]) for n in names}
        out.append(row)
    return out


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = model._meta.db_table
    fields = [model._meta.get_field(n) for n in rows[0]]
    cols = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK * 4):
            cur.executemany(sql, [tuple(r.values()) for r in rows[i : i + CHUNK * 4]])


def _fetch(
    qs: models.QuerySet[Any], key: str, keys: list[Any], fields: list[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(0, len(keys), CHUNK):
        out += list(qs.filter(**{f"{key}__in": keys[i : i + CHUNK]}).values("id", *fields))
    return out


@transaction.atomic
def apply(
    folded: pl.DataFrame,
    parsed: pl.DataFrame,
    regions: dict[str, Region],
    *,
    actor: Any,
    source: str,
) -> dict[str, int]:
    summary = dict.fromkeys(
        (
            "households_created",
            "households_updated",
            "households_unchanged",
            "members_created",
            "members_updated",
            "years_written",
        ),
        0,
    )
    changes: dict[str, dict[str, Any]] = {}  # household_no → what changed
    ids = _households(folded, regions, summary, changes)
    _members(parsed, ids, summary, changes)
    _years(folded, ids, summary, changes)
    _statuses(folded, ids, changes)
    path_of = {
        no: regions[code].path
        for no, code in folded.select("household_no", "region_code").iter_rows()
    }
    events = [
        Change(
            "household.import.create" if ch.get("created") else "household.import.update",
            "household",
            str(ids[no]),
            path_of[no],
            before=ch.get("before") or None,
            after=ch.get("after"),
            reason=source,
        )
        for no, ch in changes.items()
    ]
    record_many(events, actor=actor, batch=source[-40:])
    summary["households_unchanged"] = (
        folded.height - summary["households_created"] - summary["households_updated"]
    )
    return summary


def _households(
    folded: pl.DataFrame,
    regions: dict[str, Region],
    summary: dict[str, int],
    changes: dict[str, dict[str, Any]],
) -> dict[str, int]:
    nos = folded["household_no"].to_list()
    existing = {
        r["household_no"]: r
        for r in _fetch(
            Household.objects.all(),
            "household_no",
            nos,
            ["household_no", "region_id", *HOUSEHOLD_FIELDS],
        )
    }
    defaults = _defaults(Household, HOUSEHOLD_FIELDS)
    fields = [n for n in HOUSEHOLD_FIELDS if n in folded.columns]
    new_rows: list[dict[str, Any]] = []
    updates: list[Household] = []
    now = datetime.datetime.now(datetime.UTC)
    for rec in folded.select("household_no", "region_code", *fields).iter_rows(named=True):
        region = regions[rec["region_code"]]
        values = {n: rec[n] for n in fields if rec[n] is not None}
        old = existing.get(rec["household_no"])
        if old is None:
            row = {
                "household_no": rec["household_no"],
                "region_id": region.pk,
                "region_path": region.path,
            }
            row |= {n: values.get(n, defaults[n]) for n in HOUSEHOLD_FIELDS}
            row |= {"size": 0, "head_name": "", "created_at": now, "updated_at": now}
            new_rows.append(row)
            changes[rec["household_no"]] = {
                "created": True,
                "after": {k: _norm(v) for k, v in values.items()},
            }
            continue
        diff = {n: v for n, v in values.items() if _norm(old[n]) != _norm(v)}
        if old["region_id"] != region.pk:
            diff["region_id"] = region.pk
        if diff:
            obj = Household(
                id=old["id"],
                **{n: old[n] for n in HOUSEHOLD_FIELDS},
                region=region,
                household_no=rec["household_no"],
            )
            for n, v in diff.items():
                setattr(obj, n, v)
            obj.region_path = region.path
            obj.updated_at = now
            updates.append(obj)
            changes[rec["household_no"]] = {
                "before": {n: _norm(old[n]) for n in diff},
                "after": {n: _norm(v) for n, v in diff.items()},
            }
    _insert(Household, new_rows)
    if updates:
        Household.objects.bulk_update(
            updates, [*HOUSEHOLD_FIELDS, "region", "region_path", "updated_at"], batch_size=CHUNK
        )
    summary["households_created"] = len(new_rows)
    summary["households_updated"] = len(updates)
    ids = {r["household_no"]: r["id"] for r in existing.values()}
    created = [r["household_no"] for r in new_rows]
    ids |= {
        r["household_no"]: r["id"]
        for r in _fetch(Household.objects.all(), "household_no", created, ["household_no"])
    }
    return ids


def _members(
    parsed: pl.DataFrame,
    ids: dict[str, int],
    summary: dict[str, int],
    changes: dict[str, dict[str, Any]],
) -> None:
    df = parsed.drop([c for c in ("phone",) if c in parsed.columns])  # the household's phone
    if "member_phone" in df.columns:
        df = df.rename({"member_phone": "phone"})
    if "left_reason" in df.columns:
        df = df.with_columns((pl.col("left_reason").fill_null("") == "").alias("active"))
    fields = [n for n in MEMBER_FIELDS if n in df.columns] + (
        ["active"] if "active" in df.columns else []
    )
    hh_ids = list(set(ids.values()))
    existing = {
        (r["household_id"], r["id_number"]): r
        for r in _fetch(
            Member.objects.all(), "household_id", hh_ids, ["household_id", *MEMBER_FIELDS, "active"]
        )
    }
    defaults = _defaults(Member, [*MEMBER_FIELDS, "active"])
    new_rows: list[dict[str, Any]] = []
    updates: list[Member] = []
    for rec in df.select("household_no", *fields).iter_rows(named=True):
        hid = ids[rec["household_no"]]
        values = {n: rec[n] for n in fields if rec[n] is not None}
        old = existing.get((hid, rec["id_number"]))
        log = changes.setdefault(rec["household_no"], {"before": {}, "after": {}})
        if old is None:
            new_rows.append(
                {"household_id": hid}
                | {n: values.get(n, defaults[n]) for n in [*MEMBER_FIELDS, "active"]}
            )
            log.setdefault("after", {}).setdefault("members_added", []).append(rec["id_number"])
            continue
        diff = {n: v for n, v in values.items() if _norm(old[n]) != _norm(v)}
        if diff:
            obj = Member(
                id=old["id"], household_id=hid, **{n: old[n] for n in [*MEMBER_FIELDS, "active"]}
            )
            for n, v in diff.items():
                setattr(obj, n, v)
            updates.append(obj)
            key = f"member {rec['id_number']}"
            log.setdefault("before", {})[key] = {n: _norm(old[n]) for n in diff}
            log.setdefault("after", {})[key] = {n: _norm(v) for n, v in diff.items()}
    # Members who leave are deactivated before anyone joins, so a move between two households in
    # one file never holds the same person twice in the partial unique index.
    if updates:
        Member.objects.bulk_update(updates, [*MEMBER_FIELDS, "active"], batch_size=CHUNK)
    _insert(Member, new_rows)
    for no, ch in list(changes.items()):
        if not ch.get("created") and not ch.get("before") and not ch.get("after"):
            del changes[no]
    summary["members_created"] = len(new_rows)
    summary["members_updated"] = len(updates)
    _refresh_summaries(hh_ids)


def _refresh_summaries(hh_ids: list[int]) -> None:
    """Household size and head's name, recomputed in SQL for the households the import touched."""
    for i in range(0, len(hh_ids), CHUNK):
        chunk = hh_ids[i : i + CHUNK]
        sizes = dict(
            Member.objects.filter(household_id__in=chunk, active=True)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        heads = dict(
            Member.objects.filter(household_id__in=chunk, active=True, relation="head").values_list(
                "household_id", "name"
            )
        )
        objs = [Household(id=h, size=sizes.get(h, 0), head_name=heads.get(h, "")) for h in chunk]
        Household.objects.bulk_update(objs, ["size", "head_name"], batch_size=CHUNK)


def _years(
    folded: pl.DataFrame,
    ids: dict[str, int],
    summary: dict[str, int],
    changes: dict[str, dict[str, Any]],
) -> None:
    if "year" not in folded.columns:
        return
    rows = folded.filter(pl.col("year").is_not_null())
    sizes = dict(
        Household.objects.filter(
            id__in=[ids[n] for n in rows["household_no"].to_list()]
        ).values_list("id", "size")
    )
    fields = [n for n in YEAR_FIELDS if n in rows.columns]
    existing = {
        (r["household_id"], r["year"]): r
        for r in _fetch(
            HouseholdYear.objects.all(),
            "household_id",
            list(sizes),
            ["household_id", "year", *YEAR_FIELDS, *DERIVED_YEAR],
        )
    }
    defaults = _defaults(HouseholdYear, YEAR_FIELDS)
    new_rows: list[dict[str, Any]] = []
    updates: list[HouseholdYear] = []
    for rec in rows.select("household_no", "year", *fields).iter_rows(named=True):
        hid = ids[rec["household_no"]]
        given = {n: rec[n] for n in fields if rec[n] is not None}
        values, _ = income.derive(
            {n: given.get(n, defaults[n]) for n in YEAR_FIELDS}, sizes.get(hid, 0)
        )
        old = existing.get((hid, rec["year"]))
        if old is None:
            new_rows.append({"household_id": hid, "year": rec["year"]} | values)
        else:
            diff = {n: v for n, v in values.items() if _norm(old[n]) != _norm(v)}
            if not diff:
                continue
            obj = HouseholdYear(
                id=old["id"],
                household_id=hid,
                year=rec["year"],
                **{n: old[n] for n in [*YEAR_FIELDS, *DERIVED_YEAR]},
            )
            for n, v in values.items():
                setattr(obj, n, v)
            updates.append(obj)
        log = changes.setdefault(rec["household_no"], {"before": {}, "after": {}})
        log.setdefault("after", {})[f"year {rec['year']}"] = {
            n: _norm(v) for n, v in values.items()
        }
    _insert(HouseholdYear, new_rows)
    if updates:
        HouseholdYear.objects.bulk_update(updates, [*YEAR_FIELDS, *DERIVED_YEAR], batch_size=CHUNK)
    summary["years_written"] = len(new_rows) + len(updates)


def _statuses(
    folded: pl.DataFrame, ids: dict[str, int], changes: dict[str, dict[str, Any]]
) -> None:
    today = datetime.date.today()
    rows = []
    for no, ch in changes.items():
        after = ch.get("after") or {}
        if "status" not in after:
            continue
        before = "not_registered" if ch.get("created") else (ch.get("before") or {}).get("status")
        year = after.get("registration_year") if ch.get("created") else None
        rows.append(
            StatusChange(
                household_id=ids[no],
                year=year or today.year,
                date=today,
                from_status=before or "not_registered",
                to_status=after["status"],
                reason="导入 import",
            )
        )
    StatusChange.objects.bulk_create(rows, batch_size=CHUNK)
