"""The yearly cycle (动态管理): open a year, close it, compare two.

``open_year``: the ruler's annual evaluation (``lantu.standards.services.run_evaluation``), then
per kind the households it proposes (``ruler.candidates``: the kind's rule met, the household's
status one the kind starts from, no case of that kind running), and, on request, their cases
opened in bulk. ``close_year``: the registry's standing frozen set-wise (one INSERT … SELECT into
``RegistrySnapshot`` and a Parquet copy under ``var/snapshots``) and the year's report of changes
per region (``report``). ``compare``: status transitions between two closed years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from lantu.accounts.scope import scoped
from lantu.core.errors import Conflict
from lantu.ledger.services import Change, record
from lantu.procedures import config, engine, ruler
from lantu.procedures.config import Kind
from lantu.procedures.models import ACTIVE_STATES, Case, RegistrySnapshot, YearClose
from lantu.procedures.report import change_report
from lantu.registry.models import Household

SNAPSHOT_COLUMNS = (
    "household_id", "household_no", "region_path", "status", "monitoring_type",
    "household_type", "size",
)  # fmt: skip


def _candidates(kind: Kind, year: int) -> QuerySet[Household]:
    ids = ruler.candidates(kind, year).values("household_id")
    running = Case.objects.filter(kind=kind.slug, state__in=ACTIVE_STATES).values("household_id")
    qs = Household.objects.filter(pk__in=ids).exclude(pk__in=running)
    if kind.from_status:
        qs = qs.filter(status__in=kind.from_status)
    return qs


def candidates_in_scope(user: Any, kind: Kind, year: int) -> QuerySet[Household]:
    return scoped(_candidates(kind, year), user).select_related("region").order_by("region_path")


@dataclass
class YearOpening:
    year: int
    run_id: int | None = None
    proposed: dict[str, int] = field(default_factory=dict)
    opened: dict[str, int] = field(default_factory=dict)


def open_year(
    *, actor: Any, year: int, policy: str | None = None, open_kinds: tuple[str, ...] = (),
    evaluate: bool = True,
) -> YearOpening:  # fmt: skip
    """Evaluate the year, count the candidates of every kind, open the chosen kinds' cases."""
    out = YearOpening(year)
    if evaluate:
        from lantu.standards.services import run_evaluation

        out.run_id = run_evaluation(
            actor=actor, year=year, policy=policy or config.default_policy()
        ).pk
    for slug, kind in config.kinds().items():
        if not kind.rule:  # a kind about another subject (a project): nothing to propose
            continue
        if kind.is_regional:
            continue  # village and county exit are opened by their regions (lantu.exits)
        qs = _candidates(kind, year)
        out.proposed[slug] = qs.count()
        if slug in open_kinds:
            households = list(qs.select_related("region", "region__parent"))
            note = f"{year}年度动态管理 / {year} dynamic management"
            cases = engine.open_cases(
                actor=actor, kind=slug, households=households, year=year, reason=note
            )
            out.opened[slug] = len(cases)
    return out


def _snapshot_sql() -> str:
    cols = ", ".join(SNAPSHOT_COLUMNS)
    source = ", ".join(("id", *SNAPSHOT_COLUMNS[1:]))
    return (
        f"INSERT INTO {RegistrySnapshot._meta.db_table} (year, {cols}) "
        f"SELECT %s, {source} FROM {Household._meta.db_table}"
    )


def _write_parquet(year: int) -> str:
    rows = RegistrySnapshot.objects.filter(year=year).order_by("household_id")
    data = {c: list(rows.values_list(c, flat=True)) for c in SNAPSHOT_COLUMNS}
    folder = Path(settings.VAR_DIR) / "snapshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"registry-{year}.parquet"
    pq.write_table(pa.table(data), path)
    return str(path)


def close_year(*, actor: Any, year: int, replace: bool = False) -> YearClose:
    with transaction.atomic():
        existing = YearClose.objects.filter(year=year).first()
        if existing is not None and not replace:
            raise Conflict(
                f"{year}年度已关账（如需重做请加 --replace）",
                f"{year} is already closed (use --replace to redo it)",
            )
        YearClose.objects.filter(year=year).delete()
        RegistrySnapshot.objects.filter(year=year).delete()
        with connection.cursor() as cur:
            cur.execute(_snapshot_sql(), [year])
        n = RegistrySnapshot.objects.filter(year=year).count()
        closed = YearClose.objects.create(
            year=year, households=n, report=change_report(year),
            closed_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        closed.parquet = _write_parquet(year)
        closed.save(update_fields=["parquet"])
        record(
            Change("procedures.year_close", "procedures.yearclose", str(closed.pk), "", None,
                   {"year": year, "households": n}, f"{year}年度关账 / year {year} closed"),
            actor=actor,
        )  # fmt: skip
    return closed


def compare(a: int, b: int, *, region_path: str = "/") -> list[tuple[str, str, int]]:
    """(status in year a, status in year b, households); '' where a household is absent."""
    t = RegistrySnapshot._meta.db_table
    like = region_path + "%"
    sql = (
        f"SELECT x.status, COALESCE(y.status, ''), COUNT(*) FROM {t} x "
        f"LEFT JOIN {t} y ON y.household_id = x.household_id AND y.year = %s "
        f"WHERE x.year = %s AND x.region_path LIKE %s GROUP BY x.status, y.status "
        f"UNION ALL SELECT '', y.status, COUNT(*) FROM {t} y WHERE y.year = %s "
        f"AND y.region_path LIKE %s AND NOT EXISTS (SELECT 1 FROM {t} x WHERE x.year = %s "
        f"AND x.household_id = y.household_id) GROUP BY y.status"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [b, a, like, b, like, a])
        rows = [(str(s1), str(s2), int(n)) for s1, s2, n in cur.fetchall()]
    return sorted(rows)
