"""红白榜: ranking indicators and list rules as data (``rankings.yaml``), computed per period by the
batch engine, stored, and published. A published list is public (``/public/supervision/``): it
names units (townships, counties) only, never a person or a household.

Each indicator compiles to one aggregate per unit over its source; the score is the weighted mean
of each indicator's percentile rank among the units (better = 1). The red list takes the ``top``
scores not excluded by ``unless``; the white list every unit a ``when`` rule holds for, and the
``bottom`` scores; each entry keeps the rule that put it there.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from lantu.core.errors import Conflict, ValidationFailed
from lantu.engine.backends import DuckDBBackend
from lantu.engine.snapshot import read_queries
from lantu.ledger.services import Change, record
from lantu.regions.models import Region
from lantu.supervision import reconcile
from lantu.supervision.models import RankingEntry, RankingList

FILE = Path(__file__).resolve().parent / "rankings.yaml"
LEVELS = ("township", "county")


@functools.cache
def config() -> dict[str, Any]:
    text = FILE.read_text(encoding="utf-8")
    raw = dict(yaml.safe_load(text))
    raw["hash"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    for name, ind in raw["indicators"].items():
        if ind["source"] not in raw["sources"] or ind.get("better") not in ("higher", "lower"):
            raise ValueError(f"rankings.yaml: indicator {name}: unknown source or better")
    return raw


def period_dates(period: str) -> tuple[datetime.date, datetime.date]:
    """'2025' → the year; '2025Q3' → the quarter."""
    try:
        if "Q" in period:
            year, q = int(period[:4]), int(period.split("Q")[1])
            if not 1 <= q <= 4:
                raise ValueError
            start = datetime.date(year, 3 * q - 2, 1)
            nxt = datetime.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
            return start, nxt - datetime.timedelta(days=1)
        year = int(period)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except ValueError as e:
        raise ValidationFailed(
            f"期间应为年度（2025）或季度（2025Q3），不是{period}",
            f"a period is a year (2025) or a quarter (2025Q3), not {period}",
        ) from e


def _queries(path: str) -> dict[str, str]:
    p = "'" + path.replace("'", "''") + "%'"
    return {
        "households": "SELECT h.id AS household_id, h.region_path, CASE WHEN EXISTS (SELECT 1 "
        "FROM supervision_discrepancy d WHERE d.household_id = h.id AND d.state IN "
        f"('open', 'confirmed')) THEN 1 ELSE 0 END AS discrepant FROM registry_household h "
        f"WHERE h.region_path LIKE {p}",
        "cases": "SELECT kind, state, CAST(step_due AS TEXT) AS step_due, CAST(case_due AS TEXT) "
        "AS case_due, CAST(closed_at AS TEXT) AS closed_at, CAST(opened_at AS TEXT) AS opened_at, "
        f"escalated_level, region_path FROM procedures_case WHERE region_path LIKE {p}",
        "findings": "SELECT f.state, CAST(f.deadline AS TEXT) AS deadline, CAST(c.closed_at AS "
        "TEXT) AS closed_at, CAST(f.created_at AS TEXT) AS created_at, f.region_path FROM "
        "supervision_finding f LEFT JOIN procedures_case c ON c.id = f.case_id "
        f"WHERE f.region_path LIKE {p}",
        "tickets": "SELECT channel, CAST(received_on AS TEXT) AS received_on, "
        "CAST(responded_on AS TEXT) AS responded_on, region_path FROM monitoring_ticket "
        f"WHERE region_path LIKE {p}",
    }


_TYPES = {
    "household_id": "BIGINT",
    "discrepant": "BOOLEAN",
    "step_due": "DATE",
    "case_due": "DATE",
    "closed_at": "DATE",
    "opened_at": "DATE",
    "deadline": "DATE",
    "created_at": "DATE",
    "received_on": "DATE",
    "responded_on": "DATE",
}


def compile_sql(level: str, start: datetime.date, end: datetime.date) -> str:
    """One row per unit (its path) with every indicator's value."""
    cfg = config()
    width = 1 + reconcile.SEGMENT * reconcile.LEVEL_DEPTH[level]
    s, e = f"DATE '{start}'", f"DATE '{end}'"
    parts = []
    for name, ind in cfg["indicators"].items():
        num = str(ind.get("numerator", "true")).replace("$start", s).replace("$end", e)
        src = ind["source"]
        if ind.get("aggregate"):
            value = str(ind["aggregate"]).replace("$start", s).replace("$end", e)
        elif ind.get("denominator"):
            den = str(ind["denominator"]).replace("$start", s).replace("$end", e)
            value = (
                f"CAST(count(*) FILTER (WHERE ({den}) AND ({num})) AS DOUBLE) / "
                f"nullif(count(*) FILTER (WHERE {den}), 0)"
            )
        else:
            value = f"CAST(count(*) FILTER (WHERE {num}) AS DOUBLE)"
        parts.append(
            f"(SELECT substr(region_path, 1, {width}) AS unit, {value} AS {name} "
            f"FROM {src} GROUP BY 1) AS {name}"
        )
    joins = " ".join(f"LEFT JOIN {p} USING (unit)" for p in parts)
    cols = ", ".join(cfg["indicators"])
    return f"SELECT units.unit, {cols} FROM units {joins}"


@dataclass
class Computed:
    rows: list[dict[str, Any]]
    red: list[tuple[str, str, float | None]]  # (unit, rule, value)
    white: list[tuple[str, str, float | None]]


