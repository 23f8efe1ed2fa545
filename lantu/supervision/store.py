"""Where reconciliation reads: the application's tables (one SQL query per input, through ADBC like
the ruler's snapshot, ``lantu.engine.snapshot.read_queries``), a directory of Parquet files in the
same shape (``<dir>/<input>.parquet``: benchmarks, a snapshot kept for an audit), or rows given
inline (the checks' YAML cases).

Whatever the source, each input is registered raw and then exposed to the checks as a view with
exactly the declared columns and types (``reconciliation.yaml``'s ``inputs``): a column a source
lacks reads as NULL, so a store without, say, department data still runs every check.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from lantu.engine.backends import DuckDBBackend, Source
from lantu.engine.snapshot import read_queries


def _like(path: str) -> str:
    return "'" + path.replace("'", "''") + "%'"


def db_queries(region_path: str = "") -> dict[str, str]:
    """One query per input, portable between SQLite and PostgreSQL (booleans as 0/1, JSON and
    dates as text; DuckDB casts them to the declared types)."""
    p = _like(region_path)
    hp = f"h.region_path LIKE {p}"
    bool_ = "CASE WHEN {0} THEN 1 ELSE 0 END"
    return {
        "households": "SELECT id AS household_id, household_no, region_path, status, "
        "monitoring_type, exit_year, household_type, registration_year, "
        f"{bool_.format('relocated')} AS relocated, address, phone, bank_account "
        f"FROM registry_household h WHERE {hp}",
        "members": "SELECT m.id AS member_id, m.household_id, m.id_number, "
        f"{bool_.format('m.active')} AS active, m.relation FROM registry_member m "
        f"JOIN registry_household h ON h.id = m.household_id WHERE {hp}",
        "years": "SELECT y.household_id, y.year, y.size FROM registry_householdyear y "
        f"JOIN registry_household h ON h.id = y.household_id WHERE {hp}",
        "projects": "SELECT id AS project_id, code, category, region_path, stage, year, "
        f"implementer FROM projects_project WHERE region_path LIKE {p}",
        "beneficiaries": "SELECT project_id, household_id, mechanism FROM projects_beneficiary "
        f"WHERE region_path LIKE {p}",
        "disbursements": "SELECT id AS payment_id, project_id, household_id, voucher, item, "
        "amount, CAST(date AS TEXT) AS date, year FROM projects_disbursement "
        f"WHERE region_path LIKE {p}",
        "cases": "SELECT id AS case_id, kind, household_id, state, step, "
        "CAST(closed_at AS TEXT) AS closed_at, region_path FROM procedures_case "
        f"WHERE region_path LIKE {p}",
        "department": "SELECT k.member_id, l.dataset, CAST(r.facts AS TEXT) AS facts "
        "FROM matching_link k JOIN matching_departmentrecord r ON r.id = k.record_id "
        "JOIN matching_datasetload l ON l.id = r.load_id "
        "JOIN registry_member m ON m.id = k.member_id "
        "JOIN registry_household h ON h.id = m.household_id "
        f"WHERE l.active AND l.dataset = 'public_security' AND {hp}",
        # The ledger's events of the region (each event keeps the path of what it changed, so an
        # event whose row was deleted is still in its region).
        "events": "SELECT id AS event_id, action, object_type, object_id, region_path, "
        "CAST(after AS TEXT) AS after FROM ledger_event "
        "WHERE (object_type IN ('household', 'member', 'household_year') "
        f"OR action = 'fund.disburse_batch') AND region_path LIKE {p}",
    }


def from_db(region_path: str = "") -> dict[str, pa.Table]:
    return read_queries(db_queries(region_path))


def from_dir(directory: Path) -> dict[str, Path]:
    """``<dir>/<input>.parquet`` for each input present."""
    return {p.stem: p for p in sorted(Path(directory).glob("*.parquet"))}


def from_rows(given: Mapping[str, list[dict[str, object]]]) -> dict[str, pa.Table]:
    return {name: pa.Table.from_pylist(rows) for name, rows in given.items() if rows}


# Source columns that hold something the checks read under another name.
_DERIVED = {
    ("department", "death_date"): "json_extract_string(facts, '$.death_date')",
}


def register(
    backend: DuckDBBackend, inputs: Mapping[str, Source], declared: Mapping[str, Mapping[str, str]]
) -> None:
    """Each declared input as a typed view over its source (empty when there is none)."""
    for name, columns in declared.items():
        src = inputs.get(name)
        present: dict[str, str] = {}
        if src is not None:
            present = backend.register(f"raw_{name}", src)
        cols = []
        for col, kind in columns.items():
            if col in present:
                expr = f"TRY_CAST({col} AS {kind})"
            elif (name, col) in _DERIVED and "facts" in present:
                expr = f"TRY_CAST({_DERIVED[(name, col)]} AS {kind})"
            else:
                expr = f"CAST(NULL AS {kind})"
            cols.append(f"{expr} AS {col}")
        source = f"raw_{name}" if src is not None else "(SELECT 1) AS t WHERE false"
        sql = f"SELECT {', '.join(cols)} FROM {source}"
        backend.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
