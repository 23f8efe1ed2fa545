"""What the annual evaluation adds to the registry snapshot before the ruler reads it.

``with_register_data(inputs, year=, region_path=)``:

- the linked department variables (``lantu.matching.findings.with_department_data``), so a
  removal referred by a data-comparison finding meets the exclusion rule at the county step and
  the monitoring rules see the departments' risk signals;
- the villages' rural population from the household register (``lantu.matching.population``),
  the denominator of poverty incidence;
- the clues the platform received this year about a member (monitoring tickets by ID number:
  ``clue_visit``, ``clue_self``, ``clue_department``; ``lantu.matching.clues``), the risk half of
  the monitoring test where no department recorded the event;
- ``monitoring_months`` of monitored households, where no other room supplies it: whole years
  since the household's latest status change to ``monitored`` in the status history, the start
  taken no earlier than 2021 (monitoring began then, 中农组发〔2021〕7号) — an imported
  household's change carries its registration year, so the figure is an upper bound there.

Each part is left out when its data is absent; the snapshot is otherwise unchanged.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

MONITORING_START = 2021


def monitoring_months(year: int) -> dict[str, int]:
    """household_no → months under monitoring at the end of ``year`` (whole years × 12)."""
    sql = (
        "SELECT h.household_no, MAX(s.year) FROM registry_statuschange s "
        "JOIN registry_household h ON h.id = s.household_id "
        "WHERE h.status = 'monitored' AND s.to_status = 'monitored' AND s.year <= %s "
        "GROUP BY h.household_no"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [year])
        rows = cur.fetchall()
    return {str(no): (year - max(int(y), MONITORING_START)) * 12 for no, y in rows}


def _with_months(households: pa.Table, year: int) -> pa.Table:
    have = "monitoring_months" in households.column_names
    if have and households["monitoring_months"].null_count < households.num_rows:
        return households  # another room supplied it
    months = monitoring_months(year)
    if not months:
        return households
    keys = pc.cast(households["household_no"], pa.string()).to_pylist()
    col = pa.array([months.get(k) for k in keys], pa.int64())
    if have:
        i = households.column_names.index("monitoring_months")
        return households.set_column(i, "monitoring_months", col)
    return households.append_column("monitoring_months", col)


def with_register_data(
    inputs: dict[str, pa.Table], *, year: int, region_path: str
) -> dict[str, pa.Table]:
    from lantu.matching.findings import with_department_data
    from lantu.matching.population import rural_population

    enriched, _, _ = with_department_data(inputs, year=year, region_path=region_path)
    out = dict(enriched or inputs)
    out["households"] = _with_months(out["households"], year)
    out["households"] = _with_clues(out["households"], out["members"], year)
    pop = rural_population()
    if pop is not None:
        out["villages"] = pop
    return out


def _with_clues(households: pa.Table, members: pa.Table, year: int) -> pa.Table:
    import polars as pl

    from lantu.matching.clues import clues

    if "id_number" not in members.column_names:
        return households
    people = pl.from_arrow(members.select(["household_no", "id_number"]))
    assert isinstance(people, pl.DataFrame)
    seen = clues(people.with_columns(pl.col("household_no").cast(pl.String)), year)
    if not seen.height:
        return households
    hh = pl.from_arrow(households)
    assert isinstance(hh, pl.DataFrame)
    names = [c for c in seen.columns if c != "household_no"]
    key = hh["household_no"].dtype
    joined = hh.drop([c for c in names if c in hh.columns]).join(
        seen.with_columns(pl.col("household_no").cast(key)), on="household_no", how="left"
    )
    return joined.with_columns(pl.col(c).fill_null(False) for c in names).to_arrow()
