"""Linked department records → the ruler's linked variables, per member, household or year row.

``facts.yaml`` says, for each variable, which dataset feeds it, how a member's (or household's)
records are aggregated (``any``, ``max``, ``min``, ``sum`` of a value column), which records count
(``where``: allowed values; ``year``: registered by the evaluation year, or in it with
``this_year``). ``agg: left`` overrides a registry column instead (``sets``): a child with
compulsory-level enrolment records last year and no enrolment at any level this year reads
``schooling = dropout`` (``where`` selects last year's records only).
Only links into the dataset's current load count. A member with no record in a loaded dataset
gets FALSE (or 0): the department's silence is its answer. Each value keeps the record that
carries it (the largest, the smallest for ``min``, or the first), the evidence a finding cites.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from django.db import connection

from lantu.matching import relatives
from lantu.matching.schemas import DATASETS

CONFIG = Path(__file__).resolve().parent / "facts.yaml"


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    return dict(yaml.safe_load(CONFIG.read_text(encoding="utf-8")))


def linked_records(datasets: list[str], region_path: str) -> pl.DataFrame:
    """member, household_no, id_number, record, dataset, facts (JSON), active (the member is
    present) of current loads' links."""
    if not datasets:
        return pl.DataFrame()
    marks = ", ".join(["%s"] * len(datasets))
    sql = (
        "SELECT m.id, h.household_no, m.id_number, r.id, d.dataset, r.facts, m.active "
        "FROM matching_link l JOIN matching_departmentrecord r ON r.id = l.record_id "
        "JOIN matching_datasetload d ON d.id = r.load_id "
        "JOIN registry_member m ON m.id = l.member_id "
        "JOIN registry_household h ON h.id = m.household_id "
        f"WHERE d.active AND d.dataset IN ({marks}) AND h.region_path LIKE %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*datasets, region_path + "%"])
        rows = cur.fetchall()
    names = ["member", "household_no", "id_number", "record", "dataset", "facts", "active"]
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    if frame.height and frame.schema["facts"] != pl.String:
        # PostgreSQL hands JSON over decoded: encode it again for one code path.
        frame = frame.with_columns(pl.col("facts").map_elements(_dumps, return_dtype=pl.String))
    return frame


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def datasets_of(variables: list[str]) -> list[str]:
    """The datasets the variables read (a relative variable's kinship records too)."""
    spec = config()["variables"]
    out = {spec[v]["dataset"] for v in variables}
    out |= {spec[v]["relatives"]["kinship"] for v in variables if spec[v].get("relatives")}
    return sorted(d for d in out if d)


def relative_hits(members: pl.DataFrame, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Each loaded ``agg: relative`` variable → its households (``relatives.HIT_COLUMNS``)."""
    loaded = loaded_datasets()
    out = {}
    for name, spec in config()["variables"].items():
        if spec["agg"] == "relative" and spec["dataset"] in loaded:
            out[name] = relatives.relative_hits_frame(members, frame, spec)
    return out


def loaded_datasets() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT dataset FROM matching_datasetload WHERE active")
        return {r[0] for r in cur.fetchall()}


def _decoded(frame: pl.DataFrame, dataset: str) -> pl.DataFrame:
    ds = DATASETS[dataset]
    dtype = pl.Struct({f.name: pl.String for f in ds.facts})
    part = frame.filter(pl.col("dataset") == dataset)
    return part.with_columns(pl.col("facts").str.json_decode(dtype)).unnest("facts")


def _value(spec: dict[str, Any], part: pl.DataFrame, year: int) -> pl.DataFrame:
    keep = pl.lit(True)
    for col, allowed in (spec.get("where") or {}).items():
        keep = keep & pl.col(col).is_in([str(a) for a in allowed])
    # A year column may hold a year or a date ("2025-03-02"): its first four characters.
    y = (
        pl.col(spec["year"]).cast(pl.String).str.slice(0, 4).cast(pl.Int64, strict=False)
        if spec.get("year")
        else pl.lit(None, pl.Int64)
    )
    if spec["agg"] == "new":  # a record this year (value 1) and none last year (value 0)
        both = part.filter(keep & y.is_in([year - 1, year]))
        return both.with_columns((y == year).cast(pl.Float64).alias("v"))
    if spec["agg"] == "left":  # enrolled last year (value 1) or this year (value 0)
        # ``where`` chooses last year's records only: a record of any kind this year means the
        # person did not leave (a pupil gone from junior to senior school is still at school).
        both = part.filter((keep & (y == year - 1)) | (y == year))
        return both.with_columns((y == year - 1).cast(pl.Float64).alias("v"))
    if spec.get("year"):
        keep = keep & ((y == year) if spec.get("this_year") else (y.is_null() | (y <= year)))
    value = (
        pl.col(spec["value"]).cast(pl.Float64, strict=False).fill_null(0.0)
        if spec.get("value")
        else pl.lit(1.0)
    )
    return part.filter(keep).with_columns(value.alias("v"))


def variable(name: str, frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """One variable: key columns (member / household_no), the value, and its evidence record."""
    spec = config()["variables"][name]
    part = _value(spec, _decoded(frame, spec["dataset"]), year)
    key = ["member", "household_no", "id_number"] if spec["level"] == "member" else ["household_no"]
    agg = spec["agg"]
    value = pl.col("v").sum() if agg == "sum" else pl.col("v").max()
    if agg in ("left", "new", "min"):  # left / new: every record of the two years is from
        # last year / from this year
        value = pl.col("v").min()
    out = part.group_by(key).agg(
        value.alias(name),
        pl.col("record").sort_by("v", descending=agg != "min").first().alias("record"),
    )
    if agg in ("any", "left", "new"):
        out = out.with_columns(pl.col(name) > 0)
    return out


def member_columns(members: pl.DataFrame, frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """``members`` (household_no, id_number, …) with every member-level linked variable whose
    dataset is loaded; a member without a record reads FALSE / 0."""
    loaded = loaded_datasets()
    for name, spec in config()["variables"].items():
        if spec["level"] != "member" or spec["dataset"] not in loaded:
            continue
        v = variable(name, frame, year).select("household_no", "id_number", name)
        if spec["agg"] == "left" and spec.get("sets"):  # overrides a registry column
            v = v.rename({name: "_left"})
            members = members.join(v, on=["household_no", "id_number"], how="left")
            left = pl.col("_left").fill_null(False)
            members = members.with_columns(
                pl.when(left).then(pl.lit(spec["sets"])).otherwise(pl.col(name)).alias(name)
            ).drop("_left")
            continue
        fill = False if spec["agg"] in ("any", "left", "new") else 0.0
        members = members.drop(name, strict=False).join(
            v, on=["household_no", "id_number"], how="left"
        )
        members = members.with_columns(pl.col(name).fill_null(fill))
    return members


def household_columns(
    table: pl.DataFrame,
    frame: pl.DataFrame,
    year: int,
    level: str,
    hits: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Household- or year-level variables (``level``) joined on household_no; on the year table
    only the evaluation year's row is changed, keeping the larger of registry and department.
    ``hits`` are the relative variables' households (``relative_hits``): TRUE there, else FALSE."""
    loaded = loaded_datasets()
    for name, spec in config()["variables"].items():
        if spec["level"] != level or spec["dataset"] not in loaded:
            continue
        if spec["agg"] == "relative":
            found = (hits or {}).get(name, pl.DataFrame(schema={"household_no": pl.String}))
            yes = table["household_no"].cast(pl.String).is_in(found["household_no"].to_list())
            table = table.with_columns(yes.alias(name))
            continue
        v = variable(name, frame, year).select("household_no", pl.col(name).alias("_dept"))
        table = table.join(v, on="household_no", how="left")
        if level == "year":
            current = pl.col(name).cast(pl.Float64, strict=False).fill_null(0.0)
            this = pl.col("year") == year
            new = pl.when(this).then(pl.max_horizontal(current, pl.col("_dept").fill_null(0.0)))
            table = table.with_columns(new.otherwise(pl.col(name)).alias(name))
        else:
            fill = False if spec["agg"] in ("any", "left", "new") else 0.0
            table = table.with_columns(pl.col("_dept").fill_null(fill).alias(name))
        table = table.drop("_dept")
    return table
