"""Fast path for benchmark data: a simulation's observed registry straight into PostgreSQL by ADBC
ingest (binary COPY into a staging table, then INSERT … SELECT), bypassing the importer's row
checks and the ledger (bench data only; a real import goes through ``lantu load``).

    LANTU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantu_bench \\
        python bench/load_pg.py /work/data/i18/prov     # after `lantu migrate`

Regions and poverty status go through the usual services (16k rows); households, members and
yearly facts are built one prefecture at a time as Arrow tables with polars (ids assigned here,
region paths joined from the regions just loaded, income totals derived) and ingested in one COPY
each per prefecture. Households the
loader would hold back (``lantu.simulator.loading.held_back``: data-entry errors) are left out,
as are duplicate active ID numbers the database's constraint refuses. Prints the times.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django
import polars as pl
from tqdm import tqdm

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
django.setup()

from django.db import connection  # noqa: E402

from lantu.engine.snapshot import _adbc_connect  # noqa: E402
from lantu.regions.models import Region  # noqa: E402
from lantu.regions.services import load_regions  # noqa: E402
from lantu.simulator.loading import _poverty, held_back  # noqa: E402

MONEY = ["wage_income", "business_income", "property_income", "transfer_income",
         "production_cost", "medical_out_of_pocket", "education_expense"]  # fmt: skip


def _households(
    hh: pl.DataFrame, mem: pl.DataFrame, regions: pl.DataFrame, before: int
) -> pl.DataFrame:
    heads = (
        mem.filter(pl.col("relation") == "head")
        .group_by("household_no")
        .agg(pl.col("name").first().alias("head_name"))
    )
    size = (
        mem.filter(pl.col("left_reason").fill_null("") == "").group_by("household_no").len("size")
    )
    now = pl.lit(time.strftime("%Y-%m-%d %H:%M:%S")).str.to_datetime().dt.replace_time_zone("UTC")
    return (
        hh.join(regions, left_on="region_code", right_on="code", how="inner")
        .join(heads, on="household_no", how="left")
        .join(size, on="household_no", how="left")
        .with_row_index("id", offset=before + 1)
        .select(
            pl.col("id").cast(pl.Int64), "household_no", "region_path", "region_id",
            *(pl.col(c).fill_null("") for c in ("address", "phone", "bank_account",
                                                "household_type", "status", "monitoring_type")),
            "registration_year", "exit_year", "planned_exit_year",
            pl.col("relocated").fill_null(False),
            pl.col("size").fill_null(0).cast(pl.Int16), pl.col("head_name").fill_null(""),
            now.alias("created_at"), now.alias("updated_at"),
        )
    )  # fmt: skip


def _members(mem: pl.DataFrame, ids: pl.DataFrame, seen: pl.Series, before: int) -> pl.DataFrame:
    """Active members whose ID number is repeated (here or in a prefecture loaded before) are
    left out: the database's constraint would refuse them."""
    m = mem.join(ids, on="household_no", how="inner")
    active = pl.col("left_reason").fill_null("") == ""
    m = m.with_columns(active.alias("active"))
    act = m.filter(pl.col("active"))
    dup = act.select("id_number").is_duplicated() | act["id_number"].is_in(seen.implode())
    keep_active = act.filter(~dup)
    m = pl.concat([keep_active, m.filter(~pl.col("active"))])
    bools = ["dibao", "tekun", "medical_insurance", "serious_illness_insurance",
             "medical_assistance", "pension_insurance"]  # fmt: skip
    texts = ["id_number", "name", "sex", "relation", "ethnicity", "education", "schooling",
             "health", "labour", "work", "left_reason"]  # fmt: skip
    return m.with_row_index("id", offset=before + 1).select(
        pl.col("id").cast(pl.Int64), "household_id",
        *(pl.col(c).fill_null("") for c in texts), "birth_date", "disability_grade",
        pl.col("work_months").fill_null(0), *(pl.col(c).fill_null(False) for c in bools),
        pl.col("member_phone").fill_null("").alias("phone"), "active",
        pl.lit("").alias("legacy_id_number"), "left_year",
    )  # fmt: skip


def _years(yr: pl.DataFrame, ids: pl.DataFrame, before: int) -> pl.DataFrame:
    y = yr.join(ids, on="household_no", how="inner").with_columns(
        *(pl.col(c).fill_null(0).round(2) for c in MONEY)
    )
    total = pl.sum_horizontal(*(pl.col(c) for c in MONEY[:4]))
    y = y.with_columns(total.round(2).alias("total_income"))
    y = y.with_columns((pl.col("total_income") - pl.col("production_cost")).alias("net_income"))
    per = (pl.col("net_income") / pl.col("size").clip(1)).round(2).alias("per_capita_net_income")
    texts = ["housing_structure", "housing_grade", "water_source", "fuel", "main_cause",
             "other_cause_1", "other_cause_2"]  # fmt: skip
    bools = ["relocation_keys", "water_scarce_area", "water_piped", "electricity", "road_hardened"]
    rest = ["housing_area", "housing_built_year", "water_litres_per_day", "water_quality_ok",
            "water_trip_minutes", "water_distance_m", "water_vertical_m", "water_outage_days",
            "market_distance_km"]  # fmt: skip
    return y.with_columns(per).with_row_index("id", offset=before + 1).select(
        pl.col("id").cast(pl.Int64), "household_id", "year", "size", *MONEY, "total_income",
        "net_income", "per_capita_net_income", *(pl.col(c).fill_null("") for c in texts),
        *(pl.col(c).fill_null(False) for c in bools), *rest,
    )  # fmt: skip


