"""The statistics room's provider for the rural population (农村户籍人口, the denominator of
poverty incidence, 厅字〔2016〕16号): village-level rows ``region_path, year, key, value`` from
the application's household register (the ``public_security`` dataset loaded by the comparison
room), never from the simulator's files. Declared in ``lantu/stats/indicators.yaml``."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from lantu.matching.population import rural_population_by_year
from lantu.regions.models import Region


def rural_population() -> pa.Table | None:
    """One row per village and year (``lantu.matching.population.rural_population_by_year``),
    at the village's region path; None while the household register is not loaded."""
    pop = rural_population_by_year()
    if pop is None or pop.num_rows == 0:
        return None
    codes = sorted(set(pop["village_code"].to_pylist()))
    paths = list(Region.objects.filter(code__in=codes).values_list("code", "path"))
    regions = pa.table(
        {
            "code": pa.array([c for c, _ in paths], pa.string()),
            "path": pa.array([p for _, p in paths], pa.string()),
        }
    )
    con = duckdb.connect()
    con.register("pop", pop)
    con.register("regions", regions)
    return con.sql(
        "SELECT r.path AS region_path, p.year, '' AS key, "
        "CAST(p.rural_population AS DOUBLE) AS value "
        "FROM pop p JOIN regions r ON r.code = p.village_code"
    ).to_arrow_table()
