"""Applying a checked registry import to the database in one transaction, set-wise.

Households new to the registry, with their members and yearly facts, go in column-wise
(``lantu.core.bulksql``): no Python object per row. Households already registered are
compared field by field with what is stored; only what differs is updated, so re-importing a file
writes nothing. Each household created or changed gets one ledger event (before and after, members
and years), and each status change a history row.
"""

from __future__ import annotations

import datetime
from typing import Any

import polars as pl
from django.db import connection, transaction

from lantu.core.bulksql import indexes_deferred, insert_rows
from lantu.ledger.models import Event
from lantu.ledger.services import Change, record_many
from lantu.regions.models import Region
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange
from lantu.registry.rows import ChangeLog, fetch, field_defaults, insert_frame, with_defaults
from lantu.registry.yearly import write_years

CHUNK = 5000
HOUSEHOLD_FIELDS = [
    c.name for c in HOUSEHOLD_COLUMNS if c.name not in ("household_no", "region_code")
]
MEMBER_FIELDS = [c.name for c in MEMBER_COLUMNS if c.name != "member_phone"]
MEMBER_FIELDS += ["phone", "legacy_id_number", "active"]
IMPORT_REASON = "导入 import"
# A load at least this large, into a registry smaller than it, rebuilds indexes once at the end.
BULK_LOAD_ROWS = 20_000


def _member_frame(parsed: pl.DataFrame) -> pl.DataFrame:
    df = parsed.drop([c for c in ("phone",) if c in parsed.columns])  # that is the household's
    if "member_phone" in df.columns:
        df = df.rename({"member_phone": "phone"})
    if "left_reason" not in df.columns:
        return df.with_columns(pl.lit(True).alias("active"))
    active = pl.col("left_reason").fill_null("") == ""
    given = pl.col("left_year") if "left_year" in df.columns else pl.lit(None, dtype=pl.Int64)
    # A member who left without a stated year left in the year the change is recorded.
    this_year = pl.lit(datetime.date.today().year, dtype=pl.Int64)
    left_year = pl.when(active).then(None).otherwise(pl.coalesce(given, this_year))
    return df.with_columns(active.alias("active"), left_year.alias("left_year"))


@transaction.atomic
@transaction.atomic
def apply(
    folded: pl.DataFrame,
    parsed: pl.DataFrame,
    regions: dict[str, Region],
    *,
    actor: Any,
    source: str,
) -> dict[str, int]:
    """Write a checked import: households and members (``parsed`` has one row per member,
    ``folded`` one per household with its household and yearly values)."""
    fields = ["household_no", "region_id", *HOUSEHOLD_FIELDS]
    stored = {
        r["household_no"]: r
        for r in fetch(Household, "household_no", folded["household_no"].to_list(), fields)
    }
    is_new = ~pl.col("household_no").is_in(list(stored))
    members = _member_frame(parsed)
    now = datetime.datetime.now(datetime.UTC)
    log = ChangeLog()
    # Existing households first: members leaving them are deactivated before anyone joins a new one.
    summary = _update(folded.filter(~is_new), members.filter(~is_new), regions, stored, now, log)
    new_count = folded.height - len(stored)
    bulk_load = new_count >= BULK_LOAD_ROWS and new_count > Household.objects.count()
    created: list[Change] = []
    with indexes_deferred([Household, Member, HouseholdYear, StatusChange, Event], when=bulk_load):
        made, new_ids = _create(
            folded.filter(is_new), members.filter(is_new), regions, now, created, source
        )
        ids = {no: r["id"] for no, r in stored.items()} | new_ids
        summary["years_written"] = write_years(folded, ids, log, quiet=set(new_ids))
        paths = {
            no: regions[c].path
            for no, c in folded.select("household_no", "region_code").iter_rows()
        }
        record_many(created + log.changes(ids, paths, source), actor=actor, batch=source[-40:])
    summary["members_created"] += made["members_created"]
    summary["households_created"] = made["households_created"]
    summary["households_updated"] = len(log.entries)
    summary["households_unchanged"] = folded.height - len(new_ids) - len(log.entries)
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
) -> tuple[dict[str, int], dict[str, int]]:
    """Households new to the registry and their members, column-wise; returns (summary, ids)."""
    if not households.height:
        return {"households_created": 0, "members_created": 0}, {}
    summary_cols = members.group_by("household_no").agg(
        pl.col("active").sum().cast(pl.Int64).alias("size"),
        pl.col("name")
        .filter((pl.col("relation") == "head") & pl.col("active"))
        .first()
        .fill_null("")
        .alias("head_name"),
    )
    hh = _region_columns(with_defaults(households, Household, HOUSEHOLD_FIELDS), regions)
    hh = hh.drop([c for c in ("size",) if c in hh.columns])  # a year's size is not the household's
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
    insert_frame(Household, hh.rename({"region_id": "region"}), names)
    ids = {
        r["household_no"]: r["id"]
        for r in fetch(Household, "household_no", hh["household_no"].to_list(), ["household_no"])
    }
    id_map = pl.DataFrame({"household_no": list(ids), "household": list(ids.values())})
    m = with_defaults(members, Member, MEMBER_FIELDS).join(id_map, on="household_no")
    insert_frame(Member, m, ["household", *MEMBER_FIELDS])
    sc = hh.join(id_map, on="household_no").with_columns(
        pl.col("registration_year").fill_null(now.year).alias("year"),
        pl.lit(now.date()).alias("date"),
        pl.lit("not_registered").alias("from_status"),
        pl.col("status").alias("to_status"),
        pl.lit(IMPORT_REASON).alias("reason"),
    )
    insert_frame(
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
    return {"households_created": hh.height, "members_created": m.height}, ids


def _update(
    households: pl.DataFrame,
    members: pl.DataFrame,
    regions: dict[str, Region],
    stored: dict[str, dict[str, Any]],
    now: datetime.datetime,
    log: ChangeLog,
) -> dict[str, int]:
    """Households already registered: compare with what is stored, write only what differs."""
    if not households.height:
        return {"members_created": 0, "members_updated": 0}
    ids = {no: stored[no]["id"] for no in households["household_no"].to_list()}
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
        d = log.diff(no, None, old, new)
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
    m_created, m_updated = _update_members(members, ids, log)
    _refresh_summaries(list(ids.values()))
    return {"members_created": m_created, "members_updated": m_updated}


def _update_members(members: pl.DataFrame, ids: dict[str, int], log: ChangeLog) -> tuple[int, int]:
    fields = [n for n in MEMBER_FIELDS if n in members.columns]
    stored = {
        (r["household_id"], r["id_number"]): r
        for r in fetch(
            Member,
            "household_id",
            list(ids.values()),
            ["household_id", *MEMBER_FIELDS],
        )
    }
    defaults = field_defaults(Member, MEMBER_FIELDS)
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
            log.diff(no, f"member {rec['id_number']}", {}, {"joined": True})
            continue
        d = log.diff(no, f"member {rec['id_number']}", old, values)
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