def _indexes(cur: object, name: str) -> list[tuple[str, str]]:
    """The table's secondary indexes (not those backing a constraint), as (name, definition)."""
    cur.execute(  # type: ignore[attr-defined]
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = "
        f"'{name}' AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conname = i.indexname)"
    )
    return list(cur.fetchall())  # type: ignore[attr-defined]


def _ingest(con: object, name: str, frame: pl.DataFrame) -> float:
    """Binary COPY into a staging table of the Arrow types, then one INSERT … SELECT that lets
    PostgreSQL cast to the table's own types (smallint, numeric, varchar), with the foreign-key
    triggers off (the ids are assigned here from the rows just loaded)."""
    t = time.perf_counter()
    stage = f"stage_{name}"
    cols = ", ".join(frame.columns)
    cur = con.cursor()  # type: ignore[attr-defined]
    cur.adbc_ingest(stage, frame.to_arrow(), mode="replace")
    cur.execute("SET session_replication_role = replica")
    cur.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {stage}")
    cur.execute("SET session_replication_role = DEFAULT")
    cur.execute(f"DROP TABLE {stage}")
    cur.close()
    con.commit()  # type: ignore[attr-defined]
    return time.perf_counter() - t


TABLES = ("registry_household", "registry_member", "registry_householdyear")


def main(folder: str) -> None:
    """Load one prefecture at a time (a province's yearly facts whole would not fit beside their
    Arrow copies): the secondary indexes are dropped once before and built once after (one sort
    each instead of a B-tree insert per row): at province scale most of the load's time."""
    obs = Path(folder) / "observed"
    reg = obs / "registry"
    t0 = time.perf_counter()
    load_regions(pl.read_parquet(obs / "regions.parquet").to_dicts(), actor=None)
    _poverty(pl.read_parquet(obs / "poverty_status.parquet"))
    t1 = time.perf_counter()
    regions = pl.DataFrame(
        list(Region.objects.values_list("code", "path", "id")),
        schema=["code", "region_path", "region_id"], orient="row",
    )  # fmt: skip
    prefectures = sorted(
        pl.scan_parquet(reg / "households.parquet")
        .select(pl.col("region_code").str.slice(0, 4).unique())
        .collect()["region_code"]
        .to_list()
    )
    con = _adbc_connect()
    assert con is not None, "the fast path needs PostgreSQL and the ADBC driver"
    cur = con.cursor()
    indexes = {name: _indexes(cur, name) for name in TABLES}
    for defs in indexes.values():
        for index, _ in defs:
            cur.execute(f'DROP INDEX "{index}"')
    cur.close()
    con.commit()
    times = dict.fromkeys(TABLES, 0.0)
    rows = dict.fromkeys(TABLES, 0)
    build = 0.0
    held_n = 0
    seen = pl.Series("id_number", [], pl.String)  # active ID numbers loaded so far
    bar = tqdm(prefectures, desc="load_pg", unit="prefecture")
    for pre in bar:
        tb = time.perf_counter()

        def part(table: str, col: str, pre: str = pre) -> pl.DataFrame:
            return (
                pl.scan_parquet(reg / f"{table}.parquet")
                .filter(pl.col(col).str.starts_with(pre))
                .collect()
            )

        hh, mem, yr = (
            part("households", "region_code"),
            part("members", "household_no"),
            part("years", "household_no"),
        )
        held = held_back(mem)["household_no"].unique().implode()
        held_n += held.list.len()[0]
        hh, mem, yr = (t.filter(~pl.col("household_no").is_in(held)) for t in (hh, mem, yr))
        households = _households(hh, mem, regions, rows["registry_household"])
        ids = households.select("household_no", pl.col("id").alias("household_id"))
        members = _members(mem, ids, seen, rows["registry_member"])
        facts = _years(yr, ids, rows["registry_householdyear"])
        seen = pl.concat([seen, members.filter("active")["id_number"]])
        del hh, mem, yr
        build += time.perf_counter() - tb
        for name, frame in zip(TABLES, (households, members, facts), strict=True):
            times[name] += _ingest(con, name, frame)
            rows[name] += frame.height
        del households, members, facts
    t2 = time.perf_counter()
    cur = con.cursor()
    cur.execute("SET maintenance_work_mem = '1GB'")
    for defs in indexes.values():
        for _, definition in defs:
            cur.execute(definition)
    cur.close()
    con.commit()
    con.close()
    t3 = time.perf_counter()
    with connection.cursor() as c:
        for table in TABLES:
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                      f"(SELECT max(id) FROM {table}))")  # fmt: skip
            c.execute(f"ANALYZE {table}")
    t4 = time.perf_counter()
    print(f"regions + poverty status: {t1 - t0:.1f} s")
    print(f"read + build Arrow ({len(prefectures)} prefectures): {build:.1f} s")
    for name in TABLES:
        print(f"ingest {name}: {rows[name]:,} rows in {times[name]:.1f} s")
    print(f"secondary indexes built: {t3 - t2:.1f} s; analyze {t4 - t3:.1f} s")
    print(f"total {t4 - t0:.1f} s (held back {held_n:,} households with entry errors)")


if __name__ == "__main__":
    main(sys.argv[1])