def compute(region: Region, level: str, period: str) -> Computed:
    if level not in LEVELS:
        raise ValidationFailed(f"排名层级应为{LEVELS}", f"rank townships or counties, not {level}")
    start, end = period_dates(period)
    cfg = config()
    units = list(
        Region.objects.filter(path__startswith=region.path, level=level).values_list(
            "path", flat=True
        )
    )
    engine = DuckDBBackend()
    for name, table in read_queries(_queries(region.path)).items():
        engine.register(f"raw_{name}", table)
        cols = ", ".join(
            f"TRY_CAST({c} AS {_TYPES[c]}) AS {c}" if c in _TYPES else c
            for c in cfg["sources"][name]
        )
        engine.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {cols} FROM raw_{name}")
    engine.con.execute("CREATE OR REPLACE TEMP TABLE units (unit VARCHAR)")
    if units:
        engine.con.executemany("INSERT INTO units VALUES (?)", [[u] for u in units])
    rel = engine.con.sql(compile_sql(level, start, end))
    names = [d[0] for d in rel.description]
    rows = [dict(zip(names, r, strict=True)) for r in rel.fetchall()]
    _score(rows, cfg)
    return Computed(rows, *_lists(rows, cfg))


def _score(rows: list[dict[str, Any]], cfg: dict[str, Any]) -> None:
    """Weighted mean of percentile ranks (1 = best); an indicator with no value for a unit does
    not count for it."""
    n = len(rows)
    totals = [0.0] * n
    weights = [0.0] * n
    for name, ind in cfg["indicators"].items():
        have = [(i, r[name]) for i, r in enumerate(rows) if r[name] is not None]
        if len(have) < 2:
            continue
        higher = ind["better"] == "higher"
        for i, v in have:
            better = sum(1 for _, w in have if (w < v if higher else w > v))
            equal = sum(1 for _, w in have if w == v) - 1
            pct = (better + equal / 2) / (len(have) - 1)
            totals[i] += float(ind.get("weight", 1)) * pct
            weights[i] += float(ind.get("weight", 1))
    for i, r in enumerate(rows):
        r["score"] = round(totals[i] / weights[i], 4) if weights[i] else None


def _holds(cond: str, row: dict[str, Any]) -> bool:
    con = DuckDBBackend().con
    names = [k for k in row if k != "unit"]
    select = ", ".join(f"CAST(? AS DOUBLE) AS {k}" for k in names)
    res = con.execute(f"SELECT ({cond}) FROM (SELECT {select})", [row[k] for k in names]).fetchone()
    return bool(res and res[0])


def _lists(rows: list[dict[str, Any]], cfg: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: -r["score"])
    white: list[tuple[str, str, float | None]] = []
    listed: set[str] = set()
    for rule in cfg["rules"]["white"]:
        if "when" in rule:
            for r in rows:
                if r["unit"] not in listed and _holds(rule["when"], r):
                    white.append((r["unit"], rule["id"], r.get(rule.get("value", ""), None)))
                    listed.add(r["unit"])
        elif "bottom" in rule:
            for r in scored[::-1][: int(rule["bottom"])]:
                if r["unit"] not in listed:
                    white.append((r["unit"], rule["id"], r["score"]))
                    listed.add(r["unit"])
    red: list[tuple[str, str, float | None]] = []
    for rule in cfg["rules"]["red"]:
        eligible = [
            r
            for r in scored
            if r["unit"] not in listed and not (rule.get("unless") and _holds(rule["unless"], r))
        ]
        for r in eligible[: int(rule["top"])]:
            red.append((r["unit"], rule["id"], r["score"]))
    return red, white


def rule_text(board: str, rule_id: str) -> tuple[str, str]:
    for rule in config()["rules"][board]:
        if rule["id"] == rule_id:
            return rule["zh"], rule["en"]
    return rule_id, rule_id


@transaction.atomic
def save(*, actor: Any, region: Region, level: str, period: str) -> RankingList:
    from lantu.supervision.services import authorise

    authorise(actor, region.path)
    c = compute(region, level, period)
    names = dict(
        Region.objects.filter(path__in=[r["unit"] for r in c.rows]).values_list("path", "name")
    )
    cfg = config()
    ranking = RankingList.objects.create(
        region=region,
        region_path=region.path,
        level=level,
        period=period,
        version=f"{cfg['version']}/{cfg['hash']}",
        rows=[{**r, "name": names.get(r["unit"], r["unit"])} for r in c.rows],
    )
    entries = []
    for board, items in (("red", c.red), ("white", c.white)):
        for unit, rule_id, value in items:
            zh, en = rule_text(board, rule_id)
            entries.append(
                RankingEntry(
                    ranking=ranking,
                    unit_path=unit,
                    unit_name=names.get(unit, unit),
                    board=board,
                    rule=rule_id,
                    value=value,
                    reason_zh=zh,
                    reason_en=en,
                )
            )
    RankingEntry.objects.bulk_create(entries)
    record(
        Change(
            "supervision.ranking",
            "supervision.ranking",
            str(ranking.pk),
            region.path,
            None,
            {"period": period, "level": level, "red": len(c.red), "white": len(c.white)},
        ),
        actor=actor,
    )
    return ranking


@transaction.atomic
def publish(*, actor: Any, ranking: RankingList) -> RankingList:
    from lantu.supervision.services import authorise

    authorise(actor, ranking.region_path)
    r = RankingList.objects.select_for_update().get(pk=ranking.pk)
    if r.published_at is not None:
        raise Conflict("该榜单已发布", "this list is already published")
    r.published_at = timezone.now()
    r.save(update_fields=["published_at"])
    record(
        Change(
            "supervision.publish",
            "supervision.ranking",
            str(r.pk),
            r.region_path,
            {"published": False},
            {"published": True},
        ),
        actor=actor,
    )
    return r
