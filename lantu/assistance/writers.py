"""Applying a checked assistance import, set-wise, inside the caller's transaction.

``upsert`` is the one writer: rows of a model keyed by a natural key (a cadre's number; a plan's
household and year; a visit's household, cadre and date) are compared with what is stored, new
ones inserted column-wise (``lantu.core.bulksql``), changed ones updated field by field (blank
cells leave a stored value as it is), unchanged ones left alone; each created or changed record
is one ledger event (its natural key, before and after). A plan's measures are recorded in their
plan's event. What a file must satisfy beyond its values is checked before, by ``checks``.
"""

from __future__ import annotations

import datetime
from typing import Any

import polars as pl
from django.db import models

from lantu.assistance import codes
from lantu.assistance.models import (
    Cadre,
    Pairing,
    Plan,
    PlanMeasure,
    TeamMember,
    Unit,
    UnitPairing,
    Visit,
    WorkTeam,
)
from lantu.assistance.upsert import stored_rows, upsert
from lantu.core.bulksql import indexes_deferred, select_in
from lantu.ledger.models import Event
from lantu.ledger.services import Change, record_many
from lantu.registry.rows import norm

Refs = dict[str, dict[str, tuple[Any, ...]]]


def _ids(refs: Refs, col: str, values: pl.Expr, i: int = 0) -> pl.Expr:
    table = {k: v[i] for k, v in refs.get(col, {}).items()}
    dtype = pl.Int64 if i == 0 else pl.String
    return values.replace_strict(table, default=None, return_dtype=dtype)


def _key_ids(
    model: type[models.Model], key: list[str], keys: list[Any]
) -> dict[tuple[Any, ...], int]:
    """Natural key (as ``upsert`` types it) → id, for the keys given."""
    stored = stored_rows(model, key, key, list(set(keys)))
    return {tuple(r[1:]): r[0] for r in stored.select("id", *key).iter_rows()}


def apply(
    kind: str, parsed: pl.DataFrame, refs: Refs, *, actor: Any, source: str
) -> dict[str, int]:
    log: list[Change] = []
    tables = TABLES_OF[kind]
    # A load larger than what is stored rebuilds the tables' indexes once at the end (SQLite), as
    # the registry's first load does; a unique index the data violates rolls everything back.
    big = parsed.height >= BULK_LOAD_ROWS and parsed.height > tables[0].objects.count()  # type: ignore[attr-defined]
    if big and Event.objects.count() < parsed.height:
        tables = [*tables, Event]
    with indexes_deferred(tables, when=big):
        summary = APPLIERS[kind](parsed, refs, log, source)
        record_many(log, actor=actor, batch=source[-40:])
    summary["ledger_events"] = len(log)
    return summary


