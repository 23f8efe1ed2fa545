"""The simulator's observed registry, read as the registry stood in one year.

``lantu simulate`` writes ``observed/registry/`` in a layout of its own (docs/simulator.md):

- ``households.parquet``: one row per household ever registered, with its *latest* status,
  household type, registration and exit years;
- ``members.parquet``: every member ever listed, with the latest values of the member columns and
  ``left_reason``/``left_year`` for those who left;
- ``years.parquet``: the yearly facts, one row per household and year *on the registry*;
- ``member_years/<year>.parquet``: the members present in each year with that year's work,
  schooling, education attained, health, labour and disability.

The ruler wants the registry as of the evaluation year: the households on it that year, their
status at the start of the year, the members present that year with that year's values.
``registry_as_of(folder, year)`` builds those three tables in DuckDB straight from the Parquet
files:

- households: those with a yearly record in ``year``. Status at the start of the year, from what
  the files keep: still ``poor`` if the household exits in ``year`` or later (or never exited and
  was not a monitoring-only household); ``exited`` if it exited before; monitoring-only households
  (no exit year, latest status monitored or risk eliminated) keep their latest status. In the last
  year of the files the latest status is used as it is. The files keep no history of statuses, so
  a 返贫 (returned) household reads ``poor``, and between 2021 and the last year an exited household
  that was later monitored reads ``exited``;
- members: those of ``member_years/<year>``, with that year's columns over the member's own;
- years: the records of ``year`` and the year before.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from lantu.core.errors import ValidationFailed
from lantu.registry.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, YEAR_COLUMNS

# The member columns ``member_years/<year>.parquet`` carries for the year (education, the level
# attained so far, only in simulations written since 2026-11-29: older ones give the latest).
YEARLY_MEMBER = ("work", "work_months", "schooling", "education", "health", "labour",
                 "disability_grade")  # fmt: skip


def registry_folder(directory: str | Path) -> Path | None:
    """The ``observed/registry`` folder of a simulation (given the simulation's folder, its
    ``observed`` folder or the registry folder itself), or None if it is not one."""
    d = Path(directory)
    for candidate in (d, d / "registry", d / "observed" / "registry"):
        if (candidate / "member_years").is_dir() and (candidate / "households.parquet").exists():
            return candidate
    return None


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def registry_as_of(
    directory: str | Path, year: int, con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, pa.Table]:
    """``households``, ``members`` and ``years`` as the registry stood in ``year``."""
    reg = registry_folder(directory)
    if reg is None:
        raise ValidationFailed(
            f"{directory} 不是模拟器输出目录（缺少 observed/registry/member_years）",
            f"{directory} is not a simulation folder (no observed/registry/member_years)",
        )
    member_year = reg / "member_years" / f"{year}.parquet"
    if not member_year.exists():
        have = sorted(p.stem for p in (reg / "member_years").glob("*.parquet"))
        raise ValidationFailed(
            f"模拟数据中没有 {year} 年（已有：{', '.join(have)}）",
            f"the simulation has no year {year} (it has: {', '.join(have)})",
        )
    con = con or duckdb.connect()
    h, m, y = (_sql_path(reg / f"{t}.parquet") for t in ("households", "members", "years"))
    my = _sql_path(member_year)
    (last_row,) = con.execute(f"SELECT max(year) FROM read_parquet({y})").fetchall()
    last = int(last_row[0]) if last_row[0] is not None else year
    hcols = [c.name for c in HOUSEHOLD_COLUMNS]
    status = f"""CASE
        WHEN {year} >= {last} THEN h.status
        WHEN h.exit_year >= {year} THEN 'poor'
        WHEN h.exit_year < {year} THEN 'exited'
        WHEN h.status IN ('monitored', 'risk_eliminated') THEN h.status
        ELSE 'poor' END"""
    replace = {
        "status": f"{status} AS status",
        "exit_year": f"CASE WHEN h.exit_year < {year} OR {year} >= {last} THEN h.exit_year END"
        " AS exit_year",
        "monitoring_type": f"CASE WHEN ({status}) IN ('monitored', 'risk_eliminated') "
        "THEN h.monitoring_type END AS monitoring_type",
    }
    households = (
        con.sql(
            f"""SELECT {", ".join(replace.get(c, f"h.{c}") for c in hcols)}
        FROM read_parquet({h}) h
        SEMI JOIN (SELECT household_no FROM read_parquet({y}) WHERE year = {year}) y
          USING (household_no)"""
        )
        .arrow()
        .read_all()
    )
    mcols = [c.name for c in MEMBER_COLUMNS]
    yearly = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({my})").fetchall()}
    pick = {
        "left_reason": "CAST(NULL AS VARCHAR) AS left_reason",
        "left_year": "CAST(NULL AS INTEGER) AS left_year",
        "disability_grade": "NULLIF(p.disability_grade, 0) AS disability_grade",
        **{c: f"p.{c}" for c in YEARLY_MEMBER if c != "disability_grade" and c in yearly},
    }
    cols = ", ".join(pick.get(c, f"m.{c}") for c in mcols if c != "id_number")
    # A member listed twice in one household (a move out and back) counts once: the row of the
    # member still present wins.
    members = (
        con.sql(
            f"""WITH m AS (
              SELECT DISTINCT ON (household_no, id_number) *
              FROM read_parquet({m})
              ORDER BY household_no, id_number, left_reason NULLS FIRST, left_year DESC
            )
            SELECT p.household_no, p.id_number, {cols}
            FROM read_parquet({my}) p
            LEFT JOIN m USING (household_no, id_number)"""
        )
        .arrow()
        .read_all()
    )
    ycols = ", ".join(["household_no", *(c.name for c in YEAR_COLUMNS)])
    years = (
        con.sql(f"SELECT {ycols} FROM read_parquet({y}) WHERE year IN ({year - 1}, {year})")
        .arrow()
        .read_all()
    )
    return {"households": households, "members": members, "years": years}
