"""The application's tables the indicators count, read as Arrow for the batch engine.

One narrow query per table (only the columns the indicators use), through ADBC where the database
allows (``lantu.engine.snapshot.read_queries``); joins, the "was a dangerous house before" window
and the procedure deadlines are then worked out by DuckDB (``views``), so the store only streams
columns. The ruler's guarantees come from the latest stored evaluation of each year:
its outcome string holds one character per rule, in the order of the run's rule list.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import pyarrow as pa

from lantu.engine.snapshot import read_queries

GUARANTEES = {
    "education": "education_assured",
    "medical": "medical_assured",
    "housing": "housing_assured",
    "water": "water_assured",
    "all_met": "assurances_met",
}


def _latest_runs() -> dict[int, tuple[int, list[str]]]:
    """The latest stored evaluation of each year: run id and its rules in outcome order."""
    from lantu.standards.models import EvaluationRun

    out: dict[int, tuple[int, list[str]]] = {}
    for run in EvaluationRun.objects.order_by("year", "started_at", "id").only("year", "rules"):
        out[run.year] = (run.pk, [r["name"] for r in run.rules])
    return out


def _results_sql(runs: dict[int, tuple[int, list[str]]]) -> str:
    if not runs:
        return "SELECT 0 AS household_id, 0 AS year, '' AS outcome, 0 AS run_id WHERE 1 = 0"
    ids = ", ".join(str(run_id) for run_id, _ in runs.values())
    return (
        "SELECT household_id, year, outcome, run_id FROM standards_householdresult "
        f"WHERE run_id IN ({ids})"
    )


def queries(runs: dict[int, tuple[int, list[str]]]) -> dict[str, str]:
    return {
        "h": "SELECT id AS household_id, region_path, household_type, status, monitoring_type, "
        "registration_year, exit_year, relocated FROM registry_household",
        "m": "SELECT household_id, work, schooling, active FROM registry_member",
        "y": "SELECT household_id, year, housing_grade, water_piped, water_source, main_cause "
        "FROM registry_householdyear",
        "r": _results_sql(runs),
        "c": "SELECT region_path, kind, state, year, case_due, closed_at FROM procedures_case",
        "f": "SELECT region_path, year, rule, kind, status FROM matching_finding",
        "v": "SELECT r.path AS region_path, p.year, p.is_poor, p.exited_year "
        "FROM regions_povertystatus p JOIN regions_region r ON r.id = p.region_id "
        "WHERE r.level = 'village'",
    }


def _outcome_column(name: str, runs: dict[int, tuple[int, list[str]]]) -> str:
    """SQL for one guarantee: the character of its rule in the run's outcome is '1'."""
    rule = GUARANTEES[name]
    cases = [
        f"WHEN run_id = {run_id} THEN substr(outcome, {rules.index(rule) + 1}, 1) = '1'"
        for run_id, rules in runs.values()
        if rule in rules
    ]
    return f"CASE {' '.join(cases)} ELSE NULL END AS {name}" if cases else f"NULL AS {name}"


def views(runs: dict[int, tuple[int, list[str]]], today: datetime.date) -> dict[str, str]:
    """DuckDB views named as the indicator sources (``indicators.yaml``), over the raw tables."""
    week = today + datetime.timedelta(days=7)
    guarantees = ", ".join(_outcome_column(n, runs) for n in GUARANTEES)
    return {
        "households": "SELECT * REPLACE (CAST(relocated AS BOOLEAN) AS relocated) FROM h",
        "members": "SELECT m.household_id, h.region_path, h.status, h.registration_year, "
        "h.exit_year, CAST(h.relocated AS BOOLEAN) AS relocated, m.work, m.schooling, "
        "CAST(m.active AS BOOLEAN) AS active FROM m JOIN h USING (household_id)",
        # was_dangerous: a C or D house in an earlier year (one row per household and year), from
        # each household's first such year: a hash aggregate, not a window sorting every row.
        "facts": "SELECT y.household_id, h.region_path, h.status, h.registration_year, "
        "h.exit_year, y.year, y.housing_grade, "
        "coalesce(y.year > d.first_dangerous, false) AS was_dangerous, "
        "CAST(y.water_piped AS BOOLEAN) AS water_piped, y.water_source, y.main_cause "
        "FROM y JOIN h USING (household_id) LEFT JOIN (SELECT household_id, "
        "min(year) AS first_dangerous FROM y WHERE housing_grade IN ('C', 'D') GROUP BY ALL) d "
        "USING (household_id)",
        "results": f"SELECT r.household_id, h.region_path, r.year, {guarantees} "
        "FROM r JOIN h USING (household_id)",
        "cases": "SELECT region_path, kind, state, year, "
        f"state IN ('open', 'held') AND CAST(case_due AS DATE) < DATE '{today}' AS overdue, "
        f"state IN ('open', 'held') AND CAST(case_due AS DATE) >= DATE '{today}' "
        f"AND CAST(case_due AS DATE) < DATE '{week}' AS due_this_week, "
        "closed_at IS NOT NULL AND case_due IS NOT NULL "
        "AND CAST(closed_at AS DATE) <= CAST(case_due AS DATE) AS closed_in_time, "
        "closed_at IS NOT NULL AS closed FROM c",
        "findings": "SELECT * FROM f",
        "villages": "SELECT region_path, year, CAST(is_poor AS BOOLEAN) AS is_poor, exited_year "
        "FROM v",
    }


def read(timings: dict[str, float]) -> tuple[dict[str, pa.Table], dict[int, tuple[int, list[str]]]]:
    """The raw tables, and each one's read seconds in ``timings`` as ``read_<name>``."""
    runs = _latest_runs()
    out: dict[str, pa.Table] = {}
    for name, sql in queries(runs).items():
        t = time.perf_counter()
        out |= read_queries({name: sql})
        timings[f"read_{name}"] = time.perf_counter() - t
    return out, runs


def provider_rows(path: str) -> pa.Table | None:
    """A room's own village-level rows (region_path, year, key, value), or None while that room
    is not installed. ``path`` is ``module:function``."""
    import importlib

    module, _, func = path.partition(":")
    try:
        mod: Any = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, func, None)
    return fn() if fn is not None else None