def _units(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    units = p.unique("unit_code", keep="first", maintain_order=True).select(
        pl.col("unit_code").alias("code"),
        pl.col("unit_name").alias("name"),
        pl.col("unit_level").alias("level"),
    )
    made, changed = upsert(
        Unit, units, ["code"], ["name", "level"], label="unit", log=log, source=source
    )
    ids = _key_ids(Unit, ["code"], units["code"].to_list())
    if "region_code" not in p.columns:  # a file of units alone: no pairings to record
        return {"units_created": made, "units_updated": changed,
                "unit_pairings_created": 0, "unit_pairings_updated": 0}  # fmt: skip
    pairs = p.filter(pl.col("region_code").is_not_null() & (pl.col("region_code") != ""))
    pairs = pairs.select(
        pl.col("unit_code").replace_strict({k[0]: v for k, v in ids.items()}).alias("unit"),
        _ids(refs, "region_code", pl.col("region_code")).alias("region"),
        _ids(refs, "region_code", pl.col("region_code"), 1).alias("region_path"),
        pl.col("kind").fill_null("designated")
        if "kind" in p.columns
        else pl.lit("designated").alias("kind"),
        pl.col("start_date").fill_null(datetime.date(2015, 1, 1))
        if "start_date" in p.columns
        else pl.lit(datetime.date(2015, 1, 1)).alias("start_date"),
        pl.col("end_date") if "end_date" in p.columns else pl.lit(None, pl.Date).alias("end_date"),
    )
    pm, pc = upsert(
        UnitPairing,
        pairs,
        ["unit", "region", "start_date"],
        ["kind", "end_date", "region_path"],
        label="unit_pairing",
        log=log,
        source=source,
    )
    return {
        "units_created": made,
        "units_updated": changed,
        "unit_pairings_created": pm,
        "unit_pairings_updated": pc,
    }


def _cadres(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    frame = p.select(
        "cadre_no",
        "name",
        "id_number",
        *(
            [_ids(refs, "unit_code", pl.col("unit_code")).alias("unit")]
            if "unit_code" in p.columns
            else []
        ),
        *[pl.col(c) for c in ("post", "phone") if c in p.columns],
        "level",
        _ids(refs, "region_code", pl.col("region_code")).alias("region"),
        _ids(refs, "region_code", pl.col("region_code"), 1).alias("region_path"),
        (pl.col("active").fill_null(True) if "active" in p.columns else pl.lit(True)).alias(
            "active"
        ),
    )
    for c in ("post", "phone"):
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(c))
    frame = frame.with_columns(pl.col("post").fill_null(""), pl.col("phone").fill_null(""))
    values = [
        "name",
        "id_number",
        "unit",
        "post",
        "level",
        "phone",
        "region",
        "region_path",
        "active",
    ]
    made, changed = upsert(
        Cadre, frame, ["cadre_no"], values, label="cadre", log=log, source=source
    )
    return {"cadres_created": made, "cadres_updated": changed}


def _teams(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    p = p.with_columns(
        _ids(refs, "village_code", pl.col("village_code")).alias("village"),
        _ids(refs, "village_code", pl.col("village_code"), 1).alias("region_path"),
        _ids(refs, "cadre_no", pl.col("cadre_no")).alias("cadre"),
    )
    unit = (
        [_ids(refs, "unit_code", pl.col("unit_code")).alias("unit")]
        if "unit_code" in p.columns
        else []
    )
    teams = p.group_by("village", "term_start", maintain_order=True).agg(
        pl.col("region_path").first(),
        *([pl.col("term_end").drop_nulls().first()] if "term_end" in p.columns else []),
        *[u.drop_nulls().first() for u in unit],
    )
    tm, tc = upsert(
        WorkTeam,
        teams,
        ["village", "term_start"],
        ["term_end", "unit", "region_path"],
        label="work_team",
        log=log,
        source=source,
    )
    ids = _key_ids(WorkTeam, ["village", "term_start"], teams["village"].to_list())
    team_of = [ids[(v, t)] for v, t in p.select("village", "term_start").iter_rows()]
    members = p.with_columns(pl.Series("team", team_of, dtype=pl.Int64)).select(
        "team",
        "cadre",
        "role",
        (
            pl.coalesce("start_date", "term_start")
            if "start_date" in p.columns
            else pl.col("term_start")
        ).alias("start_date"),
        *[pl.col(c) for c in ("end_date", "end_reason") if c in p.columns],
        "region_path",
    )
    if "end_reason" in members.columns:
        members = members.with_columns(pl.col("end_reason").fill_null(""))
    mm, mc = upsert(
        TeamMember,
        members,
        ["team", "cadre", "start_date"],
        ["role", "end_date", "end_reason"],
        label="team_member",
        log=log,
        source=source,
    )
    return {
        "teams_created": tm,
        "teams_updated": tc,
        "team_members_created": mm,
        "team_members_updated": mc,
    }


def _household_cols(p: pl.DataFrame, refs: Refs) -> list[pl.Expr]:
    return [
        _ids(refs, "household_no", pl.col("household_no")).alias("household"),
        _ids(refs, "household_no", pl.col("household_no"), 1).alias("region_path"),
        _ids(refs, "cadre_no", pl.col("cadre_no")).alias("cadre"),
    ]


def _pairings(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    frame = p.with_columns(_household_cols(p, refs)).select(
        "household",
        "cadre",
        "start_date",
        "region_path",
        *[pl.col(c) for c in ("end_date", "end_reason") if c in p.columns],
    )
    if "end_reason" in frame.columns:
        frame = frame.with_columns(pl.col("end_reason").fill_null(""))
    # An open pairing in the file replaces the household's open one with another cadre (调整),
    # which ends the day before the new one starts; closing rows first keeps the partial index.
    opens = frame.filter(pl.col("end_date").is_null()) if "end_date" in frame.columns else frame
    current = {
        h: (pk, c, s)
        for pk, h, c, s in select_in(
            "SELECT id, household_id, cadre_id, start_date FROM assistance_pairing "
            "WHERE end_date IS NULL AND household_id IN ({})",
            opens["household"].to_list(),
        )
    }
    ended: list[Pairing] = []
    for h, c, start in opens.select("household", "cadre", "start_date").iter_rows():
        old = current.get(h)
        if old is not None and (old[1], norm(old[2])) != (c, norm(start)):
            ended.append(
                Pairing(
                    id=old[0],
                    end_date=start - datetime.timedelta(days=1),
                    end_reason="调整帮扶责任人 reassigned",
                )
            )
    Pairing.objects.bulk_update(ended, ["end_date", "end_reason"], batch_size=2000)
    made, changed = upsert(
        Pairing,
        frame,
        ["household", "cadre", "start_date"],
        ["end_date", "end_reason", "region_path"],
        label="pairing",
        log=log,
        source=source,
    )
    return {"pairings_created": made, "pairings_updated": changed, "pairings_ended": len(ended)}


def _plans(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    if "cadre_no" not in p.columns:
        p = p.with_columns(pl.lit(None, pl.String).alias("cadre_no"))
    p = p.with_columns(_household_cols(p, refs))
    plan_values = [c for c in ("planned_exit_year", "planned_risk_elimination") if c in p.columns]
    plans = p.group_by("household", "year", maintain_order=True).agg(
        pl.col("region_path").first(), *[pl.col(c).drop_nulls().first() for c in plan_values]
    )
    pm, pc = upsert(
        Plan,
        plans,
        ["household", "year"],
        [*plan_values, "region_path"],
        label="plan",
        log=log,
        source=source,
    )
    ids = _key_ids(Plan, ["household", "year"], plans["household"].to_list())
    keys = pl.DataFrame(
        [(h, y, i) for (h, y), i in ids.items()],
        orient="row",
        schema={"household": pl.Int64, "year": pl.Int64, "plan": pl.Int64},
    )
    assets = {m.code: m.asset for m in codes.catalogue().values()}
    given = [
        c
        for c in ("planned_amount", "actual_amount", "planned_date", "actual_date")
        if c in p.columns
    ]
    measures = p.join(keys, on=["household", "year"]).select(
        "plan",
        "measure",
        "cadre",
        *given,
        (
            pl.col("status").fill_null("planned") if "status" in p.columns else pl.lit("planned")
        ).alias("status"),
        pl.coalesce(
            pl.col("asset") if "asset" in p.columns else pl.lit(None, pl.String),
            pl.col("measure").replace_strict(assets, default=""),
        ).alias("asset"),
        "household",
        "region_path",
    )
    mlog: list[Change] = []
    res = upsert(
        PlanMeasure,
        measures,
        ["plan", "measure"],
        ["cadre", *given, "status", "asset"],
        label="measure",
        log=mlog,
        source=source,
        record_created=False,
    )
    mm, mc = res
    _measure_events(res.created, mlog, ids, log, source)
    return {
        "plans_created": pm,
        "plans_updated": pc,
        "measures_created": mm,
        "measures_updated": mc,
    }


def _visits(p: pl.DataFrame, refs: Refs, log: list[Change], source: str) -> dict[str, int]:
    frame = p.with_columns(_household_cols(p, refs)).select(
        "household",
        "cadre",
        "date",
        "region_path",
        (pl.col("kind").fill_null("home") if "kind" in p.columns else pl.lit("home")).alias("kind"),
        *[pl.col(c).fill_null("") for c in ("notes", "changes") if c in p.columns],
    )
    made, changed = upsert(
        Visit,
        frame,
        ["household", "cadre", "date"],
        ["kind", "notes", "changes", "region_path"],
        label="visit",
        log=log,
        source=source,
    )
    return {"visits_created": made, "visits_updated": changed}


BULK_LOAD_ROWS = 20_000
TABLES_OF: dict[str, list[type[models.Model]]] = {
    "units": [Unit, UnitPairing],
    "cadres": [Cadre],
    "teams": [TeamMember, WorkTeam],
    "pairings": [Pairing],
    "plans": [PlanMeasure, Plan],
    "visits": [Visit],
}
APPLIERS = {
    "units": _units,
    "cadres": _cadres,
    "teams": _teams,
    "pairings": _pairings,
    "plans": _plans,
    "visits": _visits,
}


def _measure_events(
    created: pl.DataFrame,
    changed: list[Change],
    ids: dict[tuple[Any, ...], int],
    log: list[Change],
    source: str,
) -> None:
    """A plan's event carries its measures: a new plan's creation event lists them (code →
    status, and the planned total); a stored plan whose measures the file adds or changes gets
    one ``plan.import.measures`` event."""
    key_of = {i: "/".join(str(x) for x in k) for k, i in ids.items()}
    events = {c.object_id: c for c in log if c.object_type == "plan"}

    def event(plan: int, path: str) -> Change:
        name = key_of[plan]
        if name not in events:
            events[name] = Change(
                "plan.import.measures", "plan", name, path, before={}, after={}, reason=source
            )
            log.append(events[name])
        return events[name]

    amount = pl.col("planned_amount").sum() if "planned_amount" in created.columns else pl.lit(None)
    grouped = created.group_by("plan", maintain_order=True).agg(
        pl.col("region_path").first(), pl.col("measure"), pl.col("status"), amount.alias("total")
    )
    cols = [grouped[c].to_list() for c in ("plan", "region_path", "measure", "status", "total")]
    for plan, path, ms, st, total in zip(*cols, strict=True):
        after = event(plan, path or "").after
        assert after is not None
        after["measures"] = dict(zip(ms, st, strict=True))
        if total is not None:
            after["planned_total"] = round(float(total), 2)
    for ch in changed:
        plan, measure = ch.object_id.split("/", 1)
        ev = event(int(plan), ch.region_path)
        assert ev.after is not None and ev.before is not None
        ev.after.setdefault("changed", {})[measure] = ch.after
        ev.before.setdefault("changed", {})[measure] = ch.before
